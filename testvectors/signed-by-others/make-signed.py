#!/usr/bin/python3
"""make-signed.py -- PDFs signed by other tools (poppler's pdfsig, PoDoFo's
podofosign) with the FIXED test PKI in pki/, and their MANIFEST.tsv.

    testvectors/signed-by-others/make-signed.py [--check-only]

Signs three corpus files (../pdf/corpus) with each tool, alternating RSA-2048
and ECDSA P-256 keys, then has tests/pades/check-signed-pdf judge every output
with the fixed root trusted and records the result in MANIFEST.tsv. Outputs
are NOT reproducible byte for byte: both tools write the current time into
the signature (and ECDSA signatures are randomized); the committed files are
the reference. --check-only re-runs the checker on the committed files and
rewrites the manifest's checker column.

pdfsig -add-signature embeds a system TrueType font (about 800 KB,
uncompressed, with a 128 KB CIDToGIDMap) for the signature's appearance unless
the document's /AcroForm /DR already holds a font it made earlier (a
/popplerfont* entry whose /BaseFont is "Helvetica "). So pdfsig signs a
prepared copy: the corpus file plus one incremental update that adds such an
entry (a base-14 Helvetica, no file). The prepared copy is not kept; the
signed file holds it as its first revision after the corpus bytes.

Needs pdfsig, certutil and pk12util (libnss3-tools), podofosign
(libpodofo-utils), qpdf, openssl.
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)
ROOT = os.path.dirname(VECTORS)
PKI = os.path.join(HERE, "pki")
CORPUS = os.path.join(VECTORS, "pdf", "corpus")
CHECKER = os.path.join(ROOT, "tests", "pades", "check-signed-pdf")
sys.dont_write_bytecode = True  # no __pycache__ in testvectors/
sys.path.insert(0, os.path.join(VECTORS, "attacks"))
import pdfupdate as pu  # noqa: E402

# The checker's ByteRange and DER walking, reused rather than rewritten.
from importlib.machinery import SourceFileLoader  # noqa: E402
checker = SourceFileLoader("check_signed_pdf", CHECKER).load_module()

REASON = "Phê duyệt hồ sơ"

# (output, corpus file, tool, key, digest, subfilter)
JOBS = [
    ("lo-writer.pdfsig-rsa.pdf", "lo-writer.pdf", "pdfsig", "signer-rsa2048", "SHA256", "adbe.pkcs7.detached"),
    ("pdftex-classic.pdfsig-ec.pdf", "pdftex-classic.pdf", "pdfsig", "signer-ecp256", "SHA256", "adbe.pkcs7.detached"),
    ("qpdf-objstm.pdfsig-rsa.pdf", "qpdf-objstm.pdf", "pdfsig", "signer-rsa2048", "SHA256", "adbe.pkcs7.detached"),
    ("lo-writer.podofosign-rsa-sha512.pdf", "lo-writer.pdf", "podofosign", "signer-rsa2048", "SHA512", "adbe.pkcs7.detached"),
    ("pdftex-classic.podofosign-rsa.pdf", "pdftex-classic.pdf", "podofosign", "signer-rsa2048", "SHA256", "adbe.pkcs7.detached"),
    ("qpdf-objstm.podofosign-ec.pdf", "qpdf-objstm.pdf", "podofosign", "signer-ecp256", "SHA256", "adbe.pkcs7.detached"),
]

HEADER = ["file", "source", "tool", "tool_version", "subfilter", "key", "digest",
          "cms_certificates", "expected_status", "expected_status_root_only", "expected_status_untrusted", "expected_subindication_untrusted",
          "checker", "notes"]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def tool_versions():
    pdfsig = run(["pdfsig", "-v"]).stderr.splitlines()[0].split()[-1]
    podofo = run(["dpkg-query", "-W", "-f=${Version}", "libpodofo-utils"]).stdout.strip()
    return {"pdfsig": f"pdfsig (poppler) {pdfsig}", "podofosign": f"podofosign (PoDoFo) {podofo}"}


def make_nss(work):
    db = os.path.join(work, "nss")
    os.mkdir(db)
    steps = [["certutil", "-N", "-d", f"sql:{db}", "--empty-password"]]
    for key in ("signer-rsa2048", "signer-ecp256"):
        steps.append(["pk12util", "-i", os.path.join(PKI, f"{key}.p12"), "-d", f"sql:{db}",
                      "-W", "test", "-K", ""])
    steps.append(["certutil", "-A", "-n", "fixed-root", "-t", "CT,C,C", "-i",
                  os.path.join(PKI, "root-ca.crt"), "-d", f"sql:{db}"])
    for step in steps:
        r = run(step)
        if r.returncode != 0:
            sys.exit(f"make-signed: {' '.join(step)}: {r.stdout}{r.stderr}")
    return f"sql:{db}"


def add_poppler_font(src, dst):
    """src + an update whose /AcroForm /DR /Font holds /popplerfont0 (see the
    module docstring). Handles the three shapes of the corpus files: no
    /AcroForm, an indirect /AcroForm with a direct /DR /Font, and a direct
    /AcroForm whose /DR (and its /Font) are indirect."""
    with open(src, "rb") as f:
        data = f.read()
    trailer = pu.trailer_of(src)
    size = int(pu.trailer_value(trailer, "Size"))
    font = size
    objects = {font: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica#20 /Encoding /WinAnsiEncoding >>"}
    entry = b"/popplerfont0 %d 0 R " % font
    root = pu.ref_num(pu.trailer_value(trailer, "Root"))
    catalog = pu.qpdf_show(src, root)
    m = re.search(rb"/AcroForm (\d+) 0 R", catalog)
    if not re.search(rb"/AcroForm", catalog):
        objects[root] = pu.set_key(catalog, b"AcroForm",
                                   b"<< /Fields [ ] /DR << /Font << " + entry + b">> >> >>")
    elif m:  # indirect AcroForm, direct /DR << /Font << ... >> >>
        num = int(m.group(1))
        acro = pu.qpdf_show(src, num)
        assert b"/DR << /Font << " in acro, acro
        objects[num] = acro.replace(b"/DR << /Font << ", b"/DR << /Font << " + entry, 1)
    else:  # direct AcroForm with /DR N 0 R whose /Font is M 0 R
        dr = int(re.search(rb"/AcroForm << /DR (\d+) 0 R", catalog).group(1))
        fonts = int(re.search(rb"/Font (\d+) 0 R", pu.qpdf_show(src, dr)).group(1))
        fdict = pu.qpdf_show(src, fonts)
        objects[fonts] = fdict.replace(b"<< ", b"<< " + entry, 1)
    with open(dst, "wb") as f:
        f.write(pu.append_update(data, src, objects))


def sign(job, work, nssdb):
    out, source, tool, key, digest, _ = job
    src = os.path.join(CORPUS, source)
    dst = os.path.join(HERE, out)
    if tool == "pdfsig":
        prepared = os.path.join(work, "prepared-" + source)
        add_poppler_font(src, prepared)
        cmd = ["pdfsig", "-nssdir", nssdb, "-add-signature", "-nick", key, "-digest", digest,
               "-reason", REASON, "-new-signature-field-name", "Signature1", prepared, dst]
        original = prepared
    else:
        cmd = ["podofosign", "-in", src, "-out", dst, "-cert", os.path.join(PKI, f"{key}.crt"),
               "-pkey", os.path.join(PKI, f"{key}.key"), "-digest", digest, "-reason", REASON,
               "-field-name", "Signature1", "-sigsize", "8192"]
        original = src
    # pdfsig sizes /Contents from a trial signature; an ECDSA signature is
    # 70-72 bytes of DER, so the real one is sometimes longer than the trial
    # and pdfsig gives up ("signDocument: unable update signature", exit 3).
    for _ in range(10):
        r = run(cmd)
        if r.returncode == 0 or "unable update signature" not in r.stderr:
            break
    if r.returncode != 0 or not os.path.exists(dst):
        sys.exit(f"make-signed: {' '.join(cmd)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return original


def cms_certificates(path, work):
    """The certificates in the signature's CMS, named after the files of pki/."""
    with open(path, "rb") as f:
        data = f.read()
    _, (a, b, c, d) = checker.find_byteranges(data)[-1]
    raw = bytes.fromhex(re.sub(rb"[^0-9A-Fa-f]", b"", data[a + b:c]).decode())
    der = os.path.join(work, "sig.der")
    with open(der, "wb") as f:
        f.write(raw[:checker.der_end(raw, 0)])
    pems = run(["openssl", "pkcs7", "-inform", "DER", "-in", der, "-print_certs"]).stdout
    known = {}
    for name in ("signer-rsa2048", "signer-ecp256", "inter-ca", "root-ca"):
        for pem in checker.pem_certificates(os.path.join(PKI, name + ".crt")):
            known[re.sub(r"\s", "", pem)] = name
    found = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pems, re.S)
    return "+".join(known.get(re.sub(r"\s", "", pem), "other") for pem in found)


def check(path, original=None, untrusted=False):
    """(passed, failure lines) of check-signed-pdf with the fixed root (and,
    if untrusted, the intermediate given as an untrusted certificate)."""
    cmd = [CHECKER, "--root", os.path.join(PKI, "root-ca.crt"), "--expect", "1", path]
    if original:
        cmd[1:1] = ["--input", original]
    if untrusted:
        cmd[1:1] = ["--untrusted", os.path.join(PKI, "inter-ca.crt")]
    r = run(cmd)
    fails = [line.split("FAIL ", 1)[1] for line in r.stderr.splitlines() if "FAIL " in line]
    return r.returncode == 0, fails


def try_etsi(work, nssdb):
    """pdfsig 22.12 refuses -etsi with -add-signature; returns its message."""
    src = os.path.join(CORPUS, "mutool-create.pdf")
    r = run(["pdfsig", "-nssdir", nssdb, "-add-signature", "-etsi", "-nick", "signer-rsa2048",
             src, os.path.join(work, "etsi.pdf")])
    return r.returncode, " ".join((r.stdout + r.stderr).split())


def read_manifest():
    path = os.path.join(HERE, "MANIFEST.tsv")
    with open(path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def write_manifest(rows):
    with open(os.path.join(HERE, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
        f.write("\t".join(HEADER) + "\n")
        for row in rows:
            f.write("\t".join(row[h] for h in HEADER) + "\n")


def main(argv):
    check_only = "--check-only" in argv
    versions = tool_versions()
    rows = []
    with tempfile.TemporaryDirectory(prefix="make-signed.") as work:
        nssdb = make_nss(work)
        if not check_only:
            code, message = try_etsi(work, nssdb)
            if code == 0:
                print("make-signed: NOTE: pdfsig -etsi -add-signature works now; add ETSI jobs")
            else:
                print(f"make-signed: pdfsig -etsi -add-signature: exit {code}: {message}")
        old = {r["file"]: r for r in read_manifest()} if check_only else {}
        for job in JOBS:
            out, source, tool, key, digest, subfilter = job
            original = None if check_only else sign(job, work, nssdb)
            path = os.path.join(HERE, out)
            ok, fails = check(path, original)
            certs = cms_certificates(path, work)
            notes = []
            if tool == "pdfsig":
                notes.append("input: the corpus file plus an update adding /AcroForm /DR "
                             "/popplerfont0 (base-14 Helvetica) so pdfsig embeds no font")
            notes.append("signature field Signature1, invisible; /Reason '" + REASON + "'")
            with open(path, "rb") as f:
                data = f.read()
            if b"/Prev" not in data[pu.last_startxref(data):]:
                notes.append("the signing update ends with a complete classic xref table and a "
                             "trailer without /Prev (" + tool + " re-wrote the objects of the "
                             "input's object stream uncompressed); the signature covers it")
            verdict = "pass"
            if not ok:
                ok_with_inter, _ = check(path, original, untrusted=True)
                if ok_with_inter and "inter-ca" not in certs:
                    verdict = "pass with --untrusted pki/inter-ca.crt"
                    notes.append("the CMS lacks the intermediate: check-signed-pdf with only "
                                 "--root fails (pdfsig: certificate not trusted; openssl cms: "
                                 "unable to get local issuer certificate); a verifier must be "
                                 "given pki/inter-ca.crt (or fetch it) to reach TOTAL-PASSED")
                else:
                    verdict = "FAIL"
                    notes.append("CHECKER FAILS: " + " | ".join(fails))
            row = {
                "file": out, "source": "pdf/corpus/" + source, "tool": tool,
                "tool_version": versions[tool], "subfilter": subfilter, "key": key,
                "digest": digest.lower().replace("sha", "sha-"),
                "expected_status": "TOTAL-PASSED",
                "expected_status_root_only": ("TOTAL-PASSED" if "inter-ca" in certs
                                              else "INDETERMINATE"),
                "expected_status_untrusted": "INDETERMINATE",
                "expected_subindication_untrusted": "NO_CERTIFICATE_CHAIN_FOUND",
                "cms_certificates": certs,
                "checker": verdict,
                "notes": "; ".join(notes),
            }
            if check_only and out in old:
                row = dict(old[out], checker=row["checker"])
            rows.append(row)
            print(f"make-signed: {out}: check-signed-pdf: {verdict}; CMS certificates: {certs}")
    write_manifest(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
