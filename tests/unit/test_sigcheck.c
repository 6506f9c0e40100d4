/* lsi_pdf_signatures() and lsi_sigcheck_run(): files signed in memory, then tampered with. */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/cms.h>

#include "libsign/libsign.h"
#include "pdf/document.h"
#include "support/testenv.h"
#include "validate/sigcheck.h"

static lsign_signer *rsa;

static int setup(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;

    (void)state;
    setenv("LSIGN_TEST_P12_PASS", "test", 1);
    o.pin_source = "env:LSIGN_TEST_P12_PASS";
    if (lsign_signer_open(&rsa, NULL, PKI("signer-rsa2048.p12"), &o) != LSIGN_OK)
        fail_msg("open signer: %s", lsign_last_error());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lsign_signer_free(rsa);
    return 0;
}

static unsigned char *corpus(const char *name, size_t *len)
{
    char rel[256];

    snprintf(rel, sizeof rel, "pdf/corpus/%s", name);
    return test_read_file(test_path("LIBSIGN_TEST_DATA", rel), len);
}

/* `pdf` signed with `subfilter` into a new buffer (malloc'd). */
static unsigned char *sign(const unsigned char *pdf, size_t len, int subfilter, size_t *out_len)
{
    lsign_pdf_sign_options o = LSIGN_PDF_SIGN_OPTIONS_INIT;
    lsign_input *in = NULL;
    lsign_output *res = NULL;
    const unsigned char *bytes;
    unsigned char *out;

    o.subfilter = subfilter;
    assert_int_equal(lsign_input_from_memory(&in, pdf, len), LSIGN_OK);
    assert_int_equal(lsign_output_to_memory(&res), LSIGN_OK);
    if (lsign_pdf_sign(NULL, rsa, in, res, &o) != LSIGN_OK)
        fail_msg("sign: %s", lsign_last_error());
    assert_int_equal(lsign_output_memory(res, &bytes, out_len), LSIGN_OK);
    out = malloc(*out_len);
    memcpy(out, bytes, *out_len);
    lsign_input_free(in);
    lsign_output_free(res);
    return out;
}

#define MAX_SIGS 4

/* The checks of every signature of `pdf` (at most MAX_SIGS); -1 if it does not open. */
static int check_all(const unsigned char *pdf, size_t len, lsi_sigcheck *out, size_t *revisions)
{
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_sig *sigs = NULL;
    size_t n = 0;

    if (lsi_pdf_doc_open(pdf, len, NULL, &doc) != LSIGN_OK)
        return -1;
    if (revisions != NULL)
        *revisions = lsi_pdf_doc_revision_count(doc);
    if (lsi_pdf_signatures(doc, &sigs, &n) != LSIGN_OK) {
        lsi_pdf_doc_free(doc);
        return -1;
    }
    assert_true(n <= MAX_SIGS);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(lsi_sigcheck_run(doc, pdf, len, &sigs[i], &out[i]), LSIGN_OK);
        out[i].subfilter = NULL; /* lives in the document, freed below */
    }
    lsi_pdf_signatures_free(sigs, n);
    lsi_pdf_doc_free(doc);
    return (int)n;
}

static void clear_all(lsi_sigcheck *c, int n)
{
    for (int i = 0; i < n; i++)
        lsi_sigcheck_clear(&c[i]);
}

/* The verdict of the only (or last) signature of `pdf`; -1 if none is found. */
static int last_verdict(const unsigned char *pdf, size_t len, char *reason, size_t size)
{
    lsi_sigcheck c[MAX_SIGS];
    int n = check_all(pdf, len, c, NULL), v;

    if (n <= 0)
        return -1;
    v = (int)c[n - 1].verdict;
    snprintf(reason, size, "%s", c[n - 1].reason);
    clear_all(c, n);
    return v;
}

static void expect_last(const unsigned char *pdf, size_t len, lsi_sc_verdict want)
{
    char reason[256];
    int v;

    reason[0] = '\0';
    v = last_verdict(pdf, len, reason, sizeof reason);
    if (v != (int)want)
        fail_msg("verdict %d (%s), expected %d", v, reason, (int)want);
}

/* Two signatures in a row: CAdES, then adbe.pkcs7.detached. */
static void test_two_signatures_ok(void **state)
{
    size_t len, l1, l2, revs1, revs2;
    unsigned char *pdf = corpus("lo-writer.pdf", &len);
    unsigned char *s1 = sign(pdf, len, LSIGN_SUBFILTER_CADES, &l1);
    unsigned char *s2 = sign(s1, l1, LSIGN_SUBFILTER_PKCS7, &l2);
    lsi_sigcheck c[MAX_SIGS];

    (void)state;
    assert_int_equal(check_all(s1, l1, c, &revs1), 1);
    assert_int_equal(c[0].verdict, LSI_SC_OK);
    clear_all(c, 1);
    assert_int_equal(check_all(s2, l2, c, &revs2), 2);
    for (int i = 0; i < 2; i++) {
        if (c[i].verdict != LSI_SC_OK)
            fail_msg("signature %d: %s", i, c[i].reason);
        assert_non_null(c[i].signer);
        assert_true(sk_X509_num(c[i].cms_certs) >= 1);
        assert_int_equal(c[i].digest_nid, NID_sha256);
        assert_false(c[i].doc_timestamp);
        assert_true(c[i].claimed_time > 1600000000);
        assert_int_equal(c[i].warnings, 0);
        assert_null(c[i].token);
    }
    assert_false(c[0].covers_whole_document);
    assert_true(c[1].covers_whole_document);
    assert_int_equal(c[0].revision, revs1 - 1);
    assert_int_equal(c[1].revision, revs2 - 1);
    assert_true(revs2 > revs1);
    assert_true(c[0].range[2] + c[0].range[3] <= (int64_t)l1);
    assert_int_equal(c[1].range[2] + c[1].range[3], (int64_t)l2);
    clear_all(c, 2);
    free(s2);
    free(s1);
    free(pdf);
}

static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

/* A flipped byte inside a signature's ranges never leaves that signature OK. */
static void flip_everywhere(unsigned char *pdf, size_t len, uint32_t seed)
{
    lsi_sigcheck good[MAX_SIGS], c[MAX_SIGS];
    int n = check_all(pdf, len, good, NULL);

    assert_true(n >= 1);
    const int64_t *r = good[n - 1].range;
    for (int k = 0; k < 60; k++) {
        size_t at = next_random(&seed) % (size_t)(r[1] + r[3]);
        unsigned char mask = (unsigned char)(1u << (next_random(&seed) % 8));
        at = at < (size_t)r[1] ? at : at - (size_t)r[1] + (size_t)r[2];
        pdf[at] ^= mask;
        int m = check_all(pdf, len, c, NULL);
        for (int i = 0; i < m; i++) {
            const int64_t *q = c[i].range;
            int inside = (int64_t)at < q[1] || ((int64_t)at >= q[2] && (int64_t)at < q[2] + q[3]);
            if (c[i].verdict == LSI_SC_OK && inside)
                fail_msg("byte %zu flipped: signature %d still OK", at, i);
            if (inside && c[i].verdict != LSI_SC_HASH_FAILURE &&
                c[i].verdict != LSI_SC_FORMAT_FAILURE)
                fail_msg("byte %zu flipped: signature %d: %s", at, i, c[i].reason);
            /* A changed document still names whose signature it carried, and when. */
            if (i < n && c[i].verdict == LSI_SC_HASH_FAILURE &&
                (c[i].signer == NULL || c[i].claimed_time != good[i].claimed_time))
                fail_msg("byte %zu flipped: signature %d: no signer or time", at, i);
        }
        clear_all(c, m);
        pdf[at] ^= mask;
    }
    clear_all(good, n);
}

static void test_flipped_bytes(void **state)
{
    size_t len, l1, l2, l3;
    unsigned char *pdf = corpus("lo-writer.pdf", &len);
    unsigned char *s1 = sign(pdf, len, LSIGN_SUBFILTER_CADES, &l1);
    unsigned char *s2 = sign(s1, l1, LSIGN_SUBFILTER_PKCS7, &l2);
    unsigned char *other = corpus("qpdf-objstm.pdf", &len);
    unsigned char *s3 = sign(other, len, LSIGN_SUBFILTER_CADES, &l3);

    (void)state;
    flip_everywhere(s1, l1, 1);
    flip_everywhere(s2, l2, 2);
    flip_everywhere(s3, l3, 3);
    expect_last(s2, l2, LSI_SC_OK); /* every flip was undone */
    free(s3);
    free(other);
    free(s2);
    free(s1);
    free(pdf);
}

/* The last signature's gap (its /Contents string) in `pdf`. */
static void last_gap(const unsigned char *pdf, size_t len, size_t *b, size_t *c)
{
    lsi_sigcheck r[MAX_SIGS];
    int n = check_all(pdf, len, r, NULL);

    assert_true(n >= 1);
    assert_int_equal(r[n - 1].verdict, LSI_SC_OK);
    *b = (size_t)r[n - 1].range[1];
    *c = (size_t)r[n - 1].range[2];
    clear_all(r, n);
}

static void test_cms_signature_value(void **state)
{
    size_t len, l1, b, c, der_len = 0;
    unsigned char *pdf = corpus("lo-writer.pdf", &len);
    unsigned char *s1 = sign(pdf, len, LSIGN_SUBFILTER_CADES, &l1);
    unsigned char *der = malloc(l1);
    const unsigned char *p = der;

    (void)state;
    last_gap(s1, l1, &b, &c);
    for (size_t i = b + 1; i + 1 < c - 1; i += 2) {
        char pair[3] = {(char)s1[i], (char)s1[i + 1], '\0'};
        der[der_len++] = (unsigned char)strtoul(pair, NULL, 16);
    }
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
    assert_non_null(cms);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    const unsigned char *at =
        memmem(der, der_len, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig));
    assert_non_null(at);
    /* The middle of the signature value: one hex digit changed in place. */
    size_t hex = b + 1 + 2 * ((size_t)(at - der) + (size_t)ASN1_STRING_length(sig) / 2);
    s1[hex] = s1[hex] == '0' ? '1' : '0';
    expect_last(s1, l1, LSI_SC_SIG_CRYPTO_FAILURE);
    CMS_ContentInfo_free(cms);
    free(der);
    free(s1);
    free(pdf);
}

/* `pdf` with the text of the first `key` (e.g. "/ByteRange") array after it rewritten in place. */
static void rewrite_array(unsigned char *pdf, size_t len, size_t from, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void rewrite_array(unsigned char *pdf, size_t len, size_t from, const char *fmt, ...)
{
    unsigned char *key = memmem(pdf + from, len - from, "/ByteRange", 10);
    assert_non_null(key);
    unsigned char *open = memchr(key, '[', 32), *close = memchr(key, ']', 128);
    char text[128];
    va_list ap;

    assert_non_null(open);
    assert_non_null(close);
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    assert_true(strlen(text) <= (size_t)(close - open - 1));
    memset(open + 1, ' ', (size_t)(close - open - 1));
    memcpy(open + 1, text, strlen(text));
}

static void test_byterange_variants(void **state)
{
    size_t len, l1, b, c;
    unsigned char *pdf = corpus("lo-writer.pdf", &len);
    unsigned char *s1 = sign(pdf, len, LSIGN_SUBFILTER_CADES, &l1);
    unsigned char *copy = malloc(l1);
    long long B, C, D;

    (void)state;
    last_gap(s1, l1, &b, &c);
    B = (long long)b;
    C = (long long)c;
    D = (long long)(l1 - c);
    struct {
        const char *what;
        long long r[4];
    } variants[] = {
        {"not at 0", {1, B - 1, C, D}},
        {"gap shifted", {0, B + 2, C, D}},
        {"gap widened", {0, B - 1, C, D}},
        {"beyond the file", {0, B, C, D + 1000}},
        {"short of a revision end", {0, B, C, D - 10}},
        {"negative", {0, -B, C, D}},
        {"overlapping", {0, C + 10, C, D}},
        {"huge", {0, B, 9223372036854775000LL, 9223372036854775000LL}},
    };
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
        memcpy(copy, s1, l1);
        rewrite_array(copy, l1, len, "%lld %lld %lld %lld", variants[i].r[0], variants[i].r[1],
                      variants[i].r[2], variants[i].r[3]);
        char reason[256];
        int v = last_verdict(copy, l1, reason, sizeof reason);
        if (v != LSI_SC_FORMAT_FAILURE)
            fail_msg("%s: verdict %d (%s)", variants[i].what, v, reason);
    }
    /* Three numbers, or a real: not four integers. */
    memcpy(copy, s1, l1);
    rewrite_array(copy, l1, len, "0 %lld %lld", B, C);
    expect_last(copy, l1, LSI_SC_FORMAT_FAILURE);
    memcpy(copy, s1, l1);
    rewrite_array(copy, l1, len, "0 %lld %lld %lld.0", B, C, D);
    expect_last(copy, l1, LSI_SC_FORMAT_FAILURE);
    /* The same numbers, written differently: well-formed, but the text is signed. */
    memcpy(copy, s1, l1);
    rewrite_array(copy, l1, len, " 0  %lld %lld %lld", B, C, D);
    expect_last(copy, l1, LSI_SC_HASH_FAILURE);
    free(copy);
    free(s1);
    free(pdf);
}

/* Renames the first `from` after `start` to `to` (same length). */
static void rename_text(unsigned char *pdf, size_t len, size_t start, const char *from,
                        const char *to)
{
    unsigned char *at = memmem(pdf + start, len - start, from, strlen(from));
    assert_non_null(at);
    assert_int_equal(strlen(from), strlen(to));
    memcpy(at, to, strlen(to));
}

static void test_contents_and_dictionary(void **state)
{
    size_t len, l1, b, c;
    unsigned char *pdf = corpus("lo-writer.pdf", &len);
    unsigned char *s1 = sign(pdf, len, LSIGN_SUBFILTER_CADES, &l1);
    unsigned char *copy = malloc(l1 + 16);

    (void)state;
    last_gap(s1, l1, &b, &c);
    /* Non-zero bytes after the DER in the padding. */
    memcpy(copy, s1, l1);
    assert_int_equal(copy[c - 2], '0');
    copy[c - 2] = '7';
    expect_last(copy, l1, LSI_SC_FORMAT_FAILURE);
    /* Not hex inside the gap. */
    memcpy(copy, s1, l1);
    copy[c - 3] = 'x'; /* the parser refuses the dictionary: never OK */
    char reason[256];
    int v = last_verdict(copy, l1, reason, sizeof reason);
    assert_true(v == -1 || v == LSI_SC_FORMAT_FAILURE);
    /* No /ByteRange, no /Contents, an unknown /SubFilter. */
    const char *renames[][2] = {{"/ByteRange", "/ByteRangX"},
                                {"/Contents", "/Contentz"},
                                {"/ETSI.CAdES.detached", "/adbe.x509.rsa_sha1x"}};
    for (size_t i = 0; i < 3; i++) {
        memcpy(copy, s1, l1);
        rename_text(copy, l1, len, renames[i][0], renames[i][1]);
        expect_last(copy, l1, LSI_SC_FORMAT_FAILURE);
    }
    /* Bytes appended after %%EOF: still OK, but no longer the whole document. */
    lsi_sigcheck r[MAX_SIGS];
    memcpy(copy, s1, l1);
    memcpy(copy + l1, "% appended\n", 11);
    assert_int_equal(check_all(copy, l1 + 11, r, NULL), 1);
    assert_int_equal(r[0].verdict, LSI_SC_OK);
    assert_false(r[0].covers_whole_document);
    clear_all(r, 1);
    assert_int_equal(check_all(s1, l1, r, NULL), 1);
    assert_true(r[0].covers_whole_document);
    clear_all(r, 1);
    free(copy);
    free(s1);
    free(pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_signatures_ok),       cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_cms_signature_value),     cmocka_unit_test(test_byterange_variants),
        cmocka_unit_test(test_contents_and_dictionary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
