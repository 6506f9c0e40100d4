#!/usr/bin/python3
"""Seeds of fuzz/corpus/report_json: a control byte, NUL-separated strings (file, field,
level, subject, issuer, serial, sha256, TSA, digest, changes, chain, covered URI/kind/path,
revocation source, an error, a warning), then DER tried as a certificate: plain Vietnamese
text, quotes and backslashes, control characters, invalid and overlong UTF-8, and the
fixed test signer's certificate (DER, from testvectors/signed-by-others/pki).

    fuzz/make-report-json-seeds.py [OUTDIR]   (default fuzz/corpus/report_json)
"""
import os
import ssl
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKI = os.path.join(REPO, "testvectors", "signed-by-others", "pki")


def seed(control: int, strings, der: bytes = b"") -> bytes:
    return bytes([control]) + b"".join(s + b"\0" for s in strings) + der


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "fuzz", "corpus", "report_json")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(PKI, "signer-rsa2048.crt")) as f:
        cert = ssl.PEM_cert_to_DER_cert(f.read())
    vi = "Nguyễn Văn Ánh, Ủy ban nhân dân xã Chí Minh".encode()
    seeds = {
        "plain-vi": seed(0x05, [b"khai-sinh.pdf", b"Signature1", b"B-T", b"CN=" + vi, b"CN=CA",
                                b"2025000003", b"ab" * 32, b"CN=TSA", b"SHA256",
                                b"object 2 0 (page) changed: ALLOWED", b"", b"",
                                b"CN=root", b"cd" * 32, b"#data", b"element", b"/HDon[1]/DLHDon[1]",
                                b"OCSP", b"the messageDigest attribute does not match",
                                b"no embedded revocation evidence"]),
        "quotes-backslashes": seed(0x23, [b'a"b\\c', b'"\\"', b"\\u0000", b'}{][,:'] * 5),
        "control-chars": seed(0x61, [bytes(range(1, 32)), b"\x7f\xc2\x80\xc2\x9f", b"\t\r\n"] * 7),
        "bad-utf8": seed(0xB7, [b"\xff\xfe", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
                                b"\xf4\x90\x80\x80", b"\xc3", b"\xe2\x82", b"ok\xf0\x9f\x98"] * 3),
        "certificate": seed(0x0F, [b"cert.pdf", b"S"] + [b""] * 18, cert),
        "certificate-xml": seed(0x3B, [b"hoa-don.xml", b"sig-1"] + [b"x"] * 18, cert),
        "empty": b"\x00",
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {out}")


if __name__ == "__main__":
    main()
