/**
 * @file
 * libsign: signers, one handle over every kind of signing key.
 *
 * A signer is opened from
 *  - an RFC 7512 PKCS#11 URI ("pkcs11:token=...;id=%01;type=private"): a key
 *    on a USB token or HSM. The module comes from options.module, else the
 *    URI's module-path, else $LIBSIGN_PKCS11_MODULE, else p11-kit's proxy.
 *    Tokens are chosen by label, serial, manufacturer or model, never by
 *    slot number (slot numbers change between runs);
 *  - a PKCS#12 file (*.p12, *.pfx);
 *  - a PEM or DER private key file, with the certificate in the same PEM
 *    file or in options.cert_file.
 * The certificate and its chain come from the token (matching CKA_ID) when
 * present, else from options.cert_file / options.chain_file; the chain is
 * ordered leaf to root. Opening checks that the key matches the certificate,
 * that keyUsage allows signing and that the certificate is valid now.
 *
 * PINs and passwords come from options.pin_source ("env:VAR", "file:PATH"
 * with one trailing newline stripped, or "prompt": asked on the terminal
 * without echo), else options.pin_callback, else the URI's pin-source or
 * pin-value. A PIN is never logged, never put in an error message, and wiped
 * after use. A wrong PIN is never retried automatically: tokens lock after a
 * few wrong tries.
 *
 * Thread safety: one signer may be used by many threads at once. Token
 * operations share one PKCS#11 context per module per process; enumeration
 * and login are serialised. Signatures run in parallel sessions on
 * non-removable tokens (HSMs, up to options.max_parallel) and one at a time
 * on removable ones (USB tokens). If a token is removed or its session is
 * invalidated mid-batch, the next signature re-enumerates the token, logs in
 * again from the PIN source, reloads the key and retries once; if that fails
 * the call fails with LSIGN_E_TOKEN and later calls try again.
 */
#ifndef LIBSIGN_SIGNER_H
#define LIBSIGN_SIGNER_H

#include <stddef.h>

#include "libsign/common.h"
#include "libsign/context.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lsign_signer lsign_signer;

/** Flags passed to a PIN callback; the token's state, as it reports it. */
#define LSIGN_PIN_COUNT_LOW        0x1u /**< a wrong PIN was entered recently */
#define LSIGN_PIN_FINAL_TRY        0x2u /**< one more wrong PIN locks the token */
#define LSIGN_PIN_CONTEXT_SPECIFIC 0x4u /**< PIN for one signature (CKA_ALWAYS_AUTHENTICATE) */
#define LSIGN_PIN_PASSWORD         0x8u /**< a file password, not a token PIN */

/**
 * Asked for a PIN or password. `what` names what is asked for, e.g.
 * "PIN for token 'Nguyen Van A'". Write the PIN (no terminator needed) into
 * `buf`, at most `size` bytes, and its length into `*len`. Return 0, or
 * non-zero to cancel (the call then fails with LSIGN_E_PIN).
 */
typedef int (*lsign_pin_fn)(const char *what, unsigned int flags, char *buf, size_t size,
                            size_t *len, void *userdata);

#define LSIGN_SIGNER_OPTIONS_VERSION 1

typedef struct lsign_signer_options {
    unsigned int version;      /**< LSIGN_SIGNER_OPTIONS_VERSION */
    const char *module;        /**< PKCS#11 module path (see above) */
    const char *cert_file;     /**< signer certificate, PEM or DER, when not on the token */
    const char *chain_file;    /**< intermediate (and root) certificates, PEM */
    const char *pin_source;    /**< "env:VAR", "file:PATH" or "prompt" */
    lsign_pin_fn pin_callback; /**< used when pin_source is NULL */
    void *pin_userdata;
    int allow_invalid_cert;    /**< non-zero: skip the validity and keyUsage refusals */
    int64_t check_time;        /**< when to check validity, seconds since 1970; 0: now */
    unsigned int max_parallel; /**< parallel token sessions; 0: 1 if removable, else 4 */
} lsign_signer_options;

#define LSIGN_SIGNER_OPTIONS_INIT                                                                  \
    {                                                                                              \
        LSIGN_SIGNER_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0                  \
    }

/** Initialise `opts` to the defaults of options version `version`. */
LSIGN_EXTERN int lsign_signer_options_init(lsign_signer_options *opts, unsigned int version);

/**
 * Open a signer from `key`: a "pkcs11:" URI, a PKCS#12 file or a private key
 * file. `ctx` may be NULL; if given, it must outlive the signer and receives its log
 * messages (a token recovery is logged as a WARNING). `opts` may be NULL for the defaults.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG, LSIGN_E_PARSE (bad URI or file),
 *   LSIGN_E_IO, LSIGN_E_TOKEN (module or token missing), LSIGN_E_PIN (wrong,
 *   missing or locked PIN: the message says which and gives the token's
 *   remaining-tries state), LSIGN_E_KEY (key or certificate not found, or not
 *   matching), LSIGN_E_POLICY (certificate expired, not yet valid, or its
 *   keyUsage forbids signing), LSIGN_E_UNSUPPORTED (key type).
 */
LSIGN_EXTERN int lsign_signer_open(lsign_signer **out, lsign_ctx *ctx, const char *key,
                                   const lsign_signer_options *opts);

/** Release a signer (logging out is left to the token); NULL is accepted. */
LSIGN_EXTERN void lsign_signer_free(lsign_signer *signer);

/** Digest algorithms; values are part of the ABI. */
typedef enum lsign_digest {
    LSIGN_DIGEST_SHA256 = 1,
    LSIGN_DIGEST_SHA384 = 2,
    LSIGN_DIGEST_SHA512 = 3
} lsign_digest;

/** Signature schemes; values are part of the ABI. */
typedef enum lsign_scheme {
    LSIGN_SCHEME_AUTO = 0, /**< RSA PKCS#1 v1.5 for RSA keys, ECDSA for EC keys */
    LSIGN_SCHEME_RSA_PKCS1 = 1,
    LSIGN_SCHEME_RSA_PSS = 2, /**< MGF1 with the same digest, salt length = digest length */
    LSIGN_SCHEME_ECDSA = 3
} lsign_scheme;

/** Flag for lsign_signer_sign_digest(): ECDSA as r||s (XMLDSig), not DER (CMS). */
#define LSIGN_SIGN_ECDSA_RAW 0x1u

/** Key types; values are part of the ABI. */
typedef enum lsign_key_type { LSIGN_KEY_RSA = 1, LSIGN_KEY_EC = 2 } lsign_key_type;

/**
 * Sign a digest computed by the caller.
 * @param digest an lsign_digest; `hash_len` must match it.
 * @param scheme an lsign_scheme valid for the key type.
 * @param sig buffer for the signature, or NULL to learn the maximum size.
 * @param[in,out] sig_len in: size of `sig`; out: bytes written (or needed).
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (lengths, scheme for this key),
 *   LSIGN_E_UNSUPPORTED (token lacks the mechanism, e.g. RSA-PSS),
 *   LSIGN_E_TOKEN, LSIGN_E_PIN, LSIGN_E_CRYPTO.
 */
LSIGN_EXTERN int lsign_signer_sign_digest(lsign_signer *signer, int digest, int scheme,
                                          unsigned int flags, const unsigned char *hash,
                                          size_t hash_len, unsigned char *sig, size_t *sig_len);

/** As lsign_signer_sign_digest(), hashing `data` first. */
LSIGN_EXTERN int lsign_signer_sign(lsign_signer *signer, int digest, int scheme, unsigned int flags,
                                   const void *data, size_t data_len, unsigned char *sig,
                                   size_t *sig_len);

/** An lsign_key_type. */
LSIGN_EXTERN int lsign_signer_key_type(const lsign_signer *signer);

/** Key size in bits (RSA modulus, EC field). */
LSIGN_EXTERN unsigned int lsign_signer_key_bits(const lsign_signer *signer);

/** Number of certificates: the signer's plus its chain (leaf to root). */
LSIGN_EXTERN size_t lsign_signer_cert_count(const lsign_signer *signer);

/**
 * DER of certificate `index` (0: the signer's, then its chain leaf to root).
 * The bytes belong to the signer and live as long as it.
 */
LSIGN_EXTERN int lsign_signer_cert_der(const lsign_signer *signer, size_t index,
                                       const unsigned char **der, size_t *der_len);

/** Subject of the signer certificate as UTF-8, e.g. "CN=Nguyễn Văn Ánh, O=..."; owned by the
 * signer. */
LSIGN_EXTERN const char *lsign_signer_subject(const lsign_signer *signer);

#ifdef __cplusplus
}
#endif

#endif
