#!/usr/bin/python3
"""Makes the test images of visible signatures (libsign/appearance/image.c).

    make-images.py [OUT_DIR]          # default: this folder
    make-images.py --seeds SEED_DIR   # small PNG/JPEG seeds for fuzz/corpus/image/

Writes signature-blue.png (a blue handwritten-looking signature, RGBA,
600x250 px at 300 dpi) and seal-red.png (a red round agency seal, RGBA,
400x400 px, pHYs 10000 px/m so it is 40 mm across), both drawn here with
anti-aliased strokes on a transparent background; three tiny JPEGs
(32x16 px, left half red, right half blue, 72 dpi JFIF) rendered by poppler's
pdftoppm from a hand-made PDF: baseline RGB, progressive RGB and Adobe CMYK
(with an APP14 marker); and gray.jpg (32x16, left dark, right light, 28
dots per cm), a one-component baseline JPEG encoded here.

Only the Python standard library is used (PNG and flat-block JPEG encoders
with zlib and struct), plus pdftoppm (poppler-utils) for the colour JPEGs.
The committed files are the reference.
"""
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

# ------------------------------------------------------------------ PNG encoder
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def pack_row(samples, depth):
    """One scanline (without its filter byte) of integer samples."""
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out, acc, bits = bytearray(), 0, 0
    for s in samples:
        acc, bits = (acc << depth) | s, bits + depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def png(width, height, color_type, depth, pixels, palette=None, trns=None,
        interlace=False, ppm=None):
    """pixels[y][x] is a tuple of samples (one per channel of color_type)."""
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        xs, ys = range(x0, width, dx), range(y0, height, dy)
        if not xs or not ys:
            continue
        for y in ys:
            raw.append(0)  # filter: none
            raw += pack_row([s for x in xs for s in pixels[y][x]], depth)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0,
                                      1 if interlace else 0))
    if ppm:
        out += chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
    if palette:
        out += chunk(b"PLTE", b"".join(bytes(c) for c in palette))
    if trns is not None:
        out += chunk(b"tRNS", bytes(trns))
    out += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    return out + chunk(b"IEND", b"")


def rgba_png(width, height, color, alpha, ppm):
    """An RGBA image of one ink colour with the coverage `alpha` (floats 0..1)."""
    pixels = [[color + (round(255 * alpha[y * width + x]),) for x in range(width)]
              for y in range(height)]
    return png(width, height, 6, 8, pixels, ppm=ppm)


# ------------------------------------------------------------------ drawing
def stroke_segment(alpha, width, height, p0, p1, radius):
    """Max-blends an anti-aliased thick segment (round caps) into `alpha`."""
    (x0, y0), (x1, y1) = p0, p1
    pad = radius + 1
    dx, dy = x1 - x0, y1 - y0
    dd = dx * dx + dy * dy or 1e-9
    for y in range(max(0, int(min(y0, y1) - pad)), min(height, int(max(y0, y1) + pad) + 1)):
        cy = y + 0.5
        for x in range(max(0, int(min(x0, x1) - pad)), min(width, int(max(x0, x1) + pad) + 1)):
            cx = x + 0.5
            t = max(0.0, min(1.0, ((cx - x0) * dx + (cy - y0) * dy) / dd))
            d = math.hypot(cx - x0 - t * dx, cy - y0 - t * dy)
            cover = radius + 0.5 - d
            if cover > 0:
                i = y * width + x
                alpha[i] = max(alpha[i], min(1.0, cover))


def catmull_rom(points, steps=24):
    """A smooth curve through `points`."""
    pts = [points[0]] + list(points) + [points[-1]]
    out = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            out.append(tuple(0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t
                                    + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t * t
                                    + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t ** 3)
                             for k in range(2)))
    out.append(points[-1])
    return out


def pen(alpha, width, height, path, base, swell):
    """Draws a polyline like a pen: thicker and thinner along the way, tapered ends."""
    total = sum(math.dist(a, b) for a, b in zip(path, path[1:]))
    s = 0.0
    for a, b in zip(path, path[1:]):
        taper = min(1.0, (s + 4) / 18, (total - s + 4) / 18)
        r = (base + swell * math.sin(s / 37.0) ** 2) * max(0.35, taper)
        stroke_segment(alpha, width, height, a, b, r)
        s += math.dist(a, b)


def signature():
    w, h = 600, 250
    alpha = [0.0] * (w * h)
    # A capital with a loop, a cursive run of loops, a flourish underneath, a dot.
    capital = catmull_rom([(58, 205), (76, 130), (100, 52), (118, 38), (126, 66), (134, 148),
                           (148, 206), (164, 150), (184, 64), (202, 34), (214, 58), (204, 108),
                           (176, 140), (214, 150), (236, 146)])
    run = []
    for i in range(0, 421):
        t = i / 420 * 7.2 * math.pi
        amp = 52 + 26 * math.sin(t * 0.41 + 0.8)
        run.append((236 + 11.5 * t + 17 * math.sin(t), 150 - amp * (1 - math.cos(t)) / 2))
    flourish = catmull_rom([(36, 226), (150, 214), (300, 207), (430, 199), (530, 184),
                            (566, 168), (552, 164), (528, 178)])
    pen(alpha, w, h, capital, 2.6, 1.6)
    pen(alpha, w, h, run, 2.2, 1.4)
    pen(alpha, w, h, flourish, 1.8, 1.6)
    pen(alpha, w, h, [(508, 62), (512, 59)], 3.6, 0)
    return rgba_png(w, h, (20, 44, 168), alpha, ppm=11811)  # 300 dpi


# A stroke font on a 4x6 grid (y up): enough letters for a commune's seal.
GLYPHS = {
    "A": [[(0, 0), (2, 6), (4, 0)], [(0.8, 2.4), (3.2, 2.4)]],
    "B": [[(0, 0), (0, 6), (2.8, 6), (3.6, 5.2), (3.6, 3.8), (2.8, 3), (0, 3)],
          [(2.8, 3), (4, 2.2), (4, 0.8), (3.2, 0), (0, 0)]],
    "C": [[(4, 5), (3, 6), (1, 6), (0, 5), (0, 1), (1, 0), (3, 0), (4, 1)]],
    "D": [[(0, 0), (0, 6), (2.5, 6), (4, 4.5), (4, 1.5), (2.5, 0), (0, 0)]],
    "H": [[(0, 0), (0, 6)], [(4, 0), (4, 6)], [(0, 3), (4, 3)]],
    "I": [[(2, 0), (2, 6)]],
    "M": [[(0, 0), (0, 6), (2, 2.5), (4, 6), (4, 0)]],
    "N": [[(0, 0), (0, 6), (4, 0), (4, 6)]],
    "U": [[(0, 6), (0, 1.2), (1, 0), (3, 0), (4, 1.2), (4, 6)]],
    "X": [[(0, 0), (4, 6)], [(0, 6), (4, 0)]],
    "Y": [[(0, 6), (2, 3), (4, 6)], [(2, 3), (2, 0)]],
}
ACCENTS = {
    "\u00c2": ("A", [[(1.2, 6.8), (2, 7.6), (2.8, 6.8)]]),                             # Â
    "\u00c3": ("A", [[(0.8, 6.9), (1.6, 7.6), (2.4, 6.9), (3.2, 7.6)]]),               # Ã
    "\u00cd": ("I", [[(1.8, 6.9), (2.8, 7.8)]]),                                       # Í
    "\u1ee6": ("U", [[(1.4, 7.2), (2, 7.8), (2.6, 7.4), (2, 6.9), (2, 6.6)]]),         # Ủ
}


def glyph(ch):
    if ch in ACCENTS:
        base, marks = ACCENTS[ch]
        return GLYPHS[base] + marks
    return GLYPHS[ch]


def star_polygon(cx, cy, outer, inner, turn=0.0):
    pts = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        a = turn + k * math.pi / 5
        pts.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    return pts


def fill_polygon(alpha, width, height, poly):
    """Anti-aliased fill: coverage from the distance to the nearest edge."""
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    edges = list(zip(poly, poly[1:] + poly[:1]))
    for y in range(max(0, int(min(ys)) - 1), min(height, int(max(ys)) + 2)):
        cy = y + 0.5
        for x in range(max(0, int(min(xs)) - 1), min(width, int(max(xs)) + 2)):
            cx = x + 0.5
            inside, dist = False, 1e9
            for (x0, y0), (x1, y1) in edges:
                if (y0 > cy) != (y1 > cy) and cx < x0 + (cy - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
                dx, dy = x1 - x0, y1 - y0
                t = max(0.0, min(1.0, ((cx - x0) * dx + (cy - y0) * dy) / (dx * dx + dy * dy)))
                dist = min(dist, math.hypot(cx - x0 - t * dx, cy - y0 - t * dy))
            cover = 0.5 + dist if inside else 0.5 - dist
            if cover > 0:
                i = y * width + x
                alpha[i] = max(alpha[i], min(1.0, cover))


def seal():
    size, c = 400, 200.0
    alpha = [0.0] * (size * size)
    for y in range(size):
        for x in range(size):
            r = math.hypot(x + 0.5 - c, y + 0.5 - c)
            ring = max(5.5 - abs(r - 190), 2.0 - abs(r - 140))
            if ring > 0:
                alpha[y * size + x] = min(1.0, ring)
    # Text around the ring, upright letters bent along the circle, from -145 to +145 degrees.
    text, base_r, sx, sy = "\u1ee6Y BAN NH\u00c2N D\u00c2N X\u00c3 CH\u00cd MINH", 151.0, 4.4, 3.5
    letters, spaces = sum(ch != " " for ch in text), text.count(" ")
    arc = base_r * math.radians(290)
    gap = (arc - letters * 4 * sx) / (letters + 2.5 * spaces - 1)
    pos = -arc / 2
    for ch in text:
        if ch == " ":
            pos += 2.5 * gap
            continue
        for line in glyph(ch):
            pts = []
            for gx, gy in line:
                theta = (pos + gx * sx) / base_r
                rr = base_r + gy * sy
                pts.append((c + rr * math.sin(theta), c - rr * math.cos(theta)))
            for a, b in zip(pts, pts[1:]):
                stroke_segment(alpha, size, size, a, b, 1.9)
        pos += 4 * sx + gap
    fill_polygon(alpha, size, size, star_polygon(c, c - 6, 52, 21))
    fill_polygon(alpha, size, size, star_polygon(c, c + 166, 9, 3.6))
    for a, b in [((128, 262), (272, 262)), ((150, 276), (250, 276))]:
        stroke_segment(alpha, size, size, a, b, 2.2)
    # Stamp ink is never even: a little deterministic mottling.
    rnd = random.Random(45)
    alpha = [a * (0.80 + 0.20 * rnd.random()) if a > 0 else 0.0 for a in alpha]
    return rgba_png(size, size, (206, 20, 32), alpha, ppm=10000)  # 400 px = 40 mm


# ------------------------------------------------------------------ JPEGs via pdftoppm
def two_colour_pdf():
    content = b"1 0 0 rg 0 0 16 16 re f 0 0 1 rg 16 0 16 16 re f"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 32 16] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, o)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def jpegs(out_dir):
    variants = {"rgb-baseline.jpg": ["-jpeg", "-jpegopt", "quality=95"],
                "rgb-progressive.jpg": ["-jpeg", "-jpegopt", "quality=95,progressive=y"],
                "cmyk.jpg": ["-jpegcmyk"]}
    with tempfile.TemporaryDirectory() as tmp:
        pdf = os.path.join(tmp, "two.pdf")
        with open(pdf, "wb") as f:
            f.write(two_colour_pdf())
        for name, opts in variants.items():
            subprocess.run(["pdftoppm", "-r", "72", "-singlefile", *opts, pdf,
                            os.path.join(tmp, "page")], check=True)
            shutil.move(os.path.join(tmp, "page.jpg"), os.path.join(out_dir, name))
    # 32x16, left half dark (40), right half light (220), 28 dots per cm.
    with open(os.path.join(out_dir, "gray.jpg"), "wb") as f:
        f.write(gray_jpeg(32, 16, lambda bx, by: 40 if bx < 2 else 220, 28))


def huffman_codes(bits, values):
    """The canonical codes (ITU T.81 annex C) of a DHT table: value -> (code, length)."""
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[values[k]] = (code, length)
            code, k = code + 1, k + 1
        code <<= 1
    return codes


def gray_jpeg(width, height, block_value, dpcm):
    """A baseline grayscale JPEG of flat 8x8 blocks (DC only, quantiser 1), by hand:
    pdftoppm cannot write a one-component JPEG. block_value(bx, by) gives 0..255."""
    dc_bits, dc_values = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], list(range(12))
    ac_bits, ac_values = [1] + [0] * 15, [0x00]  # one symbol: end of block
    dc, eob = huffman_codes(dc_bits, dc_values), huffman_codes(ac_bits, ac_values)[0]
    acc, nbits, data, prev = 0, 0, bytearray(), 0

    def put(code, length):
        nonlocal acc, nbits
        acc, nbits = (acc << length) | code, nbits + length
        while nbits >= 8:
            nbits -= 8
            byte = (acc >> nbits) & 0xFF
            data.append(byte)
            if byte == 0xFF:
                data.append(0x00)  # byte stuffing

    for by in range(height // 8):
        for bx in range(width // 8):
            value = 8 * (block_value(bx, by) - 128)  # the DC of a flat block
            diff, prev = value - prev, value
            size = abs(diff).bit_length()
            put(*dc[size])
            if size:
                put(diff if diff > 0 else diff + (1 << size) - 1, size)
            put(*eob)
    if nbits:
        put((1 << (8 - nbits)) - 1, 8 - nbits)  # pad with ones

    def segment(marker, body):
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    return (b"\xff\xd8"
            + segment(0xE0, b"JFIF\0\x01\x01\x02" + struct.pack(">HH", dpcm, dpcm) + b"\0\0")
            + segment(0xDB, b"\x00" + b"\x01" * 64)
            + segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
            + segment(0xC4, b"\x00" + bytes(dc_bits) + bytes(dc_values))
            + segment(0xC4, b"\x10" + bytes(ac_bits) + bytes(ac_values))
            + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
            + bytes(data) + b"\xff\xd9")


# ------------------------------------------------------------------ fuzz seeds
def seeds(out_dir):
    here = os.path.dirname(os.path.abspath(__file__))
    rgba = [[(255, 0, 0, 255), (0, 0, 0, 0), (0, 0, 255, 128)], [(0, 255, 0, 255)] * 3]
    files = {
        "gray1.png": png(5, 2, 0, 1, [[(x % 2,) for x in range(5)]] * 2),
        "gray8-phys.png": png(3, 2, 0, 8, [[(0,), (128,), (255,)]] * 2, ppm=2835),
        "ga8.png": png(2, 2, 4, 8, [[(0, 255), (0, 0)], [(0, 128), (255, 255)]]),
        "rgb8.png": png(3, 2, 2, 8, [[p[:3] for p in row] for row in rgba]),
        "rgba8.png": png(3, 2, 6, 8, rgba),
        "rgba16.png": png(3, 2, 6, 16, [[tuple(v * 257 for v in p) for p in row] for row in rgba]),
        "palette-trns.png": png(3, 1, 3, 2, [[(0,), (1,), (2,)]],
                                palette=[(255, 0, 0), (0, 0, 255), (0, 0, 0)], trns=[255, 128, 0]),
        "gray-trns.png": png(2, 1, 0, 8, [[(0,), (7,)]], trns=[0, 7]),
        "interlaced-rgba.png": png(9, 9, 6, 8, [[(x * 28, y * 28, 90, 40 + x * y * 2)
                                                 for x in range(9)] for y in range(9)],
                                   interlace=True),
        "interlaced-gray4.png": png(5, 7, 0, 4, [[((x + y) % 16,) for x in range(5)]
                                                 for y in range(7)], interlace=True),
    }
    good = files["rgba8.png"]
    files["truncated.png"] = good[: len(good) - 20]
    bad = bytearray(good)
    bad[len(good) - 13] ^= 0x40  # IDAT's CRC (IEND is the last 12 bytes)
    files["bad-crc.png"] = bytes(bad)
    huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 6, 0, 0, 0))
    files["huge.png"] = huge + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    files["jpeg-no-sof.jpg"] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x01\x00H\x00H\x00\x00" \
                               b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\xd2\xcf\x20\xff\xd9"
    for name, data in files.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    for name in ("rgb-baseline.jpg", "rgb-progressive.jpg", "cmyk.jpg"):
        shutil.copy(os.path.join(here, name), os.path.join(out_dir, name))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        seeds(sys.argv[2])
        return
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, make in (("signature-blue.png", signature), ("seal-red.png", seal)):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(make())
    jpegs(out_dir)


if __name__ == "__main__":
    main()
