/*
 * Text of a page with positions: the content-stream interpreter, fonts
 * (standard Type1, Type0 Identity-H with a ToUnicode CMap, Type3, TrueType,
 * /Differences), form XObjects, and finding Vietnamese text in NFC and NFD.
 *
 * With LSIGN_TEXT_SEEDS=DIR set, every hand-made PDF is also written to DIR:
 * fuzz/corpus/pdf_text/ holds them, but for the large limit, nesting and
 * budget ones.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "pdf/document.h"
#include "pdf/pages.h"
#include "pdf/text.h"
#include "support/minipdf.h"
#include "support/testenv.h"

/* "CHỦ TỊCH" in NFC, and in NFD: U+1EE6 is U + U+0309, U+1ECA is I + U+0323. */
#define CHU_TICH_NFC                                                                               \
    "CH\xe1\xbb\xa6 T\xe1\xbb\x8a"                                                                 \
    "CH"
#define CHU_TICH_NFD                                                                               \
    "CHU\xcc\x89 TI\xcc\xa3"                                                                       \
    "CH"

/* Its codes in the Type0 font below (Identity-H: two bytes each). */
#define CHU_TICH_CODES "<00010002000300040005000600010002>"

/*
 * The ToUnicode CMap of the Type0 font: bfchar, bfrange with an array and
 * with a string (a b c), a two-code-point destination (fi).
 */
static const char to_unicode[] =
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n"
    "<0000> <FFFF>\n"
    "endcodespacerange\n"
    "6 beginbfchar\n"
    "<0001> <0043>\n"
    "<0002> <0048>\n"
    "<0003> <1EE6>\n"
    "<0007> <1EC6>\n"
    "<0008> <00660069>\n"
    "<0009> <004E>\n"
    "endbfchar\n"
    "3 beginbfrange\n"
    "<0004> <0005> [<0020> <0054>]\n"
    "<0006> <0006> <1ECA>\n"
    "<0010> <0012> <0061>\n"
    "endbfrange\n"
    "1 beginbfchar\n"
    "<000A> <0047>\n"
    "endbfchar\n"
    "endcmap\n"
    "CMapName currentdict /CMap defineresource pop\n"
    "end\n"
    "end";

#define FORM_DEFAULT "BT /F1 10 Tf 0 0 Td (Sign) Tj ET /Fm1 Do"

#define MAX_OBJS 20

typedef struct fixture {
    char *objs[MAX_OBJS];
    size_t nobjs;
    char *pdf;
    size_t len;
    lsi_pdf_doc *doc;
    lsi_pdf_page *pages;
    size_t npages;
} fixture;

__attribute__((format(printf, 1, 2))) static char *strf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static char *stream(const char *dict_extra, const char *data)
{
    return strf("<< /Length %zu %s >>\nstream\n%s\nendstream", strlen(data), dict_extra, data);
}

static void add(fixture *f, char *obj)
{
    assert_true(f->nobjs < MAX_OBJS);
    f->objs[f->nobjs++] = obj;
}

static void write_seed(const fixture *f, const char *name)
{
    const char *dir = getenv("LSIGN_TEXT_SEEDS");
    char path[4096];

    if (dir == NULL)
        return;
    snprintf(path, sizeof path, "%s/%s.pdf", dir, name);
    test_write_file(path, f->pdf, f->len);
}

/*
 * Objects 1-13: catalog, pages, a page drawing `content` (or the streams of
 * `contents`, e.g. "[4 0 R 14 0 R]"), Helvetica (WinAnsi), a Type0 font,
 * form /Fm1 drawing `form` (which may draw itself), its CIDFont, ToUnicode
 * and descriptor, a Type3 font, a TrueType font without /Encoding, Times with
 * /Differences. `extra` objects follow from 14.
 */
static void build(fixture *f, const char *name, const char *contents, const char *content,
                  const char *form, const char *const *extra, size_t nextra)
{
    memset(f, 0, sizeof *f);
    add(f, strf("<< /Type /Catalog /Pages 2 0 R >>"));
    add(f, strf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"));
    add(f, strf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources << /Font << "
                "/F1 5 0 R /F2 6 0 R /F3 11 0 R /F4 12 0 R /F5 13 0 R >> /XObject << /Fm1 7 0 R "
                ">> >> /Contents %s >>",
                contents != NULL ? contents : "4 0 R"));
    add(f, stream("", content));
    add(f, strf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding "
                ">>"));
    add(f, strf("<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H "
                "/DescendantFonts [8 0 R] /ToUnicode 9 0 R >>"));
    add(f, stream("/Type /XObject /Subtype /Form /BBox [0 0 200 100] /Matrix [1 0 0 1 10 0] "
                  "/Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 7 0 R >> >>",
                  form != NULL ? form : FORM_DEFAULT));
    add(f, strf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /CIDSystemInfo << "
                "/Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 10 0 R "
                "/W [1 [700 720 720 300] 5 6 650] /DW 1000 >>"));
    add(f, stream("", to_unicode));
    add(f, strf("<< /Type /FontDescriptor /FontName /Test /Flags 4 /FontBBox [0 -300 1000 900] "
                "/ItalicAngle 0 /Ascent 900 /Descent -300 /CapHeight 700 /StemV 80 >>"));
    add(f, strf("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 100 100] /FontMatrix [0.01 0 0 "
                "0.01 0 0] /CharProcs << >> /Encoding << /Type /Encoding /Differences [65 /A /B] "
                ">> /FirstChar 65 /LastChar 66 /Widths [50 100] /Resources << >> >>"));
    add(f, strf("<< /Type /Font /Subtype /TrueType /BaseFont /Arial /FirstChar 128 /LastChar 128 "
                "/Widths [500] >>"));
    add(f, strf("<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding << /Differences "
                "[65 /Ohorn /uni1EE6 /u1EE6 /f_i /a.sc /uni00410042 /ohorn.alt /g123] >> >>"));
    for (size_t i = 0; i < nextra; i++)
        add(f, strf("%s", extra[i]));
    f->pdf = mini_pdf((const char *const *)f->objs, f->nobjs, &f->len);
    write_seed(f, name);
    if (lsi_pdf_doc_open((const unsigned char *)f->pdf, f->len, NULL, &f->doc) != LSIGN_OK ||
        lsi_pdf_doc_pages(f->doc, &f->pages, &f->npages) != LSIGN_OK)
        fail_msg("%s: %s", name, lsign_last_error());
    assert_int_equal(f->npages, 1);
}

static void destroy(fixture *f)
{
    free(f->pages);
    lsi_pdf_doc_free(f->doc);
    free(f->pdf);
    for (size_t i = 0; i < f->nobjs; i++)
        free(f->objs[i]);
}

/* The glyphs of page 1 as UTF-8. */
static char *page_text(fixture *f, lsi_pdf_glyph **glyphs, size_t *count)
{
    char *text, *p;

    if (lsi_pdf_page_glyphs(f->doc, &f->pages[0], glyphs, count) != LSIGN_OK)
        fail_msg("glyphs: %s", lsign_last_error());
    p = text = malloc(4 * *count + 1);
    assert_non_null(text);
    for (size_t i = 0; i < *count; i++) {
        uint32_t c = (*glyphs)[i].cp;
        if (c < 0x80) {
            *p++ = (char)c;
        } else if (c < 0x800) {
            *p++ = (char)(0xC0 | c >> 6);
            *p++ = (char)(0x80 | (c & 0x3F));
        } else {
            *p++ = (char)(0xE0 | c >> 12);
            *p++ = (char)(0x80 | (c >> 6 & 0x3F));
            *p++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *p = '\0';
    return text;
}

static void check_text(fixture *f, const char *want)
{
    lsi_pdf_glyph *glyphs;
    size_t count;
    char *text = page_text(f, &glyphs, &count);

    assert_string_equal(text, want);
    free(text);
    free(glyphs);
}

static void assert_box(const double got[4], double x0, double y0, double x1, double y1)
{
    const double want[4] = {x0, y0, x1, y1};

    for (size_t i = 0; i < 4; i++)
        if (fabs(got[i] - want[i]) > 0.005)
            fail_msg("box [%.3f %.3f %.3f %.3f], expected [%.3f %.3f %.3f %.3f]", got[0], got[1],
                     got[2], got[3], x0, y0, x1, y1);
}

static void assert_glyph(const lsi_pdf_glyph *g, uint32_t cp, double x0, double y0, double x1,
                         double y1)
{
    const double box[4] = {g->x0, g->y0, g->x1, g->y1};

    if (g->cp != cp)
        fail_msg("glyph U+%04X, expected U+%04X", (unsigned)g->cp, (unsigned)cp);
    assert_box(box, x0, y0, x1, y1);
}

static void find_ok(fixture *f, const char *needle, unsigned occurrence, double box[4])
{
    if (lsi_pdf_find_text(f->doc, &f->pages[0], needle, occurrence, box) != LSIGN_OK)
        fail_msg("find '%s' #%u: %s", needle, occurrence, lsign_last_error());
}

static void find_fails(fixture *f, const char *needle, unsigned occurrence, const char *message)
{
    double box[4];

    assert_int_equal(lsi_pdf_find_text(f->doc, &f->pages[0], needle, occurrence, box),
                     LSIGN_E_INVALID_ARG);
    if (strstr(lsign_last_error(), message) == NULL)
        fail_msg("message '%s' lacks '%s'", lsign_last_error(), message);
}

/*
 * Helvetica (no /Widths: the standard metrics), WinAnsi, positioned by Td,
 * TJ, Tm, cm, TL and T*, ' and ". Glyph boxes: ascent 0.8, descent -0.2 em.
 */
static void test_type1_positions(void **state)
{
    fixture f;
    lsi_pdf_glyph *g;
    size_t n;
    char *text;
    double box[4];

    (void)state;
    build(&f, "type1", NULL,
          "BT /F1 10 Tf 100 700 Td (Hello) Tj 60 0 Td [(W) 120 (orld)] TJ ET\n"
          "BT /F1 10 Tf 1 0 0 1 300 500 Tm (\\351t\\351) Tj ET\n"
          "q 2 0 0 2 10 20 cm BT /F1 10 Tf 5 5 Td (X) Tj ET Q\n"
          "BT /F1 10 Tf 100 600 Td 12 TL (a) Tj T* (b) Tj (c) ' 3 1 (d) \" ET",
          NULL, NULL, 0);
    text = page_text(&f, &g, &n);
    assert_string_equal(text, "Hello World \xc3\xa9t\xc3\xa9 X a b c d");
    assert_glyph(&g[0], 'H', 100, 698, 107.22, 708);
    assert_glyph(&g[1], 'e', 107.22, 698, 112.78, 708);
    assert_glyph(&g[5], ' ', 0, 0, 0, 0); /* virtual: the gap Td left */
    assert_glyph(&g[6], 'W', 160, 698, 169.44, 708);
    assert_glyph(&g[7], 'o', 168.24, 698, 173.8, 708); /* 120/1000 em back */
    assert_glyph(&g[12], 0xE9, 300, 498, 305.56, 508);
    assert_glyph(&g[16], 'X', 20, 26, 33.34, 46); /* cm: scaled by 2, moved */
    assert_glyph(&g[18], 'a', 100, 598, 105.56, 608);
    assert_glyph(&g[20], 'b', 100, 586, 105.56, 596); /* T*: 12 down */
    assert_glyph(&g[22], 'c', 100, 574, 105, 584);    /* ': T* and show */
    assert_glyph(&g[24], 'd', 100, 562, 105.56, 572); /* ": Tw 3, Tc 1, T*, show */
    find_ok(&f, "World", 1, box);
    assert_box(box, 160, 698, 184.91, 708);
    free(text);
    free(g);
    destroy(&f);
}

/* Tc, Tw (on the single-byte space only) and Tz move the pen (ISO 32000-2 9.4.4). */
static void test_spacing(void **state)
{
    fixture f;
    lsi_pdf_glyph *g;
    size_t n;
    char *text;

    (void)state;
    build(&f, "spacing", NULL, "BT /F1 10 Tf 2 Tc 5 Tw 50 Tz 0 100 Td (a b) Tj ET", NULL, NULL, 0);
    text = page_text(&f, &g, &n);
    assert_string_equal(text, "a b");
    assert_glyph(&g[0], 'a', 0, 98, 2.78, 108);
    assert_glyph(&g[1], ' ', 3.78, 98, 5.17, 108);  /* a: (5.56 + 2) * 0.5 */
    assert_glyph(&g[2], 'b', 8.67, 98, 11.45, 108); /* space: (2.78 + 2 + 5) * 0.5 */
    free(text);
    free(g);
    destroy(&f);
}

/* A Type0 Identity-H font: "CHỦ TỊCH" found in NFC and NFD, its box from /W and the descriptor. */
static void test_type0_vietnamese(void **state)
{
    fixture f;
    double box[4];

    (void)state;
    build(&f, "type0", NULL,
          "BT /F2 12 Tf 100 400 Td " CHU_TICH_CODES " Tj ET\n"
          "BT /F2 12 Tf 100 380 Td <0009000A00020007> Tj ET\n"
          "BT /F2 10 Tf 100 360 Td <0008001000110012> Tj ET",
          NULL, NULL, 0);
    check_text(&f, "CH\xe1\xbb\xa6 T\xe1\xbb\x8a"
                   "CH NGH\xe1\xbb\x86 fiabc");
    /* 700+720+720+300+650+650+700+720 = 5160/1000 em of 12 pt; ascent 0.9, descent -0.3 em. */
    find_ok(&f, CHU_TICH_NFC, 1, box);
    assert_box(box, 100, 396.4, 161.92, 410.8);
    find_ok(&f, CHU_TICH_NFD, 1, box);
    assert_box(box, 100, 396.4, 161.92, 410.8);
    find_ok(&f, "T\xe1\xbb\x8a", 1, box); /* TỊ */
    assert_box(box, 129.28, 396.4, 144.88, 410.8);
    /* Ệ: E + dot below + circumflex canonically; typed in another order, still equal. */
    find_ok(&f, "NGH\xe1\xbb\x86", 1, box);
    find_ok(&f, "NGHE\xcc\xa3\xcc\x82", 1, box);
    find_ok(&f, "NGHE\xcc\x82\xcc\xa3", 1, box);
    assert_box(box, 100, 376.4, 144.64, 390.8); /* N, G, Ệ: /DW 1000; H 720 */
    /* One glyph, two code points; a bfrange incrementing its destination. */
    find_ok(&f, "fiabc", 1, box);
    assert_box(box, 100, 357, 140, 369);
    destroy(&f);
}

/* Whitespace runs match any run; a letter does not match the same letter with a mark. */
static void test_whitespace_and_marks(void **state)
{
    fixture f;
    double box[4];

    (void)state;
    build(&f, "whitespace", NULL,
          "BT /F2 12 Tf 100 400 Td " CHU_TICH_CODES " Tj ET\n"
          "BT /F1 10 Tf 100 300 Td (TM.) Tj 30 0 Td (UBND) Tj ET",
          NULL, NULL, 0);
    find_ok(&f,
            "  CH\xe1\xbb\xa6 \t\n  T\xe1\xbb\x8a"
            "CH ",
            1, box);
    assert_box(box, 100, 396.4, 161.92, 410.8);
    find_ok(&f, "TM. UBND", 1, box); /* the space is a virtual one: a gap of 30 - 17.22 pt */
    assert_box(box, 100, 298, 158.33, 308);
    find_fails(&f,
               "CH\xe1\xbb\xa6T\xe1\xbb\x8a"
               "CH",
               1, "not found");
    find_fails(&f, "CHU", 1, "not found"); /* U is followed by its hook above */
    find_ok(&f, "CH", 1, box);
    assert_box(box, 100, 396.4, 117.04, 410.8);
    destroy(&f);
}

static void test_second_occurrence(void **state)
{
    fixture f;
    double box[4];

    (void)state;
    build(&f, "occurrences", NULL,
          "BT /F2 12 Tf 100 400 Td " CHU_TICH_CODES " Tj ET\n"
          "BT /F2 12 Tf 300 200 Td " CHU_TICH_CODES " Tj ET",
          NULL, NULL, 0);
    find_ok(&f, CHU_TICH_NFC, 1, box);
    assert_box(box, 100, 396.4, 161.92, 410.8);
    find_ok(&f, CHU_TICH_NFD, 2, box);
    assert_box(box, 300, 196.4, 361.92, 210.8);
    find_fails(&f, CHU_TICH_NFC, 3, "occurs 2 time(s) on page 1, not 3");
    destroy(&f);
}

static void test_not_found_and_bad_needles(void **state)
{
    fixture f;
    double box[4];

    (void)state;
    build(&f, "notfound", NULL, "BT /F2 12 Tf 100 400 Td " CHU_TICH_CODES " Tj ET", NULL, NULL, 0);
    find_fails(&f, "TM. \xe1\xbb\xa6Y BAN NH\xc3\x82N D\xc3\x82N", 1,
               "text 'TM. \xe1\xbb\xa6Y BAN NH\xc3\x82N D\xc3\x82N' not found on page 1");
    find_fails(&f, "   ", 1, "empty");
    find_fails(&f, "CH\xe1\xbb", 1, "not UTF-8");   /* truncated sequence */
    find_fails(&f, "\xc0\x80", 1, "not UTF-8");     /* overlong NUL */
    find_fails(&f, "\xed\xa0\x80", 1, "not UTF-8"); /* a surrogate */
    find_fails(&f, CHU_TICH_NFC, 0, "count from 1");
    assert_int_equal(lsi_pdf_find_text(f.doc, &f.pages[0], NULL, 1, box), LSIGN_E_INVALID_ARG);
    destroy(&f);
}

/* Text inside a form XObject drawn under a scaling cm: its /Matrix, then the CTM. */
static void test_form_xobject(void **state)
{
    fixture f;
    lsi_pdf_glyph *g;
    size_t n;
    char *text;
    double box[4];

    (void)state;
    /* The form draws itself too: that cycle is not followed. */
    build(&f, "form", NULL, "q 2 0 0 2 50 100 cm /Fm1 Do Q BT /F1 10 Tf 400 100 Td (after) Tj ET",
          NULL, NULL, 0);
    text = page_text(&f, &g, &n);
    assert_string_equal(text, "Sign after");
    /* x: 2 * (0 + 10) + 50, y: 2 * 0 + 100; 20 pt. S is 667/1000 em. */
    assert_glyph(&g[0], 'S', 70, 96, 83.34, 116);
    find_ok(&f, "Sign", 1, box);
    assert_box(box, 70, 96, 70 + 20 * (0.667 + 0.222 + 0.556 + 0.556), 116);
    free(text);
    free(g);
    destroy(&f);
}

/*
 * Simple fonts by other routes: Type3 widths through its /FontMatrix, a
 * TrueType font without /Encoding (WinAnsi, as poppler reads it), glyph
 * names of /Differences (Adobe names, uniXXXX, uXXXX, ligatures with '_',
 * suffixes; an unknown name is U+FFFD).
 */
static void test_simple_fonts(void **state)
{
    fixture f;
    lsi_pdf_glyph *g;
    size_t n;
    char *text;

    (void)state;
    build(&f, "simple", NULL,
          "BT /F3 10 Tf 0 500 Td (AB) Tj ET\n"
          "BT /F4 10 Tf 0 400 Td (\\200) Tj ET\n"
          "BT /F5 10 Tf 0 300 Td (ABCDEFGH) Tj ET",
          NULL, NULL, 0);
    text = page_text(&f, &g, &n);
    assert_string_equal(text, "AB \xe2\x82\xac \xc6\xa0\xe1\xbb\xa6\xe1\xbb\xa6"
                              "fiaAB\xc6\xa1\xef\xbf\xbd");
    /* Type3: 50 glyph units x 0.01 = 0.5 em; ascent 0.8 em through the FontMatrix. */
    assert_glyph(&g[0], 'A', 0, 498, 5, 508);
    assert_glyph(&g[1], 'B', 5, 498, 15, 508);
    assert_glyph(&g[3], 0x20AC, 0, 398, 5, 408);
    /* Ơ and Ủ are not in Times' metrics (500/1000 em), nor is f_i, two code points in one box. */
    assert_glyph(&g[8], 'f', 15, 298, 20, 308);
    assert_glyph(&g[9], 'i', 15, 298, 20, 308);
    assert_glyph(&g[10], 'a', 20, 298, 24.44, 308);
    free(text);
    free(g);
    destroy(&f);
}

/* Inline images are skipped; malformed operators, images and junk are ignored. */
static void test_inline_image_and_junk(void **state)
{
    fixture f;
    double box[4];

    (void)state;
    build(&f, "junk", NULL,
          "BI /W 4 /H 1 /BPC 8 /CS /G ID (no) Tj \xff\xfe]>) EI\n"
          "1 2 3 Tj /F1 Tf (x) 7 Td ] >> ) } { 1.2.3 /A#zz <zz> Tf\n"
          "BT /F1 10 Tf 100 700 Td (Giay) Tj BI /IM true ( saved) Tj ET\n"
          "BT /Nope 10 Tf (hidden) Tj ET (no font) Tj\n"
          "BT /F1 10 Tf 100 600 Td (unterminated Tj",
          NULL, NULL, 0);
    check_text(&f, "Giay saved"); /* a BI without ID ends at the next operator */
    find_ok(&f, "Giay", 1, box);
    assert_box(box, 100, 698, 120.56, 708);
    find_fails(&f, "no", 1, "not found");
    destroy(&f);
}

/* /Contents as an array: the streams are one program, split between tokens. */
static void test_contents_array(void **state)
{
    static const char *const extra[] = {"<< /Length 10 >>\nstream\n(Hi) Tj ET\nendstream"};
    fixture f;
    double box[4];

    (void)state;
    build(&f, "contents", "[4 0 R 14 0 R]", "BT /F1 10 Tf 100 700 Td", NULL, extra, 1);
    find_ok(&f, "Hi", 1, box);
    assert_box(box, 100, 698, 109.44, 708);
    destroy(&f);
}

/* Content streams in ASCII85 (as reportlab writes them) and ASCIIHex. */
static void test_ascii_filters(void **state)
{
    static const char *const extra[] = {
        "<< /Length 49 /Filter /ASCII85Decode >>\nstream\n"
        "6<#'\\7PQ#?0Ha>,+>GQ(+?(u.+B2ko-qIocCi:aF<,*OE;u~>\nendstream",
        "<< /Length 39 /Filter /AHx >>\nstream\n"
        "28 57 6f 72 6c 64 29 20 54 6a 20 45 54>\nendstream",
    };
    fixture f;

    (void)state;
    build(&f, "ascii", "[14 0 R 4 0 R 15 0 R]", "BT /F1 10 Tf 0 0 Td", NULL, extra, 2);
    check_text(&f, "Hello World");
    destroy(&f);
}

/* More glyphs than LSI_PDF_MAX_GLYPHS (a form of 1000 drawn 1001 times): LSIGN_E_LIMIT. */
static void test_glyph_limit(void **state)
{
    size_t reps = LSI_PDF_MAX_GLYPHS / 1000 + 1;
    char *form = malloc(1100), *content = malloc(8 * reps + 1);
    fixture f;
    lsi_pdf_glyph *g = NULL;
    size_t n = 0;
    double box[4];

    (void)state;
    assert_non_null(form);
    assert_non_null(content);
    strcpy(form, "BT /F1 1 Tf (");
    memset(form + strlen(form), 'a', 1000);
    strcpy(form + 13 + 1000, ") Tj ET");
    for (size_t i = 0; i < reps; i++)
        memcpy(content + 8 * i, "/Fm1 Do ", 8);
    content[8 * reps] = '\0';
    build(&f, "limit", NULL, content, form, NULL, 0);
    assert_int_equal(lsi_pdf_page_glyphs(f.doc, &f.pages[0], &g, &n), LSIGN_E_LIMIT);
    assert_null(g);
    assert_int_equal(n, 0);
    assert_non_null(strstr(lsign_last_error(), "glyphs"));
    assert_int_equal(lsi_pdf_find_text(f.doc, &f.pages[0], "a", 1, box), LSIGN_E_LIMIT);
    destroy(&f);
    free(form);
    free(content);
}

/* Reopens the fixture's PDF with a context whose streams may be `max_stream_bytes` long. */
static lsign_ctx *reopen_with_limit(fixture *f, uint64_t max_stream_bytes)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx;

    o.max_stream_bytes = max_stream_bytes;
    assert_int_equal(lsign_ctx_new(&ctx, &o), LSIGN_OK);
    free(f->pages);
    lsi_pdf_doc_free(f->doc);
    if (lsi_pdf_doc_open((const unsigned char *)f->pdf, f->len, ctx, &f->doc) != LSIGN_OK ||
        lsi_pdf_doc_pages(f->doc, &f->pages, &f->npages) != LSIGN_OK)
        fail_msg("reopen: %s", lsign_last_error());
    return ctx;
}

/*
 * A page's work is bounded by 4 x max_stream_bytes decoded, however often
 * its forms are drawn: a 5028-byte form drawn 7 times fits 40000 bytes,
 * drawn 10 times it does not.
 */
static void test_work_budget(void **state)
{
    char form[5100];
    fixture f;
    lsign_ctx *ctx;
    lsi_pdf_glyph *g = NULL;
    size_t n = 0;

    (void)state;
    strcpy(form, "BT /F1 10 Tf 0 0 Td (");
    memset(form + strlen(form), 'a', 5000);
    strcpy(form + 21 + 5000, ") Tj ET");
    build(&f, "budget-ok", NULL, "/Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do", form,
          NULL, 0);
    ctx = reopen_with_limit(&f, 10000);
    assert_int_equal(lsi_pdf_page_glyphs(f.doc, &f.pages[0], &g, &n), LSIGN_OK);
    free(g);
    destroy(&f);
    lsign_ctx_free(ctx);

    build(&f, "budget-exceeded", NULL,
          "/Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do /Fm1 Do", form,
          NULL, 0);
    ctx = reopen_with_limit(&f, 10000);
    assert_int_equal(lsi_pdf_page_glyphs(f.doc, &f.pages[0], &g, &n), LSIGN_E_LIMIT);
    assert_non_null(strstr(lsign_last_error(), "more work than allowed"));
    assert_null(g);
    destroy(&f);
    lsign_ctx_free(ctx);
}

/* Hostile nesting and operand floods: bounded, and the text after them still reads. */
static void test_hostile_nesting(void **state)
{
    size_t depth = 100000, len = 4 * depth + 1000;
    char *content = malloc(len), *p = content;
    fixture f;
    double box[4];

    (void)state;
    assert_non_null(content);
    for (size_t i = 0; i < depth; i++)
        p += sprintf(p, "q ");
    p += sprintf(p, "[[[[[[(x)]]]]]] TJ 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
                    "23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 "
                    "48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 (y) Tj ");
    for (size_t i = 0; i < depth; i++)
        p += sprintf(p, "Q ");
    sprintf(p, "BT /F1 10 Tf 100 700 Td (ok) Tj ET");
    build(&f, "nesting", NULL, content, NULL, NULL, 0);
    check_text(&f, "ok");
    find_ok(&f, "ok", 1, box);
    destroy(&f);
    free(content);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type1_positions),
        cmocka_unit_test(test_spacing),
        cmocka_unit_test(test_type0_vietnamese),
        cmocka_unit_test(test_whitespace_and_marks),
        cmocka_unit_test(test_second_occurrence),
        cmocka_unit_test(test_not_found_and_bad_needles),
        cmocka_unit_test(test_form_xobject),
        cmocka_unit_test(test_simple_fonts),
        cmocka_unit_test(test_inline_image_and_junk),
        cmocka_unit_test(test_contents_array),
        cmocka_unit_test(test_ascii_filters),
        cmocka_unit_test(test_glyph_limit),
        cmocka_unit_test(test_work_budget),
        cmocka_unit_test(test_hostile_nesting),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
