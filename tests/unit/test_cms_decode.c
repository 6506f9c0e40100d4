/*
 * lsi_cms_decode() (cms/parts.c): a SignedData's certificates come from the
 * process-wide cache and the rest decodes as OpenSSL would; and the texts a
 * report shows for a shared certificate are made once (core/certtext.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/cms.h>
#include <openssl/pem.h>

#include "cms/parts.h"
#include "core/certcache.h"
#include "core/certtext.h"
#include "support/testenv.h"

static X509 *read_cert(const char *name)
{
    BIO *bio = BIO_new_file(PKI(name), "r");
    X509 *cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

    assert_non_null(cert);
    BIO_free(bio);
    return cert;
}

/* A detached SignedData by the test signer, carrying its certificate and the intermediate
 * unless `flags` has CMS_NOCERTS; its DER in *der (OPENSSL_free it). */
static size_t signed_data(unsigned int flags, unsigned char **der)
{
    X509 *signer = read_cert("signer-rsa2048.crt"), *inter = read_cert("inter-ca.crt");
    BIO *key_bio = BIO_new_file(PKI("signer-rsa2048.key"), "r");
    EVP_PKEY *key = PEM_read_bio_PrivateKey(key_bio, NULL, NULL, NULL);
    STACK_OF(X509) *extra = sk_X509_new_null();
    BIO *content = BIO_new_mem_buf("the signed bytes", 16);
    CMS_ContentInfo *cms;
    int len;

    assert_non_null(key);
    if (flags & CMS_NOCERTS)
        X509_free(inter);
    else
        sk_X509_push(extra, inter);
    cms = CMS_sign(signer, key, extra, content, CMS_DETACHED | CMS_BINARY | flags);
    assert_non_null(cms);
    *der = NULL;
    len = i2d_CMS_ContentInfo(cms, der);
    assert_true(len > 0);
    CMS_ContentInfo_free(cms);
    BIO_free(content);
    sk_X509_pop_free(extra, X509_free);
    X509_free(signer);
    EVP_PKEY_free(key);
    BIO_free(key_bio);
    return (size_t)len;
}

static int signer_verifies(CMS_ContentInfo *cms, X509 *cert)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);

    CMS_SignerInfo_set1_signer_cert(si, cert);
    return CMS_SignerInfo_cert_cmp(si, cert) == 0 && CMS_SignerInfo_verify(si) == 1;
}

static void test_certificates_from_the_cache(void **state)
{
    unsigned char *der, *padded;
    size_t len = signed_data(0, &der), used = 0;
    STACK_OF(X509) *certs = NULL, *left;
    X509 *signer = read_cert("signer-rsa2048.crt"), *cached;
    unsigned char *signer_der = NULL;
    int signer_len = i2d_X509(signer, &signer_der);
    CMS_ContentInfo *cms;

    (void)state;
    /* Followed by zero padding, as in a PDF's /Contents: *used stops at the ContentInfo. */
    padded = calloc(1, len + 100);
    assert_non_null(padded);
    memcpy(padded, der, len);
    cms = lsi_cms_decode(padded, len + 100, &used, &certs);
    assert_non_null(cms);
    assert_int_equal(used, len);
    assert_int_equal(sk_X509_num(certs), 2);
    /* The very objects the cache holds, and the CMS decoded without them. */
    cached = lsi_cert_decode(signer_der, (size_t)signer_len);
    assert_true(sk_X509_value(certs, 0) == cached || sk_X509_value(certs, 1) == cached);
    left = CMS_get1_certs(cms);
    assert_true(left == NULL || sk_X509_num(left) == 0);
    assert_int_equal(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 1);
    assert_true(signer_verifies(cms, cached));
    sk_X509_pop_free(left, X509_free);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    X509_free(cached);
    X509_free(signer);
    OPENSSL_free(signer_der);
    OPENSSL_free(der);
    free(padded);
}

static void test_other_shapes_decode_plainly(void **state)
{
    unsigned char *der, *bad;
    size_t len = signed_data(CMS_NOCERTS, &der), used = 0;
    STACK_OF(X509) *certs = NULL;
    CMS_ContentInfo *cms;

    (void)state;
    /* No certificates field: OpenSSL's own decode, and an empty list. */
    cms = lsi_cms_decode(der, len, &used, &certs);
    assert_non_null(cms);
    assert_int_equal(used, len);
    assert_non_null(certs);
    assert_int_equal(sk_X509_num(certs), 0);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    OPENSSL_free(der);

    /* A certificate that does not decode: the plain decode refuses the whole. */
    len = signed_data(0, &der);
    bad = malloc(len);
    assert_non_null(bad);
    memcpy(bad, der, len);
    for (size_t i = 0; i + 4 < len; i++) /* the first certificate's tbsCertificate version */
        if (memcmp(bad + i, "\xa0\x03\x02\x01\x02", 5) == 0) {
            bad[i + 4] = 0x7f;
            break;
        }
    cms = lsi_cms_decode(bad, len, &used, &certs);
    if (cms != NULL) { /* OpenSSL took the odd version: then so must the list */
        assert_int_equal(sk_X509_num(certs), 2);
        CMS_ContentInfo_free(cms);
        sk_X509_pop_free(certs, X509_free);
    }
    assert_null(lsi_cms_decode((const unsigned char *)"\x30\x03\x02\x01\x01", 5, &used, &certs));
    assert_null(certs);
    assert_null(lsi_cms_decode(der, len / 2, &used, &certs)); /* cut short */
    assert_null(certs);
    free(bad);
    OPENSSL_free(der);
}

/* The offset just past the header of the element at `at` (which the test built: well formed),
 * and, in *content_len, the length of its contents. */
static size_t header_end(const unsigned char *der, size_t at, size_t *content_len)
{
    const unsigned char *p = der + at;
    long len;
    int tag, cls;

    assert_int_equal(ASN1_get_object(&p, &len, &tag, &cls, 1 << 20) & 0x80, 0);
    if (content_len != NULL)
        *content_len = (size_t)len;
    return (size_t)(p - der);
}

static size_t element_end(const unsigned char *der, size_t at)
{
    size_t content_len, end = header_end(der, at, &content_len);

    return end + content_len;
}

/* A primitive form where DER has a constructed one: decoded or refused exactly as OpenSSL's
 * own d2i does, never re-encoded into a valid shape by the fast path. (OpenSSL 3.0 takes a
 * primitive certificates [0] and refuses the others.) */
static void test_constructed_forms_as_openssl(void **state)
{
    unsigned char *der, *bad;
    size_t len = signed_data(0, &der), used, spots[4];
    STACK_OF(X509) *certs = NULL;

    (void)state;
    spots[0] = element_end(der, header_end(der, 0, NULL)); /* ContentInfo's [0] EXPLICIT */
    spots[1] = header_end(der, spots[0], NULL);            /* the SignedData SEQUENCE */
    spots[2] = header_end(der, spots[1], NULL);            /* its version */
    for (int skip = 0; skip < 3; skip++)                   /* version, digestAlgorithms, encap */
        spots[2] = element_end(der, spots[2]);             /* now: the certificates [0] */
    assert_int_equal(der[spots[0]], 0xa0);
    assert_int_equal(der[spots[1]], 0x30);
    assert_int_equal(der[spots[2]], 0xa0);
    bad = malloc(len);
    assert_non_null(bad);
    spots[3] = 0; /* the ContentInfo SEQUENCE */
    for (size_t i = 0; i < 4; i++) {
        const unsigned char *p;
        CMS_ContentInfo *plain, *ours;
        memcpy(bad, der, len);
        bad[spots[i]] &= (unsigned char)~0x20;
        p = bad;
        plain = d2i_CMS_ContentInfo(NULL, &p, (long)len);
        ours = lsi_cms_decode(bad, len, &used, &certs);
        assert_int_equal(ours != NULL, plain != NULL);
        CMS_ContentInfo_free(ours);
        CMS_ContentInfo_free(plain);
        sk_X509_pop_free(certs, X509_free);
        certs = NULL;
    }
    free(bad);
    OPENSSL_free(der);
}

/* The offsets lsi_cms_signer_layout_read() gives hold what OpenSSL reads there. */
static void test_signer_layout(void **state)
{
    unsigned char *der;
    size_t len = signed_data(0, &der);
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    const ASN1_OCTET_STRING *md = CMS_signed_get0_data_by_OBJ(
                                si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING),
                            *sig = CMS_SignerInfo_get0_signature(si);
    int at = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    ASN1_TYPE *time = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, at), 0);
    unsigned char *time_der = NULL;
    int time_len = i2d_ASN1_TYPE(time, &time_der);
    lsi_cms_signer_layout l;

    (void)state;
    assert_non_null(md);
    assert_true(time_len > 0);
    assert_int_equal(lsi_cms_signer_layout_read(der, len, &l), 1);
    assert_int_equal(l.digest_len, (size_t)ASN1_STRING_length(md));
    assert_memory_equal(der + l.digest, ASN1_STRING_get0_data(md), l.digest_len);
    assert_int_equal(l.signature_len, (size_t)ASN1_STRING_length(sig));
    assert_memory_equal(der + l.signature, ASN1_STRING_get0_data(sig), l.signature_len);
    assert_int_equal(l.time_len, (size_t)time_len);
    assert_memory_equal(der + l.time, time_der, l.time_len);
    assert_int_equal(der[l.attrs], 0xa0);
    assert_true(l.attrs < l.digest && l.digest + l.digest_len <= l.attrs + l.attrs_len);
    /* Not exactly one such SignedData: a trailing byte, a cut, garbage. */
    assert_int_equal(lsi_cms_signer_layout_read(der, len - 1, &l), 0);
    assert_int_equal(lsi_cms_signer_layout_read((const unsigned char *)"\x30\x00", 2, &l), 0);
    OPENSSL_free(time_der);
    CMS_ContentInfo_free(cms);
    OPENSSL_free(der);
}

static void test_texts_made_once_for_shared_certificates(void **state)
{
    X509 *own = read_cert("signer-rsa2048.crt"), *shared;
    unsigned char *der = NULL;
    int len = i2d_X509(own, &der);
    lsi_cert_text scratch1, scratch2;
    const lsi_cert_text *a, *b, *c;

    (void)state;
    shared = lsi_cert_decode(der, (size_t)len); /* prepared for sharing: texts attached */
    a = lsi_cert_text_of(shared, &scratch1);
    b = lsi_cert_text_of(shared, &scratch2);
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, &scratch1);
    c = lsi_cert_text_of(own, &scratch1); /* not prepared: made into the scratch */
    assert_ptr_equal(c, &scratch1);
    assert_string_equal(a->subject, c->subject);
    assert_string_equal(a->issuer, c->issuer);
    assert_string_equal(a->serial, c->serial);
    assert_string_equal(a->sha256, c->sha256);
    assert_int_equal(strlen(a->sha256), 64);
    assert_non_null(strstr(a->subject, "CN="));
    lsi_cert_text_clear(&scratch1);
    lsi_cert_text_clear(&scratch2);
    X509_free(shared);
    X509_free(own);
    OPENSSL_free(der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificates_from_the_cache),
        cmocka_unit_test(test_other_shapes_decode_plainly),
        cmocka_unit_test(test_signer_layout),
        cmocka_unit_test(test_constructed_forms_as_openssl),
        cmocka_unit_test(test_texts_made_once_for_shared_certificates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
