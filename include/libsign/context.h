/**
 * @file
 * libsign: the library context.
 *
 * An lsign_ctx holds what signing and verification share: trust anchors,
 * limits against hostile input, network settings and a log callback.
 *
 * Thread safety: configure a context (lsign_ctx_add_trust_*,
 * lsign_ctx_set_log) before sharing it; configuration calls are serialised
 * internally, so a late one is safe too. Once configured, one context may be
 * used by any number of threads at once for verification and signing.
 * lsign_ctx_free() must not race with any other use.
 */
#ifndef LIBSIGN_CONTEXT_H
#define LIBSIGN_CONTEXT_H

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lsign_ctx lsign_ctx;

/** How revocation status is obtained when validating. */
typedef enum lsign_revocation_policy {
    LSIGN_REVOCATION_OFFLINE = 0, /**< only embedded evidence (DSS, CMS) */
    LSIGN_REVOCATION_ONLINE = 1,  /**< embedded first, then OCSP/CRL over the network */
    LSIGN_REVOCATION_NONE = 2     /**< do not check revocation */
} lsign_revocation_policy;

/** Severity of a log message; values are part of the ABI. */
typedef enum lsign_log_level {
    LSIGN_LOG_DEBUG = 0,
    LSIGN_LOG_INFO = 1,
    LSIGN_LOG_WARNING = 2,
    LSIGN_LOG_ERROR = 3
} lsign_log_level;

/**
 * Log callback. `message` is UTF-8, without a trailing newline, and never
 * contains a PIN or key material. May be called from any thread that uses
 * the context; the callback must be thread-safe itself.
 */
typedef void (*lsign_log_fn)(int level, const char *message, void *userdata);

#define LSIGN_CTX_OPTIONS_VERSION 1

/** Options of lsign_ctx_new(). Zero means "the default" for every limit. */
typedef struct lsign_ctx_options {
    unsigned int version; /**< LSIGN_CTX_OPTIONS_VERSION */
    /* Limits against hostile input; reaching one gives LSIGN_E_LIMIT. */
    unsigned int max_depth;    /**< nesting depth of objects/elements (256) */
    uint64_t max_objects;      /**< objects in one document (2,000,000) */
    uint64_t max_stream_bytes; /**< decompressed size of one stream (64 MiB) */
    /* Network (TSA, OCSP, CRL, AIA). */
    unsigned int timeout_ms;     /**< per request (15,000) */
    uint64_t max_response_bytes; /**< per response body (16 MiB) */
    unsigned int retries;        /**< extra attempts after a failure (2) */
    int offline;                 /**< non-zero: never touch the network */
    int revocation;              /**< an lsign_revocation_policy (OFFLINE) */
} lsign_ctx_options;

#define LSIGN_CTX_OPTIONS_INIT                                                                     \
    {                                                                                              \
        LSIGN_CTX_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0, 0, LSIGN_REVOCATION_OFFLINE                   \
    }

/**
 * Initialise `opts` to the defaults of options version `version`.
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG for NULL or an unknown version.
 */
LSIGN_EXTERN int lsign_ctx_options_init(lsign_ctx_options *opts, unsigned int version);

/**
 * Create a context. `opts` may be NULL for the defaults; it is copied.
 * @param[out] out receives the new context, owned by the caller.
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG (bad version or value), LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_ctx_new(lsign_ctx **out, const lsign_ctx_options *opts);

/** Release a context; NULL is accepted. */
LSIGN_EXTERN void lsign_ctx_free(lsign_ctx *ctx);

/**
 * Add every certificate of a PEM file as a trust anchor.
 * @return LSIGN_OK, LSIGN_E_IO (unreadable), LSIGN_E_PARSE (no certificate,
 *         or a malformed one; nothing from this file is added then).
 */
LSIGN_EXTERN int lsign_ctx_add_trust_file(lsign_ctx *ctx, const char *path);

/**
 * Add every certificate of every *.pem, *.crt and *.cer file (PEM or DER) in
 * a directory as trust anchors. Other files are ignored.
 * @return as lsign_ctx_add_trust_file(); LSIGN_E_PARSE if none was found.
 */
LSIGN_EXTERN int lsign_ctx_add_trust_dir(lsign_ctx *ctx, const char *path);

/**
 * Add every certificate of a PEM file as an intermediate: not trusted, but
 * used to complete chains of signatures that embed only their signer's
 * certificate (common with Vietnamese signing tools).
 * @return as lsign_ctx_add_trust_file().
 */
LSIGN_EXTERN int lsign_ctx_add_intermediates(lsign_ctx *ctx, const char *path);

/** Number of distinct trust anchors loaded so far; 0 for NULL. */
LSIGN_EXTERN uint64_t lsign_ctx_trust_count(const lsign_ctx *ctx);

/**
 * Route log messages of at least `min_level` to `fn` (NULL: no logging,
 * the default).
 */
LSIGN_EXTERN int lsign_ctx_set_log(lsign_ctx *ctx, int min_level, lsign_log_fn fn, void *userdata);

/**
 * The time-stamping authority (RFC 3161) for signature timestamps (PAdES
 * B-T and up) and document timestamps (B-LTA). `user` and
 * `password_source` ("env:VAR" or "file:PATH") give HTTP basic
 * authentication when the TSA needs it, or are NULL. A NULL `url` removes it.
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG (not an http(s) URL, bad source), LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_ctx_set_tsa(lsign_ctx *ctx, const char *url, const char *user,
                                   const char *password_source);

/**
 * The HTTP proxy for network requests (TSA, OCSP, CRL, AIA).
 * @param proxy "[http://]host[:port]" (port 80 by default); https:// URLs
 *        are reached through it with CONNECT. NULL (the default) takes it
 *        from the environment: https_proxy or http_proxy by the URL's scheme
 *        (also upper case); "" means no proxy at all, whatever the
 *        environment says.
 * @param no_proxy host names and addresses reached directly, separated by
 *        commas or spaces, e.g. "127.0.0.1, tsa.local"; NULL takes $no_proxy
 *        (or $NO_PROXY) from the environment.
 * Both strings are copied.
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG (NULL ctx, malformed proxy, a proxy
 *         with credentials or reached over TLS), LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_ctx_set_proxy(lsign_ctx *ctx, const char *proxy, const char *no_proxy);

/**
 * Language of human-readable verification results (lsign_report_text()).
 * Vietnamese is the default: Vietnamese verification software must show
 * its results in Vietnamese (Circular 15/2025/TT-BKHCN). Machine-readable
 * output (statuses, JSON keys) and lsign_last_error() stay English.
 */
typedef enum lsign_language {
    LSIGN_LANG_EN = 0, /**< English */
    LSIGN_LANG_VI = 1  /**< Vietnamese (the default) */
} lsign_language;

/**
 * Set the language of reports made with this context from now on.
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG (NULL ctx, unknown language).
 */
LSIGN_EXTERN int lsign_ctx_set_language(lsign_ctx *ctx, int lang);

#ifdef __cplusplus
}
#endif

#endif
