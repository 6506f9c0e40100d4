#include "core/ctx.h"

#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/http.h>

#include "core/certfile.h"
#include "core/memory.h"
#include "core/options.h"

struct lsign_ctx {
    lsign_ctx_options opts;
    /* Serialises configuration against use: guards trust and log fields. */
    pthread_mutex_t lock;
    X509_STORE *trust;
    lsign_log_fn log_fn;
    void *log_userdata;
    int log_min_level;
    /* The time-stamping authority: URL, basic-auth user, where its password comes from. */
    char *tsa_url, *tsa_user, *tsa_password_source;
    char *proxy, *no_proxy;         /* NULL: from the environment */
    STACK_OF(X509) * intermediates; /* untrusted CA certificates for completing chains */
    uint64_t trust_generation;      /* unique across contexts; changes with the anchors */
    int language;                   /* an lsign_language for reports */
};

static uint64_t next_generation(void);

static const lsign_ctx_options defaults = {
    .version = LSIGN_CTX_OPTIONS_VERSION,
    .max_depth = 256,
    .max_objects = 2000000,
    .max_stream_bytes = UINT64_C(64) * 1024 * 1024,
    .timeout_ms = 15000,
    .max_response_bytes = UINT64_C(16) * 1024 * 1024,
    .retries = 2,
    .offline = 0,
    .revocation = LSIGN_REVOCATION_OFFLINE,
};

static const size_t option_sizes[] = {sizeof(lsign_ctx_options)};
static const lsi_options_type options_type = {"context options", &defaults, option_sizes,
                                              LSIGN_CTX_OPTIONS_VERSION};

int lsign_ctx_options_init(lsign_ctx_options *opts, unsigned int version)
{
    return lsi_options_init(&options_type, opts, version);
}

/* Copies the caller's options, replacing zeros by defaults, and checks them. */
static int resolve_options(const lsign_ctx_options *caller, lsign_ctx_options *out)
{
    lsign_ctx_options given;
    const lsign_ctx_options *in = &given;

    *out = defaults;
    if (caller == NULL)
        return LSIGN_OK;
    if (lsi_options_read(&options_type, caller, &given) != LSIGN_OK)
        return LSIGN_E_INVALID_ARG;
    if (in->revocation < LSIGN_REVOCATION_OFFLINE || in->revocation > LSIGN_REVOCATION_NONE)
        return lsi_error(LSIGN_E_INVALID_ARG, "context options: unknown revocation policy %d",
                         in->revocation);
    if (in->offline && in->revocation == LSIGN_REVOCATION_ONLINE)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "context options: revocation policy 'online' contradicts offline mode");
#define TAKE(field)                                                                                \
    if (in->field != 0)                                                                            \
    out->field = in->field
    TAKE(max_depth);
    TAKE(max_objects);
    TAKE(max_stream_bytes);
    TAKE(timeout_ms);
    TAKE(max_response_bytes);
#undef TAKE
    out->retries = in->retries;
    out->offline = in->offline;
    out->revocation = in->revocation;
    return LSIGN_OK;
}

int lsign_ctx_new(lsign_ctx **out, const lsign_ctx_options *opts)
{
    lsign_ctx *ctx;
    int rc;

    if (out == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_new: out is NULL");
    *out = NULL;
    ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return lsi_error_nomem();
    rc = resolve_options(opts, &ctx->opts);
    if (rc != LSIGN_OK) {
        free(ctx);
        return rc;
    }
    ctx->trust = X509_STORE_new();
    ctx->trust_generation = next_generation();
    if (ctx->trust == NULL || pthread_mutex_init(&ctx->lock, NULL) != 0) {
        X509_STORE_free(ctx->trust);
        free(ctx);
        return lsi_error_nomem();
    }
    ctx->log_min_level = LSIGN_LOG_WARNING;
    ctx->language = LSIGN_LANG_VI;
    *out = ctx;
    return LSIGN_OK;
}

void lsign_ctx_free(lsign_ctx *ctx)
{
    if (ctx == NULL)
        return;
    X509_STORE_free(ctx->trust);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx->tsa_url);
    free(ctx->tsa_user);
    free(ctx->tsa_password_source);
    free(ctx->proxy);
    free(ctx->no_proxy);
    sk_X509_pop_free(ctx->intermediates, X509_free);
    free(ctx);
}

const lsign_ctx_options *lsi_ctx_options(const lsign_ctx *ctx)
{
    return ctx != NULL ? &ctx->opts : &defaults;
}

/* A number no other context or earlier anchor set had: caches of validated chains key on it. */
static uint64_t next_generation(void)
{
    static uint64_t counter;

    return __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

uint64_t lsi_ctx_trust_generation(const lsign_ctx *ctx)
{
    lsign_ctx *mut = (lsign_ctx *)ctx;
    uint64_t g;

    if (ctx == NULL)
        return 0;
    pthread_mutex_lock(&mut->lock);
    g = mut->trust_generation;
    pthread_mutex_unlock(&mut->lock);
    return g;
}

static int add_certs(lsign_ctx *ctx, STACK_OF(X509) * certs, const char *path)
{
    int rc = LSIGN_OK;

    pthread_mutex_lock(&ctx->lock);
    ctx->trust_generation = next_generation();
    for (int i = 0; i < sk_X509_num(certs); i++) {
        if (!X509_STORE_add_cert(ctx->trust, sk_X509_value(certs, i))) {
            rc = lsi_error_openssl(LSIGN_E_CRYPTO,
                                   "trust anchors: cannot add certificate %d "
                                   "of '%s'",
                                   i + 1, path);
            break;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    return rc;
}

int lsign_ctx_add_trust_file(lsign_ctx *ctx, const char *path)
{
    STACK_OF(X509) * certs;
    int rc;

    if (ctx == NULL || path == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_add_trust_file: ctx or path is NULL");
    rc = lsi_certs_read_file(path, &certs);
    if (rc != LSIGN_OK)
        return lsi_error_wrap("trust anchors");
    rc = add_certs(ctx, certs, path);
    sk_X509_pop_free(certs, X509_free);
    if (rc == LSIGN_OK)
        lsi_log(ctx, LSIGN_LOG_INFO, "trust anchors: loaded '%s'", path);
    return rc;
}

static int has_cert_suffix(const char *name)
{
    static const char *const suffixes[] = {".pem", ".crt", ".cer"};
    size_t len = strlen(name);

    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t slen = strlen(suffixes[i]);
        if (len > slen && strcmp(name + len - slen, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

/* Reads all certificate files of a directory; all or nothing. */
static int read_cert_dir(const char *path, STACK_OF(X509) * all)
{
    DIR *dir = opendir(path);
    struct dirent *entry;
    int rc = LSIGN_OK;
    unsigned int files = 0;

    if (dir == NULL)
        return lsi_error(LSIGN_E_IO, "cannot open directory '%s'", path);
    while (rc == LSIGN_OK && (entry = readdir(dir)) != NULL) {
        char file[4096];
        STACK_OF(X509) * certs;

        if (entry->d_name[0] == '.' || !has_cert_suffix(entry->d_name))
            continue;
        if (snprintf(file, sizeof file, "%s/%s", path, entry->d_name) >= (int)sizeof file) {
            rc = lsi_error(LSIGN_E_INVALID_ARG, "path too long in '%s'", path);
            break;
        }
        rc = lsi_certs_read_file(file, &certs);
        if (rc == LSIGN_OK) {
            rc = lsi_certs_move(all, certs);
            sk_X509_pop_free(certs, X509_free);
        }
        files++;
    }
    closedir(dir);
    if (rc == LSIGN_OK && files == 0)
        rc = lsi_error(LSIGN_E_PARSE, "no .pem, .crt or .cer file in '%s'", path);
    return rc;
}

int lsign_ctx_add_trust_dir(lsign_ctx *ctx, const char *path)
{
    STACK_OF(X509) * certs;
    int rc;

    if (ctx == NULL || path == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_add_trust_dir: ctx or path is NULL");
    certs = sk_X509_new_null();
    if (certs == NULL)
        return lsi_error_nomem();
    rc = read_cert_dir(path, certs);
    if (rc == LSIGN_OK)
        rc = add_certs(ctx, certs, path);
    else
        lsi_error_wrap("trust anchors");
    sk_X509_pop_free(certs, X509_free);
    if (rc == LSIGN_OK)
        lsi_log(ctx, LSIGN_LOG_INFO, "trust anchors: loaded directory '%s'", path);
    return rc;
}

uint64_t lsign_ctx_trust_count(const lsign_ctx *ctx)
{
    lsign_ctx *mut = (lsign_ctx *)ctx;
    uint64_t n = 0;

    if (ctx == NULL)
        return 0;
    pthread_mutex_lock(&mut->lock);
    if (X509_STORE_lock(mut->trust)) {
        n = (uint64_t)sk_X509_OBJECT_num(X509_STORE_get0_objects(mut->trust));
        X509_STORE_unlock(mut->trust);
    }
    pthread_mutex_unlock(&mut->lock);
    return n;
}

X509_STORE *lsi_ctx_trust_store(const lsign_ctx *ctx)
{
    lsign_ctx *mut = (lsign_ctx *)ctx;

    pthread_mutex_lock(&mut->lock);
    X509_STORE_up_ref(mut->trust);
    pthread_mutex_unlock(&mut->lock);
    return mut->trust;
}

int lsign_ctx_set_log(lsign_ctx *ctx, int min_level, lsign_log_fn fn, void *userdata)
{
    if (ctx == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_set_log: ctx is NULL");
    if (min_level < LSIGN_LOG_DEBUG || min_level > LSIGN_LOG_ERROR)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_set_log: unknown log level %d", min_level);
    pthread_mutex_lock(&ctx->lock);
    ctx->log_fn = fn;
    ctx->log_userdata = userdata;
    ctx->log_min_level = min_level;
    pthread_mutex_unlock(&ctx->lock);
    return LSIGN_OK;
}

void lsi_log(const lsign_ctx *ctx, int level, const char *fmt, ...)
{
    lsign_ctx *mut = (lsign_ctx *)ctx;
    lsign_log_fn fn;
    void *userdata;
    char message[1024];
    va_list ap;

    if (ctx == NULL)
        return;
    pthread_mutex_lock(&mut->lock);
    fn = level >= mut->log_min_level ? mut->log_fn : NULL;
    userdata = mut->log_userdata;
    pthread_mutex_unlock(&mut->lock);
    if (fn == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fn(level, message, userdata);
}

int lsign_ctx_set_tsa(lsign_ctx *ctx, const char *url, const char *user,
                      const char *password_source)
{
    int rc;

    if (ctx == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_set_tsa: NULL context");
    if (url != NULL && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "TSA URL '%s' is not http:// or https://", url);
    if (password_source != NULL && strncmp(password_source, "env:", 4) != 0 &&
        strncmp(password_source, "file:", 5) != 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "TSA password source: use env:VAR or file:PATH");
    pthread_mutex_lock(&ctx->lock);
    rc = lsi_string_replace(&ctx->tsa_url, url);
    if (rc == LSIGN_OK)
        rc = lsi_string_replace(&ctx->tsa_user, url != NULL ? user : NULL);
    if (rc == LSIGN_OK)
        rc = lsi_string_replace(&ctx->tsa_password_source, url != NULL ? password_source : NULL);
    pthread_mutex_unlock(&ctx->lock);
    return rc;
}

static char *dup_or_null(const char *s, int *failed)
{
    char *copy = s != NULL ? strdup(s) : NULL;

    if (s != NULL && copy == NULL)
        *failed = 1;
    return copy;
}

int lsi_ctx_tsa(const lsign_ctx *ctx, lsi_tsa_config *out)
{
    lsign_ctx *mut = (lsign_ctx *)ctx;
    int failed = 0;

    memset(out, 0, sizeof *out);
    if (ctx == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "no time-stamping authority: no context");
    pthread_mutex_lock(&mut->lock);
    out->url = dup_or_null(mut->tsa_url, &failed);
    out->user = dup_or_null(mut->tsa_user, &failed);
    out->password_source = dup_or_null(mut->tsa_password_source, &failed);
    pthread_mutex_unlock(&mut->lock);
    if (failed) {
        lsi_tsa_config_clear(out);
        return lsi_error_nomem();
    }
    if (out->url == NULL)
        return lsi_error(
            LSIGN_E_INVALID_ARG,
            "no time-stamping authority: set one with lsign_ctx_set_tsa() (CLI: --tsa)");
    return LSIGN_OK;
}

void lsi_tsa_config_clear(lsi_tsa_config *cfg)
{
    free(cfg->url);
    free(cfg->user);
    free(cfg->password_source);
    memset(cfg, 0, sizeof *cfg);
}

/* A proxy is a plain HTTP server: OpenSSL's client speaks neither TLS nor auth to it. */
static int check_proxy(const char *proxy)
{
    int tls = 0, rc = LSIGN_OK;
    char *user = NULL, *host = NULL;

    if (!OSSL_HTTP_parse_url(proxy, &tls, &user, &host, NULL, NULL, NULL, NULL, NULL))
        rc = lsi_error_openssl(LSIGN_E_INVALID_ARG, "lsign_ctx_set_proxy: malformed proxy '%s'",
                               proxy);
    else if (tls)
        rc = lsi_error(LSIGN_E_INVALID_ARG,
                       "lsign_ctx_set_proxy: TLS to the proxy is not supported; use http://");
    else if (user != NULL && *user != '\0')
        /* The message leaves out the URL: it holds a password. */
        rc = lsi_error(LSIGN_E_INVALID_ARG,
                       "lsign_ctx_set_proxy: proxy credentials are not supported");
    if (user != NULL)
        OPENSSL_clear_free(user, strlen(user));
    OPENSSL_free(host);
    return rc;
}

int lsign_ctx_set_proxy(lsign_ctx *ctx, const char *proxy, const char *no_proxy)
{
    int failed = 0;
    char *p, *np;

    if (ctx == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_set_proxy: ctx is NULL");
    if (proxy != NULL && *proxy != '\0' && check_proxy(proxy) != LSIGN_OK)
        return LSIGN_E_INVALID_ARG;
    p = dup_or_null(proxy, &failed);
    np = dup_or_null(no_proxy, &failed);
    if (failed) {
        free(p);
        free(np);
        return lsi_error_nomem();
    }
    pthread_mutex_lock(&ctx->lock);
    free(ctx->proxy);
    free(ctx->no_proxy);
    ctx->proxy = p;
    ctx->no_proxy = np;
    pthread_mutex_unlock(&ctx->lock);
    return LSIGN_OK;
}

int lsi_ctx_proxy(const lsign_ctx *ctx, char **proxy, char **no_proxy)
{
    lsign_ctx *mut = (lsign_ctx *)ctx;
    int failed = 0;

    *proxy = *no_proxy = NULL;
    if (ctx == NULL)
        return LSIGN_OK;
    pthread_mutex_lock(&mut->lock);
    *proxy = dup_or_null(mut->proxy, &failed);
    *no_proxy = dup_or_null(mut->no_proxy, &failed);
    pthread_mutex_unlock(&mut->lock);
    if (failed) {
        free(*proxy);
        free(*no_proxy);
        *proxy = *no_proxy = NULL;
        return lsi_error_nomem();
    }
    return LSIGN_OK;
}

int lsign_ctx_set_language(lsign_ctx *ctx, int lang)
{
    if (ctx == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_set_language: ctx is NULL");
    if (lang != LSIGN_LANG_EN && lang != LSIGN_LANG_VI)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_set_language: unknown language %d", lang);
    pthread_mutex_lock(&ctx->lock);
    ctx->language = lang;
    pthread_mutex_unlock(&ctx->lock);
    return LSIGN_OK;
}

int lsi_ctx_language(const lsign_ctx *ctx)
{
    lsign_ctx *mut = (lsign_ctx *)ctx;
    int lang;

    if (ctx == NULL)
        return LSIGN_LANG_VI;
    pthread_mutex_lock(&mut->lock);
    lang = mut->language;
    pthread_mutex_unlock(&mut->lock);
    return lang;
}

int lsign_ctx_add_intermediates(lsign_ctx *ctx, const char *path)
{
    STACK_OF(X509) * certs;
    int rc;

    if (ctx == NULL || path == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_ctx_add_intermediates: ctx or path is NULL");
    if ((rc = lsi_certs_read_file(path, &certs)) != LSIGN_OK)
        return lsi_error_wrap("intermediate certificates");
    pthread_mutex_lock(&ctx->lock);
    if (ctx->intermediates == NULL && (ctx->intermediates = sk_X509_new_null()) == NULL)
        rc = lsi_error_nomem();
    if (rc == LSIGN_OK)
        rc = lsi_certs_move(ctx->intermediates, certs);
    pthread_mutex_unlock(&ctx->lock);
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

STACK_OF(X509) * lsi_ctx_intermediates(const lsign_ctx *ctx)
{
    lsign_ctx *mut = (lsign_ctx *)ctx;
    STACK_OF(X509) *copy = sk_X509_new_null();

    if (ctx == NULL || copy == NULL)
        return copy;
    pthread_mutex_lock(&mut->lock);
    for (int i = 0; mut->intermediates != NULL && i < sk_X509_num(mut->intermediates); i++) {
        X509 *c = sk_X509_value(mut->intermediates, i);
        if (X509_up_ref(c) && !sk_X509_push(copy, c))
            X509_free(c);
    }
    pthread_mutex_unlock(&mut->lock);
    return copy;
}
