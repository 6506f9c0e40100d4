/* XAdES qualifying properties: written by the signer, checked by the verifier (see xades.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cms/timestamp.h"
#include "core/certfile.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/grow.h"
#include "libsign/signer.h"
#include "libsign/xml.h"
#include "revocation/revocation.h"
#include "xml/xades.h"
#include "xml/xmldoc.h"

#define MAX_VALUES 256

static xmlNsPtr ds_ns(xmlNodePtr sig)
{
    return xmlSearchNsByHref(sig->doc, sig, (const xmlChar *)LSI_NS_DS);
}

/* ds:DigestMethod and ds:DigestValue of `der` under SHA-256 into `parent`. */
static int digest_pair(xmlNodePtr parent, xmlNsPtr ds, const unsigned char *der, size_t len,
                       const unsigned char *precomputed)
{
    char *b64 = precomputed != NULL ? lsi_xml_b64(precomputed, 32)
                                    : lsi_xml_digest_b64(LSIGN_DIGEST_SHA256, der, len);
    xmlNodePtr m = lsi_xml_add(parent, ds, "DigestMethod", NULL);
    int ok = b64 != NULL && m != NULL &&
             xmlNewProp(m, (const xmlChar *)"Algorithm",
                        (const xmlChar *)lsi_xml_digest_uri(LSIGN_DIGEST_SHA256)) != NULL &&
             lsi_xml_add(parent, ds, "DigestValue", b64) != NULL;

    free(b64);
    return ok ? LSIGN_OK : lsi_error_nomem();
}

static int write_signing_certificate(xmlNodePtr ssp, xmlNsPtr xa, xmlNsPtr ds, X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der), rc;
    xmlNodePtr digest = lsi_xml_add(
        lsi_xml_add(lsi_xml_add(ssp, xa, "SigningCertificateV2", NULL), xa, "Cert", NULL), xa,
        "CertDigest", NULL);

    rc = len > 0 && digest != NULL ? digest_pair(digest, ds, der, (size_t)len, NULL)
                                   : lsi_error_nomem();
    OPENSSL_free(der);
    return rc;
}

static int write_policy(xmlNodePtr ssp, xmlNsPtr xa, xmlNsPtr ds, const lsi_xades_props *p)
{
    xmlNodePtr spi = lsi_xml_add(ssp, xa, "SignaturePolicyIdentifier", NULL);
    xmlNodePtr id = lsi_xml_add(spi, xa, "SignaturePolicyId", NULL);

    if (lsi_xml_add(lsi_xml_add(id, xa, "SigPolicyId", NULL), xa, "Identifier", p->policy_id) ==
        NULL)
        return lsi_error_nomem();
    return digest_pair(lsi_xml_add(id, xa, "SigPolicyHash", NULL), ds, NULL, 0, p->policy_sha256);
}

static void iso_utc(time_t t, char out[32])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int lsi_xades_write(xmlNodePtr sig, const char *sig_id, const lsi_xades_props *p, char **props_id)
{
    xmlNsPtr ds = ds_ns(sig);
    xmlNodePtr qp =
        lsi_xml_add(lsi_xml_add(sig, ds, "Object", NULL), NULL, "QualifyingProperties", NULL);
    xmlNsPtr xa =
        qp != NULL ? xmlNewNs(qp, (const xmlChar *)LSI_NS_XADES, (const xmlChar *)"xades") : NULL;
    xmlNodePtr sp, ssp, dof;
    char when[32], target[160], ref[160];
    int rc;

    *props_id = NULL;
    if (xa == NULL || (*props_id = malloc(strlen(sig_id) + 16)) == NULL)
        return lsi_error_nomem();
    sprintf(*props_id, "%s-signedprops", sig_id);
    snprintf(target, sizeof target, "#%s", sig_id);
    xmlSetNs(qp, xa);
    xmlNewProp(qp, (const xmlChar *)"Target", (const xmlChar *)target);
    sp = lsi_xml_add(qp, xa, "SignedProperties", NULL);
    xmlNewProp(sp, (const xmlChar *)"Id", (const xmlChar *)*props_id);
    ssp = lsi_xml_add(sp, xa, "SignedSignatureProperties", NULL);
    iso_utc(p->signing_time, when);
    lsi_xml_add(ssp, xa, "SigningTime", when);
    rc = write_signing_certificate(ssp, xa, ds, p->cert);
    if (rc == LSIGN_OK && p->policy_id != NULL)
        rc = write_policy(ssp, xa, ds, p);
    if (rc == LSIGN_OK && p->signer_role != NULL &&
        lsi_xml_add(
            lsi_xml_add(lsi_xml_add(ssp, xa, "SignerRoleV2", NULL), xa, "ClaimedRoles", NULL), xa,
            "ClaimedRole", p->signer_role) == NULL)
        rc = lsi_error_nomem();
    if (rc == LSIGN_OK && p->data_ref_id != NULL) {
        snprintf(ref, sizeof ref, "#%s", p->data_ref_id);
        dof = lsi_xml_add(lsi_xml_add(sp, xa, "SignedDataObjectProperties", NULL), xa,
                          "DataObjectFormat", NULL);
        if (dof == NULL ||
            xmlNewProp(dof, (const xmlChar *)"ObjectReference", (const xmlChar *)ref) == NULL ||
            lsi_xml_add(dof, xa, "MimeType", p->mime_type) == NULL)
            rc = lsi_error_nomem();
    }
    return rc;
}

xmlNodePtr lsi_xades_qualifying(xmlNodePtr sig)
{
    for (xmlNodePtr o = lsi_xml_child(sig, LSI_NS_DS, "Object"); o != NULL;
         o = lsi_xml_next_element(o)) {
        xmlNodePtr qp = lsi_xml_child(o, LSI_NS_XADES, "QualifyingProperties");
        if (lsi_xml_is(o, LSI_NS_DS, "Object") && qp != NULL)
            return qp;
    }
    return NULL;
}

xmlNodePtr lsi_xades_unsigned_properties(xmlNodePtr sig)
{
    xmlNodePtr qp = lsi_xades_qualifying(sig), up, usp;
    xmlNsPtr xa = qp != NULL ? qp->ns : NULL;

    if (qp == NULL)
        return NULL;
    if ((up = lsi_xml_child(qp, LSI_NS_XADES, "UnsignedProperties")) == NULL)
        up = lsi_xml_add(qp, xa, "UnsignedProperties", NULL);
    if ((usp = lsi_xml_child(up, LSI_NS_XADES, "UnsignedSignatureProperties")) == NULL)
        usp = lsi_xml_add(up, xa, "UnsignedSignatureProperties", NULL);
    return usp;
}

int lsi_xades_add_timestamp(const lsign_ctx *ctx, xmlNodePtr sig)
{
    xmlNodePtr usp = lsi_xades_unsigned_properties(sig),
               value = lsi_xml_child(sig, LSI_NS_DS, "SignatureValue");
    xmlNodePtr ts = lsi_xml_add(usp, usp != NULL ? usp->ns : NULL, "SignatureTimeStamp", NULL);
    xmlNodePtr cm = lsi_xml_add(ts, ds_ns(sig), "CanonicalizationMethod", NULL);
    unsigned char *data = NULL, *token = NULL;
    size_t len = 0, token_len = 0;
    int64_t when = 0;
    char *b64 = NULL;
    int rc;

    if (cm == NULL || value == NULL ||
        xmlNewProp(cm, (const xmlChar *)"Algorithm",
                   (const xmlChar *)lsi_xml_c14n_uri(LSIGN_XML_C14N_EXCLUSIVE)) == NULL)
        return lsi_error_nomem();
    rc = lsi_xml_c14n(value, cm, &data, &len);
    if (rc == LSIGN_OK)
        rc = lsi_ts_stamp(ctx, LSIGN_DIGEST_SHA256, data, len, &token, &token_len, &when);
    if (rc == LSIGN_OK && ((b64 = lsi_xml_b64(token, token_len)) == NULL ||
                           lsi_xml_add(ts, usp->ns, "EncapsulatedTimeStamp", b64) == NULL))
        rc = lsi_error_nomem();
    free(b64);
    free(token);
    free(data);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("XAdES signature timestamp");
}

static int add_encapsulated(xmlNodePtr parent, const char *name, const unsigned char *der,
                            size_t len)
{
    char *b64 = lsi_xml_b64(der, len);
    int ok = b64 != NULL && lsi_xml_add(parent, parent->ns, name, b64) != NULL;

    free(b64);
    return ok ? LSIGN_OK : lsi_error_nomem();
}

/* The TSA certificates of the signature's timestamp, for their chains' evidence. */
static STACK_OF(X509) * timestamp_certs(xmlNodePtr usp)
{
    xmlNodePtr ts = lsi_xml_child(usp, LSI_NS_XADES, "SignatureTimeStamp");
    xmlNodePtr enc = lsi_xml_child(ts, LSI_NS_XADES, "EncapsulatedTimeStamp");
    size_t len = 0;
    unsigned char *der = lsi_xml_b64_content(enc, &len);
    const unsigned char *p = der;
    PKCS7 *p7 = der != NULL ? d2i_PKCS7(NULL, &p, (long)len) : NULL;
    STACK_OF(X509) *certs = NULL;

    if (p7 != NULL && PKCS7_type_is_signed(p7))
        certs = X509_chain_up_ref(p7->d.sign->cert);
    PKCS7_free(p7);
    free(der);
    return certs;
}

int lsi_xades_add_values(const lsign_ctx *ctx, xmlNodePtr sig, X509 *signer,
                         STACK_OF(X509) * untrusted, int allow_revoked)
{
    xmlNodePtr usp = lsi_xades_unsigned_properties(sig), certs, revs;
    STACK_OF(X509) *tsa = usp != NULL ? timestamp_certs(usp) : NULL;
    X509_STORE *store = lsi_ctx_trust_store(ctx);
    lsi_rev_set set;
    int rc;

    memset(&set, 0, sizeof set);
    if (usp == NULL || store == NULL)
        rc = lsi_error_nomem();
    else
        rc = lsi_rev_collect_chain(ctx, signer, untrusted, store, (int64_t)time(NULL),
                                   LSI_REV_OCSP_FIRST, &set);
    if (rc == LSIGN_OK && sk_X509_num(tsa) > 0)
        rc = lsi_rev_collect_chain(ctx, sk_X509_value(tsa, 0), tsa, store, (int64_t)time(NULL),
                                   LSI_REV_OCSP_FIRST, &set);
    for (size_t i = 0; rc == LSIGN_OK && !allow_revoked && i < set.count; i++)
        if (set.items[i].status == LSI_REV_REVOKED && set.items[i].cert != NULL) {
            char *who = lsi_name_utf8(X509_get_subject_name(set.items[i].cert));
            rc = lsi_error(LSIGN_E_POLICY, "a certificate of the chain is revoked (%s)",
                           who != NULL ? who : "?");
            free(who);
        }
    certs = rc == LSIGN_OK ? lsi_xml_add(usp, usp->ns, "CertificateValues", NULL) : NULL;
    for (int i = 0; certs != NULL && rc == LSIGN_OK && i < sk_X509_num(set.certs); i++) {
        unsigned char *der = NULL;
        int len = i2d_X509(sk_X509_value(set.certs, i), &der);
        rc = len > 0 ? add_encapsulated(certs, "EncapsulatedX509Certificate", der, (size_t)len)
                     : lsi_error_nomem();
        OPENSSL_free(der);
    }
    revs = rc == LSIGN_OK ? lsi_xml_add(usp, usp->ns, "RevocationValues", NULL) : NULL;
    /* The schema's order: CRLValues, then OCSPValues. */
    for (int ocsp = 0; revs != NULL && ocsp <= 1; ocsp++) {
        xmlNodePtr group = NULL;
        for (size_t i = 0; rc == LSIGN_OK && i < set.count; i++) {
            if (set.items[i].is_ocsp != ocsp)
                continue;
            if (group == NULL)
                group = lsi_xml_add(revs, usp->ns, ocsp ? "OCSPValues" : "CRLValues", NULL);
            rc = group == NULL
                     ? lsi_error_nomem()
                     : add_encapsulated(group,
                                        ocsp ? "EncapsulatedOCSPValue" : "EncapsulatedCRLValue",
                                        set.items[i].der, set.items[i].der_len);
        }
    }
    lsi_rev_set_free(&set);
    sk_X509_pop_free(tsa, X509_free);
    X509_STORE_free(store);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("XAdES B-LT");
}

/* ---- verification ------------------------------------------------------------------------ */

int64_t lsi_xades_parse_time(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0, tzh = 0, tzm = 0;
    const char *p;
    int64_t t;

    if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return 0;
    p = s + n;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    t = ((lsi_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
    if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &tzh, &tzm) == 2)
        t -= (*p == '+' ? 1 : -1) * (int64_t)(tzh * 3600 + tzm * 60);
    return t;
}

/* Whether the reference `r` points at the SignedProperties of this signature's
 * QualifyingProperties. */
static int bound_to(const lsi_xml_ref *r, xmlNodePtr sig, xmlNodePtr qp, const char *sig_id)
{
    xmlAttrPtr id =
        r->uri != NULL && r->uri[0] == '#' ? xmlGetID(sig->doc, (const xmlChar *)r->uri + 1) : NULL;
    xmlNodePtr target = id != NULL ? id->parent : NULL;
    char *want = lsi_xml_attr(qp, "Target");
    int ok = target != NULL && lsi_xml_is(target, LSI_NS_XADES, "SignedProperties") &&
             target->parent == qp && qp->parent != NULL && qp->parent->parent == sig &&
             want != NULL && want[0] == '#' && strcmp(want + 1, sig_id) == 0;

    free(want);
    return ok;
}

static void check_signing_certificate(xmlNodePtr ssp, X509 *cert, lsi_report_sig *rs)
{
    xmlNodePtr sc = lsi_xml_child(ssp, LSI_NS_XADES, "SigningCertificateV2");
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der), matched = 0;

    if (sc == NULL)
        sc = lsi_xml_child(ssp, LSI_NS_XADES, "SigningCertificate");
    for (xmlNodePtr c = lsi_xml_first_element(sc); c != NULL && len > 0;
         c = lsi_xml_next_element(c)) {
        xmlNodePtr cd = lsi_xml_child(c, LSI_NS_XADES, "CertDigest");
        char *alg = lsi_xml_attr(lsi_xml_child(cd, LSI_NS_DS, "DigestMethod"), "Algorithm");
        char *have = lsi_xml_text(lsi_xml_child(cd, LSI_NS_DS, "DigestValue"));
        char *want = lsi_xml_digest_b64(lsi_xml_digest_of_uri(alg), der, (size_t)len);
        matched |= have != NULL && want != NULL && strcmp(have, want) == 0;
        free(alg), free(have), free(want);
    }
    OPENSSL_free(der);
    if (sc == NULL)
        lsi_report_sig_fail(rs, LSI_INDETERMINATE, LSI_SUB_NO_SIGNING_CERTIFICATE_FOUND,
                            "XAdES: no SigningCertificateV2");
    else if (!matched)
        lsi_report_sig_fail(rs, LSI_INDETERMINATE, LSI_SUB_NO_SIGNING_CERTIFICATE_FOUND,
                            "XAdES: SigningCertificateV2 does not name the certificate that "
                            "verifies the signature");
}

static void check_data_formats(xmlNodePtr sp, const lsi_xml_ref *refs, size_t nrefs,
                               lsi_report_sig *rs)
{
    xmlNodePtr sdop = lsi_xml_child(sp, LSI_NS_XADES, "SignedDataObjectProperties");

    for (xmlNodePtr d = lsi_xml_child(sdop, LSI_NS_XADES, "DataObjectFormat"); d != NULL;
         d = lsi_xml_next_element(d)) {
        char *ref = lsi_xml_attr(d, "ObjectReference");
        int found = 0;
        for (size_t i = 0; ref != NULL && ref[0] == '#' && i < nrefs; i++) {
            char *id = lsi_xml_attr(refs[i].node, "Id");
            found |= id != NULL && strcmp(id, ref + 1) == 0;
            free(id);
        }
        if (lsi_xml_is(d, LSI_NS_XADES, "DataObjectFormat") && !found)
            lsi_report_sig_fail(
                rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE,
                "XAdES: DataObjectFormat '%.64s' names no reference of the signature",
                ref != NULL ? ref : "");
        free(ref);
    }
}

static int push_der(unsigned char ***items, size_t **lens, size_t *n, xmlNodePtr enc)
{
    size_t len = 0;
    unsigned char *der = lsi_xml_b64_content(enc, &len);
    unsigned char **grown_items;
    size_t *grown_lens;

    if (der == NULL || *n >= MAX_VALUES)
        return free(der), LSIGN_OK;
    grown_items = realloc(*items, (*n + 1) * sizeof **items);
    if (grown_items != NULL)
        *items = grown_items;
    grown_lens = grown_items != NULL ? realloc(*lens, (*n + 1) * sizeof **lens) : NULL;
    if (grown_lens == NULL)
        return free(der), lsi_error_nomem();
    *lens = grown_lens;
    (*items)[*n] = der;
    (*lens)[(*n)++] = len;
    return LSIGN_OK;
}

static int read_values(xmlNodePtr usp, lsi_dss_items *v)
{
    xmlNodePtr cv = lsi_xml_child(usp, LSI_NS_XADES, "CertificateValues");
    xmlNodePtr rv = lsi_xml_child(usp, LSI_NS_XADES, "RevocationValues");
    xmlNodePtr crls = lsi_xml_child(rv, LSI_NS_XADES, "CRLValues");
    xmlNodePtr ocsps = lsi_xml_child(rv, LSI_NS_XADES, "OCSPValues");
    int rc = LSIGN_OK;

    v->revision = SIZE_MAX;
    if ((v->certs = sk_X509_new_null()) == NULL)
        return lsi_error_nomem();
    for (xmlNodePtr c = lsi_xml_first_element(cv); c != NULL && sk_X509_num(v->certs) < MAX_VALUES;
         c = lsi_xml_next_element(c)) {
        X509 *x = lsi_xml_cert(c);
        if (x != NULL && !sk_X509_push(v->certs, x))
            X509_free(x);
    }
    for (xmlNodePtr c = lsi_xml_first_element(crls); c != NULL && rc == LSIGN_OK;
         c = lsi_xml_next_element(c))
        rc = push_der(&v->crls, &v->crl_len, &v->ncrl, c);
    for (xmlNodePtr c = lsi_xml_first_element(ocsps); c != NULL && rc == LSIGN_OK;
         c = lsi_xml_next_element(c))
        rc = push_der(&v->ocsps, &v->ocsp_len, &v->nocsp, c);
    return rc;
}

static int read_timestamp(xmlNodePtr sig, xmlNodePtr usp, lsi_xades_found *f)
{
    xmlNodePtr ts = lsi_xml_child(usp, LSI_NS_XADES, "SignatureTimeStamp");
    xmlNodePtr cm = lsi_xml_child(ts, LSI_NS_DS, "CanonicalizationMethod");
    f->token = lsi_xml_b64_content(lsi_xml_child(ts, LSI_NS_XADES, "EncapsulatedTimeStamp"),
                                   &f->token_len);
    if (f->token == NULL)
        return LSIGN_OK;
    /* A timestamp without a CanonicalizationMethod is not checked (yet): no proof of existence. */
    if (cm != NULL)
        return lsi_xml_c14n(lsi_xml_child(sig, LSI_NS_DS, "SignatureValue"), cm, &f->stamped,
                            &f->stamped_len);
    return LSIGN_OK;
}

int lsi_xades_check(xmlNodePtr sig, const char *sig_id, X509 *cert, const lsi_xml_ref *refs,
                    size_t nrefs, lsi_report_sig *rs, lsi_xades_found *found)
{
    xmlNodePtr qp = lsi_xades_qualifying(sig), sp, ssp, usp;
    size_t bound = 0, typed = 0;
    char *when;
    int rc;

    memset(found, 0, sizeof *found);
    found->values.revision = SIZE_MAX;
    if (qp == NULL)
        return LSIGN_OK;
    found->present = 1;
    for (size_t i = 0; i < nrefs; i++)
        if (refs[i].type != NULL && strcmp(refs[i].type, LSI_XADES_SIGNED_PROPS_TYPE) == 0) {
            typed++;
            bound += bound_to(&refs[i], sig, qp, sig_id) ? 1 : 0;
        }
    if (typed != 1 || bound != 1)
        return lsi_report_sig_fail(rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE,
                                   "XAdES: %zu SignedProperties references, %zu of them bound to "
                                   "this signature's QualifyingProperties (exactly 1 required)",
                                   typed, bound);
    sp = lsi_xml_child(qp, LSI_NS_XADES, "SignedProperties");
    ssp = lsi_xml_child(sp, LSI_NS_XADES, "SignedSignatureProperties");
    when = lsi_xml_text(lsi_xml_child(ssp, LSI_NS_XADES, "SigningTime"));
    found->signing_time = (time_t)lsi_xades_parse_time(when);
    free(when);
    check_signing_certificate(ssp, cert, rs);
    check_data_formats(sp, refs, nrefs, rs);
    usp = lsi_xml_child(lsi_xml_child(qp, LSI_NS_XADES, "UnsignedProperties"), LSI_NS_XADES,
                        "UnsignedSignatureProperties");
    rc = read_values(usp, &found->values);
    if (rc == LSIGN_OK)
        rc = read_timestamp(sig, usp, found);
    return rc;
}

void lsi_xades_found_clear(lsi_xades_found *f)
{
    free(f->token);
    free(f->stamped);
    lsi_dss_items_free(&f->values);
    memset(f, 0, sizeof *f);
}
