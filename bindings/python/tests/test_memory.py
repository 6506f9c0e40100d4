"""Memory: 10 000 verifications must not grow the process (issue 11).

RSS is read from /proc/self/statm. After a warm-up of 500 calls (caches, allocator
arenas), RSS may not grow by more than 10 MB over the next 9 500; the reports are read
(typed fields now and then, the JSON too), so the objects the binding makes from the C
report are collected as well.

The loops run in a child Python, so that in sanitizer builds (the shared ASan runtime
preloaded) ASan's quarantine, which holds freed memory on purpose, can be turned off for
the measurement (sanitizer_env()); without a sanitizer the child is an ordinary Python.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import binding_env, sanitizer_env

LIMIT = 10 * 1024 * 1024

PRELUDE = """
    import gc, json, libsign
    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * {page}
"""


def run_child(body: str, **variables) -> dict:
    import os
    script = textwrap.dedent(PRELUDE.format(page=os.sysconf("SC_PAGE_SIZE"))) + \
        textwrap.dedent(body).format(**{k: repr(v) for k, v in variables.items()})
    proc = subprocess.run([sys.executable, "-c", script], env=sanitizer_env(binding_env()),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_10000_verifications_do_not_grow_rss(pki, small_signed_pdf, tmp_path):
    assert len(small_signed_pdf) < 64 * 1024
    pdf = tmp_path / "small.pdf"
    pdf.write_bytes(small_signed_pdf)
    got = run_child("""
        data = open({pdf}, "rb").read()
        ctx = libsign.Context(trust=[{root}])
        calls = 0
        def one(i):
            global calls
            r = ctx.verify(data, name="small.pdf")
            assert r.status == "TOTAL-PASSED", r.text
            if i % 50 == 0:
                sig = r.signatures[0]
                assert sig.signer.subject and sig.signing_time is not None and sig.chain
                assert r.to_dict()["status"] == "TOTAL-PASSED" and r.text
            calls += 1
        for i in range(500):
            one(i)
        gc.collect()
        after_warmup = rss()
        for i in range(500, 10000):
            one(i)
        gc.collect()
        print(json.dumps({{"calls": calls, "after_warmup": after_warmup, "after": rss()}}))
        """, pdf=str(pdf), root=str(pki / "root-ca.crt"))
    assert got["calls"] == 10000
    growth = got["after"] - got["after_warmup"]
    assert growth <= LIMIT, (f"RSS grew by {growth / 1e6:.1f} MB over 9 500 verifications "
                             f"({got['after_warmup'] / 1e6:.1f} -> {got['after'] / 1e6:.1f} MB)")


def test_failures_and_signing_do_not_grow_rss(pki, data):
    """Error paths (exceptions carrying the C text) and signing to bytes leak nothing either."""
    got = run_child("""
        src = open({src}, "rb").read()
        ctx = libsign.Context()
        signer = libsign.Signer.pkcs12({p12}, "test")
        def round_(n):
            for _ in range(n):
                try:
                    ctx.verify(b"not a pdf")
                except libsign.ParseError as e:
                    assert e.message and e.code == -3
                else:
                    raise AssertionError("no ParseError")
                try:
                    libsign.Signer.pkcs12({p12}, "wrong")
                except libsign.PinError as e:
                    assert e.message
                else:
                    raise AssertionError("no PinError")
            for _ in range(n // 10):
                assert signer.sign_pdf(src)[:len(src)] == src
        round_(300)
        gc.collect()
        base = rss()
        round_(3000)
        gc.collect()
        print(json.dumps({{"base": base, "after": rss()}}))
        """, src=str(data / "pdf" / "corpus" / "handmade-lf.pdf"),
        p12=str(pki / "signer-rsa2048.p12"))
    growth = got["after"] - got["base"]
    assert growth <= LIMIT, f"RSS grew by {growth / 1e6:.1f} MB ({got})"
