/* Independent check of signatures with OpenSSL, from the signer's certificate DER. */
#ifndef LSIGN_TEST_SIGCHECK_H
#define LSIGN_TEST_SIGCHECK_H

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "libsign/libsign.h"

/* 1 if `sig` over `data` verifies with the signer's certificate under (SHA-256, scheme). */
static inline int sig_verifies(lsign_signer *signer, int scheme, const void *data, size_t len,
                               const unsigned char *sig, size_t sig_len)
{
    const unsigned char *der;
    size_t der_len;
    X509 *cert;
    EVP_PKEY *pub;
    EVP_MD_CTX *md;
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    if (lsign_signer_cert_der(signer, 0, &der, &der_len) != LSIGN_OK)
        return 0;
    cert = d2i_X509(NULL, &der, (long)der_len);
    pub = cert != NULL ? X509_get_pubkey(cert) : NULL;
    md = EVP_MD_CTX_new();
    ok = pub != NULL && md != NULL && EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub) == 1;
    if (ok && scheme == LSIGN_SCHEME_RSA_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    ok = ok && EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pub);
    X509_free(cert);
    return ok;
}

/* r||s to DER, so raw ECDSA signatures can be checked with sig_verifies(). */
static inline size_t ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char *der)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    unsigned char *p = der;
    int len;

    ECDSA_SIG_set0(s, BN_bin2bn(raw, (int)raw_len / 2, NULL),
                   BN_bin2bn(raw + raw_len / 2, (int)raw_len / 2, NULL));
    len = i2d_ECDSA_SIG(s, &p);
    ECDSA_SIG_free(s);
    return len > 0 ? (size_t)len : 0;
}

#endif
