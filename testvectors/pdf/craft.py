#!/usr/bin/python3
"""Helpers for make-corpus.sh: hand-written PDFs, hybrid-reference files,
incremental updates, damaged variants and the manifest.

    craft.py handmade OUT [--eol lf|crlf|cr] [--version 1.4] [--junk]
    craft.py hybrid QDF_IN OUT
    craft.py incremental IN OUT N          (N = 1..3 appended updates)
    craft.py sigfield IN OUT               (appends an unsigned /FT /Sig field)
    craft.py damage CORPUS_DIR DAMAGED_DIR
    craft.py manifest TESTVECTORS_PDF_DIR VERSIONS_TSV  > MANIFEST.tsv

Only the Python standard library is used, plus the qpdf command (to read
objects of the input files).
"""
import os
import re
import subprocess
import sys
import zlib


# ------------------------------------------------------------------ helpers
def qpdf(*args):
    r = subprocess.run(["qpdf", *args], capture_output=True)
    if r.returncode not in (0, 3):
        raise SystemExit(f"qpdf {' '.join(args)} failed: {r.stderr.decode()}")
    return r.stdout.decode("latin-1")


def show(path, num, gen=0):
    return qpdf(f"--show-object={num},{gen}", path).strip()


def trailer_of(path):
    return qpdf("--show-object=trailer", path).strip()


def ref_of(dict_text, key):
    m = re.search(r"/%s\s+(\d+)\s+(\d+)\s+R" % key, dict_text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def pages_of(path):
    out = qpdf("--show-pages", path)
    return [(int(a), int(b)) for a, b in re.findall(r"page \d+: (\d+) (\d+) R", out)]


def last_startxref(data):
    i = data.rfind(b"startxref")
    m = re.match(rb"startxref\s+(\d+)", data[i:]) if i >= 0 else None
    if not m:
        raise ValueError("no startxref offset found")
    return int(m.group(1))


def header_offset(data):
    return data.find(b"%PDF-")


def read_section(data, off):
    """Parse one cross-reference section at off. Returns dict with kind,
    entries {num: (type, f2, gen)}, prev, xrefstm, trailer text."""
    if data[off:off + 4] == b"xref":
        p = off + 4
        entries = {}
        eols = set()
        while True:
            m = re.compile(rb"\s*(\d+)\s+(\d+)[ \t]*(\r\n|\r|\n)").match(data, p)
            if not m:
                break
            start, cnt = int(m.group(1)), int(m.group(2))
            p = m.end()
            for i in range(cnt):
                e = data[p:p + 20]
                mm = re.match(rb"(\d{10}) (\d{5}) ([nf])", e)
                if not mm:
                    raise ValueError(f"bad xref entry at {p}")
                eols.add(e[18:20])
                entries[start + i] = (1 if mm.group(3) == b"n" else 0, int(mm.group(1)), int(mm.group(2)))
                p += 20
        t = data.find(b"trailer", p)
        if t < 0 or t - p > 64:
            raise ValueError("no trailer after xref table")
        end = data.find(b"startxref", t)
        tr = data[t:end if end > 0 else len(data)]
        prev = re.search(rb"/Prev\s+(\d+)", tr)
        xs = re.search(rb"/XRefStm\s+(\d+)", tr)
        return dict(kind="hybrid" if xs else "table", entries=entries, eols=eols,
                    prev=int(prev.group(1)) if prev else None,
                    xrefstm=int(xs.group(1)) if xs else None, trailer=tr)
    m = re.compile(rb"(\d+)\s+(\d+)\s+obj\s*<<").match(data, off)
    if not m:
        raise ValueError(f"no xref section at offset {off}")
    s = data.find(b"stream", m.end())
    d = data[m.end():s]
    if not re.search(rb"/Type\s*/XRef", d):
        raise ValueError(f"object at {off} is not an xref stream")
    prev = re.search(rb"/Prev\s+(\d+)", d)
    return dict(kind="stream", entries={}, eols=set(), prev=int(prev.group(1)) if prev else None,
                xrefstm=None, trailer=d)


def xref_chain(data):
    """Follow startxref and /Prev. Returns list of sections (newest first)."""
    base = header_offset(data)
    off = last_startxref(data)
    seen, chain = set(), []
    while off is not None:
        if off in seen:
            raise ValueError("xref /Prev loop")
        seen.add(off)
        try:
            sec = read_section(data, off)
        except ValueError:
            if base > 0:                       # offsets relative to %PDF- (junk before header)
                sec = read_section(data, off + base)
            else:
                raise
        sec["offset"] = off
        chain.append(sec)
        off = sec["prev"]
    return chain


def flate_xref_rows(rows, w=(1, 4, 2)):
    """Encode xref stream rows with the PNG Up predictor (Predictor 12)."""
    cols = sum(w)
    raw, prev = bytearray(), bytes(cols)
    for r in rows:
        b = b"".join(v.to_bytes(n, "big") for v, n in zip(r, w))
        raw += b"\x02" + bytes((b[i] - prev[i]) & 0xFF for i in range(cols))
        prev = b
    return zlib.compress(bytes(raw), 9), cols


def index_runs(nums):
    runs, nums = [], sorted(nums)
    for n in nums:
        if runs and runs[-1][0] + runs[-1][1] == n:
            runs[-1][1] += 1
        else:
            runs.append([n, 1])
    return runs


# ------------------------------------------------------------------ handmade
def handmade(out, eol="lf", version="1.4", junk=False):
    """Hand-written classic-xref file exercising: page tree inheritance
    (MediaBox/Resources/Rotate/CropBox on /Pages nodes), /Rotate 90 on a page,
    /CropBox on a page, indirect /Length (defined after its stream), generation
    numbers > 0, a free list with several entries, several xref subsections,
    comments, string escapes, #xx name escapes, UTF-16BE text strings."""
    E = {"lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}[eol]
    SE = b"\r\n" if eol == "cr" else E            # after 'stream' a lone CR is not allowed
    XE = {"lf": b" \n", "crlf": b"\r\n", "cr": b" \r"}[eol]   # 20-byte xref entries

    def L(*lines):
        return E.join(x.encode("latin-1") if isinstance(x, str) else x for x in lines)

    body1 = b"BT /F1 22 Tf 60 760 Td (Uy ban nh\\342n d\\342n x\\343 Ch\\355 Minh) Tj ET" + E + \
            b"BT /F2 14 Tf 60 730 Td (Page 1: inherits MediaBox, Resources, CropBox and /Rotate 90) Tj ET" + E + \
            b"0 0 1 RG 3 w 40 40 515 762 re S"
    body2 = zlib.compress(b"BT /F2 18 Tf 60 700 Td (Page 2: own MediaBox \\(Letter\\), /Rotate 0) Tj ET\n")
    body2b = b"1 0 0 RG 5 w 50 50 512 692 re S"
    body3 = b"BT /F1 16 Tf 60 760 Td (Page 3: /Rotate 90 and /CropBox on the page) Tj ET" + E + \
            b"BT /F2 12 Tf 60 740 Td (Gi\\341y khai sinh \\(ban sao\\) - \\320\\340 N\\365ng) Tj ET"
    subj = "Ủy ban nhân dân xã Chí Minh — Giấy khai sinh, Đà Nẵng".encode("utf-16-be")
    objs = [  # (num, gen, bytes)
        (1, 0, L("<< /Type /Catalog /Pages 2 0 R", "   /PageLayout /SinglePage % a comment inside a dictionary",
                 "   /Lang (vi-VN) >>")),
        (2, 0, L("<< /Type /Pages /Kids [ 3 1 R 9 0 R ] /Count 3",
                 "   /MediaBox [ 0 0 595 842 ] /Resources 6 0 R /Rotate 0 >>")),
        (3, 1, L("<< /Type /Pages /Parent 2 0 R /Kids [4 0 R 8 2 R] /Count 2",
                 "   /CropBox [ 20 20 575 822 ] /Rotate 90 >>")),
        (4, 0, L("<< /Type /Page /Parent 3 1 R /Contents 5 0 R >>")),
        (5, 0, L("<< /Length 7 0 R >>", b"stream" + SE + body1 + E + b"endstream")),
        (6, 0, L("<< /Font << /F1 14 0 R /F2 15 0 R >> /ProcSet [ /PDF /Text ] >>")),
        (7, 0, str(len(body1) + len(E)).encode()),
        (8, 2, L("<< /Type /Page /Parent 3 1 R /MediaBox [0 0 612 792] /Rotate 0",
                 "   /Contents [ 11 0 R 12 0 R ] >>")),
        (9, 0, L("<< /Type /Page /Parent 2 0 R /Contents 13 0 R /Rotate 90",
                 "   /CropBox [ 50.5 60 545 792.25 ] /Annots [ 16 0 R ] >>")),
        (11, 0, L("<< /Length %d /Filter /FlateDecode >>" % len(body2), b"stream" + SE + body2 + E + b"endstream")),
        (12, 0, L("<< /Length 19 0 R >>", b"stream" + SE + body2b + E + b"endstream")),
        (13, 0, L("<< /Length %d >>" % len(body3), b"stream" + SE + body3 + E + b"endstream")),
        (14, 0, L("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")),
        (15, 0, L("<< /Type /Font /Subtype /Type1 /BaseFont /Times#2DRoman /Encoding /WinAnsiEncoding >>")),
        (16, 0, L("<< /Type /Annot /Subtype /Text /Rect [ 400 700 420 720 ] /Open false",
                  "   /Contents (Ghi ch\\372: \\(nested (balanced) parens\\)\\n\\ttab \\\\ backslash) /Name /Note >>")),
        (18, 0, L("<< /Title (Gi\\341y khai sinh - hand-written test file)",
                  b"   /Subject <FEFF" + subj.hex().upper().encode() + b">",
                  "   /Producer (libsign craft.py) /Ma#20so#2Fid (048324000001)",
                  "   /CreationDate (D:20240101000000Z) >>")),
        (19, 0, str(len(body2b) + len(E)).encode()),
    ]
    free = {0: (10, 65535), 10: (17, 1), 17: (0, 3)}   # free list 0 -> 10 -> 17 -> 0
    hdr = ("%PDF-" + version).encode() + E + b"%\xe2\xe3\xcf\xd3" + E
    pre = b""
    if junk:
        pre = b"This line is junk before the header (e.g. a mail or HTTP wrapper)\r\n" + b"\x00" * 4 + b"\n"
    data = bytearray(hdr)
    off = {}
    for num, gen, body in objs:
        if num == 11:
            data += b"% comment line between objects" + E
        off[num] = (len(data), gen)
        data += b"%d %d obj" % (num, gen) + E + body + E + b"endobj" + E
    xref_off = len(data)
    size = 20
    data += b"xref" + E
    for a, b in ((0, 8), (8, 5), (13, 7)):          # three subsections
        data += b"%d %d" % (a, b) + E
        for n in range(a, a + b):
            if n in off:
                data += b"%010d %05d n" % off[n] + XE
            else:
                nx, g = free[n]
                data += b"%010d %05d f" % (nx, g) + XE
    data += L("trailer", "<< /Size %d /Root 1 0 R /Info 18 0 R" % size,
              "   /ID [ <4C53494748414E444D414445" + eol.upper().encode().hex().upper() + "> <0123456789ABCDEF0123456789ABCDEF> ] >>",
              "startxref", str(xref_off), "%%EOF") + E
    with open(out, "wb") as f:
        f.write(pre + data)


# ------------------------------------------------------------------ hybrid
def hybrid(qdf_in, out):
    """Rewrite a qpdf --qdf file (classic table) as a hybrid-reference file:
    non-essential objects move into an object stream that only the /XRefStm
    stream describes; the classic table marks them free."""
    data = open(qdf_in, "rb").read()
    sec = read_section(data, last_startxref(data))
    sec["offset"] = last_startxref(data)
    tr = sec["trailer"].decode("latin-1")
    root = ref_of(tr, "Root")
    offs = sorted((o, n) for n, (t, o, g) in sec["entries"].items() if t == 1)
    spans = {}
    for i, (o, n) in enumerate(offs):
        end = offs[i + 1][0] if i + 1 < len(offs) else sec["offset"]
        spans[n] = data[o:end]
    compressed, plain = [], []
    for n in sorted(spans):
        sp = spans[n]
        m = re.match(rb"(\d+) (\d+) obj\n", sp)
        gen = int(m.group(2))
        body = sp[m.end():sp.rfind(b"endobj")]
        is_stream = b"\nstream\n" in sp
        structural = re.search(rb"/Type /(Pages|Page|Catalog)\b", body) is not None
        is_int = re.fullmatch(rb"\s*\d+\s*", body) is not None
        if gen == 0 and not is_stream and not structural and not is_int and n != root[0]:
            compressed.append((n, body.strip()))
        else:
            plain.append(n)
    size = max(spans) + 1
    stm_num, xs_num = size, size + 1
    outb = bytearray(b"%PDF-1.5\n%\xbf\xf7\xa2\xfe\n% hybrid-reference file made by libsign craft.py\n")
    newoff = {}
    for n in plain:
        sp = spans[n]
        newoff[n] = (len(outb), int(re.match(rb"\d+ (\d+)", sp).group(1)))
        outb += sp
    # object stream
    hdr_parts, bodies, pos = [], bytearray(), 0
    for n, b in compressed:
        hdr_parts.append(b"%d %d" % (n, pos))
        bodies += b + b"\n"
        pos = len(bodies)
    head = b" ".join(hdr_parts) + b"\n"
    raw = head + bytes(bodies)
    comp = zlib.compress(raw, 9)
    newoff[stm_num] = (len(outb), 0)
    outb += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        stm_num, len(compressed), len(head), len(comp)) + comp + b"\nendstream\nendobj\n"
    # xref stream with the compressed entries only
    rows = [(2, stm_num, i) for i, (n, b) in enumerate(compressed)]
    runs = index_runs([n for n, b in compressed])
    enc, cols = flate_xref_rows(rows)
    xs_off = len(outb)
    newoff[xs_num] = (xs_off, 0)
    outb += b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Index [ %s ] /Filter /FlateDecode " \
            b"/DecodeParms << /Predictor 12 /Columns %d >> /Length %d >>\nstream\n" % (
                xs_num, size + 2, " ".join("%d %d" % (a, b) for a, b in runs).encode(), cols, len(enc)) \
        + enc + b"\nendstream\nendobj\n"
    # classic table: the hidden (compressed) objects are left out of the table
    # (subsections skip them). Marking them free instead breaks poppler, which
    # then ignores the /XRefStm entries for them.
    xref_off = len(outb)
    total = size + 2
    comp_set = sorted(n for n, b in compressed)
    outb += b"xref\n"
    for a, cnt in index_runs([0] + sorted(newoff)):
        outb += b"%d %d\n" % (a, cnt)
        for n in range(a, a + cnt):
            outb += (b"%010d %05d n \n" % newoff[n]) if n else b"0000000000 65535 f \n"
    idm = re.search(r"/ID\s*\[[^\]]*\]", tr)
    info = ref_of(tr, "Info")
    outb += b"trailer\n<< /Size %d /Root %d %d R%s%s /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        total, root[0], root[1], (b" /Info %d %d R" % info) if info else b"",
        (" " + idm.group(0)).encode() if idm else b"", xs_off, xref_off)
    assert comp_set, "nothing to compress"
    open(out, "wb").write(outb)


# ------------------------------------------------------------------ incremental updates
def _annot_objs(num, page_ref, k):
    x = 30 + 25 * k
    ap = b"1 0 0 RG 0 0 1 rg 2 w 1 1 38 18 re B"
    annot = ("<< /Type /Annot /Subtype /Square /Rect [ %d 30 %d 50 ] /C [ 1 0 0 ] /IC [ 0 0 1 ] /F 4 "
             "/BS << /W 2 >> /Contents (libsign update %d) /P %d %d R /AP << /N %d 0 R >> >>"
             % (x, x + 40, k, page_ref[0], page_ref[1], num + 1)).encode()
    apo = b"<< /Type /XObject /Subtype /Form /BBox [ 0 0 40 20 ] /Length %d >>\nstream\n" % len(ap) + ap + b"\nendstream"
    return annot, apo


def _add_to_array(path, dict_text, key, ref, objs_changed, holder):
    """Add 'ref' to array /key of dict_text (direct or indirect array).
    Returns new dict text (the holder object) or records a changed array object."""
    r = "%d %d R" % ref
    m = re.search(r"/%s\s*\[" % key, dict_text)
    if m:
        return dict_text[:m.end()] + " " + r + dict_text[m.end():]
    ind = ref_of(dict_text, key)
    if ind:
        arr = show(path, *ind)
        objs_changed[ind] = (arr.rstrip()[:-1] + " " + r + " ]").encode()
        return dict_text
    i = dict_text.index("<<") + 2
    return dict_text[:i] + " /%s [ %s ]" % (key, r) + dict_text[i:]


class Updater:
    """Append incremental update sections to a PDF, of the same xref kind as its last section."""

    def __init__(self, path):
        self.path = path
        self.data = bytearray(open(path, "rb").read())
        chain = xref_chain(bytes(self.data))
        self.kind = "stream" if chain[0]["kind"] == "stream" else "table"
        self.prev = last_startxref(bytes(self.data))
        tr = trailer_of(path)
        self.size = int(re.search(r"/Size (\d+)", tr).group(1))
        self.root = ref_of(tr, "Root")
        self.info = ref_of(tr, "Info")
        # first /ID element copied byte for byte from the newest trailer
        m = re.search(rb"/ID\s*\[\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))", chain[0]["trailer"])
        self.id0 = m.group(1).decode("latin-1") if m else "<00112233445566778899AABBCCDDEEFF>"
        self.rev = 0
        if not self.data.endswith(b"\n"):
            self.data += b"\n"

    def append(self, objs, frees=()):
        """objs: {(num, gen): bytes}; frees: [(num, next_gen)]"""
        self.rev += 1
        entries = {}
        for (n, g), body in sorted(objs.items()):
            entries[n] = (1, len(self.data), g)
            self.data += b"%d %d obj\n" % (n, g) + body + b"\nendobj\n"
        if frees:
            fl = sorted(frees)
            entries[0] = (0, fl[0][0], 65535)
            for i, (n, g) in enumerate(fl):
                entries[n] = (0, fl[i + 1][0] if i + 1 < len(fl) else 0, g)
        id1 = "<%032X>" % (0xC0FFEE00 + self.rev)
        info = (" /Info %d %d R" % self.info) if self.info else ""
        common = "/Size %d /Root %d %d R%s /ID [ %s %s ] /Prev %d" % (
            self.size, self.root[0], self.root[1], info, self.id0, id1, self.prev)
        xoff = len(self.data)
        if self.kind == "table":
            self.data += b"xref\n"
            for a, cnt in index_runs(entries):
                self.data += b"%d %d\n" % (a, cnt)
                for n in range(a, a + cnt):
                    t, f2, g = entries[n]
                    self.data += b"%010d %05d %s \n" % (f2, g, b"n" if t else b"f")
            self.data += ("trailer\n<< %s >>\n" % common).encode("latin-1")
        else:
            xs = self.size
            self.size += 1
            common = common.replace("/Size %d" % (xs), "/Size %d" % self.size, 1)
            entries[xs] = (1, xoff, 0)
            nums = sorted(entries)
            rows = [entries[n] for n in nums]
            enc, cols = flate_xref_rows(rows, (1, 4, 2))
            self.data += b"%d 0 obj\n<< /Type /XRef %s /W [ 1 4 2 ] /Index [ %s ] /Filter /FlateDecode " \
                         b"/DecodeParms << /Predictor 12 /Columns %d >> /Length %d >>\nstream\n" % (
                             xs, common.encode("latin-1"), " ".join("%d %d" % (a, c) for a, c in index_runs(nums)).encode(),
                             cols, len(enc)) + enc + b"\nendstream\nendobj\n"
        self.data += b"startxref\n%d\n%%%%EOF\n" % xoff
        self.prev = xoff

    def new_num(self):
        self.size += 1
        return self.size - 1

    def save(self, out):
        open(out, "wb").write(self.data)


def incremental(inp, out, n):
    u = Updater(inp)
    page1 = pages_of(inp)[0]
    page_txt = show(inp, *page1)
    orig_info = u.info
    # update 1: new /Info + a Square annotation (with appearance) on page 1
    k_info = u.new_num()
    a, ap = u.new_num(), u.new_num()
    annot, apo = _annot_objs(a, page1, 1)
    changed = {}
    page_txt = _add_to_array(inp, page_txt, "Annots", (a, 0), changed, page1)
    objs = {(k_info, 0): b"<< /Title (incremental update 1) /Producer (libsign craft.py) /ModDate (D:20240102000000Z) >>",
            (a, 0): annot, (ap, 0): apo, page1: page_txt.encode()}
    objs.update(changed)
    u.info = (k_info, 0)
    u.append(objs)
    if n >= 2:  # update 2: page 1 changed again (second annotation), update-1 /Info deleted (free, next gen 1)
        a2, ap2 = u.new_num(), u.new_num()
        annot2, apo2 = _annot_objs(a2, page1, 2)
        changed = {}
        page_txt = _add_to_array(inp, page_txt, "Annots", (a2, 0), changed, page1)
        # if /Annots was indirect, re-read the already changed array text
        objs = {(a2, 0): annot2, (ap2, 0): apo2, page1: page_txt.encode()}
        objs.update(changed)
        u.info = orig_info
        u.append(objs, frees=[(k_info, 1)])
    if n >= 3:  # update 3: object number of the deleted /Info reused with generation 1
        u.info = (k_info, 1)
        u.append({(k_info, 1): b"<< /Title (incremental update 3: object reused with generation 1) "
                               b"/Producer (libsign craft.py) /ModDate (D:20240103000000Z) >>"})
    u.save(out)


def sigfield(inp, out):
    """Append an update adding an empty (unsigned) signature field on page 1."""
    u = Updater(inp)
    page1 = pages_of(inp)[0]
    page_txt = show(inp, *page1)
    cat = show(inp, *u.root)
    f, ap = u.new_num(), u.new_num()
    apstream = b"0 0 1 RG 1 w 0.5 0.5 199 49 re S BT /Helv 9 Tf 4 38 Td (Ky ten / Signature) Tj ET"
    objs = {
        (f, 0): ("<< /FT /Sig /T (ChuKy1) /TU (Chu ky cua nguoi khai) /Type /Annot /Subtype /Widget "
                 "/Rect [ 340 150 540 200 ] /F 4 /P %d %d R /MK << /BC [ 0 0 1 ] >> /AP << /N %d 0 R >> >>"
                 % (page1[0], page1[1], ap)).encode(),
        (ap, 0): b"<< /Type /XObject /Subtype /Form /BBox [ 0 0 200 50 ] /Resources << /Font << /Helv "
                 b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Length %d >>\nstream\n"
                 % len(apstream) + apstream + b"\nendstream",
    }
    changed = {}
    page_txt = _add_to_array(inp, page_txt, "Annots", (f, 0), changed, page1)
    objs[page1] = page_txt.encode()
    acro = ref_of(cat, "AcroForm")
    if acro:
        at = show(inp, *acro)
        at = _add_to_array(inp, at, "Fields", (f, 0), changed, acro)
        objs[acro] = at.encode()
    elif "/AcroForm" in cat:
        cat = _add_to_array(inp, cat.replace("/AcroForm <<", "/AcroForm << /Fields [ ] ", 1)
                            if "/Fields" not in cat else cat, "Fields", (f, 0), changed, u.root)
        objs[u.root] = cat.encode()
    else:
        i = cat.index("<<") + 2
        objs[u.root] = (cat[:i] + " /AcroForm << /Fields [ %d 0 R ] >>" % f + cat[i:]).encode()
    objs.update(changed)
    u.append(objs)
    u.save(out)


# ------------------------------------------------------------------ damaged
def damage(cdir, ddir):
    def rd(n):
        return bytearray(open(os.path.join(cdir, n), "rb").read())

    def wr(n, d):
        open(os.path.join(ddir, n), "wb").write(bytes(d))

    d = rd("gs-1.4.pdf")
    wr("dmg-truncated-middle.pdf", d[:len(d) // 2])
    sx = last_startxref(bytes(d))
    wr("dmg-truncated-in-xref.pdf", d[:sx + 120])
    wr("dmg-truncated-before-eof.pdf", d[:d.rfind(b"startxref")])
    i = d.rfind(b"startxref")
    wr("dmg-wrong-startxref.pdf", d[:i] + b"startxref\n%d\n%%%%EOF\n" % (sx + 17))
    # shift every in-use entry of the table by +3 bytes (same entry width)
    sec = read_section(bytes(d), sx)
    e = bytearray(d)
    p = sx
    for n, (t, o, g) in sec["entries"].items():
        if t == 1:
            old = b"%010d %05d n" % (o, g)
            q = e.find(old, p)
            e[q:q + 10] = b"%010d" % (o + 3)
    wr("dmg-xref-offsets-shifted.pdf", e)
    d = rd("pdftex-classic.pdf")
    i = d.rfind(b"%%EOF")
    wr("dmg-missing-eof.pdf", d[:i])
    d = rd("lo-writer.pdf")
    junk = bytes((i * 73 + 41) % 256 for i in range(3000))
    wr("dmg-garbage-after-eof.pdf", d + b"\n<html><body>502 Bad Gateway</body></html>\n" + junk)
    d = rd("incr1-classic.pdf")
    m = list(re.finditer(rb"/Prev (\d+)", bytes(d)))[-1]
    wr("dmg-prev-past-end.pdf", d[:m.start(1)] + b"%d" % (len(d) * 10) + d[m.end(1):])
    d = rd("incr3-classic.pdf")
    last = last_startxref(bytes(d))
    m = list(re.finditer(rb"/Prev (\d+)", bytes(d)))[-1]
    wr("dmg-prev-loop-self.pdf", d[:m.start(1)] + b"%d" % last + d[m.end(1):])
    # 2-cycle: the oldest update's /Prev points to the newest section
    m = list(re.finditer(rb"/Prev (\d+)", bytes(d)))[0]
    wr("dmg-prev-loop-cycle.pdf", d[:m.start(1)] + b"%d" % last + d[m.end(1):])
    d = rd("pdftex-objstm.pdf")
    sx = last_startxref(bytes(d))
    wr("dmg-xrefstream-truncated.pdf", d[:sx + 60])
    d = rd("handmade-lf.pdf")
    # indirect /Length object 7 holds a wrong value (too long by 40)
    m = re.search(rb"\n7 0 obj\n(\d+)\n", bytes(d))
    v = int(m.group(1))
    newv = b"%d" % (v + 40)
    assert len(newv) == len(m.group(1)), "length width changed"
    wr("dmg-stream-length-wrong.pdf", d[:m.start(1)] + newv + d[m.end(1):])


# ------------------------------------------------------------------ manifest
NOTES = {
    "rl-form": ("reportlab", "3 pages; Vietnamese text, embedded DejaVu TrueType subset; PNG image; AcroForm text field + checkbox"),
    "rl-plain-uncompressed": ("reportlab", "pageCompression=0: uncompressed content streams; no form"),
    "lo-writer": ("LibreOffice", "HTML -> Writer/Web export; table, image, form text field; 2 pages"),
    "lo-pdfa2b": ("LibreOffice", "PDF/A-2b + tagged (StructTreeRoot), XMP metadata"),
    "pdftex-objstm": ("pdfTeX", "pdflatex default (\\pdfobjcompresslevel=2); hyperref text field; ASCII text (no T5 fonts in texlive-latex-base)"),
    "pdftex-classic": ("pdfTeX", "\\pdfobjcompresslevel=0 \\pdfminorversion=4; hyperref text field"),
    "groff": ("groff", "groff -ms -Tpdf (gropdf); base-14 fonts; 2 pages"),
    "mutool-create": ("mutool", "mutool create -O compress; page 2 has /Rotate 90; PNG image"),
    "mutool-create-pretty": ("mutool", "mutool create -O pretty,ascii: pretty-printed, ASCIIHex-encoded streams"),
    "mutool-clean-d": ("mutool", "mutool clean -d of rl-form (all streams decompressed)"),
    "mutool-clean-g4z": ("mutool", "mutool clean -gggg -z of rl-form (garbage-collected, renumbered, recompressed)"),
    "mutool-clean-ascii": ("mutool", "mutool clean -a -d of groff (ASCII-hex binary streams)"),
    "cairo-from-reportlab": ("cairo", "pdftocairo -pdf of rl-form (cairo rewrites everything; form dropped)"),
    "cairo-from-lo": ("cairo", "pdftocairo -pdf of lo-writer"),
    "gs-1.3": ("gs", "gs pdfwrite -dCompatibilityLevel=1.3 of rl-form"),
    "gs-1.4": ("gs", "gs pdfwrite -dCompatibilityLevel=1.4 of rl-form"),
    "gs-1.5": ("gs", "gs pdfwrite -dCompatibilityLevel=1.5 of rl-form (gs 10.00 still writes a classic table)"),
    "gs-1.7": ("gs", "gs pdfwrite -dCompatibilityLevel=1.7 of rl-form"),
    "gs-2.0": ("gs", "gs pdfwrite -dCompatibilityLevel=2.0 of rl-form"),
    "gs-ps": ("gs", "gs pdfwrite from a PostScript program; 2 pages"),
    "img2pdf-png": ("img2pdf", "single PNG (Flate + PNG predictor image); img2pdf writes LINEARIZED files"),
    "img2pdf-jpeg": ("img2pdf", "single JPEG (DCTDecode), A5 page; linearized"),
    "podofo-uncompress": ("podofo", "podofouncompress of gs-1.4"),
    "podofo-merge": ("podofo", "podofomerge groff + img2pdf-png"),
    "podofo-cropbox": ("podofo", "podofobox crop of gs-ps: /CropBox on pages"),
    "podofo-txt2pdf": ("podofo", "podofotxt2pdf of the Vietnamese text (embedded font)"),
    "qpdf-qdf": ("qpdf", "qpdf --qdf of rl-form: uncompressed, indirect /Length objects, %% comments"),
    "qpdf-objstm": ("qpdf", "qpdf --object-streams=generate of gs-1.4"),
    "qpdf-objstm-disable": ("qpdf", "qpdf --object-streams=disable of pdftex-objstm"),
    "qpdf-objstm-preserve": ("qpdf", "qpdf --object-streams=preserve --deterministic-id of pdftex-objstm"),
    "qpdf-linearized": ("qpdf", "qpdf --linearize --deterministic-id of rl-form"),
    "qpdf-linearized-objstm": ("qpdf", "qpdf --linearize --object-streams=generate of lo-writer"),
    "qpdf-uncompressed": ("qpdf", "qpdf --compress-streams=n --decode-level=generalized of gs-ps"),
    "qpdf-newline-endstream": ("qpdf", "qpdf --stream-data=uncompress --newline-before-endstream of cairo-from-reportlab"),
    "qpdf-pdf20-objstm": ("qpdf", "qpdf --force-version=2.0 --object-streams=generate of rl-form"),
    "qpdf-pdf20-classic": ("qpdf", "qpdf --force-version=2.0 of mutool-create"),
    "qpdf-merge": ("qpdf", "qpdf --empty --pages: pages from reportlab, LibreOffice, groff, gs"),
    "qpdf-rotate": ("qpdf", "qpdf --rotate of pdftex-classic: /Rotate 90 on p1, 180 on p2"),
    "qpdf-form-appearances": ("qpdf", "qpdf --generate-appearances --object-streams=generate of pdftex-objstm"),
    "handmade-lf": ("craft", "hand-written; LF; inherited MediaBox/Resources/CropBox/Rotate on /Pages nodes, /Rotate 90 + /CropBox on a page, indirect /Length defined after the stream, gen>0 objects (3 1 R, 8 2 R), free list 0->10->17, 3 xref subsections, comments, #xx names, UTF-16BE /Subject"),
    "handmade-crlf": ("craft", "as handmade-lf with CRLF line endings"),
    "handmade-cr": ("craft", "as handmade-lf with CR-only line endings (CRLF after 'stream')"),
    "handmade-pdf20": ("craft", "as handmade-lf with a %PDF-2.0 header"),
    "handmade-junk-before-header": ("craft", "FLAGGED: junk bytes before %PDF-; xref offsets are relative to the %PDF- header (Acrobat/qpdf/poppler convention), NOT to byte 0; mutool repairs it"),
    "hybrid-xrefstm": ("craft", "hybrid-reference: classic table (hidden objects left out of its subsections) + /XRefStm stream for objects in an ObjStm; from qpdf --qdf of rl-form"),
    "hybrid-xrefstm-tex": ("craft", "hybrid-reference from qpdf --qdf of pdftex-classic; NOTE: '%%EOF' also occurs inside uncompressed ToUnicode CMap streams"),
    "incr1-classic": ("craft", "gs-1.4 + 1 appended update (new /Info, page 1 changed, annotation)"),
    "incr3-classic": ("craft", "handmade-lf + 3 updates: page 1 changed twice, object freed then reused with generation 1"),
    "incr2-xrefstm": ("craft", "qpdf-objstm + 2 updates written as xref streams (PNG Up predictor), with a free entry"),
    "incr1-on-linearized": ("craft", "qpdf-linearized + 1 update: no longer linearized, /Prev -> first-page xref"),
    "incr1-on-hybrid": ("craft", "hybrid-xrefstm + 1 classic update"),
    "sigfield-incremental": ("craft", "rl-form + 1 update adding an unsigned /FT /Sig field with appearance"),
    "sigfield-rewritten": ("qpdf", "qpdf --deterministic-id of sigfield-incremental: unsigned /FT /Sig field in a single revision"),
    "dmg-truncated-middle": ("craft", "BROKEN: gs-1.4 cut at 50%"),
    "dmg-truncated-in-xref": ("craft", "BROKEN: gs-1.4 cut inside the xref table (no trailer, no startxref)"),
    "dmg-truncated-before-eof": ("craft", "BROKEN: gs-1.4 cut just before 'startxref' (trailer kept)"),
    "dmg-wrong-startxref": ("craft", "BROKEN: gs-1.4 with startxref 17 bytes too far"),
    "dmg-xref-offsets-shifted": ("craft", "BROKEN: gs-1.4 with every in-use xref entry +3 bytes"),
    "dmg-missing-eof": ("craft", "BROKEN: pdftex-classic without the final %%EOF"),
    "dmg-garbage-after-eof": ("craft", "BROKEN: lo-writer + an HTML error page and 3000 binary bytes after %%EOF"),
    "dmg-prev-past-end": ("craft", "BROKEN: incr1-classic whose last /Prev points past the end of file"),
    "dmg-prev-loop-self": ("craft", "BROKEN: incr3-classic whose last /Prev points to its own xref section"),
    "dmg-prev-loop-cycle": ("craft", "BROKEN: incr3-classic whose oldest update's /Prev points to the newest section (cycle)"),
    "dmg-xrefstream-truncated": ("craft", "BROKEN: pdftex-objstm cut inside its xref stream"),
    "dmg-stream-length-wrong": ("craft", "BROKEN: handmade-lf whose indirect /Length (7 0 obj) is 40 too large"),
    "dmg-mutool-linearized-bad-hints": ("mutool", "REAL PRODUCER DEFECT: mutool clean -l of lo-writer; xref fine, qpdf --check warns on the hint stream"),
    "enc-rc4-128-userempty": ("qpdf", "qpdf --encrypt '' owner-pw 128 --use-aes=n of rl-form (RC4-128, R3)"),
    "enc-rc4-128-userpw": ("qpdf", "RC4-128, user password 'user-pw', owner 'owner-pw'"),
    "enc-aes-128-userempty": ("qpdf", "AES-128 (R4), empty user password, of gs-1.5"),
    "enc-aes-256-userempty": ("qpdf", "AES-256 (R6), empty user password"),
    "enc-aes-256-userpw": ("qpdf", "AES-256 (R6), user password 'user-pw'"),
    "enc-aes-256-userpw-objstm": ("qpdf", "AES-256 (R6), user password 'user-pw', object streams (lo-writer)"),
    "enc-rc4-40-userempty": ("qpdf", "RC4-40 (R2, weak), empty user password, of groff"),
}


def inspect(path):
    data = open(path, "rb").read()
    hb = header_offset(data)
    m = re.match(rb"%PDF-(\d\.\d)", data[hb:hb + 8]) if hb >= 0 else None
    ver = m.group(1).decode() if m else "?"
    cv = re.search(rb"/Type\s*/Catalog[^>]*?/Version\s*/(\d\.\d)", data)
    if cv:
        ver += " (catalog /Version %s)" % cv.group(1).decode()
    objstm = "y" if re.search(rb"/Type\s*/ObjStm", data) else "n"
    r = subprocess.run(["qpdf", "--check-linearization", path], capture_output=True)
    lin = "y" if b"no linearization errors" in r.stdout else "n"
    lin_dict = re.search(rb"/Linearized\s", data[:1200]) is not None
    enc = "y" if re.search(rb"/Encrypt\s+\d+\s+\d+\s+R", data) else "n"
    extra = []
    try:
        chain = xref_chain(data)
        kinds = [s["kind"] for s in chain]
        revs = len(chain) - (1 if lin_dict and len(chain) > 1 else 0)
        kind = "+".join(sorted(set(kinds)))
        gens = sorted({g for s in chain for n, (t, o, g) in s["entries"].items() if t == 1 and g > 0})
        frees = sorted({n for s in chain for n, (t, o, g) in s["entries"].items() if t == 0 and n > 0})
        eols = {e for s in chain for e in s["eols"]}
        bad = 0
        for sec in chain:
            for n, (t, o, g) in sec["entries"].items():
                if t == 1 and not re.compile(rb"\s*%d\s+%d\s+obj" % (n, g)).match(data, o + max(hb, 0)):
                    bad += 1
        if bad:
            extra.append("%d xref entries do not point at 'N G obj'" % bad)
        if gens:
            extra.append("gen>0")
        if frees:
            extra.append("free entries: %d" % len(frees))
        if eols:
            nm = {b" \n": "SP+LF", b"\r\n": "CR+LF", b" \r": "SP+CR"}
            extra.append("xref entry EOL " + "/".join(sorted(nm.get(e, repr(e)) for e in eols)))
        if len(chain) > 1:
            extra.append("xref sections: " + " <- ".join(kinds))
    except Exception as e:  # damaged files
        kind, revs = "broken", "?"
        extra.append("xref chain unreadable: %s" % e)
    if hb > 0:
        extra.append("%d bytes before %%PDF-" % hb)
    extra.append("%%%%EOF x%d" % data.count(b"%%EOF"))
    if data.count(b"%%EOF") != data.count(b"startxref"):
        extra.append("'%%EOF' count != 'startxref' count")
    if b"\r\n" in data[:40]:
        extra.append("CRLF")
    elif re.match(rb"%PDF-\d\.\d\r[^\n]", data[hb:hb + 10] if hb >= 0 else b""):
        extra.append("CR")
    if re.search(rb"/Length\s+\d+\s+\d+\s+R", data):
        extra.append("indirect /Length")
    if re.search(rb"/FT\s*/Sig", data):
        extra.append("/FT /Sig")
    if re.search(rb"/AcroForm", data):
        extra.append("AcroForm")
    if re.search(rb"/CropBox", data):
        extra.append("CropBox")
    if re.search(rb"/Rotate\s+(90|180|270)", data):
        extra.append("Rotate")
    return ver, kind, objstm, lin, str(revs), enc, extra


def manifest(top, versions_tsv):
    vers = {}
    for line in open(versions_tsv, encoding="utf-8"):
        k, v = line.rstrip("\n").split("\t", 1)
        vers[k] = v
    prod = {
        "reportlab": "reportlab " + vers.get("reportlab", "?"),
        "LibreOffice": "LibreOffice " + vers.get("libreoffice", "?"),
        "pdfTeX": vers.get("pdftex", "pdfTeX"),
        "groff": "groff " + vers.get("groff", "?") + " (gropdf)",
        "mutool": "mupdf-tools (mutool) " + vers.get("mutool", "?"),
        "cairo": "cairo " + vers.get("cairo", "?") + " via pdftocairo (poppler " + vers.get("poppler", "?") + ")",
        "gs": "Ghostscript " + vers.get("gs", "?"),
        "img2pdf": "img2pdf " + vers.get("img2pdf", "?"),
        "podofo": "PoDoFo tools " + vers.get("podofo", "?"),
        "qpdf": "qpdf " + vers.get("qpdf", "?"),
        "craft": "craft.py (python " + vers.get("python", "?") + ") + qpdf " + vers.get("qpdf", "?"),
    }
    print("\t".join(["file", "producer", "pdf_version", "xref", "objstm", "linearized",
                     "revisions", "encrypted", "size", "notes"]))
    for sub in ("corpus", "encrypted", "damaged"):
        for fn in sorted(os.listdir(os.path.join(top, sub))):
            if not fn.endswith(".pdf"):
                continue
            p = os.path.join(top, sub, fn)
            key = fn[:-4]
            who, note = NOTES.get(key, ("?", ""))
            ver, kind, objstm, lin, revs, enc, extra = inspect(p)
            print("\t".join([sub + "/" + fn, prod.get(who, who), ver, kind, objstm, lin, revs, enc,
                             str(os.path.getsize(p)), (note + "; " if note else "") + ", ".join(extra)]))


# ------------------------------------------------------------------ main
def main(a):
    cmd = a[0]
    if cmd == "handmade":
        eol = a[a.index("--eol") + 1] if "--eol" in a else "lf"
        ver = a[a.index("--version") + 1] if "--version" in a else "1.4"
        handmade(a[1], eol, ver, "--junk" in a)
    elif cmd == "hybrid":
        hybrid(a[1], a[2])
    elif cmd == "incremental":
        incremental(a[1], a[2], int(a[3]))
    elif cmd == "sigfield":
        sigfield(a[1], a[2])
    elif cmd == "damage":
        damage(a[1], a[2])
    elif cmd == "manifest":
        manifest(a[1], a[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
