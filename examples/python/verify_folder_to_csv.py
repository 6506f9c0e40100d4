#!/usr/bin/python3
"""Verify every PDF and XML file of a folder and write one CSV row per signature.

usage: verify_folder_to_csv.py FOLDER OUT.csv [--trust PEM]... [--intermediates PEM]...
                               [--revocation offline|online|none]

Columns: file, status, subindication, signer, signing_time, level. A file without
signatures gets one row with its own status (TOTAL-FAILED, NO_SIGNATURE_FOUND); a file
that cannot be verified at all (damaged, encrypted, unreadable) gets a row with status
ERROR and the reason in subindication.

Exit status: 0 every file is TOTAL-PASSED, 1 some file is not, 2 usage error.
Needs the libsign Python package (bindings/python) and libsign.so.1.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys

import libsign

COLUMNS = ["file", "status", "subindication", "signer", "signing_time", "level"]
SUFFIXES = (".pdf", ".xml")


def rows_for(ctx: libsign.Context, path: str, name: str):
    """The CSV rows of one file, and whether it passed."""
    try:
        report = ctx.verify(path, name=name)
    except libsign.LibsignError as e:
        return [{"file": name, "status": "ERROR", "subindication": e.message}], False
    if not report.signatures:
        return [{"file": name, "status": report.status,
                 "subindication": report.subindication or ""}], report.passed
    rows = []
    for sig in report.signatures:
        rows.append({
            "file": name,
            "status": sig.status,
            "subindication": sig.subindication or "",
            "signer": sig.signer.subject if sig.signer else "",
            "signing_time": sig.signing_time.isoformat() if sig.signing_time else "",
            "level": sig.level or "",
        })
    return rows, report.passed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Verify the PDF and XML files of a folder into a CSV.")
    parser.add_argument("folder")
    parser.add_argument("out", metavar="OUT.csv")
    parser.add_argument("--trust", action="append", default=[], metavar="PEM",
                        help="trusted root certificates (a PEM file or a folder); repeatable")
    parser.add_argument("--intermediates", action="append", default=[], metavar="PEM",
                        help="untrusted CA certificates completing chains; repeatable")
    parser.add_argument("--revocation", choices=["offline", "online", "none"], default="offline")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.folder):
        parser.error(f"not a folder: {args.folder}")

    names = sorted(n for n in os.listdir(args.folder)
                   if n.lower().endswith(SUFFIXES) and os.path.isfile(os.path.join(args.folder, n)))
    all_passed = True
    try:
        ctx = libsign.Context(trust=args.trust, intermediates=args.intermediates,
                              revocation=args.revocation, language="en")
    except libsign.LibsignError as e:
        print(f"verify_folder_to_csv: {e.message}", file=sys.stderr)
        return 2
    with ctx, open(args.out, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        for name in names:
            rows, passed = rows_for(ctx, os.path.join(args.folder, name), name)
            writer.writerows(rows)
            all_passed = all_passed and passed
            print(f"{name}: {rows[0]['status']}", file=sys.stderr)
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
