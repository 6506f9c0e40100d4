/* lsign_ctx: options, trust anchors, logging. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/ctx.h"
#include "libsign/libsign.h"
#include "support/testenv.h"

static void test_options_init_defaults(void **state)
{
    lsign_ctx_options opts;
    lsign_ctx_options init = LSIGN_CTX_OPTIONS_INIT;

    (void)state;
    assert_int_equal(lsign_ctx_options_init(&opts, LSIGN_CTX_OPTIONS_VERSION), LSIGN_OK);
    assert_int_equal(opts.version, LSIGN_CTX_OPTIONS_VERSION);
    assert_int_equal(opts.max_depth, 256);
    assert_int_equal(opts.revocation, LSIGN_REVOCATION_OFFLINE);
    assert_int_equal(init.version, LSIGN_CTX_OPTIONS_VERSION);
    /* The macro and the function give the same network retries (the macro once gave 0). */
    assert_int_equal(init.retries, 2);
    assert_int_equal(opts.retries, 2);

    assert_int_equal(lsign_ctx_options_init(&opts, 0), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_ctx_options_init(&opts, LSIGN_CTX_OPTIONS_VERSION + 1),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_ctx_options_init(NULL, 1), LSIGN_E_INVALID_ARG);
}

static void test_new_resolves_zero_to_defaults(void **state)
{
    lsign_ctx_options opts = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx = NULL;

    (void)state;
    opts.max_depth = 10;
    opts.retries = 0;
    assert_int_equal(lsign_ctx_new(&ctx, &opts), LSIGN_OK);
    assert_int_equal(lsi_ctx_options(ctx)->max_depth, 10);
    assert_int_equal(lsi_ctx_options(ctx)->retries, 0);
    assert_true(lsi_ctx_options(ctx)->max_stream_bytes > 0);
    assert_true(lsi_ctx_options(ctx)->timeout_ms > 0);
    lsign_ctx_free(ctx);
    lsign_ctx_free(NULL);
}

static void test_new_rejects_bad_options(void **state)
{
    lsign_ctx_options opts = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx = (lsign_ctx *)&opts; /* must be reset to NULL on failure */

    (void)state;
    opts.offline = 1;
    opts.revocation = LSIGN_REVOCATION_ONLINE;
    assert_int_equal(lsign_ctx_new(&ctx, &opts), LSIGN_E_INVALID_ARG);
    assert_null(ctx);
    assert_non_null(strstr(lsign_last_error(), "contradicts offline mode"));

    opts.offline = 0;
    opts.revocation = 7;
    assert_int_equal(lsign_ctx_new(&ctx, &opts), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "unknown revocation policy 7"));
    assert_int_equal(lsign_ctx_new(NULL, NULL), LSIGN_E_INVALID_ARG);
}

static void test_trust_file_and_duplicates(void **state)
{
    lsign_ctx *ctx = NULL;

    (void)state;
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsign_ctx_trust_count(ctx), 0);
    assert_int_equal(lsign_ctx_add_trust_file(ctx, PKI("root-ca.crt")), LSIGN_OK);
    assert_int_equal(lsign_ctx_trust_count(ctx), 1);
    /* chain.pem holds the intermediate and the root again: one new anchor. */
    assert_int_equal(lsign_ctx_add_trust_file(ctx, PKI("chain.pem")), LSIGN_OK);
    assert_int_equal(lsign_ctx_trust_count(ctx), 2);
    lsign_ctx_free(ctx);
}

static void test_trust_file_rejects_junk_atomically(void **state)
{
    char dir[] = "/tmp/lsign-test-XXXXXX";
    char junk[4200], empty[4200], mixed[4200];
    static const char bad_pem[] =
        "-----BEGIN CERTIFICATE-----\nTUlJQm9ndXM=\n-----END CERTIFICATE-----\n";
    lsign_ctx *ctx = NULL;
    FILE *root;
    char rootpem[8192];
    size_t n;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(junk, sizeof junk, "%s/junk.pem", dir);
    snprintf(empty, sizeof empty, "%s/empty.pem", dir);
    snprintf(mixed, sizeof mixed, "%s/mixed.pem", dir);
    test_write_file(junk, "hello", 5);
    test_write_file(empty, "", 0);
    root = fopen(PKI("root-ca.crt"), "rb");
    assert_non_null(root);
    n = fread(rootpem, 1, sizeof rootpem - sizeof bad_pem, root);
    fclose(root);
    memcpy(rootpem + n, bad_pem, sizeof bad_pem - 1);
    test_write_file(mixed, rootpem, n + sizeof bad_pem - 1);

    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsign_ctx_add_trust_file(ctx, junk), LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "neither PEM nor a DER certificate"));
    assert_int_equal(lsign_ctx_add_trust_file(ctx, empty), LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "contains no certificate"));
    /* A good root followed by a broken certificate: nothing is added. */
    assert_int_equal(lsign_ctx_add_trust_file(ctx, mixed), LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "certificate 2 is malformed"));
    assert_int_equal(lsign_ctx_trust_count(ctx), 0);
    assert_int_equal(lsign_ctx_add_trust_dir(ctx, dir), LSIGN_E_PARSE);
    assert_int_equal(lsign_ctx_trust_count(ctx), 0);
    lsign_ctx_free(ctx);
    unlink(junk);
    unlink(empty);
    unlink(mixed);
    rmdir(dir);
}

static void test_trust_dir_reads_pem_and_der(void **state)
{
    char dir[] = "/tmp/lsign-test-XXXXXX";
    char cmd[8192], path[4200];
    lsign_ctx *ctx = NULL;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "cp '%s' '%s/root.pem' && openssl x509 -in '%s' -outform DER -out '%s/inter.cer' "
             "&& echo ignored > '%s/README'",
             PKI("root-ca.crt"), dir, PKI("inter-ca.crt"), dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsign_ctx_add_trust_dir(ctx, dir), LSIGN_OK);
    assert_int_equal(lsign_ctx_trust_count(ctx), 2);
    assert_int_equal(lsign_ctx_add_trust_dir(ctx, "/nonexistent-dir"), LSIGN_E_IO);
    lsign_ctx_free(ctx);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
}

struct log_capture {
    int calls;
    int level;
    char last[512];
};

static void capture_log(int level, const char *message, void *userdata)
{
    struct log_capture *cap = userdata;

    cap->calls++;
    cap->level = level;
    snprintf(cap->last, sizeof cap->last, "%s", message);
}

static void test_log_callback_filters_by_level(void **state)
{
    struct log_capture cap = {0};
    lsign_ctx *ctx = NULL;

    (void)state;
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsign_ctx_set_log(ctx, LSIGN_LOG_WARNING, capture_log, &cap), LSIGN_OK);
    assert_int_equal(lsign_ctx_add_trust_file(ctx, PKI("root-ca.crt")), LSIGN_OK);
    assert_int_equal(cap.calls, 0); /* "loaded" is INFO, below WARNING */
    assert_int_equal(lsign_ctx_set_log(ctx, LSIGN_LOG_INFO, capture_log, &cap), LSIGN_OK);
    assert_int_equal(lsign_ctx_add_trust_file(ctx, PKI("root-ca.crt")), LSIGN_OK);
    assert_int_equal(cap.calls, 1);
    assert_int_equal(cap.level, LSIGN_LOG_INFO);
    assert_non_null(strstr(cap.last, "root-ca.crt"));
    assert_int_equal(lsign_ctx_set_log(ctx, 42, capture_log, &cap), LSIGN_E_INVALID_ARG);
    lsign_ctx_free(ctx);
}

static void test_trust_store_is_shared_reference(void **state)
{
    lsign_ctx *ctx = NULL;
    X509_STORE *store;

    (void)state;
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsign_ctx_add_trust_file(ctx, PKI("root-ca.crt")), LSIGN_OK);
    store = lsi_ctx_trust_store(ctx);
    lsign_ctx_free(ctx);
    /* The reference outlives the context. */
    assert_int_equal(sk_X509_OBJECT_num(X509_STORE_get0_objects(store)), 1);
    X509_STORE_free(store);
}

/* Setting a proxy keeps the intermediates (it once freed them, and lsign_ctx_free() again). */
static void test_proxy_keeps_intermediates(void **state)
{
    lsign_ctx *ctx = NULL;
    STACK_OF(X509) * inter;

    (void)state;
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsign_ctx_add_intermediates(ctx, PKI("inter-ca.crt")), LSIGN_OK);
    assert_int_equal(lsign_ctx_set_proxy(ctx, "http://127.0.0.1:3128", "localhost"), LSIGN_OK);
    inter = lsi_ctx_intermediates(ctx);
    assert_int_equal(sk_X509_num(inter), 1);
    sk_X509_pop_free(inter, X509_free);
    lsign_ctx_free(ctx);
}

/* The TSA settings handed to a signing are copies: changing them meanwhile is safe. */
static void test_tsa_config_is_a_copy(void **state)
{
    lsign_ctx *ctx = NULL;
    lsi_tsa_config cfg;

    (void)state;
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsi_ctx_tsa(ctx, &cfg), LSIGN_E_INVALID_ARG);
    assert_null(cfg.url);
    assert_int_equal(lsign_ctx_set_tsa(ctx, "http://tsa.example/a", "u", "env:TSA_PASSWORD"),
                     LSIGN_OK);
    assert_int_equal(lsi_ctx_tsa(ctx, &cfg), LSIGN_OK);
    assert_int_equal(lsign_ctx_set_tsa(ctx, "http://tsa.example/b", NULL, NULL), LSIGN_OK);
    assert_string_equal(cfg.url, "http://tsa.example/a");
    assert_string_equal(cfg.user, "u");
    assert_string_equal(cfg.password_source, "env:TSA_PASSWORD");
    lsi_tsa_config_clear(&cfg);
    assert_null(cfg.url);
    lsign_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_init_defaults),
        cmocka_unit_test(test_new_resolves_zero_to_defaults),
        cmocka_unit_test(test_new_rejects_bad_options),
        cmocka_unit_test(test_trust_file_and_duplicates),
        cmocka_unit_test(test_trust_file_rejects_junk_atomically),
        cmocka_unit_test(test_trust_dir_reads_pem_and_der),
        cmocka_unit_test(test_log_callback_filters_by_level),
        cmocka_unit_test(test_trust_store_is_shared_reference),
        cmocka_unit_test(test_proxy_keeps_intermediates),
        cmocka_unit_test(test_tsa_config_is_a_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
