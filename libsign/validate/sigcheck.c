/*
 * The cryptographic checks of one signature: /Contents as DER, the CMS
 * SignedData (or a document timestamp's TimeStampToken), the digest of the
 * ByteRange bytes against messageDigest (or the TSTInfo's imprint), the
 * signature over the signed attributes with the certificate the SignerInfo
 * names, and the ESS signing-certificate(-v2) attribute. No chain building.
 */
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/ts.h>

#include "core/certfile.h"
#include "core/error.h"
#include "core/io.h"
#include "cms/parts.h"
#include "validate/sigcheck.h"

#define HASH_CHUNK ((size_t)1 << 20)

int lsi_sc_fail(lsi_sigcheck *c, lsi_sc_verdict v, const char *fmt, ...)
{
    va_list ap;

    if (c->verdict == LSI_SC_OK) {
        c->verdict = v;
        va_start(ap, fmt);
        vsnprintf(c->reason, sizeof c->reason, fmt, ap);
        va_end(ap);
    }
    ERR_clear_error();
    return 0;
}

void lsi_sigcheck_clear(lsi_sigcheck *c)
{
    if (c == NULL)
        return;
    X509_free(c->signer);
    sk_X509_pop_free(c->cms_certs, X509_free);
    free(c->token);
    memset(c, 0, sizeof *c);
}

/* Hashing */

static const EVP_MD *md_of(const X509_ALGOR *alg, int *nid)
{
    const ASN1_OBJECT *obj = NULL;

    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    *nid = OBJ_obj2nid(obj);
    return *nid == NID_undef ? NULL : EVP_MD_fetch(NULL, OBJ_nid2sn(*nid), NULL);
}

/* Hashes in chunks, releasing each chunk's pages of a mapped file behind it. */
static int digest_update(EVP_MD_CTX *ctx, const unsigned char *p, size_t n)
{
    for (size_t done = 0; done < n; done += HASH_CHUNK) {
        size_t chunk = n - done < HASH_CHUNK ? n - done : HASH_CHUNK;
        if (!EVP_DigestUpdate(ctx, p + done, chunk))
            return 0;
        lsi_input_release(p + done, chunk);
    }
    return 1;
}

/* The digest under `md` of data[0, b) and data[c, c + d): one pass, in chunks. */
static int hash_ranges(const EVP_MD *md, const unsigned char *data, const int64_t r[4],
                       unsigned char *out, unsigned int *out_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) &&
             digest_update(ctx, data, (size_t)r[1]) &&
             digest_update(ctx, data + r[2], (size_t)r[3]) && EVP_DigestFinal_ex(ctx, out, out_len);

    EVP_MD_CTX_free(ctx);
    return ok ? LSIGN_OK : lsi_error_openssl(LSIGN_E_NOMEM, "hashing the signed ranges");
}

/* Times */

/* `n` digits at *p (advanced), or `dflt` when there are none. */
static int64_t digits(const unsigned char **p, const unsigned char *end, int n, int64_t dflt)
{
    int64_t v = 0;

    for (int i = 0; i < n; i++)
        if (*p + i >= end || (*p)[i] < '0' || (*p)[i] > '9')
            return dflt;
    for (int i = 0; i < n; i++)
        v = v * 10 + ((*p)[i] - '0');
    *p += n;
    return v;
}

/* A PDF date (D:YYYYMMDDHHmmSSOHH'mm), in seconds since 1970; 0 when unreadable. */
static int64_t pdf_date(const lsi_pdf_obj *m)
{
    const unsigned char *p, *end;
    size_t len;

    if (!lsi_pdf_get_string(m, &p, &len))
        return 0;
    end = p + len;
    if (len >= 2 && p[0] == 'D' && p[1] == ':')
        p += 2;
    int64_t y = digits(&p, end, 4, -1), mo = digits(&p, end, 2, 1), d = digits(&p, end, 2, 1),
            h = digits(&p, end, 2, 0), mi = digits(&p, end, 2, 0), s = digits(&p, end, 2, 0);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return 0;
    int64_t t = lsi_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p++ == '+' ? 1 : -1;
        int64_t oh = digits(&p, end, 2, 0);
        if (p < end && *p == '\'')
            p++;
        t -= sign * (oh * 3600 + digits(&p, end, 2, 0) * 60);
    }
    return t;
}

/* /Contents */

/* The DER ContentInfo at the start of /Contents; what follows must be zero padding. */
static int decode_contents(const lsi_pdf_sig *sig, lsi_sigcheck *c, CMS_ContentInfo **cms,
                           size_t *der_len)
{
    const unsigned char *bytes;
    size_t len;

    if (!lsi_pdf_get_string(lsi_pdf_dict_get(sig->dict, "Contents"), &bytes, &len) || len == 0 ||
        len > LONG_MAX)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/Contents is empty");
    if ((*cms = lsi_cms_decode(bytes, len, der_len, &c->cms_certs)) == NULL)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/Contents is not a DER ContentInfo");
    for (size_t i = *der_len; i < len; i++)
        if (bytes[i] != 0)
            return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE,
                               "/Contents has non-zero bytes after the ContentInfo");
    if (OBJ_obj2nid(CMS_get0_type(*cms)) != NID_pkcs7_signed)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/Contents is not a SignedData");
    /* PAdES allows one SignerInfo (EN 319 142-1 5.1); adbe.pkcs7.detached signers such as
     * podofosign write more, each of which must then verify. */
    if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(*cms)) < 1 ||
        (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(*cms)) != 1 && c->subfilter != NULL &&
         strcmp(c->subfilter, "ETSI.CAdES.detached") == 0))
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "the CMS has not exactly one SignerInfo");
    return 1;
}

/* Signed attributes, signer, signature */

static int one_attr(CMS_SignerInfo *si, int nid)
{
    int at = CMS_signed_get_attr_by_NID(si, nid, -1);

    return at >= 0 && CMS_signed_get_attr_by_NID(si, nid, at) < 0;
}

static int check_attrs(CMS_SignerInfo *si, int content_type, const unsigned char *hash,
                       unsigned int hash_len, lsi_sc_verdict mismatch, lsi_sigcheck *c)
{
    const ASN1_OBJECT *type;
    const ASN1_OCTET_STRING *md;

    if (CMS_signed_get_attr_count(si) <= 0)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "the SignerInfo has no signed attributes");
    if (!one_attr(si, NID_pkcs9_messageDigest) || !one_attr(si, NID_pkcs9_contentType))
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE,
                           "not exactly one messageDigest and one contentType attribute");
    md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                     V_ASN1_OCTET_STRING);
    if (md == NULL || (unsigned int)ASN1_STRING_length(md) != hash_len ||
        memcmp(ASN1_STRING_get0_data(md), hash, hash_len) != 0)
        return lsi_sc_fail(c, mismatch, "the messageDigest attribute does not match the %s",
                           mismatch == LSI_SC_HASH_FAILURE ? "signed bytes" : "token's content");
    type = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
    if (OBJ_obj2nid(type) != content_type)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "the contentType attribute is not %s",
                           OBJ_nid2sn(content_type));
    return 1;
}

static int find_signer(CMS_SignerInfo *si, lsi_sigcheck *c)
{
    for (int i = 0; i < sk_X509_num(c->cms_certs); i++) {
        X509 *cert = sk_X509_value(c->cms_certs, i);
        if (CMS_SignerInfo_cert_cmp(si, cert) == 0 && X509_up_ref(cert)) {
            c->signer = cert;
            return 1;
        }
    }
    return lsi_sc_fail(c, LSI_SC_SIG_CRYPTO_FAILURE, "the signer's certificate is not in the CMS");
}

static int verify_signature(CMS_SignerInfo *si, lsi_sigcheck *c)
{
    CMS_SignerInfo_set1_signer_cert(si, c->signer);
    if (CMS_SignerInfo_verify(si) != 1)
        return lsi_sc_fail(c, LSI_SC_SIG_CRYPTO_FAILURE,
                           "the signature does not verify with the signer's certificate");
    return 1;
}

/* An ESS attribute of `nid` decoded with `d2i`: 1 and *out (maybe NULL when absent), else 0. */
static int ess_attr(CMS_SignerInfo *si, int nid, void **out,
                    void *(*d2i)(const unsigned char **, long))
{
    int at = CMS_signed_get_attr_by_NID(si, nid, -1);
    const ASN1_STRING *seq;
    const unsigned char *p;

    *out = NULL;
    if (at < 0)
        return 1;
    if (CMS_signed_get_attr_by_NID(si, nid, at) >= 0)
        return 0;
    seq = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(nid), -3, V_ASN1_SEQUENCE);
    if (seq == NULL)
        return 0;
    p = ASN1_STRING_get0_data(seq);
    *out = d2i(&p, ASN1_STRING_length(seq));
    return *out != NULL && p == ASN1_STRING_get0_data(seq) + ASN1_STRING_length(seq);
}

static void *d2i_ess_v1(const unsigned char **p, long len)
{
    return d2i_ESS_SIGNING_CERT(NULL, p, len);
}

static void *d2i_ess_v2(const unsigned char **p, long len)
{
    return d2i_ESS_SIGNING_CERT_V2(NULL, p, len);
}

static int check_ess(CMS_SignerInfo *si, lsi_sigcheck *c)
{
    void *v1 = NULL, *v2 = NULL;
    STACK_OF(X509) *chain = NULL;
    int ok = 0, parsed = ess_attr(si, NID_id_smime_aa_signingCertificate, &v1, d2i_ess_v1) &&
                         ess_attr(si, NID_id_smime_aa_signingCertificateV2, &v2, d2i_ess_v2);

    if (!parsed)
        ok = lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "malformed ESS signing-certificate attribute");
    else if (v1 == NULL && v2 == NULL)
        ok = 1;
    else if ((chain = sk_X509_new_null()) != NULL && sk_X509_push(chain, c->signer) > 0 &&
             OSSL_ESS_check_signing_certs(v1, v2, chain, 0) == 1)
        ok = 1;
    else
        ok = lsi_sc_fail(c, LSI_SC_SIG_CRYPTO_FAILURE,
                         "the ESS signing-certificate attribute does not name the signer");
    sk_X509_free(chain);
    ESS_SIGNING_CERT_free(v1);
    ESS_SIGNING_CERT_V2_free(v2);
    ERR_clear_error();
    return ok;
}

/* What every SignerInfo must pass once its content's digest is known. */
static int check_signer_info(CMS_SignerInfo *si, int content_type, const unsigned char *hash,
                             unsigned int hash_len, lsi_sc_verdict mismatch, lsi_sigcheck *c)
{
    if (check_attrs(si, content_type, hash, hash_len, mismatch, c))
        return find_signer(si, c) && verify_signature(si, c) && check_ess(si, c);
    /* The content's digest differs (the verdict stays): the signer is still named when the
     * signature over the attributes verifies, so a report says whose document was changed. */
    if (c->verdict == mismatch && find_signer(si, c) && !verify_signature(si, c)) {
        X509_free(c->signer);
        c->signer = NULL;
    }
    return 0;
}

static int copy_bytes(const unsigned char *p, size_t n, lsi_sigcheck *c)
{
    if ((c->token = malloc(n != 0 ? n : 1)) == NULL)
        return lsi_error_nomem();
    memcpy(c->token, p, n);
    c->token_len = n;
    return LSIGN_OK;
}

/* The first signature timestamp token (unsigned attribute), if any, copied. */
static int take_token(CMS_SignerInfo *si, lsi_sigcheck *c)
{
    int at = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
    const ASN1_TYPE *v =
        at >= 0 ? X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, at), 0) : NULL;

    if (v == NULL || v->type != V_ASN1_SEQUENCE)
        return LSIGN_OK;
    return copy_bytes(ASN1_STRING_get0_data(v->value.sequence),
                      (size_t)ASN1_STRING_length(v->value.sequence), c);
}

static int64_t signing_time(CMS_SignerInfo *si, const lsi_pdf_sig *sig)
{
    int at = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    const ASN1_TYPE *v = at >= 0 ? X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, at), 0) : NULL;

    if (v != NULL && (v->type == V_ASN1_UTCTIME || v->type == V_ASN1_GENERALIZEDTIME))
        return lsi_asn1_time(v->value.utctime);
    return pdf_date(lsi_pdf_dict_get(sig->dict, "M"));
}

/* eContent: absent (detached); present but empty is tolerated with a warning. */
static int check_detached(CMS_ContentInfo *cms, lsi_sigcheck *c)
{
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);

    if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "the CMS eContentType is not id-data");
    if (content == NULL || *content == NULL)
        return 1;
    if (ASN1_STRING_length(*content) != 0)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "the CMS is not detached (it has eContent)");
    c->warnings |= LSI_SC_WARN_EMPTY_ECONTENT;
    return 1;
}

/* One SignerInfo over the ranges: its digest, attributes, certificate and signature. */
static int check_one(CMS_SignerInfo *si, const unsigned char *data, lsi_sigcheck *c)
{
    X509_ALGOR *alg = NULL;
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_len = 0;
    const EVP_MD *md;
    int rc;

    CMS_SignerInfo_get0_algs(si, NULL, NULL, &alg, NULL);
    if ((md = md_of(alg, &c->digest_nid)) == NULL)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "unsupported digest algorithm");
    rc = hash_ranges(md, data, c->range, hash, &hash_len);
    EVP_MD_free((EVP_MD *)md);
    if (rc == LSIGN_OK &&
        !check_signer_info(si, NID_pkcs7_data, hash, hash_len, LSI_SC_HASH_FAILURE, c))
        return LSIGN_OK;
    return rc;
}

/* The SignerInfos after the first (adbe.pkcs7.detached only): each must verify too. */
static int check_others(CMS_ContentInfo *cms, const unsigned char *data, lsi_sigcheck *c)
{
    int rc = LSIGN_OK;

    for (int i = 1; rc == LSIGN_OK && c->verdict == LSI_SC_OK &&
                    i < sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms));
         i++) {
        lsi_sigcheck other;
        memset(&other, 0, sizeof other);
        memcpy(other.range, c->range, sizeof other.range);
        if ((other.cms_certs = X509_chain_up_ref(c->cms_certs)) == NULL)
            return lsi_error_nomem();
        rc = check_one(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), i), data, &other);
        if (rc == LSIGN_OK && other.verdict != LSI_SC_OK) {
            c->verdict = other.verdict;
            snprintf(c->reason, sizeof c->reason, "SignerInfo %d: %.200s", i + 1, other.reason);
        }
        lsi_sigcheck_clear(&other);
    }
    return rc;
}

/* adbe.pkcs7.detached and ETSI.CAdES.detached. */
static int check_cms(CMS_ContentInfo *cms, const unsigned char *data, const lsi_pdf_sig *sig,
                     lsi_sigcheck *c)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    int rc;

    if (!check_detached(cms, c))
        return LSIGN_OK;
    rc = check_one(si, data, c);
    if (rc == LSIGN_OK && c->verdict == LSI_SC_HASH_FAILURE && c->signer != NULL)
        c->claimed_time = signing_time(si, sig); /* of the document before it was changed */
    if (rc != LSIGN_OK || c->verdict != LSI_SC_OK)
        return rc;
    if ((rc = check_others(cms, data, c)) != LSIGN_OK || c->verdict != LSI_SC_OK)
        return rc;
    c->claimed_time = signing_time(si, sig);
    return take_token(si, c);
}

/* Document timestamps */

static int hash_bytes(const X509_ALGOR *alg, const unsigned char *p, size_t n, int *nid,
                      unsigned char *out, unsigned int *out_len)
{
    const EVP_MD *md = md_of(alg, nid);
    int ok = md != NULL && EVP_Digest(p, n, out, out_len, md, NULL);

    EVP_MD_free((EVP_MD *)md);
    ERR_clear_error();
    return ok;
}

/* The TSTInfo's imprint covers the ByteRange bytes; returns 1, or 0 with a verdict. */
static int check_imprint(TS_TST_INFO *tst, const unsigned char *data, lsi_sigcheck *c, int *rc)
{
    TS_MSG_IMPRINT *imprint = TS_TST_INFO_get_msg_imprint(tst);
    const ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(imprint);
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_len = 0;
    int nid;
    const EVP_MD *md = md_of(TS_MSG_IMPRINT_get_algo(imprint), &nid);

    if (md == NULL)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "unsupported timestamp imprint algorithm");
    *rc = hash_ranges(md, data, c->range, hash, &hash_len);
    EVP_MD_free((EVP_MD *)md);
    if (*rc != LSIGN_OK)
        return 0;
    if (msg == NULL || (unsigned int)ASN1_STRING_length(msg) != hash_len ||
        memcmp(ASN1_STRING_get0_data(msg), hash, hash_len) != 0)
        return lsi_sc_fail(c, LSI_SC_HASH_FAILURE,
                           "the timestamp's imprint does not match the signed bytes");
    return 1;
}

static TS_TST_INFO *tst_info(CMS_ContentInfo *cms, lsi_sigcheck *c)
{
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);
    const unsigned char *p;
    TS_TST_INFO *tst;

    if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_id_smime_ct_TSTInfo || content == NULL ||
        *content == NULL) {
        lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/Contents is not a TimeStampToken");
        return NULL;
    }
    p = ASN1_STRING_get0_data(*content);
    if ((tst = d2i_TS_TST_INFO(NULL, &p, ASN1_STRING_length(*content))) == NULL)
        lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "the timestamp's TSTInfo is malformed");
    return tst;
}

static int check_doc_timestamp(CMS_ContentInfo *cms, const unsigned char *data,
                               const unsigned char *der, size_t der_len, lsi_sigcheck *c)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);
    X509_ALGOR *alg = NULL;
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_len = 0;
    TS_TST_INFO *tst = tst_info(cms, c);
    int rc = LSIGN_OK;

    if (tst == NULL || !check_imprint(tst, data, c, &rc))
        goto done;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &alg, NULL);
    if (!hash_bytes(alg, ASN1_STRING_get0_data(*content), (size_t)ASN1_STRING_length(*content),
                    &c->digest_nid, hash, &hash_len)) {
        lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "unsupported digest algorithm in the timestamp");
        goto done;
    }
    if (!check_signer_info(si, NID_id_smime_ct_TSTInfo, hash, hash_len, LSI_SC_SIG_CRYPTO_FAILURE,
                           c))
        goto done;
    c->claimed_time = lsi_asn1_time(TS_TST_INFO_get_time(tst));
    rc = copy_bytes(der, der_len, c);
done:
    TS_TST_INFO_free(tst);
    return rc;
}

/* The run */

static int is_doc_timestamp(const lsi_pdf_obj *dict)
{
    return lsi_pdf_name_is(lsi_pdf_dict_get(dict, "Type"), "DocTimeStamp") ||
           lsi_pdf_name_is(lsi_pdf_dict_get(dict, "SubFilter"), "ETSI.RFC3161");
}

static int supported_subfilter(const char *sf)
{
    return sf != NULL &&
           (strcmp(sf, "adbe.pkcs7.detached") == 0 || strcmp(sf, "ETSI.CAdES.detached") == 0 ||
            strcmp(sf, "ETSI.RFC3161") == 0);
}

/* 1 when `v` is one of the small integers allowed. */
/* rsaEncryption takes NULL or absent parameters (RFC 4055 2.1); other algorithms are not judged
 * here. */
static int rsa_params_ok(const X509_ALGOR *alg)
{
    const ASN1_OBJECT *oid;
    int type;
    const void *value;

    X509_ALGOR_get0(&oid, &type, &value, alg);
    return OBJ_obj2nid(oid) != NID_rsaEncryption || type == V_ASN1_UNDEF || type == V_ASN1_NULL;
}

/*
 * The parts of SignedData its signature does not cover must still be
 * consistent, or they can be altered unnoticed (RFC 5652 5.1, 5.3): the
 * signer's digest algorithm is listed in digestAlgorithms, the versions are
 * those of an issuerAndSerialNumber signer over id-data, RSA parameters are
 * NULL. A structure the DER walk does not take (a subjectKeyIdentifier
 * signer, BER) is left to the CMS checks. NULL when consistent, else what
 * is wrong.
 */
static const char *unsigned_parts_problem(const unsigned char *der, size_t der_len, int nid)
{
    lsi_cms_parts parts;
    const char *problem = NULL;
    int listed = 0;

    if (!lsi_cms_parts_read(der, der_len, &parts))
        return NULL;
    for (size_t i = 0; !listed && i < parts.digest_count && i < LSI_CMS_MAX_PARTS; i++)
        listed = parts.digest_nids[i] == nid;
    if (!listed)
        problem = "the signer's digest algorithm is not in SignedData digestAlgorithms";
    else if (parts.version != 1 && parts.version != 3)
        problem = "SignedData has an unexpected version";
    for (size_t i = 0; problem == NULL && i < parts.signer_count && i < LSI_CMS_MAX_PARTS; i++) {
        if (parts.signer_versions[i] != 1)
            problem = "a SignerInfo has an unexpected version";
        else if (!rsa_params_ok(parts.signature_algs[i]))
            problem = "the RSA signature algorithm has parameters other than NULL";
    }
    lsi_cms_parts_clear(&parts);
    return problem;
}

int lsi_sigcheck_run(lsi_pdf_doc *doc, const unsigned char *data, size_t len,
                     const lsi_pdf_sig *sig, lsi_sigcheck *out)
{
    CMS_ContentInfo *cms = NULL;
    size_t der_len = 0, sf_len;
    const unsigned char *der;
    const char *problem;
    int rc = LSIGN_OK;

    memset(out, 0, sizeof *out);
    if (doc == NULL || data == NULL || sig == NULL || sig->dict == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_sigcheck_run: missing argument");
    if (!lsi_pdf_get_name(lsi_pdf_dict_get(sig->dict, "SubFilter"), &out->subfilter, &sf_len))
        out->subfilter = NULL;
    out->doc_timestamp = is_doc_timestamp(sig->dict);
    if (!lsi_sc_check_byterange(doc, data, len, sig, out))
        goto done;
    if (!supported_subfilter(out->subfilter) ||
        out->doc_timestamp != (strcmp(out->subfilter, "ETSI.RFC3161") == 0)) {
        lsi_sc_fail(out, LSI_SC_FORMAT_FAILURE, "unsupported /SubFilter");
        goto done;
    }
    if (!decode_contents(sig, out, &cms, &der_len))
        goto done;
    (void)lsi_pdf_get_string(lsi_pdf_dict_get(sig->dict, "Contents"), &der, &sf_len);
    rc = out->doc_timestamp ? check_doc_timestamp(cms, data, der, der_len, out)
                            : check_cms(cms, data, sig, out);
    if (rc == LSIGN_OK && out->verdict == LSI_SC_OK && !out->doc_timestamp &&
        (problem = unsigned_parts_problem(der, der_len, out->digest_nid)) != NULL)
        lsi_sc_fail(out, LSI_SC_FORMAT_FAILURE, "%s", problem);
done:
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return rc;
}
