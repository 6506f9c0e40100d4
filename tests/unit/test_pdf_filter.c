/* FlateDecode and predictors: round trips, zip bombs, truncation, corrupt data; ASCII filters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "libsign/libsign.h"
#include "pdf/filter.h"

static unsigned char *deflate_buf(const unsigned char *in, size_t len, size_t *out_len)
{
    uLongf cap = compressBound((uLong)len);
    unsigned char *out = malloc(cap);

    assert_non_null(out);
    assert_int_equal(compress2(out, &cap, in, (uLong)len, 9), Z_OK);
    *out_len = cap;
    return out;
}

static void test_inflate_round_trip(void **state)
{
    unsigned char text[100000], *z, *out;
    size_t zlen, out_len;
    int truncated;

    (void)state;
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (unsigned char)((i * 7919u) ^ (i >> 5));
    z = deflate_buf(text, sizeof text, &zlen);
    assert_int_equal(lsi_pdf_inflate(z, zlen, 1 << 20, &out, &out_len, &truncated), LSIGN_OK);
    assert_int_equal(truncated, 0);
    assert_int_equal(out_len, sizeof text);
    assert_memory_equal(out, text, sizeof text);
    free(out);

    /* Cut the compressed data short: what was decoded is kept and flagged. */
    assert_int_equal(lsi_pdf_inflate(z, zlen / 2, 1 << 20, &out, &out_len, &truncated), LSIGN_OK);
    assert_int_equal(truncated, 1);
    assert_true(out_len > 0 && out_len < sizeof text);
    assert_memory_equal(out, text, out_len);
    free(out);
    free(z);
}

static void test_inflate_bomb_hits_limit(void **state)
{
    size_t big = (size_t)64 << 20, zlen, out_len = 99;
    unsigned char *zeros = calloc(1, big), *z, *out = (unsigned char *)&out_len;
    int truncated;

    (void)state;
    assert_non_null(zeros);
    z = deflate_buf(zeros, big, &zlen);
    free(zeros);
    assert_true(zlen < big / 500); /* a real bomb: tiny in, huge out */
    assert_int_equal(lsi_pdf_inflate(z, zlen, 1 << 20, &out, &out_len, &truncated), LSIGN_E_LIMIT);
    assert_null(out);
    assert_int_equal(out_len, 0);
    assert_non_null(strstr(lsign_last_error(), "more than 1048576 bytes"));
    free(z);
}

static void test_inflate_corrupt(void **state)
{
    static const unsigned char junk[] = {0x78, 0x9c, 0xff, 0xff, 0xff, 0xff, 0x00, 0x12};
    unsigned char *out;
    size_t out_len;
    int truncated;

    (void)state;
    assert_int_equal(lsi_pdf_inflate(junk, sizeof junk, 1 << 20, &out, &out_len, &truncated),
                     LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "FlateDecode: corrupt data"));
    assert_int_equal(
        lsi_pdf_inflate((const unsigned char *)"not zlib", 8, 1 << 20, &out, &out_len, &truncated),
        LSIGN_E_PARSE);
    /* Nothing at all: an empty (truncated) result, not a crash. */
    assert_int_equal(lsi_pdf_inflate(junk, 0, 1 << 20, &out, &out_len, &truncated), LSIGN_OK);
    assert_int_equal(out_len, 0);
    assert_int_equal(truncated, 1);
    free(out);
}

/* Reference PNG filter, the encoder side, to check every decoder path. */
static unsigned char pred(int tag, unsigned char a, unsigned char b, unsigned char c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

    switch (tag) {
    case 1: return a;
    case 2: return b;
    case 3: return (unsigned char)((a + b) / 2);
    case 4: return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    default: return 0;
    }
}

static size_t png_encode(const unsigned char *raw, size_t rows, size_t rb, size_t bpp,
                         unsigned char *out)
{
    for (size_t r = 0; r < rows; r++) {
        int tag = (int)(r % 5);
        out[r * (rb + 1)] = (unsigned char)tag;
        for (size_t i = 0; i < rb; i++) {
            unsigned char a = i >= bpp ? raw[r * rb + i - bpp] : 0;
            unsigned char b = r > 0 ? raw[(r - 1) * rb + i] : 0;
            unsigned char c = r > 0 && i >= bpp ? raw[(r - 1) * rb + i - bpp] : 0;
            out[r * (rb + 1) + 1 + i] = (unsigned char)(raw[r * rb + i] - pred(tag, a, b, c));
        }
    }
    return rows * (rb + 1);
}

static void test_png_predictors(void **state)
{
    /* 3 colours x 8 bits x 7 columns: 21-byte rows, 3 bytes per pixel. */
    enum { ROWS = 20, RB = 21 };
    unsigned char raw[ROWS * RB], enc[ROWS * (RB + 1) + 5];
    lsi_pdf_predictor p = {12, 3, 8, 7};
    size_t n, out_len;

    (void)state;
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(i * 37 + (i / RB) * 11);
    n = png_encode(raw, ROWS, RB, 3, enc);
    memcpy(enc + n, "\x02\x01\x01\x01\x01", 5); /* a partial row at the end is dropped */
    assert_int_equal(lsi_pdf_unpredict(&p, enc, n + 5, &out_len), LSIGN_OK);
    assert_int_equal(out_len, sizeof raw);
    assert_memory_equal(enc, raw, sizeof raw);
}

static void test_xref_stream_style_up_predictor(void **state)
{
    /* /W [1 2 2] /Columns 5 /Predictor 12, as PDF writers emit for xref streams. */
    unsigned char data[] = {2, 1, 0, 16, 0, 0, 2, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0};
    static const unsigned char want[] = {1, 0, 16, 0, 0, 1, 1, 16, 0, 0, 1, 1, 16, 1, 0};
    lsi_pdf_predictor p = {12, 1, 8, 5};
    size_t out_len;

    (void)state;
    assert_int_equal(lsi_pdf_unpredict(&p, data, sizeof data, &out_len), LSIGN_OK);
    assert_int_equal(out_len, sizeof want);
    assert_memory_equal(data, want, sizeof want);
}

static void test_tiff_and_bad_parameters(void **state)
{
    unsigned char data[] = {10, 1, 1, 1, 20, 2, 2, 2};
    static const unsigned char want[] = {10, 11, 12, 13, 20, 22, 24, 26};
    lsi_pdf_predictor tiff = {2, 1, 8, 4}, bad_tag = {10, 1, 8, 2};
    lsi_pdf_predictor bad_cols = {12, 1, 8, -1}, tiff16 = {2, 1, 16, 2};
    unsigned char tagged[] = {9, 1, 2};
    size_t out_len;

    (void)state;
    assert_int_equal(lsi_pdf_unpredict(&tiff, data, sizeof data, &out_len), LSIGN_OK);
    assert_memory_equal(data, want, sizeof want);
    assert_int_equal(lsi_pdf_unpredict(&bad_tag, tagged, sizeof tagged, &out_len), LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "unknown filter type 9"));
    assert_int_equal(lsi_pdf_unpredict(&bad_cols, tagged, sizeof tagged, &out_len),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_pdf_unpredict(&tiff16, data, sizeof data, &out_len), LSIGN_E_UNSUPPORTED);
}

typedef int (*ascii_fn)(const unsigned char *, size_t, uint64_t, unsigned char **, size_t *);

static void expect_decoded(ascii_fn fn, const char *in, const void *want, size_t want_len)
{
    unsigned char *out = NULL;
    size_t len = 0;

    if (fn((const unsigned char *)in, strlen(in), 1 << 20, &out, &len) != LSIGN_OK)
        fail_msg("'%s': %s", in, lsign_last_error());
    assert_int_equal(len, want_len);
    assert_memory_equal(out, want, want_len);
    free(out);
}

static void expect_error(ascii_fn fn, const char *in, uint64_t max, int code)
{
    unsigned char *out = (unsigned char *)"not touched";
    size_t len = 7;

    assert_int_equal(fn((const unsigned char *)in, strlen(in), max, &out, &len), code);
    assert_null(out);
    assert_int_equal(len, 0);
}

static void test_ascii85(void **state)
{
    (void)state;
    expect_decoded(lsi_pdf_ascii85_decode, "87cURD]i,\"Ebo7~>", "Hello World", 11);
    expect_decoded(lsi_pdf_ascii85_decode, "<~87cUR\nD]i,\"E bo7", "Hello World", 11);
    expect_decoded(lsi_pdf_ascii85_decode, "z@:B~>", "\0\0\0\0ab", 6);
    expect_decoded(lsi_pdf_ascii85_decode, "s8W-!~>", "\xff\xff\xff\xff", 4);
    expect_decoded(lsi_pdf_ascii85_decode, "~>", "", 0);
    expect_error(lsi_pdf_ascii85_decode, "87cvR~>", 100, LSIGN_E_PARSE);  /* v: not base 85 */
    expect_error(lsi_pdf_ascii85_decode, "s8W-\"~>", 100, LSIGN_E_PARSE); /* 2^32 */
    expect_error(lsi_pdf_ascii85_decode, "87cURD~>", 100, LSIGN_E_PARSE); /* a group of one */
    expect_error(lsi_pdf_ascii85_decode, "87zUR~>", 100, LSIGN_E_PARSE);  /* z inside a group */
    expect_error(lsi_pdf_ascii85_decode, "zzz~>", 8, LSIGN_E_LIMIT);      /* 12 bytes of 3 */
    assert_non_null(strstr(lsign_last_error(), "ASCII85Decode"));
}

static void test_asciihex(void **state)
{
    (void)state;
    expect_decoded(lsi_pdf_asciihex_decode, "48 65 6c\n6C 6f>", "Hello", 5);
    expect_decoded(lsi_pdf_asciihex_decode, "414>ignored", "A@", 2); /* odd: a final 0 */
    expect_decoded(lsi_pdf_asciihex_decode, "4142", "AB", 2);        /* no '>' */
    expect_decoded(lsi_pdf_asciihex_decode, ">", "", 0);
    expect_error(lsi_pdf_asciihex_decode, "41g2>", 100, LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "ASCIIHexDecode"));
    expect_error(lsi_pdf_asciihex_decode, "414243>", 2, LSIGN_E_LIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inflate_round_trip),
        cmocka_unit_test(test_inflate_bomb_hits_limit),
        cmocka_unit_test(test_inflate_corrupt),
        cmocka_unit_test(test_png_predictors),
        cmocka_unit_test(test_xref_stream_style_up_predictor),
        cmocka_unit_test(test_tiff_and_bad_parameters),
        cmocka_unit_test(test_ascii85),
        cmocka_unit_test(test_asciihex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
