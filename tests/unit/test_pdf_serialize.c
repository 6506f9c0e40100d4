/* Objects written in PDF syntax parse back to the same objects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "pdf/arena.h"
#include "pdf/parse.h"
#include "pdf/serialize.h"

static char *write_text(const lsi_pdf_obj *obj)
{
    lsi_output *out;
    unsigned char *mem;
    size_t len;
    char *text;

    assert_int_equal(lsi_output_to_memory(&out), LSIGN_OK);
    assert_int_equal(lsi_pdf_serialize(obj, out, 256), LSIGN_OK);
    mem = lsi_output_take_memory(out, &len);
    lsi_output_free(out);
    text = malloc(len + 1);
    memcpy(text, mem, len);
    text[len] = '\0';
    free(mem);
    return text;
}

/*
 * Parses `src` and writes it: the text is `want` (if given), and parsing and
 * writing that text again gives the same text (a fixpoint).
 */
static void round_trip(const char *src, const char *want)
{
    lsi_arena *arena = lsi_arena_new(0);
    lsi_pdf_parser p;
    lsi_pdf_obj *a, *b;
    size_t end;
    char *text, *again;

    lsi_pdf_parser_init(&p, NULL, (const unsigned char *)src, strlen(src), arena);
    assert_int_equal(lsi_pdf_parse_object(&p, 0, &a, &end), LSIGN_OK);
    text = write_text(a);
    if (want != NULL)
        assert_string_equal(text, want);
    lsi_pdf_parser_cleanup(&p);
    lsi_pdf_parser_init(&p, NULL, (const unsigned char *)text, strlen(text), arena);
    if (lsi_pdf_parse_object(&p, 0, &b, &end) != LSIGN_OK)
        fail_msg("written text does not parse: %s (%s)", text, lsign_last_error());
    again = write_text(b);
    assert_string_equal(text, again);
    free(again);
    free(text);
    lsi_pdf_parser_cleanup(&p);
    lsi_arena_free(arena);
}

static void test_scalars(void **state)
{
    (void)state;
    round_trip("null", "null");
    round_trip("true", "true");
    round_trip("-17", "-17");
    round_trip("3.0", "3.0");
    round_trip("-.25", "-0.25");
    round_trip("0.0000001", "0.0");
    round_trip("-0.0", "0.0");
    round_trip("612.5", "612.5");
    round_trip("12 0 R", "12 0 R");
}

static void test_strings_and_names(void **state)
{
    (void)state;
    round_trip("(a (nested) \\\\ string)", "(a \\(nested\\) \\\\ string)");
    round_trip("<FEFF0110E0>", "<FEFF0110E0>");
    round_trip("(line\\nbreak)", "<6C696E650A627265616B>"); /* not printable: hex */
    round_trip("/Lime#20Green", "/Lime#20Green");
    round_trip("/A#23B", "/A#23B");
    round_trip("/paired#28#29parentheses", "/paired#28#29parentheses");
    round_trip("/ETSI.CAdES.detached", "/ETSI.CAdES.detached");
}

static void test_containers(void **state)
{
    (void)state;
    round_trip("<< /Type /Sig /ByteRange [0 100 200 300] /M (D:20261123140531+07'00') >>",
               "<</Type /Sig/ByteRange [0 100 200 300]/M (D:20261123140531+07'00')>>");
    round_trip("[[1 2] << /A [<< /B null >>] >> 3 0 R]", NULL);
    round_trip("<<>>", "<<>>");
    round_trip("[]", "[]");
}

static void test_depth_limit(void **state)
{
    char deep[601];
    lsi_arena *arena = lsi_arena_new(0);
    lsi_pdf_parser p;
    lsi_pdf_obj *obj;
    lsi_output *out;
    size_t end;

    (void)state;
    memset(deep, '[', 300);
    memset(deep + 300, ']', 300);
    deep[600] = '\0';
    lsi_pdf_parser_init(&p, NULL, (const unsigned char *)deep, 600, arena);
    p.max_depth = 1000;
    assert_int_equal(lsi_pdf_parse_object(&p, 0, &obj, &end), LSIGN_OK);
    assert_int_equal(lsi_output_to_memory(&out), LSIGN_OK);
    assert_int_equal(lsi_pdf_serialize(obj, out, 256), LSIGN_E_LIMIT);
    lsi_output_free(out);
    lsi_pdf_parser_cleanup(&p);
    lsi_arena_free(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_strings_and_names),
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_depth_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
