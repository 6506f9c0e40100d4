/* PDF object parser: direct and indirect objects, references, streams, limits, damage. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "pdf/parse.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

/* One arena and parser per test, over an exact heap copy of the input (ASan sees overreads). */
typedef struct {
    lsi_arena *arena;
    lsi_pdf_parser p;
    unsigned char *data;
    size_t len;
} fixture;

static fixture fx;

static void load_n(const void *src, size_t len, uint64_t arena_max)
{
    lsi_pdf_parser_cleanup(&fx.p);
    lsi_arena_free(fx.arena);
    free(fx.data);
    fx.arena = lsi_arena_new(arena_max);
    assert_non_null(fx.arena);
    fx.data = malloc(len > 0 ? len : 1);
    assert_non_null(fx.data);
    if (len > 0)
        memcpy(fx.data, src, len);
    fx.len = len;
    lsi_pdf_parser_init(&fx.p, NULL, fx.data, len, fx.arena);
}

static void load(const char *src)
{
    load_n(src, strlen(src), 0);
}

static int setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof fx);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lsi_pdf_parser_cleanup(&fx.p);
    lsi_arena_free(fx.arena);
    free(fx.data);
    memset(&fx, 0, sizeof fx);
    return 0;
}

static const lsi_pdf_obj *direct_ok(const char *src, size_t *end)
{
    lsi_pdf_obj *obj = NULL;
    size_t e = 0;
    int rc;

    load(src);
    rc = lsi_pdf_parse_object(&fx.p, 0, &obj, &e);
    if (rc != LSIGN_OK)
        fail_msg("parse(\"%s\") = %d: %s", src, rc, lsign_last_error());
    assert_non_null(obj);
    assert_true(e <= fx.len);
    if (end != NULL)
        *end = e;
    return obj;
}

static const char *printed(const lsi_pdf_obj *obj)
{
    static char buf[4096];

    lsi_pdf_obj_print(obj, buf, sizeof buf);
    return buf;
}

/* Parses `src` as a direct object and compares its printed form. */
static void assert_parses_to(const char *src, const char *want)
{
    const char *got = printed(direct_ok(src, NULL));

    if (strcmp(got, want) != 0)
        fail_msg("parse(\"%s\") prints \"%s\", expected \"%s\"", src, got, want);
}

static const char *direct_fails(const char *src, int code)
{
    lsi_pdf_obj *obj = (lsi_pdf_obj *)&obj;
    size_t end = 0;
    int rc;

    load(src);
    rc = lsi_pdf_parse_object(&fx.p, 0, &obj, &end);
    if (rc != code)
        fail_msg("parse(\"%s\") = %d, expected %d (%s)", src, rc, code, lsign_last_error());
    assert_null(obj);
    assert_int_equal(lsign_last_error_code(), code);
    return lsign_last_error();
}

static lsi_pdf_obj *indirect_ok(const char *src, size_t len, uint32_t want_num, size_t *end)
{
    lsi_pdf_obj *obj = NULL;
    uint32_t num = 0;
    uint16_t gen = 99;
    size_t e = 0;
    int rc;

    load_n(src, len, 0);
    rc = lsi_pdf_parse_indirect(&fx.p, 0, &num, &gen, &obj, &e);
    if (rc != LSIGN_OK)
        fail_msg("parse_indirect = %d: %s", rc, lsign_last_error());
    assert_int_equal(num, want_num);
    assert_int_equal(gen, 0);
    assert_true(e <= fx.len);
    if (end != NULL)
        *end = e;
    return obj;
}

static const char *indirect_fails(const char *src, int code)
{
    lsi_pdf_obj *obj = (lsi_pdf_obj *)&obj;
    uint32_t num;
    uint16_t gen;
    size_t end;
    int rc;

    load(src);
    rc = lsi_pdf_parse_indirect(&fx.p, 0, &num, &gen, &obj, &end);
    if (rc != code)
        fail_msg("parse_indirect(\"%s\") = %d, expected %d (%s)", src, rc, code,
                 lsign_last_error());
    assert_null(obj);
    return lsign_last_error();
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* The stream's data as a C string (copied into a static buffer). */
static const char *stream_data(const lsi_pdf_obj *s)
{
    static char buf[256];

    assert_int_equal(s->type, LSI_PDF_STREAM);
    assert_true(s->u.stream.length_known);
    assert_true(s->u.stream.data_length < sizeof buf);
    memcpy(buf, fx.data + s->u.stream.data_offset, s->u.stream.data_length);
    buf[s->u.stream.data_length] = '\0';
    return buf;
}

/* ---- direct objects ---- */

static void test_scalars(void **state)
{
    size_t end;

    (void)state;
    assert_parses_to("null", "null");
    assert_parses_to("true", "true");
    assert_parses_to(" false ", "false");
    assert_parses_to("-98", "-98");
    assert_parses_to("34.5", "34.5");
    assert_parses_to("-.002", "-0.002");
    assert_parses_to("4.", "4.0");
    assert_parses_to("(a\\(b\\)\\n)", "(a\\(b\\)\\n)");
    assert_parses_to("(\\0053)", "(\\0053)");
    assert_parses_to("<901FA>", "<901FA0>");
    assert_parses_to("/Lime#20Green", "/Lime#20Green");
    assert_parses_to("/A#42", "/AB");
    assert_parses_to("%c\n12 0 R", "12 0 R");
    assert_int_equal(direct_ok("  42  ", &end)->offset, 2);
    assert_int_equal(end, 4);
}

static void test_arrays_and_dicts(void **state)
{
    const lsi_pdf_obj *d;
    const char *name;
    static const char src[] = "<< /Type /Page /Kids [1 0 R 2 0 R] /Count 2 /MediaBox [0 0 595.28 "
                              "841.89] /Nested << /A null >> >>";
    int64_t i;
    double r;

    (void)state;
    assert_parses_to("[]", "[]");
    assert_parses_to("<<>>", "<<>>");
    assert_parses_to("[1[2[3[]]]<</A[<</B 1>>]>>]", "[1 [2 [3 []]] <</A [<</B 1>>]>>]");
    d = direct_ok(src, NULL);
    assert_int_equal(d->type, LSI_PDF_DICT);
    assert_int_equal(lsi_pdf_count(d), 5);
    assert_true(lsi_pdf_name_is(lsi_pdf_dict_get(d, "Type"), "Page"));
    assert_true(lsi_pdf_get_name(lsi_pdf_dict_get(d, "Type"), &name, NULL));
    assert_string_equal(name, "Page");
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(d, "Count"), &i) && i == 2);
    assert_int_equal(lsi_pdf_count(lsi_pdf_dict_get(d, "Kids")), 2);
    assert_true(lsi_pdf_get_number(lsi_pdf_array_get(lsi_pdf_dict_get(d, "MediaBox"), 3), &r));
    assert_true(r == 841.89);
    assert_true(lsi_pdf_get_number(lsi_pdf_dict_get(d, "Count"), &r) && r == 2.0);
    assert_null(lsi_pdf_dict_get(d, "Missing"));
    assert_null(lsi_pdf_dict_get(d, "/Type")); /* keys are given without the slash */
    assert_null(lsi_pdf_array_get(lsi_pdf_dict_get(d, "Kids"), 2));
    assert_null(lsi_pdf_array_get(d, 0));
    assert_false(lsi_pdf_get_int(lsi_pdf_dict_get(d, "Type"), &i));
    assert_false(lsi_pdf_get_int(NULL, &i));
    assert_int_equal(lsi_pdf_dict_get(lsi_pdf_dict_get(d, "Nested"), "A")->type, LSI_PDF_NULL);
    assert_int_equal(lsi_pdf_dict_get(d, "Nested")->offset, strstr(src, "<< /A") - src);
}

static void test_references_and_integers(void **state)
{
    const lsi_pdf_obj *a;
    uint32_t num;
    uint16_t gen;
    int64_t i;

    (void)state;
    a = direct_ok("[1 0 R 2 3]", NULL);
    assert_int_equal(lsi_pdf_count(a), 3);
    assert_true(lsi_pdf_get_ref(lsi_pdf_array_get(a, 0), &num, &gen) && num == 1 && gen == 0);
    assert_true(lsi_pdf_get_int(lsi_pdf_array_get(a, 1), &i) && i == 2);
    assert_true(lsi_pdf_get_int(lsi_pdf_array_get(a, 2), &i) && i == 3);
    assert_parses_to("[1 2 3 R]", "[1 2 3 R]");
    assert_parses_to("[1 2 3 R 4]", "[1 2 3 R 4]");
    assert_parses_to("[1 0 R 2 0 R]", "[1 0 R 2 0 R]");
    assert_parses_to("[1 0 R%c\n2 0\nR]", "[1 0 R 2 0 R]");
    assert_parses_to("<</P 1 0 R/N 2>>", "<</P 1 0 R /N 2>>");
    assert_parses_to("[4294967295 65535 R]", "[4294967295 65535 R]");
    assert_parses_to("[1 0 /R]", "[1 0 /R]");
}

static void test_bad_references(void **state)
{
    (void)state;
    assert_contains(direct_fails("[-1 0 R]", LSIGN_E_PARSE), "unexpected 'R' at offset 6");
    direct_fails("[1 65536 R]", LSIGN_E_PARSE);
    direct_fails("[4294967296 0 R]", LSIGN_E_PARSE);
    direct_fails("[1.0 0 R]", LSIGN_E_PARSE);
    direct_fails("[R]", LSIGN_E_PARSE);
}

static void test_top_level_integer_is_not_a_reference(void **state)
{
    size_t end;
    const lsi_pdf_obj *o = direct_ok("1 0 obj", &end);

    (void)state;
    assert_int_equal(o->type, LSI_PDF_INT);
    assert_int_equal(end, 1);
    o = direct_ok("7 0", &end);
    assert_int_equal(o->u.integer, 7);
    assert_int_equal(end, 1);
    o = direct_ok("7 (unterminated", &end); /* the lookahead's error is not this object's */
    assert_int_equal(o->u.integer, 7);
    o = direct_ok("7 0 R", &end);
    assert_int_equal(o->type, LSI_PDF_REF);
    assert_int_equal(end, 5);
}

static void test_parse_at_offset(void **state)
{
    lsi_pdf_obj *obj;
    size_t end;

    (void)state;
    load("garbage ) << /A 1 >> trailing");
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 10, &obj, &end), LSIGN_OK);
    assert_int_equal(obj->offset, 10);
    assert_int_equal(end, 20);
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 8, &obj, &end), LSIGN_E_PARSE);
    assert_contains(lsign_last_error(), "unbalanced ')' at offset 8");
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 100, &obj, &end), LSIGN_E_PARSE);
    assert_contains(lsign_last_error(), "beyond the end");
    assert_int_equal(lsi_pdf_parse_object(&fx.p, fx.len, &obj, &end), LSIGN_E_PARSE);
    assert_contains(lsign_last_error(), "unexpected end of data");
}

static void test_duplicate_keys_keep_the_last(void **state)
{
    const lsi_pdf_obj *d;
    char src[8192];
    size_t n = 0, i;
    int64_t v;

    (void)state;
    d = direct_ok("<< /A 1 /B 2 /A 3 >>", NULL);
    assert_int_equal(lsi_pdf_count(d), 2);
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(d, "A"), &v) && v == 3);
    assert_true(d->flags & LSI_PDF_FLAG_DUPLICATE_KEYS);
    assert_int_equal(fx.p.warnings, 1);
    assert_true(fx.p.warning_flags & LSI_PDF_FLAG_DUPLICATE_KEYS);
    d = direct_ok("<< /A 1 /A#00 2 >>", NULL); /* different keys */
    assert_int_equal(lsi_pdf_count(d), 2);
    assert_false(d->flags & LSI_PDF_FLAG_DUPLICATE_KEYS);
    /* a large dictionary takes the sorting path: 300 keys, each twice */
    n += (size_t)snprintf(src + n, sizeof src - n, "<<");
    for (i = 0; i < 600; i++)
        n += (size_t)snprintf(src + n, sizeof src - n, "/K%zu %zu ", i % 300, i);
    snprintf(src + n, sizeof src - n, ">>");
    d = direct_ok(src, NULL);
    assert_int_equal(lsi_pdf_count(d), 300);
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(d, "K7"), &v) && v == 307);
    assert_true(d->flags & LSI_PDF_FLAG_DUPLICATE_KEYS);
}

static void test_structural_errors(void **state)
{
    (void)state;
    assert_string_equal(direct_fails(">>", LSIGN_E_PARSE), "PDF: '>>' without '<<' at offset 0");
    assert_contains(direct_fails("[1 >>", LSIGN_E_PARSE), "'>>' without '<<' at offset 3");
    assert_contains(direct_fails("<< /A ]", LSIGN_E_PARSE), "']' without '[' at offset 6");
    assert_contains(direct_fails("[1 2", LSIGN_E_PARSE),
                    "unterminated array (opened at offset 0) at offset 4");
    assert_contains(direct_fails("<< /A [1 2] /B 1", LSIGN_E_PARSE), "unterminated dictionary");
    assert_contains(direct_fails("<< /A (abc >>", LSIGN_E_PARSE),
                    "unterminated string at offset 6");
    assert_contains(direct_fails("<< /A >>", LSIGN_E_PARSE), "dictionary key without a value");
    assert_contains(direct_fails("<< 1 2 >>", LSIGN_E_PARSE),
                    "dictionary key is not a name at offset 3");
    assert_contains(direct_fails("<< /A 1 (B) 2 >>", LSIGN_E_PARSE), "key is not a name");
    assert_contains(direct_fails("{ 1 }", LSIGN_E_PARSE), "unexpected '{' or '}'");
    assert_contains(direct_fails("[obj]", LSIGN_E_PARSE), "unexpected 'obj' at offset 1");
    assert_contains(direct_fails("", LSIGN_E_PARSE), "unexpected end of data at offset 0");
    assert_contains(direct_fails("  % only a comment", LSIGN_E_PARSE), "unexpected end of data");
    direct_fails("endobj", LSIGN_E_PARSE);
    direct_fails("<< /A #20 >>", LSIGN_E_PARSE);
}

static void test_vietnamese_text_string(void **state)
{
    static const unsigned char want[] = {0xFE, 0xFF, 0x01, 0x10, 0x00, 0xE0, 0x00, 0x20,
                                         0x00, 0x4E, 0x1E, 0xB5, 0x00, 0x6E, 0x00, 0x67};
    const lsi_pdf_obj *d = direct_ok("<</Reason <FEFF0110 00E0 0020 004E 1EB5 006E 0067>>>", NULL);
    const unsigned char *bytes;
    size_t len;

    (void)state;
    assert_true(lsi_pdf_get_string(lsi_pdf_dict_get(d, "Reason"), &bytes, &len));
    assert_int_equal(len, sizeof want);
    assert_memory_equal(bytes, want, sizeof want);
    assert_true(lsi_pdf_dict_get(d, "Reason")->u.string.is_hex);
}

/* ---- limits ---- */

static char *repeated(char c, size_t n, const char *tail)
{
    char *s = malloc(n + strlen(tail) + 1);

    assert_non_null(s);
    memset(s, c, n);
    strcpy(s + n, tail);
    return s;
}

static void test_depth_limit(void **state)
{
    char *src = repeated('[', 10000, "");
    clock_t start = clock();

    (void)state;
    assert_string_equal(direct_fails(src, LSIGN_E_LIMIT),
                        "PDF: nesting deeper than 256 at offset 256");
    assert_true(clock() - start < CLOCKS_PER_SEC); /* quickly */
    free(src);
    src = repeated('[', 256, "");
    src = realloc(src, 513);
    assert_non_null(src);
    memset(src + 256, ']', 256);
    src[512] = '\0';
    direct_ok(src, NULL); /* exactly 256 levels: allowed */
    free(src);
    src = repeated('[', 5000, "");
    memset(src, '<', 4000); /* 2000 dictionary levels, then arrays: "<<<<...[[[" */
    direct_fails(src, LSIGN_E_LIMIT);
    free(src);
}

static void test_depth_limit_from_context(void **state)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx;
    lsi_pdf_obj *obj;
    size_t end;

    (void)state;
    o.max_depth = 3;
    assert_int_equal(lsign_ctx_new(&ctx, &o), LSIGN_OK);
    load("[[[1]]]");
    lsi_pdf_parser_init(&fx.p, ctx, fx.data, fx.len, fx.arena);
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 0, &obj, &end), LSIGN_OK);
    lsi_pdf_parser_cleanup(&fx.p);
    load("[[[[1]]]]");
    lsi_pdf_parser_init(&fx.p, ctx, fx.data, fx.len, fx.arena);
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 0, &obj, &end), LSIGN_E_LIMIT);
    assert_string_equal(lsign_last_error(), "PDF: nesting deeper than 3 at offset 3");
    lsign_ctx_free(ctx);
}

static void test_entry_limit(void **state)
{
    lsi_pdf_obj *obj;
    size_t end;

    (void)state;
    load("[1 2 3 4 5]");
    fx.p.max_entries = 5;
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 0, &obj, &end), LSIGN_OK);
    load("[1 2 3 4 5 6]");
    fx.p.max_entries = 5;
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 0, &obj, &end), LSIGN_E_LIMIT);
    assert_string_equal(lsign_last_error(), "PDF: array with more than 5 entries at offset 11");
    load("<</a 1/b 2/c 3>>");
    fx.p.max_entries = 2;
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 0, &obj, &end), LSIGN_E_LIMIT);
    assert_contains(lsign_last_error(), "dictionary with more than 2 entries");
}

static void test_arena_limit(void **state)
{
    char *src = malloc(20001);
    lsi_pdf_obj *obj;
    size_t end, i;

    (void)state;
    assert_non_null(src);
    src[0] = '[';
    for (i = 1; i < 19999; i += 2)
        memcpy(src + i, "1 ", 2);
    strcpy(src + 19999, "]");
    load_n(src, strlen(src), 4096);
    assert_int_equal(lsi_pdf_parse_object(&fx.p, 0, &obj, &end), LSIGN_E_LIMIT);
    assert_string_equal(lsign_last_error(), "PDF: more than 4096 bytes of objects");
    assert_null(obj);
    free(src);
}

/* ---- indirect objects ---- */

static void test_indirect_objects(void **state)
{
    const char *src = "12 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n13 0 obj";
    const lsi_pdf_obj *o;
    size_t end;

    (void)state;
    o = indirect_ok(src, strlen(src), 12, &end);
    assert_true(lsi_pdf_name_is(lsi_pdf_dict_get(o, "Type"), "Catalog"));
    assert_int_equal(end, 49);
    assert_int_equal(o->flags, 0);
    o = indirect_ok("5 0 obj 42 endobj", 17, 5, &end);
    assert_int_equal(o->u.integer, 42);
    assert_int_equal(end, 17);
    o = indirect_ok("5 0 obj 6 0 R endobj", 20, 5, &end);
    assert_int_equal(o->type, LSI_PDF_REF);
    o = indirect_ok("5 0 obj(x)endobj", 16, 5, &end);
    assert_int_equal(o->type, LSI_PDF_STRING);
    o = indirect_ok("5 0 obj<</A 1>>endobj", 21, 5, &end);
    assert_int_equal(end, 21);
    o = indirect_ok("  %c\n4294967295 0 obj null endobj", 33, UINT32_MAX, &end);
    assert_int_equal(fx.p.warnings, 0);
}

static void test_missing_endobj_is_a_warning(void **state)
{
    const lsi_pdf_obj *o;
    size_t end;

    (void)state;
    o = indirect_ok("5 0 obj << /A 1 >>\n6 0 obj", 26, 5, &end);
    assert_true(o->flags & LSI_PDF_FLAG_NO_ENDOBJ);
    assert_int_equal(end, 18);
    assert_int_equal(fx.p.warnings, 1);
    o = indirect_ok("5 0 obj 42", 10, 5, &end);
    assert_true(o->flags & LSI_PDF_FLAG_NO_ENDOBJ);
}

static void test_indirect_errors_name_the_object(void **state)
{
    (void)state;
    assert_string_equal(indirect_fails("12 0 obj\n(abc", LSIGN_E_PARSE),
                        "PDF object 12 0 at offset 9: unterminated string");
    assert_string_equal(indirect_fails("12 0 obj [[1 >> endobj", LSIGN_E_PARSE),
                        "PDF object 12 0 at offset 13: '>>' without '<<'");
    assert_contains(indirect_fails("12 obj 5 endobj", LSIGN_E_PARSE),
                    "expected 'N G obj' at offset 0");
    assert_contains(indirect_fails("-1 0 obj 5 endobj", LSIGN_E_PARSE), "out of range");
    assert_contains(indirect_fails("1 70000 obj 5 endobj", LSIGN_E_PARSE), "out of range");
    indirect_fails("12 0 R", LSIGN_E_PARSE);
    indirect_fails("abc", LSIGN_E_PARSE);
    indirect_fails("", LSIGN_E_PARSE);
    assert_contains(indirect_fails("(x 0 obj", LSIGN_E_PARSE), "expected 'N G obj'");
    assert_contains(indirect_fails("3 0 obj endobj", LSIGN_E_PARSE),
                    "PDF object 3 0 at offset 8: unexpected 'endobj'");
}

/* ---- streams ---- */

static void test_stream_lf(void **state)
{
    const char *src = "1 0 obj\n<< /Length 5 >>\nstream\nHello\nendstream\nendobj\n";
    const lsi_pdf_obj *s;
    int64_t len;
    size_t end;

    (void)state;
    s = indirect_ok(src, strlen(src), 1, &end);
    assert_string_equal(stream_data(s), "Hello");
    assert_int_equal(s->u.stream.data_offset, 31);
    assert_int_equal(s->u.stream.declared_length, 5);
    assert_null(s->u.stream.length_ref);
    assert_int_equal(s->flags, 0);
    assert_int_equal(end, strlen(src) - 1);
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(s, "Length"), &len) && len == 5);
    assert_int_equal(lsi_pdf_count(s), 1);
    assert_int_equal(s->u.stream.num, 1);
    assert_int_equal(fx.p.warnings, 0);
    assert_string_equal(printed(s), "<</Length 5>> stream");
}

static void test_stream_crlf_and_lone_cr(void **state)
{
    const char *crlf = "2 0 obj<</Length 4>>stream\r\n\r\nAB\r\nendstream endobj";
    const char *cr = "2 0 obj<</Length 2>>stream\rABendstream endobj";
    const lsi_pdf_obj *s;

    (void)state;
    s = indirect_ok(crlf, strlen(crlf), 2, NULL);
    assert_string_equal(stream_data(s), "\r\nAB"); /* data may start with CRLF itself */
    assert_int_equal(s->flags, 0);
    s = indirect_ok(cr, strlen(cr), 2, NULL);
    assert_string_equal(stream_data(s), "AB");
    assert_true(s->flags & LSI_PDF_FLAG_STREAM_CR);
    assert_int_equal(fx.p.warnings, 1);
    assert_contains(
        indirect_fails("2 0 obj<</Length 2>>stream AB\nendstream endobj", LSIGN_E_PARSE),
        "PDF object 2 0 at offset 26: 'stream' not followed by an end-of-line");
    indirect_fails("2 0 obj<</Length 2>>stream", LSIGN_E_PARSE);
    assert_contains(indirect_fails("2 0 obj 5 stream\nAB\nendstream endobj", LSIGN_E_PARSE),
                    "stream without a dictionary");
}

static void test_stream_wrong_length_is_repaired(void **state)
{
    const char *shorter = "3 0 obj<</Length 3>>stream\nHello\r\nendstream\nendobj";
    const char *longer = "3 0 obj<</Length 100>>stream\nHello\nendstream\nendobj";
    const char *missing = "3 0 obj<</Filter/FlateDecode>>stream\nHello\rendstream\nendobj";
    const char *negative = "3 0 obj<</Length -5>>stream\nHelloendstream endobj";
    const lsi_pdf_obj *s;
    size_t end;

    (void)state;
    s = indirect_ok(shorter, strlen(shorter), 3, &end);
    assert_string_equal(stream_data(s), "Hello");
    assert_true(s->flags & LSI_PDF_FLAG_LENGTH_REPAIRED);
    assert_int_equal(s->u.stream.declared_length, 3);
    assert_int_equal(end, strlen(shorter));
    s = indirect_ok(longer, strlen(longer), 3, NULL);
    assert_string_equal(stream_data(s), "Hello");
    assert_true(fx.p.warning_flags & LSI_PDF_FLAG_LENGTH_REPAIRED);
    s = indirect_ok(missing, strlen(missing), 3, NULL);
    assert_string_equal(stream_data(s), "Hello");
    assert_int_equal(s->u.stream.declared_length, -1);
    s = indirect_ok(negative, strlen(negative), 3, NULL);
    assert_string_equal(stream_data(s), "Hello");
    assert_contains(indirect_fails("3 0 obj<</Length 5>>stream\nHello endstreamX", LSIGN_E_PARSE),
                    "PDF object 3 0 at offset 27: stream without endstream");
}

static void test_stream_length_trusted_when_right(void **state)
{
    /* the data contains "endstream": a right /Length must win over searching */
    const char *src = "4 0 obj<</Length 19>>stream\nab\nendstream\nendobj\nendstream\nendobj";
    const char *tight = "4 0 obj<</Length 5>>stream\nHelloendstream endobj";
    const lsi_pdf_obj *s;

    (void)state;
    s = indirect_ok(src, strlen(src), 4, NULL);
    assert_string_equal(stream_data(s), "ab\nendstream\nendobj");
    assert_int_equal(s->flags, 0);
    s = indirect_ok(tight, strlen(tight), 4, NULL);
    assert_string_equal(stream_data(s), "Hello");
    assert_int_equal(s->flags, 0);
}

static void test_stream_indirect_length(void **state)
{
    const char *src = "7 0 obj\n<< /Length 8 0 R >>\nstream\nHello\nendstream\nendobj\n";
    lsi_pdf_obj *s;
    uint32_t num;
    uint16_t gen;
    size_t end;

    (void)state;
    s = indirect_ok(src, strlen(src), 7, &end);
    assert_int_equal(s->type, LSI_PDF_STREAM);
    assert_false(s->u.stream.length_known);
    assert_int_equal(s->u.stream.declared_length, -1);
    assert_true(lsi_pdf_get_ref(s->u.stream.length_ref, &num, &gen) && num == 8 && gen == 0);
    assert_int_equal(s->u.stream.data_offset, 35);
    assert_int_equal(end, 35);
    assert_int_equal(s->flags, 0);
    /* what the document layer does once it has resolved 8 0 R */
    assert_int_equal(lsi_pdf_parse_stream_end(&fx.p, s, 5, &end), LSIGN_OK);
    assert_string_equal(stream_data(s), "Hello");
    assert_int_equal(end, strlen(src) - 1);
    assert_int_equal(s->flags, 0);
    s->u.stream.length_known = 0;
    assert_int_equal(lsi_pdf_parse_stream_end(&fx.p, s, 2, &end), LSIGN_OK); /* a wrong one */
    assert_string_equal(stream_data(s), "Hello");
    assert_true(s->flags & LSI_PDF_FLAG_LENGTH_REPAIRED);
    assert_int_equal(lsi_pdf_parse_stream_end(&fx.p, s, INT64_MAX, &end), LSIGN_OK);
    assert_string_equal(stream_data(s), "Hello");
}

/* A failed search for endstream is remembered, and does not hide an earlier endstream. */
static void test_endstream_search_is_remembered(void **state)
{
    const char *src = "1 0 obj<</Length 1>>stream\nAB\nendstream endobj\n"
                      "2 0 obj<</Length 1>>stream\nCD no end";
    size_t second = (size_t)(strstr(src, "2 0 obj") - src), end;
    lsi_pdf_obj *obj;
    uint32_t num;
    uint16_t gen;

    (void)state;
    load(src);
    assert_int_equal(lsi_pdf_parse_indirect(&fx.p, second, &num, &gen, &obj, &end), LSIGN_E_PARSE);
    assert_contains(lsign_last_error(), "PDF object 2 0 at offset");
    assert_int_equal(fx.p.no_endstream_from, second + 27);
    assert_int_equal(lsi_pdf_parse_indirect(&fx.p, second, &num, &gen, &obj, &end), LSIGN_E_PARSE);
    assert_int_equal(lsi_pdf_parse_indirect(&fx.p, 0, &num, &gen, &obj, &end), LSIGN_OK);
    assert_string_equal(stream_data(obj), "AB");
    assert_int_equal(end, second - 1);
}

/* ---- damage: truncation and garbage ---- */

static const char sample[] =
    "10 0 obj\n"
    "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n"
    "   /ByteRange [0 1234 5678 90] /Contents <3082 01ab>\n"
    "   /Reason <FEFF0110 00E0> /Name (Nguy\\ADn V\\(n\\) A) /M (D:20240101120000+07'00')\n"
    "   /Reference [<< /Type /SigRef /TransformParams << /P 2 /V /1.2 >> >>]\n"
    "   /Prop_Build << /App << /Name /Lime#20Green /R 65536 /OS [/Win] >> >> /Real -.5\n"
    "   /Length 11 >>\n"
    "stream\r\n"
    "0123456789A\n"
    "endstream\n"
    "endobj\n";

/* Every prefix of a real-looking object parses or fails cleanly, both ways. */
static void test_every_prefix_of_an_object(void **state)
{
    size_t len = sizeof sample - 1, cut, ok = 0;
    lsi_pdf_obj *obj;
    uint32_t num;
    uint16_t gen;
    size_t end;

    (void)state;
    for (cut = 0; cut <= len; cut++) {
        load_n(sample, cut, 1 << 20);
        if (lsi_pdf_parse_indirect(&fx.p, 0, &num, &gen, &obj, &end) == LSIGN_OK) {
            assert_true(end <= cut);
            ok++;
        } else {
            assert_null(obj);
        }
        if (lsi_pdf_parse_object(&fx.p, 0, &obj, &end) == LSIGN_OK)
            assert_true(end <= cut);
    }
    assert_true(ok >= 1);
    load_n(sample, len, 0);
    assert_int_equal(lsi_pdf_parse_indirect(&fx.p, 0, &num, &gen, &obj, &end), LSIGN_OK);
    assert_int_equal(num, 10);
    assert_string_equal(stream_data(obj), "0123456789A");
    assert_int_equal(fx.p.warnings, 0);
    assert_int_equal(end, len - 1);
}

static uint32_t next_random(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

static void test_garbage(void **state)
{
    static const char alphabet[] = "<<>>[]()/\\#%0123456789.+-R obj endobj stream\r\n\x00\xff";
    static const char *const fixed[] = {"\xff\xfe\xfd", ")))",  ">>>>",        "<<<<",
                                        "]]]]",         "\\\\", "%%EOF",       "#",
                                        "/#",           "<>>",  "<< /A << /B", "0 0 R R R"};
    unsigned char buf[128];
    uint32_t seed = 4;
    lsi_pdf_obj *obj;
    uint32_t num;
    uint16_t gen;
    size_t i, k, end;

    (void)state;
    for (i = 0; i < ARRAY_LEN(fixed); i++) {
        load(fixed[i]);
        (void)lsi_pdf_parse_object(&fx.p, 0, &obj, &end);
        (void)lsi_pdf_parse_indirect(&fx.p, 0, &num, &gen, &obj, &end);
    }
    for (i = 0; i < 3000; i++) {
        size_t n = next_random(&seed) % sizeof buf;

        for (k = 0; k < n; k++)
            buf[k] = i % 2 ? (unsigned char)next_random(&seed)
                           : (unsigned char)alphabet[next_random(&seed) % (sizeof alphabet - 1)];
        load_n(buf, n, 1 << 16);
        if (lsi_pdf_parse_object(&fx.p, 0, &obj, &end) == LSIGN_OK)
            assert_true(end <= n);
        if (lsi_pdf_parse_indirect(&fx.p, 0, &num, &gen, &obj, &end) == LSIGN_OK)
            assert_true(end <= n);
    }
}

/* ---- printing ---- */

static void test_print(void **state)
{
    char small[16];
    const lsi_pdf_obj *o;
    size_t n;

    (void)state;
    o = direct_ok("<</N /A#20B#23 /S (a\\)\\\\\x01\xff) /R [true null 1.5 -0.25 7 0 R]>>", NULL);
    assert_string_equal(printed(o), "<</N /A#20B#23 /S (a\\)\\\\\\001\\377) /R [true null 1.5 "
                                    "-0.25 7 0 R]>>");
    n = lsi_pdf_obj_print(o, small, sizeof small);
    assert_int_equal(n, 15);
    assert_string_equal(small, "<</N /A#20B#...");
    assert_int_equal(lsi_pdf_obj_print(o, small, 1), 0);
    assert_string_equal(small, "");
    assert_int_equal(lsi_pdf_obj_print(o, small, 0), 0);
    assert_string_equal(printed(direct_ok("(\\000)", NULL)), "(\\000)");
    assert_string_equal(printed(direct_ok("/", NULL)), "/");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arrays_and_dicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_references_and_integers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_references, setup, teardown),
        cmocka_unit_test_setup_teardown(test_top_level_integer_is_not_a_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_at_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_keys_keep_the_last, setup, teardown),
        cmocka_unit_test_setup_teardown(test_structural_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vietnamese_text_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit_from_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_endobj_is_a_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_errors_name_the_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_lf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_crlf_and_lone_cr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_wrong_length_is_repaired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_length_trusted_when_right, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_indirect_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endstream_search_is_remembered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_prefix_of_an_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
