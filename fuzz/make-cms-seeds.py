#!/usr/bin/python3
"""Seeds of fuzz/corpus/cms: the CMS (DER) of every signed PDF of testvectors/ that fits
the cms target's template gap, one file per distinct CMS, named by its SHA-256 prefix.

    fuzz/make-cms-seeds.py [OUTDIR]   (default fuzz/corpus/cms)
"""
import hashlib
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(REPO, "testvectors", "attacks", "base-libsign.pdf")


def der_length(der: bytes) -> int:
    """The length of the outer DER element (0 when malformed)."""
    if len(der) < 2 or der[0] != 0x30:
        return 0
    if der[1] < 0x80:
        return 2 + der[1]
    n = der[1] & 0x7F
    if n == 0 or n > 4 or len(der) < 2 + n:
        return 0
    return 2 + n + int.from_bytes(der[2:2 + n], "big")


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "fuzz", "corpus", "cms")
    with open(TEMPLATE, "rb") as f:
        template = f.read()
    gap = re.search(rb"/Contents <([0-9A-Fa-f]*)>", template).group(1)
    capacity = len(gap) // 2
    os.makedirs(out, exist_ok=True)
    seen = set()
    for folder, _, files in os.walk(os.path.join(REPO, "testvectors")):
        for name in sorted(files):
            if not name.endswith(".pdf"):
                continue
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
            for m in re.finditer(rb"/Contents\s*<([0-9A-Fa-f\s]{200,})>", data):
                raw = bytes.fromhex(re.sub(rb"\s", b"", m.group(1)).decode())
                der = raw[:der_length(raw)]
                if not der or len(der) > capacity or der in seen:
                    continue
                seen.add(der)
                with open(os.path.join(out, hashlib.sha256(der).hexdigest()[:16] + ".der"), "wb") as f:
                    f.write(der)
    print(f"{len(seen)} CMS seeds (at most {capacity} bytes each) in {out}")


if __name__ == "__main__":
    main()
