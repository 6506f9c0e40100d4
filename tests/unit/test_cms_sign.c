/*
 * The CMS SignedData builder (cms/signeddata.c) with PKCS#12 and SoftHSM keys:
 * each signature is checked independently with OpenSSL's CMS_verify (and
 * once with the openssl command), then its signed attributes, certificates,
 * algorithm identifiers and the size bound are checked field by field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "cms/signeddata.h"
#include "libsign/libsign.h"
#include "support/testenv.h"

#define TOKEN_URI(id) "pkcs11:token=libsign-test;id=%" id ";type=private"

static const char content[] = "%PDF-1.7 ... Giấy khai sinh số 123/2026 ... %%EOF";
static const int64_t signing_time = 1767225600; /* 2026-01-01T00:00:00Z */

typedef struct digest_case {
    int digest;
    const EVP_MD *(*md)(void);
    int ecdsa_nid; /* signatureAlgorithm expected with an EC key */
} digest_case;

static const digest_case digests[] = {
    {LSIGN_DIGEST_SHA256, EVP_sha256, NID_ecdsa_with_SHA256},
    {LSIGN_DIGEST_SHA384, EVP_sha384, NID_ecdsa_with_SHA384},
    {LSIGN_DIGEST_SHA512, EVP_sha512, NID_ecdsa_with_SHA512},
};

static lsign_signer *open_signer(const char *key)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;

    if (strncmp(key, "pkcs11:", 7) == 0) {
        o.module = getenv("LIBSIGN_TEST_SOFTHSM_MODULE");
        o.pin_source = "env:LSIGN_TEST_TOKEN_PIN";
    } else {
        o.pin_source = "env:LSIGN_TEST_P12_PASS";
    }
    if (lsign_signer_open(&s, NULL, key, &o) != LSIGN_OK)
        fail_msg("open %s: %s", key, lsign_last_error());
    return s;
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *c;

    assert_non_null(f);
    c = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(c);
    return c;
}

static X509 *signer_cert(lsign_signer *s)
{
    const unsigned char *der;
    size_t len;
    X509 *c;

    assert_int_equal(lsign_signer_cert_der(s, 0, &der, &len), LSIGN_OK);
    c = d2i_X509(NULL, &der, (long)len);
    assert_non_null(c);
    return c;
}

static size_t hash_of(const digest_case *d, const void *data, size_t len, unsigned char *out)
{
    unsigned int n = 0;

    assert_int_equal(EVP_Digest(data, len, out, &n, d->md(), NULL), 1);
    return n;
}

/* CMS_verify against the test root and issuing CA, over `data` as detached content. */
static void check_verify(CMS_ContentInfo *cms, const void *data, size_t len, int expect)
{
    X509_STORE *store = X509_STORE_new();
    X509 *root = load_cert(PKI("root-ca.crt")), *inter = load_cert(PKI("inter-ca.crt"));
    BIO *in = BIO_new_mem_buf(data, (int)len);
    int ok;

    assert_true(X509_STORE_add_cert(store, root) == 1 && X509_STORE_add_cert(store, inter) == 1);
    /* CMS_CADES: OpenSSL also checks signingCertificateV2 against the signer certificate. */
    ok = CMS_verify(cms, NULL, store, in, NULL, CMS_BINARY | CMS_DETACHED | CMS_CADES) == 1;
    if (ok != expect)
        ERR_print_errors_fp(stderr);
    ERR_clear_error();
    BIO_free(in);
    X509_free(inter);
    X509_free(root);
    X509_STORE_free(store);
    assert_int_equal(ok, expect);
}

/* The items of a DER SEQUENCE. */
static STACK_OF(ASN1_TYPE) * seq_items(const ASN1_STRING *seq)
{
    const unsigned char *p = ASN1_STRING_get0_data(seq);
    STACK_OF(ASN1_TYPE) *items = d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(seq));

    assert_non_null(items);
    return items;
}

/* Item `i` of `items`, which must be of ASN.1 type `type`. */
static const ASN1_STRING *item(STACK_OF(ASN1_TYPE) * items, int i, int type)
{
    ASN1_TYPE *t = sk_ASN1_TYPE_value(items, i);

    assert_non_null(t);
    assert_int_equal(ASN1_TYPE_get(t), type);
    return t->value.asn1_string;
}

/* IssuerSerial (RFC 5035): GeneralNames with the issuer's directoryName, and the serial. */
static void check_issuer_serial(const ASN1_STRING *seq, X509 *cert)
{
    STACK_OF(ASN1_TYPE) *is = seq_items(seq);
    const ASN1_STRING *names_der = item(is, 0, V_ASN1_SEQUENCE);
    const unsigned char *p = ASN1_STRING_get0_data(names_der);
    GENERAL_NAMES *names = d2i_GENERAL_NAMES(NULL, &p, ASN1_STRING_length(names_der));
    GENERAL_NAME *gn;

    assert_non_null(names);
    assert_int_equal(sk_GENERAL_NAME_num(names), 1);
    gn = sk_GENERAL_NAME_value(names, 0);
    assert_int_equal(gn->type, GEN_DIRNAME);
    assert_int_equal(X509_NAME_cmp(gn->d.directoryName, X509_get_issuer_name(cert)), 0);
    assert_int_equal(ASN1_INTEGER_cmp((const ASN1_INTEGER *)item(is, 1, V_ASN1_INTEGER),
                                      X509_get0_serialNumber(cert)),
                     0);
    GENERAL_NAMES_free(names);
    sk_ASN1_TYPE_pop_free(is, ASN1_TYPE_free);
}

/* signingCertificateV2: the first ESSCertIDv2 names the signer certificate under `d`. */
static void check_signing_cert_v2(CMS_SignerInfo *si, const digest_case *d, lsign_signer *s)
{
    ASN1_STRING *attr = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE);
    STACK_OF(ASN1_TYPE) * sc, *ids, *id;
    unsigned char want[EVP_MAX_MD_SIZE];
    const unsigned char *der;
    const ASN1_STRING *hash;
    X509 *cert = signer_cert(s);
    size_t der_len, want_len;
    int i = 0;

    assert_non_null(attr);
    sc = seq_items(attr);
    ids = seq_items(item(sc, 0, V_ASN1_SEQUENCE));
    id = seq_items(item(ids, 0, V_ASN1_SEQUENCE));
    /* hashAlgorithm DEFAULT id-sha256: DER leaves it out for SHA-256. */
    if (d->digest == LSIGN_DIGEST_SHA256) {
        assert_int_equal(ASN1_TYPE_get(sk_ASN1_TYPE_value(id, 0)), V_ASN1_OCTET_STRING);
    } else {
        const ASN1_STRING *alg_der = item(id, i++, V_ASN1_SEQUENCE);
        const unsigned char *p = ASN1_STRING_get0_data(alg_der);
        X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(alg_der));
        const ASN1_OBJECT *oid;

        assert_non_null(alg);
        X509_ALGOR_get0(&oid, NULL, NULL, alg);
        assert_int_equal(OBJ_obj2nid(oid), EVP_MD_get_type(d->md()));
        X509_ALGOR_free(alg);
    }
    assert_int_equal(lsign_signer_cert_der(s, 0, &der, &der_len), LSIGN_OK);
    want_len = hash_of(d, der, der_len, want);
    hash = item(id, i, V_ASN1_OCTET_STRING);
    assert_int_equal(ASN1_STRING_length(hash), want_len);
    assert_memory_equal(ASN1_STRING_get0_data(hash), want, want_len);
    check_issuer_serial(item(id, i + 1, V_ASN1_SEQUENCE), cert);
    sk_ASN1_TYPE_pop_free(id, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(ids, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(sc, ASN1_TYPE_free);
    X509_free(cert);
}

static void check_signing_time(CMS_SignerInfo *si, const lsi_cms_sign_params *p)
{
    int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    ASN1_TYPE *value;
    ASN1_TIME *want;

    if (p->pades) {
        assert_true(idx < 0);
        return;
    }
    assert_true(idx >= 0);
    value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
    want = ASN1_TIME_set(NULL, (time_t)p->signing_time);
    /* UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5652 section 11.3). */
    assert_int_equal(ASN1_TYPE_get(value),
                     p->signing_time < 2524608000 ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME);
    assert_int_equal(ASN1_TIME_compare(value->value.asn1_string, want), 0);
    ASN1_TIME_free(want);
}

/* Exactly contentType, messageDigest, signingCertificateV2 (and signingTime for pkcs7). */
static void check_signed_attrs(CMS_SignerInfo *si, const lsi_cms_sign_params *p,
                               const digest_case *d, const unsigned char *hash, size_t hash_len,
                               lsign_signer *s)
{
    ASN1_OBJECT *type;
    ASN1_OCTET_STRING *md;

    assert_int_equal(CMS_signed_get_attr_count(si), p->pades ? 3 : 4);
    for (int i = 0; i < CMS_signed_get_attr_count(si); i++)
        assert_int_equal(X509_ATTRIBUTE_count(CMS_signed_get_attr(si, i)), 1);
    type = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
    assert_non_null(type);
    assert_int_equal(OBJ_obj2nid(type), NID_pkcs7_data);
    md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                     V_ASN1_OCTET_STRING);
    assert_non_null(md);
    assert_int_equal(ASN1_STRING_length(md), hash_len);
    assert_memory_equal(ASN1_STRING_get0_data(md), hash, hash_len);
    check_signing_cert_v2(si, d, s);
    check_signing_time(si, p);
    assert_int_equal(CMS_unsigned_get_attr_count(si), -1);
}

static int has_cert(STACK_OF(X509) * certs, X509 *c)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (X509_cmp(sk_X509_value(certs, i), c) == 0)
            return 1;
    return 0;
}

/* The signer and the issuing CA; the root only when asked for. */
static void check_certs(CMS_ContentInfo *cms, lsign_signer *s, int include_root)
{
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    X509 *signer = signer_cert(s), *inter = load_cert(PKI("inter-ca.crt")),
         *root = load_cert(PKI("root-ca.crt"));

    assert_int_equal(sk_X509_num(certs), include_root ? 3 : 2);
    assert_true(has_cert(certs, signer));
    assert_true(has_cert(certs, inter));
    assert_int_equal(has_cert(certs, root), include_root);
    sk_X509_pop_free(certs, X509_free);
    X509_free(root);
    X509_free(inter);
    X509_free(signer);
}

/* RSASSA-PSS-params: the digest, MGF1 with the digest, salt = digest length, trailer 1. */
static void check_pss_params(const ASN1_STRING *der, const digest_case *d)
{
    const unsigned char *p = ASN1_STRING_get0_data(der);
    RSA_PSS_PARAMS *pss = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(der));
    const ASN1_OBJECT *oid;
    const void *mgf_param;
    int ptype;
    X509_ALGOR *mgf_md;

    assert_non_null(pss);
    assert_non_null(pss->hashAlgorithm);
    X509_ALGOR_get0(&oid, NULL, NULL, pss->hashAlgorithm);
    assert_int_equal(OBJ_obj2nid(oid), EVP_MD_get_type(d->md()));
    assert_non_null(pss->maskGenAlgorithm);
    X509_ALGOR_get0(&oid, &ptype, &mgf_param, pss->maskGenAlgorithm);
    assert_int_equal(OBJ_obj2nid(oid), NID_mgf1);
    assert_int_equal(ptype, V_ASN1_SEQUENCE);
    p = ASN1_STRING_get0_data(mgf_param);
    mgf_md = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(mgf_param));
    assert_non_null(mgf_md);
    X509_ALGOR_get0(&oid, NULL, NULL, mgf_md);
    assert_int_equal(OBJ_obj2nid(oid), EVP_MD_get_type(d->md()));
    assert_non_null(pss->saltLength);
    assert_int_equal(ASN1_INTEGER_get(pss->saltLength), EVP_MD_get_size(d->md()));
    assert_null(pss->trailerField); /* DEFAULT trailerFieldBC */
    X509_ALGOR_free(mgf_md);
    RSA_PSS_PARAMS_free(pss);
}

static void check_algorithms(CMS_SignerInfo *si, int scheme, const digest_case *d)
{
    X509_ALGOR *dig, *sig;
    const ASN1_OBJECT *oid;
    const void *param;
    int ptype;

    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
    X509_ALGOR_get0(&oid, NULL, NULL, dig);
    assert_int_equal(OBJ_obj2nid(oid), EVP_MD_get_type(d->md()));
    X509_ALGOR_get0(&oid, &ptype, &param, sig);
    switch (scheme) {
    case LSIGN_SCHEME_RSA_PKCS1:
        assert_int_equal(OBJ_obj2nid(oid), NID_rsaEncryption);
        assert_int_equal(ptype, V_ASN1_NULL);
        break;
    case LSIGN_SCHEME_ECDSA:
        assert_int_equal(OBJ_obj2nid(oid), d->ecdsa_nid);
        assert_int_equal(ptype, V_ASN1_UNDEF); /* parameters absent (RFC 5758) */
        break;
    case LSIGN_SCHEME_RSA_PSS:
        assert_int_equal(OBJ_obj2nid(oid), NID_rsassaPss);
        assert_int_equal(ptype, V_ASN1_SEQUENCE);
        check_pss_params(param, d);
        break;
    default: fail();
    }
}

/* Signs the digest of `content`; checks the size bound against the result. */
static unsigned char *sign_ok(lsign_signer *s, const lsi_cms_sign_params *p, const digest_case *d,
                              size_t *der_len)
{
    unsigned char hash[EVP_MAX_MD_SIZE], *der = NULL;
    size_t hash_len = hash_of(d, content, sizeof content, hash), max = 0;

    if (lsi_cms_sign_detached(s, p, hash, hash_len, &der, der_len) != LSIGN_OK)
        fail_msg("lsi_cms_sign_detached: %s", lsign_last_error());
    if (lsi_cms_max_size(s, p, &max) != LSIGN_OK)
        fail_msg("lsi_cms_max_size: %s", lsign_last_error());
    assert_true(max >= *der_len);
    assert_true(max < *der_len + 600);
    /* RSA signatures always have the modulus' length: the bound is exact. */
    if (lsign_signer_key_type(s) == LSIGN_KEY_RSA)
        assert_int_equal(max, *der_len);
    return der;
}

static void check_one(lsign_signer *s, const lsi_cms_sign_params *p, const digest_case *d,
                      int scheme)
{
    unsigned char hash[EVP_MAX_MD_SIZE], *der, tampered[sizeof content];
    size_t hash_len = hash_of(d, content, sizeof content, hash), der_len = 0;
    const unsigned char *q;
    CMS_ContentInfo *cms;
    CMS_SignerInfo *si;
    X509 *cert = signer_cert(s);

    der = sign_ok(s, p, d, &der_len);
    q = der;
    cms = d2i_CMS_ContentInfo(NULL, &q, (long)der_len);
    assert_non_null(cms);
    assert_ptr_equal(q, der + der_len);
    assert_int_equal(OBJ_obj2nid(CMS_get0_type(cms)), NID_pkcs7_signed);
    assert_int_equal(OBJ_obj2nid(CMS_get0_eContentType(cms)), NID_pkcs7_data);
    assert_int_equal(CMS_is_detached(cms), 1);
    assert_int_equal(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 1);
    si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    assert_int_equal(CMS_SignerInfo_cert_cmp(si, cert), 0);

    check_verify(cms, content, sizeof content, 1);
    memcpy(tampered, content, sizeof content);
    tampered[7] ^= 0x01;
    check_verify(cms, tampered, sizeof tampered, 0);

    check_signed_attrs(si, p, d, hash, hash_len, s);
    check_certs(cms, s, p->include_root);
    check_algorithms(si, scheme, d);
    CMS_ContentInfo_free(cms);
    X509_free(cert);
    free(der);
}

/* Every digest, in PAdES mode without the root and in adbe.pkcs7 mode with it. */
static void check_key(const char *key, int scheme, int expect_scheme)
{
    lsign_signer *s = open_signer(key);

    for (size_t i = 0; i < sizeof digests / sizeof digests[0]; i++) {
        lsi_cms_sign_params p = {digests[i].digest, scheme, 1, 0, 0};

        check_one(s, &p, &digests[i], expect_scheme);
        p.pades = 0;
        p.signing_time = signing_time;
        p.include_root = 1;
        check_one(s, &p, &digests[i], expect_scheme);
    }
    lsign_signer_free(s);
}

static void test_pkcs12_rsa(void **state)
{
    (void)state;
    check_key(PKI("signer-rsa2048.p12"), LSIGN_SCHEME_AUTO, LSIGN_SCHEME_RSA_PKCS1);
}

static void test_pkcs12_rsa_pss(void **state)
{
    (void)state;
    check_key(PKI("signer-rsa2048.p12"), LSIGN_SCHEME_RSA_PSS, LSIGN_SCHEME_RSA_PSS);
}

static void test_token_rsa(void **state)
{
    (void)state;
    check_key(TOKEN_URI("01"), LSIGN_SCHEME_AUTO, LSIGN_SCHEME_RSA_PKCS1);
}

static void test_token_ecdsa(void **state)
{
    (void)state;
    check_key(TOKEN_URI("03"), LSIGN_SCHEME_AUTO, LSIGN_SCHEME_ECDSA);
}

/* The SignedData of `der` decoded and re-encoded by OpenSSL gives the same bytes (canonical
 * DER, attributes in SET OF order), with `hash` as messageDigest and `when` as signingTime. */
static void check_reencodes(const unsigned char *der, size_t len, const unsigned char *hash,
                            size_t hash_len, const lsi_cms_sign_params *p)
{
    const unsigned char *q = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
    unsigned char *again = NULL;
    int again_len;
    ASN1_OCTET_STRING *md;

    assert_non_null(cms);
    again_len = i2d_CMS_ContentInfo(cms, &again);
    assert_int_equal(again_len, len);
    assert_memory_equal(again, der, len);
    md = CMS_signed_get0_data_by_OBJ(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0),
                                     OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
    assert_non_null(md);
    assert_memory_equal(ASN1_STRING_get0_data(md), hash, hash_len);
    check_signing_time(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0), p);
    OPENSSL_free(again);
    CMS_ContentInfo_free(cms);
}

/*
 * A signer signing one file after another fills one template (cms/signeddata.c): each
 * signature carries its own digest and time, verifies, and is the DER OpenSSL itself writes.
 * ECDSA signatures shorter than the template's take the full build, and verify the same.
 */
static void test_template_filled_per_signature(void **state)
{
    const char *keys[] = {"signer-rsa2048.p12", "signer-ecp256.p12"};

    (void)state;
    for (size_t k = 0; k < 2; k++) {
        lsign_signer *s = open_signer(PKI(keys[k]));
        size_t first_len = 0;
        for (int i = 0; i < 12; i++) {
            lsi_cms_sign_params p = {LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO, i % 2,
                                     signing_time + i * 3600, 0};
            char text[64];
            unsigned char hash[EVP_MAX_MD_SIZE], *der = NULL;
            size_t hash_len, der_len = 0;
            const unsigned char *q;
            CMS_ContentInfo *cms;
            int n = snprintf(text, sizeof text, "document %d of the batch", i);

            hash_len = hash_of(&digests[0], text, (size_t)n, hash);
            assert_int_equal(lsi_cms_sign_detached(s, &p, hash, hash_len, &der, &der_len),
                             LSIGN_OK);
            check_reencodes(der, der_len, hash, hash_len, &p);
            q = der;
            cms = d2i_CMS_ContentInfo(NULL, &q, (long)der_len);
            check_verify(cms, text, (size_t)n, 1);
            check_verify(cms, content, sizeof content, 0);
            if (k == 0 && i < 2)
                first_len = i == 0 ? der_len : first_len;
            else if (k == 0 && i % 2 == 0)
                assert_int_equal(der_len, first_len); /* RSA: always the template's length */
            CMS_ContentInfo_free(cms);
            free(der);
        }
        lsign_signer_free(s);
    }
}

/* From 2050 on, signingTime is a GeneralizedTime. */
static void test_signing_time_after_2049(void **state)
{
    lsign_signer *s = open_signer(PKI("signer-ecp256.p12"));
    lsi_cms_sign_params p = {LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO, 0, 2556144000, 0};

    (void)state; /* 2051-01-01 */
    check_one(s, &p, &digests[0], LSIGN_SCHEME_ECDSA);
    lsign_signer_free(s);
}

/* The openssl command accepts the signature, with only the root as trust: the chain is inside. */
static void test_openssl_cli_verifies(void **state)
{
    lsign_signer *s = open_signer(PKI("signer-rsa3072.p12"));
    lsi_cms_sign_params p = {LSIGN_DIGEST_SHA384, LSIGN_SCHEME_AUTO, 1, 0, 0};
    char sig_path[] = "/tmp/lsign-cms-XXXXXX", data_path[] = "/tmp/lsign-data-XXXXXX", cmd[8192];
    size_t der_len = 0;
    unsigned char *der = sign_ok(s, &p, &digests[1], &der_len);
    int fd1 = mkstemp(sig_path), fd2 = mkstemp(data_path);

    (void)state;
    assert_true(fd1 >= 0 && fd2 >= 0);
    close(fd1);
    close(fd2);
    test_write_file(sig_path, der, der_len);
    test_write_file(data_path, content, sizeof content);
    snprintf(cmd, sizeof cmd,
             "openssl cms -verify -binary -inform DER -in '%s' -content '%s' -CAfile '%s' "
             ">/dev/null 2>&1",
             sig_path, data_path, PKI("root-ca.crt"));
    assert_int_equal(system(cmd), 0);
    test_write_file(data_path, content, sizeof content - 1);
    assert_int_not_equal(system(cmd), 0);
    unlink(sig_path);
    unlink(data_path);
    free(der);
    lsign_signer_free(s);
}

static void test_bad_arguments(void **state)
{
    lsign_signer *s = open_signer(PKI("signer-rsa2048.p12"));
    lsi_cms_sign_params p = {9, LSIGN_SCHEME_AUTO, 1, 0, 0};
    unsigned char hash[64] = {0}, *der = NULL;
    size_t der_len = 0, max = 0;

    (void)state;
    assert_int_equal(lsi_cms_sign_detached(s, &p, hash, 32, &der, &der_len), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "unknown digest algorithm 9"));
    assert_int_equal(lsi_cms_max_size(s, &p, &max), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "unknown digest algorithm 9"));

    p.digest = LSIGN_DIGEST_SHA384; /* 32 bytes is not a SHA-384 digest */
    assert_int_equal(lsi_cms_sign_detached(s, &p, hash, 32, &der, &der_len), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "48 bytes, not 32"));

    p.scheme = LSIGN_SCHEME_ECDSA; /* not with an RSA key */
    assert_int_equal(lsi_cms_sign_detached(s, &p, hash, 48, &der, &der_len), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_cms_max_size(s, &p, &max), LSIGN_E_INVALID_ARG);

    p.scheme = LSIGN_SCHEME_AUTO;
    assert_int_equal(lsi_cms_sign_detached(s, NULL, hash, 48, &der, &der_len), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_cms_sign_detached(NULL, &p, hash, 48, &der, &der_len),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_cms_sign_detached(s, &p, NULL, 48, &der, &der_len), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_cms_max_size(s, &p, NULL), LSIGN_E_INVALID_ARG);
    assert_null(der);
    lsign_signer_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkcs12_rsa),
        cmocka_unit_test(test_pkcs12_rsa_pss),
        cmocka_unit_test(test_token_rsa),
        cmocka_unit_test(test_token_ecdsa),
        cmocka_unit_test(test_signing_time_after_2049),
        cmocka_unit_test(test_template_filled_per_signature),
        cmocka_unit_test(test_openssl_cli_verifies),
        cmocka_unit_test(test_bad_arguments),
    };

    setenv("LSIGN_TEST_P12_PASS", "test", 1);
    setenv("LSIGN_TEST_TOKEN_PIN", "1234", 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
