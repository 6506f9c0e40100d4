/*
 * CMS SignedData from strangers, checked as a PDF signature is: the input
 * replaces the /Contents of a real signed PDF (testvectors/attacks/
 * base-libsign.pdf), whose ByteRange digest stays right, so a mutated CMS
 * that keeps its messageDigest goes all the way through the signer lookup,
 * the signature, ESS, the signing time, a timestamp token and the chain to
 * the trusted test root; lsi_cms_signature_value() reads it too. Seeds:
 * the CMS of signed files of other tools and of libsign (B-B and B-T). The
 * same bytes go through lsi_cms_signer_layout_read(), whose offsets must stay
 * inside them, and through lsi_cms_decode(), which must agree with OpenSSL's
 * d2i on whether they decode.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>

#include "cms/parts.h"
#include "cms/timestamp.h"
#include "json_check.h"
#include "libsign/libsign.h"

/* The signer layout (what a signing template is filled by) stays inside the input. */
static void check_layout(const uint8_t *data, size_t size)
{
    lsi_cms_signer_layout at;

    if (!lsi_cms_signer_layout_read(data, size, &at))
        return;
    if (at.attrs + at.attrs_len > size || at.digest + at.digest_len > size ||
        at.time + at.time_len > size || at.signature + at.signature_len > size ||
        at.digest < at.attrs || at.digest + at.digest_len > at.attrs + at.attrs_len ||
        data[at.attrs] != 0xa0)
        abort();
}

/* The decode that takes certificates from the cache refuses what OpenSSL's own refuses, and
 * reads as many bytes. */
static void check_decode(const uint8_t *data, size_t size)
{
    const unsigned char *p = data;
    CMS_ContentInfo *plain = d2i_CMS_ContentInfo(NULL, &p, (long)size), *ours;
    STACK_OF(X509) *certs = NULL;
    size_t used = 0;

    ours = lsi_cms_decode(data, size, &used, &certs);
    if (ours != NULL && (plain == NULL || used != (size_t)(p - data)))
        abort();
    CMS_ContentInfo_free(ours);
    CMS_ContentInfo_free(plain);
    sk_X509_pop_free(certs, X509_free);
    ERR_clear_error();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef LSIGN_FUZZ_TESTVECTORS
#error "LSIGN_FUZZ_TESTVECTORS: the testvectors folder (set by fuzz/CMakeLists.txt)"
#endif

static unsigned char *base;
static size_t base_len, gap_start, gap_end; /* the hex digits between '<' and '>' */
static lsign_ctx *ctx;

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL &&
        fread(buf, 1, (size_t)n, f) == (size_t)n)
        *len = (size_t)n;
    else {
        free(buf);
        buf = NULL;
    }
    if (f != NULL)
        fclose(f);
    return buf;
}

static const unsigned char *find(const unsigned char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* The template and the context, once; aborts when the test data is missing. */
static void setup(void)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    const unsigned char *p;

    o.offline = 1;
    base = read_file(LSIGN_FUZZ_TESTVECTORS "/attacks/base-libsign.pdf", &base_len);
    p = base != NULL ? find(base, base_len, "/Contents <") : NULL;
    if (p == NULL || lsign_ctx_new(&ctx, &o) != LSIGN_OK ||
        lsign_ctx_add_trust_file(ctx, LSIGN_FUZZ_TESTVECTORS "/signed-by-others/pki/root-ca.crt") !=
            LSIGN_OK) {
        fprintf(stderr, "cms_fuzzer: cannot set up from %s\n", LSIGN_FUZZ_TESTVECTORS);
        abort();
    }
    gap_start = (size_t)(p - base) + 11;
    gap_end = gap_start;
    while (gap_end < base_len && base[gap_end] != '>')
        gap_end++;
}

static void verify(const unsigned char *pdf, size_t len)
{
    lsign_input *in = NULL;
    lsign_report *report = NULL;
    char *json = NULL;
    size_t json_len = 0;

    if (lsign_input_from_memory(&in, pdf, len) == LSIGN_OK &&
        lsign_pdf_verify(ctx, in, "fuzz.pdf", &report) == LSIGN_OK &&
        lsign_report_json(report, &json, &json_len) == LSIGN_OK) {
        fuzz_require_json(json, "cms report");
        lsign_free_string(json);
    }
    lsign_report_free(report);
    lsign_input_free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char *pdf, *sig = NULL;
    size_t sig_len = 0;

    if (base == NULL)
        setup();
    if (size * 2 > gap_end - gap_start || (pdf = malloc(base_len)) == NULL)
        return 0;
    memcpy(pdf, base, base_len);
    memset(pdf + gap_start, '0', gap_end - gap_start);
    for (size_t i = 0; i < size; i++) {
        pdf[gap_start + 2 * i] = (unsigned char)hex[data[i] >> 4];
        pdf[gap_start + 2 * i + 1] = (unsigned char)hex[data[i] & 15];
    }
    verify(pdf, base_len);
    if (lsi_cms_signature_value(data, size, &sig, &sig_len) == LSIGN_OK)
        free(sig);
    check_layout(data, size);
    check_decode(data, size);
    lsign_error_clear();
    free(pdf);
    return 0;
}
