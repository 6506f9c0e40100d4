/* The process-wide cache of decoded certificates (core/certcache.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>

#include "core/certcache.h"
#include "support/testenv.h"

/* The DER of a PEM certificate of the test PKI (malloc'd). */
static unsigned char *der_of(const char *name, size_t *len)
{
    size_t pem_len;
    unsigned char *pem = test_read_file(PKI(name), &pem_len), *der = NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    int n = cert != NULL ? i2d_X509(cert, &der) : -1;

    assert_true(n > 0);
    *len = (size_t)n;
    X509_free(cert);
    BIO_free(bio);
    free(pem);
    return der;
}

static void test_same_der_decoded_once(void **state)
{
    size_t len;
    unsigned char *der = der_of("signer-rsa2048.crt", &len);
    uint64_t hits0, misses0, hits, misses;
    X509 *a, *b;

    (void)state;
    lsi_cert_cache_stats(&hits0, &misses0);
    a = lsi_cert_decode(der, len);
    b = lsi_cert_decode(der, len);
    assert_non_null(a);
    assert_ptr_equal(a, b);
    lsi_cert_cache_stats(&hits, &misses);
    assert_true(hits >= hits0 + 1);
    X509_free(a);
    X509_free(b);
    /* A certificate freed by its users stays valid in the cache. */
    a = lsi_cert_decode(der, len);
    assert_non_null(X509_get_subject_name(a));
    X509_free(a);
    OPENSSL_free(der);
}

static void test_changed_der_is_another_certificate(void **state)
{
    size_t len;
    unsigned char *der = der_of("signer-rsa2048.crt", &len);
    X509 *a = lsi_cert_decode(der, len), *b;

    (void)state;
    der[len - 1] ^= 0x01; /* a bit of the signature: still a certificate, another one */
    b = lsi_cert_decode(der, len);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_not_equal(X509_cmp(a, b), 0);
    X509_free(a);
    X509_free(b);
    assert_null(lsi_cert_decode((const unsigned char *)"not a certificate", 17));
    assert_null(lsi_cert_decode(NULL, 0));
    OPENSSL_free(der);
}

static void test_bounded(void **state)
{
    size_t len;
    unsigned char *der = der_of("inter-ca.crt", &len);
    X509 *first = lsi_cert_decode(der, len), *again;

    (void)state;
    /* More distinct certificates than the cache holds push the first one out. */
    for (int i = 0; i < LSI_CERT_CACHE_SIZE + 8; i++) {
        der[len - 1 - (i % 64)] ^= (unsigned char)(1 + i / 64);
        X509 *c = lsi_cert_decode(der, len);
        der[len - 1 - (i % 64)] ^= (unsigned char)(1 + i / 64);
        X509_free(c);
    }
    again = lsi_cert_decode(der, len);
    assert_non_null(again);
    assert_ptr_not_equal(first, again); /* decoded anew: the old one was evicted */
    assert_int_equal(X509_cmp(first, again), 0);
    X509_free(first);
    X509_free(again);
    OPENSSL_free(der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_der_decoded_once),
        cmocka_unit_test(test_changed_der_is_another_certificate),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
