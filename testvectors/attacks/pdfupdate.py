"""pdfupdate -- just enough PDF to write incremental updates by hand (the test
vectors' generators; standard library only, plus the qpdf command for reading
objects that may sit in object streams).

Bodies are raw bytes between "N G obj" and "endobj"; nothing is parsed into
objects. The helpers are deliberately dumb: the attack generator needs to
write exactly the bytes it means, including wrong ones.
"""

import re
import subprocess

PDF_WS = rb"[\x00\t\n\x0c\r ]"


def qpdf_show(path, what):
    """qpdf --show-object=WHAT (a number or "trailer"): the object's text (a
    stream shows its dictionary only)."""
    out = subprocess.run(["qpdf", f"--show-object={what}", path], capture_output=True, check=True)
    return out.stdout.strip()


def last_startxref(data):
    """The offset after the last 'startxref' keyword."""
    pos = data.rindex(b"startxref")
    return int(re.match(rb"startxref" + PDF_WS + rb"+(\d+)", data[pos:]).group(1))


def last_section_is_stream(data):
    """True if the last cross-reference section is an xref stream."""
    return not data[last_startxref(data):].startswith(b"xref")


def trailer_of(path):
    """The effective trailer dictionary as qpdf prints it (text)."""
    return qpdf_show(path, "trailer")


def trailer_value(trailer, key):
    """The raw value of /key in a trailer printed by qpdf, or None."""
    m = re.search(rb"/" + key.encode() + rb" (\d+ \d+ R|\d+|\[[^\]]*\])", trailer)
    return m.group(1) if m else None


def ref_num(ref):
    """The object number of b"12 0 R"."""
    return int(ref.split()[0])


def eol_before_append(data):
    """A newline if the file does not end with one (after %%EOF)."""
    return b"" if data.endswith((b"\n", b"\r")) else b"\n"


def serialize_objects(start, objects):
    """(bytes, {num: offset}) for objects {num: body} written from offset start,
    in ascending number order; body is the bytes between "obj" and "endobj"."""
    out = bytearray()
    offsets = {}
    for num in sorted(objects):
        offsets[num] = start + len(out)
        out += b"%d 0 obj\n" % num + objects[num].strip(b"\r\n") + b"\nendobj\n"
    return bytes(out), offsets


def classic_xref(offsets, trailer_entries, xref_offset):
    """A classic xref section (with subsections) and trailer for offsets
    {num: offset}; trailer_entries is the bytes inside << >>."""
    out = bytearray(b"xref\n")
    nums = sorted(offsets)
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out += b"%d %d\n" % (nums[i], j - i + 1)
        for n in nums[i:j + 1]:
            if offsets[n] is None:
                out += b"0000000000 65535 f \n"
            else:
                out += b"%010d 00000 n \n" % offsets[n]
        i = j + 1
    out += b"trailer\n<< " + trailer_entries + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def stream_xref(offsets, trailer_entries, xref_offset, xref_num):
    """An uncompressed xref stream object numbered xref_num at xref_offset."""
    offsets = dict(offsets)
    offsets[xref_num] = xref_offset
    nums = sorted(offsets)
    index = []
    rows = bytearray()
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        index += [nums[i], j - i + 1]
        i = j + 1
    for n in nums:
        if offsets[n] is None:
            rows += b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")
        else:
            rows += b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00"
    head = (b"%d 0 obj\n<< /Type /XRef " % xref_num + trailer_entries
            + b" /W [1 4 2] /Index [" + b" ".join(b"%d" % v for v in index) + b"]"
            + b" /Length %d >>\nstream\n" % len(rows))
    return head + bytes(rows) + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset


def append_update(data, path_for_qpdf, objects, *, size=None, root=None, prev=None,
                  xref_stream=None, extra_trailer=b"", keep_prev=True):
    """data + an incremental update with objects {num: body} (body None: mark
    free). The trailer copies /Root, /Info and /ID from the current one
    (qpdf's view of path_for_qpdf, which must hold data), /Prev is the last
    startxref unless prev is given (or keep_prev is False: no /Prev at all),
    /Size is one past the largest number unless given. xref_stream: None =
    the same kind as the last section."""
    trailer = trailer_of(path_for_qpdf)
    old_size = int(trailer_value(trailer, "Size"))
    if xref_stream is None:
        xref_stream = last_section_is_stream(data)
    new_size = max([old_size] + [n + 1 for n in objects])
    xref_num = None
    if xref_stream:
        xref_num = new_size
        new_size += 1
    if size is not None:
        new_size = size
    entries = b"/Size %d" % new_size
    entries += b" /Root " + (root or trailer_value(trailer, "Root"))
    for key in ("Info", "ID"):
        value = trailer_value(trailer, key)
        if value:
            entries += b" /" + key.encode() + b" " + value
    if keep_prev:
        entries += b" /Prev %d" % (last_startxref(data) if prev is None else prev)
    entries += extra_trailer
    out = bytearray(data)
    out += eol_before_append(data)
    body, offsets = serialize_objects(len(out), {n: b for n, b in objects.items() if b is not None})
    for n, b in objects.items():
        if b is None:
            offsets[n] = None
    out += body
    xref_offset = len(out)
    if not xref_stream and 0 not in offsets:
        offsets[0] = None  # the head of the free list, as most writers repeat it
    if xref_stream:
        out += stream_xref(offsets, entries, xref_offset, xref_num)
    else:
        out += classic_xref(offsets, entries, xref_offset)
    return bytes(out)


def set_key(dict_bytes, key, value):
    """A dictionary's text with /key set to value (replaced or inserted at
    the end). Only for dictionaries printed by qpdf (single level of the key)."""
    d = dict_bytes.strip()
    pattern = re.compile(rb"/" + key + rb"(?=[\s/\[<(])\s*(\d+ \d+ R|/[^\s/\[\]<>()]+|\[[^\]]*\]|<<.*?>>|\([^)]*\)|[-\d.]+|true|false|null)", re.S)
    if pattern.search(d):
        return pattern.sub(lambda m: b"/" + key + b" " + value, d, count=1)
    assert d.endswith(b">>"), d
    return d[:-2].rstrip() + b" /" + key + b" " + value + b" >>"
