/* The validation report: statuses, accessors, JSON shape and escaping, texts. */
#define _GNU_SOURCE /* mkdtemp with glibc's feature macros */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/ctx.h"
#include "libsign/libsign.h"
#include "support/testenv.h"
#include "validate/report.h"

#define VN_SUBJECT "CN=SỞ Y TẾ, O=ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG, L=Đà Nẵng, C=VN"
#define VN_ISSUER  "CN=Cục Chứng thực số và Bảo mật thông tin, O=Ban Cơ yếu Chính phủ, C=VN"

/* 2025-07-29T07:05:31Z */
#define SIGNING_TIME ((time_t)1753772731)

/* A report with one passing, one failing (HASH_FAILURE) and one indeterminate signature. */
static lsi_report *three_signatures(int language)
{
    static const int64_t br[4] = {0, 1000, 9000, 500};
    lsi_report *r = lsi_report_new("khai-sinh.pdf", "pdf", language);
    lsi_report_sig *ok, *bad, *unsure;

    assert_non_null(r);
    ok = lsi_report_add_signature(r);
    assert_non_null(ok);
    assert_int_equal(lsi_report_sig_set_field(ok, "Signature1"), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_level(ok, "B-LT"), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_signing_time(ok, SIGNING_TIME), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_signer(ok, VN_SUBJECT, VN_ISSUER, "0a1b", "ab12"),
                     LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_timestamp(ok, SIGNING_TIME + 2, "CN=TSA, O=VGCA, C=VN",
                                                  LSI_TOTAL_PASSED),
                     LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_digest_algorithm(ok, "SHA-256"), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_byte_range(ok, br), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_covers_whole_document(ok, 0), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_modifications(ok, LSI_MODS_ALLOWED), LSIGN_OK);
    assert_int_equal(lsi_report_sig_add_modification(ok, "signature field %s added", "Sig2"),
                     LSIGN_OK);
    assert_int_equal(lsi_report_sig_add_modification(ok, "DSS added"), LSIGN_OK);
    assert_int_equal(lsi_report_sig_add_chain(ok, VN_SUBJECT, "aa"), LSIGN_OK);
    assert_int_equal(lsi_report_sig_add_chain(ok, VN_ISSUER, "bb"), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_revocation(ok, LSI_REPORT_REV_GOOD, "OCSP (DSS)"),
                     LSIGN_OK);
    assert_int_equal(lsi_report_sig_warn(ok, "signing time looks like local time (+%d h)", 7),
                     LSIGN_OK);

    bad = lsi_report_add_signature(r);
    assert_non_null(bad);
    assert_int_equal(lsi_report_sig_set_field(bad, "Sig2"), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_signer(bad, "CN=Văn thư", VN_ISSUER, "02", "cd34"),
                     LSIGN_OK);
    /* An indeterminate reason first, then the failure: the failure wins. */
    assert_int_equal(lsi_report_sig_fail(bad, LSI_INDETERMINATE, LSI_SUB_NO_POE, "no POE"),
                     LSIGN_OK);
    assert_int_equal(lsi_report_sig_fail(bad, LSI_TOTAL_FAILED, LSI_SUB_HASH_FAILURE,
                                         "digest over ByteRange differs from messageDigest"),
                     LSIGN_OK);
    /* A later, milder reason keeps the status and sub-indication. */
    assert_int_equal(lsi_report_sig_fail(bad, LSI_INDETERMINATE, LSI_SUB_TRY_LATER, "no CRL"),
                     LSIGN_OK);

    unsure = lsi_report_add_signature(r);
    assert_non_null(unsure);
    assert_int_equal(lsi_report_sig_fail(unsure, LSI_INDETERMINATE,
                                         LSI_SUB_NO_CERTIFICATE_CHAIN_FOUND,
                                         "no path to a trust anchor"),
                     LSIGN_OK);
    lsi_report_finish(r);
    return r;
}

static void test_status_aggregation(void **state)
{
    lsi_report *r = three_signatures(LSIGN_LANG_EN);
    lsi_report_sig *sig;

    (void)state;
    assert_int_equal(lsign_report_signature_count(r), 3);
    assert_string_equal(lsign_report_sig_status(r, 0), "TOTAL-PASSED");
    assert_null(lsign_report_sig_subindication(r, 0));
    assert_string_equal(lsign_report_sig_status(r, 1), "TOTAL-FAILED");
    assert_string_equal(lsign_report_sig_subindication(r, 1), "HASH_FAILURE");
    assert_int_equal(lsign_report_sig_error_count(r, 1), 3);
    assert_string_equal(lsign_report_sig_error(r, 1, 2), "no CRL");
    assert_string_equal(lsign_report_sig_status(r, 2), "INDETERMINATE");
    assert_string_equal(lsign_report_sig_subindication(r, 2), "NO_CERTIFICATE_CHAIN_FOUND");
    assert_string_equal(lsign_report_status(r), "TOTAL-FAILED");
    assert_string_equal(lsign_report_subindication(r), "HASH_FAILURE");
    lsign_report_free(r);

    /* Passing and indeterminate: indeterminate. */
    r = lsi_report_new("a.xml", "xml", LSIGN_LANG_VI);
    assert_non_null(r);
    assert_non_null(lsi_report_add_signature(r));
    sig = lsi_report_add_signature(r);
    assert_non_null(sig);
    lsi_report_finish(r);
    assert_string_equal(lsign_report_status(r), "TOTAL-PASSED");
    assert_null(lsign_report_subindication(r));
    assert_int_equal(lsi_report_sig_fail(sig, LSI_INDETERMINATE, LSI_SUB_OUT_OF_BOUNDS_NO_POE,
                                         "certificate expired %s", "2024-01-01"),
                     LSIGN_OK);
    assert_int_equal(lsi_report_sig_status(sig), LSI_INDETERMINATE);
    lsi_report_finish(r);
    assert_string_equal(lsign_report_format(r), "xml");
    assert_string_equal(lsign_report_status(r), "INDETERMINATE");
    assert_string_equal(lsign_report_subindication(r), "OUT_OF_BOUNDS_NO_POE");
    assert_string_equal(lsign_report_sig_error(r, 1, 0), "certificate expired 2024-01-01");
    lsign_report_free(r);
    lsign_report_free(NULL);
}

static void test_no_signature(void **state)
{
    lsi_report *r = lsi_report_new(NULL, "pdf", LSIGN_LANG_VI);
    char *json = NULL;
    size_t len = 0;

    (void)state;
    assert_non_null(r);
    lsi_report_finish(r);
    assert_string_equal(lsign_report_file(r), "");
    assert_int_equal(lsign_report_signature_count(r), 0);
    assert_string_equal(lsign_report_status(r), "TOTAL-FAILED");
    assert_string_equal(lsign_report_subindication(r), "NO_SIGNATURE_FOUND");
    assert_null(lsign_report_sig_status(r, 0));
    assert_int_equal(lsign_report_json(r, &json, &len), LSIGN_OK);
    assert_non_null(strstr(json, "\"signatures\": []"));
    assert_int_equal(strlen(json), len);
    lsign_free_string(json);
    assert_non_null(strstr(lsign_report_text(r), "không tìm thấy chữ ký số"));
    lsign_report_free(r);
}

static void test_accessors(void **state)
{
    lsi_report *r = three_signatures(LSIGN_LANG_EN);
    int64_t br[4] = {-1, -1, -1, -1};

    (void)state;
    assert_string_equal(lsign_report_file(r), "khai-sinh.pdf");
    assert_string_equal(lsign_report_format(r), "pdf");
    assert_string_equal(lsign_report_sig_field(r, 0), "Signature1");
    assert_string_equal(lsign_report_sig_level(r, 0), "B-LT");
    assert_string_equal(lsign_report_sig_signing_time(r, 0), "2025-07-29T07:05:31Z");
    assert_string_equal(lsign_report_sig_signer_subject(r, 0), VN_SUBJECT);
    assert_string_equal(lsign_report_sig_signer_issuer(r, 0), VN_ISSUER);
    assert_string_equal(lsign_report_sig_signer_serial(r, 0), "0a1b");
    assert_string_equal(lsign_report_sig_signer_sha256(r, 0), "ab12");
    assert_string_equal(lsign_report_sig_timestamp_time(r, 0), "2025-07-29T07:05:33Z");
    assert_string_equal(lsign_report_sig_timestamp_tsa(r, 0), "CN=TSA, O=VGCA, C=VN");
    assert_string_equal(lsign_report_sig_timestamp_status(r, 0), "TOTAL-PASSED");
    assert_string_equal(lsign_report_sig_digest_algorithm(r, 0), "SHA-256");
    assert_int_equal(lsign_report_sig_byte_range(r, 0, br), LSIGN_OK);
    assert_true(br[0] == 0 && br[1] == 1000 && br[2] == 9000 && br[3] == 500);
    assert_int_equal(lsign_report_sig_covers_whole_document(r, 0), 0);
    assert_string_equal(lsign_report_sig_modifications_verdict(r, 0), "ALLOWED");
    assert_int_equal(lsign_report_sig_modification_count(r, 0), 2);
    assert_string_equal(lsign_report_sig_modification(r, 0, 0), "signature field Sig2 added");
    assert_string_equal(lsign_report_sig_modification(r, 0, 1), "DSS added");
    assert_null(lsign_report_sig_modification(r, 0, 2));
    assert_int_equal(lsign_report_sig_chain_length(r, 0), 2);
    assert_string_equal(lsign_report_sig_chain_subject(r, 0, 1), VN_ISSUER);
    assert_string_equal(lsign_report_sig_chain_sha256(r, 0, 0), "aa");
    assert_null(lsign_report_sig_chain_subject(r, 0, 2));
    assert_null(lsign_report_sig_chain_sha256(r, 0, 2));
    assert_string_equal(lsign_report_sig_revocation_status(r, 0), "GOOD");
    assert_string_equal(lsign_report_sig_revocation_source(r, 0), "OCSP (DSS)");
    assert_int_equal(lsign_report_sig_error_count(r, 0), 0);
    assert_null(lsign_report_sig_error(r, 0, 0));
    assert_int_equal(lsign_report_sig_warning_count(r, 0), 1);
    assert_string_equal(lsign_report_sig_warning(r, 0, 0),
                        "signing time looks like local time (+7 h)");
    assert_null(lsign_report_sig_warning(r, 0, 1));

    /* Defaults of a signature nobody described. */
    assert_null(lsign_report_sig_field(r, 2));
    assert_null(lsign_report_sig_level(r, 2));
    assert_null(lsign_report_sig_signing_time(r, 2));
    assert_string_equal(lsign_report_sig_signer_subject(r, 2), "");
    assert_string_equal(lsign_report_sig_signer_sha256(r, 2), "");
    assert_string_equal(lsign_report_sig_digest_algorithm(r, 2), "");
    assert_null(lsign_report_sig_timestamp_time(r, 2));
    assert_null(lsign_report_sig_timestamp_tsa(r, 2));
    assert_null(lsign_report_sig_timestamp_status(r, 2));
    assert_int_equal(lsign_report_sig_byte_range(r, 2, br), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_report_sig_covers_whole_document(r, 2), 0);
    assert_string_equal(lsign_report_sig_modifications_verdict(r, 2), "NONE");
    assert_int_equal(lsign_report_sig_chain_length(r, 2), 0);
    assert_string_equal(lsign_report_sig_revocation_status(r, 2), "NOT_CHECKED");
    assert_null(lsign_report_sig_revocation_source(r, 2));

    /* Out of range. */
    assert_null(lsign_report_sig_field(r, 3));
    assert_null(lsign_report_sig_status(r, 3));
    assert_null(lsign_report_sig_subindication(r, 3));
    assert_null(lsign_report_sig_signer_subject(r, 3));
    assert_null(lsign_report_sig_signer_issuer(r, 3));
    assert_null(lsign_report_sig_signer_serial(r, 3));
    assert_null(lsign_report_sig_digest_algorithm(r, 3));
    assert_null(lsign_report_sig_modifications_verdict(r, 3));
    assert_null(lsign_report_sig_revocation_status(r, 3));
    assert_int_equal(lsign_report_sig_byte_range(r, 3, br), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_report_sig_byte_range(r, 0, NULL), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_report_sig_covers_whole_document(r, 3), -1);
    assert_int_equal(lsign_report_sig_modification_count(r, 3), 0);
    assert_int_equal(lsign_report_sig_chain_length(r, 3), 0);
    assert_int_equal(lsign_report_sig_error_count(r, 3), 0);
    assert_int_equal(lsign_report_sig_warning_count(r, 3), 0);
    assert_null(lsign_report_sig_error(r, 3, 0));
    assert_null(lsign_report_sig_warning(r, 3, 0));
    assert_null(lsign_report_status(NULL));
    assert_null(lsign_report_file(NULL));
    assert_int_equal(lsign_report_signature_count(NULL), 0);
    assert_null(lsign_report_text(NULL));
    assert_null(lsign_report_sig_status(NULL, 0));
    lsign_report_free(r);
}

static void test_bad_arguments(void **state)
{
    lsi_report *r;
    lsi_report_sig *sig;
    char *json = (char *)"x";

    (void)state;
    assert_null(lsi_report_new("f", "docx", LSIGN_LANG_VI));
    assert_int_equal(lsign_last_error_code(), LSIGN_E_INVALID_ARG);
    assert_null(lsi_report_new("f", NULL, LSIGN_LANG_VI));
    assert_null(lsi_report_new("f", "pdf", 7));
    r = lsi_report_new("f", "pdf", LSIGN_LANG_EN);
    assert_non_null(r);
    sig = lsi_report_add_signature(r);
    assert_non_null(sig);
    assert_int_equal(lsi_report_sig_set_level(sig, "B-X"), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_report_sig_set_level(sig, "B-LTA"), LSIGN_OK);
    assert_int_equal(lsi_report_sig_set_level(sig, NULL), LSIGN_OK);
    assert_null(lsign_report_sig_level(r, 0));
    assert_int_equal(lsi_report_sig_set_modifications(sig, (lsi_mods_verdict)9),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_report_sig_set_revocation(sig, (lsi_revocation)9, NULL),
                     LSIGN_E_INVALID_ARG);
    /* A status out of the enum counts as the worst, never as passing. */
    assert_int_equal(lsi_report_sig_fail(sig, (lsi_status)42, NULL, "odd"), LSIGN_OK);
    lsi_report_finish(r);
    assert_string_equal(lsign_report_status(r), "TOTAL-FAILED");
    assert_int_equal(lsign_report_json(NULL, &json, NULL), LSIGN_E_INVALID_ARG);
    assert_null(json);
    assert_int_equal(lsign_report_json(r, NULL, NULL), LSIGN_E_INVALID_ARG);
    lsign_report_free(r);
}

/* A self-signed certificate with a Vietnamese subject. */
static X509 *vietnamese_cert(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();

    assert_non_null(key);
    assert_non_null(cert);
    assert_non_null(name);
    assert_true(X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"VN",
                                           -1, -1, 0));
    assert_true(X509_NAME_add_entry_by_txt(
        name, "O", MBSTRING_UTF8, (const unsigned char *)"ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG", -1,
        -1, 0));
    assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                           (const unsigned char *)"SỞ Y TẾ", -1, -1, 0));
    assert_true(ASN1_INTEGER_set_int64(X509_get_serialNumber(cert), 0x1234ABCD));
    assert_true(X509_set_subject_name(cert, name));
    assert_true(X509_set_issuer_name(cert, name));
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(cert), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(cert), 3600));
    assert_true(X509_set_pubkey(cert, key));
    assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    EVP_PKEY_free(key);
    return cert;
}

static void test_signer_from_certificate(void **state)
{
    X509 *cert = vietnamese_cert();
    lsi_report *r = lsi_report_new("x.pdf", "pdf", LSIGN_LANG_VI);
    lsi_report_sig *sig;
    unsigned char md[32];
    unsigned int md_len = 0;
    char expect[65];

    (void)state;
    assert_non_null(r);
    sig = lsi_report_add_signature(r);
    assert_non_null(sig);
    assert_int_equal(lsi_report_sig_set_signer_cert(sig, cert), LSIGN_OK);
    assert_int_equal(lsi_report_sig_add_chain_cert(sig, cert), LSIGN_OK);
    lsi_report_finish(r);
    assert_string_equal(lsign_report_sig_signer_subject(r, 0),
                        "CN=SỞ Y TẾ, O=ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG, C=VN");
    assert_string_equal(lsign_report_sig_signer_issuer(r, 0),
                        lsign_report_sig_signer_subject(r, 0));
    assert_string_equal(lsign_report_sig_signer_serial(r, 0), "1234abcd");
    assert_true(X509_digest(cert, EVP_sha256(), md, &md_len));
    assert_int_equal(md_len, 32);
    for (unsigned int k = 0; k < md_len; k++)
        snprintf(expect + 2 * k, 3, "%02x", md[k]);
    assert_string_equal(lsign_report_sig_signer_sha256(r, 0), expect);
    assert_string_equal(lsign_report_sig_chain_sha256(r, 0, 0), expect);
    assert_string_equal(lsign_report_sig_chain_subject(r, 0, 0),
                        lsign_report_sig_signer_subject(r, 0));
    lsign_report_free(r);
    X509_free(cert);
}

/*
 * Checks a report's JSON with Python's parser: the exact key order and
 * value types of every object, then each line of `checks` as a Python
 * expression over `d` (the parsed report) and `raw` (the file's text).
 */
static const char checker[] =
    "import json, sys\n"
    "TOP = ['file', 'format', 'status', 'subindication', 'signatures']\n"
    "SIG = ['index', 'field', 'status', 'subindication', 'level', 'signer', 'signing_time',\n"
    "       'timestamp', 'digest_algorithm', 'byte_range', 'covers_whole_document',\n"
    "       'modifications', 'chain', 'covered', 'revocation', 'errors', 'warnings']\n"
    "ST = ('TOTAL-PASSED', 'TOTAL-FAILED', 'INDETERMINATE')\n"
    "def pairs(p):\n"
    "    keys = [k for k, _ in p]\n"
    "    assert len(keys) == len(set(keys)), keys\n"
    "    return dict(p)\n"
    "raw = open(sys.argv[1], encoding='utf-8').read()\n"
    "d = json.loads(raw, object_pairs_hook=pairs)\n"
    "s = lambda x: isinstance(x, str)\n"
    "sn = lambda x: x is None or s(x)\n"
    "strs = lambda x: isinstance(x, list) and all(map(s, x))\n"
    "assert list(d) == TOP, list(d)\n"
    "assert s(d['file']) and d['format'] in ('pdf', 'xml') and d['status'] in ST\n"
    "assert sn(d['subindication']) and isinstance(d['signatures'], list)\n"
    "for i, g in enumerate(d['signatures']):\n"
    "    assert list(g) == SIG, list(g)\n"
    "    assert type(g['index']) is int and g['index'] == i\n"
    "    assert sn(g['field']) and g['status'] in ST and sn(g['subindication'])\n"
    "    assert g['level'] in (None, 'B-B', 'B-T', 'B-LT', 'B-LTA')\n"
    "    assert list(g['signer']) == ['subject', 'issuer', 'serial', 'sha256']\n"
    "    assert all(map(s, g['signer'].values())) and sn(g['signing_time'])\n"
    "    t = g['timestamp']\n"
    "    assert t is None or (list(t) == ['time', 'tsa', 'status'] and s(t['time'])\n"
    "                         and s(t['tsa']) and t['status'] in ST)\n"
    "    assert s(g['digest_algorithm'])\n"
    "    b = g['byte_range']\n"
    "    assert b is None or (len(b) == 4 and all(type(x) is int for x in b))\n"
    "    assert type(g['covers_whole_document']) is bool\n"
    "    m = g['modifications']\n"
    "    assert list(m) == ['verdict', 'details'] and strs(m['details'])\n"
    "    assert m['verdict'] in ('NONE', 'ALLOWED', 'DISALLOWED')\n"
    "    assert isinstance(g['chain'], list)\n"
    "    for c in g['chain']:\n"
    "        assert list(c) == ['subject', 'sha256'] and s(c['subject']) and s(c['sha256'])\n"
    "    v = g['revocation']\n"
    "    assert list(v) == ['status', 'source'] and sn(v['source'])\n"
    "    assert v['status'] in ('GOOD', 'REVOKED', 'UNKNOWN', 'NOT_CHECKED')\n"
    "    assert strs(g['errors']) and strs(g['warnings'])\n"
    "for line in open(sys.argv[2], encoding='utf-8').read().splitlines():\n"
    "    assert eval(line), line\n";

/* Runs the checker on the report's JSON; returns its exit status (0: all good). */
static int check_json(const lsi_report *r, const char *checks)
{
    char dir[] = "/tmp/lsign-report-XXXXXX", script[64], json_path[64], checks_path[64];
    char cmd[512];
    char *json = NULL;
    size_t len = 0;
    int status;

    assert_non_null(mkdtemp(dir));
    snprintf(script, sizeof script, "%s/check.py", dir);
    snprintf(json_path, sizeof json_path, "%s/report.json", dir);
    snprintf(checks_path, sizeof checks_path, "%s/checks.txt", dir);
    assert_int_equal(lsign_report_json(r, &json, &len), LSIGN_OK);
    assert_int_equal(strlen(json), len);
    assert_true(len > 2 && json[0] == '{' && json[len - 1] == '}');
    test_write_file(script, checker, sizeof checker - 1);
    test_write_file(json_path, json, len);
    test_write_file(checks_path, checks, strlen(checks));
    lsign_free_string(json);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %s", script, json_path, checks_path);
    status = system(cmd);
    unlink(script);
    unlink(json_path);
    unlink(checks_path);
    rmdir(dir);
    return status;
}

static void test_json_shape(void **state)
{
    lsi_report *r = three_signatures(LSIGN_LANG_VI);
    lsi_report *empty = lsi_report_new("empty.pdf", "pdf", LSIGN_LANG_VI);

    (void)state;
    assert_int_equal(
        check_json(r,
                   "d['file'] == 'khai-sinh.pdf' and d['format'] == 'pdf'\n"
                   "d['status'] == 'TOTAL-FAILED' and d['subindication'] == 'HASH_FAILURE'\n"
                   "len(d['signatures']) == 3\n"
                   "d['signatures'][0]['signer']['subject'] == '" VN_SUBJECT "'\n"
                   "'" VN_SUBJECT "' in raw\n"
                   "d['signatures'][0]['signing_time'] == '2025-07-29T07:05:31Z'\n"
                   "d['signatures'][0]['timestamp']['tsa'] == 'CN=TSA, O=VGCA, C=VN'\n"
                   "d['signatures'][0]['byte_range'] == [0, 1000, 9000, 500]\n"
                   "d['signatures'][0]['covers_whole_document'] is False\n"
                   "d['signatures'][0]['modifications']['details'][1] == 'DSS added'\n"
                   "d['signatures'][0]['chain'][1]['sha256'] == 'bb'\n"
                   "d['signatures'][0]['revocation'] == {'status': 'GOOD', "
                   "'source': 'OCSP (DSS)'}\n"
                   "d['signatures'][0]['warnings'] == "
                   "['signing time looks like local time (+7 h)']\n"
                   "d['signatures'][1]['status'] == 'TOTAL-FAILED'\n"
                   "d['signatures'][1]['subindication'] == 'HASH_FAILURE'\n"
                   "len(d['signatures'][1]['errors']) == 3\n"
                   "d['signatures'][2]['timestamp'] is None\n"
                   "d['signatures'][2]['byte_range'] is None\n"
                   "d['signatures'][2]['field'] is None and d['signatures'][2]['level'] is None\n"
                   "d['signatures'][2]['subindication'] == 'NO_CERTIFICATE_CHAIN_FOUND'\n"
                   "d['signatures'][2]['revocation']['source'] is None\n"),
        0);
    /* The checker can fail: a wrong expectation is caught. */
    assert_int_not_equal(check_json(r, "d['status'] == 'TOTAL-PASSED'\n"), 0);

    assert_non_null(empty);
    lsi_report_finish(empty);
    assert_int_equal(check_json(empty, "d['signatures'] == []\n"
                                       "d['subindication'] == 'NO_SIGNATURE_FOUND'\n"),
                     0);
    lsign_report_free(empty);
    lsign_report_free(r);
}

static void test_json_escaping(void **state)
{
    lsi_report *r = lsi_report_new("t\xe1\xbb\x87p \"x\"\\y.pdf", "pdf", LSIGN_LANG_EN);
    lsi_report_sig *sig;
    char *json = NULL;

    (void)state;
    assert_non_null(r);
    sig = lsi_report_add_signature(r);
    assert_non_null(sig);
    /* Control characters, DEL and a C1 control (U+0085). */
    assert_int_equal(lsi_report_sig_set_field(sig, "a\x01\tb\nc\x1f\x7f\xc2\x85"), LSIGN_OK);
    /* Invalid UTF-8: a lone continuation byte, a truncated sequence, an overlong '/', a surrogate.
     */
    assert_int_equal(
        lsi_report_sig_set_signer(sig, "CN=\x80x\xc3", "O=\xc0\xaf", "\xed\xa0\x80", "ok"),
        LSIGN_OK);
    assert_int_equal(lsi_report_sig_warn(sig, "bad \xff byte"), LSIGN_OK);
    lsi_report_finish(r);

    /* Stored strings are valid UTF-8 already. */
    assert_string_equal(lsign_report_sig_signer_subject(r, 0), "CN=\xEF\xBF\xBDx\xEF\xBF\xBD");
    assert_string_equal(lsign_report_sig_signer_issuer(r, 0), "O=\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(lsign_report_sig_warning(r, 0, 0), "bad \xEF\xBF\xBD byte");
    assert_string_equal(lsign_report_file(r), "t\xe1\xbb\x87p \"x\"\\y.pdf");

    assert_int_equal(lsign_report_json(r, &json, NULL), LSIGN_OK);
    assert_non_null(strstr(json, "\"file\": \"tệp \\\"x\\\"\\\\y.pdf\""));
    assert_non_null(strstr(json, "\"field\": \"a\\u0001\\u0009b\\u000ac\\u001f\\u007f\\u0085\""));
    for (const char *p = json; *p != '\0'; p++)
        assert_true((unsigned char)*p >= 0x20 || *p == '\n');
    lsign_free_string(json);
    lsign_free_string(NULL);

    assert_int_equal(check_json(r,
                                "d['file'] == 't\\u1ec7p \"x\"\\\\y.pdf'\n"
                                "'tệp' in raw and '\\\\u1ec7' not in raw\n"
                                "d['signatures'][0]['field'] == 'a\\x01\\tb\\nc\\x1f\\x7f\\x85'\n"
                                "d['signatures'][0]['signer']['subject'] == 'CN=\\ufffdx\\ufffd'\n"
                                "d['signatures'][0]['signer']['serial'] == '\\ufffd' * 3\n"
                                "d['signatures'][0]['warnings'] == ['bad \\ufffd byte']\n"),
                     0);
    lsign_report_free(r);
}

static void test_text_vietnamese(void **state)
{
    lsi_report *r = three_signatures(LSIGN_LANG_VI);
    const char *text;

    (void)state;
    text = lsign_report_text(r);
    assert_non_null(text);
    assert_ptr_equal(text, lsign_report_text(r)); /* built once, owned by the report */
    assert_non_null(strstr(text, "Kết quả kiểm tra: Chữ ký số không hợp lệ"));
    assert_non_null(strstr(text, "Chữ ký 1 (trường Signature1): Chữ ký số hợp lệ"));
    assert_non_null(strstr(text, "Chữ ký 2 (trường Sig2): Chữ ký số không hợp lệ"));
    assert_non_null(strstr(text, "Chữ ký 3: Không xác định"));
    assert_non_null(strstr(text, "Người ký: " VN_SUBJECT));
    assert_non_null(strstr(text, "Thời điểm ký: 2025-07-29T14:05:31+07:00"));
    assert_non_null(
        strstr(text, "Dấu thời gian: 2025-07-29T14:05:33+07:00, do CN=TSA, O=VGCA, C=VN (hợp lệ)"));
    assert_non_null(strstr(text, "Lý do: tài liệu đã bị thay đổi sau khi ký"));
    assert_non_null(strstr(text, "giá trị băm không khớp (HASH_FAILURE)"));
    assert_non_null(strstr(text, "Mức chữ ký: PAdES B-LT"));
    assert_non_null(strstr(
        text, "Thay đổi sau khi ký: được phép\n    - signature field Sig2 added\n    - DSS added"));
    assert_non_null(strstr(text, "chuỗi chứng thư số đến chứng thư số gốc tin cậy"));
    assert_non_null(
        strstr(text, "Tình trạng thu hồi chứng thư số: chưa bị thu hồi, theo OCSP (DSS)"));
    assert_non_null(strstr(text, "Cảnh báo: signing time looks like local time"));
    assert_non_null(strstr(text, "Lỗi: digest over ByteRange differs from messageDigest"));
    assert_null(strstr(text, "Invalid"));
    lsign_report_free(r);
}

static void test_text_english(void **state)
{
    lsi_report *r = three_signatures(LSIGN_LANG_EN);
    const char *text;

    (void)state;
    text = lsign_report_text(r);
    assert_non_null(text);
    assert_non_null(strstr(text, "Result: Invalid signature"));
    assert_non_null(strstr(text, "Signature 1 (field Signature1): Valid signature"));
    assert_non_null(strstr(text, "Signature 3: Indeterminate"));
    assert_non_null(strstr(text, "Signer: " VN_SUBJECT));
    assert_non_null(strstr(text, "Signing time: 2025-07-29T07:05:31Z"));
    assert_non_null(
        strstr(text, "Timestamp: 2025-07-29T07:05:33Z, by CN=TSA, O=VGCA, C=VN (valid)"));
    assert_non_null(strstr(text, "Level: PAdES B-LT"));
    assert_non_null(strstr(text, "Certificate revocation: not revoked, per OCSP (DSS)"));
    assert_non_null(strstr(text, "Warning: signing time looks like local time"));
    assert_non_null(strstr(text, "Reason: the document was changed after signing"));
    assert_non_null(strstr(text, "no certificate chain to a trusted root"));
    assert_null(strstr(text, "Chữ ký"));
    lsign_report_free(r);
}

static void *read_text(void *report)
{
    return (void *)lsign_report_text(report);
}

/* Readers may share a report: the lazily built text is built once. */
static void test_text_concurrent(void **state)
{
    lsi_report *r = three_signatures(LSIGN_LANG_VI);
    pthread_t threads[4];
    void *texts[4];

    (void)state;
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, read_text, r), 0);
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_join(threads[t], &texts[t]), 0);
    for (int t = 0; t < 4; t++)
        assert_ptr_equal(texts[t], lsign_report_text(r));
    lsign_report_free(r);
}

static void test_ctx_language(void **state)
{
    lsign_ctx *ctx = NULL;

    (void)state;
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    assert_int_equal(lsi_ctx_language(ctx), LSIGN_LANG_VI); /* Vietnamese by default */
    assert_int_equal(lsign_ctx_set_language(ctx, LSIGN_LANG_EN), LSIGN_OK);
    assert_int_equal(lsi_ctx_language(ctx), LSIGN_LANG_EN);
    assert_int_equal(lsign_ctx_set_language(ctx, 2), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_ctx_language(ctx), LSIGN_LANG_EN);
    assert_int_equal(lsign_ctx_set_language(NULL, LSIGN_LANG_VI), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_ctx_language(NULL), LSIGN_LANG_VI);
    lsign_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_aggregation),
        cmocka_unit_test(test_no_signature),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_signer_from_certificate),
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_text_vietnamese),
        cmocka_unit_test(test_text_english),
        cmocka_unit_test(test_text_concurrent),
        cmocka_unit_test(test_ctx_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
