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

int lsi_cms_sign_detached(lsign_signer *signer, const lsi_cms_sign_params *params,
                          const unsigned char *content_hash, size_t hash_len, unsigned char **der,
                          size_t *der_len)
{
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
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
    rc = build(signer, params, &job, content_hash, &cms, &si);
    if (rc == LSIGN_OK)
        rc = sign_attrs(signer, params->digest, &job, si);
    if (rc == LSIGN_OK)
        rc = encode(cms, der, der_len);
    CMS_ContentInfo_free(cms);
    return rc;
}

/*
 * The same structure over a zero digest with a zero signature of the largest
 * size: every other field has the same length as in the real one, and a
 * longer signature never makes an encoding shorter.
 */
/*
 * Sizes already computed. The size depends only on the certificates and the parameters (the
 * signing time's encoding keeps its length until 2050), and a batch signs file after file
 * with the same ones: building a whole CMS to measure it was 7% of signing a 50 KB PDF.
 */
#define SIZE_CACHE_ENTRIES 8
#define UTCTIME_END        INT64_C(2524608000) /* 2050-01-01: GeneralizedTime from then on */

static struct {
    unsigned char key[SHA256_DIGEST_LENGTH];
    size_t size;
} size_cache[SIZE_CACHE_ENTRIES];
static size_t size_cache_filled, size_cache_next;
static pthread_mutex_t size_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* SHA-256 over the parameters and the fingerprints of the signer's certificate and chain. */
static int size_key(lsign_signer *signer, const lsi_cms_sign_params *params,
                    unsigned char key[SHA256_DIGEST_LENGTH])
{
    int fields[5] = {params->digest, params->scheme, params->pades, params->include_root,
                     params->signing_time >= UTCTIME_END};
    STACK_OF(X509) *chain = lsi_signer_chain(signer);
    unsigned char fp[EVP_MAX_MD_SIZE];
    unsigned int fp_len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, fields, sizeof fields);

    for (int i = -1; ok && i < sk_X509_num(chain); i++) {
        X509 *cert = i < 0 ? lsi_signer_cert(signer) : sk_X509_value(chain, i);
        ok = cert != NULL && X509_digest(cert, EVP_sha256(), fp, &fp_len) &&
             EVP_DigestUpdate(md, fp, fp_len);
    }
    ok = ok && EVP_DigestFinal_ex(md, key, NULL);
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return ok;
}

static int size_cached(const unsigned char key[SHA256_DIGEST_LENGTH], size_t *size)
{
    int found = 0;

    pthread_mutex_lock(&size_cache_lock);
    for (size_t i = 0; i < size_cache_filled && !found; i++)
        if (memcmp(size_cache[i].key, key, SHA256_DIGEST_LENGTH) == 0) {
            *size = size_cache[i].size;
            found = 1;
        }
    pthread_mutex_unlock(&size_cache_lock);
    return found;
}

static void size_remember(const unsigned char key[SHA256_DIGEST_LENGTH], size_t size)
{
    pthread_mutex_lock(&size_cache_lock);
    memcpy(size_cache[size_cache_next].key, key, SHA256_DIGEST_LENGTH);
    size_cache[size_cache_next].size = size;
    size_cache_next = (size_cache_next + 1) % SIZE_CACHE_ENTRIES;
    if (size_cache_filled < SIZE_CACHE_ENTRIES)
        size_cache_filled++;
    pthread_mutex_unlock(&size_cache_lock);
}

static int measure_max_size(lsign_signer *signer, const lsi_cms_sign_params *params, size_t *size)
{
    static const unsigned char zeros[LSI_MAX_SIG_BYTES];
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
    size_t sig_max = 0;
    sign_job job;
    int rc;

    if (size == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_cms_max_size: NULL argument");
    if ((rc = resolve_params(signer, params, &job)) != LSIGN_OK)
        return rc;
    /* With no buffer this gives the largest signature and does not sign. */
    rc = lsign_signer_sign_digest(signer, params->digest, job.scheme, 0, zeros, job.hash_len, NULL,
                                  &sig_max);
    if (rc == LSIGN_OK && sig_max > sizeof zeros)
        rc = lsi_error(LSIGN_E_UNSUPPORTED, "signatures of %zu bytes are not supported", sig_max);
    if (rc == LSIGN_OK)
        rc = build(signer, params, &job, zeros, &cms, &si);
    if (rc == LSIGN_OK)
        rc = set_signature(si, zeros, sig_max);
    if (rc == LSIGN_OK)
        rc = encoded_size(cms, size);
    CMS_ContentInfo_free(cms);
    return rc;
}

int lsi_cms_max_size(lsign_signer *signer, const lsi_cms_sign_params *params, size_t *size)
{
    unsigned char key[SHA256_DIGEST_LENGTH];
    int keyed, rc;

    if (signer == NULL || params == NULL || size == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_cms_max_size: NULL argument");
    keyed = size_key(signer, params, key);
    if (keyed && size_cached(key, size))
        return LSIGN_OK;
    rc = measure_max_size(signer, params, size);
    if (rc == LSIGN_OK && keyed)
        size_remember(key, *size);
    return rc;
}
