#include "cms/signeddata.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "cms/parts.h"
#include "core/error.h"
#include "keys/sigformat.h"
#include "keys/signer_impl.h"

/*
 * CMS_add1_signer: no signing yet (CMS_PARTIAL: the token signs later), the
 * ESS signingCertificateV2 attribute (CMS_CADES), no SMIMECapabilities.
 */
#define SIGNER_FLAGS (CMS_PARTIAL | CMS_CADES | CMS_NOSMIMECAP | CMS_BINARY)

/* What the params resolve to. */
typedef struct sign_job {
    const EVP_MD *md;
    size_t hash_len;
    int scheme; /* never AUTO */
} sign_job;

static int resolve_params(lsign_signer *signer, const lsi_cms_sign_params *p, sign_job *job)
{
    if (signer == NULL || p == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "CMS signature: NULL signer or parameters");
    job->md = lsi_digest_md(p->digest, &job->hash_len);
    if (job->md == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "CMS signature: unknown digest algorithm %d",
                         p->digest);
    return lsi_signer_resolve_scheme(signer, p->scheme, &job->scheme);
}

/* Sets `alg` to OID `nid` with `value`, an `it`, as parameters. */
static int algor_set_packed(X509_ALGOR *alg, int nid, void *value, const ASN1_ITEM *it)
{
    ASN1_STRING *seq = ASN1_item_pack(value, it, NULL);

    if (seq == NULL)
        return 0;
    if (X509_ALGOR_set0(alg, OBJ_nid2obj(nid), V_ASN1_SEQUENCE, seq))
        return 1;
    ASN1_STRING_free(seq);
    return 0;
}

/* RSASSA-PSS-params (RFC 4055): `md`, MGF1 with `md`, salt of `salt_len`, trailerField default. */
static RSA_PSS_PARAMS *pss_params_new(const EVP_MD *md, size_t salt_len)
{
    RSA_PSS_PARAMS *pss = RSA_PSS_PARAMS_new();

    if (pss == NULL)
        return NULL;
    pss->hashAlgorithm = X509_ALGOR_new();
    pss->maskGenAlgorithm = X509_ALGOR_new();
    pss->saltLength = ASN1_INTEGER_new();
    if (pss->hashAlgorithm != NULL && pss->maskGenAlgorithm != NULL && pss->saltLength != NULL) {
        X509_ALGOR_set_md(pss->hashAlgorithm, md);
        if (ASN1_INTEGER_set(pss->saltLength, (long)salt_len) &&
            algor_set_packed(pss->maskGenAlgorithm, NID_mgf1, pss->hashAlgorithm,
                             ASN1_ITEM_rptr(X509_ALGOR)))
            return pss;
    }
    RSA_PSS_PARAMS_free(pss);
    return NULL;
}

/* OpenSSL writes rsaEncryption for any RSA key: PSS needs its own AlgorithmIdentifier. */
static int set_pss_algorithm(CMS_SignerInfo *si, const sign_job *job)
{
    RSA_PSS_PARAMS *pss = pss_params_new(job->md, job->hash_len);
    X509_ALGOR *sig_alg = NULL;
    int ok;

    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
    ok = pss != NULL &&
         algor_set_packed(sig_alg, NID_rsassaPss, pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS));
    RSA_PSS_PARAMS_free(pss);
    return ok ? LSIGN_OK : lsi_error_openssl(LSIGN_E_CRYPTO, "cannot encode RSASSA-PSS parameters");
}

/* contentType and messageDigest, which CMS_final would add, and signingTime for adbe.pkcs7. */
static int add_signed_attrs(CMS_SignerInfo *si, const lsi_cms_sign_params *p,
                            const unsigned char *hash, size_t hash_len)
{
    ASN1_TIME *t;
    int ok = CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                         OBJ_nid2obj(NID_pkcs7_data), -1) > 0 &&
             CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, hash,
                                         (int)hash_len) > 0;

    if (ok && !p->pades) {
        /* UTCTime up to 2049, GeneralizedTime after (RFC 5652 section 11.3). */
        t = ASN1_TIME_set(NULL, (time_t)p->signing_time);
        ok = t != NULL &&
             CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, ASN1_STRING_type(t), t, -1) > 0;
        ASN1_TIME_free(t);
    }
    return ok ? LSIGN_OK : lsi_error_openssl(LSIGN_E_CRYPTO, "cannot add CMS signed attributes");
}

/* 1 if `chain[i]` is the signer certificate or an earlier chain entry. */
static int is_repeated(X509 *cert, STACK_OF(X509) * chain, int i)
{
    X509 *c = sk_X509_value(chain, i);

    if (X509_cmp(c, cert) == 0)
        return 1;
    for (int j = 0; j < i; j++)
        if (X509_cmp(c, sk_X509_value(chain, j)) == 0)
            return 1;
    return 0;
}

/* The chain beside the signer certificate (CMS_add1_signer put that one in). */
static int add_chain(CMS_ContentInfo *cms, lsign_signer *signer, int include_root)
{
    STACK_OF(X509) *chain = lsi_signer_chain(signer);

    for (int i = 0; i < sk_X509_num(chain); i++) {
        X509 *c = sk_X509_value(chain, i);

        /* Roots are left out by default: validators must take them from their own trust. */
        if ((!include_root && X509_self_signed(c, 0) == 1) ||
            is_repeated(lsi_signer_cert(signer), chain, i))
            continue;
        if (CMS_add1_cert(cms, c) != 1)
            return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot add a certificate to the CMS");
    }
    return LSIGN_OK;
}

/*
 * The SignedData with everything but the signature value. The key lives on a
 * token, so CMS_add1_signer gets the certificate's public key: it only checks
 * that it matches the certificate and reads its type for signatureAlgorithm.
 */
static int build(lsign_signer *signer, const lsi_cms_sign_params *p, const sign_job *job,
                 const unsigned char *hash, CMS_ContentInfo **out, CMS_SignerInfo **si)
{
    X509 *cert = lsi_signer_cert(signer);
    CMS_ContentInfo *cms =
        CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY);
    int rc;

    if (cms == NULL)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot create a CMS SignedData");
    *si = CMS_add1_signer(cms, cert, X509_get0_pubkey(cert), job->md, SIGNER_FLAGS);
    if (*si == NULL)
        rc = lsi_error_openssl(LSIGN_E_CRYPTO, "cannot add the signer to the CMS SignedData");
    else
        rc = add_signed_attrs(*si, p, hash, job->hash_len);
    if (rc == LSIGN_OK && job->scheme == LSIGN_SCHEME_RSA_PSS)
        rc = set_pss_algorithm(*si, job);
    if (rc == LSIGN_OK)
        rc = add_chain(cms, signer, p->include_root);
    if (rc != LSIGN_OK) {
        CMS_ContentInfo_free(cms);
        return rc;
    }
    *out = cms;
    return LSIGN_OK;
}

/*
 * The digest of the signed attributes as signed: DER SET OF (tag 0x31), sorted
 * as in the encoded SignerInfo. PKCS7_ATTR_SIGN sorts the same way; the
 * temporary stack only borrows the attributes.
 */
static int signed_attrs_digest(CMS_SignerInfo *si, const EVP_MD *md, unsigned char *hash,
                               unsigned int *hash_len)
{
    STACK_OF(X509_ATTRIBUTE) *attrs = sk_X509_ATTRIBUTE_new_null();
    unsigned char *der = NULL;
    int n = CMS_signed_get_attr_count(si), len = -1, ok = attrs != NULL && n > 0;

    for (int i = 0; ok && i < n; i++)
        ok = sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i)) > 0;
    if (ok)
        len = ASN1_item_i2d((const ASN1_VALUE *)attrs, &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
    ok = len > 0 && EVP_Digest(der, (size_t)len, hash, hash_len, md, NULL) == 1;
    OPENSSL_free(der);
    sk_X509_ATTRIBUTE_free(attrs);
    return ok ? LSIGN_OK : lsi_error_openssl(LSIGN_E_CRYPTO, "cannot hash the signed attributes");
}

static int set_signature(CMS_SignerInfo *si, const unsigned char *sig, size_t sig_len)
{
    if (!ASN1_OCTET_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len))
        return lsi_error_nomem();
    return LSIGN_OK;
}

static int sign_attrs(lsign_signer *signer, int digest, const sign_job *job, CMS_SignerInfo *si)
{
    unsigned char hash[EVP_MAX_MD_SIZE], sig[LSI_MAX_SIG_BYTES];
    unsigned int hash_len = 0;
    size_t sig_len = sizeof sig;
    int rc = signed_attrs_digest(si, job->md, hash, &hash_len);

    if (rc != LSIGN_OK)
        return rc;
    /* ECDSA comes back DER-encoded, as CMS carries it (RFC 5753). */
    rc = lsign_signer_sign_digest(signer, digest, job->scheme, 0, hash, hash_len, sig, &sig_len);
    return rc == LSIGN_OK ? set_signature(si, sig, sig_len) : rc;
}

static int encoded_size(CMS_ContentInfo *cms, size_t *size)
{
    int len = i2d_CMS_ContentInfo(cms, NULL);

    if (len <= 0)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot encode the CMS SignedData");
    *size = (size_t)len;
    return LSIGN_OK;
}

/* DER in a malloc'd buffer, so callers need not know OpenSSL's allocator. */
static int encode(CMS_ContentInfo *cms, unsigned char **der, size_t *der_len)
{
    size_t len = 0;
    unsigned char *buf, *p;
    int rc = encoded_size(cms, &len);

    if (rc != LSIGN_OK)
        return rc;
    if ((buf = malloc(len)) == NULL)
        return lsi_error_nomem();
    p = buf;
    if (i2d_CMS_ContentInfo(cms, &p) != (int)len) {
        free(buf);
        return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot encode the CMS SignedData");
    }
    *der = buf;
    *der_len = len;
    return LSIGN_OK;
}

/*
 * Templates. A batch signs file after file with the same signer and parameters, and all but
 * three values of the SignedData are then the same: the messageDigest, the signingTime
 * (without PAdES) and the signature. Building the structure through OpenSSL's CMS API for
 * every file was a third of the work beside the RSA signature; a template is built once (by
 * the same code, over a zero digest with a zero signature of the largest size), and signing
 * fills in those values where lsi_cms_signer_layout_read() found them. A signature shorter
 * than the largest (ECDSA) takes the full build. The template's length is also the /Contents
 * size lsi_cms_max_size() gives.
 */
#define TEMPLATE_ENTRIES 8
#define UTCTIME_END      INT64_C(2524608000) /* 2050-01-01: GeneralizedTime from then on */

typedef struct cms_template {
    unsigned char key[SHA256_DIGEST_LENGTH];
    unsigned char *der; /* NULL: an empty entry */
    size_t len;
    lsi_cms_signer_layout at;
} cms_template;

static cms_template templates[TEMPLATE_ENTRIES];
static size_t templates_next;
static pthread_mutex_t templates_lock = PTHREAD_MUTEX_INITIALIZER;

/* SHA-256 over the parameters and the signer's certificates. */
static int template_key(lsign_signer *signer, const lsi_cms_sign_params *params,
                        unsigned char key[SHA256_DIGEST_LENGTH])
{
    int fields[5] = {params->digest, params->scheme, params->pades, params->include_root,
                     params->signing_time >= UTCTIME_END};
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, fields, sizeof fields) &&
             EVP_DigestUpdate(md, lsi_signer_certs_id(signer), SHA256_DIGEST_LENGTH) &&
             EVP_DigestFinal_ex(md, key, NULL);

    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return ok;
}

/* A copy of the template under `key` into *t (t->der malloc'd); 0 when there is none. */
static int template_find(const unsigned char key[SHA256_DIGEST_LENGTH], cms_template *t)
{
    int found = 0;

    pthread_mutex_lock(&templates_lock);
    for (size_t i = 0; i < TEMPLATE_ENTRIES && !found; i++) {
        if (templates[i].der == NULL || memcmp(templates[i].key, key, SHA256_DIGEST_LENGTH) != 0)
            continue;
        *t = templates[i];
        found = (t->der = malloc(templates[i].len)) != NULL;
        if (found)
            memcpy(t->der, templates[i].der, t->len);
    }
    pthread_mutex_unlock(&templates_lock);
    return found;
}

/* Keeps a copy of *t (the oldest entry makes room). */
static void template_store(const cms_template *t)
{
    unsigned char *copy = malloc(t->len), *old;

    if (copy == NULL)
        return;
    memcpy(copy, t->der, t->len);
    pthread_mutex_lock(&templates_lock);
    old = templates[templates_next].der;
    templates[templates_next] = *t;
    templates[templates_next].der = copy;
    templates_next = (templates_next + 1) % TEMPLATE_ENTRIES;
    pthread_mutex_unlock(&templates_lock);
    free(old);
}

/* Builds the template: the full structure over a zero digest, with a zero signature of the
 * largest size. t->at.digest_len is 0 when its layout is not the expected one. */
static int template_make(lsign_signer *signer, const lsi_cms_sign_params *params,
                         const sign_job *job, cms_template *t)
{
    static const unsigned char zeros[LSI_MAX_SIG_BYTES];
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
    size_t sig_max = 0;
    /* With no buffer this gives the largest signature and does not sign. */
    int rc = lsign_signer_sign_digest(signer, params->digest, job->scheme, 0, zeros, job->hash_len,
                                      NULL, &sig_max);

    if (rc == LSIGN_OK && sig_max > sizeof zeros)
        rc = lsi_error(LSIGN_E_UNSUPPORTED, "signatures of %zu bytes are not supported", sig_max);
    if (rc == LSIGN_OK)
        rc = build(signer, params, job, zeros, &cms, &si);
    if (rc == LSIGN_OK)
        rc = set_signature(si, zeros, sig_max);
    if (rc == LSIGN_OK)
        rc = encode(cms, &t->der, &t->len);
    CMS_ContentInfo_free(cms);
    if (rc == LSIGN_OK && !lsi_cms_signer_layout_read(t->der, t->len, &t->at))
        memset(&t->at, 0, sizeof t->at);
    return rc;
}

/* The template for this signer and params, made and kept when new: *t (t->der malloc'd). */
static int template_get(lsign_signer *signer, const lsi_cms_sign_params *params,
                        const sign_job *job, cms_template *t)
{
    int keyed;
    int rc;

    memset(t, 0, sizeof *t);
    keyed = template_key(signer, params, t->key);
    if (keyed && template_find(t->key, t))
        return LSIGN_OK;
    rc = template_make(signer, params, job, t);
    if (rc == LSIGN_OK && keyed)
        template_store(t);
    return rc;
}

/* Fills the template's messageDigest and signingTime; 0 when they do not fit. */
static int template_fill(cms_template *t, const lsi_cms_sign_params *p, const unsigned char *hash,
                         size_t hash_len)
{
    ASN1_TIME *time;
    unsigned char *q;
    int n, ok;

    if (t->at.digest_len != hash_len || (p->pades != 0) != (t->at.time_len == 0))
        return 0;
    memcpy(t->der + t->at.digest, hash, hash_len);
    if (p->pades)
        return 1;
    time = ASN1_TIME_set(NULL, (time_t)p->signing_time); /* as add_signed_attrs() encodes it */
    n = time != NULL ? i2d_ASN1_TIME(time, NULL) : -1;
    ok = n > 0 && (size_t)n == t->at.time_len;
    q = t->der + t->at.time;
    ok = ok && i2d_ASN1_TIME(time, &q) == n;
    ASN1_TIME_free(time);
    return ok;
}

/* The digest of the template's signed attributes as signed: their DER with the SET OF tag. */
static int template_attrs_digest(const cms_template *t, const EVP_MD *md, unsigned char *hash,
                                 unsigned int *hash_len)
{
    static const unsigned char set_tag = 0x31;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) &&
             EVP_DigestUpdate(ctx, &set_tag, 1) &&
             EVP_DigestUpdate(ctx, t->der + t->at.attrs + 1, t->at.attrs_len - 1) &&
             EVP_DigestFinal_ex(ctx, hash, hash_len);

    EVP_MD_CTX_free(ctx);
    return ok ? LSIGN_OK : lsi_error_openssl(LSIGN_E_CRYPTO, "cannot hash the signed attributes");
}

/* Signs with the filled template; *der NULL (and LSIGN_OK) when the signature does not fit it,
 * with the signature then in sig/sig_len for the full build. */
static int template_sign(lsign_signer *signer, int digest, const sign_job *job, cms_template *t,
                         unsigned char *sig, size_t *sig_len, unsigned char **der, size_t *der_len)
{
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_len = 0;
    int rc = template_attrs_digest(t, job->md, hash, &hash_len);

    if (rc == LSIGN_OK)
        rc = lsign_signer_sign_digest(signer, digest, job->scheme, 0, hash, hash_len, sig, sig_len);
    if (rc != LSIGN_OK || *sig_len != t->at.signature_len)
        return rc;
    memcpy(t->der + t->at.signature, sig, *sig_len);
    *der = t->der;
    *der_len = t->len;
    t->der = NULL;
    return LSIGN_OK;
}

int lsi_cms_sign_detached(lsign_signer *signer, const lsi_cms_sign_params *params,
                          const unsigned char *content_hash, size_t hash_len, unsigned char **der,
                          size_t *der_len)
{
    unsigned char sig[LSI_MAX_SIG_BYTES];
    size_t sig_len = sizeof sig;
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
    cms_template t;
    sign_job job;
    int rc;

    if (content_hash == NULL || der == NULL || der_len == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_cms_sign_detached: NULL argument");
    *der = NULL;
    if ((rc = resolve_params(signer, params, &job)) != LSIGN_OK)
        return rc;
    if (hash_len != job.hash_len)
        return lsi_error(LSIGN_E_INVALID_ARG, "CMS signature: a %s digest is %zu bytes, not %zu",
                         EVP_MD_get0_name(job.md), job.hash_len, hash_len);
    if ((rc = template_get(signer, params, &job, &t)) != LSIGN_OK)
        return rc;
    if (template_fill(&t, params, content_hash, hash_len)) {
        rc = template_sign(signer, params->digest, &job, &t, sig, &sig_len, der, der_len);
        if (rc != LSIGN_OK || *der != NULL) {
            free(t.der);
            return rc;
        }
        /* The signature is shorter than the template's: the full build, with it. */
        rc = build(signer, params, &job, content_hash, &cms, &si);
        if (rc == LSIGN_OK)
            rc = set_signature(si, sig, sig_len);
    } else {
        rc = build(signer, params, &job, content_hash, &cms, &si);
        if (rc == LSIGN_OK)
            rc = sign_attrs(signer, params->digest, &job, si);
    }
    if (rc == LSIGN_OK)
        rc = encode(cms, der, der_len);
    CMS_ContentInfo_free(cms);
    free(t.der);
    return rc;
}

int lsi_cms_max_size(lsign_signer *signer, const lsi_cms_sign_params *params, size_t *size)
{
    cms_template t;
    sign_job job;
    int rc;

    if (signer == NULL || params == NULL || size == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_cms_max_size: NULL argument");
    if ((rc = resolve_params(signer, params, &job)) != LSIGN_OK)
        return rc;
    if ((rc = template_get(signer, params, &job, &t)) == LSIGN_OK)
        *size = t.len;
    free(t.der);
    return rc;
}
