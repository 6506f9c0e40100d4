/* Signature encodings: ECDSA as DER (CMS) or r||s (PKCS#11, XMLDSig); RSA DigestInfo. */
#ifndef LSI_KEYS_SIGFORMAT_H
#define LSI_KEYS_SIGFORMAT_H

#include <stddef.h>

#include <openssl/evp.h>

/* Largest signature we handle: RSA-16384 (2048 bytes) or a DER ECDSA P-521 signature. */
#define LSI_MAX_SIG_BYTES 2048

/* DER ECDSA-Sig-Value to r||s, each left-padded to `half` bytes. *raw_len in/out. */
int lsi_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t half, unsigned char *raw,
                         size_t *raw_len);

/* r||s (two equal halves) to DER. *der_len in/out. */
int lsi_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char *der,
                         size_t *der_len);

/* DER DigestInfo (RFC 8017 section 9.2) of `hash` under `md`, for raw CKM_RSA_PKCS. */
int lsi_rsa_digest_info(const EVP_MD *md, const unsigned char *hash, size_t hash_len,
                        unsigned char *out, size_t *out_len);

/* The EVP_MD of an lsign_digest and its output length; NULL for an unknown value. */
const EVP_MD *lsi_digest_md(int digest, size_t *len);

#endif
