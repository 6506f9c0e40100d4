#include "keys/sigformat.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/x509.h>

#include "core/error.h"
#include "libsign/signer.h"

int lsi_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t half, unsigned char *raw,
                         size_t *raw_len)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    const BIGNUM *r, *s;
    int ok;

    if (sig == NULL)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "malformed ECDSA signature");
    if (*raw_len < 2 * half) {
        ECDSA_SIG_free(sig);
        return lsi_error(LSIGN_E_INVALID_ARG, "signature buffer of %zu bytes is too small for %zu",
                         *raw_len, 2 * half);
    }
    ECDSA_SIG_get0(sig, &r, &s);
    ok = BN_bn2binpad(r, raw, (int)half) == (int)half &&
         BN_bn2binpad(s, raw + half, (int)half) == (int)half;
    ECDSA_SIG_free(sig);
    if (!ok)
        return lsi_error(LSIGN_E_CRYPTO, "ECDSA signature value larger than the curve");
    *raw_len = 2 * half;
    return LSIGN_OK;
}

int lsi_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char *der,
                         size_t *der_len)
{
    ECDSA_SIG *sig;
    BIGNUM *r, *s;
    unsigned char *p = der;
    int len;

    if (raw_len == 0 || raw_len % 2 != 0 || raw_len > (size_t)2 * 66)
        return lsi_error(LSIGN_E_CRYPTO, "token returned an ECDSA signature of %zu bytes", raw_len);
    r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
    s = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
    sig = ECDSA_SIG_new();
    if (r == NULL || s == NULL || sig == NULL || !ECDSA_SIG_set0(sig, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return lsi_error_nomem();
    }
    len = i2d_ECDSA_SIG(sig, NULL);
    if (len <= 0 || (size_t)len > *der_len) {
        ECDSA_SIG_free(sig);
        return lsi_error(LSIGN_E_CRYPTO, "cannot encode the ECDSA signature");
    }
    len = i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    *der_len = (size_t)len;
    return LSIGN_OK;
}

int lsi_rsa_digest_info(const EVP_MD *md, const unsigned char *hash, size_t hash_len,
                        unsigned char *out, size_t *out_len)
{
    X509_SIG *info = X509_SIG_new();
    X509_ALGOR *alg;
    ASN1_OCTET_STRING *digest;
    unsigned char *p = out;
    int len = -1;

    if (info == NULL)
        return lsi_error_nomem();
    X509_SIG_getm(info, &alg, &digest);
    /* DigestInfo carries an explicit NULL parameter (RFC 8017 appendix A.2.4). */
    if (X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL, NULL) &&
        ASN1_OCTET_STRING_set(digest, hash, (int)hash_len))
        len = i2d_X509_SIG(info, NULL);
    if (len > 0 && (size_t)len <= *out_len)
        len = i2d_X509_SIG(info, &p);
    else
        len = -1;
    X509_SIG_free(info);
    if (len <= 0)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot build the RSA DigestInfo");
    *out_len = (size_t)len;
    return LSIGN_OK;
}

const EVP_MD *lsi_digest_md(int digest, size_t *len)
{
    switch (digest) {
    case LSIGN_DIGEST_SHA256: *len = 32; return EVP_sha256();
    case LSIGN_DIGEST_SHA384: *len = 48; return EVP_sha384();
    case LSIGN_DIGEST_SHA512: *len = 64; return EVP_sha512();
    default: return NULL;
    }
}
