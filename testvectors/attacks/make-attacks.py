#!/usr/bin/python3
"""make-attacks.py -- attack PDFs for the verifier (issue 8), from the published
classes (Mladenov et al., "1 Trillion Dollar Refund": USF, ISA, SWA; Mainka et
al., "Shadow Attacks": hide, replace, hide-and-replace; certification attacks),
their signed bases and negative controls, and MANIFEST.tsv.

    testvectors/attacks/make-attacks.py [LIBSIGN_CLI]   (default: build/bin/libsign)

Every base is a small corpus file (../pdf/corpus/mutool-create.pdf, 2 pages),
sometimes first given extra content by a hand-written incremental update
(pdfupdate.py), then signed with the FIXED PKI (../signed-by-others/pki) by
`libsign sign --time 1785300000` (RSA-2048, PKCS#1 v1.5, ETSI.CAdES.detached),
or by poppler's pdfsig for the *-pdfsig variants. The attacks are byte edits
and hand-written incremental updates of those signed bases.

Reproducibility: everything but two details is fixed. `libsign sign` writes a
random second /ID element (libsign/pdf/writer.c, put_id), which changes the
signed bytes and so the signature value; pdfsig writes the current time. Each
run therefore gives different bytes with the same structure; the committed
files are the reference, and MANIFEST.tsv (the expected verdicts, and the
independent tools' observations in `notes`) is rewritten from what this run
made.

Needs qpdf, pdfsig, certutil and pk12util (libnss3-tools), pdftoppm, openssl.
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)
ROOT = os.path.dirname(VECTORS)
PKI = os.path.join(VECTORS, "signed-by-others", "pki")
CORPUS = os.path.join(VECTORS, "pdf", "corpus")
BASE_PDF = os.path.join(CORPUS, "mutool-create.pdf")
CHECKER = os.path.join(ROOT, "tests", "pades", "check-signed-pdf")
SIGN_TIME = "1785300000"  # 2026-07-29 04:40:00 UTC

sys.dont_write_bytecode = True  # no __pycache__ in testvectors/
sys.path.insert(0, HERE)
import pdfupdate as pu  # noqa: E402

HEADER = ["file", "class", "base", "description", "expected_status", "expected_subindication",
          "expected_modifications", "notes"]

BYTERANGE_RE = re.compile(rb"/ByteRange\s*\[\s*(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*\]")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, **kw)


class Gen:
    def __init__(self, cli, work):
        self.cli, self.work = cli, work
        self.rows = []
        self.bases = {}  # file name -> bytes
        self.nssdb = self.make_nss()
        self.counter = 0

    # ------------------------------------------------------------ plumbing

    def tmp(self, data, name=None):
        """A temporary file holding data (qpdf and the signers read files)."""
        self.counter += 1
        path = os.path.join(self.work, name or f"t{self.counter}.pdf")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def make_nss(self):
        db = os.path.join(self.work, "nss")
        os.mkdir(db)
        steps = [["certutil", "-N", "-d", f"sql:{db}", "--empty-password"],
                 ["pk12util", "-i", os.path.join(PKI, "signer-rsa2048.p12"), "-d", f"sql:{db}",
                  "-W", "test", "-K", ""],
                 ["certutil", "-A", "-n", "fixed-root", "-t", "CT,C,C", "-i",
                  os.path.join(PKI, "root-ca.crt"), "-d", f"sql:{db}"]]
        for step in steps:
            r = run(step)
            if r.returncode != 0:
                sys.exit(f"make-attacks: {' '.join(step)}: {r.stdout}{r.stderr}")
        return f"sql:{db}"

    def libsign(self, data, *extra, key="signer-rsa2048"):
        """data signed by `libsign sign` with the fixed PKI at the fixed time."""
        src = self.tmp(data)
        out = src + ".signed.pdf"
        env = dict(os.environ, VECTORS_P12_PASSWORD="test")
        r = run([self.cli, "sign", "-q", "--key", os.path.join(PKI, f"{key}.p12"),
                 "--pin-source", "env:VECTORS_P12_PASSWORD", "--time", SIGN_TIME,
                 *extra, src, "-o", out], env=env)
        if r.returncode != 0:
            sys.exit(f"make-attacks: libsign sign: {r.stderr.decode()}")
        with open(out, "rb") as f:
            return f.read()

    def pdfsig_sign(self, data):
        """data signed by pdfsig -add-signature (RSA, adbe.pkcs7.detached); data
        must already hold a /popplerfont entry (see ../signed-by-others)."""
        src = self.tmp(data)
        out = src + ".pdfsig.pdf"
        r = run(["pdfsig", "-nssdir", self.nssdb, "-add-signature", "-nick", "signer-rsa2048",
                 "-reason", "Phê duyệt", "-new-signature-field-name", "Signature1", src, out])
        if r.returncode != 0:
            sys.exit(f"make-attacks: pdfsig: {r.stderr.decode()}")
        with open(out, "rb") as f:
            return f.read()

    def update(self, data, objects, **kw):
        """data + an incremental update (pdfupdate.append_update)."""
        return pu.append_update(data, self.tmp(data), objects, **kw)

    def show(self, data, what):
        return pu.qpdf_show(self.tmp(data), what)

    def trailer(self, data):
        return pu.trailer_of(self.tmp(data))

    def size(self, data):
        return int(pu.trailer_value(self.trailer(data), "Size"))

    def root(self, data):
        return pu.ref_num(pu.trailer_value(self.trailer(data), "Root"))

    # ------------------------------------------------------------ output

    def emit(self, name, data, cls, base, description, status, sub, mods):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        self.rows.append({"file": name, "class": cls, "base": base, "description": description,
                          "expected_status": status, "expected_subindication": sub,
                          "expected_modifications": mods, "notes": ""})

    def base(self, name, data, description):
        self.bases[name] = data
        self.emit(name, data, "CONTROL", "-", description, "TOTAL-PASSED", "-", "NONE")

    # ------------------------------------------------------------ observations

    def pdfsig_says(self, path):
        r = run(["pdfsig", "-nssdir", self.nssdb, path])
        text = (r.stdout + r.stderr).decode("utf-8", "replace")
        blocks = re.split(r"\n(?=Signature #\d+:)", text)
        parts = []
        for block in blocks[1:]:
            if "The signature form field is not signed." in block:
                continue
            num = re.match(r"Signature #(\d+)", block).group(1)
            facts = []
            m = re.search(r"Signature Validation: (.*)", block)
            facts.append(m.group(1).strip().rstrip(".") if m else "no validation line")
            if "Not total document signed" in block:
                facts.append("Not total document signed")
            elif "Total document signed" in block:
                facts.append("Total document signed")
            m = re.search(r"Certificate Validation: (.*)", block)
            if m:
                facts.append(m.group(1).strip().rstrip("."))
            m = re.search(r"Signed Ranges: (.*)", block)
            if m:
                facts.append("ranges " + m.group(1).strip())
            parts.append(f"#{num} " + ", ".join(facts))
        if not parts:
            line = next((ln for ln in text.splitlines() if "does not contain any signatures" in ln
                         or "signature" in ln.lower()), text.strip().splitlines()[-1] if text.strip() else "")
            parts.append(re.sub(r"File '.*?'", "file", line.strip()) or f"exit {r.returncode}")
        errors = len(re.findall(r"^(?:Syntax|Internal) Error", text, re.M))
        summary = "; ".join(parts) + (f" [{errors} parser error lines]" if errors else "")
        return "pdfsig: " + summary

    def qpdf_says(self, path):
        r = run(["qpdf", "--check", path])
        out = (r.stdout + r.stderr).decode("utf-8", "replace")
        warns = [ln.split(": ", 2)[-1] for ln in out.splitlines() if "WARNING" in ln]
        text = {0: "ok", 2: "ERRORS", 3: "warnings"}.get(r.returncode, f"exit {r.returncode}")
        if warns:
            text += ": " + warns[0] + (f" (+{len(warns) - 1} more)" if len(warns) > 1 else "")
        return f"qpdf --check: {text}"

    def render(self, path, tag):
        prefix = os.path.join(self.work, tag)
        r = run(["pdftoppm", "-r", "24", "-gray", path, prefix])
        pages = sorted(f for f in os.listdir(self.work) if f.startswith(tag + "-"))
        out = []
        for p in pages:
            with open(os.path.join(self.work, p), "rb") as f:
                out.append(f.read())
            os.remove(os.path.join(self.work, p))
        return out if r.returncode == 0 else None

    def rendering_vs_base(self, path, base_name):
        base_path = os.path.join(HERE, base_name)
        before = self.render(base_path, "before")
        after = self.render(path, "after")
        if before is None or after is None:
            return "pdftoppm: cannot render"
        if len(before) != len(after):
            return f"pdftoppm: {len(before)} pages signed, {len(after)} shown"
        changed = [str(i + 1) for i, (x, y) in enumerate(zip(before, after)) if x != y]
        return ("pdftoppm: page " + ",".join(changed) + " renders differently from the signed base"
                if changed else "pdftoppm: renders like the signed base")

    def observe(self):
        for row in self.rows:
            path = os.path.join(HERE, row["file"])
            notes = [self.pdfsig_says(path), self.qpdf_says(path)]
            if row["base"] != "-":
                notes.append(self.rendering_vs_base(path, row["base"]))
            if row["class"] == "CONTROL":
                r = run([CHECKER, "--root", os.path.join(PKI, "root-ca.crt"), "--later-revisions",
                         path])
                notes.append("check-signed-pdf: " + ("OK" if r.returncode == 0 else "FAILS"))
            row["notes"] = "; ".join(notes)

    def write_manifest(self):
        with open(os.path.join(HERE, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
            f.write("\t".join(HEADER) + "\n")
            for row in self.rows:
                assert not any("\t" in row[h] or "\n" in row[h] for h in HEADER), row
                f.write("\t".join(row[h] for h in HEADER) + "\n")


# ---------------------------------------------------------------- byte edits


def overwrite(data, start, end, new):
    """data with [start, end) replaced by new padded with spaces: every offset stays."""
    if len(new) > end - start:
        raise ValueError(f"{new[:40]!r}... does not fit in {end - start} bytes")
    return data[:start] + new + b" " * (end - start - len(new)) + data[end:]


def last_sig(data):
    """(match of the last /ByteRange array, [a, b, c, d])."""
    m = list(BYTERANGE_RE.finditer(data))[-1]
    return m, [int(g) for g in m.groups()]


def contents_key(data, gap_start):
    """The offset of the /Contents key whose value starts at gap_start."""
    pos = data.rindex(b"/Contents", 0, gap_start)
    assert data[pos + 9:gap_start].strip() == b"", data[pos:gap_start + 2]
    return pos


def cms_hex(data, a, b, c):
    """The /Contents hex digits without the trailing zero padding (even count)."""
    digits = data[a + b + 1:c - 1]
    stripped = digits.rstrip(b"0")
    if len(stripped) % 2:
        stripped += b"0"
    return stripped


def stream(body, extra=b""):
    """A stream object's body (uncompressed)."""
    return b"<< /Length %d%s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def text(x, y, size, s, font=b"/F1"):
    return b"BT %s %d Tf %d %d Td (%s) Tj ET\n" % (font, size, x, y, s)


# The texts the attacks play with (WinAnsi, so ASCII Vietnamese).
BENIGN = b"So tien phai tra: 1.000.000 VND"
EVIL = b"So tien phai tra: 900.000.000 VND"


# ---------------------------------------------------------------- the vectors


def page1(g, data):
    """(page 1's object number, its dictionary text)."""
    pages = g.show(data, pu.ref_num(re.search(rb"/Pages (\d+ \d+ R)", g.show(data, g.root(data))).group(1)))
    first = pu.ref_num(re.search(rb"/Kids \[ (\d+ \d+ R)", pages).group(1))
    return first, g.show(data, first)


def with_id(g, data):
    """mutool-create has no /ID: give it a fixed one, so the first element of
    every signed file's /ID is the same from run to run."""
    return g.update(data, {}, extra_trailer=b" /ID [<4C5349474E564543544F525330303031> <4C5349474E564543544F525330303031>]")


def make_bases(g):
    with open(BASE_PDF, "rb") as f:
        plain = with_id(g, f.read())
    # pdfupdate copies /ID from the old trailer; the line above put it in the new one.
    a = g.libsign(plain)
    g.base("base-libsign.pdf", a, "mutool-create.pdf signed by libsign sign (approval signature, "
           "ETSI.CAdES.detached, RSA-2048): the base of most attacks")

    # pdfsig's base: the /popplerfont trick of ../signed-by-others/make-signed.py.
    n = g.size(plain)
    catalog = g.show(plain, g.root(plain))
    prepared = g.update(plain, {
        n: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica#20 /Encoding /WinAnsiEncoding >>",
        g.root(plain): pu.set_key(catalog, b"AcroForm",
                                  b"<< /Fields [ ] /DR << /Font << /popplerfont0 %d 0 R >> >> >>" % n)})
    b = g.pdfsig_sign(prepared)
    g.base("base-pdfsig.pdf", b, "mutool-create.pdf (plus an /AcroForm /DR font so pdfsig embeds "
           "none) signed by pdfsig -add-signature (adbe.pkcs7.detached, RSA-2048)")
    return plain, a, b


def make_usf(g, a, b):
    m, (x0, x1, x2, x3) = last_sig(a)
    br_start, br_end = m.span()  # "/ByteRange [ ... ]"
    arr_start = a.index(b"[", br_start)
    gap0, gap1 = x0 + x1, x2
    key = contents_key(a, gap0)
    base = "base-libsign.pdf"
    ff = ("TOTAL-FAILED", "FORMAT_FAILURE", "NONE")

    def usf(name, data, description):
        g.emit(name, data, "USF", base, description, *ff)

    usf("usf-no-byterange.pdf", overwrite(a, br_start, br_end, b""),
        "/ByteRange removed from the signature dictionary (blanked with spaces; offsets unchanged)")
    usf("usf-byterange-null.pdf", overwrite(a, br_start, br_end, b"/ByteRange null"),
        "/ByteRange null")
    usf("usf-byterange-zeros.pdf", overwrite(a, arr_start, br_end, b"[0 0 0 0]"),
        "/ByteRange [0 0 0 0]: nothing is signed")
    usf("usf-no-contents.pdf", overwrite(a, key, gap1, b""),
        "/Contents removed (key and hex string blanked with spaces); /ByteRange unchanged")
    usf("usf-contents-empty.pdf", overwrite(a, gap0, gap1, b"<>"),
        "/Contents <> (empty string, rest of the old gap blanked)")
    usf("usf-contents-not-string.pdf", overwrite(a, gap0, gap1, b"0"),
        "/Contents 0 (an integer, not a string)")
    usf("usf-byterange-negative.pdf", overwrite(a, arr_start, br_end, b"[0 %d -%d %d]" % (x1, x2, x3)),
        "/ByteRange with a negative offset: [0 a -b c]")
    usf("usf-byterange-overlap.pdf",
        overwrite(a, arr_start, br_end, b"[0 %d %d %d]" % (x2, x1, x2 + x3 - x1)),
        "/ByteRange ranges overlap: [0 c a (end - a)] (the first range covers the /Contents "
        "string, the second starts inside the first)")
    usf("usf-byterange-not-from-0.pdf",
        overwrite(a, arr_start, br_end, b"[100 %d %d %d]" % (x1 - 100, x2, x3)),
        "/ByteRange [100 ...]: the first 100 bytes (header) are not signed")
    usf("usf-gap-larger-than-contents.pdf",
        overwrite(a, arr_start, br_end, b"[0 %d %d %d]" % (key - x0, x2 + 12, x3 - 12)),
        "/ByteRange gap starts at the /Contents key and ends 12 bytes after the hex string "
        "(covers '/Contents' and the dictionary's end)")
    # pdfsig's layout puts /ByteRange after /Contents (in the second range).
    mb, _ = last_sig(b)
    g.emit("usf-no-byterange-pdfsig.pdf", overwrite(b, mb.start(), mb.end(), b""), "USF",
           "base-pdfsig.pdf", "/ByteRange removed from pdfsig's signature dictionary "
           "(where it follows /Contents)", *ff)


def changed_page1(g, data, message):
    """{content object of page 1: a new uncompressed stream showing message}."""
    _, page = page1(g, data)
    content = pu.ref_num(re.search(rb"/Contents (\d+ \d+ R)", page).group(1))
    body = (text(40, 540, 18, b"Uy ban nhan dan xa Chi Minh") + text(40, 510, 12, message)
            + text(40, 300, 16, EVIL) + b"0 0 1 RG 4 w 30 30 360 535 re S")
    return {content: stream(body)}


def make_isa(g, a, b):
    dis = ("TOTAL-FAILED", "-", "DISALLOWED")
    base = "base-libsign.pdf"
    _, (x0, x1, x2, x3) = last_sig(a)
    objs = changed_page1(g, a, b"Noi dung da bi thay doi sau khi ky")

    g.emit("isa-replace-page-content.pdf", g.update(a, objs), "ISA", base,
           "update after the signature redefines page 1's content stream (same object "
           "number, new text)", *dis)

    # A new catalog and page tree; the trailer's /Root moves to it.
    n = g.size(a)
    catalog = g.show(a, g.root(a))
    acroform = re.search(rb"/AcroForm (\d+ \d+ R)", catalog).group(1)
    new = {
        n: stream(text(40, 500, 20, b"Trang moi: hop dong da thay") + text(40, 300, 16, EVIL)),
        n + 1: b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 420 595] /Resources 5 0 R "
               b"/Contents %d 0 R >>" % (n + 2, n),
        n + 2: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (n + 1),
        n + 3: b"<< /Type /Catalog /Pages %d 0 R /AcroForm %s >>" % (n + 2, acroform),
    }
    g.emit("isa-new-catalog-and-pages.pdf", g.update(a, new, root=b"%d 0 R" % (n + 3)), "ISA",
           base, "update with a new catalog, page tree and page (new object numbers) and a "
           "trailer whose /Root points at the new catalog (the signature field is kept)", *dis)

    pages = g.show(a, 2)
    kids = re.search(rb"/Kids \[ ([^\]]*)\]", pages).group(1)
    added = {
        n: stream(text(40, 500, 20, b"Phu luc (trang them sau khi ky)") + text(40, 300, 16, EVIL)),
        n + 1: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Resources 5 0 R "
               b"/Contents %d 0 R >>" % n,
        2: b"<< /Type /Pages /Kids [ " + kids + b"%d 0 R ] /Count 3 >>" % (n + 1),
    }
    g.emit("isa-add-page.pdf", g.update(a, added), "ISA", base,
           "update adds a third page (new page and content; /Pages redefined)", *dis)

    # Objects appended after %%EOF with no xref and no trailer.
    body, _ = pu.serialize_objects(len(a) + 1, objs)
    g.emit("isa-objects-after-eof.pdf", a + b"\n" + body, "ISA", base,
           "page 1's content stream redefined in objects appended after %%EOF, with no xref "
           "section and no trailer (a reader that scans or repairs uses them)", *dis)

    # Objects and an xref table, but no trailer/startxref: the last startxref
    # still names the signed revision's section.
    start = len(a) + 1
    body, offs = pu.serialize_objects(start, objs)
    xref = pu.classic_xref(offs, b"", 0)
    xref = xref[:xref.index(b"trailer")]
    g.emit("isa-xref-without-trailer.pdf", a + b"\n" + body + xref, "ISA", base,
           "page 1's content stream redefined, with an xref table but no trailer, startxref or "
           "%%EOF after it", *dis)

    # New objects and xref whose trailer is byte for byte the signed revision's
    # (same /Size, same /Prev): only startxref moves. The new section also
    # repeats the signed revision's entries, so its /Prev skipping them changes
    # nothing a reader sees.
    trailer_text = re.findall(rb"trailer\s*(<<.*?>>)\s*startxref", a, re.S)[-1]
    sig_xref = pu.last_startxref(a)
    entries = {}
    for sub in re.finditer(rb"(\d+) (\d+)\r?\n((?:\d{10} \d{5} [nf][ \r\n]{1,2})+)",
                           a[sig_xref:a.index(b"trailer", sig_xref)]):
        first = int(sub.group(1))
        for i, line in enumerate(re.findall(rb"(\d{10}) \d{5} ([nf])", sub.group(3))):
            entries[first + i] = int(line[0]) if line[1] == b"n" and first + i else None
    body, offs = pu.serialize_objects(start, objs)
    entries.update(offs)
    xref_at = start + len(body)
    xref = pu.classic_xref(entries, b"", xref_at)
    xref = xref[:xref.index(b"trailer")] + b"trailer\n" + trailer_text + \
        b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
    g.emit("isa-unchanged-trailer.pdf", a + b"\n" + body + xref, "ISA", base,
           "page 1's content redefined in a new xref section whose trailer is a verbatim copy of "
           "the signed revision's (same /Size and /Prev, so no /Prev to the signed section; the "
           "signed section's entries are repeated)", *dis)

    # A complete xref table without /Prev: the new section alone describes the document.
    all_entries = {}
    for line in run(["qpdf", "--show-xref", g.tmp(a)]).stdout.decode().splitlines():
        m = re.match(r"(\d+)/0: uncompressed; offset = (\d+)", line)
        if m:
            all_entries[int(m.group(1))] = int(m.group(2))
    all_entries[0] = None
    body, offs = pu.serialize_objects(start, objs)
    all_entries.update(offs)
    xref_at = start + len(body)
    entries_text = trailer_text.strip()[2:-2].strip()
    entries_text = re.sub(rb"\s*/Prev \d+", b"", entries_text)
    g.emit("isa-no-prev.pdf", a + b"\n" + body + pu.classic_xref(all_entries, entries_text, xref_at),
           "ISA", base, "page 1's content redefined in an update whose xref table lists every "
           "object and whose trailer has no /Prev (the update hides that it is one)", *dis)

    objs_b = changed_page1(g, b, b"Noi dung da bi thay doi sau khi ky")
    g.emit("isa-replace-page-content-pdfsig.pdf", g.update(b, objs_b), "ISA", "base-pdfsig.pdf",
           "update after pdfsig's signature redefines page 1's content stream", *dis)


def swa_shifted(g, data, base_name, name, description):
    """The classic SWA: a new signature dictionary (same object number) whose
    /ByteRange [0 a c' d] names a shifted copy of the signed second range; the
    widened gap holds the attacker's objects and the xref section at exactly
    the offset the signed startxref names. The signed bytes are unchanged."""
    m, (x0, x1, x2, x3) = last_sig(data)
    assert x2 + x3 == len(data)
    r2 = data[x2:]
    xref_at = pu.last_startxref(data)
    assert xref_at > x2, "the signed revision's xref must lie in the second range"
    sig_num = int(re.findall(rb"(\d+) 0 obj", data[:m.start()])[-1])
    sig_dict_start = data.rindex(b"%d 0 obj" % sig_num, 0, m.start())
    close = data.index(b"endobj", x2) + len(b"endobj\n")
    sig_text = data[sig_dict_start:close]
    # Objects of the signed revision (in R2) and their offsets relative to R2.
    entries = {}
    for line in run(["qpdf", "--show-xref", g.tmp(data)]).stdout.decode().splitlines():
        mm = re.match(r"(\d+)/0: uncompressed; offset = (\d+)", line)
        if mm:
            entries[int(mm.group(1))] = int(mm.group(2))
    objs = changed_page1(g, data, b"Noi dung da bi thay doi sau khi ky")
    trailer = g.trailer(data)
    prev = int(re.findall(rb"/Prev (\d+)", data[xref_at:])[-1])
    # Layout: R1, the old gap and the end of the old dictionary | spaces up to
    # xref_at | xref section | trailer | new objects (page content, signature
    # dictionary) | spaces up to c' | the copy of R2, ending with the signed
    # "startxref <xref_at>".
    head = data[:close]
    assert len(head) <= xref_at
    head += b" " * (xref_at - len(head))

    def build(c_new):
        new_sig = re.sub(rb"/ByteRange\s*\[[^\]]*\]",
                         b"/ByteRange [0 %d %d %d]" % (x1, c_new, x3), sig_text[len(b"%d 0 obj" % sig_num):])
        # the same dictionary, /Contents verbatim, only /ByteRange new
        new_sig = new_sig.replace(b"endobj\n", b"").rstrip()
        if new_sig.endswith(b"endobj"):
            new_sig = new_sig[:-6]
        body_objs = dict(objs)
        body_objs[sig_num] = new_sig
        # objects of the signed revision move with the copy of R2
        ent = {num: off - x2 + c_new if off >= x2 else off for num, off in entries.items()}
        ent[0] = None
        xref_stub = pu.classic_xref({k: ent[k] for k in ent}, b"", xref_at)
        xref_stub = xref_stub[:xref_stub.index(b"trailer")]
        tr = (b"trailer\n<< /Size %d /Root %s /ID %s /Prev %d >>\n"
              % (max(ent) + 1, pu.trailer_value(trailer, "Root"), pu.trailer_value(trailer, "ID"),
                 prev))
        pos = xref_at + len(xref_stub) + len(tr)
        body, offs = pu.serialize_objects(pos, body_objs)
        ent.update(offs)
        xref_real = pu.classic_xref(ent, b"", xref_at)
        xref_real = xref_real[:xref_real.index(b"trailer")]
        assert len(xref_real) == len(xref_stub)
        out = head + xref_real + tr + body
        return out

    # A trial with a 9-digit c' gives the length of everything before the copy;
    # the real c' has fewer digits, so the real layout is padded up to it.
    c_new = len(build(10 ** 9 - 1))
    out = build(c_new)
    out += b" " * (c_new - len(out))
    assert len(out) == c_new, (len(out), c_new)
    out += r2
    assert out[:x1] + out[c_new:] == data[:x1] + data[x2:]
    g.emit(name, out, "SWA", base_name, description, "TOTAL-FAILED", "FORMAT_FAILURE", "DISALLOWED")


def make_swa(g, a, b):
    desc = ("signature wrapping: the signed second range is moved to the end of the file; a new "
            "signature dictionary (same object number, same /Contents) has /ByteRange [0 a c' d] "
            "naming the moved copy, so the signed bytes hash as before; the widened gap holds "
            "page 1's new content and an xref section at exactly the offset the signed "
            "startxref names")
    swa_shifted(g, a, "base-libsign.pdf", "swa-shifted-second-range.pdf", desc)
    swa_shifted(g, b, "base-pdfsig.pdf", "swa-shifted-second-range-pdfsig.pdf", desc)

    # Objects inside the /Contents gap (after the CMS, in the zero padding),
    # wrapped as a literal string value so the signature dictionary still
    # parses; an appended update's xref points into the gap.
    _, (x0, x1, x2, x3) = last_sig(a)
    gap0, gap1 = x0 + x1, x2
    digits = cms_hex(a, x0, x1, x2)
    content = changed_page1(g, a, b"Noi dung da bi thay doi sau khi ky")
    (num, body), = content.items()
    prefix = b"<" + digits + b"> /Padding (\n"
    obj_at = gap0 + len(prefix)
    obj = b"%d 0 obj\n" % num + body + b"\nendobj\n"
    gap = prefix + obj + b")"
    inside = overwrite(a, gap0, gap1, gap)
    trailer = g.trailer(a)
    entries = b"/Size %d /Root %s /ID %s /Prev %d" % (
        g.size(a), pu.trailer_value(trailer, "Root"), pu.trailer_value(trailer, "ID"),
        pu.last_startxref(a))
    xref_at = len(inside) + 1
    g.emit("swa-objects-in-contents-gap.pdf",
           inside + b"\n" + pu.classic_xref({num: obj_at}, entries, xref_at), "SWA",
           "base-libsign.pdf", "page 1's new content stream written inside the unsigned "
           "/Contents gap (after the CMS, in the zero padding, as a literal string value "
           "/Padding (...) so the dictionary parses); a tiny appended update's xref points "
           "into the gap", "TOTAL-FAILED", "FORMAT_FAILURE", "DISALLOWED")

    # The same, with the xref section and trailer in the gap too: the appended
    # bytes are only "startxref N %%EOF".
    xref_in_gap = obj_at + len(obj)
    xref = pu.classic_xref({num: obj_at}, entries, 0)
    xref = xref[:xref.index(b"startxref")]
    gap = prefix + obj + xref + b")"
    inside = overwrite(a, gap0, gap1, gap)
    g.emit("swa-xref-in-contents-gap.pdf", inside + b"\nstartxref\n%d\n%%%%EOF\n" % xref_in_gap,
           "SWA", "base-libsign.pdf", "page 1's new content stream, an xref section and a "
           "trailer, all inside the unsigned /Contents gap (literal string /Padding); the only "
           "appended bytes are 'startxref N %%EOF'", "TOTAL-FAILED", "FORMAT_FAILURE",
           "DISALLOWED")


def prepare(g, plain, objects_fn):
    """plain + an update made by objects_fn(g, plain, first free number)."""
    return g.update(plain, objects_fn(g, plain, g.size(plain)))


def with_page1(g, data, n, contents_extra=(), annots=None, resources=None):
    """page 1 (object 7) with extra content streams, annotations, resources."""
    num, page = page1(g, data)
    contents = re.search(rb"/Contents (\d+ \d+ R)", page).group(1)
    page = pu.set_key(page, b"Contents", b"[ " + contents + b" " +
                      b" ".join(b"%d 0 R" % c for c in contents_extra) + b" ]")
    if annots:
        page = pu.set_key(page, b"Annots", b"[ " + b" ".join(b"%d 0 R" % c for c in annots) + b" ]")
    if resources:
        page = pu.set_key(page, b"Resources", resources)
    return num, page


RES_F1 = b"<< /Font << /F1 3 0 R >> >>"


def make_shadow(g, plain):
    dis = ("TOTAL-FAILED", "-", "DISALLOWED")
    res = g.show(plain, 5)

    # -- hide: an optional content group, OFF in the signed document.
    def ocg(g, data, n):
        page_num, page = with_page1(g, data, n, [n + 1])
        catalog = g.show(data, g.root(data))
        return {
            n: b"<< /Type /OCG /Name (Ghi chu noi bo) >>",
            n + 1: stream(text(40, 330, 14, BENIGN) +
                          b"/OC /oc1 BDC\n" + text(40, 300, 16, EVIL) + b"EMC"),
            5: res[:-2].rstrip() + b" /Properties << /oc1 %d 0 R >> >>" % n,
            page_num: page,
            g.root(data): pu.set_key(catalog, b"OCProperties",
                                     b"<< /OCGs [ %d 0 R ] /D << /Order [ %d 0 R ] /OFF [ %d 0 R ] >> >>"
                                     % (n, n, n)),
        }
    base = g.libsign(prepare(g, plain, ocg))
    g.base("base-shadow-hide-ocg.pdf", base, "signed document whose page 1 holds a text in an "
           "optional content group that is OFF (invisible) when signed")
    catalog = g.show(base, g.root(base))
    flipped = re.sub(rb"/OFF \[ (\d+ 0 R) \]", rb"/ON [ \1 ] /OFF [ ]", catalog)
    assert flipped != catalog
    g.emit("shadow-hide-ocg.pdf", g.update(base, {g.root(base): flipped}), "SHADOW-HIDE",
           "base-shadow-hide-ocg.pdf", "update changes only the catalog's /OCProperties /D "
           "(the group ON): the signed but hidden text '900.000.000 VND' appears", *dis)

    # -- hide: an opaque form XObject covering a text; the update empties it.
    def cover(g, data, n):
        page_num, page = with_page1(g, data, n, [n])
        return {
            n: stream(text(40, 300, 16, EVIL) + b"q /Cover Do Q"),
            n + 1: stream(b"1 g 35 290 350 30 re f 0 g\n" + text(40, 300, 16, BENIGN),
                          b" /Type /XObject /Subtype /Form /BBox [0 0 420 595] /Resources " + RES_F1),
            5: res.replace(b"/XObject << ", b"/XObject << /Cover %d 0 R " % (n + 1)),
            page_num: page,
        }
    base = g.libsign(prepare(g, plain, cover))
    g.base("base-shadow-hide-overlay.pdf", base, "signed document whose page 1 draws a text "
           "and then an opaque form XObject (/Cover) over it showing another text")
    xobj = int(re.search(rb"/Cover (\d+) 0 R", g.show(base, 5)).group(1))
    g.emit("shadow-hide-overlay.pdf", g.update(base, {
        xobj: stream(b"", b" /Type /XObject /Subtype /Form /BBox [0 0 420 595]")}),
        "SHADOW-HIDE", "base-shadow-hide-overlay.pdf", "update redefines only the covering "
        "form XObject (same object number) as an empty form: the signed text under it appears",
        *dis)

    # -- hide: an annotation whose appearance covers a text; the update hides it.
    def annot(g, data, n):
        page_num, page = with_page1(g, data, n, [n], annots=[n + 1])
        return {
            n: stream(text(40, 300, 16, EVIL)),
            n + 1: b"<< /Type /Annot /Subtype /Square /Rect [35 290 385 320] /F 4 /C [1 1 1] "
                   b"/IC [1 1 1] /Border [0 0 0] /AP << /N %d 0 R >> >>" % (n + 2),
            n + 2: stream(b"1 g 0 0 350 30 re f 0 g\n" + text(5, 10, 16, BENIGN),
                          b" /Type /XObject /Subtype /Form /BBox [0 0 350 30] /Resources " + RES_F1),
            page_num: page,
        }
    base = g.libsign(prepare(g, plain, annot))
    g.base("base-shadow-hide-annotation.pdf", base, "signed document whose page 1 text is "
           "covered by a Square annotation with an opaque appearance showing another text")
    page_num, page = page1(g, base)
    ann = int(re.search(rb"/Annots \[ (\d+) 0 R", page).group(1))
    hidden = g.show(base, ann).replace(b"/F 4", b"/F 2")
    g.emit("shadow-hide-annotation.pdf", g.update(base, {ann: hidden}), "SHADOW-HIDE",
           "base-shadow-hide-annotation.pdf", "update changes only the covering annotation's "
           "/F from 4 (Print) to 2 (Hidden): the signed text under it appears", *dis)

    # -- replace: a certified (P=2, form filling) document with a text field.
    def form(g, data, n):
        page_num, page = with_page1(g, data, n, [n], annots=[n + 2])
        catalog = g.show(data, g.root(data))
        return {
            n: stream(text(40, 300, 16, BENIGN, font=b"/FA")),
            n + 1: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            n + 2: b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (ghi_chu) /V (Khong) /F 4 "
                   b"/Rect [40 60 380 80] /DA (/FA 10 Tf 0 g) /P %d 0 R /AP << /N %d 0 R >> >>"
                   % (page_num, n + 3),
            n + 3: stream(b"/Tx BMC q BT /FA 10 Tf 0 g 2 6 Td (Khong) Tj ET Q EMC",
                          b" /Type /XObject /Subtype /Form /BBox [0 0 340 20] "
                          b"/Resources << /Font << /FA %d 0 R >> >>" % (n + 1)),
            n + 4: b"<< /Fields [ %d 0 R ] /DR << /Font << /FA %d 0 R >> >> /DA (/FA 10 Tf 0 g) >>"
                   % (n + 2, n + 1),
            5: res.replace(b"/Font << ", b"/Font << /FA %d 0 R " % (n + 1)),
            page_num: page,
            g.root(data): pu.set_key(catalog, b"AcroForm", b"%d 0 R" % (n + 4)),
        }
    base = g.libsign(prepare(g, plain, form), "--certify", "form-filling")
    g.base("base-certified-p2-form.pdf", base, "certified document (DocMDP P=2, form filling) "
           "with a text field 'ghi_chu' and the amount '1.000.000 VND' in font /FA")
    fa, field = g.size(plain) + 1, g.size(plain) + 2
    assert b"/T (ghi_chu)" in g.show(base, field)
    n = g.size(base)
    fill_ap = stream(b"/Tx BMC q BT /FA 10 Tf 0 g 2 6 Td (Da thanh toan) Tj ET Q EMC",
                     b" /Type /XObject /Subtype /Form /BBox [0 0 340 20] "
                     b"/Resources << /Font << /FA %d 0 R >> >>" % fa)
    filled = g.show(base, field).replace(b"(Khong)", b"(Da thanh toan)")
    filled = re.sub(rb"/AP << /N \d+ 0 R >>", b"/AP << /N %d 0 R >>" % n, filled)
    g.emit("shadow-replace-font.pdf", g.update(base, {
        field: filled, n: fill_ap,
        fa: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
            b"/BaseEncoding /WinAnsiEncoding /Differences [ 49 /nine ] >> >>"}),
        "SHADOW-REPLACE", "base-certified-p2-form.pdf", "P=2 document: the update fills the "
        "field (allowed) and also redefines the font object /FA that the field and the page's "
        "signed amount use, with /Differences [49 /nine]: '1.000.000' now shows as '9.000.000'",
        *dis)
    moved = g.show(base, field).replace(b"(Khong)", b"(" + EVIL + b")")
    moved = re.sub(rb"/Rect \[[^\]]*\]", b"/Rect [ 35 290 385 320 ]", moved)
    moved = re.sub(rb"/AP << /N \d+ 0 R >>", b"/AP << /N %d 0 R >>" % n, moved)
    g.emit("shadow-replace-overlay.pdf", g.update(base, {
        field: moved,
        n: stream(b"/Tx BMC q 1 g 0 0 350 30 re f BT /FA 16 Tf 0 g 5 10 Td (" + EVIL +
                  b") Tj ET Q EMC", b" /Type /XObject /Subtype /Form /BBox [0 0 350 30] "
                  b"/Resources << /Font << /FA %d 0 R >> >>" % fa)}),
        "SHADOW-REPLACE", "base-certified-p2-form.pdf", "P=2 document: the update 'fills' the "
        "text field with an opaque appearance AND moves its widget (/Rect) over the signed "
        "amount, which now shows '900.000.000 VND'", *dis)
    g.emit("cert-p2-add-annotation.pdf", g.update(base, {
        n: b"<< /Type /Annot /Subtype /FreeText /Rect [35 290 385 320] /F 4 /Contents (" + EVIL +
           b") /DA (/FA 16 Tf 0 g) /AP << /N %d 0 R >> /P %d 0 R >>" % (n + 1, page1(g, base)[0]),
        n + 1: stream(b"1 g 0 0 350 30 re f BT /F1 16 Tf 0 g 5 10 Td (" + EVIL + b") Tj ET",
                      b" /Type /XObject /Subtype /Form /BBox [0 0 350 30] /Resources " + RES_F1),
        page1(g, base)[0]: re.sub(rb"/Annots \[ ", b"/Annots [ %d 0 R " % n, page1(g, base)[1])}),
        "CERT", "base-certified-p2-form.pdf", "Evil Annotation: P=2 document, the update adds "
        "a FreeText annotation whose opaque appearance covers the amount (annotations are not "
        "allowed at P=2)", *dis)

    # -- hide-and-replace: an unreferenced alternative page tree and content.
    def alternative(g, data, n):
        return {
            n: b"<< /Type /Pages /Kids [ %d 0 R ] /Count 1 >>" % (n + 1),
            n + 1: b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 420 595] /Resources 5 0 R "
                   b"/Contents %d 0 R >>" % (n, n + 2),
            n + 2: stream(text(40, 540, 18, b"Uy ban nhan dan xa Chi Minh") +
                          text(40, 510, 12, b"Giay khai sinh - Da Nang") + text(40, 300, 16, EVIL) +
                          b"0 0 1 RG 4 w 30 30 360 535 re S"),
        }
    prepared = prepare(g, plain, alternative)
    base = g.libsign(prepared)
    g.base("base-shadow-hide-and-replace.pdf", base, "signed document holding an unreferenced "
           "alternative page tree (a /Pages, a page and its content) besides the real one")
    alt_pages = g.size(plain)
    catalog = g.show(base, g.root(base))
    g.emit("shadow-hide-and-replace-pages.pdf", g.update(base, {
        g.root(base): re.sub(rb"/Pages \d+ 0 R", b"/Pages %d 0 R" % alt_pages, catalog)}),
        "SHADOW-HIDE-AND-REPLACE", "base-shadow-hide-and-replace.pdf", "update changes only "
        "the catalog's /Pages reference, to the signed but unreferenced page tree: no new "
        "content in the update", *dis)
    page_num, page = page1(g, base)
    g.emit("shadow-hide-and-replace-contents.pdf", g.update(base, {
        page_num: re.sub(rb"/Contents \d+ 0 R", b"/Contents %d 0 R" % (alt_pages + 2), page)}),
        "SHADOW-HIDE-AND-REPLACE", "base-shadow-hide-and-replace.pdf", "update changes only "
        "page 1's /Contents reference, to the signed but unreferenced content stream", *dis)


def make_certification(g, plain):
    base = g.libsign(plain, "--certify", "no-changes")
    g.base("base-certified-p1.pdf", base, "certified document (DocMDP P=1, no changes)")
    n = g.size(base)
    page_num, page = page1(g, base)
    g.emit("cert-p1-add-annotation.pdf", g.update(base, {
        n: b"<< /Type /Annot /Subtype /Text /Rect [340 520 360 540] /F 4 /Contents "
           b"(Ghi chu them sau khi chung thuc) /Name /Comment /P %d 0 R >>" % page_num,
        page_num: re.sub(rb"/Annots \[ ", b"/Annots [ %d 0 R " % n, page)}),
        "CERT", "base-certified-p1.pdf", "P=1 (no changes allowed) document: the update adds a "
        "Text (sticky note) annotation to page 1", "TOTAL-FAILED", "-", "DISALLOWED")


def make_controls(g, a):
    two = g.libsign(a, "--name", "Lê Đức Cường", key="signer-ecp256")
    g.emit("control-second-signature.pdf", two, "CONTROL", "base-libsign.pdf",
           "a legitimate second (approval) signature by another signer (ECDSA P-256) added "
           "after the first", "TOTAL-PASSED", "-", "ALLOWED")
    with open(os.path.join(PKI, "inter-ca.crt"), "rb") as f:
        pem = f.read()
    # Read from standard input by default; check=True: an empty certificate must not pass silently.
    der = run(["openssl", "x509", "-outform", "DER"], input=pem, check=True).stdout
    assert len(der) > 500, "control-dss-update: the intermediate certificate did not convert"
    n = g.size(a)
    catalog = g.show(a, g.root(a))
    g.emit("control-dss-update.pdf", g.update(a, {
        n: b"<< /Length %d >>\nstream\n" % len(der) + der + b"\nendstream",
        g.root(a): pu.set_key(catalog, b"DSS", b"<< /Certs [ %d 0 R ] >>" % n)}),
        "CONTROL", "base-libsign.pdf", "a DSS-only update written by hand: the catalog gains "
        "/DSS << /Certs [one stream: the intermediate CA certificate] >>", "TOTAL-PASSED", "-",
        "ALLOWED")


def main(argv):
    cli = argv[0] if argv else os.path.join(ROOT, "build", "bin", "libsign")
    if not os.access(cli, os.X_OK):
        sys.exit(f"make-attacks: no libsign CLI at {cli} (build first, or pass its path)")
    for f in os.listdir(HERE):
        if f.endswith(".pdf"):
            os.remove(os.path.join(HERE, f))
    with tempfile.TemporaryDirectory(prefix="make-attacks.") as work:
        g = Gen(cli, work)
        plain, a, b = make_bases(g)
        make_controls(g, a)
        make_usf(g, a, b)
        make_isa(g, a, b)
        make_swa(g, a, b)
        make_shadow(g, plain)
        make_certification(g, plain)
        g.observe()
        g.write_manifest()
    counts = {}
    for row in g.rows:
        counts[row["class"]] = counts.get(row["class"], 0) + 1
    print("make-attacks: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
