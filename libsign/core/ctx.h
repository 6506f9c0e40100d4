/* Internal view of lsign_ctx for the other modules. */
#ifndef LSI_CORE_CTX_H
#define LSI_CORE_CTX_H

#include <openssl/x509_vfy.h>

#include "core/error.h"
#include "libsign/context.h"

/* The context's options with every default filled in. */
const lsign_ctx_options *lsi_ctx_options(const lsign_ctx *ctx);

/* The trust anchors; the caller owns the returned reference (X509_STORE_free). */
X509_STORE *lsi_ctx_trust_store(const lsign_ctx *ctx);

/*
 * Copies of the proxy settings of lsign_ctx_set_proxy() (free() them); each
 * is NULL when unset, meaning "from the environment". LSIGN_OK or
 * LSIGN_E_NOMEM. A NULL ctx has neither.
 */
int lsi_ctx_proxy(const lsign_ctx *ctx, char **proxy, char **no_proxy);

/* Sends a message to the context's log callback, if any wants this level. */
void lsi_log(const lsign_ctx *ctx, int level, const char *fmt, ...) LSI_PRINTF(3, 4);

/* The language of reports (an lsign_language); LSIGN_LANG_VI for a NULL ctx. */
int lsi_ctx_language(const lsign_ctx *ctx);

/*
 * The context's time-stamping authority: copies, taken under the context's lock, so that
 * lsign_ctx_set_tsa() may run while another thread time-stamps. Freed by lsi_tsa_config_clear().
 */
typedef struct lsi_tsa_config {
    char *url, *user, *password_source;
} lsi_tsa_config;

/* LSIGN_OK and the TSA, or LSIGN_E_INVALID_ARG saying that none is set (or LSIGN_E_NOMEM). */
int lsi_ctx_tsa(const lsign_ctx *ctx, lsi_tsa_config *out);
void lsi_tsa_config_clear(lsi_tsa_config *cfg);

/* Identifies the context's current trust anchors (unique in the process; 0 for NULL). */
uint64_t lsi_ctx_trust_generation(const lsign_ctx *ctx);

/* The intermediates added with lsign_ctx_add_intermediates(), up-ref'd (sk_X509_pop_free). */
STACK_OF(X509) * lsi_ctx_intermediates(const lsign_ctx *ctx);

#endif
