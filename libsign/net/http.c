/*
 * HTTP(S) on OpenSSL's HTTP client. OpenSSL writes the request and reads the
 * status line and headers (OSSL_HTTP_open / OSSL_HTTP_set1_request /
 * OSSL_HTTP_REQ_CTX_nbio); this file adds what it lacks for us: a deadline
 * in milliseconds (OpenSSL counts whole seconds and retries a refused
 * connection until its timeout), a connection refused at once, the body read
 * against max_response_bytes, retries with backoff, and the error message.
 */
#include "net/http.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/http.h>
#include <openssl/httperr.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/grow.h"

static atomic_uint_fast64_t request_count;

uint64_t lsi_http_request_count(void)
{
    return (uint64_t)atomic_load(&request_count);
}

/* The URL, split once for every attempt, and the proxy that applies to it. */
typedef struct target {
    int use_ssl;
    char *host, *port, *path; /* path: with the query, without the fragment */
    char *proxy_host, *proxy_port;
    char *request_path; /* what the request line names: absolute through an HTTP proxy */
} target;

/* One fetch: its settings, and the cause of the last failed attempt. */
typedef struct fetch {
    const lsign_ctx *ctx;
    const lsi_http_request *req;
    target t;
    SSL_CTX *tls;
    STACK_OF(CONF_VALUE) * headers;
    unsigned int timeout_ms;
    uint64_t limit;
    int64_t deadline; /* of the current attempt, CLOCK_MONOTONIC ms */
    int code;         /* of the failure: LSIGN_E_NETWORK or LSIGN_E_LIMIT */
    int retry;        /* another attempt may succeed */
    char why[512];
} fetch;

/* One attempt's connection: the socket, and the TLS BIO over it for https. */
typedef struct conn {
    fetch *f;
    BIO *sock;
    BIO *top; /* what HTTP reads and writes: the TLS BIO or the socket */
    SSL *ssl; /* of the TLS BIO, for the certificate's verification result */
} conn;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Records why the attempt failed; returns code. */
static int fail(fetch *f, int code, int retry, const char *fmt, ...) LSI_PRINTF(4, 5);

static int fail(fetch *f, int code, int retry, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
    f->code = code;
    f->retry = retry;
    ERR_clear_error();
    return code;
}

/* An HTTP error status, as OpenSSL reports it: "code=404,reason=Not Found". */
static int fail_status(fetch *f, const char *data)
{
    int status = 0;
    const char *reason = strstr(data, "reason=");

    sscanf(data, "code=%d", &status);
    return fail(f, LSIGN_E_NETWORK, status >= 500 && status <= 599, "HTTP status %d%s%s%s", status,
                reason != NULL ? " (" : "", reason != NULL ? reason + 7 : "",
                reason != NULL ? ")" : "");
}

/* Failures of OpenSSL's HTTP layer: the server's answer, or the connection. */
static int fail_http(fetch *f, int reason, const char *text, const char *data)
{
    switch (reason) {
    case HTTP_R_RECEIVED_ERROR:
    case HTTP_R_STATUS_CODE_UNSUPPORTED: return fail_status(f, data);
    case HTTP_R_MAX_RESP_LEN_EXCEEDED:
    case HTTP_R_ASN1_LEN_EXCEEDS_MAX_RESP_LEN:
        return fail(f, LSIGN_E_LIMIT, 0, "reply exceeds max_response_bytes (%llu): %s",
                    (unsigned long long)f->limit, data);
    case HTTP_R_FAILED_READING_DATA:
    case HTTP_R_ERROR_SENDING:
    case HTTP_R_ERROR_RECEIVING: return fail(f, LSIGN_E_NETWORK, 1, "connection lost: %s", text);
    default: /* a reply we cannot use: the same next time */
        return fail(f, LSIGN_E_NETWORK, 0, "%s", text);
    }
}

/* An OpenSSL error entry in words: errno as strerror() says it, else reason and data. */
static void describe(unsigned long e, const char *data, char *buf, size_t size)
{
    const char *text = ERR_reason_error_string(e);

    if (ERR_GET_LIB(e) == ERR_LIB_SYS) {
        char sys[128];

        if (strerror_r(ERR_GET_REASON(e), sys, sizeof sys) != 0)
            snprintf(sys, sizeof sys, "errno %d", ERR_GET_REASON(e));
        snprintf(buf, size, "%s%s%s%s", sys, *data ? " (" : "", data, *data ? ")" : "");
    } else if (ERR_GET_REASON(e) == ERR_R_SYS_LIB && *data) {
        snprintf(buf, size, "%s", data); /* e.g. getaddrinfo()'s "Name or service not known" */
    } else {
        snprintf(buf, size, "%s%s%s", text != NULL ? text : "unknown error", *data ? ": " : "",
                 data);
    }
}

/*
 * Turns OpenSSL's error queue into the attempt's cause. The first entry is
 * the innermost one (errno, TLS alert, HTTP status); `what` says what we were
 * doing.
 */
static int fail_openssl(fetch *f, const char *what)
{
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_peek_error_all(NULL, NULL, NULL, &data, &flags);
    char text[256];

    if (e == 0) /* a socket read fails without a word */
        return fail(f, LSIGN_E_NETWORK, 1, "%s: connection lost", what);
    if ((flags & ERR_TXT_STRING) == 0 || data == NULL)
        data = "";
    describe(e, data, text, sizeof text);
    switch (ERR_GET_LIB(e)) {
    case ERR_LIB_HTTP: return fail_http(f, ERR_GET_REASON(e), text, data);
    case ERR_LIB_SSL: /* certificate, protocol: not transient */
        return fail(f, LSIGN_E_NETWORK, 0, "TLS error: %s", text);
    default: /* errno and socket failures: refused, reset, unreachable */
        return fail(f, LSIGN_E_NETWORK, 1, "%s: %s", what, text);
    }
}

static int fail_timeout(fetch *f, const char *what)
{
    return fail(f, LSIGN_E_NETWORK, 1, "timed out after %u ms %s", f->timeout_ms, what);
}

/*
 * Waits until the socket under `bio` can be read (or written) or the
 * attempt's deadline passes: 1 ready, 0 timed out, -1 error.
 */
static int wait_io(fetch *f, BIO *bio, int for_write)
{
    struct pollfd p = {.fd = (int)BIO_get_fd(bio, NULL), .events = for_write ? POLLOUT : POLLIN};

    if (p.fd < 0)
        return -1;
    for (;;) {
        int64_t left = f->deadline - now_ms();
        int n;

        if (left <= 0)
            return 0;
        n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (n > 0)
            return 1;
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* Connects without blocking, so a refusal fails at once and a silent host at the deadline. */
static int connect_socket(conn *c)
{
    fetch *f = c->f;
    const target *t = &f->t;
    const char *host = t->proxy_host != NULL ? t->proxy_host : t->host;
    const char *port = t->proxy_host != NULL ? t->proxy_port : t->port;
    const char *what = t->proxy_host != NULL ? "cannot connect to the proxy" : "cannot connect";

    c->top = c->sock = BIO_new(BIO_s_connect());
    if (c->sock == NULL || !BIO_set_conn_hostname(c->sock, host) ||
        !BIO_set_conn_port(c->sock, port))
        return lsi_error_nomem();
    BIO_set_nbio(c->sock, 1);
    for (;;) {
        int w;

        if (BIO_do_connect(c->sock) > 0)
            return LSIGN_OK;
        if (!BIO_should_retry(c->sock))
            return fail_openssl(f, what);
        w = wait_io(f, c->sock, 1);
        if (w == 0)
            return fail_timeout(f,
                                t->proxy_host != NULL ? "connecting to the proxy" : "connecting");
        if (w < 0)
            return fail(f, LSIGN_E_NETWORK, 1, "%s: %s", what, strerror(errno));
    }
}

/* OpenSSL's timeouts count whole seconds: the time left, rounded up. */
static int seconds_left(const fetch *f)
{
    int64_t left = f->deadline - now_ms();

    return left <= 0 ? 1 : (int)((left + 999) / 1000);
}

/* "[::1]" -> "::1": TLS names an IPv6 address without brackets. */
static int tls_names(SSL *ssl, const char *host)
{
    char name[256];
    size_t len = strlen(host);
    ASN1_OCTET_STRING *ip;
    int ok;

    if (host[0] == '[' && len > 2 && host[len - 1] == ']')
        snprintf(name, sizeof name, "%.*s", (int)(len - 2), host + 1);
    else
        snprintf(name, sizeof name, "%s", host);
    ip = a2i_IPADDRESS(name);
    /* SSL_set1_host() checks an address against the certificate's iPAddress. */
    ok = SSL_set1_host(ssl, name);
    if (ok && ip == NULL) /* no SNI for addresses (RFC 6066) */
        ok = SSL_set_tlsext_host_name(ssl, name) == 1;
    ASN1_OCTET_STRING_free(ip);
    return ok;
}

/*
 * OpenSSL's bio_update_fn: once connected, tunnels through the proxy (if
 * any) and puts TLS on top. On disconnect it leaves the BIOs alone: they are
 * ours, freed by attempt().
 */
static BIO *tls_update(BIO *bio, void *arg, int connect, int use_ssl)
{
    conn *c = arg;
    fetch *f = c->f;
    BIO *tls;
    SSL *ssl = NULL;

    if (!connect || !use_ssl)
        return bio;
    if (f->t.proxy_host != NULL && !OSSL_HTTP_proxy_connect(bio, f->t.host, f->t.port, NULL, NULL,
                                                            seconds_left(f), NULL, NULL))
        return NULL;
    tls = BIO_new_ssl(f->tls, 1);
    if (tls == NULL)
        return NULL;
    BIO_get_ssl(tls, &ssl);
    if (ssl == NULL || !tls_names(ssl, f->t.host)) {
        BIO_free(tls);
        return NULL;
    }
    c->top = BIO_push(tls, bio);
    c->ssl = ssl;
    return c->top;
}

/* A failed exchange; says why the server's certificate was refused, which OpenSSL does not. */
static int fail_exchange(conn *c)
{
    fetch *f = c->f;
    int rc = fail_openssl(f, "HTTP exchange failed");
    long verify = c->ssl != NULL ? SSL_get_verify_result(c->ssl) : X509_V_OK;
    size_t used = strlen(f->why);

    if (verify != X509_V_OK)
        snprintf(f->why + used, sizeof f->why - used, " (%s)",
                 X509_verify_cert_error_string(verify));
    return rc;
}

/* Runs the exchange up to the end of the headers, waiting at most until the deadline. */
static int exchange(conn *c, OSSL_HTTP_REQ_CTX *rctx)
{
    fetch *f = c->f;

    for (;;) {
        int rv = OSSL_HTTP_REQ_CTX_nbio(rctx), w;

        if (rv == 1)
            return LSIGN_OK;
        if (rv == 0 && ERR_peek_error() == 0) /* OpenSSL stops quietly mostly at a redirect */
            return fail(f, LSIGN_E_NETWORK, 0,
                        "unusable HTTP reply (a redirect? redirects are not followed)");
        if (rv == 0)
            return fail_exchange(c);
        w = wait_io(f, c->top, BIO_should_write(c->top));
        if (w == 0)
            return fail_timeout(f, "waiting for the reply");
        if (w < 0)
            return fail(f, LSIGN_E_NETWORK, 1, "waiting for the reply: %s", strerror(errno));
    }
}

/* Reads one chunk of the body into buf[*len..]: 1 read, 0 end of body, or an error. */
static int read_chunk(conn *c, unsigned char *buf, size_t room, size_t *len)
{
    fetch *f = c->f;

    for (;;) {
        int n = BIO_read(c->top, buf + *len, room > INT_MAX ? INT_MAX : (int)room), w;

        if (n > 0) {
            *len += (size_t)n;
            return 1;
        }
        if (n == 0 && !BIO_should_retry(c->top))
            return 0;
        if (!BIO_should_retry(c->top))
            return fail_openssl(f, "reading the reply");
        w = wait_io(f, c->top, BIO_should_write(c->top));
        if (w == 0)
            return fail_timeout(f, "reading the reply");
        if (w < 0)
            return fail(f, LSIGN_E_NETWORK, 1, "reading the reply: %s", strerror(errno));
    }
}

/* The body after the headers: up to Content-Length if given, else to the end of the connection. */
static int read_body(conn *c, OSSL_HTTP_REQ_CTX *rctx, unsigned char **out, size_t *out_len)
{
    fetch *f = c->f;
    size_t expected = OSSL_HTTP_REQ_CTX_get_resp_len(rctx), len = 0, cap = 0;
    unsigned char *buf = NULL;
    int rc = LSIGN_OK;

    if (expected > f->limit)
        return fail(f, LSIGN_E_LIMIT, 0, "reply of %zu bytes exceeds max_response_bytes (%llu)",
                    expected, (unsigned long long)f->limit);
    while (expected == 0 || len < expected) {
        int more;

        if ((rc = lsi_reserve((void **)&buf, &cap, len, 1)) != LSIGN_OK)
            break;
        /* Reading one byte past the limit tells an oversized reply from a full one. */
        more = read_chunk(c, buf,
                          (size_t)(f->limit + 1 - len) < cap - len ? (size_t)(f->limit + 1 - len)
                                                                   : cap - len,
                          &len);
        if (more <= 0) {
            rc = more;
            break;
        }
        if (len > f->limit) {
            rc = fail(f, LSIGN_E_LIMIT, 0, "reply exceeds max_response_bytes (%llu)",
                      (unsigned long long)f->limit);
            break;
        }
    }
    if (rc == LSIGN_OK && expected != 0 && len < expected)
        rc = fail(f, LSIGN_E_NETWORK, 1, "connection closed after %zu of %zu bytes", len, expected);
    if (rc != LSIGN_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return LSIGN_OK;
}

/* The request on an open connection: OpenSSL writes it and reads the headers. */
static int send_request(conn *c, OSSL_HTTP_REQ_CTX *rctx)
{
    fetch *f = c->f;
    const lsi_http_request *req = f->req;
    BIO *body = NULL;
    int ok;

    if (req->body != NULL && (body = BIO_new_mem_buf(req->body, (int)req->body_len)) == NULL)
        return lsi_error_nomem();
    ok = OSSL_HTTP_set1_request(rctx, f->t.request_path, f->headers,
                                req->body != NULL ? req->content_type : NULL, body,
                                req->expected_type, 0, (size_t)f->limit, 0, 0);
    BIO_free(body);
    if (!ok)
        return lsi_error_openssl(LSIGN_E_NOMEM, "cannot build the HTTP request");
    return exchange(c, rctx);
}

/* One attempt: connect, request, reply. Fills f->why when it fails. */
static int attempt(fetch *f, unsigned char **out, size_t *out_len)
{
    conn c = {.f = f};
    OSSL_HTTP_REQ_CTX *rctx = NULL;
    int rc;

    f->deadline = now_ms() + f->timeout_ms;
    f->code = LSIGN_OK;
    ERR_clear_error();
    atomic_fetch_add(&request_count, 1);
    rc = connect_socket(&c);
    if (rc == LSIGN_OK) {
        rctx = OSSL_HTTP_open(f->t.host, f->t.port, NULL, NULL, f->t.use_ssl, c.sock, NULL,
                              f->t.use_ssl ? tls_update : NULL, &c, 0, seconds_left(f));
        rc = rctx != NULL ? send_request(&c, rctx) : fail_openssl(f, "cannot open the connection");
    }
    if (rc == LSIGN_OK)
        rc = read_body(&c, rctx, out, out_len);
    if (rctx != NULL) /* our BIOs stay ours: tls_update() leaves them alone on disconnect */
        (void)OSSL_HTTP_close(rctx, rc == LSIGN_OK);
    BIO_free_all(c.top);
    ERR_clear_error();
    if (rc != LSIGN_OK && f->code == LSIGN_OK) /* not the server's fault: NOMEM */
        f->code = rc;
    return rc;
}

/* "Authorization: Basic base64(user:password)"; the caller wipes it. */
static int add_basic_auth(fetch *f)
{
    const lsi_http_request *req = f->req;
    size_t ulen = strlen(req->user), plen = strlen(req->password), n = ulen + 1 + plen;
    unsigned char *pair;
    char *value = NULL;
    int ok = 0;

    if (strchr(req->user, ':') != NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "HTTP basic authentication: user name has a ':'");
    if (n > INT_MAX / 2)
        return lsi_error(LSIGN_E_INVALID_ARG, "HTTP basic authentication: credentials too long");
    pair = malloc(n);
    value = malloc(6 + 4 * ((n + 2) / 3) + 1);
    if (pair != NULL && value != NULL) {
        memcpy(pair, req->user, ulen);
        pair[ulen] = ':';
        memcpy(pair + ulen + 1, req->password, plen);
        memcpy(value, "Basic ", 6);
        EVP_EncodeBlock((unsigned char *)value + 6, pair, (int)n);
        ok = X509V3_add_value("Authorization", value, &f->headers);
    }
    if (pair != NULL)
        OPENSSL_cleanse(pair, n);
    if (value != NULL)
        OPENSSL_cleanse(value, strlen(value));
    free(pair);
    free(value);
    return ok ? LSIGN_OK : lsi_error_nomem();
}

/* Wipes the headers' values: one of them may hold a password. */
static void free_headers(STACK_OF(CONF_VALUE) * headers)
{
    for (int i = 0; i < sk_CONF_VALUE_num(headers); i++) {
        CONF_VALUE *h = sk_CONF_VALUE_value(headers, i);
        if (h->value != NULL)
            OPENSSL_cleanse(h->value, strlen(h->value));
    }
    sk_CONF_VALUE_pop_free(headers, X509V3_conf_free);
}

/* Where the request goes: straight to the server, or through the context's or environment's proxy.
 */
static int choose_proxy(fetch *f)
{
    target *t = &f->t;
    char *proxy_opt, *no_proxy_opt;
    const char *proxy;
    int rc = lsi_ctx_proxy(f->ctx, &proxy_opt, &no_proxy_opt);

    if (rc != LSIGN_OK)
        return rc;
    proxy = OSSL_HTTP_adapt_proxy(proxy_opt, no_proxy_opt, t->host, t->use_ssl);
    if (proxy != NULL && !OSSL_HTTP_parse_url(proxy, NULL, NULL, &t->proxy_host, &t->proxy_port,
                                              NULL, NULL, NULL, NULL))
        rc = lsi_error_openssl(LSIGN_E_INVALID_ARG, "malformed proxy '%s'", proxy);
    free(proxy_opt);
    free(no_proxy_opt);
    if (rc != LSIGN_OK)
        return rc;
    if (proxy != NULL)
        lsi_log(f->ctx, LSIGN_LOG_DEBUG, "HTTP: through proxy %s:%s", t->proxy_host, t->proxy_port);
    return LSIGN_OK;
}

/* A plain HTTP proxy is sent the absolute URL; a CONNECT tunnel and a server, the path. */
static int set_request_path(target *t)
{
    size_t n;

    if (t->proxy_host == NULL || t->use_ssl) {
        t->request_path = strdup(t->path);
        return t->request_path != NULL ? LSIGN_OK : lsi_error_nomem();
    }
    n = strlen(t->host) + strlen(t->port) + strlen(t->path) + 9;
    t->request_path = malloc(n);
    if (t->request_path == NULL)
        return lsi_error_nomem();
    snprintf(t->request_path, n, "http://%s:%s%s", t->host, t->port, t->path);
    return LSIGN_OK;
}

static int parse_target(fetch *f, const char *url)
{
    target *t = &f->t;
    char *user = NULL, *frag = NULL;
    int rc = LSIGN_OK;

    if (OPENSSL_strncasecmp(url, "http://", 7) != 0 && OPENSSL_strncasecmp(url, "https://", 8) != 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "%s: not an http:// or https:// URL", url);
    if (!OSSL_HTTP_parse_url(url, &t->use_ssl, &user, &t->host, &t->port, NULL, &t->path, NULL,
                             &frag))
        return lsi_error_openssl(LSIGN_E_INVALID_ARG, "%s: malformed URL", url);
    if (*user != '\0') /* it would end up in logs and messages */
        rc = lsi_error(LSIGN_E_INVALID_ARG,
                       "URL of host %s holds credentials: pass them as user and password", t->host);
    OPENSSL_clear_free(user, strlen(user));
    OPENSSL_free(frag);
    if (rc == LSIGN_OK)
        rc = choose_proxy(f);
    return rc == LSIGN_OK ? set_request_path(t) : rc;
}

static void free_target(target *t)
{
    OPENSSL_free(t->host);
    OPENSSL_free(t->port);
    OPENSSL_free(t->path);
    OPENSSL_free(t->proxy_host);
    OPENSSL_free(t->proxy_port);
    free(t->request_path);
}

/* The system's CA store, host name checks (tls_update) and TLS 1.2 or later. */
static int make_tls(fetch *f)
{
    f->tls = SSL_CTX_new(TLS_client_method());
    if (f->tls == NULL || !SSL_CTX_set_min_proto_version(f->tls, TLS1_2_VERSION))
        return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot set up TLS");
    if (!SSL_CTX_set_default_verify_paths(f->tls))
        return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot load the system's CA certificates");
    SSL_CTX_set_verify(f->tls, SSL_VERIFY_PEER, NULL);
    /*
     * Servers often close without close_notify. Replies are read up to their
     * Content-Length, and what we fetch is signed DER that fails to parse
     * when cut short, so a missing close_notify is no risk here.
     */
    SSL_CTX_set_options(f->tls, SSL_OP_IGNORE_UNEXPECTED_EOF);
    return LSIGN_OK;
}

static int check_request(const lsi_http_request *req, unsigned char **out, size_t *out_len)
{
    if (out == NULL || out_len == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_http_fetch: out or out_len is NULL");
    *out = NULL;
    *out_len = 0;
    if (req == NULL || req->url == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_http_fetch: no URL");
    if (req->body != NULL && req->body_len > INT_MAX)
        return lsi_error(LSIGN_E_INVALID_ARG, "%s: request body too large", req->url);
    if ((req->user == NULL) != (req->password == NULL))
        return lsi_error(LSIGN_E_INVALID_ARG, "%s: user and password go together", req->url);
    return LSIGN_OK;
}

static int setup(fetch *f)
{
    int rc = parse_target(f, f->req->url);

    if (rc == LSIGN_OK && f->req->user != NULL)
        rc = add_basic_auth(f);
    if (rc == LSIGN_OK && f->t.use_ssl)
        rc = make_tls(f);
    return rc;
}

static unsigned int backoff_ms(unsigned int retry)
{
    return retry >= 4 ? 2000 : 200u << retry;
}

/* Attempts until one succeeds, a failure is final or the retries are spent. */
static int run(fetch *f, unsigned int retries, unsigned char **out, size_t *out_len)
{
    const char *method = f->req->body != NULL ? "POST" : "GET";

    for (unsigned int i = 0;; i++) {
        lsi_log(f->ctx, LSIGN_LOG_DEBUG, "HTTP %s %s (attempt %u of %u)", method, f->req->url,
                i + 1, retries + 1);
        if (attempt(f, out, out_len) == LSIGN_OK)
            return LSIGN_OK;
        if (f->code != LSIGN_E_NETWORK && f->code != LSIGN_E_LIMIT)
            return f->code; /* our own failure, already in lsign_last_error() */
        if (!f->retry || i == retries)
            return i == 0 ? lsi_error(f->code, "%s: %s", f->req->url, f->why)
                          : lsi_error(f->code, "%s: %s (%u attempts)", f->req->url, f->why, i + 1);
        lsi_log(f->ctx, LSIGN_LOG_WARNING, "HTTP %s %s: %s; retrying in %u ms", method, f->req->url,
                f->why, backoff_ms(i));
        sleep_ms(backoff_ms(i));
    }
}

int lsi_http_fetch(const lsign_ctx *ctx, const lsi_http_request *req, unsigned char **out,
                   size_t *out_len)
{
    const lsign_ctx_options *opts = lsi_ctx_options(ctx);
    fetch f = {.ctx = ctx, .req = req};
    int rc = check_request(req, out, out_len);

    if (rc != LSIGN_OK)
        return rc;
    if (opts->offline)
        return lsi_error(LSIGN_E_NETWORK, "offline mode: not fetching URL %s", req->url);
    f.timeout_ms = opts->timeout_ms;
    f.limit = opts->max_response_bytes < SIZE_MAX - 1 ? opts->max_response_bytes : SIZE_MAX - 1;
    rc = setup(&f);
    if (rc == LSIGN_OK)
        rc = run(&f, opts->retries, out, out_len);
    free_headers(f.headers);
    SSL_CTX_free(f.tls);
    free_target(&f.t);
    ERR_clear_error();
    return rc;
}
