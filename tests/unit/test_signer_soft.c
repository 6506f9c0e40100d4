/* Signers over software keys: PKCS#12 and PEM, certificate checks, PIN sources. */
#define _DEFAULT_SOURCE /* forkpty */
#include <poll.h>
#include <pty.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "support/sigcheck.h"
#include "support/testenv.h"

static const char message[] = "Giấy khai sinh số 123/2026";

static lsign_signer *open_ok(const char *key, const lsign_signer_options *opts)
{
    lsign_signer *s = NULL;
    int rc = lsign_signer_open(&s, NULL, key, opts);

    if (rc != LSIGN_OK)
        fail_msg("open %s: %s", key, lsign_last_error());
    return s;
}

static void sign_ok(lsign_signer *s, int scheme, unsigned int flags, unsigned char *sig,
                    size_t *len)
{
    *len = 1024;
    if (lsign_signer_sign(s, LSIGN_DIGEST_SHA256, scheme, flags, message, sizeof message, sig,
                          len) != LSIGN_OK)
        fail_msg("sign: %s", lsign_last_error());
}

static void test_pem_key_with_cert_and_chain(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    unsigned char sig[1024];
    size_t len;
    lsign_signer *s;

    (void)state;
    o.cert_file = PKI("signer-rsa2048.crt");
    o.chain_file = PKI("chain.pem");
    s = open_ok(PKI("signer-rsa2048.key"), &o);
    assert_int_equal(lsign_signer_key_type(s), LSIGN_KEY_RSA);
    assert_int_equal(lsign_signer_key_bits(s), 2048);
    assert_int_equal(lsign_signer_cert_count(s), 3); /* leaf, issuing CA, root */
    assert_non_null(strstr(lsign_signer_subject(s), "CN=Nguyễn Văn Ánh"));
    assert_non_null(strstr(lsign_signer_subject(s), "O=Ủy ban nhân dân xã Chí Minh"));
    sign_ok(s, LSIGN_SCHEME_AUTO, 0, sig, &len);
    assert_int_equal(len, 256);
    assert_true(sig_verifies(s, LSIGN_SCHEME_RSA_PKCS1, message, sizeof message, sig, len));
    sign_ok(s, LSIGN_SCHEME_RSA_PSS, 0, sig, &len);
    assert_true(sig_verifies(s, LSIGN_SCHEME_RSA_PSS, message, sizeof message, sig, len));
    assert_false(sig_verifies(s, LSIGN_SCHEME_RSA_PKCS1, message, sizeof message, sig, len));
    lsign_signer_free(s);
}

static void test_chain_is_ordered_leaf_to_root(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    const unsigned char *der;
    size_t len;
    X509 *c;
    char cn[256];
    lsign_signer *s;

    (void)state;
    o.cert_file = PKI("signer-ecp256.crt");
    o.chain_file = PKI("chain.pem");
    s = open_ok(PKI("signer-ecp256.key"), &o);
    assert_int_equal(lsign_signer_cert_der(s, 1, &der, &len), LSIGN_OK);
    c = d2i_X509(NULL, &der, (long)len);
    X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof cn);
    assert_string_equal(cn, "libsign Test Issuing CA");
    X509_free(c);
    assert_int_equal(lsign_signer_cert_der(s, 2, &der, &len), LSIGN_OK);
    c = d2i_X509(NULL, &der, (long)len);
    X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof cn);
    assert_string_equal(cn, "libsign Test Root CA");
    X509_free(c);
    assert_int_equal(lsign_signer_cert_der(s, 3, &der, &len), LSIGN_E_INVALID_ARG);
    lsign_signer_free(s);
}

static void test_ecdsa_der_and_raw(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    unsigned char sig[1024], der[128];
    size_t len, max = 0;
    lsign_signer *s;

    (void)state;
    o.cert_file = PKI("signer-ecp256.crt");
    s = open_ok(PKI("signer-ecp256.key"), &o);
    assert_int_equal(lsign_signer_key_type(s), LSIGN_KEY_EC);
    sign_ok(s, LSIGN_SCHEME_AUTO, 0, sig, &len);
    assert_int_equal(sig[0], 0x30); /* DER SEQUENCE */
    assert_true(sig_verifies(s, LSIGN_SCHEME_ECDSA, message, sizeof message, sig, len));
    sign_ok(s, LSIGN_SCHEME_ECDSA, LSIGN_SIGN_ECDSA_RAW, sig, &len);
    assert_int_equal(len, 64);
    assert_true(sig_verifies(s, LSIGN_SCHEME_ECDSA, message, sizeof message, der,
                             ecdsa_raw_to_der(sig, len, der)));
    assert_int_equal(lsign_signer_sign(s, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_ECDSA,
                                       LSIGN_SIGN_ECDSA_RAW, message, 1, NULL, &max),
                     LSIGN_OK);
    assert_int_equal(max, 64);
    /* An RSA scheme on an EC key is the caller's mistake. */
    len = sizeof sig;
    assert_int_equal(
        lsign_signer_sign(s, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_RSA_PSS, 0, message, 1, sig, &len),
        LSIGN_E_INVALID_ARG);
    lsign_signer_free(s);
}

static void test_pkcs12_password_sources(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;
    char pinfile[] = "/tmp/lsign-pin-XXXXXX";
    int fd;

    (void)state;
    setenv("LSIGN_TEST_P12_PASS", "test", 1);
    o.pin_source = "env:LSIGN_TEST_P12_PASS";
    s = open_ok(PKI("signer-rsa3072.p12"), &o);
    assert_int_equal(lsign_signer_key_bits(s), 3072);
    assert_int_equal(lsign_signer_cert_count(s), 3); /* chain from inside the PKCS#12 */
    lsign_signer_free(s);

    /* file: strips one trailing newline */
    fd = mkstemp(pinfile);
    assert_int_equal(write(fd, "test\n", 5), 5);
    close(fd);
    o.pin_source = "file:";
    {
        char spec[64];
        snprintf(spec, sizeof spec, "file:%s", pinfile);
        o.pin_source = spec;
        s = open_ok(PKI("signer-rsa3072.p12"), &o);
        lsign_signer_free(s);
    }
    unlink(pinfile);

    setenv("LSIGN_TEST_P12_PASS", "wrong-password-42", 1);
    o.pin_source = "env:LSIGN_TEST_P12_PASS";
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-rsa3072.p12"), &o), LSIGN_E_PIN);
    assert_null(s);
    assert_non_null(strstr(lsign_last_error(), "wrong password for PKCS#12 file"));
    assert_null(strstr(lsign_last_error(), "wrong-password-42"));

    o.pin_source = NULL;
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-rsa3072.p12"), &o), LSIGN_E_PIN);
    assert_non_null(strstr(lsign_last_error(), "no PIN source"));

    unsetenv("LSIGN_TEST_P12_NOT_SET");
    o.pin_source = "env:LSIGN_TEST_P12_NOT_SET";
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-rsa3072.p12"), &o), LSIGN_E_PIN);
    assert_non_null(strstr(lsign_last_error(), "LSIGN_TEST_P12_NOT_SET is not set"));

    /* A PIN given where a source belongs is not echoed back. */
    o.pin_source = "1234secret";
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-rsa3072.p12"), &o),
                     LSIGN_E_INVALID_ARG);
    assert_null(strstr(lsign_last_error(), "1234secret"));
}

static int give_test_password(const char *what, unsigned int flags, char *buf, size_t size,
                              size_t *len, void *userdata)
{
    int *calls = userdata;

    (*calls)++;
    assert_true(flags & LSIGN_PIN_PASSWORD);
    assert_non_null(strstr(what, "PKCS#12"));
    assert_true(size >= 4);
    memcpy(buf, "test", 4);
    *len = 4;
    return 0;
}

static void test_pin_callback(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s;
    int calls = 0;

    (void)state;
    o.pin_callback = give_test_password;
    o.pin_userdata = &calls;
    s = open_ok(PKI("signer-ecp256.p12"), &o);
    assert_int_equal(calls, 1);
    lsign_signer_free(s);
}

/* Reads from the terminal's master side until `needle` shows up (or 10 s pass). */
static int read_until(int fd, const char *needle, char *buf, size_t size)
{
    size_t used = 0;
    struct pollfd pfd = {fd, POLLIN, 0};

    buf[0] = '\0';
    while (strstr(buf, needle) == NULL && used + 1 < size && poll(&pfd, 1, 10000) == 1) {
        ssize_t n = read(fd, buf + used, size - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
        buf[used] = '\0';
    }
    return strstr(buf, needle) != NULL;
}

/* "prompt" asks on the controlling terminal, without echo. */
static void test_pin_prompt_on_terminal(void **state)
{
    char out[4096];
    int master, status;
    pid_t pid;

    (void)state;
    pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
        lsign_signer *s = NULL;

        o.pin_source = "prompt";
        _exit(lsign_signer_open(&s, NULL, PKI("signer-ecp256.p12"), &o) == LSIGN_OK ? 0 : 1);
    }
    assert_true(read_until(master, "password for PKCS#12 file", out, sizeof out));
    assert_int_equal(write(master, "test\n", 5), 5);
    /* What the terminal shows after the answer: a new line, never the password. */
    read_until(master, "\n", out, sizeof out);
    assert_null(strstr(out, "test"));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(master);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_pin_prompt_without_terminal(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;
    int status;
    pid_t pid = fork();

    (void)state;
    assert_true(pid >= 0);
    if (pid == 0) {
        setsid(); /* no controlling terminal any more */
        o.pin_source = "prompt";
        if (lsign_signer_open(&s, NULL, PKI("signer-ecp256.p12"), &o) == LSIGN_E_PIN &&
            strstr(lsign_last_error(), "no terminal to ask on") != NULL)
            _exit(0);
        _exit(1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_certificate_checks(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;

    (void)state;
    o.cert_file = PKI("signer-expired.crt");
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-expired.key"), &o), LSIGN_E_POLICY);
    assert_non_null(strstr(lsign_last_error(), "expired on 2021-01-01"));
    o.allow_invalid_cert = 1;
    s = open_ok(PKI("signer-expired.key"), &o);
    lsign_signer_free(s);

    o.allow_invalid_cert = 0;
    o.check_time = 1577836800 + 86400 * 30; /* 2020-01-31: inside the expired cert's validity */
    s = open_ok(PKI("signer-expired.key"), &o);
    lsign_signer_free(s);

    o.check_time = 0;
    o.cert_file = PKI("signer-wrongku.crt");
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-wrongku.key"), &o), LSIGN_E_POLICY);
    assert_non_null(strstr(lsign_last_error(), "does not allow signing"));

    /* Key and certificate of different signers. */
    o.cert_file = PKI("signer-rsa3072.crt");
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-rsa2048.key"), &o), LSIGN_E_KEY);
    assert_non_null(strstr(lsign_last_error(), "does not match the certificate"));

    o.cert_file = NULL;
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-rsa2048.key"), &o), LSIGN_E_KEY);
    assert_non_null(strstr(lsign_last_error(), "no certificate"));
}

static void test_bad_inputs(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;
    unsigned char sig[16];
    size_t len = sizeof sig;

    (void)state;
    assert_int_equal(lsign_signer_open(&s, NULL, "/nonexistent/key.pem", &o), LSIGN_E_IO);
    assert_non_null(strstr(lsign_last_error(), "/nonexistent/key.pem"));
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("root-ca.crt"), &o), LSIGN_E_PARSE);
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("chain.pem") /* not a p12 */, &o),
                     LSIGN_E_PARSE);
    assert_int_equal(lsign_signer_open(&s, NULL, "/nonexistent/x.p12", &o), LSIGN_E_IO);
    o.version = 77;
    assert_int_equal(lsign_signer_open(&s, NULL, PKI("signer-rsa2048.key"), &o),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_signer_open(NULL, NULL, "x", NULL), LSIGN_E_INVALID_ARG);

    o.version = LSIGN_SIGNER_OPTIONS_VERSION;
    o.cert_file = PKI("signer-rsa2048.crt");
    s = open_ok(PKI("signer-rsa2048.key"), &o);
    assert_int_equal(lsign_signer_sign_digest(s, LSIGN_DIGEST_SHA384, 0, 0, sig, 32, sig, &len),
                     LSIGN_E_INVALID_ARG); /* 32 bytes is not a SHA-384 digest */
    assert_int_equal(lsign_signer_sign_digest(s, 9, 0, 0, sig, 32, sig, &len), LSIGN_E_INVALID_ARG);
    /* A flag this release does not know (a later release's) is refused, not ignored. */
    assert_int_equal(lsign_signer_sign_digest(s, LSIGN_DIGEST_SHA256, 0, 0x100, sig, 32, sig, &len),
                     LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "unknown flags 0x100"));
    assert_int_equal(lsign_signer_sign(s, LSIGN_DIGEST_SHA256, 0, 0, "x", 1, sig, &len),
                     LSIGN_E_INVALID_ARG); /* 16 bytes cannot hold an RSA-2048 signature */
    assert_non_null(strstr(lsign_last_error(), "too small"));
    lsign_signer_free(s);
    lsign_signer_free(NULL);
}

static void test_options_init(void **state)
{
    lsign_signer_options so;
    lsign_token_list_options to;

    (void)state;
    memset(&so, 0xff, sizeof so);
    assert_int_equal(lsign_signer_options_init(&so, LSIGN_SIGNER_OPTIONS_VERSION), LSIGN_OK);
    assert_int_equal(so.version, LSIGN_SIGNER_OPTIONS_VERSION);
    assert_null(so.module);
    assert_null(so.pin_callback);
    assert_int_equal(so.allow_invalid_cert, 0);
    assert_int_equal(lsign_signer_options_init(&so, 2), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "signer options version 2 is not supported"));
    assert_int_equal(lsign_signer_options_init(NULL, 1), LSIGN_E_INVALID_ARG);
    memset(&to, 0xff, sizeof to);
    assert_int_equal(lsign_token_list_options_init(&to, LSIGN_TOKEN_LIST_OPTIONS_VERSION),
                     LSIGN_OK);
    assert_null(to.token);
    assert_int_equal(lsign_token_list_options_init(&to, 0), LSIGN_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pem_key_with_cert_and_chain),
        cmocka_unit_test(test_chain_is_ordered_leaf_to_root),
        cmocka_unit_test(test_ecdsa_der_and_raw),
        cmocka_unit_test(test_pkcs12_password_sources),
        cmocka_unit_test(test_pin_callback),
        cmocka_unit_test(test_pin_prompt_on_terminal),
        cmocka_unit_test(test_pin_prompt_without_terminal),
        cmocka_unit_test(test_certificate_checks),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_options_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
