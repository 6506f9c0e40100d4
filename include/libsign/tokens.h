/**
 * @file
 * libsign: listing PKCS#11 tokens, keys and certificates, each with the
 * pkcs11: URI that selects it (for lsign_signer_open() or `libsign keys`).
 *
 * Without a PIN source only what tokens show before login is listed (tokens,
 * certificates, public objects); with one, the tokens are logged in and
 * their private keys listed too. Thread safety: a list is immutable once
 * made and may be read from any thread.
 */
#ifndef LIBSIGN_TOKENS_H
#define LIBSIGN_TOKENS_H

#include <stddef.h>

#include "libsign/common.h"
#include "libsign/context.h"
#include "libsign/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opaque, immutable list of tokens and their objects. Made by
 * lsign_token_list_new(), released by lsign_token_list_free(); read by
 * index from 0 to lsign_token_list_count() - 1.
 */
typedef struct lsign_token_list lsign_token_list;

/** What an entry of a token list is; values are part of the ABI. */
typedef enum lsign_token_item_kind {
    LSIGN_ITEM_TOKEN = 1,       /**< a token (an initialised one in a slot) */
    LSIGN_ITEM_PRIVATE_KEY = 2, /**< a private key on the token listed before it */
    LSIGN_ITEM_CERTIFICATE = 3  /**< a certificate on the token listed before it */
} lsign_token_item_kind;

/** Current version of lsign_token_list_options, for its `version` member. */
#define LSIGN_TOKEN_LIST_OPTIONS_VERSION 1

/**
 * Options of lsign_token_list_new(), a versioned struct: initialise it with
 * LSIGN_TOKEN_LIST_OPTIONS_INIT or lsign_token_list_options_init(), then
 * change fields. Read during lsign_token_list_new() only.
 */
typedef struct lsign_token_list_options {
    unsigned int version; /**< LSIGN_TOKEN_LIST_OPTIONS_VERSION */
    /**
     * PKCS#11 module path; NULL: $LIBSIGN_PKCS11_MODULE, else p11-kit's
     * proxy (as in lsign_signer_options, without a URI).
     */
    const char *module;
    const char *token; /**< only the token with exactly this label; NULL: all */
    /**
     * Log in to list private keys: "env:VAR", "file:PATH" or "prompt";
     * never a PIN itself. NULL: use pin_callback.
     */
    const char *pin_source;
    lsign_pin_fn pin_callback; /**< used when pin_source is NULL; both NULL: no login */
    void *pin_userdata;        /**< passed to pin_callback as is */
} lsign_token_list_options;

/** Static initialiser of lsign_token_list_options: the current version, every field NULL. */
#define LSIGN_TOKEN_LIST_OPTIONS_INIT                                                              \
    {                                                                                              \
        LSIGN_TOKEN_LIST_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL                             \
    }

/**
 * Initialise `opts` to the defaults of options version `version` (the same
 * as LSIGN_TOKEN_LIST_OPTIONS_INIT). Thread-safe.
 * @param[out] opts the options to fill; not NULL.
 * @param version LSIGN_TOKEN_LIST_OPTIONS_VERSION (1 to the current version).
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG for a NULL `opts` or a version
 *         that is 0 or newer than this library knows.
 */
LSIGN_EXTERN int lsign_token_list_options_init(lsign_token_list_options *opts,
                                               unsigned int version);

/**
 * List the module's tokens and their objects, in slot order: each token is
 * followed by its private keys, then its certificates. Uninitialised tokens
 * are left out.
 * With a PIN source, each token that needs a login is logged in, asking
 * once per token (see lsign_pin_fn); a wrong PIN is not retried and ends
 * the listing. Thread-safe: may run while signers use the same module
 * (enumeration and login are serialised with them).
 * @param[out] out receives the list, owned by the caller (release it with
 *        lsign_token_list_free()); set to NULL on failure. Not NULL.
 * @param ctx the context, or NULL; currently not used.
 * @param opts the options, or NULL for the defaults (no login); may be
 *        freed after the call.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `out`, unknown options
 *   version, malformed pin_source); LSIGN_E_TOKEN (the module cannot be
 *   loaded, its slots, keys or certificates cannot be listed, or a login
 *   fails for another reason than the PIN); LSIGN_E_PIN (wrong, expired or
 *   locked PIN, a cancelled callback, an unset variable, no terminal for
 *   "prompt"); LSIGN_E_IO (a PIN file cannot be read); LSIGN_E_LIMIT (more
 *   than 16 PKCS#11 modules loaded at once); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_token_list_new(lsign_token_list **out, const lsign_ctx *ctx,
                                      const lsign_token_list_options *opts);

/**
 * Release a list and all its strings.
 * @param list the list, or NULL (then nothing happens).
 */
LSIGN_EXTERN void lsign_token_list_free(lsign_token_list *list);

/**
 * Number of entries. Thread-safe.
 * @param list the list, or NULL.
 * @return the number of entries; 0 for NULL.
 */
LSIGN_EXTERN size_t lsign_token_list_count(const lsign_token_list *list);

/**
 * Kind of an entry. Thread-safe.
 * @param list the list, or NULL.
 * @param index the entry, from 0 to lsign_token_list_count() - 1.
 * @return an lsign_token_item_kind, or 0 for a NULL list or an index out of
 *         range.
 */
LSIGN_EXTERN int lsign_token_list_kind(const lsign_token_list *list, size_t index);

/**
 * The pkcs11: URI selecting the entry: token= and serial= for a token;
 * also type=, object= (the label) and id= for a key or certificate; with
 * module-path= when the module was given as an absolute path. Pass a key's
 * URI to lsign_signer_open(). Thread-safe.
 * @param list the list, or NULL.
 * @param index the entry, from 0 to lsign_token_list_count() - 1.
 * @return the URI, owned by the list and valid until
 *         lsign_token_list_free(); "" for a NULL list or an index out of
 *         range. Never NULL.
 */
LSIGN_EXTERN const char *lsign_token_list_uri(const lsign_token_list *list, size_t index);

/**
 * Label of the entry (token label, or object label). Thread-safe.
 * @param list the list, or NULL.
 * @param index the entry, from 0 to lsign_token_list_count() - 1.
 * @return the label, owned by the list and valid until
 *         lsign_token_list_free(); "" when the object has none, for a NULL
 *         list or an index out of range. Never NULL.
 */
LSIGN_EXTERN const char *lsign_token_list_label(const lsign_token_list *list, size_t index);

/**
 * Human-readable details in UTF-8: for a token its manufacturer, model,
 * serial and PIN state; for a key its type and size (the size when a
 * certificate with the same CKA_ID is on the token); for a certificate its
 * subject. Thread-safe.
 * @param list the list, or NULL.
 * @param index the entry, from 0 to lsign_token_list_count() - 1.
 * @return the text, owned by the list and valid until
 *         lsign_token_list_free(); "" for a NULL list or an index out of
 *         range. Never NULL.
 */
LSIGN_EXTERN const char *lsign_token_list_details(const lsign_token_list *list, size_t index);

#ifdef __cplusplus
}
#endif

#endif
