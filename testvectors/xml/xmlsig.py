"""xmlsig.py -- the few lines of XML-DSig templating that make-signed.py
(signed-by-others/) and make-xml-attacks.py (../attacks/xml/) share.

Templates are written as text, not through a DOM, so the bytes of the input
documents stay exactly as they are (same declaration, same whitespace) and
the signed files differ from their inputs only by the inserted signature.
Signing and verifying go through the xmlsec1 command line.
"""

import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)
PKI = os.path.join(VECTORS, "signed-by-others", "pki")
ROOT_CA = os.path.join(PKI, "root-ca.crt")
INTER_CA = os.path.join(PKI, "inter-ca.crt")

DSIG = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"

# Always given to xmlsec1: declares DLHDon/@Id (the e-invoice's signed
# element) an ID. Harmless on documents without DLHDon.
ID_ATTR = ["--id-attr:Id", "DLHDon"]


def key_files(name):
    """(private key, certificate) of a signer of the fixed PKI."""
    return os.path.join(PKI, name + ".key"), os.path.join(PKI, name + ".crt")


def reference(uri, digest=SHA256, transforms=()):
    """A <Reference> description: transforms are (algorithm, inner XML or "")."""
    return (uri, list(transforms), digest)


def signature(p, c14n, method, refs, keyinfo, sig_id=None, objects="", xmlns=True):
    """Signature template text. p is the prefix with its colon ("ds:") or ""
    for the default namespace; keyinfo the inner XML of KeyInfo (with the
    same prefix); objects whole <Object> elements."""
    ns = (' xmlns:%s="%s"' % (p[:-1], DSIG) if p else ' xmlns="%s"' % DSIG) if xmlns else ""
    ident = ' Id="%s"' % sig_id if sig_id else ""
    out = ["<%sSignature%s%s>" % (p, ns, ident), "  <%sSignedInfo>" % p,
           '    <%sCanonicalizationMethod Algorithm="%s"/>' % (p, c14n),
           '    <%sSignatureMethod Algorithm="%s"/>' % (p, method)]
    for uri, transforms, digest in refs:
        out.append('    <%sReference URI="%s">' % (p, uri))
        if transforms:
            out.append("      <%sTransforms>" % p)
            for alg, inner in transforms:
                if inner:
                    out.append('        <%sTransform Algorithm="%s">%s</%sTransform>' % (p, alg, inner, p))
                else:
                    out.append('        <%sTransform Algorithm="%s"/>' % (p, alg))
            out.append("      </%sTransforms>" % p)
        out += ['      <%sDigestMethod Algorithm="%s"/>' % (p, digest),
                "      <%sDigestValue/>" % p, "    </%sReference>" % p]
    out += ["  </%sSignedInfo>" % p, "  <%sSignatureValue/>" % p,
            "  <%sKeyInfo>" % p, "    " + keyinfo, "  </%sKeyInfo>" % p]
    if objects:
        out.append("  " + objects)
    out.append("</%sSignature>" % p)
    return out


def x509data(p, subject_name=None):
    """X509Data with an empty X509Certificate: xmlsec1 writes there every
    certificate given with the key. xmlsec1 1.2.37 leaves an empty
    X509SubjectName empty, so a subject name is written into the template."""
    name = "<%sX509SubjectName>%s</%sX509SubjectName>" % (p, subject_name, p) if subject_name else ""
    return "<%sX509Data>%s<%sX509Certificate/></%sX509Data>" % (p, name, p, p)


def subject_rfc4514(cert):
    """The certificate's subject as RFC 4514 text in UTF-8 (what e-invoices carry)."""
    code, out = run(["openssl", "x509", "-in", cert, "-noout", "-subject",
                     "-nameopt", "RFC2253,-esc_msb,utf8"])
    if code != 0:
        raise SystemExit("openssl x509 %s failed:\n%s" % (cert, out))
    return out.strip().split("=", 1)[1].replace("&", "&amp;").replace("<", "&lt;")


def indent(lines, by):
    return "\n".join(by + line for line in lines)


def enveloped(doc, sig_lines):
    """The signature as the last child of the document element."""
    end = doc.rstrip().rfind("</")
    return doc[:end] + indent(sig_lines, "  ") + "\n" + doc[end:]


def in_dscks_nban(doc, sig_lines):
    """The signature inside the e-invoice's empty <DSCKS><NBan/> (the seller's slot)."""
    m = re.search(r"(<DSCKS>\s*)<NBan/>", doc)
    if not m:
        raise ValueError("no <DSCKS><NBan/> in the document")
    return (doc[:m.start()] + m.group(1) + "<NBan>\n" + indent(sig_lines, "      ") +
            "\n    </NBan>" + doc[m.end():])


def run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def xmlsec1_sign(template, output, key, certs=(), extra=()):
    """xmlsec1 --sign with a PEM key (and the certificates to put in X509Data)."""
    spec = ",".join([key] + list(certs))
    code, out = run(["xmlsec1", "--sign", "--privkey-pem", spec] + ID_ATTR + list(extra) +
                    ["--output", output, template])
    if code != 0:
        raise SystemExit("xmlsec1 --sign %s failed:\n%s" % (template, out))


def xmlsec1_verify(path, trusted=ROOT_CA, untrusted=INTER_CA, extra=(), timeout=60):
    """(exit code, one-line summary) of xmlsec1 --verify (by default with the
    fixed root trusted and the intermediate untrusted); no trusted root if
    trusted is None."""
    cmd = ["xmlsec1", "--verify"]
    if trusted:
        cmd += ["--trusted-pem", trusted]
    if untrusted:
        cmd += ["--untrusted-pem", untrusted]
    try:
        code, out = run(cmd + ID_ATTR + list(extra) + [path], timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "xmlsec1 --verify: killed after %d s" % timeout
    return code, summarize(code, out.replace(path, os.path.basename(path)))


def summarize(code, out):
    """'OK (References 1/1)', or FAIL / ERROR / CRASH with the telling errors."""
    lines = out.splitlines()
    refs = [l for l in lines if l.startswith("SignedInfo References")]
    refs = refs[0].replace("SignedInfo References (ok/all): ", "References ") if refs else ""
    if code == 0 and "OK" in lines:
        return "OK (%s)" % refs
    reasons = []
    for line in lines:
        m = re.search(r"subj=([^:]*):error=\d+:(.*)$", line)
        if m:
            subj, rest = m.groups()
            text, _, more = rest.partition(":")
            more = re.sub(r"^details=", "", more.strip())
            if "msg=" in more:  # X509 errors: the reason, not the escaped subject
                more = more[more.index("msg=") + 4:]
            if more in ("", "NULL"):
                if text.endswith("library function failed"):
                    continue
                reason = text
            elif text == "xmlsec library function failed":
                if not more.startswith(("uri=", "expr=")) or any(more in r for r in reasons):
                    continue  # node=...: where it failed, not why; the same uri again
                reason = ("cannot open " if "opencallback" in subj else subj + ": ") + more
            else:
                reason = "%s: %s" % (text, more)
        elif re.match(r"^(Error: |[A-Za-z0-9 ]*error : )", line) and "failed to verify file" not in line:
            reason = line
        else:
            continue
        reason = re.sub(r"\s+", " ", reason).strip()
        if reason not in reasons:
            reasons.append(reason)
    if len(reasons) > 1 and "Error: signature failed" in reasons:
        reasons.remove("Error: signature failed")
    verdict = ("CRASH (signal %d)" % -code if code < 0 else "FAIL" if "FAIL" in lines
               else "ERROR (exit %d)" % code)
    detail = "; ".join(reasons[:3])
    if len(detail) > 300:
        detail = detail[:297] + "..."
    refs = " (%s)" % refs if refs and not refs.endswith(" 0/0") else ""
    return verdict + refs + (": " + detail if detail else "")
