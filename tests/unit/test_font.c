/*
 * Embedded TrueType fonts (libsign/appearance/font.c): shaping NFC and NFD
 * Vietnamese, errors, and PDFs judged by poppler (pdftotext, pdffonts,
 * pdftoppm) and qpdf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "appearance/font.h"
#include "libsign/libsign.h"
#include "pdf/build.h"
#include "pdf/document.h"
#include "support/minipdf.h"
#include "support/testenv.h"

#define REGULAR    "appearance/fonts/LiberationSerif-Regular.ttf"
#define BOLD       "appearance/fonts/LiberationSerif-Bold.ttf"
#define DATA(name) test_path("LIBSIGN_TEST_DATA", name)

/* The same texts in NFC (as typed) and NFD (written by hand: base letter, then marks). */
static const char *const nfc[] = {"Nguyễn Văn Ánh", "CHỦ TỊCH", "Đà Nẵng"};
static const char *const nfd[] = {
    "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n A\xcc\x81nh", /* e U+0302 U+0303, a U+0306, A U+0301 */
    "CHU\xcc\x89 TI\xcc\xa3"
    "CH", /* U U+0309, I U+0323 */
    "\xc4\x90"
    "a\xcc\x80 Na\xcc\x86\xcc\x83ng", /* Đ has no decomposition; a U+0300, a U+0306 U+0303 */
};
#define TEXTS (sizeof nfc / sizeof nfc[0])

static int setup(void **state)
{
    (void)state;
    unsetenv("LIBSIGN_DEFAULT_FONT");
    return test_dir_create();
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove();
}

static lsi_font *open_font(const char *name)
{
    lsi_font *font = NULL;

    if (lsi_font_open(DATA(name), &font) != LSIGN_OK)
        fail_msg("open %s: %s", name, lsign_last_error());
    return font;
}

static lsi_shaped shape_ok(lsi_font *font, const char *text)
{
    lsi_shaped run;

    if (lsi_font_shape(font, text, strlen(text), &run) != LSIGN_OK)
        fail_msg("shape '%s': %s", text, lsign_last_error());
    return run;
}

/* Glyphs in a show string: four hex digits each, inside <...>. */
static size_t glyphs_in(const char *show)
{
    size_t digits = 0;
    int in_hex = 0;

    for (const char *p = show; *p != '\0'; p++) {
        if (*p == '<' || *p == '>')
            in_hex = *p == '<';
        else if (in_hex)
            digits++;
    }
    assert_int_equal(digits % 4, 0);
    return digits / 4;
}

static size_t code_points(const char *utf8)
{
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)utf8; *p != '\0'; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}

/* Runs `cmd`, keeping up to size-1 bytes of its output; returns its exit status. */
static int run(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    size_t n = 0, got;
    char sink[4096];
    int status;

    assert_non_null(p);
    while (n + 1 < size && (got = fread(out + n, 1, size - 1 - n, p)) > 0)
        n += got;
    while (fread(sink, 1, sizeof sink, p) > 0)
        continue;
    out[n] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_nfc_and_nfd_shape_alike(void **state)
{
    lsi_font *font = open_font(REGULAR);

    (void)state;
    for (size_t i = 0; i < TEXTS; i++) {
        lsi_shaped a = shape_ok(font, nfc[i]), b = shape_ok(font, nfd[i]);
        double measured;
        printf("%-16s %-50s width %.1f\n", nfc[i], a.show, a.width);
        /* One glyph per NFC character: NFD marks were composed into precomposed letters. */
        assert_int_equal(glyphs_in(a.show), code_points(nfc[i]));
        assert_string_equal(a.show, b.show);
        assert_true(a.width == b.width);
        assert_true(a.width > 1000 * 0.3 * (double)code_points(nfc[i]));
        assert_int_equal(lsi_font_measure(font, nfd[i], strlen(nfd[i]), &measured), LSIGN_OK);
        assert_true(measured == a.width);
        lsi_shaped_free(&a);
        lsi_shaped_free(&b);
    }
    lsi_font_free(font);
}

/* Kerning (Liberation Serif kerns "AV") shows as a TJ adjustment and a narrower width. */
static void test_kerning_moves_the_pen(void **state)
{
    lsi_font *font = open_font(REGULAR);
    double a, v;
    lsi_shaped av;

    (void)state;
    assert_int_equal(lsi_font_measure(font, "A", 1, &a), LSIGN_OK);
    assert_int_equal(lsi_font_measure(font, "V", 1, &v), LSIGN_OK);
    av = shape_ok(font, "AV");
    printf("AV: %s, width %.2f (A %.2f + V %.2f)\n", av.show, av.width, a, v);
    assert_true(av.width < a + v - 10);
    assert_non_null(strstr(av.show, ">"));
    assert_int_equal(av.show[strlen(av.show) - 4], ']');
    /* "[<0024>111<0039>] TJ": the number between the glyphs moves the second one left. */
    assert_int_equal(glyphs_in(av.show), 2);
    assert_true(strchr(av.show, '>') < strrchr(av.show, '<'));
    lsi_shaped_free(&av);
    av = shape_ok(font, "");
    assert_string_equal(av.show, "[] TJ");
    assert_true(av.width == 0);
    lsi_shaped_free(&av);
    lsi_font_free(font);
}

static void test_missing_glyph_and_bad_text(void **state)
{
    static const char *const bad[] = {"ab\xc3(",   "\xc0\xaf",         "\xed\xa0\x80",
                                      "x\xe1\xbb", "\xf4\x90\x80\x80", "\xff"};
    static const size_t at[] = {2, 0, 0, 1, 0, 0};
    lsi_font *font = open_font(REGULAR);
    const char *han = "Trung \xe4\xb8\xad"; /* U+4E2D: no glyph in Liberation Serif */
    char *big = malloc(LSI_FONT_MAX_TEXT + 1);
    char expect[32];
    lsi_shaped run = {NULL, 0};
    double width;

    (void)state;
    assert_int_equal(lsi_font_shape(font, han, strlen(han), &run), LSIGN_E_UNSUPPORTED);
    assert_non_null(strstr(lsign_last_error(), "U+4E2D"));
    assert_null(run.show);
    assert_int_equal(lsi_font_measure(font, han, strlen(han), &width), LSIGN_E_UNSUPPORTED);
    assert_non_null(strstr(lsign_last_error(), "U+4E2D"));
    assert_int_equal(lsi_font_shape(font, "line\none", 8, &run), LSIGN_E_UNSUPPORTED);
    assert_non_null(strstr(lsign_last_error(), "U+000A"));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lsi_font_shape(font, bad[i], strlen(bad[i]), &run), LSIGN_E_INVALID_ARG);
        snprintf(expect, sizeof expect, "byte %zu", at[i]);
        assert_non_null(strstr(lsign_last_error(), expect));
        assert_int_equal(lsi_font_measure(font, bad[i], strlen(bad[i]), &width),
                         LSIGN_E_INVALID_ARG);
    }
    memset(big, 'a', LSI_FONT_MAX_TEXT + 1);
    assert_int_equal(lsi_font_measure(font, big, LSI_FONT_MAX_TEXT, &width), LSIGN_OK);
    assert_int_equal(lsi_font_shape(font, big, LSI_FONT_MAX_TEXT + 1, &run), LSIGN_E_LIMIT);
    free(big);
    lsi_font_free(font);
}

static void test_open_errors(void **state)
{
    static const unsigned char otto[] = {'O', 'T', 'T', 'O', 0,   1, 0, 0, 0, 0, 0,
                                         0,   'C', 'F', 'F', ' ', 0, 0, 0, 0, 0, 0,
                                         0,   28,  0,   0,   0,   4, 1, 0, 4, 1};
    static const unsigned char ttf_junk[] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    lsi_font *font = NULL;
    double ascent, descent, gap;

    (void)state;
    /* The default: Debian's Liberation Serif, or $LIBSIGN_DEFAULT_FONT. */
    assert_int_equal(lsi_font_open(NULL, &font), LSIGN_OK);
    lsi_font_metrics(font, &ascent, &descent, &gap);
    printf("default font: ascent %.1f descent %.1f line gap %.1f\n", ascent, descent, gap);
    assert_true(ascent > 800 && ascent < 1000 && descent < -150 && descent > -300);
    lsi_font_free(font);
    setenv("LIBSIGN_DEFAULT_FONT", in_dir("nowhere.ttf"), 1);
    assert_int_equal(lsi_font_open(NULL, &font), LSIGN_E_IO);
    assert_non_null(strstr(lsign_last_error(), in_dir("nowhere.ttf")));
    setenv("LIBSIGN_DEFAULT_FONT", DATA(BOLD), 1);
    assert_int_equal(lsi_font_open(NULL, &font), LSIGN_OK);
    lsi_font_free(font);
    unsetenv("LIBSIGN_DEFAULT_FONT");

    assert_int_equal(lsi_font_open(in_dir("missing.ttf"), &font), LSIGN_E_IO);
    assert_non_null(strstr(lsign_last_error(), in_dir("missing.ttf")));
    assert_null(font);
    assert_int_equal(lsi_font_open(test_dir, &font), LSIGN_E_IO);
    test_write_file(in_dir("text.ttf"), "not a font at all\n", 18);
    assert_int_equal(lsi_font_open(in_dir("text.ttf"), &font), LSIGN_E_PARSE);
    test_write_file(in_dir("empty.ttf"), "", 0);
    assert_int_equal(lsi_font_open(in_dir("empty.ttf"), &font), LSIGN_E_PARSE);
    test_write_file(in_dir("junk.ttf"), ttf_junk, sizeof ttf_junk);
    assert_int_equal(lsi_font_open(in_dir("junk.ttf"), &font), LSIGN_E_PARSE);
    test_write_file(in_dir("cff.otf"), otto, sizeof otto);
    assert_int_equal(lsi_font_open(in_dir("cff.otf"), &font), LSIGN_E_UNSUPPORTED);
    assert_non_null(strstr(lsign_last_error(), "CFF"));
}

/* ---- PDFs with the font ----------------------------------------------------------------- */

static lsi_pdf_obj *page_with_text(lsi_arena *arena, const lsi_pdf_obj *page, uint32_t font,
                                   uint32_t contents)
{
    lsi_pdf_obj *fonts = lsi_pdf_dict_with(arena, NULL, "F1", lsi_pdf_new_ref(arena, font, 0));
    lsi_pdf_obj *res = lsi_pdf_dict_with(arena, NULL, "Font", fonts);
    lsi_pdf_obj *p = lsi_pdf_dict_with(arena, page, "Resources", res);

    p = lsi_pdf_dict_with(arena, p, "Contents", lsi_pdf_new_ref(arena, contents, 0));
    assert_non_null(p);
    return p;
}

/* "BT /F1 12 Tf 50 700 Td <show> 0 -20 Td <show> ... ET" for each text. */
static char *content_for(lsi_font *font, const char *const *texts, size_t count)
{
    char *content = malloc(8192);
    size_t n = (size_t)snprintf(content, 8192, "BT /F1 12 Tf 50 700 Td\n");

    for (size_t i = 0; i < count; i++) {
        lsi_shaped run = shape_ok(font, texts[i]);
        n += (size_t)snprintf(content + n, 8192 - n, "%s%s\n", i > 0 ? "0 -20 Td " : "", run.show);
        lsi_shaped_free(&run);
    }
    snprintf(content + n, 8192 - n, "ET\n");
    return content;
}

/*
 * A one-page PDF (a mini_pdf base and an incremental update) showing `texts` in `font` at
 * 12 pt, written to `path`; returns the bytes the font's objects took.
 */
static size_t write_pdf(lsi_font *font, const char *const *texts, size_t count, const char *path)
{
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> >>",
    };
    size_t len, font_bytes;
    char *base = mini_pdf(objs, 3, &len), *content = content_for(font, texts, count);
    lsi_arena *arena = lsi_arena_new(0);
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_writer *w = NULL;
    lsi_output *out = NULL;
    const lsi_pdf_obj *page = NULL;
    lsi_input in;
    uint32_t font_num, contents_num;
    uint64_t before;

    lsi_input_from_memory(base, len, &in);
    assert_int_equal(lsi_pdf_doc_open(in.data, in.len, NULL, &doc), LSIGN_OK);
    assert_int_equal(lsi_output_to_path(path, &out), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_begin(doc, &in, out, &w), LSIGN_OK);
    before = lsi_output_size(out);
    if (lsi_font_write(font, w, arena, &font_num) != LSIGN_OK)
        fail_msg("font: %s", lsign_last_error());
    font_bytes = (size_t)(lsi_output_size(out) - before);
    contents_num = lsi_pdf_writer_new_number(w);
    assert_int_equal(lsi_pdf_writer_put_stream(w, contents_num, lsi_pdf_new_dict(arena),
                                               (const unsigned char *)content, strlen(content)),
                     LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_get(doc, 3, &page), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_put(w, 3, page_with_text(arena, page, font_num, contents_num)),
                     LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_finish(w), LSIGN_OK);
    assert_int_equal(lsi_output_commit(out), LSIGN_OK);
    lsi_pdf_writer_free(w);
    lsi_output_free(out);
    lsi_pdf_doc_free(doc);
    lsi_arena_free(arena);
    free(content);
    free(base);
    return font_bytes;
}

static void check_qpdf_and_pdffonts(const char *path)
{
    char cmd[1024], out[8192];

    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", path);
    if (run(cmd, out, sizeof out) != 0)
        fail_msg("qpdf --check:\n%s", out);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>&1", path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    printf("%s", out);
    /* name, type "CID TrueType", encoding Identity-H, emb yes, sub yes, uni yes */
    assert_non_null(strstr(out, "+LiberationSerif "));
    assert_non_null(strstr(out, "CID TrueType"));
    assert_non_null(strstr(out, "Identity-H"));
    assert_non_null(strstr(out, "yes yes yes"));
}

/* pdftotext's output in `mode`: "-layout" or "-raw" (the content stream's order). */
static char *pdftotext(const char *path, const char *mode)
{
    char cmd[1024], *out = malloc(16384);

    snprintf(cmd, sizeof cmd, "pdftotext %s '%s' - 2>&1", mode, path);
    assert_int_equal(run(cmd, out, 16384), 0);
    return out;
}

/* Dark pixels (< 128) of a 72 dpi gray rendering of page 1 in rows [top, bottom), cols [left,
 * right). */
static size_t dark_pixels(const char *path, int top, int bottom, int left, int right)
{
    char cmd[1024], pgm[600], out[256];
    size_t len, dark = 0;
    unsigned char *data;
    int width, height, maxval, header;
    FILE *f;

    snprintf(pgm, sizeof pgm, "%s", in_dir("render"));
    snprintf(cmd, sizeof cmd, "pdftoppm -r 72 -gray -f 1 -l 1 -singlefile '%s' '%s' 2>&1", path,
             pgm);
    if (run(cmd, out, sizeof out) != 0 || out[0] != '\0')
        fail_msg("pdftoppm: %s", out);
    strcat(pgm, ".pgm");
    f = fopen(pgm, "rb");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "P5 %d %d %d%n", &width, &height, &maxval, &header), 3);
    assert_int_equal(width, 612);
    assert_int_equal(height, 792);
    fgetc(f);
    len = (size_t)width * (size_t)height;
    data = malloc(len);
    assert_int_equal(fread(data, 1, len, f), len);
    fclose(f);
    for (int y = top; y < bottom; y++)
        for (int x = left; x < right; x++)
            dark += data[(size_t)y * (size_t)width + (size_t)x] < 128;
    free(data);
    return dark;
}

static void test_pdf_end_to_end(void **state)
{
    lsi_font *font = open_font(REGULAR);
    const char *path = in_dir("nfc.pdf");
    char *text;
    size_t ink, blank;

    (void)state;
    write_pdf(font, nfc, TEXTS, path);
    check_qpdf_and_pdffonts(path);
    text = pdftotext(path, "-layout");
    printf("pdftotext:\n%s", text);
    for (size_t i = 0; i < TEXTS; i++)
        if (strstr(text, nfc[i]) == NULL)
            fail_msg("pdftotext lost '%s'", nfc[i]);
    free(text);
    /* Baselines at y = 700, 680, 660 from the bottom: rows 92, 112, 132 of 792. */
    ink = dark_pixels(path, 80, 136, 45, 300);
    blank = dark_pixels(path, 200, 792, 0, 612);
    printf("dark pixels: %zu where the text is, %zu elsewhere\n", ink, blank);
    assert_true(ink > 200);
    assert_int_equal(blank, 0);
    lsi_font_free(font);
}

/*
 * NFD input: the glyphs are the precomposed ones, and /ToUnicode maps each to the characters
 * it was shaped from, so pdftotext gives the NFD sequence back. A font that saw the NFC text
 * first keeps that (the first text wins), so the NFD line extracts as NFC.
 */
static void test_pdf_nfd_text(void **state)
{
    const char *const mixed[] = {nfc[0], nfd[0]};
    lsi_font *font = open_font(REGULAR);
    const char *path = in_dir("nfd.pdf");
    char *text;

    (void)state;
    write_pdf(font, nfd, TEXTS, path);
    check_qpdf_and_pdffonts(path);
    text = pdftotext(path, "-layout");
    printf("pdftotext of NFD input:\n%s", text);
    for (size_t i = 0; i < TEXTS; i++)
        if (strstr(text, nfd[i]) == NULL)
            fail_msg("pdftotext did not give NFD '%s' back", nfc[i]);
    free(text);
    lsi_font_free(font);

    font = open_font(REGULAR);
    path = in_dir("mixed.pdf");
    write_pdf(font, mixed, 2, path);
    text = pdftotext(path, "-layout");
    assert_null(strstr(text, nfd[0]));
    assert_non_null(strstr(strstr(text, nfc[0]) + 1, nfc[0]));
    free(text);
    lsi_font_free(font);
}

/*
 * A zero-width space and a soft hyphen shape, leave no glyph, and never become a glyph's text;
 * marks without a precomposed letter (x U+0327 U+0301) are glyphs of their own, each mapped
 * to its character.
 */
static void test_unusual_clusters(void **state)
{
    const char *const texts[] = {"x\xe2\x80\x8by", "y\xc2\xad z", "x\xcc\xa7\xcc\x81 z"};
    lsi_font *font = open_font(REGULAR);
    const char *path = in_dir("clusters.pdf");
    lsi_shaped run;
    char *text;

    (void)state;
    run = shape_ok(font, texts[0]);
    assert_int_equal(glyphs_in(run.show), 2);
    lsi_shaped_free(&run);
    run = shape_ok(font, texts[2]);
    assert_int_equal(glyphs_in(run.show), 5);
    lsi_shaped_free(&run);
    write_pdf(font, texts, 3, path);
    /* -raw: -layout places words by their gaps, and drops a 3 pt one in so short a line. */
    text = pdftotext(path, "-raw");
    printf("pdftotext:\n%s", text);
    assert_non_null(strstr(text, "xy\n"));
    assert_non_null(strstr(text, "y z\n"));
    assert_non_null(strstr(text, texts[2]));
    free(text);
    lsi_font_free(font);
}

static void test_size_of_sixty_characters(void **state)
{
    /* 60 distinct Vietnamese letters, each a glyph of its own. */
    static const char *const letters[] = {
        "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữ",
    };
    lsi_font *font = open_font(REGULAR);
    const char *path = in_dir("sixty.pdf");
    size_t bytes;
    char *text;

    (void)state;
    assert_int_equal(code_points(letters[0]), 60);
    bytes = write_pdf(font, letters, 1, path);
    printf("font objects for 60 distinct characters: %zu bytes\n", bytes);
    assert_true(bytes < 30 * 1024);
    check_qpdf_and_pdffonts(path);
    text = pdftotext(path, "-layout");
    assert_non_null(strstr(text, letters[0]));
    free(text);
    lsi_font_free(font);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfc_and_nfd_shape_alike),
        cmocka_unit_test(test_kerning_moves_the_pen),
        cmocka_unit_test(test_missing_glyph_and_bad_text),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_pdf_end_to_end),
        cmocka_unit_test(test_pdf_nfd_text),
        cmocka_unit_test(test_unusual_clusters),
        cmocka_unit_test(test_size_of_sixty_characters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
