/*
 * Token behaviours, each in a process of its own (login state is per process):
 *   wrong-pin  a wrong PIN gives LSIGN_E_PIN naming the token, never the PIN,
 *              and C_Login is called exactly once (counted by OpenSC's
 *              pkcs11-spy between us and SoftHSM);
 *   removal    the token store disappears between two signatures: the error
 *              is reported; once it is back, the next signature succeeds;
 *   always-auth a CKA_ALWAYS_AUTHENTICATE key gets a context-specific login
 *              (PIN asked again) right before each signature;
 *   no-pss     a token without CKM_RSA_PKCS_PSS refuses RSA-PSS with a clear
 *              LSIGN_E_UNSUPPORTED, and PKCS#1 v1.5 still works.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "support/sigcheck.h"
#include "support/testenv.h"

static char workdir[] = "/tmp/lsign-faults-XXXXXX";

static void run(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

/* A private copy of the test token, so that breaking it disturbs no other test. */
static void private_token_with(const char *extra_conf)
{
    char cmd[8192], conf[4200];
    FILE *f;

    assert_non_null(mkdtemp(workdir));
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s/tokens'", test_path("LIBSIGN_TEST_TOKEN", "tokens"),
             workdir);
    run(cmd);
    snprintf(conf, sizeof conf, "%s/softhsm2.conf", workdir);
    f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f,
            "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n%s",
            workdir, extra_conf);
    fclose(f);
    setenv("SOFTHSM2_CONF", conf, 1);
}

static void private_token(void)
{
    private_token_with("");
}

static lsign_signer *open_key(const char *uri, const char *pin_source, lsign_pin_fn fn,
                              void *userdata)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;

    o.module = getenv("LIBSIGN_TEST_SOFTHSM_MODULE");
    o.pin_source = pin_source;
    o.pin_callback = fn;
    o.pin_userdata = userdata;
    if (lsign_signer_open(&s, NULL, uri, &o) != LSIGN_OK)
        fail_msg("open %s: %s", uri, lsign_last_error());
    return s;
}

static void cleanup(void)
{
    char cmd[4200];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    run(cmd);
}

static int count_in_file(const char *path, const char *needle)
{
    char line[4096];
    int n = 0;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, needle) != NULL)
            n++;
    fclose(f);
    return n;
}

/* Opens key 01 with the wrong PIN "987654" through `module`: a clear LSIGN_E_PIN, no PIN shown. */
static void expect_wrong_pin(const char *module)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;

    setenv("LSIGN_TEST_WRONG_PIN", "987654", 1);
    o.module = module;
    o.pin_source = "env:LSIGN_TEST_WRONG_PIN";
    assert_int_equal(lsign_signer_open(&s, NULL, "pkcs11:token=libsign-test;id=%01", &o),
                     LSIGN_E_PIN);
    assert_null(s);
    assert_non_null(strstr(lsign_last_error(), "wrong PIN for token 'libsign-test'"));
    assert_non_null(strstr(lsign_last_error(), "not retried"));
    /* The token's remaining-tries state is reported (SoftHSM flags COUNT_LOW after a miss). */
    assert_non_null(strstr(lsign_last_error(), "the token reports few tries left"));
    assert_null(strstr(lsign_last_error(), "987654"));
}

static void test_wrong_pin_tried_once(void **state)
{
    char log[4200];

    (void)state;
    private_token();
    snprintf(log, sizeof log, "%s/spy.log", workdir);
    setenv("PKCS11SPY", getenv("LIBSIGN_TEST_SOFTHSM_MODULE"), 1);
    setenv("PKCS11SPY_OUTPUT", log, 1);
    expect_wrong_pin(getenv("LIBSIGN_TEST_PKCS11_SPY"));
    /* The spy logs each call as "N: C_Login"; exactly one login attempt reached the token. */
    assert_int_equal(count_in_file(log, ": C_Login"), 1);
    cleanup();
}

/* The same wrong PIN straight against SoftHSM: the error path, leak-checked. */
static void test_wrong_pin_direct(void **state)
{
    (void)state;
    private_token();
    expect_wrong_pin(getenv("LIBSIGN_TEST_SOFTHSM_MODULE"));
    /* Nothing was left half-done: the right PIN works next. */
    setenv("LSIGN_TEST_WRONG_PIN", "1234", 1);
    lsign_signer_free(
        open_key("pkcs11:token=libsign-test;id=%01", "env:LSIGN_TEST_WRONG_PIN", NULL, NULL));
    cleanup();
}

static void count_warnings(int level, const char *message, void *userdata)
{
    int *warnings = userdata;

    if (level == LSIGN_LOG_WARNING && strstr(message, "token 'libsign-test' failed") != NULL)
        (*warnings)++;
}

static void test_token_removed_then_restored(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_ctx *ctx = NULL;
    int warnings = 0;
    lsign_signer *s = NULL;
    unsigned char sig[512];
    size_t len;
    char cmd[8400];
    static const char doc[] = "Giấy chứng nhận quyền sử dụng đất";

    (void)state;
    private_token();
    setenv("LSIGN_TEST_TOKEN_PIN", "1234", 1);
    /* Operators see recoveries through the context's log. */
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsign_ctx_set_log(ctx, LSIGN_LOG_WARNING, count_warnings, &warnings),
                     LSIGN_OK);
    o.module = getenv("LIBSIGN_TEST_SOFTHSM_MODULE");
    o.pin_source = "env:LSIGN_TEST_TOKEN_PIN";
    assert_int_equal(lsign_signer_open(&s, ctx, "pkcs11:token=libsign-test;id=%01", &o), LSIGN_OK);
    len = sizeof sig;
    assert_int_equal(lsign_signer_sign(s, LSIGN_DIGEST_SHA256, 0, 0, doc, sizeof doc, sig, &len),
                     LSIGN_OK);

    /* "Unplug": the token store vanishes. */
    snprintf(cmd, sizeof cmd, "mv '%s/tokens' '%s/unplugged'", workdir, workdir);
    run(cmd);
    len = sizeof sig;
    assert_int_equal(lsign_signer_sign(s, LSIGN_DIGEST_SHA256, 0, 0, doc, sizeof doc, sig, &len),
                     LSIGN_E_TOKEN);
    assert_non_null(strstr(lsign_last_error(), "could not be recovered"));
    /* It stays failed, cleanly, while the token is away. */
    len = sizeof sig;
    assert_int_equal(lsign_signer_sign(s, LSIGN_DIGEST_SHA256, 0, 0, doc, sizeof doc, sig, &len),
                     LSIGN_E_TOKEN);

    /* "Plug back in": the next signature re-finds the token, logs in again and succeeds. */
    snprintf(cmd, sizeof cmd, "mv '%s/unplugged' '%s/tokens'", workdir, workdir);
    run(cmd);
    len = sizeof sig;
    if (lsign_signer_sign(s, LSIGN_DIGEST_SHA256, 0, 0, doc, sizeof doc, sig, &len) != LSIGN_OK)
        fail_msg("after restore: %s", lsign_last_error());
    assert_true(sig_verifies(s, LSIGN_SCHEME_RSA_PKCS1, doc, sizeof doc, sig, len));
    assert_int_equal(warnings, 3); /* two failed recoveries, one that worked */
    lsign_signer_free(s);
    lsign_ctx_free(ctx);
    cleanup();
}

struct pin_log {
    int logins, per_signature;
};

static int count_pins(const char *what, unsigned int flags, char *buf, size_t size, size_t *len,
                      void *userdata)
{
    struct pin_log *log = userdata;

    (void)what;
    (void)size;
    if (flags & LSIGN_PIN_CONTEXT_SPECIFIC)
        log->per_signature++;
    else
        log->logins++;
    memcpy(buf, "1234", 4);
    *len = 4;
    return 0;
}

static void test_always_authenticate(void **state)
{
    char cmd[8192];
    struct pin_log log = {0, 0};
    unsigned char sig[512];
    size_t len;
    lsign_signer *s;
    static const char doc[] = "Quyết định cấp phép xây dựng";

    (void)state;
    private_token();
    /* A copy of the RSA-2048 key that needs the PIN before every use. */
    snprintf(cmd, sizeof cmd,
             "openssl pkcs8 -topk8 -nocrypt -in '%s' -outform DER -out '%s/k.der' && "
             "pkcs11-tool --module '%s' --token-label libsign-test --login --pin 1234 "
             "--write-object '%s/k.der' --type privkey --id 04 --label always --always-auth "
             ">/dev/null 2>&1 && "
             "openssl x509 -in '%s' -outform DER -out '%s/c.der' && "
             "pkcs11-tool --module '%s' --token-label libsign-test --login --pin 1234 "
             "--write-object '%s/c.der' --type cert --id 04 --label always >/dev/null 2>&1",
             PKI("signer-rsa2048.key"), workdir, getenv("LIBSIGN_TEST_SOFTHSM_MODULE"), workdir,
             PKI("signer-rsa2048.crt"), workdir, getenv("LIBSIGN_TEST_SOFTHSM_MODULE"), workdir);
    run(cmd);

    s = open_key("pkcs11:token=libsign-test;id=%04", NULL, count_pins, &log);
    assert_int_equal(log.logins, 1);
    assert_int_equal(log.per_signature, 1); /* opening proves key and certificate match */
    for (int i = 0; i < 3; i++) {
        len = sizeof sig;
        assert_int_equal(
            lsign_signer_sign(s, LSIGN_DIGEST_SHA256, 0, 0, doc, sizeof doc, sig, &len), LSIGN_OK);
        assert_true(sig_verifies(s, LSIGN_SCHEME_RSA_PKCS1, doc, sizeof doc, sig, len));
    }
    assert_int_equal(log.logins, 1);
    assert_int_equal(log.per_signature, 4);
    lsign_signer_free(s);
    cleanup();
}

static void test_token_without_pss(void **state)
{
    unsigned char sig[512];
    size_t len = sizeof sig;
    lsign_signer *s;

    (void)state;
    private_token_with("slots.mechanisms = CKM_RSA_PKCS,CKM_ECDSA\n");
    setenv("LSIGN_TEST_TOKEN_PIN", "1234", 1);
    s = open_key("pkcs11:token=libsign-test;id=%01", "env:LSIGN_TEST_TOKEN_PIN", NULL, NULL);
    if (lsign_signer_sign(s, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_RSA_PSS, 0, "x", 1, sig, &len) !=
        LSIGN_E_UNSUPPORTED)
        fail_msg("RSA-PSS without CKM_RSA_PKCS_PSS: %s", lsign_last_error());
    if (strstr(lsign_last_error(), "does not offer RSA-PSS signatures (CKM_RSA_PKCS_PSS)") == NULL)
        fail_msg("unexpected error: %s", lsign_last_error());
    len = sizeof sig;
    assert_int_equal(
        lsign_signer_sign(s, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_RSA_PKCS1, 0, "x", 1, sig, &len),
        LSIGN_OK);
    lsign_signer_free(s);
    cleanup();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest wrong_pin[] = {cmocka_unit_test(test_wrong_pin_tried_once)};
    const struct CMUnitTest removal[] = {cmocka_unit_test(test_token_removed_then_restored)};
    const struct CMUnitTest direct[] = {cmocka_unit_test(test_wrong_pin_direct)};
    const struct CMUnitTest always[] = {cmocka_unit_test(test_always_authenticate)};
    const struct CMUnitTest no_pss[] = {cmocka_unit_test(test_token_without_pss)};

    if (argc == 2 && strcmp(argv[1], "wrong-pin") == 0)
        return cmocka_run_group_tests(wrong_pin, NULL, NULL);
    if (argc == 2 && strcmp(argv[1], "wrong-pin-direct") == 0)
        return cmocka_run_group_tests(direct, NULL, NULL);
    if (argc == 2 && strcmp(argv[1], "always-auth") == 0)
        return cmocka_run_group_tests(always, NULL, NULL);
    if (argc == 2 && strcmp(argv[1], "no-pss") == 0)
        return cmocka_run_group_tests(no_pss, NULL, NULL);
    if (argc == 2 && strcmp(argv[1], "removal") == 0)
        return cmocka_run_group_tests(removal, NULL, NULL);
    fprintf(stderr, "usage: %s wrong-pin|wrong-pin-direct|removal|always-auth|no-pss\n", argv[0]);
    return 2;
}
