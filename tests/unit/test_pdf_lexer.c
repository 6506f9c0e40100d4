/* PDF lexer (ISO 32000-2 7.2-7.3) and its arena: every token kind, the spec's examples, errors. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "pdf/arena.h"
#include "pdf/lexer.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static lsi_arena *arena;

static int setup(void **state)
{
    (void)state;
    arena = lsi_arena_new(0);
    return arena == NULL;
}

static int teardown(void **state)
{
    (void)state;
    lsi_arena_free(arena);
    arena = NULL;
    return 0;
}

/* The input in a heap block of exactly its length, so ASan sees any read past the end. */
static unsigned char *exact_copy(const void *src, size_t len)
{
    unsigned char *copy = malloc(len > 0 ? len : 1);

    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, src, len);
    return copy;
}

/* Lexes `len` bytes of `src` into at most `max` tokens; returns the number, EOF excluded. */
static size_t lex_all(const void *src, size_t len, lsi_pdf_token *toks, size_t max)
{
    unsigned char *data = exact_copy(src, len);
    lsi_pdf_lexer lx;
    size_t n = 0;

    lsi_pdf_lexer_init(&lx, data, len, arena);
    for (;;) {
        lsi_pdf_token tok;
        int rc = lsi_pdf_lexer_next(&lx, &tok);

        if (rc != LSIGN_OK)
            fail_msg("lexing \"%.*s\": %d %s", (int)len, (const char *)src, rc, lsign_last_error());
        if (tok.type == LSI_TOK_EOF)
            break;
        assert_true(n < max);
        if (tok.type == LSI_TOK_KEYWORD) /* keywords point into the input, freed below */
            tok.bytes = lsi_arena_memdup(arena, tok.bytes, tok.len);
        toks[n++] = tok;
    }
    free(data);
    return n;
}

static lsi_pdf_token lex_one_n(const void *src, size_t len)
{
    lsi_pdf_token toks[2];

    assert_int_equal(lex_all(src, len, toks, ARRAY_LEN(toks)), 1);
    return toks[0];
}

static lsi_pdf_token lex_one(const char *src)
{
    return lex_one_n(src, strlen(src));
}

/* Lexes tokens of `src` until one fails with `code`; returns the message. */
static const char *lex_fails(const char *src, int code)
{
    size_t len = strlen(src);
    unsigned char *data = exact_copy(src, len);
    lsi_pdf_lexer lx;
    lsi_pdf_token tok;
    int rc;

    lsi_pdf_lexer_init(&lx, data, len, arena);
    do
        rc = lsi_pdf_lexer_next(&lx, &tok);
    while (rc == LSIGN_OK && tok.type != LSI_TOK_EOF);
    free(data);
    if (rc != code)
        fail_msg("lexing \"%s\" = %d, expected %d (%s)", src, rc, code, lsign_last_error());
    assert_int_equal(lsign_last_error_code(), code);
    return lsign_last_error();
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void assert_string_token(const char *src, const void *want, size_t want_len)
{
    lsi_pdf_token tok = lex_one(src);

    assert_true(tok.type == LSI_TOK_STRING || tok.type == LSI_TOK_HEX_STRING);
    if (tok.len != want_len || memcmp(tok.bytes, want, want_len) != 0)
        fail_msg("%s decodes to %zu bytes \"%.*s\", expected %zu", src, tok.len, (int)tok.len,
                 (const char *)tok.bytes, want_len);
    assert_int_equal(tok.bytes[tok.len], 0); /* NUL-terminated too */
}

static void assert_name(const char *src, const void *want, size_t want_len)
{
    lsi_pdf_token tok = lex_one(src);

    assert_int_equal(tok.type, LSI_TOK_NAME);
    if (tok.len != want_len || memcmp(tok.bytes, want, want_len) != 0)
        fail_msg("%s decodes to \"%.*s\"", src, (int)tok.len, (const char *)tok.bytes);
    assert_int_equal(tok.bytes[tok.len], 0);
}

/* ---- numbers ---- */

static void test_integers_from_the_spec(void **state)
{
    static const int64_t want[] = {123, 43445, 17, -98, 0};
    lsi_pdf_token toks[8];
    size_t i;

    (void)state;
    assert_int_equal(lex_all("123 43445 +17 -98 0", 19, toks, 8), 5);
    for (i = 0; i < ARRAY_LEN(want); i++) {
        assert_int_equal(toks[i].type, LSI_TOK_INT);
        assert_true(toks[i].integer == want[i]);
    }
}

static void test_reals_from_the_spec(void **state)
{
    static const double want[] = {34.5, -3.62, 123.6, 4.0, -0.002, 0.0, 0.5, -3.0, 1.25};
    const char *src = "34.5 -3.62 +123.6 4. -.002 0.0 .5 -3. +1.25";
    lsi_pdf_token toks[12];
    size_t i;

    (void)state;
    assert_int_equal(lex_all(src, strlen(src), toks, 12), ARRAY_LEN(want));
    for (i = 0; i < ARRAY_LEN(want); i++) {
        assert_int_equal(toks[i].type, LSI_TOK_REAL);
        assert_true(toks[i].real == want[i]); /* exact: correctly rounded division */
    }
}

static void test_int64_limits(void **state)
{
    (void)state;
    assert_true(lex_one("9223372036854775807").integer == INT64_MAX);
    assert_true(lex_one("-9223372036854775808").integer == INT64_MIN);
    assert_true(lex_one("+0009223372036854775807").integer == INT64_MAX);
    assert_contains(lex_fails("9223372036854775808", LSIGN_E_PARSE),
                    "integer out of range at offset 0");
    lex_fails("-9223372036854775809", LSIGN_E_PARSE);
    lex_fails("1 99999999999999999999999999", LSIGN_E_PARSE);
}

static void test_huge_reals(void **state)
{
    char digits[400];

    (void)state;
    memset(digits, '9', sizeof digits - 3);
    memcpy(digits + sizeof digits - 3, ".5", 3);
    lex_fails(digits, LSIGN_E_PARSE); /* beyond any double */
    digits[0] = '.';                  /* tiny, but fine: 0.99999... */
    digits[sizeof digits - 3] = '\0';
    assert_int_equal(lex_one(digits).type, LSI_TOK_REAL);
}

static void test_malformed_numbers(void **state)
{
    static const char *const bad[] = {"1.2.3", "+", "-", ".", "--1", "12abc", "+-1", "1e5", "0x10"};
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(bad); i++)
        assert_contains(lex_fails(bad[i], LSIGN_E_PARSE), "malformed number");
}

static void test_number_ends_at_delimiter(void **state)
{
    lsi_pdf_token toks[4];

    (void)state;
    assert_int_equal(lex_all("[12/A]", 6, toks, 4), 4);
    assert_int_equal(toks[1].type, LSI_TOK_INT);
    assert_int_equal(toks[1].integer, 12);
    assert_int_equal(toks[2].type, LSI_TOK_NAME);
}

/* ---- literal strings (7.3.4.2, with its examples) ---- */

#define S(lit) lit, sizeof(lit) - 1

static void test_literal_strings_from_the_spec(void **state)
{
    (void)state;
    assert_string_token("(This is a string)", S("This is a string"));
    assert_string_token("(Strings may contain newlines\nand such.)",
                        S("Strings may contain newlines\nand such."));
    assert_string_token(
        "(Strings may contain balanced parentheses ( ) and\nspecial characters (*!&}^% and so "
        "on).)",
        S("Strings may contain balanced parentheses ( ) and\nspecial characters (*!&}^% and so "
          "on)."));
    assert_string_token("(The following is an empty string .)",
                        S("The following is an empty string ."));
    assert_string_token("()", S(""));
    assert_string_token("(It has zero (0) length.)", S("It has zero (0) length."));
    assert_string_token("(These \\\n two strings are the same.)",
                        S("These  two strings are the same."));
    assert_string_token("(These two strings are the same.)", S("These two strings are the same."));
    assert_string_token("(This string has an end-of-line at the end of it.\n)",
                        S("This string has an end-of-line at the end of it.\n"));
    assert_string_token("(So does this one.\\n)", S("So does this one.\n"));
    assert_string_token("(This string contains \\245two octal characters\\307.)",
                        S("This string contains \245two octal characters\307."));
}

static void test_octal_escapes(void **state)
{
    (void)state;
    assert_string_token("(\\053)", S("+"));
    assert_string_token("(\\0053)", S("\005"
                                      "3"));
    assert_string_token("(\\53)", S("+"));
    assert_string_token("(\\5)", S("\005"));
    assert_string_token("(\\5x)", S("\005x"));
    assert_string_token("(\\000)", "\0", 1);
    assert_string_token("(\\777)", S("\377")); /* high-order overflow ignored */
    assert_string_token("(\\1234)", S("S4"));
    assert_string_token("(\\8)", S("8")); /* not octal: the backslash is ignored */
}

static void test_character_escapes(void **state)
{
    (void)state;
    assert_string_token("(\\n\\r\\t\\b\\f\\(\\)\\\\)", S("\n\r\t\b\f()\\"));
    assert_string_token("(\\q\\ \\%)", S("q %")); /* unknown escapes: backslash ignored */
    assert_string_token("(a\\(b)", S("a(b"));     /* an escaped, unbalanced parenthesis */
    assert_string_token("(a\\)b)", S("a)b"));
    assert_string_token("(a\\\\)", S("a\\"));
}

static void test_end_of_line_in_strings(void **state)
{
    (void)state;
    /* A bare EOL of any kind reads as one LF; LF then CR is two EOLs. */
    assert_string_token("(a\rb\r\nc\nd\n\re)", S("a\nb\nc\nd\n\ne"));
    /* Backslash-EOL continues the line, for CR, LF and CRLF alike. */
    assert_string_token("(a\\\rb\\\nc\\\r\nd)", S("abcd"));
    assert_string_token("(a\\\r\n\nb)", S("a\nb"));
    assert_string_token("(a\\\r)", S("a"));
}

/* `levels` nested parentheses: "((...))" */
static char *nested_string(size_t levels)
{
    char *s = malloc(2 * levels + 1);
    size_t i;

    assert_non_null(s);
    for (i = 0; i < levels; i++) {
        s[i] = '(';
        s[levels + i] = ')';
    }
    s[2 * levels] = '\0';
    return s;
}

static void test_nested_parentheses(void **state)
{
    char *deep;

    (void)state;
    assert_string_token("(a(b(c)d)e)", S("a(b(c)d)e"));
    assert_string_token("(())", S("()"));
    deep = nested_string(256); /* allowed */
    assert_int_equal(lex_one(deep).len, 510);
    free(deep);
    deep = nested_string(257);
    assert_contains(lex_fails(deep, LSIGN_E_LIMIT),
                    "PDF: parentheses in a string nested deeper than 256 at offset 256");
    free(deep);
    deep = nested_string(100000); /* fails fast, no recursion */
    lex_fails(deep, LSIGN_E_LIMIT);
    free(deep);
}

static void test_string_with_nul_bytes(void **state)
{
    lsi_pdf_token tok;

    (void)state;
    tok = lex_one_n("(a\0b)", 5);
    assert_int_equal(tok.type, LSI_TOK_STRING);
    assert_int_equal(tok.len, 3);
    assert_memory_equal(tok.bytes, "a\0b", 3);
}

static void test_unterminated_strings(void **state)
{
    (void)state;
    assert_contains(lex_fails("(abc", LSIGN_E_PARSE), "PDF: unterminated string at offset 0");
    assert_contains(lex_fails("  (a(b)", LSIGN_E_PARSE), "unterminated string at offset 2");
    lex_fails("(abc\\)", LSIGN_E_PARSE);
    lex_fails("(abc\\", LSIGN_E_PARSE);
    assert_contains(lex_fails("abc)", LSIGN_E_PARSE), "unbalanced ')' at offset 3");
}

/* ---- hex strings (7.3.4.3) ---- */

static void test_hex_strings(void **state)
{
    (void)state;
    assert_string_token("<4E6F762073686D6F7A206B6120706F702E>", S("Nov shmoz ka pop."));
    assert_string_token("<901FA3>", S("\x90\x1f\xa3"));
    assert_string_token("<901FA>", S("\x90\x1f\xa0")); /* odd final digit: padded with 0 */
    assert_string_token("<9 0\n1f\r\ta\f3 >", S("\x90\x1f\xa3"));
    assert_string_token("<>", S(""));
    assert_string_token("< >", S(""));
    assert_string_token("<00>", "\0", 1);
    assert_int_equal(lex_one("<abcd>").type, LSI_TOK_HEX_STRING);
}

static void test_vietnamese_utf16_hex_string(void **state)
{
    /* "Đà Nẵng" as a PDF text string: UTF-16BE with a byte order mark */
    static const unsigned char want[] = {0xFE, 0xFF, 0x01, 0x10, 0x00, 0xE0, 0x00, 0x20,
                                         0x00, 0x4E, 0x1E, 0xB5, 0x00, 0x6E, 0x00, 0x67};

    (void)state;
    assert_string_token("<FEFF011000E00020004E1EB5006E0067>", want, sizeof want);
    assert_string_token("<feff011000e00020004e1eb5006e0067>", want, sizeof want);
}

static void test_bad_hex_strings(void **state)
{
    (void)state;
    assert_contains(lex_fails("<12G4>", LSIGN_E_PARSE),
                    "invalid character in hex string at offset 3");
    assert_contains(lex_fails("<1234", LSIGN_E_PARSE), "unterminated hex string at offset 0");
    lex_fails("<", LSIGN_E_PARSE);
    lex_fails("<12<34>>", LSIGN_E_PARSE);
}

/* ---- names (7.3.5, table 4) ---- */

static void test_names_from_the_spec(void **state)
{
    (void)state;
    assert_name("/Name1", S("Name1"));
    assert_name("/ASomewhatLongerName", S("ASomewhatLongerName"));
    assert_name("/A;Name_With-Various***Characters?", S("A;Name_With-Various***Characters?"));
    assert_name("/1.2", S("1.2"));
    assert_name("/$$", S("$$"));
    assert_name("/@pattern", S("@pattern"));
    assert_name("/.notdef", S(".notdef"));
    assert_name("/Lime#20Green", S("Lime Green"));
    assert_name("/paired#28#29parentheses", S("paired()parentheses"));
    assert_name("/The_Key_of_F#23_Minor", S("The_Key_of_F#_Minor"));
    assert_name("/A#42", S("AB"));
    assert_name("/a#2f#2F", S("a//"));
}

static void test_name_edge_cases(void **state)
{
    lsi_pdf_token toks[6];

    (void)state;
    assert_name("/", S(""));
    assert_name("/ ", S(""));
    assert_name("/A#00B", "A\0B", 3);
    assert_name("/\xc4\x90\xc3\xa0", S("\xc4\x90\xc3\xa0")); /* raw UTF-8 bytes are regular */
    assert_int_equal(lex_all("/Name1/Name2//(x)", 17, toks, 6), 5);
    assert_int_equal(toks[0].len, 5);
    assert_int_equal(toks[1].len, 5);
    assert_int_equal(toks[2].len, 0);
    assert_int_equal(toks[3].len, 0);
    assert_int_equal(toks[4].type, LSI_TOK_STRING);
    assert_int_equal(lex_all("/A\0B", 4, toks, 6), 2); /* NUL is whitespace: it ends a name */
    assert_int_equal(toks[0].len, 1);
    assert_int_equal(toks[1].type, LSI_TOK_KEYWORD);
}

static void test_bad_name_escapes(void **state)
{
    (void)state;
    assert_contains(lex_fails("/A#", LSIGN_E_PARSE),
                    "'#' in a name not followed by two hex digits at offset 2");
    lex_fails("/A#2", LSIGN_E_PARSE);
    lex_fails("/A#2 0", LSIGN_E_PARSE);
    lex_fails("/A#G0", LSIGN_E_PARSE);
    lex_fails("/A#0G", LSIGN_E_PARSE);
    lex_fails("/#", LSIGN_E_PARSE);
}

/* ---- keywords, delimiters, comments, whitespace ---- */

static void test_keywords(void **state)
{
    static const char *const words[] = {
        "true", "false",   "null",      "obj", "endobj", "stream", "endstream", "R",
        "xref", "trailer", "startxref", "f",   "n",      "BT",     "Tj*",       "\x80\xff"};
    const char *src = "true false null obj endobj stream endstream R xref trailer startxref f n "
                      "BT Tj* \x80\xff";
    lsi_pdf_token toks[20];
    size_t i, n = lex_all(src, strlen(src), toks, 20);

    (void)state;
    assert_int_equal(n, ARRAY_LEN(words));
    for (i = 0; i < n; i++) {
        assert_int_equal(toks[i].type, LSI_TOK_KEYWORD);
        assert_int_equal(toks[i].len, strlen(words[i]));
        assert_memory_equal(toks[i].bytes, words[i], toks[i].len);
    }
}

static void test_tok_is(void **state)
{
    lsi_pdf_token tok = lex_one("endobj");

    (void)state;
    assert_true(lsi_pdf_tok_is(&tok, "endobj"));
    assert_false(lsi_pdf_tok_is(&tok, "endob"));
    assert_false(lsi_pdf_tok_is(&tok, "endobjx"));
    tok = lex_one("/endobj");
    assert_false(lsi_pdf_tok_is(&tok, "endobj"));
}

static void test_delimiters(void **state)
{
    static const lsi_pdf_tok_type want[] = {
        LSI_TOK_ARRAY_OPEN, LSI_TOK_ARRAY_CLOSE, LSI_TOK_DICT_OPEN, LSI_TOK_DICT_CLOSE,
        LSI_TOK_BRACE_OPEN, LSI_TOK_BRACE_CLOSE, LSI_TOK_DICT_OPEN, LSI_TOK_DICT_CLOSE,
        LSI_TOK_ARRAY_OPEN, LSI_TOK_ARRAY_CLOSE, LSI_TOK_DICT_OPEN, LSI_TOK_DICT_OPEN,
        LSI_TOK_DICT_CLOSE, LSI_TOK_DICT_CLOSE,  LSI_TOK_HEX_STRING};
    const char *src = "[ ] << >> { }<<>>[]<<<<>>>><>";
    lsi_pdf_token toks[20];
    size_t i;

    (void)state;
    assert_int_equal(lex_all(src, strlen(src), toks, 20), ARRAY_LEN(want));
    for (i = 0; i < ARRAY_LEN(want); i++)
        assert_int_equal(toks[i].type, want[i]);
    assert_contains(lex_fails("<< >", LSIGN_E_PARSE), "unexpected '>' at offset 3");
}

static void test_comments_and_whitespace(void **state)
{
    lsi_pdf_token toks[4];

    (void)state;
    assert_int_equal(lex_all("% comment\n123 %another\r456%eof", 31, toks, 4), 2);
    assert_int_equal(toks[0].integer, 123);
    assert_int_equal(toks[1].integer, 456);
    assert_int_equal(lex_all("%PDF-1.7\n%\xe2\xe3\xcf\xd3", 15, toks, 4), 0);
    assert_int_equal(lex_all("\0\t\n\f\r 7\0", 8, toks, 4), 1);
    assert_int_equal(toks[0].start, 6);
    assert_int_equal(lex_all("(a%b)", 5, toks, 4), 1); /* no comment inside strings */
    assert_int_equal(toks[0].len, 3);
    assert_int_equal(lex_all("abc%x\ndef", 9, toks, 4), 2); /* % ends a keyword */
    assert_int_equal(lex_all("", 0, toks, 4), 0);
}

static void test_offsets_and_seek(void **state)
{
    const char *src = "1 0 obj\n<< /A (x) >>";
    lsi_pdf_lexer lx;
    lsi_pdf_token tok;

    (void)state;
    lsi_pdf_lexer_init(&lx, (const unsigned char *)src, strlen(src), arena);
    assert_int_equal(lsi_pdf_lexer_next(&lx, &tok), LSIGN_OK);
    assert_int_equal(tok.start, 0);
    assert_int_equal(tok.end, 1);
    lsi_pdf_lexer_seek(&lx, 2);
    assert_int_equal(lsi_pdf_lexer_next(&lx, &tok), LSIGN_OK);
    assert_true(lsi_pdf_tok_is(&tok, "obj") == 0 && tok.integer == 0 && tok.start == 2);
    assert_int_equal(lsi_pdf_lexer_next(&lx, &tok), LSIGN_OK);
    assert_true(lsi_pdf_tok_is(&tok, "obj"));
    assert_int_equal(lx.pos, 7);
    lsi_pdf_lexer_seek(&lx, 14);
    assert_int_equal(lsi_pdf_lexer_next(&lx, &tok), LSIGN_OK);
    assert_int_equal(tok.type, LSI_TOK_STRING);
    assert_int_equal(tok.start, 14);
    assert_int_equal(tok.end, 17);
    lsi_pdf_lexer_seek(&lx, 1000); /* clamped */
    assert_int_equal(lx.pos, strlen(src));
    assert_int_equal(lsi_pdf_lexer_next(&lx, &tok), LSIGN_OK);
    assert_int_equal(tok.type, LSI_TOK_EOF);
    assert_int_equal(lsi_pdf_lexer_next(&lx, &tok), LSIGN_OK); /* EOF again, no progress needed */
    assert_int_equal(tok.type, LSI_TOK_EOF);
}

static void test_error_names_the_object(void **state)
{
    const char *src = "            (unterminated";
    lsi_pdf_lexer lx;
    lsi_pdf_token tok;

    (void)state;
    lsi_pdf_lexer_init(&lx, (const unsigned char *)src, strlen(src), arena);
    lx.in_object = 1;
    lx.obj_num = 12;
    lx.obj_gen = 0;
    assert_int_equal(lsi_pdf_lexer_next(&lx, &tok), LSIGN_E_PARSE);
    assert_string_equal(lsign_last_error(), "PDF object 12 0 at offset 12: unterminated string");
}

/* Every prefix of a token-rich input lexes or fails cleanly, never reading past its end. */
static void test_every_prefix(void **state)
{
    const char *src = "<< /Type /Annot /T (a\\(b\\053\\\r\nc) /H <FEFF1EB5 0> /N -12.5 /I +42 "
                      "/K [1 0 R] /A#20B true %c\r\n null >> { }";
    size_t len = strlen(src), cut;

    (void)state;
    for (cut = 0; cut <= len; cut++) {
        unsigned char *data = exact_copy(src, cut);
        lsi_pdf_lexer lx;
        lsi_pdf_token tok;
        size_t steps = 0;

        lsi_pdf_lexer_init(&lx, data, cut, arena);
        while (lsi_pdf_lexer_next(&lx, &tok) == LSIGN_OK && tok.type != LSI_TOK_EOF) {
            assert_true(tok.end > tok.start && tok.end <= cut); /* progress, in bounds */
            assert_true(++steps <= cut);
        }
        free(data);
    }
}

/* ---- arena ---- */

static void test_arena_alignment_and_growth(void **state)
{
    lsi_arena *a = lsi_arena_new(0);
    unsigned char *p, *big;
    size_t i;

    (void)state;
    assert_non_null(a);
    for (i = 0; i < 20000; i++) {
        p = lsi_arena_alloc(a, i % 13);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 8, 0);
        memset(p, 0xab, i % 13);
    }
    big = lsi_arena_alloc(a, 1000000); /* larger than a block: a block of its own */
    assert_non_null(big);
    memset(big, 1, 1000000);
    p = lsi_arena_alloc(a, 16); /* and the current block is still used */
    assert_non_null(p);
    assert_true(lsi_arena_used(a) >= 1000000);
    p = lsi_arena_calloc(a, 100, 8);
    for (i = 0; i < 800; i++)
        assert_int_equal(p[i], 0);
    lsi_arena_free(a);
    lsi_arena_free(NULL);
}

static void test_arena_limit(void **state)
{
    lsi_arena *a = lsi_arena_new(100);

    (void)state;
    assert_non_null(lsi_arena_alloc(a, 53)); /* 56 with alignment */
    assert_non_null(lsi_arena_alloc(a, 40));
    assert_null(lsi_arena_alloc(a, 1));
    assert_int_equal(lsign_last_error_code(), LSIGN_E_LIMIT);
    assert_string_equal(lsign_last_error(), "PDF: more than 100 bytes of objects");
    assert_int_equal(lsi_arena_used(a), 96);
    lsi_arena_free(a);
}

static void test_arena_size_overflow(void **state)
{
    lsi_arena *a = lsi_arena_new(0);
    unsigned char *p;

    (void)state;
    assert_null(lsi_arena_alloc(a, SIZE_MAX));
    assert_int_equal(lsign_last_error_code(), LSIGN_E_NOMEM);
    assert_null(lsi_arena_alloc(a, SIZE_MAX - 3));
    assert_null(lsi_arena_calloc(a, SIZE_MAX / 2, 4));
    assert_int_equal(lsign_last_error_code(), LSIGN_E_NOMEM);
    assert_null(lsi_arena_memdup(a, "", SIZE_MAX));
    p = lsi_arena_alloc(a, 0);
    assert_non_null(p);
    assert_true(p != lsi_arena_alloc(a, 0));
    p = lsi_arena_memdup(a, "abc", 3);
    assert_string_equal((char *)p, "abc");
    lsi_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_from_the_spec),
        cmocka_unit_test(test_reals_from_the_spec),
        cmocka_unit_test(test_int64_limits),
        cmocka_unit_test(test_huge_reals),
        cmocka_unit_test(test_malformed_numbers),
        cmocka_unit_test(test_number_ends_at_delimiter),
        cmocka_unit_test(test_literal_strings_from_the_spec),
        cmocka_unit_test(test_octal_escapes),
        cmocka_unit_test(test_character_escapes),
        cmocka_unit_test(test_end_of_line_in_strings),
        cmocka_unit_test(test_nested_parentheses),
        cmocka_unit_test(test_string_with_nul_bytes),
        cmocka_unit_test(test_unterminated_strings),
        cmocka_unit_test(test_hex_strings),
        cmocka_unit_test(test_vietnamese_utf16_hex_string),
        cmocka_unit_test(test_bad_hex_strings),
        cmocka_unit_test(test_names_from_the_spec),
        cmocka_unit_test(test_name_edge_cases),
        cmocka_unit_test(test_bad_name_escapes),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_tok_is),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_comments_and_whitespace),
        cmocka_unit_test(test_offsets_and_seek),
        cmocka_unit_test(test_error_names_the_object),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_arena_alignment_and_growth),
        cmocka_unit_test(test_arena_limit),
        cmocka_unit_test(test_arena_size_overflow),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
