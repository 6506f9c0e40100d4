/* lsign_pdf_verify() in-process: a signature dictionary with any byte changed never passes. */
#define _GNU_SOURCE /* memmem */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "support/testenv.h"
#include "validate/chaincache.h"

static lsign_ctx *ctx;
static lsign_signer *signer;

static int setup(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;

    (void)state;
    setenv("LSIGN_TEST_P12_PASS", "test", 1);
    o.pin_source = "env:LSIGN_TEST_P12_PASS";
    return lsign_ctx_new(&ctx, NULL) != LSIGN_OK ||
           lsign_ctx_add_trust_file(ctx, PKI("root-ca.crt")) != LSIGN_OK ||
           lsign_signer_open(&signer, NULL, PKI("signer-rsa2048.p12"), &o) != LSIGN_OK;
}

static int teardown(void **state)
{
    (void)state;
    lsign_signer_free(signer);
    lsign_ctx_free(ctx);
    return 0;
}

static unsigned char *signed_copy(const char *corpus_name, size_t *len)
{
    char rel[256];
    size_t in_len;
    unsigned char *pdf, *out;
    const unsigned char *bytes;
    lsign_input *in = NULL;
    lsign_output *res = NULL;

    snprintf(rel, sizeof rel, "pdf/corpus/%s", corpus_name);
    pdf = test_read_file(test_path("LIBSIGN_TEST_DATA", rel), &in_len);
    assert_int_equal(lsign_input_from_memory(&in, pdf, in_len), LSIGN_OK);
    assert_int_equal(lsign_output_to_memory(&res), LSIGN_OK);
    assert_int_equal(lsign_pdf_sign(ctx, signer, in, res, NULL), LSIGN_OK);
    assert_int_equal(lsign_output_memory(res, &bytes, len), LSIGN_OK);
    out = malloc(*len + 1); /* NUL-terminated for sscanf (which reads to the NUL) */
    assert_non_null(out);
    memcpy(out, bytes, *len);
    out[*len] = '\0';
    lsign_input_free(in);
    lsign_output_free(res);
    free(pdf);
    return out;
}

/* 1 when the file verifies TOTAL-PASSED with context `c`. */
static int passes_in(lsign_ctx *c, const unsigned char *pdf, size_t len)
{
    lsign_input *in = NULL;
    lsign_report *report = NULL;
    int passed;

    assert_int_equal(lsign_input_from_memory(&in, pdf, len), LSIGN_OK);
    passed = lsign_pdf_verify(c, in, "t.pdf", &report) == LSIGN_OK &&
             strcmp(lsign_report_status(report), "TOTAL-PASSED") == 0;
    lsign_report_free(report);
    lsign_input_free(in);
    return passed;
}

static int passes(const unsigned char *pdf, size_t len)
{
    return passes_in(ctx, pdf, len);
}

/*
 * Every byte of the signature dictionary's object, from "obj" to "endobj",
 * changed in turn: none of the variants verifies. That includes every hex
 * digit of the CMS in /Contents, outside the ByteRange: the parts of
 * SignedData its signature does not cover (digestAlgorithms, versions,
 * parameters) are checked for consistency. The zero padding after the CMS
 * is sampled, one digit in 16.
 */
static void test_every_signature_dictionary_byte(void **state)
{
    size_t len, tried = 0;
    unsigned char *pdf = signed_copy("lo-writer.pdf", &len);
    const unsigned char *br = memmem(pdf, len, "/ByteRange [0 ", 14);
    long long b, c, d;
    size_t start, end, der_end;

    (void)state;
    assert_true(passes(pdf, len));
    assert_non_null(br);
    assert_int_equal(sscanf((const char *)br, "/ByteRange [0 %lld %lld %lld", &b, &c, &d), 3);
    (void)d;
    for (start = (size_t)(br - pdf); start > 0 && memcmp(pdf + start, " obj", 4) != 0; start--)
        ;
    end = (size_t)((const unsigned char *)memmem(pdf + c, len - (size_t)c, "endobj", 6) - pdf) + 6;
    der_end = (size_t)b + 1;
    while (der_end + 1 < (size_t)c && pdf[der_end] != '0')
        der_end++;
    for (size_t k = (size_t)c - 2; k > (size_t)b && pdf[k] == '0'; k--)
        der_end = k;
    for (size_t pos = start; pos < end; pos++) {
        if (pos > der_end && pos + 1 < (size_t)c && pos % 16 != 0)
            continue; /* the zero padding */
        pdf[pos] ^= 0x01;
        if (passes(pdf, len))
            fail_msg("byte %zu of the signature dictionary changed, still TOTAL-PASSED", pos);
        pdf[pos] ^= 0x01;
        tried++;
    }
    printf("signature dictionary: %zu single-byte variants, none passes\n", tried);
    assert_true(tried > 3000);
    assert_true(passes(pdf, len));
    free(pdf);
}

/* A chain validated once is served again; another set of anchors never gets it. */
static void test_chain_cache(void **state)
{
    size_t len;
    unsigned char *pdf = signed_copy("gs-1.7.pdf", &len);
    uint64_t hits0, stores0, hits1, stores1;
    lsign_ctx *other = NULL;
    lsign_input *in = NULL;
    lsign_report *report = NULL;

    (void)state;
    lsi_chain_cache_stats(&hits0, &stores0);
    assert_true(passes(pdf, len));
    assert_true(passes(pdf, len));
    lsi_chain_cache_stats(&hits1, &stores1);
    assert_true(hits1 > hits0);
    /* A context without the root: the cached chain must not make it pass. */
    assert_int_equal(lsign_ctx_new(&other, NULL), LSIGN_OK);
    assert_int_equal(lsign_input_from_memory(&in, pdf, len), LSIGN_OK);
    assert_int_equal(lsign_pdf_verify(other, in, "t.pdf", &report), LSIGN_OK);
    assert_string_equal(lsign_report_status(report), "INDETERMINATE");
    lsign_report_free(report);
    lsign_input_free(in);
    lsign_ctx_free(other);
    free(pdf);
}

/*
 * One context and one signed file, verified by several threads at once (run under TSan in CI).
 * It runs first, so the threads are the first to use the trust anchors and the certificates
 * the signature carries (shared through the process-wide decode cache): OpenSSL caches a
 * certificate's extensions on first use, which raced with readers until certificates were
 * prepared before being shared (lsi_cert_prepare_shared).
 */
typedef struct shared_file {
    lsign_ctx *ctx;
    const unsigned char *pdf;
    size_t len;
    int failures;
    pthread_barrier_t start; /* all threads begin together, to overlap their first use */
} shared_file;

static void *verify_many(void *arg)
{
    shared_file *f = arg;

    pthread_barrier_wait(&f->start);
    for (int i = 0; i < 20; i++)
        if (!passes_in(f->ctx, f->pdf, f->len))
            __atomic_add_fetch(&f->failures, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void test_threads_share_a_context(void **state)
{
    shared_file f = {0};
    unsigned char *pdf = signed_copy("pdftex-classic.pdf", &f.len);
    pthread_t threads[4];

    (void)state;
    f.pdf = pdf;
    assert_int_equal(lsign_ctx_new(&f.ctx, NULL), LSIGN_OK);
    assert_int_equal(lsign_ctx_add_trust_file(f.ctx, PKI("root-ca.crt")), LSIGN_OK);
    assert_int_equal(pthread_barrier_init(&f.start, NULL, 4), 0);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, verify_many, &f), 0);
    for (size_t i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(f.failures, 0);
    pthread_barrier_destroy(&f.start);
    lsign_ctx_free(f.ctx);
    free(pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First: no certificate of the process has been used yet (see the test). */
        cmocka_unit_test(test_threads_share_a_context),
        cmocka_unit_test(test_every_signature_dictionary_byte),
        cmocka_unit_test(test_chain_cache),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
