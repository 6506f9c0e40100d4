/* The document layer: xref chains, revisions, repairs, object streams, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/io.h"
#include "libsign/libsign.h"
#include "pdf/document.h"
#include "pdf/pages.h"
#include "pdf/parse.h"
#include "pdf/writer.h"
#include "support/testenv.h"

static char buf[65536];

static const char *const base_objects[] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
    "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
    "<< /Length 45 >>\nstream\nBT /F1 12 Tf 72 712 Td (Gi\xe1y khai sinh) Tj ET\nendstream",
};

/* Appends objects first..first+n-1 and a classic xref section; returns the new length. */
static size_t add_revision(size_t pos, int first, const char *const *objs, int n,
                           const char *trailer_extra)
{
    size_t offsets[32], xref;

    for (int i = 0; i < n; i++) {
        offsets[i] = pos;
        pos += (size_t)sprintf(buf + pos, "%d 0 obj\n%s\nendobj\n", first + i, objs[i]);
    }
    xref = pos;
    pos += (size_t)sprintf(buf + pos, "xref\n0 1\n0000000000 65535 f \n%d %d\n", first, n);
    for (int i = 0; i < n; i++)
        pos += (size_t)sprintf(buf + pos, "%010zu 00000 n \n", offsets[i]);
    pos += (size_t)sprintf(buf + pos,
                           "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%zu\n%%%%EOF\n",
                           first + n, trailer_extra, xref);
    return pos;
}

static size_t simple_pdf(void)
{
    size_t pos = (size_t)sprintf(buf, "%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n");

    return add_revision(pos, 1, base_objects, 4, "");
}

static lsi_pdf_doc *open_ok(const unsigned char *data, size_t len)
{
    lsi_pdf_doc *doc = NULL;

    if (lsi_pdf_doc_open(data, len, NULL, &doc) != LSIGN_OK)
        fail_msg("open: %s", lsign_last_error());
    return doc;
}

static void check_content(lsi_pdf_doc *doc)
{
    const lsi_pdf_obj *page, *contents;
    unsigned char *data;
    size_t len;

    assert_int_equal(lsi_pdf_doc_get(doc, 3, &page), LSIGN_OK);
    assert_true(lsi_pdf_name_is(lsi_pdf_dict_get(page, "Type"), "Page"));
    assert_int_equal(lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(page, "Contents"), &contents),
                     LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_stream_data(doc, contents, &data, &len), LSIGN_OK);
    assert_int_equal(len, 45);
    assert_memory_equal(data, "BT /F1 12 Tf 72 712 Td (Gi\xe1y khai sinh) Tj ET", 45);
    free(data);
}

static void test_classic_file(void **state)
{
    size_t len = simple_pdf();
    lsi_pdf_doc *doc = open_ok((unsigned char *)buf, len);
    const lsi_pdf_obj *free_obj;

    (void)state;
    assert_int_equal(lsi_pdf_doc_version(doc), 14);
    assert_int_equal(lsi_pdf_doc_revision_count(doc), 1);
    assert_int_equal(lsi_pdf_doc_revision(doc, 0)->end, len);
    assert_int_equal(lsi_pdf_doc_revision(doc, 0)->xref_stream, 0);
    assert_int_equal(lsi_pdf_doc_repaired(doc), 0);
    assert_int_equal(lsi_pdf_doc_size(doc), 5);
    check_content(doc);
    /* Object 0 and numbers past the table are the null object, not errors. */
    assert_int_equal(lsi_pdf_doc_get(doc, 0, &free_obj), LSIGN_OK);
    assert_int_equal(free_obj->type, LSI_PDF_NULL);
    assert_int_equal(lsi_pdf_doc_get(doc, 999, &free_obj), LSIGN_OK);
    assert_int_equal(free_obj->type, LSI_PDF_NULL);
    lsi_pdf_doc_free(doc);
}

static void test_incremental_revisions(void **state)
{
    static const char *const update[] = {
        "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Rotate 90 >>",
    };
    size_t first_end = simple_pdf(), len;
    char extra[64];
    const lsi_pdf_obj *page;
    int64_t rotate;
    lsi_pdf_doc *doc;
    char *prev = strstr(buf, "startxref\n") + 10;

    (void)state;
    snprintf(extra, sizeof extra, "/Prev %ld", strtol(prev, NULL, 10));
    len = add_revision(first_end, 3, update, 1, extra);
    doc = open_ok((unsigned char *)buf, len);
    assert_int_equal(lsi_pdf_doc_revision_count(doc), 2);
    assert_int_equal(lsi_pdf_doc_revision(doc, 0)->end, first_end); /* the signed prefix */
    assert_int_equal(lsi_pdf_doc_revision(doc, 1)->end, len);
    assert_int_equal(lsi_pdf_doc_get(doc, 3, &page), LSIGN_OK);
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(page, "Rotate"), &rotate));
    assert_int_equal(rotate, 90); /* the newest revision wins */
    check_content(doc);
    lsi_pdf_doc_free(doc);
}

/* A chain longer than the revision array's first allocations: read in order, newest first wins. */
static void test_many_revisions(void **state)
{
    enum { REVISIONS = 40 };
    size_t ends[REVISIONS], len = simple_pdf();
    char extra[64], page[96];
    const char *const update[] = {page};
    const lsi_pdf_obj *page_obj;
    int64_t rotate;
    lsi_pdf_doc *doc;

    (void)state;
    ends[0] = len;
    for (int i = 1; i < REVISIONS; i++) {
        const char *startxref = buf + len;
        while (memcmp(startxref, "startxref\n", 10) != 0)
            startxref--;
        snprintf(extra, sizeof extra, "/Prev %ld", strtol(startxref + 10, NULL, 10));
        snprintf(page, sizeof page, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Rotate %d >>",
                 i * 90 % 360);
        len = add_revision(len, 3, update, 1, extra);
        ends[i] = len;
    }
    doc = open_ok((unsigned char *)buf, len);
    assert_int_equal(lsi_pdf_doc_revision_count(doc), REVISIONS);
    for (int i = 0; i < REVISIONS; i++)
        assert_int_equal(lsi_pdf_doc_revision(doc, (size_t)i)->end, ends[i]);
    assert_int_equal(lsi_pdf_doc_get(doc, 3, &page_obj), LSIGN_OK);
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(page_obj, "Rotate"), &rotate));
    assert_int_equal(rotate, (REVISIONS - 1) * 90 % 360);
    check_content(doc);
    lsi_pdf_doc_free(doc);
}

static void test_indirect_length_and_self_reference(void **state)
{
    const char *objs[] = {
        base_objects[0],
        base_objects[1],
        base_objects[2],
        "<< /Length 5 0 R >>\nstream\nBT /F1 12 Tf 72 712 Td (Gi\xe1y khai sinh) Tj ET\nendstream",
        "45",
        "<< /Length 6 0 R >>\nstream\nloops\nendstream",
    };
    size_t len = add_revision((size_t)sprintf(buf, "%%PDF-1.7\n"), 1, objs, 6, "");
    lsi_pdf_doc *doc = open_ok((unsigned char *)buf, len);
    const lsi_pdf_obj *loop;
    unsigned char *data;
    size_t dlen;

    (void)state;
    check_content(doc);
    /* /Length 6 0 R inside object 6: detected, the data found by its endstream. */
    assert_int_equal(lsi_pdf_doc_get(doc, 6, &loop), LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_stream_data(doc, loop, &data, &dlen), LSIGN_OK);
    assert_int_equal(dlen, 5);
    free(data);
    assert_true(lsi_pdf_doc_warnings(doc) > 0);
    lsi_pdf_doc_free(doc);
}

static void test_damaged_files_are_rebuilt(void **state)
{
    size_t len = simple_pdf();
    char *startxref = strstr(buf, "startxref\n") + 10;
    lsi_pdf_doc *doc;

    (void)state;
    /* Wrong startxref offset. */
    memcpy(startxref, "1", 1);
    doc = open_ok((unsigned char *)buf, len);
    assert_int_equal(lsi_pdf_doc_repaired(doc), 1);
    check_content(doc);
    lsi_pdf_doc_free(doc);

    /* Truncated before the cross-reference: no trailer at all, the catalog is found. */
    len = simple_pdf();
    doc = open_ok((unsigned char *)buf, (size_t)(strstr(buf, "xref\n") - buf));
    assert_int_equal(lsi_pdf_doc_repaired(doc), 1);
    check_content(doc);
    lsi_pdf_doc_free(doc);

    /* A /Prev that points at its own section. */
    len = simple_pdf();
    {
        char extra[64];
        long self = strtol(strstr(buf, "startxref\n") + 10, NULL, 10);
        snprintf(extra, sizeof extra, "/Prev %ld", self);
        len = add_revision((size_t)sprintf(buf, "%%PDF-1.4\n"), 1, base_objects, 4, extra);
        /* The section is at the offset the trailer names, so /Prev loops. */
        doc = open_ok((unsigned char *)buf, len);
        assert_true(lsi_pdf_doc_revision_count(doc) >= 1);
        check_content(doc);
        lsi_pdf_doc_free(doc);
    }
}

static void test_wrong_object_offset_found_by_scanning(void **state)
{
    size_t len = simple_pdf();
    /* "xref\n", "0 1\n", object 0's entry, "1 4\n", objects 1 and 2: then object 3's. */
    char *entry = strstr(buf, "xref\n") + 5 + 4 + 20 + 4 + 20 * 2;
    lsi_pdf_doc *doc;
    long offset = strtol(entry, NULL, 10);
    char shifted[24];

    (void)state;
    snprintf(shifted, sizeof shifted, "%010ld", offset + 3);
    memcpy(entry, shifted, 10);
    doc = open_ok((unsigned char *)buf, len);
    assert_int_equal(lsi_pdf_doc_repaired(doc), 0); /* the table itself is sound */
    check_content(doc);
    assert_true(lsi_pdf_doc_warnings(doc) > 0);
    lsi_pdf_doc_free(doc);
}

static void test_reference_generations(void **state)
{
    size_t len = simple_pdf();
    char *entry = strstr(buf, "xref\n") + 5 + 4 + 20 + 4 + 20 * 3; /* object 4 */
    lsi_pdf_doc *doc;
    const lsi_pdf_obj *page, *contents;
    lsi_pdf_obj ref = {LSI_PDF_REF, 0, 0, {0}};

    (void)state;
    /* Object 4 becomes "4 1 obj" in both its header and its table entry. */
    memcpy(strstr(buf, "4 0 obj"), "4 1 obj", 7);
    memcpy(entry + 11, "00001", 5);
    doc = open_ok((unsigned char *)buf, len);
    assert_int_equal(lsi_pdf_doc_get(doc, 3, &page), LSIGN_OK);
    /* The page still says "4 0 R": that generation is gone. */
    assert_int_equal(lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(page, "Contents"), &contents),
                     LSIGN_OK);
    assert_int_equal(contents->type, LSI_PDF_NULL);
    ref.u.ref.num = 4;
    ref.u.ref.gen = 1;
    assert_int_equal(lsi_pdf_doc_deref(doc, &ref, &contents), LSIGN_OK);
    assert_int_equal(contents->type, LSI_PDF_STREAM);
    lsi_pdf_doc_free(doc);
}

/* An xref stream with 1,200 /Index pairs (most empty): none may be dropped. */
static void test_xref_stream_with_long_index(void **state)
{
    static unsigned char pdf[65536];
    size_t pos = (size_t)sprintf((char *)pdf, "%%PDF-1.5\n"), offs[4], xref;
    lsi_pdf_doc *doc;

    (void)state;
    for (int i = 0; i < 3; i++) {
        offs[i] = pos;
        pos += (size_t)sprintf((char *)pdf + pos, "%d 0 obj\n%s\nendobj\n", i + 1, base_objects[i]);
    }
    xref = pos;
    pos +=
        (size_t)sprintf((char *)pdf + pos, "4 0 obj\n<< /Type /XRef /Size 5 /Root 1 0 R /W [1 2 1] "
                                           "/Length 20 /Index [");
    for (int i = 0; i < 1199; i++)
        pos += (size_t)sprintf((char *)pdf + pos, "0 0 ");
    pos += (size_t)sprintf((char *)pdf + pos, "0 5] >>\nstream\n");
    offs[3] = xref;
    pdf[pos++] = 0, pdf[pos++] = 0, pdf[pos++] = 0, pdf[pos++] = 0xff; /* object 0: free */
    for (int i = 0; i < 4; i++) {
        pdf[pos++] = 1;
        pdf[pos++] = (unsigned char)(offs[i] >> 8);
        pdf[pos++] = (unsigned char)offs[i];
        pdf[pos++] = 0;
    }
    pos +=
        (size_t)sprintf((char *)pdf + pos, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", xref);
    doc = open_ok(pdf, pos);
    assert_int_equal(lsi_pdf_doc_repaired(doc), 0);
    assert_int_equal(lsi_pdf_doc_entry(doc, 3).kind, LSI_XREF_OFFSET);
    lsi_pdf_doc_free(doc);
}

static void test_not_pdf_and_encrypted(void **state)
{
    lsi_pdf_doc *doc = NULL;
    size_t len;

    (void)state;
    assert_int_equal(lsi_pdf_doc_open((const unsigned char *)"GIF89a....", 10, NULL, &doc),
                     LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "not a PDF"));
    assert_null(doc);
    assert_int_equal(lsi_pdf_doc_open((const unsigned char *)"%PDF-1.4\nnothing\n", 17, NULL, &doc),
                     LSIGN_E_PARSE);
    len = add_revision((size_t)sprintf(buf, "%%PDF-1.6\n"), 1, base_objects, 4,
                       "/Encrypt << /Filter /Standard /V 4 >>");
    assert_int_equal(lsi_pdf_doc_open((unsigned char *)buf, len, NULL, &doc), LSIGN_E_UNSUPPORTED);
    assert_non_null(strstr(lsign_last_error(), "encrypted"));
}

static void test_junk_before_header(void **state)
{
    size_t len;
    lsi_pdf_doc *doc;

    (void)state;
    /* Offsets written relative to %PDF, then 7 bytes of junk put in front. */
    len = simple_pdf();
    memmove(buf + 7, buf, len);
    memcpy(buf, "JUNK!!\n", 7);
    doc = open_ok((unsigned char *)buf, len + 7);
    assert_int_equal(lsi_pdf_doc_repaired(doc), 0);
    check_content(doc);
    lsi_pdf_doc_free(doc);
}

static void test_object_limit(void **state)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx;
    lsi_pdf_doc *doc = NULL;
    size_t len = simple_pdf();

    (void)state;
    o.max_objects = 3;
    assert_int_equal(lsign_ctx_new(&ctx, &o), LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_open((unsigned char *)buf, len, ctx, &doc), LSIGN_E_LIMIT);
    lsign_ctx_free(ctx);
}

/* qpdf rewrites the file with a cross-reference stream and object streams. */
static void test_xref_stream_and_object_streams(void **state)
{
    char dir[] = "/tmp/lsign-doc-XXXXXX", in[128], out[128], cmd[512];
    size_t len = simple_pdf();
    lsi_input input;
    lsi_pdf_doc *doc;
    const lsi_pdf_obj *catalog, *pages, *page, *contents;
    unsigned char *data;
    size_t dlen;
    int compressed = 0;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(in, sizeof in, "%s/in.pdf", dir);
    snprintf(out, sizeof out, "%s/out.pdf", dir);
    test_write_file(in, buf, len);
    snprintf(cmd, sizeof cmd, "qpdf --object-streams=generate --compress-streams=y '%s' '%s'", in,
             out);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(lsi_input_open_file(out, &input, NULL), LSIGN_OK);
    doc = open_ok(input.data, input.len);
    assert_int_equal(lsi_pdf_doc_repaired(doc), 0);
    assert_int_equal(lsi_pdf_doc_revision(doc, 0)->xref_stream, 1);
    /* qpdf renumbers: count compressed objects and read every object. */
    for (uint32_t num = 1; num < lsi_pdf_doc_size(doc); num++) {
        const lsi_pdf_obj *obj;
        compressed += lsi_pdf_doc_entry(doc, num).kind == LSI_XREF_COMPRESSED;
        if (lsi_pdf_doc_get(doc, num, &obj) != LSIGN_OK)
            fail_msg("object %u: %s", num, lsign_last_error());
    }
    assert_true(compressed >= 2);
    assert_int_equal(
        lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root"), &catalog),
        LSIGN_OK);
    assert_true(lsi_pdf_name_is(lsi_pdf_dict_get(catalog, "Type"), "Catalog"));
    assert_int_equal(lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(catalog, "Pages"), &pages), LSIGN_OK);
    assert_int_equal(
        lsi_pdf_doc_deref(doc, lsi_pdf_array_get(lsi_pdf_dict_get(pages, "Kids"), 0), &page),
        LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(page, "Contents"), &contents),
                     LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_stream_data(doc, contents, &data, &dlen), LSIGN_OK);
    assert_int_equal(dlen, 45); /* qpdf compressed it: FlateDecode undone */
    free(data);
    lsi_pdf_doc_free(doc);
    lsi_input_close(&input);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_page_tree_inheritance(void **state)
{
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] >> >>",
        ("<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 3 /MediaBox [0 0 595 842] /Rotate 90 "
         "/Resources << /Font << >> >> >>"),
        "<< /Type /Page /Parent 2 0 R /Annots [10 0 R] >>",
        "<< /Type /Pages /Parent 2 0 R /Kids [5 0 R 6 0 R] /Count 2 /CropBox [10 10 500 800] >>",
        "<< /Type /Page /Parent 4 0 R /Rotate -90 >>",
        "<< /Type /Page /Parent 4 0 R /MediaBox [0 0 842 595] >>",
        "<< /T (h\363 s\241) /FT /Tx /Kids [8 0 R 9 0 R] >>",
        "<< /T (ten) /V (Nguyen Van A) /Parent 7 0 R >>",
        "<< /T (chuky) /FT /Sig /Parent 7 0 R /Kids [10 0 R] >>",
        "<< /Type /Annot /Subtype /Widget /Parent 9 0 R /Rect [0 0 0 0] >>",
    };
    size_t len = add_revision((size_t)sprintf(buf, "%%PDF-1.7\n"), 1, objs, 10, "");
    lsi_pdf_doc *doc = open_ok((unsigned char *)buf, len);
    lsi_pdf_page *pages;
    lsi_pdf_field *fields;
    size_t n;
    double x;

    (void)state;
    assert_int_equal(lsi_pdf_doc_pages(doc, &pages, &n), LSIGN_OK);
    assert_int_equal(n, 3);
    assert_int_equal(pages[0].num, 3);
    assert_int_equal(pages[0].rotate, 90);
    assert_non_null(pages[0].resources);
    assert_null(pages[0].crop_box);
    assert_int_equal(lsi_pdf_count(pages[0].annots), 1);
    assert_int_equal(pages[1].num, 5);
    assert_int_equal(pages[1].rotate, 270); /* -90 normalised */
    assert_true(lsi_pdf_get_number(lsi_pdf_array_get(pages[1].crop_box, 0), &x) && x == 10);
    assert_int_equal(pages[2].num, 6);
    assert_true(lsi_pdf_get_number(lsi_pdf_array_get(pages[2].media_box, 2), &x) && x == 842);
    assert_int_equal(pages[2].rotate, 90);
    free(pages);

    assert_int_equal(lsi_pdf_doc_fields(doc, &fields, &n), LSIGN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(fields[0].name, "h\363 s\241.ten");
    assert_string_equal(fields[0].type, "Tx");
    assert_non_null(fields[0].value);
    assert_string_equal(fields[1].name, "h\363 s\241.chuky");
    assert_string_equal(fields[1].type, "Sig");
    assert_int_equal(fields[1].num, 9); /* a field with only a widget kid is terminal */
    lsi_pdf_fields_free(fields, n);
    lsi_pdf_doc_free(doc);
}

static void test_page_tree_cycle_and_depth(void **state)
{
    static const char *const cyclic[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
    };
    static const char *const deep[] = {
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>",
        "<< /Type /Pages /Kids [4 0 R] >>",  "<< /Type /Pages /Kids [5 0 R] >>",
        "<< /Type /Pages /Kids [6 0 R] >>",  "<< /Type /Pages /Kids [7 0 R] >>",
        "<< /Type /Page /Parent 6 0 R >>",
    };
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx;
    lsi_pdf_doc *doc;
    lsi_pdf_page *pages;
    size_t n, len;

    (void)state;
    len = add_revision((size_t)sprintf(buf, "%%PDF-1.7\n"), 1, cyclic, 3, "");
    doc = open_ok((unsigned char *)buf, len);
    assert_int_equal(lsi_pdf_doc_pages(doc, &pages, &n), LSIGN_E_LIMIT);
    assert_non_null(strstr(lsign_last_error(), "object 2 is reached twice"));
    assert_null(pages);
    lsi_pdf_doc_free(doc);

    o.max_depth = 3;
    assert_int_equal(lsign_ctx_new(&ctx, &o), LSIGN_OK);
    len = add_revision((size_t)sprintf(buf, "%%PDF-1.7\n"), 1, deep, 7, "");
    assert_int_equal(lsi_pdf_doc_open((unsigned char *)buf, len, ctx, &doc), LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_pages(doc, &pages, &n), LSIGN_E_LIMIT);
    assert_non_null(strstr(lsign_last_error(), "deeper than 3"));
    lsi_pdf_doc_free(doc);
    lsign_ctx_free(ctx);
}

/* Appends a new form XObject stream and the catalog; returns the new file in memory. */
static unsigned char *update(const unsigned char *data, size_t len, size_t *out_len,
                             uint32_t *stream_num)
{
    static const char dict_text[] =
        "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 1 >>";
    static const char content[] = "0 0 m 10 10 l S";
    lsi_arena *arena = lsi_arena_new(0);
    lsi_pdf_parser p;
    lsi_pdf_obj *dict;
    const lsi_pdf_obj *catalog;
    lsi_input in;
    lsi_output *out;
    lsi_pdf_writer *w;
    lsi_pdf_doc *doc = open_ok(data, len);
    unsigned char *mem;
    uint32_t root;
    uint16_t gen;
    size_t end;

    lsi_pdf_parser_init(&p, NULL, (const unsigned char *)dict_text, sizeof dict_text - 1, arena);
    assert_int_equal(lsi_pdf_parse_object(&p, 0, &dict, &end), LSIGN_OK);
    lsi_input_from_memory(data, len, &in);
    assert_int_equal(lsi_output_to_memory(&out), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_begin(doc, &in, out, &w), LSIGN_OK);
    *stream_num = lsi_pdf_writer_new_number(w);
    assert_int_equal(lsi_pdf_writer_put_stream(w, *stream_num, dict, (const unsigned char *)content,
                                               sizeof content - 1),
                     LSIGN_OK);
    assert_true(lsi_pdf_get_ref(lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root"), &root, &gen));
    assert_int_equal(lsi_pdf_doc_get(doc, root, &catalog), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_put(w, root, catalog), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_put(w, root, catalog), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_finish(w), LSIGN_E_INVALID_ARG); /* written twice */
    lsi_pdf_writer_free(w);
    lsi_output_free(out);

    /* Again, correctly. */
    assert_int_equal(lsi_output_to_memory(&out), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_begin(doc, &in, out, &w), LSIGN_OK);
    *stream_num = lsi_pdf_writer_new_number(w);
    assert_int_equal(lsi_pdf_writer_put_stream(w, *stream_num, dict, (const unsigned char *)content,
                                               sizeof content - 1),
                     LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_put(w, root, catalog), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_finish(w), LSIGN_OK);
    assert_int_equal(lsi_output_commit(out), LSIGN_OK);
    mem = lsi_output_take_memory(out, out_len);
    lsi_output_free(out);
    lsi_pdf_writer_free(w);
    lsi_pdf_doc_free(doc);
    lsi_pdf_parser_cleanup(&p);
    lsi_arena_free(arena);
    return mem;
}

static void check_updated(const unsigned char *orig, size_t orig_len, const unsigned char *mem,
                          size_t len, uint32_t stream_num, int xref_stream)
{
    lsi_pdf_doc *doc = open_ok(mem, len);
    const lsi_pdf_obj *st, *id_old, *id_new;
    lsi_pdf_doc *before = open_ok(orig, orig_len);
    unsigned char *data;
    size_t dlen;
    int64_t length, prev;
    uint64_t old_startxref;

    assert_memory_equal(mem, orig, orig_len);
    assert_int_equal(lsi_pdf_doc_repaired(doc), 0);
    assert_int_equal(lsi_pdf_doc_revision_count(doc), lsi_pdf_doc_revision_count(before) + 1);
    assert_int_equal(lsi_pdf_doc_revision(doc, lsi_pdf_doc_revision_count(doc) - 2)->end, orig_len);
    assert_int_equal(lsi_pdf_doc_revision(doc, lsi_pdf_doc_revision_count(doc) - 1)->xref_stream,
                     xref_stream);
    assert_int_equal(lsi_pdf_doc_get(doc, stream_num, &st), LSIGN_OK);
    assert_int_equal(st->type, LSI_PDF_STREAM);
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(st, "Length"), &length));
    assert_int_equal(length, 15);
    assert_int_equal(lsi_pdf_doc_stream_data(doc, st, &data, &dlen), LSIGN_OK);
    assert_memory_equal(data, "0 0 m 10 10 l S", 15);
    free(data);
    assert_int_equal(lsi_pdf_find_startxref(orig, orig_len, 1024, &old_startxref), LSIGN_OK);
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Prev"), &prev));
    assert_int_equal(prev, old_startxref);
    /* /ID: the first element survives the update, when the file had one. */
    id_old = lsi_pdf_array_get(lsi_pdf_dict_get(lsi_pdf_doc_trailer(before), "ID"), 0);
    id_new = lsi_pdf_array_get(lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "ID"), 0);
    assert_non_null(id_new);
    if (id_old != NULL) {
        assert_int_equal(id_old->u.string.len, id_new->u.string.len);
        assert_memory_equal(id_old->u.string.bytes, id_new->u.string.bytes, id_new->u.string.len);
    }
    lsi_pdf_doc_free(before);
    lsi_pdf_doc_free(doc);
}

static void test_writer_appends_objects_and_streams(void **state)
{
    size_t len = simple_pdf(), out_len;
    uint32_t num;
    unsigned char *mem = update((unsigned char *)buf, len, &out_len, &num);

    (void)state;
    assert_int_equal(num, 5);
    check_updated((unsigned char *)buf, len, mem, out_len, num, 0);
    free(mem);
}

static void test_writer_on_xref_stream_file(void **state)
{
    char dir[] = "/tmp/lsign-wr-XXXXXX", in[128], out[128], cmd[512];
    size_t len = simple_pdf(), out_len;
    lsi_input input;
    uint32_t num;
    unsigned char *mem;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(in, sizeof in, "%s/in.pdf", dir);
    snprintf(out, sizeof out, "%s/out.pdf", dir);
    test_write_file(in, buf, len);
    snprintf(cmd, sizeof cmd, "qpdf --object-streams=generate '%s' '%s'", in, out);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(lsi_input_open_file(out, &input, NULL), LSIGN_OK);
    mem = update(input.data, input.len, &out_len, &num);
    check_updated(input.data, input.len, mem, out_len, num, 1);
    /* qpdf agrees the update is sound. */
    test_write_file(out, mem, out_len);
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' > /dev/null", out);
    assert_int_equal(system(cmd), 0);
    free(mem);
    lsi_input_close(&input);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic_file),
        cmocka_unit_test(test_incremental_revisions),
        cmocka_unit_test(test_many_revisions),
        cmocka_unit_test(test_indirect_length_and_self_reference),
        cmocka_unit_test(test_damaged_files_are_rebuilt),
        cmocka_unit_test(test_wrong_object_offset_found_by_scanning),
        cmocka_unit_test(test_reference_generations),
        cmocka_unit_test(test_xref_stream_with_long_index),
        cmocka_unit_test(test_not_pdf_and_encrypted),
        cmocka_unit_test(test_junk_before_header),
        cmocka_unit_test(test_object_limit),
        cmocka_unit_test(test_xref_stream_and_object_streams),
        cmocka_unit_test(test_page_tree_inheritance),
        cmocka_unit_test(test_page_tree_cycle_and_depth),
        cmocka_unit_test(test_writer_appends_objects_and_streams),
        cmocka_unit_test(test_writer_on_xref_stream_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
