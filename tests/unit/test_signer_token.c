/*
 * Signers over SoftHSM2 keys: RSA-2048/3072 and ECDSA P-256 sign and verify,
 * token and software keys give identical PKCS#1 v1.5 signatures, native
 * RSA-PSS, several threads on one signer.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "support/sigcheck.h"
#include "support/testenv.h"

#define URI(id) "pkcs11:token=libsign-test;id=%" id ";type=private"

static const char message[] = "Quyết định trợ cấp xã hội số 45/QĐ-UBND";

static lsign_signer *open_token(const char *uri)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;

    o.module = getenv("LIBSIGN_TEST_SOFTHSM_MODULE");
    o.pin_source = "env:LSIGN_TEST_TOKEN_PIN";
    if (lsign_signer_open(&s, NULL, uri, &o) != LSIGN_OK)
        fail_msg("open %s: %s", uri, lsign_last_error());
    return s;
}

static size_t sign(lsign_signer *s, int scheme, unsigned int flags, unsigned char *sig)
{
    size_t len = 1024;

    if (lsign_signer_sign(s, LSIGN_DIGEST_SHA256, scheme, flags, message, sizeof message, sig,
                          &len) != LSIGN_OK)
        fail_msg("sign: %s", lsign_last_error());
    return len;
}

static void check_key(const char *uri, int type, unsigned int bits)
{
    unsigned char sig[1024], der[160];
    lsign_signer *s = open_token(uri);
    size_t len;

    assert_int_equal(lsign_signer_key_type(s), type);
    assert_int_equal(lsign_signer_key_bits(s), bits);
    /* The token holds the signer certificate and both CA certificates. */
    assert_int_equal(lsign_signer_cert_count(s), 3);
    len = sign(s, LSIGN_SCHEME_AUTO, 0, sig);
    assert_true(sig_verifies(s, type == LSIGN_KEY_RSA ? LSIGN_SCHEME_RSA_PKCS1 : LSIGN_SCHEME_ECDSA,
                             message, sizeof message, sig, len));
    if (type == LSIGN_KEY_EC) {
        len = sign(s, LSIGN_SCHEME_ECDSA, LSIGN_SIGN_ECDSA_RAW, sig);
        assert_int_equal(len, 64);
        assert_true(sig_verifies(s, LSIGN_SCHEME_ECDSA, message, sizeof message, der,
                                 ecdsa_raw_to_der(sig, len, der)));
    }
    lsign_signer_free(s);
}

static void test_rsa2048(void **state)
{
    (void)state;
    check_key(URI("01"), LSIGN_KEY_RSA, 2048);
}

static void test_rsa3072(void **state)
{
    (void)state;
    check_key(URI("02"), LSIGN_KEY_RSA, 3072);
}

static void test_ecdsa_p256(void **state)
{
    (void)state;
    check_key("pkcs11:token=libsign-test;object=ecp256", LSIGN_KEY_EC, 256);
}

static void test_rsa_pss_native(void **state)
{
    unsigned char a[1024], b[1024];
    lsign_signer *s = open_token(URI("02"));
    size_t la = sign(s, LSIGN_SCHEME_RSA_PSS, 0, a), lb = sign(s, LSIGN_SCHEME_RSA_PSS, 0, b);

    (void)state;
    assert_true(sig_verifies(s, LSIGN_SCHEME_RSA_PSS, message, sizeof message, a, la));
    assert_true(sig_verifies(s, LSIGN_SCHEME_RSA_PSS, message, sizeof message, b, lb));
    /* PSS is randomised: two signatures of one message differ. */
    assert_memory_not_equal(a, b, la);
    lsign_signer_free(s);
}

/* PKCS#1 v1.5 is deterministic: token, PKCS#12 and PEM copies of one key must agree. */
static void test_token_pkcs12_pem_identical(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    unsigned char t[1024], p[1024], k[1024];
    lsign_signer *token = open_token(URI("01")), *p12 = NULL, *pem = NULL;
    size_t lt, lp, lk;

    (void)state;
    setenv("LSIGN_TEST_P12_PASS", "test", 1);
    o.pin_source = "env:LSIGN_TEST_P12_PASS";
    assert_int_equal(lsign_signer_open(&p12, NULL, PKI("signer-rsa2048.p12"), &o), LSIGN_OK);
    o.pin_source = NULL;
    o.cert_file = PKI("signer-rsa2048.crt");
    assert_int_equal(lsign_signer_open(&pem, NULL, PKI("signer-rsa2048.key"), &o), LSIGN_OK);
    lt = sign(token, LSIGN_SCHEME_RSA_PKCS1, 0, t);
    lp = sign(p12, LSIGN_SCHEME_RSA_PKCS1, 0, p);
    lk = sign(pem, LSIGN_SCHEME_RSA_PKCS1, 0, k);
    assert_int_equal(lt, 256);
    assert_int_equal(lt, lp);
    assert_int_equal(lt, lk);
    assert_memory_equal(t, p, lt);
    assert_memory_equal(t, k, lt);
    lsign_signer_free(token);
    lsign_signer_free(p12);
    lsign_signer_free(pem);
}

/* 4 threads x 200 signatures on one signer; every signature verified. */
#define THREADS    4
#define PER_THREAD 200

struct worker {
    lsign_signer *signer;
    int index, good, bad;
    char error[256];
};

static void *sign_many(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < PER_THREAD; i++) {
        char text[64];
        unsigned char sig[512];
        size_t len = sizeof sig;
        int n = snprintf(text, sizeof text, "thread %d document %d", w->index, i);

        if (lsign_signer_sign(w->signer, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO, 0, text, (size_t)n,
                              sig, &len) != LSIGN_OK) {
            snprintf(w->error, sizeof w->error, "%s", lsign_last_error());
            w->bad++;
        } else if (sig_verifies(w->signer, LSIGN_SCHEME_RSA_PKCS1, text, (size_t)n, sig, len)) {
            w->good++;
        } else {
            w->bad++;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    lsign_signer *s = open_token(URI("01"));
    pthread_t t[THREADS];
    struct worker w[THREADS];

    (void)state;
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.signer = s, .index = i};
        assert_int_equal(pthread_create(&t[i], NULL, sign_many, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        if (w[i].bad)
            fail_msg("thread %d: %d bad signatures, last error: %s", i, w[i].bad, w[i].error);
        assert_int_equal(w[i].good, PER_THREAD);
    }
    lsign_signer_free(s);
}

/* Where the module comes from when options.module is not given. */
static void test_module_from_env_and_uri(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;
    char uri[1024];

    (void)state;
    o.pin_source = "env:LSIGN_TEST_TOKEN_PIN";
    setenv("LIBSIGN_PKCS11_MODULE", getenv("LIBSIGN_TEST_SOFTHSM_MODULE"), 1);
    assert_int_equal(lsign_signer_open(&s, NULL, URI("01"), &o), LSIGN_OK);
    lsign_signer_free(s);

    /* The URI's module-path wins over the environment. */
    setenv("LIBSIGN_PKCS11_MODULE", "/nonexistent/from-env.so", 1);
    snprintf(uri, sizeof uri, "%s?module-path=%s", URI("01"),
             getenv("LIBSIGN_TEST_SOFTHSM_MODULE"));
    assert_int_equal(lsign_signer_open(&s, NULL, uri, &o), LSIGN_OK);
    lsign_signer_free(s);
    assert_int_equal(lsign_signer_open(&s, NULL, URI("01"), &o), LSIGN_E_TOKEN);
    assert_non_null(strstr(lsign_last_error(), "/nonexistent/from-env.so"));
    unsetenv("LIBSIGN_PKCS11_MODULE");
}

static void test_token_selection_errors(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;

    (void)state;
    o.module = getenv("LIBSIGN_TEST_SOFTHSM_MODULE");
    o.pin_source = "env:LSIGN_TEST_TOKEN_PIN";
    assert_int_equal(lsign_signer_open(&s, NULL, "pkcs11:token=no-such-token", &o), LSIGN_E_TOKEN);
    assert_non_null(strstr(lsign_last_error(), "no token matches"));
    assert_non_null(strstr(lsign_last_error(), "'libsign-test'"));
    assert_int_equal(lsign_signer_open(&s, NULL, "pkcs11:slot-id=0;id=%01", &o),
                     LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "slot numbers change"));
    assert_int_equal(lsign_signer_open(&s, NULL, "pkcs11:token=libsign-test;type=cert", &o),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_signer_open(&s, NULL, "pkcs11:token=libsign-test;id=%99", &o),
                     LSIGN_E_KEY);
    assert_non_null(strstr(lsign_last_error(), "no private key on token 'libsign-test'"));
    assert_int_equal(lsign_signer_open(&s, NULL, "pkcs11:token=libsign-test", &o), LSIGN_E_KEY);
    assert_non_null(strstr(lsign_last_error(), "3 private keys"));
    assert_int_equal(lsign_signer_open(&s, NULL, "pkcs11:token=libsign-test;id=%01;bogus=1", &o),
                     LSIGN_E_PARSE);
    o.module = "/nonexistent/libpkcs11.so";
    assert_int_equal(lsign_signer_open(&s, NULL, URI("01"), &o), LSIGN_E_TOKEN);
    assert_non_null(strstr(lsign_last_error(), "/nonexistent/libpkcs11.so"));
    assert_null(s);
}

static size_t count_kind(const lsign_token_list *list, int kind)
{
    size_t n = 0;

    for (size_t i = 0; i < lsign_token_list_count(list); i++)
        n += lsign_token_list_kind(list, i) == kind;
    return n;
}

static void test_token_list(void **state)
{
    lsign_token_list_options o = LSIGN_TOKEN_LIST_OPTIONS_INIT;
    lsign_token_list *list = NULL;

    (void)state;
    o.module = getenv("LIBSIGN_TEST_SOFTHSM_MODULE");
    /* Without login: both tokens and the certificates of the test token. */
    assert_int_equal(lsign_token_list_new(&list, NULL, &o), LSIGN_OK);
    assert_int_equal(count_kind(list, LSIGN_ITEM_TOKEN), 2);
    assert_int_equal(count_kind(list, LSIGN_ITEM_CERTIFICATE), 5);
    assert_int_equal(lsign_token_list_kind(list, 99), 0);
    assert_string_equal(lsign_token_list_uri(list, 99), "");
    lsign_token_list_free(list);

    /* Logged in to one token: its three private keys, each with a URI that opens a signer. */
    o.token = "libsign-test";
    o.pin_source = "env:LSIGN_TEST_TOKEN_PIN";
    assert_int_equal(lsign_token_list_new(&list, NULL, &o), LSIGN_OK);
    assert_int_equal(count_kind(list, LSIGN_ITEM_TOKEN), 1);
    assert_int_equal(count_kind(list, LSIGN_ITEM_PRIVATE_KEY), 3);
    for (size_t i = 0; i < lsign_token_list_count(list); i++) {
        const char *uri = lsign_token_list_uri(list, i);

        assert_non_null(strstr(uri, "token=libsign-test"));
        if (lsign_token_list_kind(list, i) == LSIGN_ITEM_PRIVATE_KEY) {
            unsigned char sig[1024];
            lsign_signer *s = open_token(uri);
            assert_true(sign(s, LSIGN_SCHEME_AUTO, 0, sig) > 0);
            lsign_signer_free(s);
        }
        if (lsign_token_list_kind(list, i) == LSIGN_ITEM_PRIVATE_KEY &&
            strcmp(lsign_token_list_label(list, i), "rsa3072") == 0)
            assert_string_equal(lsign_token_list_details(list, i), "RSA key, 3072 bits");
        if (lsign_token_list_kind(list, i) == LSIGN_ITEM_CERTIFICATE &&
            strcmp(lsign_token_list_label(list, i), "rsa2048") == 0)
            assert_non_null(strstr(lsign_token_list_details(list, i), "Nguyễn Văn Ánh"));
    }
    lsign_token_list_free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa2048),
        cmocka_unit_test(test_rsa3072),
        cmocka_unit_test(test_ecdsa_p256),
        cmocka_unit_test(test_rsa_pss_native),
        cmocka_unit_test(test_token_pkcs12_pem_identical),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_token_selection_errors),
        cmocka_unit_test(test_module_from_env_and_uri),
        cmocka_unit_test(test_token_list),
    };
    setenv("LSIGN_TEST_TOKEN_PIN", "1234", 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
