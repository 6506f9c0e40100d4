#!/usr/bin/python3
"""Sign every PDF and XML file of a folder with one key on a PKCS#11 token.

usage: sign_folder_with_token.py --module M --uri URI --pin-env VAR IN_DIR OUT_DIR
                                 [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--trust PEM]...
                                 [--xml-profile xades|edxml|einvoice] [--xml-parent XPATH]
                                 [--force]

The token is opened once (one login), then each file is signed into OUT_DIR under the
same name: PDFs as PAdES incremental updates, XML files with an enveloped signature.
The PIN is read by libsign itself from the environment variable VAR (never from the
command line, which other users can see). --tsa is needed from B-T up; --trust gives
the anchors the TSA's answers (and B-LT's OCSP/CRL evidence) must chain to.

Exit status: 0 every file signed, 2 usage error, 4 the token, key or PIN failed (nothing
signed), 6 some files failed (each is reported on stderr; the others are signed).
"""
from __future__ import annotations

import argparse
import os
import sys

import libsign


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Sign a folder of PDF and XML files with a token.")
    parser.add_argument("--module", required=True, help="the PKCS#11 module (.so)")
    parser.add_argument("--uri", required=True, help="the key, e.g. pkcs11:token=LABEL;id=%%01;type=private")
    parser.add_argument("--pin-env", required=True, metavar="VAR",
                        help="the environment variable holding the PIN")
    parser.add_argument("--level", default="B-B", choices=["B-B", "B-T", "B-LT", "B-LTA"])
    parser.add_argument("--tsa", help="the time-stamping authority's URL (B-T and up)")
    parser.add_argument("--trust", action="append", default=[], metavar="PEM",
                        help="trust anchors for the TSA and the revocation evidence; repeatable")
    parser.add_argument("--xml-profile", default="xades", choices=["xades", "edxml", "einvoice"])
    parser.add_argument("--xml-parent", metavar="XPATH",
                        help="where the XML signature goes (e-invoices: /HDon/DSCKS/NBan)")
    parser.add_argument("--force", action="store_true", help="overwrite outputs that exist")
    parser.add_argument("in_dir")
    parser.add_argument("out_dir")
    args = parser.parse_args(argv)
    if args.pin_env not in os.environ:
        parser.error(f"${args.pin_env} is not set")
    if args.level != "B-B" and not args.tsa:
        parser.error(f"--level {args.level} needs --tsa")
    if not os.path.isdir(args.in_dir):
        parser.error(f"not a folder: {args.in_dir}")
    if os.path.realpath(args.in_dir) == os.path.realpath(args.out_dir):
        parser.error("the output folder must differ from the input folder")
    os.makedirs(args.out_dir, exist_ok=True)

    names = sorted(n for n in os.listdir(args.in_dir)
                   if n.lower().endswith((".pdf", ".xml"))
                   and os.path.isfile(os.path.join(args.in_dir, n)))
    try:
        ctx = libsign.Context(trust=args.trust, tsa=args.tsa)
        signer = libsign.Signer.pkcs11(args.uri, pin_source=f"env:{args.pin_env}",
                                       module=args.module, context=ctx)
    except libsign.LibsignError as e:
        print(f"sign_folder_with_token: cannot open the key: {e.message}", file=sys.stderr)
        return 4

    failed = 0
    with ctx, signer:
        print(f"signing {len(names)} files as {signer.subject}", file=sys.stderr)
        for name in names:
            src = os.path.join(args.in_dir, name)
            dst = os.path.join(args.out_dir, name)
            if os.path.exists(dst) and not args.force:
                print(f"{name}: {dst} exists (use --force)", file=sys.stderr)
                failed += 1
                continue
            try:
                if name.lower().endswith(".pdf"):
                    signer.sign_pdf(src, dst, level=args.level)
                else:
                    signer.sign_xml(src, dst, profile=args.xml_profile, level=args.level,
                                    parent_xpath=args.xml_parent)
            except libsign.LibsignError as e:
                print(f"{name}: {type(e).__name__}: {e.message}", file=sys.stderr)
                failed += 1
                if isinstance(e, (libsign.PinError, libsign.TokenError)):
                    break  # the token is gone or refuses: the next files would fail too
                continue
            print(f"signed {src} -> {dst}", file=sys.stderr)
    return 0 if failed == 0 else 6


if __name__ == "__main__":
    sys.exit(main())
