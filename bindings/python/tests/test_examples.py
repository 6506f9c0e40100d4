"""examples/python: sign a folder with the SoftHSM token, then verify it into a CSV."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import datetime

from conftest import CN_RSA2048, EXAMPLES, TOKEN_PIN, TOKEN_RSA_URI, binding_env


def run_example(script, *args, **env):
    return subprocess.run([sys.executable, str(EXAMPLES / script), *map(str, args)],
                          env=binding_env(**env), capture_output=True, text=True, timeout=120)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["file", "status", "subindication", "signer", "signing_time", "level"]
        return list(reader)


def make_inputs(data, folder):
    folder.mkdir()
    shutil.copy(data / "pdf" / "corpus" / "gs-1.7.pdf", folder / "quyet-dinh.pdf")
    shutil.copy(data / "pdf" / "corpus" / "qpdf-objstm.pdf", folder / "giay-phep.pdf")
    shutil.copy(data / "xml" / "xades-input.xml", folder / "ket-qua.xml")
    (folder / "ghi-chu.txt").write_text("not signed: neither PDF nor XML\n")


def test_sign_then_verify_folder(data, pki, module, tmp_path):
    src, out = tmp_path / "ho-so", tmp_path / "da-ky"
    make_inputs(data, src)
    signed = run_example("sign_folder_with_token.py", "--module", module, "--uri", TOKEN_RSA_URI,
                         "--pin-env", "LIBSIGN_EXAMPLE_PIN", src, out,
                         LIBSIGN_EXAMPLE_PIN=TOKEN_PIN)
    assert signed.returncode == 0, signed.stderr
    assert sorted(p.name for p in out.iterdir()) == ["giay-phep.pdf", "ket-qua.xml", "quyet-dinh.pdf"]
    for name in ("giay-phep.pdf", "quyet-dinh.pdf"):
        original = (src / name).read_bytes()
        assert (out / name).read_bytes()[:len(original)] == original
    assert (src / "ket-qua.xml").read_bytes() == (data / "xml" / "xades-input.xml").read_bytes()

    csv_path = tmp_path / "ket-qua.csv"
    verified = run_example("verify_folder_to_csv.py", out, csv_path, "--trust", pki / "root-ca.crt")
    assert verified.returncode == 0, verified.stderr
    rows = read_csv(csv_path)
    assert [r["file"] for r in rows] == ["giay-phep.pdf", "ket-qua.xml", "quyet-dinh.pdf"]
    for r in rows:
        assert r["status"] == "TOTAL-PASSED", r
        assert r["subindication"] == ""
        assert CN_RSA2048 in r["signer"]
        assert r["level"] == "B-B"
        t = datetime.fromisoformat(r["signing_time"])
        assert t.tzinfo is not None and t.utcoffset().total_seconds() == 0

    # Without the anchor nothing passes: exit 1, INDETERMINATE rows.
    untrusted = tmp_path / "untrusted.csv"
    verified = run_example("verify_folder_to_csv.py", out, untrusted)
    assert verified.returncode == 1, verified.stderr
    assert {r["status"] for r in read_csv(untrusted)} == {"INDETERMINATE"}


def test_verify_folder_with_failures_and_b_t(data, pki, module, tmp_path, ltv):
    """B-T through the example's --tsa; a tampered, an unsigned and a damaged file in the CSV."""
    src, out = tmp_path / "ho-so", tmp_path / "da-ky"
    make_inputs(data, src)
    signed = run_example("sign_folder_with_token.py", "--module", module, "--uri", TOKEN_RSA_URI,
                         "--pin-env", "LIBSIGN_EXAMPLE_PIN", "--level", "B-T",
                         "--tsa", ltv.tsa_url, "--trust", ltv.trust, src, out,
                         LIBSIGN_EXAMPLE_PIN=TOKEN_PIN)
    assert signed.returncode == 0, signed.stderr
    tampered = bytearray((out / "quyet-dinh.pdf").read_bytes())
    tampered[1000] ^= 1
    (out / "quyet-dinh.pdf").write_bytes(bytes(tampered))
    shutil.copy(data / "pdf" / "corpus" / "handmade-lf.pdf", out / "chua-ky.pdf")
    (out / "hong.pdf").write_bytes(b"not a pdf")
    csv_path = tmp_path / "ket-qua.csv"
    verified = run_example("verify_folder_to_csv.py", out, csv_path, "--trust", pki / "root-ca.crt",
                           "--trust", ltv.trust)
    assert verified.returncode == 1, verified.stderr
    rows = {r["file"]: r for r in read_csv(csv_path)}
    assert sorted(rows) == ["chua-ky.pdf", "giay-phep.pdf", "hong.pdf", "ket-qua.xml", "quyet-dinh.pdf"]
    assert rows["giay-phep.pdf"]["status"] == "TOTAL-PASSED" and rows["giay-phep.pdf"]["level"] == "B-T"
    assert rows["ket-qua.xml"]["status"] == "TOTAL-PASSED" and rows["ket-qua.xml"]["level"] == "B-T"
    assert rows["quyet-dinh.pdf"]["status"] == "TOTAL-FAILED"
    assert (rows["chua-ky.pdf"]["status"], rows["chua-ky.pdf"]["subindication"]) == \
        ("TOTAL-FAILED", "NO_SIGNATURE_FOUND")
    assert rows["hong.pdf"]["status"] == "ERROR" and "not a PDF" in rows["hong.pdf"]["subindication"]


def test_sign_folder_wrong_pin(env, data, module, tmp_path):
    """A wrong PIN: exit 4, nothing written (on a private copy of the token)."""
    src, out = tmp_path / "ho-so", tmp_path / "da-ky"
    make_inputs(data, src)
    conf = env.private_token(tmp_path / "token")
    signed = run_example("sign_folder_with_token.py", "--module", module, "--uri", TOKEN_RSA_URI,
                         "--pin-env", "LIBSIGN_EXAMPLE_PIN", src, out,
                         LIBSIGN_EXAMPLE_PIN="0000", SOFTHSM2_CONF=str(conf))
    assert signed.returncode == 4, signed.stderr
    assert "wrong PIN" in signed.stderr
    assert not out.exists() or not any(out.iterdir())
