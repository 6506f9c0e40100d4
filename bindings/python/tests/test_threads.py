"""Threads (issue 11): the GIL is released while libsign works, and a context and a signer
can be shared by threads.

No timing is asserted. The proof that the GIL is released is a deadlock that cannot
happen otherwise: a thread verifies a PDF read from a pipe, and only the main thread
writes into that pipe, after the verification has started. If the binding held the GIL
while libsign blocks reading the pipe, the main thread could never write. That test runs
in a child process so a deadlock fails the test (the child is killed) instead of hanging
the suite.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading

from conftest import CN_ECP256, CN_RSA2048, binding_env


def test_verify_from_pipe_releases_the_gil(signers, data, pki, tmp_path):
    # Larger than a pipe's buffer (64 KiB), so the writer blocks until libsign reads.
    signed = tmp_path / "big.pdf"
    signers("p12-rsa").sign_pdf(data / "pdf" / "corpus" / "rl-plain-uncompressed.pdf", signed)
    assert signed.stat().st_size > 80 * 1024
    script = textwrap.dedent(f"""
        import json, os, threading, time, libsign
        data = open({str(signed)!r}, "rb").read()
        ctx = libsign.Context(trust=[{str(pki / "root-ca.crt")!r}])
        r, w = os.pipe()
        result = {{}}
        def work():
            try:
                with os.fdopen(r, "rb") as f:
                    rep = ctx.verify(f, name="pipe.pdf")
                result["status"] = rep.status
                result["file"] = rep.file
                result["signer"] = rep.signatures[0].signer.subject if rep.signatures else None
            except BaseException as e:
                result["error"] = repr(e)
        t = threading.Thread(target=work)
        t.start()
        time.sleep(0.5)          # the thread is now blocked in libsign, reading the pipe
        view = memoryview(data)
        while view:
            n = os.write(w, view[:16384])
            view = view[n:]
        os.close(w)
        t.join(30)
        result["finished"] = not t.is_alive()
        print(json.dumps(result))
        os._exit(0)
        """)
    try:
        proc = subprocess.run([sys.executable, "-c", script], env=binding_env(),
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError("deadlock: verifying from a pipe blocked the writer thread; "
                             "the binding holds the GIL while libsign reads") from None
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result.get("finished") is True, result
    assert "error" not in result, result
    assert result["status"] == "TOTAL-PASSED", result
    assert result["file"] == "pipe.pdf"
    assert CN_RSA2048 in result["signer"]


def test_four_threads_verify_concurrently(ctx, signers, data):
    docs = [
        signers("p12-rsa").sign_pdf(data / "pdf" / "corpus" / "gs-1.7.pdf"),
        signers("token-ec").sign_pdf(data / "pdf" / "corpus" / "qpdf-objstm.pdf"),
        signers("pem-rsa").sign_xml(data / "xml" / "xades-input.xml"),
        signers("token-rsa").sign_xml(data / "xml" / "einvoice-input.xml", profile="einvoice",
                                   parent_xpath="/HDon/DSCKS/NBan"),
    ]
    expected = [ctx.verify(d, name=f"doc{i}").to_dict() for i, d in enumerate(docs)]
    assert [e["status"] for e in expected] == ["TOTAL-PASSED"] * 4
    cns = [CN_RSA2048, CN_ECP256, CN_RSA2048, CN_RSA2048]
    barrier = threading.Barrier(4)
    failures = []
    done = []

    def work(i):
        try:
            barrier.wait(10)
            for _ in range(25):
                r = ctx.verify(docs[i], name=f"doc{i}")
                if r.to_dict() != expected[i] or cns[i] not in r.signatures[0].signer.subject:
                    failures.append((i, r.to_dict()))
                    return
                if r.format == "xml" and i == 3 and not r.signatures[0].covered_content(0).startswith(b"<DLHDon"):
                    failures.append((i, "covered content"))
                    return
            done.append(i)
        except BaseException as e:  # reported below
            failures.append((i, repr(e)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a verifying thread did not finish"
    assert not failures, failures
    assert sorted(done) == [0, 1, 2, 3]


def test_threads_sign_with_shared_signers_and_errors_stay_per_thread(lib, ctx, signers, data):
    """Four threads sign with two shared signers while others fail; each exception carries
    the text of its own thread's failure."""
    src = (data / "pdf" / "corpus" / "handmade-lf.pdf").read_bytes()
    results = {}
    errors = []

    def sign(i, kind):
        try:
            results[i] = [signers(kind).sign_pdf(src) for _ in range(8)]
        except BaseException as e:
            errors.append((i, repr(e)))

    def fail(i):
        try:
            for k in range(40):
                try:
                    if k % 2:
                        ctx.verify(b"not a pdf")
                    else:
                        ctx.verify(f"/nonexistent/{i}-{k}.pdf")
                except lib.ParseError as e:
                    assert k % 2 == 1 and "not a PDF" in e.message, e.message
                except lib.LibsignIOError as e:
                    assert k % 2 == 0 and f"{i}-{k}.pdf" in e.message, e.message
                else:
                    raise AssertionError("no exception")
        except BaseException as e:
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=sign, args=(0, "p12-rsa")),
               threading.Thread(target=sign, args=(1, "token-rsa")),
               threading.Thread(target=sign, args=(2, "p12-rsa")),
               threading.Thread(target=sign, args=(3, "token-rsa")),
               threading.Thread(target=fail, args=(4,)),
               threading.Thread(target=fail, args=(5,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    for i in range(4):
        assert len(results[i]) == 8
        for signed in results[i]:
            r = ctx.verify(signed)
            assert r.status == "TOTAL-PASSED", r.text
            assert CN_RSA2048 in r.signatures[0].signer.subject
