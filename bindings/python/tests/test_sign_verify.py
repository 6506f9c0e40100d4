"""Signing and verifying PDF and XML with PKCS#12, PEM and SoftHSM token keys (issue 11).

Every combination of key and source/destination kind is signed, then verified with a
context trusting the test root: TOTAL-PASSED, with the report's fields typed.
"""
from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import (CN_ECP256, CN_RSA2048, SIGNER_CN, SIGNER_KINDS, assert_aware_utc,
                      assert_report_matches_dict)

DS = "{http://www.w3.org/2000/09/xmldsig#}"
IO_MODES = ["path-str", "path-pathlike", "bytes", "bytearray-memoryview", "file-with-fileno",
            "bytesio"]


def run_sign(method, src_path: Path, mode: str, tmp_path: Path, **options) -> bytes:
    """Signs src_path through `method` with src/dst of kind `mode`; returns the signed bytes."""
    out = tmp_path / ("out" + src_path.suffix)
    original = src_path.read_bytes()
    if mode == "path-str":
        assert method(str(src_path), str(out), **options) is None
        return out.read_bytes()
    if mode == "path-pathlike":
        assert method(src_path, out, **options) is None
        return out.read_bytes()
    if mode == "bytes":
        result = method(original, **options)
        assert isinstance(result, bytes)
        return result
    if mode == "bytearray-memoryview":
        result = method(memoryview(bytearray(original)), None, **options)
        assert isinstance(result, bytes)
        return result
    if mode == "file-with-fileno":
        sink = io.BytesIO()
        with open(src_path, "rb") as f:
            assert method(f, sink, **options) is None
        return sink.getvalue()
    if mode == "bytesio":
        # BytesIO has a fileno() that raises: the binding must fall back to read().
        with open(out, "wb") as f:
            assert method(io.BytesIO(original), f, **options) is None
        return out.read_bytes()
    raise AssertionError(mode)


def verify_in_mode(ctx, signed: bytes, mode: str, tmp_path: Path, suffix: str):
    path = tmp_path / ("verify" + suffix)
    path.write_bytes(signed)
    if mode == "path-str":
        return ctx.verify(str(path)), str(path)
    if mode == "path-pathlike":
        return ctx.verify(path), str(path)
    if mode == "bytes":
        return ctx.verify(signed), ""
    if mode == "bytearray-memoryview":
        return ctx.verify(memoryview(bytearray(signed)), name="mem" + suffix), "mem" + suffix
    if mode == "file-with-fileno":
        with open(path, "rb") as f:
            return ctx.verify(f, name="f" + suffix), "f" + suffix
    if mode == "bytesio":
        return ctx.verify(io.BytesIO(signed), name="b" + suffix), "b" + suffix
    raise AssertionError(mode)


def check_passed(report, fmt: str, cn: str, count: int = 1, level: str | None = "B-B",
                 timed: bool = True):
    d = assert_report_matches_dict(report)
    assert report.format == fmt
    assert report.status == "TOTAL-PASSED", report.text
    assert report.passed is True
    assert report.subindication is None
    assert len(report.signatures) == count, report.text
    sig = report.signatures[-1]
    assert sig.status == "TOTAL-PASSED", sig.errors
    assert sig.level == level
    assert cn in sig.signer.subject
    assert "libsign Test Issuing CA" in sig.signer.issuer
    assert re.fullmatch(r"[0-9a-f]{64}", sig.signer.sha256)
    if timed:
        assert_aware_utc(sig.signing_time, "signing_time")
        now = datetime.now(timezone.utc)
        assert now - timedelta(minutes=10) < sig.signing_time <= now + timedelta(minutes=1)
    else:
        assert sig.signing_time is None
    assert sig.digest_algorithm == "SHA256"
    assert len(sig.chain) == 3 and cn in sig.chain[0][0] and "Root CA" in sig.chain[-1][0]
    assert sig.chain[0][1] == sig.signer.sha256
    assert sig.errors == []
    if fmt == "pdf":
        assert isinstance(sig.byte_range, tuple) and len(sig.byte_range) == 4
        assert all(isinstance(x, int) for x in sig.byte_range) and sig.byte_range[0] == 0
        assert sig.modifications.verdict == "NONE"
    return d


def test_library_version(lib, run_cli):
    version = lib.library_version()
    assert isinstance(version, str) and re.fullmatch(r"\d+\.\d+\.\d+.*", version), version
    cli = run_cli("--version")
    assert version in cli.stdout.decode(), cli.stdout


def test_the_library_under_test_is_loaded(lib, env):
    """The binding loaded $LIBSIGN_LIBRARY (e.g. the sanitizer build's), not another copy."""
    lib.library_version()
    with open("/proc/self/maps") as f:
        mapped = {line.split()[-1] for line in f if "libsign" in line and "/" in line}
    assert os.path.realpath(env.library) in {os.path.realpath(m) for m in mapped}, mapped


# ---------------------------------------------------------------- signers


@pytest.mark.parametrize("kind", SIGNER_KINDS)
def test_signer_subject_and_certificates(signers, kind):
    s = signers(kind)
    assert SIGNER_CN[kind] in s.subject
    certs = s.certificates
    assert isinstance(certs, list) and len(certs) >= 1
    assert all(isinstance(c, bytes) and c[:1] == b"\x30" for c in certs)
    if kind in ("p12-rsa", "pem-rsa", "p12-ec"):
        assert len(certs) >= 2, "the chain (intermediate) is missing"


@pytest.mark.parametrize("kind", SIGNER_KINDS)
def test_signer_certificate_is_the_reports_signer(signers, ctx, sample_pdf, kind):
    import hashlib
    s = signers(kind)
    r = ctx.verify(s.sign_pdf(sample_pdf))
    assert r.signatures[0].signer.sha256 == hashlib.sha256(s.certificates[0]).hexdigest()
    assert SIGNER_CN[kind] in r.signatures[0].signer.subject


def test_signer_is_a_context_manager(lib, pki, ctx, sample_pdf):
    with lib.Signer.pkcs12(pki / "signer-rsa2048.p12", "test") as s:
        signed = s.sign_pdf(sample_pdf)
    check_passed(ctx.verify(signed), "pdf", CN_RSA2048)
    s.close()  # closing twice is harmless


def test_pem_key_with_chain(lib, pki, ctx, sample_pdf):
    with lib.Signer.pem(str(pki / "signer-rsa2048.key"), cert=str(pki / "signer-rsa2048.crt"),
                        chain=str(pki / "inter-ca.crt")) as s:
        assert len(s.certificates) == 2
        check_passed(ctx.verify(s.sign_pdf(sample_pdf)), "pdf", CN_RSA2048)


def test_pem_encrypted_key(lib, pki, ctx, sample_pdf, tmp_path):
    import subprocess
    key = tmp_path / "encrypted.key"
    subprocess.run(["openssl", "pkey", "-in", str(pki / "signer-rsa2048.key"), "-aes256",
                    "-passout", "pass:mật khẩu", "-out", str(key)], check=True, capture_output=True)
    assert b"ENCRYPTED" in key.read_bytes()
    with lib.Signer.pem(key, pki / "signer-rsa2048.crt", pki / "inter-ca.crt",
                        password="mật khẩu") as s:
        check_passed(ctx.verify(s.sign_pdf(sample_pdf)), "pdf", CN_RSA2048)
    # OpenSSL cannot tell a wrong PEM password from a damaged key: libsign says ParseError
    # ("... (PEM or DER; a wrong password also ends here)").
    with pytest.raises(lib.ParseError, match="wrong password"):
        lib.Signer.pem(key, pki / "signer-rsa2048.crt", password="sai")


def test_token_pin_source(lib, module, ctx, sample_pdf, monkeypatch):
    monkeypatch.setenv("LIBSIGN_PYTEST_PIN", "1234")
    with lib.Signer.pkcs11("pkcs11:token=libsign-test;id=%03;type=private",
                           pin_source="env:LIBSIGN_PYTEST_PIN", module=module) as s:
        check_passed(ctx.verify(s.sign_pdf(sample_pdf)), "pdf", CN_ECP256)


# ---------------------------------------------------------------- PDF


@pytest.mark.parametrize("mode", IO_MODES)
@pytest.mark.parametrize("kind", SIGNER_KINDS)
def test_pdf_sign_verify(signers, ctx, sample_pdf, tmp_path, kind, mode):
    signed = run_sign(signers(kind).sign_pdf, sample_pdf, mode, tmp_path)
    original = sample_pdf.read_bytes()
    assert signed[:len(original)] == original, "not an incremental update of the input"
    assert len(signed) > len(original)
    report, name = verify_in_mode(ctx, signed, mode, tmp_path, ".pdf")
    assert report.file == name
    check_passed(report, "pdf", SIGNER_CN[kind])
    sig = report.signatures[0]
    assert sig.covers_whole_document is True
    assert sig.byte_range[2] + sig.byte_range[3] == len(signed)


def test_pdf_output_path_is_written_atomically(signers, sample_pdf, tmp_path, lib):
    """A failed signature leaves no output file (and no temporary) behind."""
    s = signers("p12-rsa")
    certified = s.sign_pdf(sample_pdf, certify=1)
    out = tmp_path / "refused.pdf"
    with pytest.raises(lib.PolicyError):
        s.sign_pdf(certified, out)
    assert os.listdir(tmp_path) == []


def test_pdf_options(signers, ctx, sample_pdf, tmp_path):
    s = signers("p12-rsa")
    signed = s.sign_pdf(sample_pdf, reason="Cấp bản sao trích lục khai sinh",
                        location="UBND xã Chí Minh", contact="0236 123 456",
                        name="Nguyễn Văn Ánh", field="ChuKyChuTich", digest="sha384",
                        scheme="pss")
    r = ctx.verify(signed)
    check_passed_ignoring_digest(r)
    sig = r.signatures[0]
    assert sig.field == "ChuKyChuTich"
    assert sig.digest_algorithm == "SHA384"
    # /Reason is written as UTF-16BE (with a BOM) in a hex or literal string.
    reason16 = "Cấp bản sao".encode("utf-16-be")
    assert reason16 in signed or reason16.hex().upper().encode() in signed.upper()


def check_passed_ignoring_digest(report):
    assert_report_matches_dict(report)
    assert report.status == "TOTAL-PASSED", report.text
    assert report.passed


@pytest.mark.parametrize("digest", ["sha256", "sha384", "sha512"])
@pytest.mark.parametrize("scheme", ["auto", "pkcs1", "pss"])
def test_pdf_rsa_digest_and_scheme(signers, ctx, sample_pdf, digest, scheme):
    r = ctx.verify(signers("token-rsa").sign_pdf(sample_pdf, digest=digest, scheme=scheme))
    check_passed_ignoring_digest(r)
    assert r.signatures[0].digest_algorithm == digest.upper()


def test_pdf_ecdsa_scheme(signers, ctx, sample_pdf):
    r = ctx.verify(signers("p12-ec").sign_pdf(sample_pdf, scheme="ecdsa", digest="sha512"))
    check_passed_ignoring_digest(r)
    assert r.signatures[0].digest_algorithm == "SHA512"


def test_pdf_two_signatures(signers, ctx, sample_pdf):
    first = signers("p12-rsa").sign_pdf(sample_pdf, field="First")
    second = signers("token-ec").sign_pdf(first, field="Second")
    r = ctx.verify(second)
    assert r.status == "TOTAL-PASSED", r.text
    assert [s.field for s in r.signatures] == ["First", "Second"]
    assert [s.index for s in r.signatures] == [0, 1]
    assert CN_RSA2048 in r.signatures[0].signer.subject
    assert CN_ECP256 in r.signatures[1].signer.subject
    assert r.signatures[0].covers_whole_document is False
    assert r.signatures[1].covers_whole_document is True
    assert_report_matches_dict(r)


def test_pdf_certification_allows_form_filling_signature(signers, ctx, sample_pdf):
    certified = signers("p12-rsa").sign_pdf(sample_pdf, certify=2)
    r = ctx.verify(signers("pem-rsa").sign_pdf(certified))
    assert r.status == "TOTAL-PASSED", r.text
    assert len(r.signatures) == 2


def test_pdf_visible_appearance(lib, signers, ctx, data, tmp_path):
    images = data / "appearance" / "images"
    ap = lib.Appearance("person", page=1, rect=(110, 20, 80, 40), units="mm",
                        images={"signature": str(images / "signature-blue.png"),
                                "seal": str(images / "seal-red.png")},
                        text={"title": "CHỦ TỊCH"})
    src = data / "appearance" / "decision.pdf"
    signed = signers("p12-rsa").sign_pdf(src, appearance=ap)
    assert b"/SMask" in signed, "the PNG's transparency is kept: the images were drawn"
    check_passed(ctx.verify(signed), "pdf", CN_RSA2048)
    plain = signers("p12-rsa").sign_pdf(src)
    assert len(signed) > len(plain) + 1000, "the visible signature adds fonts and images"


def test_inspect_gives_the_widget_page_and_rectangle(lib, signers, ctx, data, run_cli, tmp_path):
    ap = lib.Appearance("agency", page=1, rect=(100, 50, 60, 30), units="pt")
    signed = signers("p12-rsa").sign_pdf(data / "appearance" / "decision.pdf", appearance=ap)
    found = ctx.inspect(signed)
    assert found["format"] == "pdf" and len(found["revisions"]) == 2
    [field] = [f for f in found["fields"] if f["signed"]]
    assert field["page"] == 1
    assert field["rect"] == pytest.approx([100, 50, 160, 80], abs=0.01)
    (tmp_path / "s.pdf").write_bytes(signed)
    import json
    assert json.loads(run_cli("inspect", "--json", str(tmp_path / "s.pdf")).stdout)["files"][0] \
        == found, "the same JSON as `libsign inspect --json`"
    with pytest.raises(lib.ParseError):
        ctx.inspect(b"%PDF-1.7\n junk")


def test_pdf_appearance_preset_anchor_font(lib, signers, ctx, data):
    src = data / "appearance" / "decision.pdf"
    images = data / "appearance" / "images"
    font = data / "appearance" / "fonts" / "LiberationSerif-Bold.ttf"
    for ap in (lib.Appearance("agency", preset="last-page-bottom-right",
                              images={"seal": images / "seal-red.png"}),
               lib.Appearance("person", anchor="CHỦ TỊCH", font=str(font),
                              images={"signature": images / "signature-blue.png"},
                              text={"name": "Nguyễn Văn Ánh"}),
               lib.Appearance("copy", page=-1, rect=(200, 400, 170, 90), units="pt")):
        signed = signers("token-rsa").sign_pdf(src, appearance=ap)
        check_passed(ctx.verify(signed), "pdf", CN_RSA2048)
        assert b"/FontFile2" in signed, "the font subset is embedded"


def test_intermediates_complete_chains(lib, data, run_cli):
    """A signature embedding only its signer's certificate passes with the intermediate given."""
    import json
    pki = data / "signed-by-others" / "pki"
    path = data / "signed-by-others" / "lo-writer.podofosign-rsa-sha512.pdf"
    with lib.Context(trust=[pki / "root-ca.crt"], language="en") as c:
        assert c.verify(path).status == "INDETERMINATE"
    with lib.Context(trust=[pki / "root-ca.crt"], intermediates=[pki / "inter-ca.crt"],
                     language="en") as c:
        r = c.verify(path, name=str(path))
    assert r.status == "TOTAL-PASSED", r.text
    cli = run_cli("verify", "--json", "--lang", "en", "--trust", pki / "root-ca.crt",
                  "--intermediates", pki / "inter-ca.crt", path)
    assert r.to_dict() == json.loads(cli.stdout)["files"][0]


def test_pdf_tampered_fails(signers, ctx, sample_pdf):
    signed = bytearray(signers("p12-rsa").sign_pdf(sample_pdf))
    # Flip a byte inside the first signed range (in the original document's body).
    signed[1000] ^= 0x01
    r = ctx.verify(bytes(signed))
    assert r.status == "TOTAL-FAILED"
    assert r.passed is False
    assert r.signatures[0].status == "TOTAL-FAILED"
    assert r.signatures[0].errors, "a failed signature must say why"
    assert_report_matches_dict(r)


def test_pdf_untrusted_is_indeterminate(lib, signers, sample_pdf):
    signed = signers("p12-rsa").sign_pdf(sample_pdf)
    with lib.Context() as bare:
        r = bare.verify(signed)
    assert r.status == "INDETERMINATE", r.text
    assert r.passed is False
    assert r.subindication is not None
    assert_report_matches_dict(r)


def test_unsigned_documents(ctx, data):
    for path in (data / "pdf" / "corpus" / "handmade-lf.pdf", data / "xml" / "xades-input.xml"):
        r = ctx.verify(path)
        assert (r.status, r.subindication, r.signatures) == ("TOTAL-FAILED", "NO_SIGNATURE_FOUND", [])
        assert r.passed is False


def test_report_language(lib, pki, signers, sample_pdf):
    signed = signers("p12-rsa").sign_pdf(sample_pdf)
    with lib.Context(trust=[pki / "root-ca.crt"]) as vi:
        text_vi = vi.verify(signed).text
    with lib.Context(trust=[str(pki / "root-ca.crt")], language="en") as en:
        text_en = en.verify(signed).text
    assert "Chữ ký số hợp lệ" in text_vi, "Vietnamese is the default language"
    assert "Valid signature" in text_en


def test_context_options_accepted(lib, pki, signers, sample_pdf, tmp_path):
    signed = signers("p12-rsa").sign_pdf(sample_pdf)
    with lib.Context(trust=[pki / "root-ca.crt"], intermediates=[pki / "inter-ca.crt"],
                     revocation="none", timeout=2.5, offline=True, language="en",
                     max_depth=64, max_objects=100000, max_bytes=1 << 24) as c:
        r = c.verify(signed, name="x.pdf")
    assert r.status == "TOTAL-PASSED" and r.file == "x.pdf"
    anchors = tmp_path / "anchors"  # a directory of anchors
    anchors.mkdir()
    (anchors / "root.pem").write_bytes((pki / "root-ca.crt").read_bytes())
    with lib.Context(trust=[anchors], revocation="none") as c:
        assert c.verify(signed).passed


def test_report_to_dict_is_the_c_json(ctx, signers, sample_pdf, tmp_path, run_cli, pki):
    path = tmp_path / "s.pdf"
    signers("p12-rsa").sign_pdf(sample_pdf, path)
    import json
    cli = run_cli("verify", "--json", "--lang", "en", "--trust", pki / "root-ca.crt", path)
    assert cli.returncode == 0, cli.stderr
    assert ctx.verify(path, name=str(path)).to_dict() == json.loads(cli.stdout)["files"][0]


# ---------------------------------------------------------------- XML


@pytest.mark.parametrize("mode", IO_MODES)
@pytest.mark.parametrize("kind", SIGNER_KINDS)
def test_xml_xades_sign_verify(signers, ctx, data, tmp_path, kind, mode):
    src = data / "xml" / "xades-input.xml"
    signed = run_sign(signers(kind).sign_xml, src, mode, tmp_path)
    root = ET.fromstring(signed)
    assert root.tag == "KetQuaThuTuc"
    assert root.find(f"{DS}Signature") is not None, "enveloped: the signature is in the root"
    report, name = verify_in_mode(ctx, signed, mode, tmp_path, ".xml")
    assert report.file == name
    check_passed(report, "xml", SIGNER_CN[kind])
    sig = report.signatures[0]
    assert sig.byte_range is None
    assert [c.uri for c in sig.covered][0] == ""
    whole = sig.covered_content(0)
    assert whole.startswith(b"<KetQuaThuTuc") and b"Signature" not in whole


@pytest.mark.parametrize("kind", ["p12-rsa", "pem-rsa", "token-rsa"])
def test_xml_einvoice(signers, ctx, data, tmp_path, kind):
    src = data / "xml" / "einvoice-input.xml"
    out = tmp_path / "hoa-don.xml"
    assert signers(kind).sign_xml(src, out, profile="einvoice", parent_xpath="/HDon/DSCKS/NBan") is None
    root = ET.parse(out).getroot()
    assert root.find(f"DSCKS/NBan/{DS}Signature") is not None, "the signature goes in DSCKS/NBan"
    r = ctx.verify(out)
    check_passed(r, "xml", SIGNER_CN[kind], level=None)  # plain XMLDSig: no XAdES level
    sig = r.signatures[0]
    first = sig.covered[0]
    assert (first.uri, first.kind, first.path) == ("#data", "element", "/HDon[1]/DLHDon[1]")
    content = sig.covered_content(0)
    assert isinstance(content, bytes)
    assert content.startswith(b"<DLHDon")
    assert content.endswith(b"</DLHDon>")
    assert len(content) == first.length
    # The canonical DLHDon (C14N 1.0; the document has no namespaces, so C14N 2.0 of the
    # element, its tail dropped, is the same bytes).
    el = ET.parse(src).getroot().find("DLHDon")
    el.tail = None
    assert content == ET.canonicalize(ET.tostring(el, encoding="unicode")).encode()


def test_xml_edxml(signers, ctx, data):
    signed = signers("token-rsa").sign_xml(data / "xml" / "edxml-input.xml", profile="edxml")
    assert b"edXMLEnvelope" in signed
    # edXML is plain XMLDSig: no XAdES level, no signed signing time.
    check_passed(ctx.verify(signed), "xml", CN_RSA2048, level=None, timed=False)


@pytest.mark.parametrize("c14n", ["exc", "c14n", "c14n11"])
def test_xml_c14n(signers, ctx, data, c14n):
    signed = signers("pem-rsa").sign_xml(data / "xml" / "xades-input.xml", c14n=c14n)
    algorithms = {"exc": b"xml-exc-c14n#", "c14n": b"REC-xml-c14n-20010315",
                  "c14n11": b"xml-c14n11"}
    assert algorithms[c14n] in signed
    check_passed(ctx.verify(signed), "xml", CN_RSA2048)


def test_xml_enveloping(signers, ctx, data):
    signed = signers("p12-ec").sign_xml(data / "xml" / "xades-input.xml", placement="enveloping")
    assert ET.fromstring(signed).tag == f"{DS}Signature"
    check_passed(ctx.verify(signed), "xml", CN_ECP256)


def test_xml_detached(signers, ctx, data, tmp_path):
    payload = tmp_path / "ho-so.pdf"
    payload.write_bytes((data / "pdf" / "corpus" / "handmade-lf.pdf").read_bytes())
    signature = signers("p12-rsa").sign_xml(payload, placement="detached", detached_uri="ho-so.pdf")
    assert b'URI="ho-so.pdf"' in signature
    sigfile = tmp_path / "ho-so.pdf.xml"
    sigfile.write_bytes(signature)
    r = ctx.verify(sigfile, detached=payload)
    check_passed(r, "xml", CN_RSA2048)
    # Without the data, or with other data, the signature does not pass.
    assert not ctx.verify(sigfile).passed
    other = tmp_path / "other" / "ho-so.pdf"
    other.parent.mkdir()
    other.write_bytes(b"%PDF-1.4 something else")
    assert not ctx.verify(sigfile, detached=other).passed


def test_xml_reference_id_signer_role_and_countersign(signers, ctx, data):
    src = data / "xml" / "einvoice-input.xml"
    signed = signers("p12-rsa").sign_xml(src, reference_id="data", signer_role="Kế toán trưởng",
                                         digest="sha512")
    assert "Kế toán trưởng".encode() in signed
    r = ctx.verify(signed)
    check_passed_ignoring_digest(r)
    assert r.signatures[0].covered[0].uri == "#data"
    sig_id = re.search(rb'<ds:Signature [^>]*Id="([^"]+)"', signed).group(1).decode()
    counter = signers("token-ec").sign_xml(signed, countersign_id=sig_id)
    r2 = ctx.verify(counter)
    assert r2.status == "TOTAL-PASSED", r2.text
    assert len(r2.signatures) == 2
    assert CN_ECP256 in r2.signatures[1].signer.subject
    assert any(c.uri == f"#{sig_id}-value" for c in r2.signatures[1].covered)
    assert_report_matches_dict(r2)


def test_xml_allow_any_element_reference(ctx, data):
    """The option is accepted; on a signed sample it changes nothing."""
    path = data / "xml" / "einvoice-signed.xml"
    with_option = ctx.verify(path, allow_any_element_reference=True)
    assert with_option.to_dict()["signatures"] == ctx.verify(path).to_dict()["signatures"]


def test_xml_tampered_fails(signers, ctx, data):
    signed = signers("p12-rsa").sign_xml(data / "xml" / "xades-input.xml")
    forged = signed.replace("Nguyễn Thị Hoa".encode(), "Nguyễn Thị Hoà".encode(), 1)
    assert forged != signed
    r = ctx.verify(forged)
    assert r.status == "TOTAL-FAILED" and not r.passed
    assert r.signatures[0].errors
