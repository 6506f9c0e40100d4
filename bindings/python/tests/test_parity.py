"""Parity with the command line (issue 11): for test vectors signed by other tools, attacks
and libsign's own samples, Report.to_dict() equals the CLI's `verify --json` report of the
same file, with the same trust anchor (testvectors/signed-by-others/pki/root-ca.crt) and
language. The typed attributes are checked against the dict too.
"""
from __future__ import annotations

import json
import os

import pytest

from conftest import assert_report_matches_dict

DATA = os.environ.get("LIBSIGN_TEST_DATA", "")

# Relative to testvectors/. Reports exist for all of them (none is refused outright).
VECTORS = [
    # PDFs signed by other tools
    "signed-by-others/lo-writer.pdfsig-rsa.pdf",
    "signed-by-others/lo-writer.podofosign-rsa-sha512.pdf",
    "signed-by-others/pdftex-classic.pdfsig-ec.pdf",
    "signed-by-others/pdftex-classic.podofosign-rsa.pdf",
    "signed-by-others/qpdf-objstm.pdfsig-rsa.pdf",
    "signed-by-others/qpdf-objstm.podofosign-ec.pdf",
    # PDF attacks and their bases
    "attacks/base-libsign.pdf",
    "attacks/base-certified-p2-form.pdf",
    "attacks/control-second-signature.pdf",
    "attacks/isa-add-page.pdf",
    "attacks/usf-byterange-negative.pdf",
    "attacks/usf-no-contents.pdf",
    "attacks/swa-shifted-second-range.pdf",
    "attacks/shadow-hide-overlay.pdf",
    "attacks/cert-p1-add-annotation.pdf",
    # XML signed by libsign
    "xml/xades-signed.xml",
    "xml/edxml-signed.xml",
    "xml/einvoice-signed.xml",
    # XML signed by other tools
    "xml/signed-by-others/xmlsec1-edxml-enveloped-exc-ecdsa-sha256.xml",
    "xml/signed-by-others/xmlsec1-einvoice-c14n-idref-rsa-sha256.xml",
    "xml/signed-by-others/xmlsec1-einvoice-c14n-idref-rsa-sha256-digest-sha512.xml",
    "xml/signed-by-others/python-xmlsec-xades-enveloped-exc-rsa-sha256.xml",
    # XML attacks that give a report
    "attacks/xml/base-enveloped.xml",
    "attacks/xml/xsw-wrap-document-enveloped.xml",
    "attacks/xml/modify-one-byte.xml",
    "attacks/xml/key-self-signed.xml",
]


def test_enough_vectors():
    assert len(VECTORS) >= 20
    missing = [v for v in VECTORS if not os.path.isfile(os.path.join(DATA, v))]
    assert not missing, missing


@pytest.fixture(scope="module")
def parity(lib, data, run_cli):
    """(context, {path: the CLI's report}) — one CLI run for all the vectors."""
    root = data / "signed-by-others" / "pki" / "root-ca.crt"
    paths = [str(data / v) for v in VECTORS]
    proc = run_cli("verify", "--json", "--lang", "en", "--trust", root, *paths)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    files = json.loads(proc.stdout)["files"]
    assert [f["file"] for f in files] == paths
    with lib.Context(trust=[root], language="en") as c:
        yield c, dict(zip(paths, files))


@pytest.mark.parametrize("vector", VECTORS)
def test_to_dict_equals_cli_json(parity, data, vector):
    ctx, cli = parity
    path = str(data / vector)
    expected = cli[path]
    assert "error" not in expected, f"the CLI could not verify {vector}: {expected}"
    report = ctx.verify(path, name=path)
    got = report.to_dict()
    assert got == expected
    assert_report_matches_dict(report)
    # The same from bytes (the file name given) and from an open file.
    with open(path, "rb") as f:
        assert ctx.verify(f.read(), name=path).to_dict() == expected
    with open(path, "rb") as f:
        assert ctx.verify(f, name=path).to_dict() == expected


def test_statuses_are_varied(parity, data):
    """The vectors are not all alike: passes, failures and indeterminate results."""
    ctx, cli = parity
    statuses = {r["status"] for r in cli.values()}
    assert {"TOTAL-PASSED", "TOTAL-FAILED"} <= statuses, statuses
    formats = {r["format"] for r in cli.values()}
    assert formats == {"pdf", "xml"}
