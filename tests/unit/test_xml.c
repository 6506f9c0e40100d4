/*
 * The XML API in-process (issue 9): sign and verify from memory, the
 * covered content a service reads, a policy identifier, options versions,
 * limits of the context (size, depth, node count), DTD refusal, bad
 * arguments, and a failed signing that writes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "support/testenv.h"

static lsign_ctx *ctx;
static lsign_signer *signer;

static const char DOC[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<KetQua><HoTen>Nguyễn Thị Hoa</HoTen><So Id=\"n1\">12</So></KetQua>\n";

static int setup(void **state)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;

    (void)state;
    setenv("LSIGN_TEST_P12_PASS", "test", 1);
    o.pin_source = "env:LSIGN_TEST_P12_PASS";
    return lsign_ctx_new(&ctx, NULL) != LSIGN_OK ||
           lsign_ctx_add_trust_file(ctx, PKI("root-ca.crt")) != LSIGN_OK ||
           lsign_signer_open(&signer, NULL, PKI("signer-rsa2048.p12"), &o) != LSIGN_OK;
}

static int teardown(void **state)
{
    (void)state;
    lsign_signer_free(signer);
    lsign_ctx_free(ctx);
    return 0;
}

/* `doc` signed with `opts` into a malloc'd copy; NULL (and the error code in *rc) on failure. */
static char *sign_doc(const char *doc, const lsign_xml_sign_options *opts, int *rc)
{
    lsign_input *in = NULL;
    lsign_output *out = NULL;
    const unsigned char *bytes;
    size_t len = 0;
    char *copy = NULL;

    assert_int_equal(lsign_input_from_memory(&in, doc, strlen(doc)), LSIGN_OK);
    assert_int_equal(lsign_output_to_memory(&out), LSIGN_OK);
    *rc = lsign_xml_sign(ctx, signer, in, out, opts);
    if (*rc == LSIGN_OK && lsign_output_memory(out, &bytes, &len) == LSIGN_OK) {
        copy = malloc(len + 1);
        memcpy(copy, bytes, len);
        copy[len] = 0;
    }
    lsign_output_free(out);
    lsign_input_free(in);
    return copy;
}

static lsign_report *verify_doc(lsign_ctx *c, const char *doc, int *rc)
{
    lsign_input *in = NULL;
    lsign_report *report = NULL;

    assert_int_equal(lsign_input_from_memory(&in, doc, strlen(doc)), LSIGN_OK);
    *rc = lsign_xml_verify(c, in, "doc.xml", NULL, &report);
    lsign_input_free(in);
    return report;
}

static void test_sign_verify_covered(void **state)
{
    int rc;
    char *signed_doc = sign_doc(DOC, NULL, &rc);
    lsign_report *r;
    const unsigned char *content;
    size_t len;

    (void)state;
    assert_non_null(signed_doc);
    r = verify_doc(ctx, signed_doc, &rc);
    assert_int_equal(rc, LSIGN_OK);
    assert_string_equal(lsign_report_format(r), "xml");
    assert_string_equal(lsign_report_status(r), "TOTAL-PASSED");
    assert_int_equal(lsign_report_sig_covered_count(r, 0), 2);
    assert_string_equal(lsign_report_sig_covered_kind(r, 0, 0), "document");
    assert_string_equal(lsign_report_sig_covered_path(r, 0, 0), "/");
    assert_string_equal(lsign_report_sig_covered_kind(r, 0, 1), "signed-properties");
    assert_int_equal(lsign_report_sig_covered_content(r, 0, 0, &content, &len), LSIGN_OK);
    /* Exclusive C14N of the document without the signature: exactly the input's element. */
    assert_int_equal(len,
                     strlen("<KetQua><HoTen>Nguyễn Thị Hoa</HoTen><So Id=\"n1\">12</So></KetQua>"));
    assert_memory_equal(content,
                        "<KetQua><HoTen>Nguyễn Thị Hoa</HoTen><So Id=\"n1\">12</So></KetQua>", len);
    assert_int_equal(lsign_report_sig_covered_content(r, 0, 2, &content, &len),
                     LSIGN_E_INVALID_ARG);
    assert_null(lsign_report_sig_covered_kind(r, 0, 2));
    assert_int_equal(lsign_report_sig_covered_count(r, 1), 0);
    lsign_report_free(r);
    free(signed_doc);
}

static void test_reference_by_id_and_policy(void **state)
{
    static const unsigned char policy_hash[32] = {1, 2, 3};
    lsign_xml_sign_options o;
    lsign_report *r;
    char *signed_doc;
    int rc;

    (void)state;
    assert_int_equal(lsign_xml_sign_options_init(&o, LSIGN_XML_SIGN_OPTIONS_VERSION), LSIGN_OK);
    o.reference_id = "n1";
    o.policy_id = "urn:oid:2.16.704.1.2.3";
    o.policy_sha256 = policy_hash;
    o.signature_id = "chu-ky-1";
    signed_doc = sign_doc(DOC, &o, &rc);
    assert_non_null(signed_doc);
    assert_non_null(
        strstr(signed_doc, "<xades:Identifier>urn:oid:2.16.704.1.2.3</xades:Identifier>"));
    assert_non_null(strstr(signed_doc, "Id=\"chu-ky-1\""));
    r = verify_doc(ctx, signed_doc, &rc);
    assert_int_equal(rc, LSIGN_OK);
    assert_string_equal(lsign_report_status(r), "TOTAL-PASSED");
    assert_string_equal(lsign_report_sig_field(r, 0), "chu-ky-1");
    assert_string_equal(lsign_report_sig_covered_uri(r, 0, 0), "#n1");
    assert_string_equal(lsign_report_sig_covered_path(r, 0, 0), "/KetQua[1]/So[1]");
    lsign_report_free(r);
    free(signed_doc);
}

static void test_bad_options_write_nothing(void **state)
{
    lsign_xml_sign_options o = LSIGN_XML_SIGN_OPTIONS_INIT;
    lsign_xml_sign_options bad_version;
    int rc;

    (void)state;
    o.reference_id = "missing";
    assert_null(sign_doc(DOC, &o, &rc));
    assert_int_equal(rc, LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "missing"));
    o = (lsign_xml_sign_options)LSIGN_XML_SIGN_OPTIONS_INIT;
    o.parent_xpath = "//nothing";
    assert_null(sign_doc(DOC, &o, &rc));
    assert_int_equal(rc, LSIGN_E_INVALID_ARG);
    o = (lsign_xml_sign_options)LSIGN_XML_SIGN_OPTIONS_INIT;
    o.profile = LSIGN_XML_PROFILE_EDXML;
    o.level = LSIGN_XADES_B_T;
    assert_null(sign_doc(DOC, &o, &rc));
    assert_int_equal(rc, LSIGN_E_UNSUPPORTED);
    o = (lsign_xml_sign_options)LSIGN_XML_SIGN_OPTIONS_INIT;
    o.countersign_id = "n1";
    assert_null(sign_doc(DOC, &o, &rc));
    assert_int_equal(rc, LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_xml_sign_options_init(&bad_version, LSIGN_XML_SIGN_OPTIONS_VERSION + 1),
                     LSIGN_E_INVALID_ARG);
    assert_null(sign_doc("<a><b></a>", NULL, &rc));
    assert_int_equal(rc, LSIGN_E_PARSE);
    assert_int_equal(lsign_xml_sign(ctx, NULL, NULL, NULL, NULL), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_xml_verify(ctx, NULL, NULL, NULL, NULL), LSIGN_E_INVALID_ARG);
}

/* A verification needs a context (its trust store and limits): NULL is refused, not followed. */
static void test_verify_without_context(void **state)
{
    static const char doc[] = "<a/>";
    lsign_input *in = NULL;
    lsign_report *report = NULL;

    (void)state;
    assert_int_equal(lsign_input_from_memory(&in, doc, sizeof doc - 1), LSIGN_OK);
    assert_int_equal(lsign_xml_verify(NULL, in, "a.xml", NULL, &report), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "NULL context"));
    assert_int_equal(lsign_pdf_verify(NULL, in, "a.pdf", &report), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_verify(NULL, in, "a", &report), LSIGN_E_INVALID_ARG);
    assert_null(report);
    lsign_input_free(in);
}

static void test_dtd_refused(void **state)
{
    int rc;
    lsign_report *r =
        verify_doc(ctx, "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", &rc);

    (void)state;
    assert_null(r);
    assert_int_equal(rc, LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "DTD"));
}

/* A nesting `depth` deep, `width` elements wide at the bottom. */
static char *tree(int depth, int width)
{
    size_t size = (size_t)depth * 8 + (size_t)width * 8 + 16, at = 0;
    char *s = malloc(size);

    for (int i = 0; i < depth; i++)
        at += (size_t)snprintf(s + at, size - at, "<a>");
    for (int i = 0; i < width; i++)
        at += (size_t)snprintf(s + at, size - at, "<b/>");
    for (int i = 0; i < depth; i++)
        at += (size_t)snprintf(s + at, size - at, "</a>");
    return s;
}

static void test_limits(void **state)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *small = NULL;
    char *deep = tree(40, 1), *wide = tree(1, 200), *fine = tree(10, 10);
    lsign_report *r;
    int rc;

    (void)state;
    o.max_depth = 32;
    o.max_objects = 100;
    o.max_stream_bytes = 1000;
    assert_int_equal(lsign_ctx_new(&small, &o), LSIGN_OK);
    assert_null(verify_doc(small, deep, &rc));
    assert_int_equal(rc, LSIGN_E_LIMIT);
    assert_non_null(strstr(lsign_last_error(), "deeper"));
    assert_null(verify_doc(small, wide, &rc));
    assert_int_equal(rc, LSIGN_E_LIMIT);
    r = verify_doc(small, fine, &rc);
    assert_int_equal(rc, LSIGN_OK);
    assert_string_equal(lsign_report_subindication(r), "NO_SIGNATURE_FOUND");
    lsign_report_free(r);
    free(fine);
    fine = tree(100, 100); /* 1500 bytes */
    assert_null(verify_doc(small, fine, &rc));
    assert_int_equal(rc, LSIGN_E_LIMIT);
    assert_non_null(strstr(lsign_last_error(), "larger"));
    lsign_ctx_free(small);
    free(deep);
    free(wide);
    free(fine);
}

/* Every byte of the signed DLHDon of a signed e-invoice changed, one at a time: never TOTAL-PASSED.
 */
static void test_every_byte_of_signed_element(void **state)
{
    lsign_xml_sign_options o = LSIGN_XML_SIGN_OPTIONS_INIT;
    size_t len, checked = 0;
    char *input =
        (char *)test_read_file(test_path("LIBSIGN_TEST_DATA", "xml/einvoice-input.xml"), &len);
    char *doc = realloc(input, len + 1), *start, *end;
    lsign_report *r;
    int rc;

    (void)state;
    doc[len] = 0;
    o.profile = LSIGN_XML_PROFILE_EINVOICE;
    o.parent_xpath = "/HDon/DSCKS/NBan";
    input = sign_doc(doc, &o, &rc);
    assert_non_null(input);
    start = strstr(input, "<DLHDon");
    end = strstr(input, "</DLHDon>");
    assert_non_null(start);
    assert_non_null(end);
    r = verify_doc(ctx, input, &rc);
    assert_string_equal(lsign_report_status(r), "TOTAL-PASSED");
    lsign_report_free(r);
    for (char *p = start; p < end + strlen("</DLHDon>"); p++, checked++) {
        char saved = *p;
        *p = saved == 'x' ? 'y' : 'x';
        r = verify_doc(ctx, input, &rc);
        if (rc == LSIGN_OK && strcmp(lsign_report_status(r), "TOTAL-PASSED") == 0)
            fail_msg("byte %td of DLHDon changed: still TOTAL-PASSED", p - start);
        lsign_report_free(r);
        *p = saved;
    }
    assert_true(checked > 2000);
    free(input);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_verify_covered),
        cmocka_unit_test(test_reference_by_id_and_policy),
        cmocka_unit_test(test_bad_options_write_nothing),
        cmocka_unit_test(test_verify_without_context),
        cmocka_unit_test(test_dtd_refused),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_every_byte_of_signed_element),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
