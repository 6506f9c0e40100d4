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
 * ordered leaf to root. Opening checks that the key matches the certificate
 * (with one test signature), that keyUsage allows signing and that the
 * certificate is valid now.
 *
 * PINs and passwords come from options.pin_source ("env:VAR", "file:PATH"
 * with one trailing newline stripped, or "prompt": asked on the terminal
 * without echo), else options.pin_callback, else the URI's pin-source or
 * pin-value. libsign keeps a PIN in memory locked against swapping (where
 * allowed) and excluded from core dumps; a PIN is never logged, never put in
 * an error message, and wiped after use. A wrong PIN is never retried
 * automatically: tokens lock after a few wrong tries.
 *
 * Thread safety: one signer may be used by many threads at once. Token
 * operations share one PKCS#11 context per module per process; enumeration
 * and login are serialised. Signatures run in parallel sessions on
 * non-removable tokens (HSMs, up to options.max_parallel) and one at a time
 * on removable ones (USB tokens). If a token is removed or its session is
 * invalidated mid-batch, the next signature re-enumerates the token, logs in
 * again from the PIN source, reloads the key and retries once; if that fails
 * the call fails (LSIGN_E_TOKEN while the token is missing) and later calls
 * try again.
 */
#ifndef LIBSIGN_SIGNER_H
#define LIBSIGN_SIGNER_H

#include <stddef.h>

#include "libsign/common.h"
#include "libsign/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opaque signer: a private key with its certificate and chain. Opened by
 * lsign_signer_open(), released by lsign_signer_free(); unchanged after
 * opening.
 */
typedef struct lsign_signer lsign_signer;

/**
 * @name PIN callback flags
 * Bits of the `flags` argument of an lsign_pin_fn: the token's state, as it
 * reports it, or what kind of secret is asked for.
 * @{
 */
#define LSIGN_PIN_COUNT_LOW        0x1u /**< a wrong PIN was entered recently */
#define LSIGN_PIN_FINAL_TRY        0x2u /**< one more wrong PIN locks the token */
#define LSIGN_PIN_CONTEXT_SPECIFIC 0x4u /**< PIN for one signature (CKA_ALWAYS_AUTHENTICATE) */
#define LSIGN_PIN_PASSWORD         0x8u /**< a file password, not a token PIN */
/** @} */

/**
 * Callback asked for a PIN or password.
 * Called during lsign_signer_open() and lsign_token_list_new(); for a
 * PKCS#11 signer also during lsign_signer_sign_digest() and
 * lsign_signer_sign(), from the signing thread: before every signature
 * with a key that needs a PIN per signature (CKA_ALWAYS_AUTHENTICATE), and
 * to log in again after a token recovery. With a signer shared by threads
 * it must therefore be thread-safe. `buf` is locked memory that libsign
 * wipes after use; the callback should not keep a copy of the PIN.
 * @param what names what is asked for, e.g. "PIN for token 'Nguyen Van A'"
 *        or "password for key file 'a.pem'"; never a secret. Valid during
 *        the call only.
 * @param flags LSIGN_PIN_* bits.
 * @param buf where to write the PIN, without a terminator.
 * @param size capacity of `buf` in bytes (currently 256).
 * @param[out] len receives the PIN's length in bytes; more than `size`
 *        fails the call with LSIGN_E_PIN.
 * @param userdata the pin_userdata of the options.
 * @return 0 when the PIN is written; non-zero to cancel (the libsign call
 *         then fails with LSIGN_E_PIN).
 */
typedef int (*lsign_pin_fn)(const char *what, unsigned int flags, char *buf, size_t size,
                            size_t *len, void *userdata);

/** Current version of lsign_signer_options, for its `version` member. */
#define LSIGN_SIGNER_OPTIONS_VERSION 1

/**
 * Options of lsign_signer_open(), a versioned struct: initialise it with
 * LSIGN_SIGNER_OPTIONS_INIT or lsign_signer_options_init(), then change
 * fields. Read by lsign_signer_open() only: its strings are copied; a
 * PKCS#11 signer keeps pin_callback and pin_userdata until it is freed.
 */
typedef struct lsign_signer_options {
    unsigned int version; /**< LSIGN_SIGNER_OPTIONS_VERSION */
    const char *module;   /**< PKCS#11 module path (see the file comment); NULL: not given */
    /**
     * Signer certificate file, PEM or DER, used when neither the token nor
     * the key file holds it; further certificates in it are chain
     * candidates. NULL: none.
     */
    const char *cert_file;
    const char *chain_file; /**< intermediate (and root) certificates, PEM or DER; NULL: none */
    /**
     * "env:VAR", "file:PATH" or "prompt"; never a PIN itself (a malformed
     * source is refused without being echoed). NULL: use pin_callback.
     */
    const char *pin_source;
    lsign_pin_fn pin_callback; /**< used when pin_source is NULL; NULL: none */
    void *pin_userdata;        /**< passed to pin_callback as is; valid while it may be called */
    /**
     * Non-zero: skip the refusals of an expired, not yet valid or
     * non-signing (keyUsage) certificate when opening, and of a revoked one
     * when signing at B-LT and up.
     */
    int allow_invalid_cert;
    int64_t check_time; /**< when to check validity, seconds since 1970 (UTC); 0: now */
    /**
     * Parallel signatures on a non-removable token (HSM); 0: 4. A removable
     * token (USB) always signs one at a time.
     */
    unsigned int max_parallel;
} lsign_signer_options;

/** Static initialiser of lsign_signer_options: the current version, every field 0 or NULL. */
#define LSIGN_SIGNER_OPTIONS_INIT                                                                  \
    {                                                                                              \
        LSIGN_SIGNER_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0                  \
    }

/**
 * Initialise `opts` to the defaults of options version `version` (the same
 * as LSIGN_SIGNER_OPTIONS_INIT). Thread-safe.
 * @param[out] opts the options to fill; not NULL.
 * @param version LSIGN_SIGNER_OPTIONS_VERSION (1 to the current version).
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG for a NULL `opts` or a version
 *         that is 0 or newer than this library knows.
 */
LSIGN_EXTERN int lsign_signer_options_init(lsign_signer_options *opts, unsigned int version);

/**
 * Open a signer from `key`: a "pkcs11:" URI, a PKCS#12 file or a private key
 * file. May ask for a PIN or password (see the file comment), also for the
 * test signature of a key that needs a PIN per signature. Thread-safe:
 * signers may be opened from several threads at once.
 * @param[out] out receives the signer, owned by the caller (release it with
 *        lsign_signer_free()). Not NULL. Set to NULL on failure, except that
 *        it is left untouched when `key` is NULL.
 * @param ctx the context, or NULL. If given, it must outlive the signer and
 *        receives its log messages (a token recovery is logged as a
 *        WARNING).
 * @param key the "pkcs11:" URI (case-insensitive scheme), or the path of a
 *        *.p12 / *.pfx file, or else of a PEM or DER private key file; not
 *        NULL, used during the call only. A URI with slot-id, or a type
 *        other than private, is refused.
 * @param opts the options, or NULL for the defaults; may be freed after the
 *        call (but see lsign_signer_options about pin_callback).
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `out` or `key`, unknown
 *   options version, malformed pin_source, slot-id or a wrong type in the
 *   URI); LSIGN_E_PARSE (malformed URI, not a PKCS#12 file, no private key
 *   readable from a key file (a wrong password for an encrypted PEM key
 *   ends here too), a malformed certificate file); LSIGN_E_IO (a key,
 *   certificate or PIN file cannot be read); LSIGN_E_TOKEN (module cannot be
 *   loaded, no token or several tokens match the URI, a token failure);
 *   LSIGN_E_PIN (wrong, missing, expired or locked PIN, or a wrong PKCS#12
 *   password: the message says which and gives the token's remaining-tries
 *   state; also a cancelled callback, an unset variable or no terminal for
 *   "prompt"); LSIGN_E_KEY (no or several keys match, no certificate, key
 *   and certificate do not match, a PKCS#12 file without a key);
 *   LSIGN_E_POLICY (certificate expired, not yet valid, or its keyUsage
 *   forbids signing, unless allow_invalid_cert); LSIGN_E_UNSUPPORTED (a key
 *   type other than RSA and EC, a PKCS#12 file with legacy RC2/3DES
 *   encryption, a token without RSA PKCS#1 v1.5 or ECDSA for the test
 *   signature); LSIGN_E_LIMIT (URI too long, a certificate file over 16 MiB,
 *   more than 16 PKCS#11 modules loaded at once); LSIGN_E_CRYPTO (the test
 *   signature failed); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_signer_open(lsign_signer **out, const lsign_ctx *ctx, const char *key,
                                   const lsign_signer_options *opts);

/**
 * Release a signer (logging out is left to the token). No other thread may
 * use the signer during or after this call; free it before its context.
 * @param signer the signer, or NULL (then nothing happens).
 */
LSIGN_EXTERN void lsign_signer_free(lsign_signer *signer);

/** Digest algorithms; values are part of the ABI. */
typedef enum lsign_digest {
    LSIGN_DIGEST_SHA256 = 1, /**< SHA-256, 32-byte hash */
    LSIGN_DIGEST_SHA384 = 2, /**< SHA-384, 48-byte hash */
    LSIGN_DIGEST_SHA512 = 3  /**< SHA-512, 64-byte hash */
} lsign_digest;

/** Signature schemes; values are part of the ABI. */
typedef enum lsign_scheme {
    LSIGN_SCHEME_AUTO = 0,      /**< RSA PKCS#1 v1.5 for RSA keys, ECDSA for EC keys */
    LSIGN_SCHEME_RSA_PKCS1 = 1, /**< RSA PKCS#1 v1.5 (RSA keys only) */
    LSIGN_SCHEME_RSA_PSS = 2,   /**< MGF1 with the same digest, salt length = digest length */
    LSIGN_SCHEME_ECDSA = 3      /**< ECDSA (EC keys only) */
} lsign_scheme;

/**
 * Flag for lsign_signer_sign_digest() and lsign_signer_sign(): ECDSA as
 * r||s, each padded to the curve size (XMLDSig), not DER (CMS). Ignored for
 * RSA schemes.
 */
#define LSIGN_SIGN_ECDSA_RAW 0x1u

/** Key types; values are part of the ABI. */
typedef enum lsign_key_type {
    LSIGN_KEY_RSA = 1, /**< RSA */
    LSIGN_KEY_EC = 2   /**< elliptic curve (ECDSA) */
} lsign_key_type;

/**
 * Sign a digest computed by the caller.
 * Call it first with `sig` NULL to learn the size to allocate: that touches
 * neither the key nor the token. Thread-safe: one signer may sign from many
 * threads at once. May ask for a PIN (see lsign_pin_fn).
 * @param signer the signer; not NULL.
 * @param digest an lsign_digest; `hash_len` must match it.
 * @param scheme an lsign_scheme valid for the key type.
 * @param flags 0 or LSIGN_SIGN_ECDSA_RAW.
 * @param hash the digest; not NULL.
 * @param hash_len its length: 32, 48 or 64 bytes by `digest`.
 * @param sig buffer for the signature, or NULL to learn the maximum size.
 * @param[in,out] sig_len in: size of `sig`; out: bytes written (or, with
 *        `sig` NULL, the maximum needed). Not NULL. Unchanged on failure.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL argument, unknown digest,
 *   `hash_len` not matching it, a scheme unfit for the key, `sig` too small:
 *   the token has signed by then, so size it with a NULL `sig` first);
 *   LSIGN_E_UNSUPPORTED (token lacks the mechanism, e.g. RSA-PSS);
 *   LSIGN_E_TOKEN (token failure, also after the retry); LSIGN_E_PIN (a
 *   per-signature PIN or the PIN to log in again is wrong, missing or
 *   cancelled); LSIGN_E_KEY (after a recovery, the key is no longer on the
 *   token); LSIGN_E_IO (a PIN file cannot be read); LSIGN_E_CRYPTO (the
 *   software key failed, or the token returned a malformed signature);
 *   LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_signer_sign_digest(lsign_signer *signer, int digest, int scheme,
                                          unsigned int flags, const unsigned char *hash,
                                          size_t hash_len, unsigned char *sig, size_t *sig_len);

/**
 * As lsign_signer_sign_digest(), hashing `data` with `digest` first.
 * Thread-safe, as lsign_signer_sign_digest().
 * @param signer the signer; not NULL.
 * @param digest an lsign_digest.
 * @param scheme an lsign_scheme valid for the key type.
 * @param flags 0 or LSIGN_SIGN_ECDSA_RAW.
 * @param data the bytes to sign; NULL only when `data_len` is 0.
 * @param data_len number of bytes at `data`.
 * @param sig buffer for the signature, or NULL to learn the maximum size.
 * @param[in,out] sig_len in: size of `sig`; out: bytes written (or needed).
 * @return as lsign_signer_sign_digest(); also LSIGN_E_CRYPTO when hashing
 *         fails.
 */
LSIGN_EXTERN int lsign_signer_sign(lsign_signer *signer, int digest, int scheme, unsigned int flags,
                                   const void *data, size_t data_len, unsigned char *sig,
                                   size_t *sig_len);

/**
 * Type of the signer's key. Thread-safe.
 * @param signer the signer, or NULL.
 * @return an lsign_key_type; 0 for NULL.
 */
LSIGN_EXTERN int lsign_signer_key_type(const lsign_signer *signer);

/**
 * Key size in bits (RSA modulus, EC curve), from the certificate.
 * Thread-safe.
 * @param signer the signer, or NULL.
 * @return the size; 0 for NULL.
 */
LSIGN_EXTERN unsigned int lsign_signer_key_bits(const lsign_signer *signer);

/**
 * Number of certificates: the signer's plus its chain (leaf to root).
 * Thread-safe.
 * @param signer the signer, or NULL.
 * @return at least 1 for an open signer; 0 for NULL.
 */
LSIGN_EXTERN size_t lsign_signer_cert_count(const lsign_signer *signer);

/**
 * DER of certificate `index` (0: the signer's, then its chain leaf to root).
 * Thread-safe.
 * @param signer the signer; not NULL.
 * @param index from 0 to lsign_signer_cert_count() - 1.
 * @param[out] der receives a pointer to the bytes, which belong to the
 *        signer and live as long as it (do not free them). Not NULL.
 * @param[out] der_len receives their length. Not NULL.
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG (NULL argument, index out of
 *         range).
 */
LSIGN_EXTERN int lsign_signer_cert_der(const lsign_signer *signer, size_t index,
                                       const unsigned char **der, size_t *der_len);

/**
 * Subject of the signer certificate. Thread-safe.
 * @param signer the signer, or NULL.
 * @return UTF-8, most specific first, e.g. "CN=Nguyễn Văn Ánh, O=...";
 *         owned by the signer and valid until lsign_signer_free() (do not
 *         free it); "" for NULL. Never NULL.
 */
LSIGN_EXTERN const char *lsign_signer_subject(const lsign_signer *signer);

#ifdef __cplusplus
}
#endif

#endif
