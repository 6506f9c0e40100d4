/*
 * lsi_http_fetch against the loopback servers of tests/net/ltv-fixture: the
 * shared `ltv` fixture ($LIBSIGN_TEST_LTV) for read-only requests, and a
 * private instance, started by this program, for the TSA's knobs (basic
 * auth, garbage, 5xx, delay), which would disturb tests running in parallel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/ts.h>

#include "core/ctx.h"
#include "libsign/libsign.h"
#include "net/http.h"
#include "support/testenv.h"

#define LTV(name) test_path("LIBSIGN_TEST_LTV", name)

/* The private fixture instance, in this program's temporary directory. */
static char private_dir[512];

/* Value of `key` in a fixture's env file (URLs and ports need no shell quoting); static buffer. */
static const char *env_of(const char *dir, const char *key)
{
    static char values[4][512];
    static unsigned next;
    char path[600], line[1024], *value = values[next++ % 4];
    size_t klen = strlen(key);
    FILE *f;

    snprintf(path, sizeof path, "%s/env", dir);
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot read %s: is the ltv fixture running?\n", path);
        abort();
    }
    value[0] = '\0';
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
            snprintf(value, sizeof values[0], "%s", line + klen + 1);
            value[strcspn(value, "\n")] = '\0';
        }
    fclose(f);
    if (value[0] == '\0') {
        fprintf(stderr, "%s: no %s\n", path, key);
        abort();
    }
    return value;
}

static const char *shared_env(const char *key)
{
    return env_of(getenv("LIBSIGN_TEST_LTV"), key);
}

static const char *private_env(const char *key)
{
    return env_of(private_dir, key);
}

static void knob(const char *name, const char *value)
{
    char path[600];

    snprintf(path, sizeof path, "%s/%s", private_dir, name);
    if (value == NULL)
        unlink(path);
    else
        test_write_file(path, value, strlen(value));
}

static lsign_ctx *new_ctx(unsigned int timeout_ms, unsigned int retries, uint64_t limit)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx = NULL;

    o.timeout_ms = timeout_ms;
    o.retries = retries;
    o.max_response_bytes = limit;
    assert_int_equal(lsign_ctx_new(&ctx, &o), LSIGN_OK);
    return ctx;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A loopback port where nothing listens (bound and released at once). */
static unsigned dead_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int get(lsign_ctx *ctx, const char *url, const char *type, unsigned char **out, size_t *len)
{
    lsi_http_request req = {.url = url, .expected_type = type};

    return lsi_http_fetch(ctx, &req, out, len);
}

static void test_get_crl_bytes(void **state)
{
    lsign_ctx *ctx = new_ctx(5000, 0, 0);
    unsigned char *body = NULL, *file;
    size_t len = 0, file_len;
    uint64_t before = lsi_http_request_count();

    (void)state;
    file = test_read_file(LTV("www/inter.crl"), &file_len);
    assert_int_equal(get(ctx, shared_env("LTV_CRL_URL"), "application/pkix-crl", &body, &len),
                     LSIGN_OK);
    assert_int_equal(len, file_len);
    assert_memory_equal(body, file, len);
    assert_int_equal(lsi_http_request_count(), before + 1);
    free(body);
    free(file);
    lsign_ctx_free(ctx);
}

/* A timestamp query for `data`, made by the openssl CLI. */
static unsigned char *make_query(const char *data, size_t *len)
{
    char cmd[2048];

    test_write_file(in_dir("data.txt"), data, strlen(data));
    snprintf(cmd, sizeof cmd, "openssl ts -query -data '%s' -sha256 -cert -out '%s' 2>/dev/null",
             in_dir("data.txt"), in_dir("query.tsq"));
    assert_int_equal(system(cmd), 0);
    return test_read_file(in_dir("query.tsq"), len);
}

static int post_query(lsign_ctx *ctx, const char *url, const char *user, const char *password,
                      unsigned char **out, size_t *len)
{
    size_t qlen;
    unsigned char *query = make_query("Giấy khai sinh số 123/2026", &qlen);
    lsi_http_request req = {.url = url,
                            .body = query,
                            .body_len = qlen,
                            .content_type = "application/timestamp-query",
                            .expected_type = "application/timestamp-reply",
                            .user = user,
                            .password = password};
    int rc = lsi_http_fetch(ctx, &req, out, len);

    free(query);
    return rc;
}

/* The reply grants a timestamp over SHA-256 of the data make_query() used. */
static void assert_granted(const unsigned char *der, size_t len)
{
    const char *data = "Giấy khai sinh số 123/2026";
    unsigned char digest[32];
    const unsigned char *p = der;
    TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)len);
    ASN1_OCTET_STRING *imprint;

    assert_non_null(resp);
    assert_int_equal(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp))),
                     TS_STATUS_GRANTED);
    assert_non_null(TS_RESP_get_tst_info(resp));
    imprint = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(TS_RESP_get_tst_info(resp)));
    assert_int_equal(EVP_Digest(data, strlen(data), digest, NULL, EVP_sha256(), NULL), 1);
    assert_int_equal(ASN1_STRING_length(imprint), 32);
    assert_memory_equal(ASN1_STRING_get0_data(imprint), digest, 32);
    TS_RESP_free(resp);
}

static void test_post_timestamp_query(void **state)
{
    lsign_ctx *ctx = new_ctx(5000, 0, 0);
    unsigned char *body = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(post_query(ctx, shared_env("LTV_TSA_URL"), NULL, NULL, &body, &len), LSIGN_OK);
    assert_granted(body, len);
    free(body);
    lsign_ctx_free(ctx);
}

static void test_wrong_content_type_not_retried(void **state)
{
    lsign_ctx *ctx = new_ctx(5000, 2, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    uint64_t before = lsi_http_request_count();
    const char *url = shared_env("LTV_CRL_URL");

    (void)state;
    assert_int_equal(get(ctx, url, "application/ocsp-response", &body, &len), LSIGN_E_NETWORK);
    assert_null(body);
    assert_non_null(strstr(lsign_last_error(), url));
    assert_non_null(strstr(lsign_last_error(), "content type"));
    assert_non_null(strstr(lsign_last_error(), "application/pkix-crl"));
    assert_int_equal(lsi_http_request_count(), before + 1);
    /* Case does not matter. */
    assert_int_equal(get(ctx, url, "Application/PKIX-CRL", &body, &len), LSIGN_OK);
    free(body);
    lsign_ctx_free(ctx);
}

static void test_404_names_url_and_status(void **state)
{
    lsign_ctx *ctx = new_ctx(5000, 2, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    char url[512];
    uint64_t before = lsi_http_request_count();

    (void)state;
    snprintf(url, sizeof url, "%smissing.crl", shared_env("LTV_HTTP_URL"));
    assert_int_equal(get(ctx, url, NULL, &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), url));
    assert_non_null(strstr(lsign_last_error(), "404"));
    assert_int_equal(lsi_http_request_count(), before + 1); /* 4xx: never retried */
    lsign_ctx_free(ctx);
}

static void test_refused_retried_with_backoff(void **state)
{
    lsign_ctx *ctx = new_ctx(500, 2, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    char url[64];
    uint64_t before = lsi_http_request_count();
    double start = now_s(), took;

    (void)state;
    snprintf(url, sizeof url, "http://127.0.0.1:%u/root.crl", dead_port());
    assert_int_equal(get(ctx, url, NULL, &body, &len), LSIGN_E_NETWORK);
    took = now_s() - start;
    assert_int_equal(lsi_http_request_count(), before + 3);
    assert_non_null(strstr(lsign_last_error(), url));
    assert_non_null(strstr(lsign_last_error(), "refused"));
    assert_non_null(strstr(lsign_last_error(), "3 attempts"));
    /* Refused at once, then 200 + 400 ms of backoff. */
    assert_true(took >= 0.55);
    assert_true(took < 2.0);
    lsign_ctx_free(ctx);
}

static void test_response_limit(void **state)
{
    unsigned char *body = NULL;
    size_t len = 0, file_len;
    unsigned char *file = test_read_file(LTV("www/inter.crl"), &file_len);
    lsign_ctx *small = new_ctx(5000, 2, file_len - 1), *exact = new_ctx(5000, 2, file_len);
    uint64_t before = lsi_http_request_count();

    (void)state;
    assert_int_equal(get(small, shared_env("LTV_CRL_URL"), NULL, &body, &len), LSIGN_E_LIMIT);
    assert_null(body);
    assert_non_null(strstr(lsign_last_error(), "max_response_bytes"));
    assert_int_equal(lsi_http_request_count(), before + 1);
    assert_int_equal(get(exact, shared_env("LTV_CRL_URL"), NULL, &body, &len), LSIGN_OK);
    assert_int_equal(len, file_len);
    free(body);
    free(file);
    lsign_ctx_free(small);
    lsign_ctx_free(exact);
}

static void test_offline_makes_no_request(void **state)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx = NULL;
    unsigned char *body = NULL;
    size_t len = 0;
    uint64_t before = lsi_http_request_count();

    (void)state;
    o.offline = 1;
    assert_int_equal(lsign_ctx_new(&ctx, &o), LSIGN_OK);
    assert_int_equal(get(ctx, shared_env("LTV_CRL_URL"), NULL, &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "offline mode: not fetching URL"));
    assert_non_null(strstr(lsign_last_error(), shared_env("LTV_CRL_URL")));
    assert_int_equal(lsi_http_request_count(), before);
    lsign_ctx_free(ctx);
}

/* Collects log messages, to check levels and that no password shows. */
typedef struct log_record {
    int debug, warning;
    char all[8192];
} log_record;

static void collect(int level, const char *message, void *userdata)
{
    log_record *r = userdata;
    size_t used = strlen(r->all);

    r->debug += level == LSIGN_LOG_DEBUG;
    r->warning += level == LSIGN_LOG_WARNING;
    snprintf(r->all + used, sizeof r->all - used, "%s\n", message);
}

static void test_basic_auth(void **state)
{
    lsign_ctx *ctx = new_ctx(5000, 2, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    const char *url = private_env("LTV_TSA_URL");
    uint64_t before = lsi_http_request_count();
    log_record log = {0};

    (void)state;
    assert_int_equal(lsign_ctx_set_log(ctx, LSIGN_LOG_DEBUG, collect, &log), LSIGN_OK);
    knob("tsa-auth", "nguyen.van.anh:Mật-khẩu 1");
    assert_int_equal(post_query(ctx, url, NULL, NULL, &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "401"));
    assert_int_equal(post_query(ctx, url, "nguyen.van.anh", "sai", &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "401"));
    assert_null(strstr(lsign_last_error(), "sai"));
    assert_int_equal(lsi_http_request_count(), before + 2); /* 401: not retried */
    assert_int_equal(post_query(ctx, url, "nguyen.van.anh", "Mật-khẩu 1", &body, &len), LSIGN_OK);
    assert_granted(body, len);
    free(body);
    assert_null(strstr(log.all, "Mật-khẩu"));
    assert_int_equal(log.debug, 3);
    assert_int_equal(post_query(ctx, url, "a:b", "c", &body, &len), LSIGN_E_INVALID_ARG);
    assert_int_equal(post_query(ctx, url, "a", NULL, &body, &len), LSIGN_E_INVALID_ARG);
    knob("tsa-auth", NULL);
    lsign_ctx_free(ctx);
}

static void test_garbage_reply_is_delivered(void **state)
{
    lsign_ctx *ctx = new_ctx(5000, 0, 0);
    unsigned char *body = NULL;
    const unsigned char *p;
    size_t len = 0;

    (void)state;
    knob("tsa-garbage", "");
    assert_int_equal(post_query(ctx, private_env("LTV_TSA_URL"), NULL, NULL, &body, &len),
                     LSIGN_OK);
    knob("tsa-garbage", NULL);
    assert_int_equal(len, 512);
    p = body;
    assert_null(d2i_TS_RESP(NULL, &p, (long)len)); /* for the timestamp layer to reject */
    free(body);
    lsign_ctx_free(ctx);
}

/* Without Content-Length, OpenSSL cannot check the size: our reading of the body must. */
static void test_limit_without_content_length(void **state)
{
    lsign_ctx *small = new_ctx(5000, 2, 65536), *exact = new_ctx(5000, 2, 70000);
    unsigned char *body = NULL;
    size_t len = 0;
    uint64_t before = lsi_http_request_count();

    (void)state;
    knob("tsa-garbage", "70000");
    assert_int_equal(post_query(small, private_env("LTV_TSA_URL"), NULL, NULL, &body, &len),
                     LSIGN_E_LIMIT);
    assert_null(body);
    assert_non_null(strstr(lsign_last_error(), "max_response_bytes (65536)"));
    assert_int_equal(lsi_http_request_count(), before + 1);
    assert_int_equal(post_query(exact, private_env("LTV_TSA_URL"), NULL, NULL, &body, &len),
                     LSIGN_OK);
    knob("tsa-garbage", NULL);
    assert_int_equal(len, 70000);
    free(body);
    lsign_ctx_free(small);
    lsign_ctx_free(exact);
}

static void test_5xx_retried(void **state)
{
    lsign_ctx *ctx = new_ctx(5000, 1, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    uint64_t before = lsi_http_request_count();
    log_record log = {0};

    (void)state;
    assert_int_equal(lsign_ctx_set_log(ctx, LSIGN_LOG_DEBUG, collect, &log), LSIGN_OK);
    knob("tsa-status", "503");
    assert_int_equal(post_query(ctx, private_env("LTV_TSA_URL"), NULL, NULL, &body, &len),
                     LSIGN_E_NETWORK);
    knob("tsa-status", NULL);
    assert_non_null(strstr(lsign_last_error(), "503"));
    assert_non_null(strstr(lsign_last_error(), "2 attempts"));
    assert_int_equal(lsi_http_request_count(), before + 2);
    assert_int_equal(log.debug, 2);
    assert_int_equal(log.warning, 1);
    assert_non_null(strstr(log.all, "retrying in 200 ms"));
    lsign_ctx_free(ctx);
}

static void test_timeout_per_attempt(void **state)
{
    lsign_ctx *ctx = new_ctx(500, 1, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    uint64_t before = lsi_http_request_count();
    double start, took;

    (void)state;
    knob("tsa-delay", "3");
    start = now_s();
    assert_int_equal(post_query(ctx, private_env("LTV_TSA_URL"), NULL, NULL, &body, &len),
                     LSIGN_E_NETWORK);
    took = now_s() - start;
    knob("tsa-delay", NULL);
    assert_non_null(strstr(lsign_last_error(), "timed out after 500 ms"));
    assert_int_equal(lsi_http_request_count(), before + 2);
    /* Two attempts of 500 ms and 200 ms between them (the query is made by a subprocess). */
    assert_true(took >= 1.2);
    assert_true(took < 2.9);
    lsign_ctx_free(ctx);
}

static void test_proxy_from_context(void **state)
{
    lsign_ctx *ctx = new_ctx(500, 0, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    char proxy[64];

    (void)state;
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%u", dead_port());
    assert_int_equal(lsign_ctx_set_proxy(ctx, proxy, ""), LSIGN_OK);
    assert_int_equal(get(ctx, shared_env("LTV_CRL_URL"), NULL, &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "cannot connect to the proxy"));
    assert_non_null(strstr(lsign_last_error(), "refused"));
    assert_int_equal(lsign_ctx_set_proxy(ctx, proxy, "localhost, 127.0.0.1"), LSIGN_OK);
    assert_int_equal(get(ctx, shared_env("LTV_CRL_URL"), NULL, &body, &len), LSIGN_OK);
    free(body);
    body = NULL;
    /* https:// goes through the proxy too (CONNECT), which is just as dead. */
    assert_int_equal(lsign_ctx_set_proxy(ctx, proxy + 7, ""), LSIGN_OK);
    assert_int_equal(get(ctx, "https://127.0.0.1:1/x", NULL, &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "refused"));

    assert_int_equal(lsign_ctx_set_proxy(ctx, "https://127.0.0.1:3128", NULL), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_ctx_set_proxy(ctx, "http://user:bí-mật@127.0.0.1:3128", NULL),
                     LSIGN_E_INVALID_ARG);
    assert_null(strstr(lsign_last_error(), "bí-mật"));
    assert_int_equal(lsign_ctx_set_proxy(NULL, NULL, NULL), LSIGN_E_INVALID_ARG);
    lsign_ctx_free(ctx);
}

static void test_proxy_from_environment(void **state)
{
    lsign_ctx *ctx = new_ctx(500, 0, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    char proxy[64];

    (void)state;
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%u", dead_port());
    setenv("http_proxy", proxy, 1);
    assert_int_equal(get(ctx, shared_env("LTV_CRL_URL"), NULL, &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "proxy"));
    setenv("no_proxy", "127.0.0.1", 1);
    assert_int_equal(get(ctx, shared_env("LTV_CRL_URL"), NULL, &body, &len), LSIGN_OK);
    free(body);
    body = NULL;
    unsetenv("no_proxy");
    /* "" in the context: no proxy, whatever the environment says. */
    assert_int_equal(lsign_ctx_set_proxy(ctx, "", NULL), LSIGN_OK);
    assert_int_equal(get(ctx, shared_env("LTV_CRL_URL"), NULL, &body, &len), LSIGN_OK);
    free(body);
    unsetenv("http_proxy");
    lsign_ctx_free(ctx);
}

static void test_tls_to_plain_http_port(void **state)
{
    lsign_ctx *ctx = new_ctx(2000, 2, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    char url[128];
    uint64_t before = lsi_http_request_count();

    (void)state;
    snprintf(url, sizeof url, "https://127.0.0.1:%s/inter.crl", shared_env("LTV_HTTP_PORT"));
    assert_int_equal(get(ctx, url, NULL, &body, &len), LSIGN_E_NETWORK);
    assert_null(body);
    assert_non_null(strstr(lsign_last_error(), url));
    assert_non_null(strstr(lsign_last_error(), "TLS"));
    assert_null(strstr(lsign_last_error(), "timed out"));   /* refused at once, no waiting */
    assert_int_equal(lsi_http_request_count(), before + 1); /* not transient: no retry */
    lsign_ctx_free(ctx);
}

/*
 * The fixture's HTTPS server has a certificate for "localhost" from the
 * fixture's CA: trusted through SSL_CERT_FILE, which OpenSSL reads as the
 * system store; refused by the real system store and for the address.
 */
static void test_https(void **state)
{
    lsign_ctx *ctx = new_ctx(5000, 2, 0);
    unsigned char *body = NULL, *file;
    size_t len = 0, file_len;
    char url[128], by_ip[128];
    uint64_t before = lsi_http_request_count();

    (void)state;
    file = test_read_file(LTV("www/inter.crl"), &file_len);
    snprintf(url, sizeof url, "%sinter.crl", shared_env("LTV_HTTPS_URL"));
    snprintf(by_ip, sizeof by_ip, "https://127.0.0.1:%s/inter.crl", shared_env("LTV_HTTPS_PORT"));
    assert_int_equal(get(ctx, url, NULL, &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "unable to get local issuer certificate"));

    setenv("SSL_CERT_FILE", LTV("trust.pem"), 1);
    assert_int_equal(get(ctx, url, "application/pkix-crl", &body, &len), LSIGN_OK);
    assert_int_equal(len, file_len);
    assert_memory_equal(body, file, len);
    free(body);
    body = NULL;
    assert_int_equal(get(ctx, by_ip, NULL, &body, &len), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "IP address mismatch"));
    assert_non_null(strstr(lsign_last_error(), by_ip));
    unsetenv("SSL_CERT_FILE");
    assert_int_equal(lsi_http_request_count(), before + 3); /* certificate errors: no retry */
    free(file);
    lsign_ctx_free(ctx);
}

static void test_bad_requests(void **state)
{
    lsign_ctx *ctx = new_ctx(500, 0, 0);
    unsigned char *body = NULL;
    size_t len = 0;
    uint64_t before = lsi_http_request_count();
    lsi_http_request req = {.url = "http://127.0.0.1:1/"};

    (void)state;
    assert_int_equal(get(ctx, "ftp://127.0.0.1/x.crl", NULL, &body, &len), LSIGN_E_INVALID_ARG);
    assert_int_equal(get(ctx, "/etc/passwd", NULL, &body, &len), LSIGN_E_INVALID_ARG);
    assert_int_equal(get(ctx, "http://ai:mat-khau@127.0.0.1:1/", NULL, &body, &len),
                     LSIGN_E_INVALID_ARG);
    assert_null(strstr(lsign_last_error(), "mat-khau"));
    assert_int_equal(lsi_http_fetch(ctx, NULL, &body, &len), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_http_fetch(ctx, &req, NULL, &len), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_http_request_count(), before);
    lsign_ctx_free(ctx);
}

static int run_fixture(const char *verb)
{
    char cmd[1024];

    snprintf(cmd, sizeof cmd, "'%s' %s '%s' >/dev/null", LTV_FIXTURE, verb, private_dir);
    return system(cmd);
}

static int setup(void **state)
{
    (void)state;
    if (test_dir_create() != 0)
        return -1;
    snprintf(private_dir, sizeof private_dir, "%s", in_dir("ltv"));
    if (run_fixture("start") == 0)
        return 0;
    test_dir_remove(); /* cmocka skips the teardown of a failed setup */
    return -1;
}

static int teardown(void **state)
{
    (void)state;
    run_fixture("stop");
    return test_dir_remove();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_crl_bytes),
        cmocka_unit_test(test_post_timestamp_query),
        cmocka_unit_test(test_wrong_content_type_not_retried),
        cmocka_unit_test(test_404_names_url_and_status),
        cmocka_unit_test(test_refused_retried_with_backoff),
        cmocka_unit_test(test_response_limit),
        cmocka_unit_test(test_offline_makes_no_request),
        cmocka_unit_test(test_basic_auth),
        cmocka_unit_test(test_garbage_reply_is_delivered),
        cmocka_unit_test(test_limit_without_content_length),
        cmocka_unit_test(test_5xx_retried),
        cmocka_unit_test(test_timeout_per_attempt),
        cmocka_unit_test(test_proxy_from_context),
        cmocka_unit_test(test_proxy_from_environment),
        cmocka_unit_test(test_tls_to_plain_http_port),
        cmocka_unit_test(test_https),
        cmocka_unit_test(test_bad_requests),
    };

    /* The proxy tests set their own; an ambient proxy would reroute the others. */
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    return cmocka_run_group_tests(tests, setup, teardown);
}
