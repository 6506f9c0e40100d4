"""Long-term levels through a time-stamping authority (issue 11): B-T from the TSA of the
signer's context, and B-LT/B-LTA with the loopback OCSP/CRL fixture's PKI.

The fixture is $LIBSIGN_TEST_LTV (ctest fixture ltv) or a private instance (conftest).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from conftest import (CN_ECP256, CN_RSA2048, P12_PASSWORD, TOKEN_EC_URI, TOKEN_PIN,
                      assert_aware_utc, assert_report_matches_dict)


@pytest.fixture(scope="module")
def tsa_ctx(lib, ltv):
    """The signers' context: the TSA, and the anchor its answers must reach."""
    with lib.Context(tsa=ltv.tsa_url, trust=[ltv.trust], timeout=20) as c:
        yield c


@pytest.fixture(scope="module")
def verify_ctx(lib, ltv, pki):
    with lib.Context(trust=[pki / "root-ca.crt", ltv.trust], language="en") as c:
        yield c


def check_timestamped(report, cn, level):
    assert_report_matches_dict(report)
    assert report.status == "TOTAL-PASSED", report.text
    sig = report.signatures[0]
    assert sig.level == level
    assert cn in sig.signer.subject
    ts = sig.timestamp
    assert ts is not None
    assert_aware_utc(ts.time, "timestamp.time")
    now = datetime.now(timezone.utc)
    assert now - timedelta(minutes=10) < ts.time <= now + timedelta(minutes=1)
    assert "TSA" in ts.tsa
    assert ts.status == "TOTAL-PASSED"
    return sig


def test_pdf_b_t_with_pkcs12(lib, pki, data, tsa_ctx, verify_ctx):
    with lib.Signer.pkcs12(pki / "signer-rsa2048.p12", P12_PASSWORD, context=tsa_ctx) as s:
        signed = s.sign_pdf(data / "pdf" / "corpus" / "gs-1.7.pdf", level="B-T")
    check_timestamped(verify_ctx.verify(signed), CN_RSA2048, "B-T")


def test_pdf_b_t_with_the_tsa_given_to_sign_pdf(lib, pki, data, ltv, verify_ctx):
    """sign_pdf(tsa=...) sets the TSA of a context that had none."""
    with lib.Context(trust=[ltv.trust], timeout=20) as c, \
            lib.Signer.pkcs12(pki / "signer-rsa2048.p12", P12_PASSWORD, context=c) as s:
        with pytest.raises(lib.InvalidArgumentError):
            s.sign_pdf(data / "pdf" / "corpus" / "gs-1.7.pdf", level="B-T")
        signed = s.sign_pdf(data / "pdf" / "corpus" / "gs-1.7.pdf", level="B-T", tsa=ltv.tsa_url)
    check_timestamped(verify_ctx.verify(signed), CN_RSA2048, "B-T")


def test_xml_b_t_with_token(lib, module, data, tsa_ctx, verify_ctx, tmp_path):
    out = tmp_path / "kq.xml"
    with lib.Signer.pkcs11(TOKEN_EC_URI, pin=TOKEN_PIN, module=module, context=tsa_ctx) as s:
        assert s.sign_xml(data / "xml" / "xades-input.xml", out, level="B-T") is None
    check_timestamped(verify_ctx.verify(out), CN_ECP256, "B-T")


def test_pdf_b_lta_and_xml_b_lt(lib, ltv, data, tsa_ctx):
    """The fixture's own signer, whose certificates name the loopback OCSP and CRL servers."""
    p12 = ltv.values["LTV_SIGNER_RSA_P12"]
    with lib.Context(trust=[ltv.trust], language="en") as v:
        with lib.Signer.pkcs12(p12, ltv.values.get("LTV_P12_PASSWORD", P12_PASSWORD),
                               context=tsa_ctx) as s:
            pdf = s.sign_pdf(data / "pdf" / "corpus" / "gs-1.7.pdf", level="B-LTA")
            xml = s.sign_xml(data / "xml" / "xades-input.xml", level="B-LT")
        r = v.verify(pdf)
        sig = check_timestamped(r, CN_RSA2048, "B-LTA")
        assert sig.revocation.status == "GOOD" and sig.revocation.source
        assert len(r.signatures) == 2, "the document timestamp is reported too"
        assert r.signatures[1].covers_whole_document
        assert sig.modifications.verdict != "NONE" and sig.modifications.details
        r = v.verify(xml)
        sig = check_timestamped(r, CN_RSA2048, "B-LT")
        assert sig.revocation.status == "GOOD"


def test_revocation_policy(lib, ltv, data, tmp_path):
    """offline: only evidence in the file (none in a B-B signature); online: fetched (OCSP)."""
    with lib.Signer.pkcs12(ltv.values["LTV_SIGNER_RSA_P12"], P12_PASSWORD) as s:
        signed = s.sign_pdf(data / "pdf" / "corpus" / "gs-1.7.pdf")
    with lib.Context(trust=[ltv.trust], revocation="offline") as c:
        rev = c.verify(signed).signatures[0].revocation
        assert (rev.status, rev.source) == ("UNKNOWN", None)
    with lib.Context(trust=[ltv.trust], revocation="online", timeout=20) as c:
        r = c.verify(signed)
        assert r.status == "TOTAL-PASSED", r.text
        assert r.signatures[0].revocation.status == "GOOD"
        assert "OCSP" in r.signatures[0].revocation.source
    with pytest.raises(lib.InvalidArgumentError, match="offline"):
        lib.Context(trust=[ltv.trust], revocation="online", offline=True)
