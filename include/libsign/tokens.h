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

typedef struct lsign_token_list lsign_token_list;

/** What an entry of a token list is; values are part of the ABI. */
typedef enum lsign_token_item_kind {
    LSIGN_ITEM_TOKEN = 1,
    LSIGN_ITEM_PRIVATE_KEY = 2,
    LSIGN_ITEM_CERTIFICATE = 3
} lsign_token_item_kind;

#define LSIGN_TOKEN_LIST_OPTIONS_VERSION 1

typedef struct lsign_token_list_options {
    unsigned int version;      /**< LSIGN_TOKEN_LIST_OPTIONS_VERSION */
    const char *module;        /**< as in lsign_signer_options */
    const char *token;         /**< only the token with this label; NULL: all */
    const char *pin_source;    /**< log in to list private keys: "env:VAR", "file:PATH", "prompt" */
    lsign_pin_fn pin_callback; /**< used when pin_source is NULL */
    void *pin_userdata;
} lsign_token_list_options;

#define LSIGN_TOKEN_LIST_OPTIONS_INIT                                                              \
    {                                                                                              \
        LSIGN_TOKEN_LIST_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL                             \
    }

/** Initialise `opts` to the defaults of options version `version`. */
LSIGN_EXTERN int lsign_token_list_options_init(lsign_token_list_options *opts,
                                               unsigned int version);

/**
 * List the module's tokens and their objects, in slot order: each token is
 * followed by its private keys, then its certificates.
 * @return LSIGN_OK, LSIGN_E_TOKEN (module), LSIGN_E_PIN, LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_token_list_new(lsign_token_list **out, lsign_ctx *ctx,
                                      const lsign_token_list_options *opts);

/** Release a list; NULL is accepted. */
LSIGN_EXTERN void lsign_token_list_free(lsign_token_list *list);

/** Number of entries. */
LSIGN_EXTERN size_t lsign_token_list_count(const lsign_token_list *list);

/** An lsign_token_item_kind, or 0 for an index out of range. */
LSIGN_EXTERN int lsign_token_list_kind(const lsign_token_list *list, size_t index);

/** The pkcs11: URI selecting the entry (with the module-path). "" when out of range. */
LSIGN_EXTERN const char *lsign_token_list_uri(const lsign_token_list *list, size_t index);

/** Label of the entry (token label, or object label). "" when out of range. */
LSIGN_EXTERN const char *lsign_token_list_label(const lsign_token_list *list, size_t index);

/**
 * Human-readable details in UTF-8: for a token its manufacturer, model,
 * serial and PIN state; for a key its type and size; for a certificate its
 * subject and expiry. "" when out of range.
 */
LSIGN_EXTERN const char *lsign_token_list_details(const lsign_token_list *list, size_t index);

#ifdef __cplusplus
}
#endif

#endif
