"""Every exception class, raised by a real failure of the C library (issue 11).

Each case makes libsign fail for real and checks the exception's class, its `.code`
(the C status), its `.message` (the C error text, non-empty, in str(e)), and, where the
command line can do the same thing, that `libsign` prints the same text.

Every class is raised by at least one real failure, including CryptoError (a TSA that
answers "rejection") and OutOfMemoryError (a decompression bomb verified in a child
process whose address space is limited with RLIMIT_AS).
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

from conftest import P12_PASSWORD, TOKEN_PIN, binding_env, sanitizer_env

CODES = {
    "InvalidArgumentError": -1, "LibsignIOError": -2, "ParseError": -3, "UnsupportedError": -4,
    "KeyUnusableError": -5, "TokenError": -6, "PinError": -7, "CryptoError": -8,
    "NetworkError": -9, "PolicyError": -10, "OutOfMemoryError": -11, "LimitError": -12,
}

# What the command line prints is "libsign: [FILE: ]MESSAGE" or "libsign: cannot open the
# key: MESSAGE"; the binding's .message must be that MESSAGE.


class T:
    """What a case needs: fixtures and a scratch folder."""

    def __init__(self, lib, signers, ctx, data, pki, module, tmp, run_cli, rejecting_tsa):
        self.lib, self.signers, self.ctx, self.data, self.pki = lib, signers, ctx, data, pki
        self.module, self.tmp, self.run_cli, self.rejecting_tsa = module, tmp, run_cli, rejecting_tsa

    @property
    def p12(self):
        return self.pki / "signer-rsa2048.p12"

    def sign_cli(self, *args):
        return self.run_cli("sign", "--key", self.p12, "--pin-source", "env:LIBSIGN_PYTEST_PW",
                            *args, env_extra={"LIBSIGN_PYTEST_PW": P12_PASSWORD})

    def write(self, name, content: bytes) -> Path:
        p = self.tmp / name
        p.write_bytes(content)
        return p


def nested_xml(depth: int) -> bytes:
    return ("<a>" * depth + "x" + "</a>" * depth).encode()


def decompression_bomb(size: int) -> bytes:
    """A PDF whose catalog sits in an object stream that inflates to about `size` bytes.
    (An xref stream would not do: libsign bounds it by the entries it declares.)"""
    head = b"1 0 "
    comp = zlib.compress(head + b"<< /Type /Catalog /Pages 3 0 R >> " + bytes(size), 9)
    out = b"%PDF-1.7\n"
    objstm = len(out)
    out += (b"2 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % (len(head), len(comp)) + comp + b"\nendstream\nendobj\n")
    pages = len(out)
    out += b"3 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    xref = len(out)
    rows = b"".join(bytes([t]) + f.to_bytes(4, "big") + g.to_bytes(2, "big") for t, f, g in
                    ((0, 0, 65535), (2, 2, 0), (1, objstm, 0), (1, pages, 0), (1, xref, 0)))
    out += (b"4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
            % len(rows) + rows + b"\nendstream\nendobj\n")
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


# ---------------------------------------------------------------- the cases
# Each returns (the call that must raise, the CLI arguments doing the same or None).


def c_reference_id_missing(t):
    src = t.data / "xml" / "xades-input.xml"
    return (lambda: t.signers("p12-rsa").sign_xml(src, reference_id="missing"),
            lambda: t.sign_cli("--xml-reference", "missing", src, "-o", t.tmp / "o.xml"))


def c_countersign_id_missing(t):
    src = t.data / "xml" / "xades-signed.xml"
    return (lambda: t.signers("p12-rsa").sign_xml(src, countersign_id="missing"),
            lambda: t.sign_cli("--xml-countersign", "missing", src, "-o", t.tmp / "o.xml"))


def c_bad_level(t):  # refused by the binding or by C: an InvalidArgumentError either way
    return lambda: t.signers("p12-rsa").sign_pdf(t.data / "pdf" / "corpus" / "gs-1.7.pdf",
                                                 level="B-X"), None


def c_bad_revocation(t):
    return lambda: t.lib.Context(revocation="sometimes"), None


def c_anchor_not_found(t):
    src = t.data / "appearance" / "decision.pdf"
    ap = t.lib.Appearance("person", anchor="KHÔNG CÓ Ở ĐÂY")
    return (lambda: t.signers("p12-rsa").sign_pdf(src, appearance=ap),
            lambda: t.sign_cli("--anchor", "KHÔNG CÓ Ở ĐÂY", src, "-o", t.tmp / "o.pdf"))


def c_unknown_template(t):
    return (lambda: t.lib.Appearance("nope"),
            lambda: t.sign_cli("--template", "nope", t.data / "appearance" / "decision.pdf",
                               "-o", t.tmp / "o.pdf"))


def c_image_missing(t):
    return (lambda: t.lib.Appearance("person", images={"signature": t.tmp / "khong-co.png"}),
            lambda: t.sign_cli("--image", t.tmp / "khong-co.png",
                               t.data / "appearance" / "decision.pdf", "-o", t.tmp / "o.pdf"))


def c_offline_tsa(t):
    ctx = t.lib.Context(tsa="http://127.0.0.1:9/", offline=True)
    signer = t.lib.Signer.pkcs12(t.p12, P12_PASSWORD, context=ctx)
    return lambda: signer.sign_pdf(t.data / "pdf" / "corpus" / "gs-1.7.pdf", level="B-T"), None


def c_pem_wrong_password(t):
    key = encrypted_pem_key(t)
    return (lambda: t.lib.Signer.pem(key, t.pki / "signer-rsa2048.crt", password="wrong"),
            lambda: t.run_cli("sign", "--key", key, "--cert", t.pki / "signer-rsa2048.crt",
                              "--pin-source", "env:LIBSIGN_PYTEST_PW",
                              t.data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", t.tmp / "o.pdf",
                              env_extra={"LIBSIGN_PYTEST_PW": "wrong"}))


def encrypted_pem_key(t) -> Path:
    key = t.tmp / "encrypted.key"
    subprocess.run(["openssl", "pkey", "-in", str(t.pki / "signer-rsa2048.key"), "-aes256",
                    "-passout", "pass:mat-khau", "-out", str(key)], check=True, capture_output=True)
    return key


def c_online_and_offline(t):
    return lambda: t.lib.Context(revocation="online", offline=True), None


def c_verify_missing_file(t):
    path = t.tmp / "khong-co.pdf"
    return lambda: t.ctx.verify(path), lambda: t.run_cli("verify", path)


def c_p12_missing(t):
    path = t.tmp / "khong-co.p12"
    return (lambda: t.lib.Signer.pkcs12(path, "x"),
            lambda: t.run_cli("sign", "--key", path, "--pin-source", "env:HOME",
                              t.data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", t.tmp / "o.pdf"))


def c_trust_missing(t):
    return lambda: t.lib.Context(trust=[t.tmp / "khong-co.pem"]), None


def c_output_unwritable(t):
    return lambda: t.signers("p12-rsa").sign_pdf(t.data / "pdf" / "corpus" / "gs-1.7.pdf",
                                                 t.tmp / "no-such-dir" / "o.pdf"), None


def c_not_a_pdf(t):
    path = t.write("not.pdf", b"not a pdf")
    return lambda: t.ctx.verify(b"not a pdf"), lambda: t.run_cli("verify", path)


def c_xml_dtd(t):
    path = t.data / "attacks" / "xml" / "xxe-external-dtd.xml"
    return lambda: t.ctx.verify(path.read_bytes()), lambda: t.run_cli("verify", path)


def c_xml_not_well_formed(t):
    path = t.write("broken.xml", b"<a><b></a>")
    return lambda: t.ctx.verify(path), lambda: t.run_cli("verify", path)


def c_trust_not_pem(t):
    path = t.write("not-a-cert.pem", b"hello\n")
    return lambda: t.lib.Context(trust=[path]), lambda: t.run_cli("verify", "--trust", path, t.p12)


def c_verify_encrypted(t):
    path = t.data / "pdf" / "encrypted" / "enc-aes-128-userempty.pdf"
    return lambda: t.ctx.verify(path), lambda: t.run_cli("verify", path)


def c_sign_encrypted(t):
    path = t.data / "pdf" / "encrypted" / "enc-aes-256-userempty.pdf"
    return (lambda: t.signers("p12-rsa").sign_pdf(path),
            lambda: t.sign_cli(path, "-o", t.tmp / "o.pdf"))


def c_einvoice_bt(t):
    src = t.data / "xml" / "einvoice-input.xml"
    ctx = t.lib.Context(tsa="http://127.0.0.1:9/")
    signer = t.lib.Signer.pkcs12(t.p12, P12_PASSWORD, context=ctx)
    return (lambda: signer.sign_xml(src, profile="einvoice", parent_xpath="/HDon/DSCKS/NBan",
                                    level="B-T"),
            lambda: t.sign_cli("--xml-profile", "einvoice", "--xml-parent", "/HDon/DSCKS/NBan",
                               "--level", "b-t", "--tsa", "http://127.0.0.1:9/", src,
                               "-o", t.tmp / "o.xml"))


def c_einvoice_ecdsa(t):
    src = t.data / "xml" / "einvoice-input.xml"
    return (lambda: t.signers("p12-ec").sign_xml(src, profile="einvoice",
                                                 parent_xpath="/HDon/DSCKS/NBan"),
            lambda: t.run_cli("sign", "--key", t.pki / "signer-ecp256.p12",
                              "--pin-source", "env:LIBSIGN_PYTEST_PW", "--xml-profile", "einvoice",
                              "--xml-parent", "/HDon/DSCKS/NBan", src, "-o", t.tmp / "o.xml",
                              env_extra={"LIBSIGN_PYTEST_PW": P12_PASSWORD}))


def c_token_key_missing(t):
    uri = "pkcs11:token=libsign-test;id=%09;type=private"
    return (lambda: t.lib.Signer.pkcs11(uri, pin=TOKEN_PIN, module=t.module),
            lambda: t.run_cli("sign", "--key", uri, "--module", t.module,
                              "--pin-source", "env:LIBSIGN_PYTEST_PIN",
                              t.data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", t.tmp / "o.pdf",
                              env_extra={"LIBSIGN_PYTEST_PIN": TOKEN_PIN}))


def c_pem_key_cert_mismatch(t):
    return (lambda: t.lib.Signer.pem(t.pki / "signer-rsa2048.key", t.pki / "signer-ecp256.crt"),
            lambda: t.run_cli("sign", "--key", t.pki / "signer-rsa2048.key",
                              "--cert", t.pki / "signer-ecp256.crt",
                              t.data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", t.tmp / "o.pdf"))


def c_module_missing(t):
    uri = "pkcs11:token=libsign-test;id=%01;type=private"
    return (lambda: t.lib.Signer.pkcs11(uri, pin=TOKEN_PIN, module="/nonexistent/libnope.so"),
            lambda: t.run_cli("sign", "--key", uri, "--module", "/nonexistent/libnope.so",
                              "--pin-source", "env:HOME",
                              t.data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", t.tmp / "o.pdf"))


def c_token_missing(t):
    uri = "pkcs11:token=khong-co;id=%01;type=private"
    return (lambda: t.lib.Signer.pkcs11(uri, pin=TOKEN_PIN, module=t.module),
            lambda: t.run_cli("sign", "--key", uri, "--module", t.module, "--pin-source", "env:HOME",
                              t.data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", t.tmp / "o.pdf"))


def c_p12_wrong_password(t):
    return (lambda: t.lib.Signer.pkcs12(t.p12, "wrong"),
            lambda: t.run_cli("sign", "--key", t.p12, "--pin-source", "env:LIBSIGN_PYTEST_PW",
                              t.data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", t.tmp / "o.pdf",
                              env_extra={"LIBSIGN_PYTEST_PW": "wrong"}))


def c_tsa_rejects(t):
    ctx = t.lib.Context(tsa=t.rejecting_tsa, timeout=10)
    signer = t.lib.Signer.pkcs12(t.p12, P12_PASSWORD, context=ctx)
    src = t.data / "pdf" / "corpus" / "gs-1.7.pdf"
    return (lambda: signer.sign_pdf(src, level="B-T"),
            lambda: t.sign_cli("--level", "b-t", "--tsa", t.rejecting_tsa, src, "-o", t.tmp / "o.pdf"))


def c_tsa_unreachable(t):
    ctx = t.lib.Context(tsa="http://127.0.0.1:9/", timeout=2)
    signer = t.lib.Signer.pkcs12(t.p12, P12_PASSWORD, context=ctx)
    src = t.data / "pdf" / "corpus" / "gs-1.7.pdf"
    return (lambda: signer.sign_pdf(src, level="B-T"),
            lambda: t.sign_cli("--level", "b-t", "--tsa", "http://127.0.0.1:9/", src,
                               "-o", t.tmp / "o.pdf"))


def c_certified_no_changes(t):
    certified = t.write("certified.pdf", t.signers("p12-rsa").sign_pdf(
        t.data / "pdf" / "corpus" / "gs-1.7.pdf", certify=1))
    return (lambda: t.signers("token-rsa").sign_pdf(certified),
            lambda: t.sign_cli(certified, "-o", t.tmp / "o.pdf"))


def c_expired_certificate(t):
    path = t.pki / "signer-expired.p12"
    return (lambda: t.lib.Signer.pkcs12(path, P12_PASSWORD),
            lambda: t.run_cli("sign", "--key", path, "--pin-source", "env:LIBSIGN_PYTEST_PW",
                              t.data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", t.tmp / "o.pdf",
                              env_extra={"LIBSIGN_PYTEST_PW": P12_PASSWORD}))


def c_xml_too_deep(t):
    ctx = t.lib.Context(max_depth=8)
    return lambda: ctx.verify(nested_xml(30)), None


def c_pdf_too_many_objects(t):
    ctx = t.lib.Context(max_objects=5)
    return lambda: ctx.verify(t.data / "pdf" / "corpus" / "gs-1.7.pdf"), None


def c_pdf_stream_too_big(t):
    ctx = t.lib.Context(max_bytes=1 << 20)
    return lambda: ctx.verify(decompression_bomb(16 << 20)), None


CASES = [
    ("InvalidArgumentError", c_reference_id_missing, "no element has Id 'missing'"),
    ("InvalidArgumentError", c_countersign_id_missing, "missing"),
    ("InvalidArgumentError", c_anchor_not_found, "not found"),
    ("InvalidArgumentError", c_unknown_template, "nope"),
    ("InvalidArgumentError", c_online_and_offline, "offline"),
    ("InvalidArgumentError", c_bad_level, None),
    ("InvalidArgumentError", c_bad_revocation, None),
    ("LibsignIOError", c_verify_missing_file, "khong-co.pdf"),
    ("LibsignIOError", c_p12_missing, "khong-co.p12"),
    ("LibsignIOError", c_trust_missing, "khong-co.pem"),
    ("LibsignIOError", c_output_unwritable, None),
    ("LibsignIOError", c_image_missing, "khong-co.png"),
    ("ParseError", c_not_a_pdf, "not a PDF"),
    ("ParseError", c_xml_dtd, "DTD"),
    ("ParseError", c_xml_not_well_formed, None),
    ("ParseError", c_trust_not_pem, None),
    ("UnsupportedError", c_verify_encrypted, "encrypted"),
    ("UnsupportedError", c_sign_encrypted, "encrypted"),
    ("UnsupportedError", c_einvoice_bt, "einvoice"),
    ("UnsupportedError", c_einvoice_ecdsa, "RSA-SHA256"),
    ("KeyUnusableError", c_token_key_missing, "no private key"),
    ("KeyUnusableError", c_pem_key_cert_mismatch, "does not match"),
    ("TokenError", c_module_missing, "/nonexistent/libnope.so"),
    ("TokenError", c_token_missing, "no token matches"),
    ("PinError", c_p12_wrong_password, "wrong password"),
    # OpenSSL cannot tell a wrong PEM password from a damaged key.
    ("ParseError", c_pem_wrong_password, "wrong password"),
    ("CryptoError", c_tsa_rejects, "rejection"),
    ("NetworkError", c_tsa_unreachable, "127.0.0.1:9"),
    ("NetworkError", c_offline_tsa, "offline"),
    ("PolicyError", c_certified_no_changes, "DocMDP"),
    ("PolicyError", c_expired_certificate, "expired"),
    ("LimitError", c_xml_too_deep, "deeper than 8"),
    ("LimitError", c_pdf_too_many_objects, "entries"),
    ("LimitError", c_pdf_stream_too_big, "1048576"),
]
# Raised by a real failure in a child process below (test_out_of_memory: the allocation of
# an inflated stream fails under RLIMIT_AS). test_wrong_token_pin adds a token PinError.
CHILD_PROCESS_CASES = {"OutOfMemoryError"}


def test_every_class_has_a_real_failure():
    covered = {name for name, _, _ in CASES} | CHILD_PROCESS_CASES
    assert covered == set(CODES), f"classes without a real failure: {set(CODES) - covered}"


@pytest.mark.parametrize("cls_name, case, fragment", CASES,
                         ids=[f"{c[0]}-{c[1].__name__[2:]}" for c in CASES])
def test_real_failure(lib, signers, ctx, data, pki, module, tmp_path, run_cli, rejecting_tsa,
                      cls_name, case, fragment):
    t = T(lib, signers, ctx, data, pki, module, tmp_path, run_cli, rejecting_tsa)
    call, cli = case(t)
    cls = getattr(lib, cls_name)
    with pytest.raises(lib.LibsignError) as info:
        call()
    e = info.value
    assert type(e) is cls, (f"expected {cls_name}, got {type(e).__name__} "
                            f"(code {e.code}): {e.message}")
    assert isinstance(e, lib.LibsignError) and isinstance(e, Exception)
    assert e.code == CODES[cls_name], e.message
    assert isinstance(e.message, str) and e.message.strip(), "empty message"
    assert e.message in str(e)
    if fragment is not None:
        assert fragment in e.message, e.message
    if cli is not None:
        result = cli()
        stderr = result.stderr.decode("utf-8", "replace")
        assert result.returncode not in (0, 1), stderr
        assert e.message in stderr, (f"the binding's message is not the C text the CLI shows:\n"
                                     f"binding: {e.message}\nCLI: {stderr}")


def run_child(script: str, asan=None, **env) -> dict:
    """Runs a Python child with the binding; its last stdout line is a JSON object."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)],
                          env=sanitizer_env(binding_env(**env), **(asan or {})),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_wrong_token_pin(env, lib, module, tmp_path, run_cli, data):
    """PinError from a wrong token PIN, on private copies of the token (one for the binding,
    one for the CLI: the same state, so the same message)."""
    uri = "pkcs11:token=libsign-test;id=%01;type=private"
    conf_py = env.private_token(tmp_path / "py")
    got = run_child(f"""
        import json, libsign
        try:
            libsign.Signer.pkcs11({uri!r}, pin="0000", module={module!r})
            print(json.dumps({{"raised": None}}))
        except libsign.LibsignError as e:
            print(json.dumps({{"raised": type(e).__name__, "code": e.code, "message": e.message,
                              "str": str(e)}}))
        """, SOFTHSM2_CONF=str(conf_py))
    assert got["raised"] == "PinError", got
    assert got["code"] == -7
    assert "wrong PIN" in got["message"] and got["message"] in got["str"]
    assert "0000" not in got["message"], "a PIN must never appear in a message"
    conf_cli = env.private_token(tmp_path / "cli")
    cli = run_cli("sign", "--key", uri, "--module", module, "--pin-source", "env:LIBSIGN_PYTEST_PIN",
                  data / "pdf" / "corpus" / "gs-1.7.pdf", "-o", tmp_path / "o.pdf",
                  env_extra={"LIBSIGN_PYTEST_PIN": "0000", "SOFTHSM2_CONF": str(conf_cli)})
    assert cli.returncode == 4
    assert got["message"] in cli.stderr.decode(), cli.stderr.decode()
    # The good PIN still works on the binding's copy afterwards (nothing was locked).
    again = run_child(f"""
        import json, libsign
        with libsign.Signer.pkcs11({uri!r}, pin={TOKEN_PIN!r}, module={module!r}) as s:
            print(json.dumps({{"subject": s.subject}}))
        """, SOFTHSM2_CONF=str(conf_py))
    assert "Nguyễn Văn Ánh" in again["subject"]


def test_out_of_memory(tmp_path):
    """OutOfMemoryError: a 200 MiB decompression bomb verified with the address space
    limited to 64 MiB more than the child uses; libsign's allocation fails, not Python's."""
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(decompression_bomb(200 << 20))
    got = run_child(f"""
        import json, resource, libsign
        data = open({str(bomb)!r}, "rb").read()
        ctx = libsign.Context(max_bytes=1 << 30)  # memory runs out before this limit
        try:
            ctx.verify(b"not a pdf")  # warm-up: whatever libsign sets up on first use
        except libsign.ParseError:
            pass
        def vm():
            for line in open("/proc/self/status"):
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
        limit = vm() + (64 << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            ctx.verify(data)
            print(json.dumps({{"raised": None}}))
        except libsign.LibsignError as e:
            print(json.dumps({{"raised": type(e).__name__, "code": e.code, "message": e.message,
                              "memoryerror": isinstance(e, MemoryError)}}))
        """, asan={"allocator_may_return_null": 1})
    assert got["raised"] == "OutOfMemoryError", got
    assert got["code"] == -11
    assert "out of memory" in got["message"]


def test_exception_hierarchy(lib):
    assert issubclass(lib.LibsignError, Exception)
    classes = [getattr(lib, name) for name in CODES]
    assert len(set(classes)) == len(CODES)
    for name, code in CODES.items():
        cls = getattr(lib, name)
        assert issubclass(cls, lib.LibsignError), name
        assert cls is not lib.LibsignError


def test_error_code_mapping(lib):
    """The table from C status to class. Exposed as libsign.errors.error_for_code (not part of
    the contract, so only checked when present); every class's code is checked anyway by
    constructing it as the binding does and by the real failures above."""
    errors = getattr(lib, "errors", None)
    error_for_code = getattr(errors, "error_for_code", None)
    if error_for_code is not None:
        for name, code in CODES.items():
            assert error_for_code(code) is getattr(lib, name), (name, code)
    for name, code in CODES.items():
        cls = getattr(lib, name)
        code_attr = getattr(cls, "code", None)
        assert code_attr in (None, code) or isinstance(code_attr, property), (name, code_attr)
