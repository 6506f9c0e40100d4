/* Cross-reference tables, xref-stream rows, revision ends, the damaged-file scan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "pdf/xref.h"

#define S(lit) (const unsigned char *)(lit), sizeof(lit) - 1

static void check(const lsi_xref_entry *e, uint32_t num, int kind, uint16_t gen, uint64_t offset)
{
    assert_int_equal(e->num, num);
    assert_int_equal(e->kind, kind);
    assert_int_equal(e->gen, gen);
    assert_int_equal(e->offset, offset);
}

static void test_table_entry_widths_and_subsections(void **state)
{
    /* 20-byte entries (" \n", "\r\n"), a 19-byte one ("\n"), a 21-byte one (" \r\n"). */
    static const char pdf[] = "junk xref\n"
                              "0 3\n"
                              "0000000000 65535 f \n"
                              "0000000017 00000 n\r\n"
                              "0000000081 00000 n\n"
                              "7 1\r\n"
                              "0000001234 00002 n \r\n"
                              "trailer\n<< /Size 8 >>";
    lsi_xref_section sec;
    size_t trailer = 0;

    (void)state;
    assert_int_equal(lsi_xref_read_table(S(pdf), 5, 1000, &sec, &trailer), LSIGN_OK);
    assert_int_equal(sec.count, 4);
    check(&sec.entries[0], 0, LSI_XREF_FREE, 65535, 0);
    check(&sec.entries[1], 1, LSI_XREF_OFFSET, 0, 17);
    check(&sec.entries[2], 2, LSI_XREF_OFFSET, 0, 81);
    check(&sec.entries[3], 7, LSI_XREF_OFFSET, 2, 1234);
    assert_memory_equal(pdf + trailer, "trailer", 7);
    lsi_xref_section_free(&sec);
}

static void test_table_errors(void **state)
{
    lsi_xref_section sec;
    size_t trailer;

    (void)state;
    assert_int_equal(
        lsi_xref_read_table(S("xref\n0 1\n0000000000 65535 f \n"), 0, 100, &sec, &trailer),
        LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "no \"trailer\""));
    assert_int_equal(lsi_xref_read_table(S("xref\n0 2\n0000000000 65535 f \n0000000009 00000 x \n"
                                           "trailer"),
                                         0, 100, &sec, &trailer),
                     LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "neither 'n' nor 'f'"));
    assert_int_equal(
        lsi_xref_read_table(S("xref\n0 2\n0000000000 65535 f \n"), 0, 100, &sec, &trailer),
        LSIGN_E_PARSE); /* truncated inside the subsection */
    assert_int_equal(lsi_xref_read_table(S("xref\n0 4000000000\n"), 0, 1000, &sec, &trailer),
                     LSIGN_E_LIMIT);
    assert_int_equal(lsi_xref_read_table(S("xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \n"
                                           "trailer"),
                                         0, 1, &sec, &trailer),
                     LSIGN_E_LIMIT);
    assert_int_equal(lsi_xref_read_table(S("xrefs 0 0 trailer"), 0, 100, &sec, &trailer),
                     LSIGN_E_PARSE);
    /* mutool's 65536 on a free entry is tolerated; on an in-use entry it is not. */
    assert_int_equal(
        lsi_xref_read_table(S("xref\n0 1\n0000000000 65536 f \ntrailer"), 0, 100, &sec, &trailer),
        LSIGN_OK);
    assert_int_equal(sec.entries[0].gen, 65535);
    lsi_xref_section_free(&sec);
    assert_int_equal(
        lsi_xref_read_table(S("xref\n1 1\n0000000009 65536 n \ntrailer"), 0, 100, &sec, &trailer),
        LSIGN_E_PARSE);
    assert_int_equal(lsi_xref_read_table(S("xref\n0 1\n00000000000000 65535 f \ntrailer"), 0, 100,
                                         &sec, &trailer),
                     LSIGN_E_PARSE); /* a 14-digit offset */
}

static void test_stream_rows(void **state)
{
    /* /W [1 2 1] /Index [0 3 10 2]: free, offset 0x0110 gen 0, compressed in 5 index 2, ... */
    static const unsigned char rows[] = {
        0, 0x00, 0x00, 0xff, 1, 0x01, 0x10, 0, 2, 0x00, 0x05, 2, 1, 0x20, 0x00, 3, 7, 0, 0, 0,
    };
    const int64_t w[3] = {1, 2, 1}, index[4] = {0, 3, 10, 2};
    lsi_xref_section sec;

    (void)state;
    assert_int_equal(lsi_xref_decode_stream(rows, sizeof rows, w, index, 4, 12, 100, &sec),
                     LSIGN_OK);
    assert_int_equal(sec.count, 5);
    check(&sec.entries[0], 0, LSI_XREF_FREE, 255, 0);
    check(&sec.entries[1], 1, LSI_XREF_OFFSET, 0, 0x110);
    check(&sec.entries[2], 2, LSI_XREF_COMPRESSED, 0, 5);
    assert_int_equal(sec.entries[2].index, 2);
    check(&sec.entries[3], 10, LSI_XREF_OFFSET, 3, 0x2000);
    check(&sec.entries[4], 11, LSI_XREF_FREE, 0, 0); /* unknown type 7: a null reference */
    lsi_xref_section_free(&sec);
}

static void test_stream_rows_defaults_and_errors(void **state)
{
    static const unsigned char rows[] = {0x00, 0x10, 0x00, 0x20};
    const int64_t w0[3] = {0, 2, 0}, bad[3] = {1, 9, 0}, neg_index[2] = {-1, 2};
    const int64_t huge_index[2] = {4000000000LL, 4000000000LL};
    lsi_xref_section sec;

    (void)state;
    /* /W [0 2 0], no /Index: type 1 by default, objects 0 and 1 of /Size 2. */
    assert_int_equal(lsi_xref_decode_stream(rows, sizeof rows, w0, NULL, 0, 2, 100, &sec),
                     LSIGN_OK);
    assert_int_equal(sec.count, 2);
    check(&sec.entries[1], 1, LSI_XREF_OFFSET, 0, 0x20);
    lsi_xref_section_free(&sec);
    assert_int_equal(lsi_xref_decode_stream(rows, sizeof rows, w0, NULL, 0, 3, 100, &sec),
                     LSIGN_E_PARSE); /* /Size 3 but rows for 2 */
    assert_non_null(strstr(lsign_last_error(), "fewer than the entries /Index announces"));
    assert_int_equal(lsi_xref_decode_stream(rows, sizeof rows, bad, NULL, 0, 1, 100, &sec),
                     LSIGN_E_PARSE);
    assert_int_equal(lsi_xref_decode_stream(rows, sizeof rows, w0, neg_index, 2, 2, 100, &sec),
                     LSIGN_E_PARSE);
    assert_int_equal(lsi_xref_decode_stream(rows, sizeof rows, w0, huge_index, 2, 2, 100, &sec),
                     LSIGN_E_PARSE);
    assert_int_equal(lsi_xref_decode_stream(rows, sizeof rows, w0, NULL, 0, 2, 1, &sec),
                     LSIGN_E_LIMIT);
}

static void test_revision_end(void **state)
{
    static const char pdf[] = "%PDF-1.7\n...xref...%%EOF\n"
                              "1 0 obj ... xref ... %%EOF\r\n"
                              "2 0 obj ... xref ... %%EOF";
    size_t first = lsi_pdf_revision_end(S(pdf), 0);

    (void)state;
    assert_memory_equal(pdf + first - 6, "%%EOF\n", 6);
    assert_memory_equal(pdf + lsi_pdf_revision_end(S(pdf), first) - 7, "%%EOF\r\n", 7);
    assert_int_equal(lsi_pdf_revision_end(S(pdf), first + 30), sizeof pdf - 1);
    assert_int_equal(lsi_pdf_revision_end(S("no end here"), 0), 11);
}

static void test_scan_objects(void **state)
{
    static const char pdf[] = "%PDF-1.4\n"
                              "1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                              "2 0 obj (a string with 9 0 obj inside) endobj\n"
                              "3 0 objx\n"
                              "\r12   3\tobj\n<<>>\nendobj\n"
                              "1 0 obj\n<< /Type /Catalog /Version /1.7 >>\nendobj\n"
                              "99999999999 0 obj\n";
    lsi_xref_section sec;

    (void)state;
    assert_int_equal(lsi_xref_scan_objects(S(pdf), 100, &sec), LSIGN_OK);
    assert_int_equal(sec.count, 4);
    check(&sec.entries[0], 1, LSI_XREF_OFFSET, 0, 9);
    assert_int_equal(sec.entries[1].num, 2);
    check(&sec.entries[2], 12, LSI_XREF_OFFSET, 3, (uint64_t)(strstr(pdf, "12   3") - pdf));
    assert_int_equal(sec.entries[3].num, 1); /* the later definition comes last */
    lsi_xref_section_free(&sec);
    assert_int_equal(lsi_xref_scan_objects(S(pdf), 2, &sec), LSIGN_E_LIMIT);
}

static void test_startxref_and_header(void **state)
{
    static const char pdf[] = "junk\n%PDF-1.7\n%\xe2\xe3\n...startxref\n116\n%%EOF\n"
                              "...incremental...startxref\r\n4321\r\n%%EOF\r\n";
    uint64_t off = 0;
    size_t header;
    int version;

    (void)state;
    assert_int_equal(lsi_pdf_find_startxref(S(pdf), 1024, &off), LSIGN_OK);
    assert_int_equal(off, 4321); /* the last one */
    assert_int_equal(lsi_pdf_find_startxref(S("startxref\n%%EOF"), 1024, &off), LSIGN_E_PARSE);
    assert_int_equal(lsi_pdf_find_startxref(S("%PDF-1.4 nothing"), 1024, &off), LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "no \"startxref\""));
    /* Only the window is searched. */
    assert_int_equal(lsi_pdf_find_startxref(S(pdf), 10, &off), LSIGN_E_PARSE);
    assert_int_equal(lsi_pdf_find_startxref(S("startxref 99999999999999999999"), 1024, &off),
                     LSIGN_E_PARSE);

    assert_int_equal(lsi_pdf_find_header(S(pdf), &header, &version), LSIGN_OK);
    assert_int_equal(header, 5);
    assert_int_equal(version, 17);
    assert_int_equal(lsi_pdf_find_header(S("%PDF-2.0\n"), &header, &version), LSIGN_OK);
    assert_int_equal(version, 20);
    assert_int_equal(lsi_pdf_find_header(S("%!PS-Adobe-3.0"), &header, &version), LSIGN_E_PARSE);
    assert_int_equal(lsi_pdf_find_header(S("%PDF-"), &header, &version), LSIGN_E_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_entry_widths_and_subsections),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_stream_rows),
        cmocka_unit_test(test_stream_rows_defaults_and_errors),
        cmocka_unit_test(test_revision_end),
        cmocka_unit_test(test_scan_objects),
        cmocka_unit_test(test_startxref_and_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
