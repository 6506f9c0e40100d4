/**
 * @file
 * libsign: the library context.
 *
 * An lsign_ctx holds what signing and verification share: trust anchors,
 * limits against hostile input, network settings and a log callback.
 *
 * Thread safety: configure a context (lsign_ctx_add_trust_file(),
 * lsign_ctx_set_log(), ...) before sharing it; configuration calls are
 * serialised internally, so a late one is safe too, except
 * lsign_ctx_set_tsa(), which must not run while another thread signs or
 * extends with the context. Once configured, one context may be used by any
 * number of threads at once for verification and signing.
 * lsign_ctx_free() must not race with any other use.
 */
#ifndef LIBSIGN_CONTEXT_H
#define LIBSIGN_CONTEXT_H

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opaque library context. Created by lsign_ctx_new(), released by
 * lsign_ctx_free(); it must outlive every signer opened with it
 * (lsign_signer_open()).
 */
typedef struct lsign_ctx lsign_ctx;

/** How revocation status is obtained when validating. */
typedef enum lsign_revocation_policy {
    LSIGN_REVOCATION_OFFLINE = 0, /**< only embedded evidence (DSS, CMS) */
    LSIGN_REVOCATION_ONLINE = 1,  /**< embedded first, then OCSP/CRL over the network */
    LSIGN_REVOCATION_NONE = 2     /**< do not check revocation */
} lsign_revocation_policy;

/** Severity of a log message; values are part of the ABI. */
typedef enum lsign_log_level {
    LSIGN_LOG_DEBUG = 0,   /**< details for debugging */
    LSIGN_LOG_INFO = 1,    /**< progress, e.g. "trust anchors: loaded '...'" */
    LSIGN_LOG_WARNING = 2, /**< a problem libsign worked around, e.g. a token recovery */
    LSIGN_LOG_ERROR = 3    /**< a failure, also reported by the failing call */
} lsign_log_level;

/**
 * Log callback, set with lsign_ctx_set_log().
 * May be called from any thread that uses the context, from several at
 * once; the callback must be thread-safe itself.
 * @param level an lsign_log_level, at least the minimum given to
 *        lsign_ctx_set_log().
 * @param message UTF-8, without a trailing newline, at most 1023 bytes
 *        (longer messages are cut); never contains a PIN or key material.
 *        Valid during the call only.
 * @param userdata the pointer given to lsign_ctx_set_log().
 */
typedef void (*lsign_log_fn)(int level, const char *message, void *userdata);

/** Current version of lsign_ctx_options, for its `version` member. */
#define LSIGN_CTX_OPTIONS_VERSION 1

/**
 * Options of lsign_ctx_new(), a versioned struct: initialise it with
 * LSIGN_CTX_OPTIONS_INIT or lsign_ctx_options_init(), then change fields.
 * Zero means "the default" for every limit and for timeout_ms; retries,
 * offline and revocation are taken as given.
 */
typedef struct lsign_ctx_options {
    unsigned int version; /**< LSIGN_CTX_OPTIONS_VERSION */
    /* Limits against hostile input; reaching one gives LSIGN_E_LIMIT. */
    unsigned int max_depth;    /**< nesting depth of objects/elements (256) */
    uint64_t max_objects;      /**< objects in one document (2,000,000) */
    uint64_t max_stream_bytes; /**< decompressed size of one stream (64 MiB) */
    /* Network (TSA, OCSP, CRL, AIA). */
    unsigned int timeout_ms;     /**< per request (15,000) */
    uint64_t max_response_bytes; /**< per response body (16 MiB); more gives LSIGN_E_LIMIT */
    /**
     * Extra attempts after a failed request; 0 means none. Default 2, from
     * LSIGN_CTX_OPTIONS_INIT, lsign_ctx_options_init() and a NULL `opts` alike.
     */
    unsigned int retries;
    int offline;    /**< non-zero: never touch the network (fetches fail with LSIGN_E_NETWORK) */
    int revocation; /**< an lsign_revocation_policy (OFFLINE); ONLINE contradicts `offline` */
} lsign_ctx_options;

/**
 * Static initialiser of lsign_ctx_options: the current version and every
 * default (zero limits mean the default; retries = 2).
 */
#define LSIGN_CTX_OPTIONS_INIT                                                                     \
    {                                                                                              \
        LSIGN_CTX_OPTIONS_VERSION, 0, 0, 0, 0, 0, 2, 0, LSIGN_REVOCATION_OFFLINE                   \
    }

/**
 * Initialise `opts` to the defaults of options version `version`, with
 * every default filled in (max_depth = 256, retries = 2, ...).
 * Thread-safe.
 * @param[out] opts the options to fill; not NULL.
 * @param version LSIGN_CTX_OPTIONS_VERSION (1 to the current version).
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG for a NULL `opts` or a version
 *         that is 0 or newer than this library knows (`opts` is then left
 *         untouched).
 */
LSIGN_EXTERN int lsign_ctx_options_init(lsign_ctx_options *opts, unsigned int version);

/**
 * Create a context.
 * A new context has no trust anchors, no TSA, the proxy from the
 * environment, no log callback and Vietnamese reports. Thread-safe.
 * @param[out] out receives the new context, owned by the caller (release it
 *        with lsign_ctx_free()); set to NULL on failure. Not NULL.
 * @param opts the options, or NULL for the defaults; copied, so the caller
 *        may free it after the call.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `out`, unknown options
 *         version, unknown revocation policy, or `offline` together with
 *         LSIGN_REVOCATION_ONLINE); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_ctx_new(lsign_ctx **out, const lsign_ctx_options *opts);

/**
 * Release a context and everything it holds.
 * Free the signers opened with it first. Must not race with any other use
 * of the context.
 * @param ctx the context, or NULL (then nothing happens).
 */
LSIGN_EXTERN void lsign_ctx_free(lsign_ctx *ctx);

/**
 * Add every certificate of a file as a trust anchor.
 * The file is a PEM bundle or one DER certificate, of at most 16 MiB. It is
 * read all or nothing: when it is unreadable, holds no certificate or a
 * malformed one, nothing from it is added. Adding a certificate twice is
 * harmless. Thread-safe (serialised with other uses of the context).
 * @param ctx the context; not NULL.
 * @param path the file; not NULL, read during the call only.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL argument); LSIGN_E_IO
 *         (cannot open or read, or not a regular file); LSIGN_E_PARSE (no
 *         certificate, or a malformed one); LSIGN_E_LIMIT (file larger
 *         than 16 MiB); LSIGN_E_CRYPTO (OpenSSL refused a certificate; those
 *         before it stay added); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_ctx_add_trust_file(lsign_ctx *ctx, const char *path);

/**
 * Add every certificate of every *.pem, *.crt and *.cer file (PEM or DER) in
 * a directory as trust anchors. Other files and hidden files (".name") are
 * ignored; subdirectories are not searched. All or nothing: if one file
 * fails, nothing from the directory is added. Thread-safe.
 * @param ctx the context; not NULL.
 * @param path the directory; not NULL, read during the call only.
 * @return as lsign_ctx_add_trust_file(), each file's failure naming it;
 *         also LSIGN_E_IO when the directory cannot be opened,
 *         LSIGN_E_PARSE when it has no such file, and LSIGN_E_INVALID_ARG
 *         for a file path longer than 4095 bytes.
 */
LSIGN_EXTERN int lsign_ctx_add_trust_dir(lsign_ctx *ctx, const char *path);

/**
 * Add every certificate of a file (PEM bundle or one DER certificate) as an
 * intermediate: not trusted, but used to complete chains of signatures that
 * embed only their signer's certificate (common with Vietnamese signing
 * tools). All or nothing, as lsign_ctx_add_trust_file(). Thread-safe.
 * @param ctx the context; not NULL.
 * @param path the file; not NULL, read during the call only.
 * @return as lsign_ctx_add_trust_file() (without LSIGN_E_CRYPTO).
 */
LSIGN_EXTERN int lsign_ctx_add_intermediates(lsign_ctx *ctx, const char *path);

/**
 * Number of distinct trust anchors loaded so far. Thread-safe.
 * @param ctx the context, or NULL.
 * @return the number of anchors; 0 for NULL.
 */
LSIGN_EXTERN uint64_t lsign_ctx_trust_count(const lsign_ctx *ctx);

/**
 * Route log messages of at least `min_level` to `fn`. Replaces an earlier
 * callback; thread-safe, but a message being delivered by another thread
 * may still reach the old callback.
 * @param ctx the context; not NULL.
 * @param min_level an lsign_log_level: the least severe level delivered.
 * @param fn the callback, or NULL for no logging (the default).
 * @param userdata passed to `fn` as is; it must stay valid until the
 *        callback is replaced or the context freed.
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG (NULL ctx, unknown level).
 */
LSIGN_EXTERN int lsign_ctx_set_log(lsign_ctx *ctx, int min_level, lsign_log_fn fn, void *userdata);

/**
 * Set the time-stamping authority (RFC 3161) for signature timestamps (PAdES
 * B-T and up) and document timestamps (B-LTA).
 * The strings are copied. The password is read from `password_source` at
 * each time-stamp request, kept in locked memory and wiped after it; it is
 * never logged. Not thread-safe against operations using the context: call
 * it before signing or extending starts.
 * @param ctx the context; not NULL.
 * @param url an http:// or https:// URL, or NULL to remove the TSA (then
 *        `user` and `password_source` are ignored).
 * @param user HTTP basic authentication user, or NULL for none.
 * @param password_source where the basic authentication password comes
 *        from: "env:VAR" or "file:PATH" (one trailing newline stripped);
 *        NULL for none. Never the password itself.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL ctx, not an http(s) URL, a
 *         source that is not env: or file:); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_ctx_set_tsa(lsign_ctx *ctx, const char *url, const char *user,
                                   const char *password_source);

/**
 * Set the HTTP proxy for network requests (TSA, OCSP, CRL, AIA).
 * Both strings are copied. Thread-safe.
 * @param ctx the context; not NULL.
 * @param proxy "[http://]host[:port]" (port 80 by default); https:// URLs
 *        are reached through it with CONNECT. NULL (the default) takes it
 *        from the environment: https_proxy or http_proxy by the URL's scheme
 *        (also upper case); "" means no proxy at all, whatever the
 *        environment says.
 * @param no_proxy host names and addresses reached directly, separated by
 *        commas or spaces, e.g. "127.0.0.1, tsa.local"; NULL takes $no_proxy
 *        (or $NO_PROXY) from the environment.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL ctx, malformed proxy, a proxy
 *         with credentials or reached over TLS); LSIGN_E_NOMEM.
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
 * Thread-safe.
 * @param ctx the context; not NULL.
 * @param lang an lsign_language.
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG (NULL ctx, unknown language).
 */
LSIGN_EXTERN int lsign_ctx_set_language(lsign_ctx *ctx, int lang);

#ifdef __cplusplus
}
#endif

#endif
