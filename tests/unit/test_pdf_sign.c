/* lsign_pdf_sign(): PAdES B-B signatures checked with OpenSSL, permissions, failures. */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "libsign/libsign.h"
#include "pdf/document.h"
#include "pdf/pages.h"
#include "support/minipdf.h"
#include "support/testenv.h"

static lsign_signer *rsa, *ec;

static lsign_signer *open_p12(const char *name)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;

    o.pin_source = "env:LSIGN_TEST_P12_PASS";
    if (lsign_signer_open(&s, NULL, PKI(name), &o) != LSIGN_OK)
        fail_msg("open %s: %s", name, lsign_last_error());
    return s;
}

static int setup(void **state)
{
    (void)state;
    setenv("LSIGN_TEST_P12_PASS", "test", 1);
    rsa = open_p12("signer-rsa2048.p12");
    ec = open_p12("signer-ecp256.p12");
    return test_dir_create();
}

static int teardown(void **state)
{
    (void)state;
    lsign_signer_free(rsa);
    lsign_signer_free(ec);
    return test_dir_remove();
}

/* Signs memory `pdf` into a new memory buffer (malloc'd); returns the status. */
static int sign_mem(lsign_signer *s, const void *pdf, size_t len, const lsign_pdf_sign_options *o,
                    unsigned char **out, size_t *out_len)
{
    lsign_input *in = NULL;
    lsign_output *res = NULL;
    const unsigned char *bytes;
    int rc;

    assert_int_equal(lsign_input_from_memory(&in, pdf, len), LSIGN_OK);
    assert_int_equal(lsign_output_to_memory(&res), LSIGN_OK);
    rc = lsign_pdf_sign(NULL, s, in, res, o);
    *out = NULL;
    if (rc == LSIGN_OK) {
        assert_int_equal(lsign_output_memory(res, &bytes, out_len), LSIGN_OK);
        *out = malloc(*out_len);
        memcpy(*out, bytes, *out_len);
    }
    lsign_input_free(in);
    lsign_output_free(res);
    return rc;
}

static unsigned char *sign_ok(lsign_signer *s, const void *pdf, size_t len,
                              const lsign_pdf_sign_options *o, size_t *out_len)
{
    unsigned char *out;

    if (sign_mem(s, pdf, len, o, &out, out_len) != LSIGN_OK)
        fail_msg("sign: %s", lsign_last_error());
    assert_true(*out_len > len);
    assert_memory_equal(out, pdf, len); /* an incremental update */
    return out;
}

/* What a test wants to know of one signature field. */
typedef struct sig_info {
    char field[128];
    int64_t range[4];
    unsigned char *der;
    size_t der_len;
    char subfilter[64];
    char m[64];
    int64_t docmdp_p; /* from /Reference, 0 when none */
    int has_fieldmdp;
    int has_lock;
} sig_info;

static void copy_name(const lsi_pdf_obj *obj, char *buf, size_t size)
{
    const char *name = "";
    const unsigned char *bytes;
    size_t len = 0;

    if (lsi_pdf_get_name(obj, &name, &len) || lsi_pdf_get_string(obj, &bytes, &len))
        snprintf(buf, size, "%.*s", (int)len,
                 obj->type == LSI_PDF_NAME ? name : (const char *)bytes);
    else
        buf[0] = '\0';
}

static void read_reference(lsi_pdf_doc *doc, const lsi_pdf_obj *sig, sig_info *info)
{
    const lsi_pdf_obj *refs = lsi_pdf_dict_get(sig, "Reference");

    for (size_t i = 0; i < lsi_pdf_count(refs); i++) {
        const lsi_pdf_obj *ref = NULL;
        assert_int_equal(lsi_pdf_doc_deref(doc, lsi_pdf_array_get(refs, i), &ref), LSIGN_OK);
        if (lsi_pdf_name_is(lsi_pdf_dict_get(ref, "TransformMethod"), "DocMDP"))
            assert_true(lsi_pdf_get_int(
                lsi_pdf_dict_get(lsi_pdf_dict_get(ref, "TransformParams"), "P"), &info->docmdp_p));
        if (lsi_pdf_name_is(lsi_pdf_dict_get(ref, "TransformMethod"), "FieldMDP"))
            info->has_fieldmdp = 1;
    }
}

/* The signed signature fields of a document, in field order. */
static size_t signatures(const unsigned char *pdf, size_t len, sig_info *out, size_t max)
{
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_field *fields = NULL;
    size_t count = 0, n = 0;

    assert_int_equal(lsi_pdf_doc_open(pdf, len, NULL, &doc), LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_fields(doc, &fields, &count), LSIGN_OK);
    for (size_t i = 0; i < count && n < max; i++) {
        const lsi_pdf_obj *v = fields[i].value, *range;
        const unsigned char *bytes;
        sig_info *info = &out[n];
        if (v == NULL || v->type != LSI_PDF_DICT)
            continue;
        memset(info, 0, sizeof *info);
        snprintf(info->field, sizeof info->field, "%s", fields[i].name);
        range = lsi_pdf_dict_get(v, "ByteRange");
        assert_int_equal(lsi_pdf_count(range), 4);
        for (size_t k = 0; k < 4; k++)
            assert_true(lsi_pdf_get_int(lsi_pdf_array_get(range, k), &info->range[k]));
        assert_true(lsi_pdf_get_string(lsi_pdf_dict_get(v, "Contents"), &bytes, &info->der_len));
        info->der = malloc(info->der_len);
        memcpy(info->der, bytes, info->der_len);
        copy_name(lsi_pdf_dict_get(v, "SubFilter"), info->subfilter, sizeof info->subfilter);
        copy_name(lsi_pdf_dict_get(v, "M"), info->m, sizeof info->m);
        read_reference(doc, v, info);
        info->has_lock = lsi_pdf_dict_get(fields[i].dict, "Lock") != NULL;
        assert_true(lsi_pdf_name_is(lsi_pdf_dict_get(v, "Type"), "Sig"));
        assert_true(lsi_pdf_name_is(lsi_pdf_dict_get(v, "Filter"), "Adobe.PPKLite"));
        n++;
    }
    lsi_pdf_fields_free(fields, count);
    lsi_pdf_doc_free(doc);
    return n;
}

static void free_infos(sig_info *infos, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(infos[i].der);
}

static X509_STORE *trust_store(void)
{
    X509_STORE *store = X509_STORE_new();

    assert_int_equal(X509_STORE_load_file(store, PKI("root-ca.crt")), 1);
    X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
    return store;
}

/* The CMS of `info`, verified over its ByteRange bytes of `pdf`; NULL if it does not verify. */
static CMS_ContentInfo *verified_cms(const unsigned char *pdf, size_t len, const sig_info *info)
{
    const int64_t *r = info->range;
    const unsigned char *p = info->der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)info->der_len);
    X509_STORE *store = trust_store();
    BIO *content = BIO_new(BIO_s_mem());
    int ok;

    assert_non_null(cms);
    assert_int_equal(r[0], 0);
    assert_true(r[2] + r[3] <= (int64_t)len);
    assert_int_equal(pdf[r[1]], '<');
    assert_int_equal(pdf[r[2] - 1], '>');
    BIO_write(content, pdf, (int)r[1]);
    BIO_write(content, pdf + r[2], (int)r[3]);
    ok = CMS_verify(cms, NULL, store, content, NULL, CMS_BINARY | CMS_DETACHED) == 1;
    BIO_free(content);
    X509_STORE_free(store);
    if (!ok) {
        CMS_ContentInfo_free(cms);
        return NULL;
    }
    return cms;
}

static int verifies(const unsigned char *pdf, size_t len, const sig_info *info)
{
    CMS_ContentInfo *cms = verified_cms(pdf, len, info);

    CMS_ContentInfo_free(cms);
    return cms != NULL;
}

static void sha256_of_range(const unsigned char *pdf, const int64_t *r, unsigned char *md)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, pdf, (size_t)r[1]);
    EVP_DigestUpdate(ctx, pdf + r[2], (size_t)r[3]);
    EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
}

static X509 *signer_cert(lsign_signer *s, size_t index)
{
    const unsigned char *der;
    size_t len;

    assert_int_equal(lsign_signer_cert_der(s, index, &der, &len), LSIGN_OK);
    return d2i_X509(NULL, &der, (long)len);
}

/* 1 if the ESS signing-certificate-v2 attribute identifies `cert`. */
static int ess_names(CMS_SignerInfo *si, X509 *cert)
{
    ASN1_STRING *seq = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE);
    const unsigned char *p;
    ESS_SIGNING_CERT_V2 *ess;
    STACK_OF(X509) *chain = sk_X509_new_null();
    int ok;

    assert_non_null(seq);
    p = ASN1_STRING_get0_data(seq);
    ess = d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(seq));
    assert_non_null(ess);
    sk_X509_push(chain, cert);
    ok = OSSL_ESS_check_signing_certs(NULL, ess, chain, 1) == 1;
    sk_X509_free(chain);
    ESS_SIGNING_CERT_V2_free(ess);
    return ok;
}

static unsigned char *corpus(const char *name, size_t *len)
{
    char rel[256];

    snprintf(rel, sizeof rel, "pdf/corpus/%s", name);
    return test_read_file(test_path("LIBSIGN_TEST_DATA", rel), len);
}

/* Acceptance: the signed attributes of PAdES B-B. */
static void test_pades_signed_attributes(void **state)
{
    size_t len, out_len;
    unsigned char *pdf = corpus("lo-writer.pdf", &len), *out, md[32];
    sig_info info;
    CMS_ContentInfo *cms;
    CMS_SignerInfo *si;
    ASN1_OCTET_STRING *digest;
    X509 *leaf = signer_cert(rsa, 0), *other = signer_cert(ec, 0);

    (void)state;
    out = sign_ok(rsa, pdf, len, NULL, &out_len);
    assert_int_equal(signatures(out, out_len, &info, 1), 1);
    assert_string_equal(info.subfilter, "ETSI.CAdES.detached");
    assert_int_equal(info.range[2] + info.range[3], (int64_t)out_len); /* total document */
    assert_non_null(cms = verified_cms(out, out_len, &info));
    si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    assert_true(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0);
    digest = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                         V_ASN1_OCTET_STRING);
    sha256_of_range(out, info.range, md);
    assert_non_null(digest);
    assert_int_equal(ASN1_STRING_length(digest), 32);
    assert_memory_equal(ASN1_STRING_get0_data(digest), md, 32);
    assert_true(ess_names(si, leaf));
    assert_false(ess_names(si, other));
    assert_int_equal(CMS_signed_get_attr_count(si), 3);
    /* The signer and its issuing CA, not the root. */
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    assert_int_equal(sk_X509_num(certs), 2);
    sk_X509_pop_free(certs, X509_free);
    /* A changed byte in the signed range breaks it. */
    out[10] ^= 1;
    assert_false(verifies(out, out_len, &info));
    CMS_ContentInfo_free(cms);
    X509_free(leaf);
    X509_free(other);
    free_infos(&info, 1);
    free(out);
    free(pdf);
}

static void test_pkcs7_subfilter_ecdsa_sha384_with_texts(void **state)
{
    lsign_pdf_sign_options o = LSIGN_PDF_SIGN_OPTIONS_INIT;
    size_t len, out_len;
    unsigned char *pdf = corpus("pdftex-objstm.pdf", &len), *out;
    sig_info info;
    CMS_ContentInfo *cms;
    CMS_SignerInfo *si;

    (void)state;
    o.subfilter = LSIGN_SUBFILTER_PKCS7;
    o.digest = LSIGN_DIGEST_SHA384;
    o.reason = "X\xc3\xa1\xe1\xba\xa1"; /* X, U+00E1, U+1EA1: UTF-16BE with a BOM */
    o.location = "UBND xa Chi Minh";
    o.include_root = 1;
    o.signing_time = 1790000000;
    out = sign_ok(ec, pdf, len, &o, &out_len);
    assert_non_null(memmem(out + len, out_len - len, "/adbe.pkcs7.detached", 20));
    assert_non_null(memmem(out + len, out_len - len, "/Location (UBND xa Chi Minh)", 28));
    assert_non_null(memmem(out + len, out_len - len, "/Reason <FEFF005800E11EA1>", 26));
    assert_int_equal(signatures(out, out_len, &info, 1), 1);
    assert_string_equal(info.subfilter, "adbe.pkcs7.detached");
    assert_non_null(cms = verified_cms(out, out_len, &info));
    si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    assert_true(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0);
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    assert_int_equal(sk_X509_num(certs), 3); /* include_root */
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    free_infos(&info, 1);
    free(out);
    free(pdf);
}

/* Acceptance: three signatures in a row, all valid, the last covering the whole file. */
static void test_three_signatures(void **state)
{
    size_t len, l1, l2, l3;
    unsigned char *pdf = corpus("qpdf-objstm.pdf", &len), *s1, *s2, *s3;
    sig_info info[4];

    (void)state;
    s1 = sign_ok(rsa, pdf, len, NULL, &l1);
    s2 = sign_ok(ec, s1, l1, NULL, &l2);
    s3 = sign_ok(rsa, s2, l2, NULL, &l3);
    assert_int_equal(signatures(s3, l3, info, 4), 3);
    for (size_t i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "Signature%zu", i + 1);
        assert_string_equal(info[i].field, name);
        assert_true(verifies(s3, l3, &info[i]));
    }
    assert_int_equal(info[0].range[2] + info[0].range[3], (int64_t)l1);
    assert_int_equal(info[1].range[2] + info[1].range[3], (int64_t)l2);
    assert_int_equal(info[2].range[2] + info[2].range[3], (int64_t)l3);
    free_infos(info, 3);
    free(s1);
    free(s2);
    free(s3);
    free(pdf);
}

/* Acceptance: certified with /P 1, a second signature is refused with LSIGN_E_POLICY. */
static void test_certification_levels(void **state)
{
    lsign_pdf_sign_options o = LSIGN_PDF_SIGN_OPTIONS_INIT;
    size_t len, l1, l2;
    unsigned char *pdf = corpus("gs-1.7.pdf", &len), *s1, *s2;
    sig_info info[2];

    (void)state;
    o.certify = LSIGN_CERTIFY_NO_CHANGES;
    s1 = sign_ok(rsa, pdf, len, &o, &l1);
    assert_int_equal(signatures(s1, l1, info, 2), 1);
    assert_int_equal(info[0].docmdp_p, 1);
    assert_non_null(memmem(s1 + len, l1 - len, "/Perms", 6));
    free_infos(info, 1);
    assert_int_equal(sign_mem(ec, s1, l1, NULL, &s2, &l2), LSIGN_E_POLICY);
    assert_non_null(strstr(lsign_last_error(), "DocMDP /P 1"));
    assert_null(s2);
    free(s1);

    /* /P 2 allows another signature; a certification must come first. */
    o.certify = LSIGN_CERTIFY_FORM_FILLING;
    s1 = sign_ok(rsa, pdf, len, &o, &l1);
    s2 = sign_ok(ec, s1, l1, NULL, &l2);
    assert_int_equal(signatures(s2, l2, info, 2), 2);
    assert_int_equal(info[0].docmdp_p, 2);
    assert_int_equal(info[1].docmdp_p, 0);
    assert_true(verifies(s2, l2, &info[0]) && verifies(s2, l2, &info[1]));
    free_infos(info, 2);
    free(s2);
    assert_int_equal(sign_mem(ec, s1, l1, &o, &s2, &l2), LSIGN_E_POLICY);
    assert_non_null(strstr(lsign_last_error(), "first signature"));
    free(s1);
    free(pdf);
}

static const char *const form_objects[] = {
    "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 5 0 R 6 0 R] "
    "/NeedAppearances true >> >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R 5 0 R 6 0 R] >>",
    "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Approval) /Rect [100 100 200 150] /P 3 0 R >>",
    "<< /Type /Annot /Subtype /Widget /FT /Tx /T (Name) /V (Nguyen) /Rect [100 200 200 250] "
    "/P 3 0 R >>",
    "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Second) /Rect [300 100 400 150] /P 3 0 R >>",
};

/* An existing empty field is filled; /NeedAppearances goes, /SigFlags 3 comes. */
static void test_fill_existing_field(void **state)
{
    lsign_pdf_sign_options o = LSIGN_PDF_SIGN_OPTIONS_INIT;
    size_t len, l1, l2;
    char *pdf = mini_pdf(form_objects, 6, &len);
    unsigned char *s1, *s2;
    sig_info info[2];

    (void)state;
    o.field_name = "Approval";
    s1 = sign_ok(rsa, pdf, len, &o, &l1);
    assert_int_equal(signatures(s1, l1, info, 2), 1);
    assert_string_equal(info[0].field, "Approval");
    assert_true(verifies(s1, l1, &info[0]));
    assert_null(memmem(s1 + len, l1 - len, "NeedAppearances", 15));
    assert_non_null(memmem(s1 + len, l1 - len, "/SigFlags 3", 11));
    free_infos(info, 1);
    /* The same field again: already signed. A text field: not a signature field. */
    assert_int_equal(sign_mem(rsa, s1, l1, &o, &s2, &l2), LSIGN_E_POLICY);
    assert_non_null(strstr(lsign_last_error(), "already signed"));
    o.field_name = "Name";
    assert_int_equal(sign_mem(rsa, s1, l1, &o, &s2, &l2), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "not a signature field"));
    o.field_name = "A.B";
    assert_int_equal(sign_mem(rsa, s1, l1, &o, &s2, &l2), LSIGN_E_INVALID_ARG);
    /* A new field by name. */
    o.field_name = "Ký duyệt";
    s2 = sign_ok(ec, s1, l1, &o, &l2);
    assert_int_equal(signatures(s2, l2, info, 2), 2);
    assert_true(verifies(s2, l2, &info[0]) && verifies(s2, l2, &info[1]));
    free_infos(info, 2);
    free(s1);
    free(s2);
    free(pdf);
}

/* FieldMDP: a locked field cannot be signed later; an unlocked one can. */
static void test_field_locking(void **state)
{
    lsign_pdf_sign_options o = LSIGN_PDF_SIGN_OPTIONS_INIT;
    static const char *const locked[] = {"Second", "Name"};
    size_t len, l1, l2;
    char *pdf = mini_pdf(form_objects, 6, &len);
    unsigned char *s1, *s2;
    sig_info info[2];

    (void)state;
    o.lock = LSIGN_LOCK_INCLUDE;
    o.lock_fields = locked;
    o.lock_field_count = 2;
    s1 = sign_ok(rsa, pdf, len, &o, &l1);
    assert_int_equal(signatures(s1, l1, info, 2), 1);
    assert_true(info[0].has_fieldmdp && info[0].has_lock);
    free_infos(info, 1);
    o = (lsign_pdf_sign_options)LSIGN_PDF_SIGN_OPTIONS_INIT;
    o.field_name = "Second";
    assert_int_equal(sign_mem(ec, s1, l1, &o, &s2, &l2), LSIGN_E_POLICY);
    assert_non_null(strstr(lsign_last_error(), "locked"));
    o.field_name = "Approval";
    s2 = sign_ok(ec, s1, l1, &o, &l2);
    free(s2);
    /* Include without names is a caller error. */
    o.lock = LSIGN_LOCK_INCLUDE;
    o.lock_field_count = 0;
    assert_int_equal(sign_mem(ec, s1, l1, &o, &s2, &l2), LSIGN_E_INVALID_ARG);
    free(s1);
    free(pdf);
}

static size_t dir_entries(void)
{
    DIR *d = opendir(test_dir);
    size_t n = 0;

    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.' || strstr(e->d_name, ".lsign-") != NULL;
    closedir(d);
    return n;
}

static int sign_path(lsign_signer *s, const char *in_path, const char *out_path,
                     const lsign_pdf_sign_options *o)
{
    lsign_input *in = NULL;
    lsign_output *out = NULL;
    int rc = lsign_input_from_path(&in, in_path);

    if (rc == LSIGN_OK && (rc = lsign_output_to_path(&out, out_path)) == LSIGN_OK)
        rc = lsign_pdf_sign(NULL, s, in, out, o);
    lsign_input_free(in);
    lsign_output_free(out);
    return rc;
}

/* On any failure the output path keeps its old content and no temporary file is left. */
static void test_failures_leave_outputs_untouched(void **state)
{
    lsign_pdf_sign_options o = LSIGN_PDF_SIGN_OPTIONS_INIT;
    size_t len, n;
    unsigned char *pdf = corpus("lo-writer.pdf", &len), *back;
    const char *in = in_dir("in.pdf"), *out = in_dir("out.pdf");
    char path[512];
    struct stat st;
    int fd;

    (void)state;
    test_write_file(in, pdf, len);
    test_write_file(out, "old", 3);
    o.reserved_size = 100; /* too small for any CMS */
    assert_int_equal(sign_path(rsa, in, out, &o), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "too small"));
    o.reserved_size = 0;
    o.reason = "bad \xff utf-8";
    assert_int_equal(sign_path(rsa, in, out, &o), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "UTF-8"));
    assert_int_equal(sign_path(rsa, in, in, NULL), LSIGN_E_INVALID_ARG); /* in place */
    snprintf(path, sizeof path, "%s/pdf/damaged/dmg-truncated-middle.pdf",
             getenv("LIBSIGN_TEST_DATA"));
    assert_int_equal(sign_path(rsa, path, out, NULL), LSIGN_E_PARSE);
    snprintf(path, sizeof path, "%s/pdf/encrypted/enc-aes-256-userempty.pdf",
             getenv("LIBSIGN_TEST_DATA"));
    assert_int_equal(sign_path(rsa, path, out, NULL), LSIGN_E_UNSUPPORTED);
    back = test_read_file(out, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(back, "old", 3);
    free(back);
    back = test_read_file(in, &n);
    assert_int_equal(n, len);
    assert_memory_equal(back, pdf, len);
    free(back);
    assert_int_equal(dir_entries(), 2);

    /* A descriptor output is cut back to where it stood. */
    fd = open(in_dir("fd.pdf"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(write(fd, "KEEP", 4), 4);
    lsign_input *input = NULL;
    lsign_output *output = NULL;
    assert_int_equal(lsign_input_from_path(&input, in), LSIGN_OK);
    assert_int_equal(lsign_output_to_fd(&output, fd), LSIGN_OK);
    o.reserved_size = 0;
    o.reason = NULL;
    o.field_name = "Name.With.Dots";
    assert_int_equal(lsign_pdf_sign(NULL, rsa, input, output, &o), LSIGN_E_INVALID_ARG);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_size, 4);
    o.field_name = NULL;
    assert_int_equal(lsign_pdf_sign(NULL, rsa, input, output, &o), LSIGN_OK);
    assert_int_equal(fstat(fd, &st), 0);
    assert_true((size_t)st.st_size > len + 4);
    lsign_input_free(input);
    lsign_output_free(output);
    close(fd);
    free(pdf);
}

static void test_bad_options(void **state)
{
    lsign_pdf_sign_options o;
    size_t len, l;
    unsigned char *pdf = corpus("lo-writer.pdf", &len), *out;

    (void)state;
    assert_int_equal(lsign_pdf_sign_options_init(&o, 2), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_pdf_sign_options_init(&o, LSIGN_PDF_SIGN_OPTIONS_VERSION), LSIGN_OK);
    o.level = LSIGN_PADES_B_T; /* the context names no TSA */
    assert_int_equal(sign_mem(rsa, pdf, len, &o, &out, &l), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "no time-stamping authority"));
    o.level = 9;
    assert_int_equal(sign_mem(rsa, pdf, len, &o, &out, &l), LSIGN_E_INVALID_ARG);
    o.level = LSIGN_PADES_B_B;
    o.digest = 77;
    assert_int_equal(sign_mem(rsa, pdf, len, &o, &out, &l), LSIGN_E_INVALID_ARG);
    o.digest = LSIGN_DIGEST_SHA512;
    o.scheme = LSIGN_SCHEME_ECDSA; /* an RSA key */
    assert_int_equal(sign_mem(rsa, pdf, len, &o, &out, &l), LSIGN_E_INVALID_ARG);
    o.scheme = LSIGN_SCHEME_RSA_PSS;
    out = sign_ok(rsa, pdf, len, &o, &l);
    free(out);
    assert_int_equal(sign_mem(rsa, "not a pdf", 9, NULL, &out, &l), LSIGN_E_PARSE);
    free(pdf);
}

/* A visible signature: placed by the caller's rules; failures name the problem. */
static void test_visible_signature(void **state)
{
    lsign_pdf_sign_options o = LSIGN_PDF_SIGN_OPTIONS_INIT;
    lsign_appearance *ap = NULL;
    size_t len, l1, l2;
    char *pdf = mini_pdf(form_objects, 6, &len);
    unsigned char *s1, *s2;
    sig_info info[2];

    (void)state;
    assert_int_equal(lsign_appearance_new(&ap, "text"), LSIGN_OK);
    assert_int_equal(lsign_appearance_set_text(ap, "text", "Ký bởi: Nguyễn Văn Ánh"), LSIGN_OK);
    assert_int_equal(lsign_appearance_place(ap, 1, 20, 20, 80, 20, LSIGN_UNIT_MM), LSIGN_OK);
    o.appearance = ap;
    s1 = sign_ok(rsa, pdf, len, &o, &l1);
    assert_int_equal(signatures(s1, l1, info, 2), 1);
    assert_true(verifies(s1, l1, &info[0]));
    assert_non_null(memmem(s1 + len, l1 - len, "/Subtype /Type0", 15));
    assert_non_null(memmem(s1 + len, l1 - len, "/ToUnicode", 10));
    free_infos(info, 1);
    /* An existing field keeps its own widget: an appearance for it is refused. */
    o.field_name = "Approval";
    assert_int_equal(sign_mem(ec, s1, l1, &o, &s2, &l2), LSIGN_E_UNSUPPORTED);
    o.field_name = NULL;
    /* A page that does not exist, an anchor text that is not there, a glyph the font lacks. */
    assert_int_equal(lsign_appearance_place(ap, 3, 20, 20, 80, 20, LSIGN_UNIT_MM), LSIGN_OK);
    assert_int_equal(sign_mem(ec, s1, l1, &o, &s2, &l2), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "page 3"));
    assert_int_equal(lsign_appearance_place_at_text(ap, 0, "CHỦ TỊCH", 0, 0, 60, 30, LSIGN_UNIT_MM),
                     LSIGN_OK);
    assert_int_equal(sign_mem(ec, s1, l1, &o, &s2, &l2), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "CHỦ TỊCH"));
    assert_int_equal(lsign_appearance_place(ap, -1, 20, 20, 80, 20, LSIGN_UNIT_MM), LSIGN_OK);
    assert_int_equal(lsign_appearance_set_text(ap, "text", "\xe4\xb8\xad"), LSIGN_OK); /* U+4E2D */
    assert_int_equal(sign_mem(ec, s1, l1, &o, &s2, &l2), LSIGN_E_UNSUPPORTED);
    assert_non_null(strstr(lsign_last_error(), "U+4E2D"));
    lsign_appearance_free(ap);
    free(s1);
    free(pdf);
}

/* Extension and its context settings fail cleanly, leaving the output untouched. */
static void test_extend_refusals(void **state)
{
    lsign_ctx_options co = LSIGN_CTX_OPTIONS_INIT;
    lsign_pdf_extend_options eo = LSIGN_PDF_EXTEND_OPTIONS_INIT;
    lsign_ctx *ctx = NULL;
    lsign_input *in = NULL;
    lsign_output *out = NULL;
    size_t len, l1, n;
    unsigned char *pdf = corpus("lo-writer.pdf", &len), *s1, *back;

    (void)state;
    co.offline = 1;
    assert_int_equal(lsign_ctx_new(&ctx, &co), LSIGN_OK);
    assert_int_equal(lsign_ctx_set_tsa(ctx, "ftp://tsa.example", NULL, NULL), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_ctx_set_tsa(ctx, "http://tsa.example", "u", "1234"),
                     LSIGN_E_INVALID_ARG); /* a password, not a source */
    assert_int_equal(lsign_ctx_set_tsa(ctx, "http://127.0.0.1:9/", NULL, NULL), LSIGN_OK);
    s1 = sign_ok(rsa, pdf, len, NULL, &l1);
    test_write_file(in_dir("extend-out.pdf"), "old", 3);
    assert_int_equal(lsign_output_to_path(&out, in_dir("extend-out.pdf")), LSIGN_OK);
    /* Nothing to extend in an unsigned file. */
    assert_int_equal(lsign_input_from_memory(&in, pdf, len), LSIGN_OK);
    eo.level = LSIGN_PADES_B_LT;
    assert_int_equal(lsign_pdf_extend(ctx, in, out, &eo), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "no signature"));
    lsign_input_free(in);
    /* No anchor: no chain to collect evidence for. The test PKI names no OCSP or CRL. */
    assert_int_equal(lsign_input_from_memory(&in, s1, l1), LSIGN_OK);
    assert_int_equal(lsign_pdf_extend(ctx, in, out, &eo), LSIGN_E_POLICY);
    assert_int_equal(lsign_ctx_add_trust_file(ctx, PKI("root-ca.crt")), LSIGN_OK);
    assert_int_equal(lsign_pdf_extend(ctx, in, out, &eo), LSIGN_E_UNSUPPORTED);
    assert_non_null(strstr(lsign_last_error(), "no OCSP or CRL location"));
    /* Offline: no timestamp, and the message says why. */
    eo.level = LSIGN_PADES_B_T;
    assert_int_equal(lsign_pdf_extend(ctx, in, out, &eo), LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "offline"));
    eo.level = LSIGN_PADES_B_B;
    assert_int_equal(lsign_pdf_extend(ctx, in, out, &eo), LSIGN_E_INVALID_ARG);
    eo.level = LSIGN_PADES_B_LTA;
    eo.version = 9;
    assert_int_equal(lsign_pdf_extend(ctx, in, out, &eo), LSIGN_E_INVALID_ARG);
    back = test_read_file(in_dir("extend-out.pdf"), &n);
    assert_int_equal(n, 3);
    free(back);
    lsign_input_free(in);
    lsign_output_free(out);
    lsign_ctx_free(ctx);
    free(s1);
    free(pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pades_signed_attributes),
        cmocka_unit_test(test_pkcs7_subfilter_ecdsa_sha384_with_texts),
        cmocka_unit_test(test_three_signatures),
        cmocka_unit_test(test_certification_levels),
        cmocka_unit_test(test_fill_existing_field),
        cmocka_unit_test(test_field_locking),
        cmocka_unit_test(test_failures_leave_outputs_untouched),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_visible_signature),
        cmocka_unit_test(test_extend_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
