/* Internal structure of lsign_signer and the interface its key backends implement. */
#ifndef LSI_KEYS_SIGNER_IMPL_H
#define LSI_KEYS_SIGNER_IMPL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "libsign/signer.h"
#include "keys/pin.h"
#include "libsign/context.h"

/* What a key backend (software key, PKCS#11 key) offers. */
typedef struct lsi_key_backend_ops {
    const char *kind; /* "PKCS#11", "PKCS#12", "PEM" for messages */
    /*
     * Signs `hash` (already computed with `md`) with `scheme` (never AUTO).
     * ECDSA signatures are DER. *sig_len is in/out.
     */
    int (*sign)(void *backend, const EVP_MD *md, int scheme, const unsigned char *hash,
                size_t hash_len, unsigned char *sig, size_t *sig_len);
    void (*free)(void *backend);
} lsi_key_backend_ops;

/* What a backend hands over when it opens a key. */
typedef struct lsi_key_opened {
    const lsi_key_backend_ops *ops;
    void *backend;
    X509 *cert;             /* the signer certificate if the key source holds one, else NULL */
    STACK_OF(X509) * extra; /* other certificates found beside the key (may be NULL) */
} lsi_key_opened;

int lsi_softkey_open_pkcs12(const char *path, const lsi_pin_source *pins, lsi_key_opened *out);
int lsi_softkey_open_pem(const char *path, const lsi_pin_source *pins, lsi_key_opened *out);
/* `ctx` (may be NULL) receives log messages about the token, e.g. recoveries. */
int lsi_p11key_open(const char *uri, const lsign_signer_options *opts, const lsign_ctx *ctx,
                    lsi_key_opened *out);

/* The certificate that signs (internal users: cms/, xml/). */
X509 *lsi_signer_cert(const lsign_signer *signer);
/* 32 bytes: the SHA-256 over the DER of the certificate and then the chain, in order. */
const unsigned char *lsi_signer_certs_id(const lsign_signer *signer);
/* Its chain, leaf to root, without the signer certificate. */
STACK_OF(X509) * lsi_signer_chain(const lsign_signer *signer);

/* `scheme` with AUTO resolved for the key (RSA: PKCS#1 v1.5, EC: ECDSA); INVALID_ARG if unfit. */
int lsi_signer_resolve_scheme(const lsign_signer *signer, int scheme, int *out);

/* Whether the signer was opened with allow_invalid_cert (which also waives revocation). */
int lsi_signer_allows_invalid(const lsign_signer *signer);

#endif
