#!/usr/bin/python3
"""make-signed.py -- XML documents signed by other tools (the xmlsec1 command
line and python3-xmlsec) with the FIXED test PKI, and their MANIFEST.tsv.

    testvectors/xml/signed-by-others/make-signed.py

Run it with Debian's /usr/bin/python3 (python3-xmlsec, python3-lxml); needs
the xmlsec1 command line (1.2.37, OpenSSL). It

  1. writes templates/*.tmpl.xml: the profile inputs (../*-input.xml) with an
     empty ds:Signature inserted where the profile puts it, byte for byte
     otherwise;
  2. signs each template with `xmlsec1 --sign --privkey-pem KEY,CERT,INTER`
     (the signer's certificate and the intermediate go into X509Data);
  3. signs two inputs with python3-xmlsec (xmlsec.template.*, SignatureContext);
  4. checks every output with `xmlsec1 --verify --trusted-pem root-ca.crt`
     (the intermediate comes from KeyInfo) and with the untrusted intermediate
     given as well, and writes MANIFEST.tsv.

RSA PKCS#1 v1.5 signatures are deterministic, so the RSA files come out
byte-identical on every run; ECDSA signatures are randomized.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in testvectors/
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import xmlsig  # noqa: E402
from xmlsig import (C14N, ECDSA_SHA256, ENVELOPED, EXC_C14N, RSA_SHA256, SHA256,  # noqa: E402
                    SHA512, reference, signature, x509data)

INPUTS = os.path.dirname(HERE)
TEMPLATES = os.path.join(HERE, "templates")
SIGNING_TIME = "2025-01-15T10:20:30+07:00"


def read_input(name):
    with open(os.path.join(INPUTS, name), encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def enveloped_exc(method, prefix="ds:"):
    """Enveloped, URI="", enveloped-signature + exc-c14n, certificates in X509Data."""
    return signature(prefix, EXC_C14N, method,
                     [reference("", SHA256, [(ENVELOPED, ""), (EXC_C14N, "")])],
                     x509data(prefix))


def einvoice(digest, transforms):
    """The e-invoice profile of Decision 1450/QD-TCT as the big issuers write it:
    ds in the default namespace, Signature Id="seller" inside DSCKS/NBan,
    C14N 1.0, one reference to DLHDon Id="data" and one to the signing time
    in an Object; KeyInfo with X509SubjectName and X509Certificate."""
    obj = ('<Object Id="SigningTime"><SignatureProperties><SignatureProperty Target="#seller">'
           '<SigningTime>%s</SigningTime></SignatureProperty></SignatureProperties></Object>'
           % SIGNING_TIME)
    return signature("", C14N, RSA_SHA256,
                     [reference("#data", digest, transforms), reference("#SigningTime", digest)],
                     x509data("", xmlsig.subject_rfc4514(xmlsig.key_files("signer-rsa2048")[1])), sig_id="seller", objects=obj)


# (output, template, input, key, c14n, digest, reference, notes)
XMLSEC1 = [
    ("xmlsec1-edxml-enveloped-exc-rsa-sha256.xml", "edxml-enveloped-exc-rsa-sha256.tmpl.xml",
     xmlsig.enveloped(read_input("edxml-input.xml"), enveloped_exc(RSA_SHA256)),
     "signer-rsa2048", "exc-c14n", "sha-256", 'URI="" enveloped-signature, exc-c14n',
     "edXML envelope; ds:Signature (prefix ds) appended to edXML:edXMLEnvelope"),
    ("xmlsec1-edxml-enveloped-exc-ecdsa-sha256.xml", "edxml-enveloped-exc-ecdsa-sha256.tmpl.xml",
     xmlsig.enveloped(read_input("edxml-input.xml"), enveloped_exc(ECDSA_SHA256)),
     "signer-ecp256", "exc-c14n", "sha-256", 'URI="" enveloped-signature, exc-c14n',
     "edXML envelope; ECDSA P-256 signature value is r||s (64 bytes), randomized: differs on every run"),
    ("xmlsec1-einvoice-c14n-idref-rsa-sha256.xml", "einvoice-c14n-idref-rsa-sha256.tmpl.xml",
     xmlsig.in_dscks_nban(read_input("einvoice-input.xml"), einvoice(SHA256, [(ENVELOPED, "")])),
     "signer-rsa2048", "c14n-1.0", "sha-256",
     'URI="#data" (DLHDon/@Id) enveloped-signature only (implicit C14N 1.0); URI="#SigningTime" (ds:Object)',
     "e-invoice; Signature Id=seller (default namespace) in DSCKS/NBan; KeyInfo X509SubjectName (signer, RFC 4514 UTF-8, written into the "
     "template: xmlsec1 1.2.37 leaves an empty one empty) + X509Certificate of signer and intermediate; sign and verify need --id-attr:Id DLHDon (no DTD or schema declares the ID)"),
    ("xmlsec1-einvoice-c14n-idref-rsa-sha256-digest-sha512.xml",
     "einvoice-c14n-idref-rsa-sha256-digest-sha512.tmpl.xml",
     xmlsig.in_dscks_nban(read_input("einvoice-input.xml"), einvoice(SHA512, [(C14N, "")])),
     "signer-rsa2048", "c14n-1.0", "sha-512",
     'URI="#data" (DLHDon/@Id) explicit C14N 1.0 transform; URI="#SigningTime" (ds:Object)',
     "as the sha-256 e-invoice, but DigestMethod sha512 on both references (SignatureMethod stays "
     "rsa-sha256) and no enveloped-signature transform"),
]


def python_xmlsec(out, input_name, key_name, method):
    """Enveloped exc-c14n signature made with python3-xmlsec's own templates."""
    import xmlsec
    from lxml import etree
    tree = etree.parse(os.path.join(INPUTS, input_name))
    root = tree.getroot()
    sig = xmlsec.template.create(root, xmlsec.Transform.EXCL_C14N, method, ns="ds")
    root.append(sig)
    ref = xmlsec.template.add_reference(sig, xmlsec.Transform.SHA256, uri="")
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    x509 = xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(sig))
    xmlsec.template.x509_data_add_certificate(x509)
    key_file, cert_file = xmlsig.key_files(key_name)
    key = xmlsec.Key.from_file(key_file, xmlsec.KeyFormat.PEM)
    key.load_cert_from_file(cert_file, xmlsec.KeyFormat.PEM)
    key.load_cert_from_file(xmlsig.INTER_CA, xmlsec.KeyFormat.PEM)
    ctx = xmlsec.SignatureContext()
    ctx.key = key
    ctx.sign(sig)
    with open(os.path.join(HERE, out), "wb") as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(etree.tostring(tree, encoding="UTF-8", xml_declaration=False))
        f.write(b"\n")


def main():
    import lxml.etree
    import xmlsec
    os.makedirs(TEMPLATES, exist_ok=True)
    code, version = xmlsig.run(["xmlsec1", "--version"])
    xmlsec1_version = version.strip()
    py_version = "python3-xmlsec %s (libxmlsec1 1.2.37 OpenSSL, lxml %s, libxml2 %s)" % (
        xmlsec.__version__, lxml.etree.__version__, ".".join(map(str, lxml.etree.LIBXML_VERSION)))
    rows = []
    for out, tmpl, text, key, c14n, digest, ref, notes in XMLSEC1:
        write(os.path.join(TEMPLATES, tmpl), text)
        key_file, cert_file = xmlsig.key_files(key)
        xmlsig.xmlsec1_sign(os.path.join(TEMPLATES, tmpl), os.path.join(HERE, out), key_file,
                            [cert_file, xmlsig.INTER_CA])
        rows.append([out, "xmlsec1 --sign --privkey-pem KEY,CERT,INTER --id-attr:Id DLHDon templates/" + tmpl,
                     xmlsec1_version, key, c14n, digest, ref, notes])
    python_xmlsec("python-xmlsec-xades-enveloped-exc-rsa-sha256.xml", "xades-input.xml",
                  "signer-rsa2048", xmlsec.Transform.RSA_SHA256)
    rows.append(["python-xmlsec-xades-enveloped-exc-rsa-sha256.xml",
                 "python3-xmlsec (xmlsec.template, SignatureContext; key from PEM, certs by key.load_cert_from_file)",
                 py_version, "signer-rsa2048", "exc-c14n", "sha-256", 'URI="" enveloped-signature, exc-c14n',
                 "KetQuaThuTuc (xades-input.xml); the signature is written by lxml without line breaks, "
                 "appended to the document element"])
    python_xmlsec("python-xmlsec-edxml-enveloped-exc-ecdsa-sha256.xml", "edxml-input.xml",
                  "signer-ecp256", xmlsec.Transform.ECDSA_SHA256)
    rows.append(["python-xmlsec-edxml-enveloped-exc-ecdsa-sha256.xml",
                 "python3-xmlsec (xmlsec.template, SignatureContext; key from PEM, certs by key.load_cert_from_file)",
                 py_version, "signer-ecp256", "exc-c14n", "sha-256", 'URI="" enveloped-signature, exc-c14n',
                 "edXML envelope; ECDSA randomized: differs on every run"])

    failures = []
    for row in rows:
        path = os.path.join(HERE, row[0])
        code, root_only = xmlsig.xmlsec1_verify(path, untrusted=None)
        code2, with_inter = xmlsig.xmlsec1_verify(path)
        if code != 0 or code2 != 0:
            failures.append("%s: %s / %s" % (row[0], root_only, with_inter))
        row.insert(7, "TOTAL-PASSED")
        row[8] += "; xmlsec1 --verify --trusted-pem root-ca.crt [--untrusted-pem inter-ca.crt]: " + root_only
    header = ["file", "tool", "tool_version", "key", "c14n", "digest", "reference",
              "expected_status", "notes"]
    write(os.path.join(HERE, "MANIFEST.tsv"),
          "\n".join("\t".join(r) for r in [header] + sorted(rows)) + "\n")
    if failures:
        sys.exit("make-signed: xmlsec1 does not verify:\n" + "\n".join(failures))
    print("make-signed: %d signed files, MANIFEST.tsv written" % len(rows))


if __name__ == "__main__":
    main()
