/*
 * The RFC 3161 client and the signature timestamp (cms/timestamp.c), without
 * a network: requests made by lsi_ts_request() are answered by `openssl ts
 * -reply` with the test PKI's TSA, or by tokens forged here with OpenSSL's
 * CMS API (another signer, no ESS attribute, another time, a certificate made
 * for the test). Each check of lsi_ts_check_response() gets a reply that
 * fails it and only it. Then a PAdES-style CMS gets its signature timestamp,
 * checked by CMS_verify, by parsing the token back and by the openssl command.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "cms/signeddata.h"
#include "cms/timestamp.h"
#include "libsign/libsign.h"
#include "support/testenv.h"

static const char content[] = "%PDF-1.7 ... Giấy khai sinh số 123/2026 ... %%EOF";
static const char other[] = "%PDF-1.7 ... Giấy chứng tử số 9/2026 ... %%EOF";

/* ---- Fixtures and helpers ---- */

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

static EVP_PKEY *load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k;

    assert_non_null(f);
    k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(k);
    return k;
}

static X509_STORE *root_store(void)
{
    X509_STORE *store = X509_STORE_new();

    assert_non_null(store);
    assert_int_equal(X509_STORE_load_file(store, PKI("root-ca.crt")), 1);
    return store;
}

static size_t sha256(const void *data, size_t len, unsigned char *out)
{
    unsigned int n = 0;

    assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sha256(), NULL), 1);
    return n;
}

static int run(const char *cmd)
{
    int rc = system(cmd);

    if (rc != 0)
        print_message("command failed (%d): %s\n", rc, cmd);
    return rc;
}

/* A request for `data` under tsa->digest (SHA-256 when 0). */
static unsigned char *request(const lsi_tsa *tsa, const void *data, size_t len, size_t *req_len)
{
    const EVP_MD *md = tsa->digest == LSIGN_DIGEST_SHA384   ? EVP_sha384()
                       : tsa->digest == LSIGN_DIGEST_SHA512 ? EVP_sha512()
                                                            : EVP_sha256();
    unsigned char hash[EVP_MAX_MD_SIZE], *req = NULL;
    unsigned int n = 0;

    assert_int_equal(EVP_Digest(data, len, hash, &n, md, NULL), 1);
    if (lsi_ts_request(tsa, hash, n, &req, req_len) != LSIGN_OK)
        fail_msg("lsi_ts_request: %s", lsign_last_error());
    return req;
}

static unsigned char *default_request(const void *data, size_t len, size_t *req_len)
{
    lsi_tsa tsa = {"http://tsa.invalid/", NULL, NULL, 0, NULL};

    return request(&tsa, data, len, req_len);
}

/* The answer to `req` of `openssl ts -reply` with config `cnf`. */
static unsigned char *reply_by(const char *cnf, const unsigned char *req, size_t req_len,
                               size_t *resp_len)
{
    char cmd[8192];

    test_write_file(in_dir("req.tsq"), req, req_len);
    remove(in_dir("resp.tsr"));
    snprintf(cmd, sizeof cmd,
             "openssl ts -reply -config '%s' -queryfile '%s' -out '%s' >/dev/null 2>&1", cnf,
             in_dir("req.tsq"), in_dir("resp.tsr"));
    assert_int_equal(run(cmd), 0);
    return test_read_file(in_dir("resp.tsr"), resp_len);
}

/* The test TSA's answer to `req`: the PKI's tsa.cnf. */
static unsigned char *reply(const unsigned char *req, size_t req_len, size_t *resp_len)
{
    return reply_by(PKI("tsa.cnf"), req, req_len, resp_len);
}

/*
 * The answer of the same TSA configured without tsa_name. OpenSSL verifies
 * the signature of a token with a TSA name even when not asked to (it must
 * know the signer to compare the name); without one, only if asked.
 */
static unsigned char *reply_without_tsa_name(const unsigned char *req, size_t req_len,
                                             size_t *resp_len)
{
    size_t len = 0;
    char *cnf = (char *)test_read_file(PKI("tsa.cnf"), &len), *at = strstr(cnf, "tsa_name = yes");
    unsigned char *resp;

    assert_non_null(at);
    memcpy(at, "tsa_name = no ", 14);
    test_write_file(in_dir("tsa-noname.cnf"), cnf, len);
    resp = reply_by(in_dir("tsa-noname.cnf"), req, req_len, resp_len);
    free(cnf);
    return resp;
}

/* `req` with the nonce of `nonce_from` (when not NULL) and certReq set to `cert_req` (-1: kept). */
static unsigned char *reencode(const unsigned char *req, size_t len,
                               const unsigned char *nonce_from, size_t nonce_len, int cert_req,
                               size_t *out_len)
{
    const unsigned char *p = req;
    TS_REQ *r = d2i_TS_REQ(NULL, &p, (long)len), *n = NULL;
    unsigned char *der = NULL, *out;
    int der_len;

    assert_non_null(r);
    if (nonce_from != NULL) {
        p = nonce_from;
        n = d2i_TS_REQ(NULL, &p, (long)nonce_len);
        assert_non_null(n);
        assert_int_equal(TS_REQ_set_nonce(r, TS_REQ_get_nonce(n)), 1);
    }
    if (cert_req >= 0)
        assert_int_equal(TS_REQ_set_cert_req(r, cert_req), 1);
    der_len = i2d_TS_REQ(r, &der);
    assert_true(der_len > 0);
    out = malloc((size_t)der_len);
    assert_non_null(out);
    memcpy(out, der, (size_t)der_len);
    *out_len = (size_t)der_len;
    OPENSSL_free(der);
    TS_REQ_free(n);
    TS_REQ_free(r);
    return out;
}

/* lsi_ts_check_response() must fail with `code` and a message containing `text`. */
static void expect_failure(const unsigned char *req, size_t req_len, const unsigned char *resp,
                           size_t resp_len, X509_STORE *store, int code, const char *text)
{
    unsigned char *token = (unsigned char *)"not touched";
    size_t token_len = 0;
    int64_t t = 0;
    int rc = lsi_ts_check_response(req, req_len, resp, resp_len, store, &token, &token_len, &t);

    if (rc != code || strstr(lsign_last_error(), text) == NULL)
        fail_msg("expected %d '%s', got %d: %s", code, text, rc, lsign_last_error());
    assert_null(token);
}

/* lsi_ts_check_response() must accept; returns the token. */
static unsigned char *expect_ok(const unsigned char *req, size_t req_len, const unsigned char *resp,
                                size_t resp_len, X509_STORE *store, size_t *token_len, int64_t *t)
{
    unsigned char *token = NULL;

    if (lsi_ts_check_response(req, req_len, resp, resp_len, store, &token, token_len, t) !=
        LSIGN_OK)
        fail_msg("lsi_ts_check_response: %s", lsign_last_error());
    assert_non_null(token);
    return token;
}

static int contains(const unsigned char *hay, size_t hay_len, const unsigned char *needle,
                    size_t len)
{
    for (size_t i = 0; i + len <= hay_len; i++)
        if (memcmp(hay + i, needle, len) == 0)
            return 1;
    return 0;
}

static TS_RESP *parse_resp(const unsigned char *resp, size_t len)
{
    const unsigned char *p = resp;
    TS_RESP *r = d2i_TS_RESP(NULL, &p, (long)len);

    assert_non_null(r);
    return r;
}

static TS_TST_INFO *token_tst_info(const unsigned char *token, size_t len)
{
    const unsigned char *p = token;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
    TS_TST_INFO *tst;

    assert_non_null(p7);
    assert_ptr_equal(p, token + len);
    tst = PKCS7_to_TS_TST_INFO(p7);
    assert_non_null(tst);
    PKCS7_free(p7);
    return tst;
}

/* ---- Forged replies ---- */

/* The TSTInfo the test TSA gives for `req`, to be signed again by someone else. */
static TS_TST_INFO *tst_info_for(const unsigned char *req, size_t req_len)
{
    size_t resp_len = 0;
    unsigned char *resp = reply(req, req_len, &resp_len);
    TS_RESP *r = parse_resp(resp, resp_len);
    TS_TST_INFO *tst = TS_TST_INFO_dup(TS_RESP_get_tst_info(r));

    assert_non_null(tst);
    TS_RESP_free(r);
    free(resp);
    return tst;
}

/* The TSA name of `tst` set to the subject of `cert`. */
static void set_tsa_name(TS_TST_INFO *tst, X509 *cert)
{
    GENERAL_NAME *name = GENERAL_NAME_new();

    assert_non_null(name);
    GENERAL_NAME_set0_value(name, GEN_DIRNAME, X509_NAME_dup(X509_get_subject_name(cert)));
    assert_int_equal(TS_TST_INFO_set_tsa(tst, name), 1);
    GENERAL_NAME_free(name);
}

/* DER of `p7` inside a granted TimeStampResp. */
static unsigned char *granted(PKCS7 *p7, TS_TST_INFO *tst, size_t *len)
{
    TS_RESP *r = TS_RESP_new();
    TS_STATUS_INFO *status = TS_STATUS_INFO_new();
    unsigned char *der = NULL, *out;
    int n;

    assert_true(r != NULL && status != NULL);
    assert_int_equal(TS_STATUS_INFO_set_status(status, TS_STATUS_GRANTED), 1);
    assert_int_equal(TS_RESP_set_status_info(r, status), 1);
    TS_RESP_set_tst_info(r, p7, tst); /* takes both */
    n = i2d_TS_RESP(r, &der);
    assert_true(n > 0);
    out = malloc((size_t)n);
    assert_non_null(out);
    memcpy(out, der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(der);
    TS_STATUS_INFO_free(status);
    TS_RESP_free(r);
    return out;
}

/*
 * A granted reply whose token is `tst` signed with CMS by `cert`/`key`, the
 * intermediate CA beside it; with the ESS signingCertificateV2 attribute
 * when `cades`. Takes `tst`.
 */
static unsigned char *forge(TS_TST_INFO *tst, X509 *cert, EVP_PKEY *key, int cades, size_t *len)
{
    unsigned char *tst_der = NULL, *cms_der = NULL;
    int tst_len = i2d_TS_TST_INFO(tst, &tst_der), cms_len;
    BIO *in = BIO_new_mem_buf(tst_der, tst_len);
    STACK_OF(X509) *certs = sk_X509_new_null();
    X509 *inter = load_cert(PKI("inter-ca.crt"));
    CMS_ContentInfo *cms;
    const unsigned char *p;
    PKCS7 *p7;

    assert_true(tst_len > 0 && in != NULL && certs != NULL);
    assert_true(sk_X509_push(certs, inter) > 0);
    cms = CMS_sign(cert, key, certs, NULL,
                   CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP | (cades ? CMS_CADES : 0));
    assert_non_null(cms);
    assert_int_equal(CMS_set1_eContentType(cms, OBJ_nid2obj(NID_id_smime_ct_TSTInfo)), 1);
    assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY), 1);
    cms_len = i2d_CMS_ContentInfo(cms, &cms_der);
    assert_true(cms_len > 0);
    p = cms_der;
    p7 = d2i_PKCS7(NULL, &p, cms_len);
    assert_non_null(p7);
    OPENSSL_free(cms_der);
    CMS_ContentInfo_free(cms);
    sk_X509_pop_free(certs, X509_free);
    BIO_free(in);
    OPENSSL_free(tst_der);
    return granted(p7, tst, len);
}

/* forge() with a certificate and key from PEM files of the test PKI. */
static unsigned char *forge_with(TS_TST_INFO *tst, const char *cert_file, const char *key_file,
                                 int cades, size_t *len)
{
    X509 *cert = load_cert(PKI(cert_file));
    EVP_PKEY *key = load_key(PKI(key_file));
    unsigned char *resp = forge(tst, cert, key, cades, len);

    EVP_PKEY_free(key);
    X509_free(cert);
    return resp;
}

static void add_ext(X509 *c, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value);

    assert_non_null(ext);
    assert_int_equal(X509_add_ext(c, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/*
 * A certificate for the TSA's key, issued by the test intermediate, valid
 * from `from` to `to`, with extendedKeyUsage `eku` (X509V3 config syntax).
 */
static X509 *issue_tsa_cert(const char *cn, time_t from, time_t to, const char *eku)
{
    static long serial = 7000;
    X509 *inter = load_cert(PKI("inter-ca.crt")), *c = X509_new();
    EVP_PKEY *ca_key = load_key(PKI("inter-ca.key")), *key = load_key(PKI("tsa.key"));
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX v3;

    assert_true(c != NULL && name != NULL);
    assert_int_equal(X509_set_version(c, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(c), serial++), 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(c), from));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(c), to));
    assert_int_equal(
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0),
        1);
    assert_int_equal(X509_set_subject_name(c, name), 1);
    assert_int_equal(X509_set_issuer_name(c, X509_get_subject_name(inter)), 1);
    assert_int_equal(X509_set_pubkey(c, key), 1);
    X509V3_set_ctx(&v3, inter, c, NULL, NULL, 0);
    add_ext(c, &v3, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(c, &v3, NID_key_usage, "critical,digitalSignature");
    add_ext(c, &v3, NID_ext_key_usage, eku);
    add_ext(c, &v3, NID_subject_key_identifier, "hash");
    add_ext(c, &v3, NID_authority_key_identifier, "keyid:always");
    assert_true(X509_sign(c, ca_key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    X509_free(inter);
    return c;
}

/* A reply for `req` signed by a TSA certificate made by issue_tsa_cert(). */
static unsigned char *forge_issued(const unsigned char *req, size_t req_len, X509 *cert,
                                   const ASN1_GENERALIZEDTIME *gen_time, size_t *len)
{
    TS_TST_INFO *tst = tst_info_for(req, req_len);
    EVP_PKEY *key = load_key(PKI("tsa.key"));
    unsigned char *resp;

    set_tsa_name(tst, cert);
    if (gen_time != NULL)
        assert_int_equal(TS_TST_INFO_set_time(tst, gen_time), 1);
    resp = forge(tst, cert, key, 1, len);
    EVP_PKEY_free(key);
    return resp;
}

/* ---- The request ---- */

static TS_REQ *parse_req(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    TS_REQ *r = d2i_TS_REQ(NULL, &p, (long)len);

    assert_non_null(r);
    assert_ptr_equal(p, der + len);
    return r;
}

static void check_request_fields(const unsigned char *der, size_t len, int md_nid,
                                 const unsigned char *hash, size_t hash_len, const char *policy)
{
    TS_REQ *r = parse_req(der, len);
    TS_MSG_IMPRINT *imprint = TS_REQ_get_msg_imprint(r);
    ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(imprint);
    const ASN1_OBJECT *oid;
    const ASN1_INTEGER *nonce = TS_REQ_get_nonce(r);
    int ptype;
    char text[64];

    assert_int_equal(TS_REQ_get_version(r), 1);
    X509_ALGOR_get0(&oid, &ptype, NULL, TS_MSG_IMPRINT_get_algo(imprint));
    assert_int_equal(OBJ_obj2nid(oid), md_nid);
    assert_int_equal(ptype, V_ASN1_UNDEF); /* parameters absent (RFC 5754) */
    assert_int_equal(ASN1_STRING_length(msg), hash_len);
    assert_memory_equal(ASN1_STRING_get0_data(msg), hash, hash_len);
    assert_non_null(nonce);
    assert_true(ASN1_STRING_length(nonce) >= 6 && ASN1_STRING_length(nonce) <= 9);
    assert_int_equal(TS_REQ_get_cert_req(r), 1);
    if (policy == NULL) {
        assert_null(TS_REQ_get_policy_id(r));
    } else {
        assert_non_null(TS_REQ_get_policy_id(r));
        OBJ_obj2txt(text, sizeof text, TS_REQ_get_policy_id(r), 1);
        assert_string_equal(text, policy);
    }
    assert_null(TS_REQ_get_exts(r));
    TS_REQ_free(r);
}

static void test_request_fields(void **state)
{
    lsi_tsa tsa = {"http://tsa.invalid/", NULL, NULL, 0, NULL};
    unsigned char hash[64], *a, *b;
    size_t hash_len = sha256(content, sizeof content, hash), a_len = 0, b_len = 0;
    TS_REQ *ra, *rb;
    unsigned int n = 0;

    (void)state;
    a = request(&tsa, content, sizeof content, &a_len);
    check_request_fields(a, a_len, NID_sha256, hash, hash_len, NULL);
    /* A fresh nonce each time. */
    b = request(&tsa, content, sizeof content, &b_len);
    ra = parse_req(a, a_len);
    rb = parse_req(b, b_len);
    assert_int_not_equal(ASN1_INTEGER_cmp(TS_REQ_get_nonce(ra), TS_REQ_get_nonce(rb)), 0);
    TS_REQ_free(rb);
    TS_REQ_free(ra);
    free(b);
    free(a);

    tsa.digest = LSIGN_DIGEST_SHA384;
    tsa.policy = "1.2.3.4.2";
    assert_int_equal(EVP_Digest(content, sizeof content, hash, &n, EVP_sha384(), NULL), 1);
    a = request(&tsa, content, sizeof content, &a_len);
    check_request_fields(a, a_len, NID_sha384, hash, n, "1.2.3.4.2");
    free(a);
}

static void test_request_bad_arguments(void **state)
{
    lsi_tsa tsa = {"http://tsa.invalid/", NULL, NULL, 9, NULL};
    unsigned char hash[64] = {0}, *der = (unsigned char *)"not touched";
    size_t len = 0;

    (void)state;
    assert_int_equal(lsi_ts_request(&tsa, hash, 32, &der, &len), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "unknown digest algorithm 9"));
    assert_null(der);
    tsa.digest = 0;
    assert_int_equal(lsi_ts_request(&tsa, hash, 20, &der, &len), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "32 bytes, not 20"));
    tsa.policy = "tsa-policy-one";
    assert_int_equal(lsi_ts_request(&tsa, hash, 32, &der, &len), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "'tsa-policy-one' is not a dotted OID"));
    assert_int_equal(lsi_ts_request(NULL, hash, 32, &der, &len), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_ts_request(&tsa, NULL, 32, &der, &len), LSIGN_E_INVALID_ARG);
    assert_null(der);
}

/* ---- Good replies ---- */

/* The openssl command agrees: the reply answers the request and chains to the root. */
static void openssl_verifies(const char *option, const void *in, size_t in_len, const void *req,
                             size_t req_len)
{
    char cmd[8192];

    test_write_file(in_dir("verify.in"), in, in_len);
    test_write_file(in_dir("verify.tsq"), req, req_len);
    snprintf(cmd, sizeof cmd,
             "openssl ts -verify %s -in '%s' -queryfile '%s' -CAfile '%s' >/dev/null 2>&1", option,
             in_dir("verify.in"), in_dir("verify.tsq"), PKI("root-ca.crt"));
    assert_int_equal(run(cmd), 0);
}

static void test_granted(void **state)
{
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0, token_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len);
    unsigned char *resp = reply(req, req_len, &resp_len), *reencoded = NULL;
    unsigned char *token;
    int64_t t = 0;
    TS_RESP *r = parse_resp(resp, resp_len);
    int n;

    (void)state;
    openssl_verifies("", resp, resp_len, req, req_len);
    token = expect_ok(req, req_len, resp, resp_len, store, &token_len, &t);
    assert_true(t > time(NULL) - 60 && t <= time(NULL) + 1);
    /* The token is the one in the reply, byte for byte, and a token on its own. */
    n = i2d_PKCS7(TS_RESP_get_token(r), &reencoded);
    assert_int_equal(n, token_len);
    assert_memory_equal(token, reencoded, token_len);
    assert_true(contains(resp, resp_len, token, token_len));
    openssl_verifies("-token_in", token, token_len, req, req_len);
    OPENSSL_free(reencoded);
    TS_RESP_free(r);
    free(token);
    free(resp);
    free(req);
    X509_STORE_free(store);
}

/*
 * The token's outer length in BER (a needless leading zero: 30 83 00 xx xx).
 * OpenSSL accepts it; the token must come back as the TSA sent it, since
 * re-encoding what a TSA signed can break it.
 */
static void test_token_kept_as_sent(void **state)
{
    static const unsigned char status_granted[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0, token_len = 0, outer;
    unsigned char *req = default_request(content, sizeof content, &req_len);
    unsigned char *resp = reply(req, req_len, &resp_len), *ber = malloc(resp_len + 1), *token;
    int64_t t = 0;

    (void)state;
    /* 30 82 LL LL, the status, then the token 30 82 TT TT. */
    assert_non_null(ber);
    assert_true(resp[0] == 0x30 && resp[1] == 0x82);
    assert_memory_equal(resp + 4, status_granted, sizeof status_granted);
    assert_true(resp[9] == 0x30 && resp[10] == 0x82);
    outer = ((size_t)resp[2] << 8 | resp[3]) + 1;
    memcpy(ber, resp, 11);
    ber[2] = (unsigned char)(outer >> 8);
    ber[3] = (unsigned char)outer;
    ber[10] = 0x83;
    ber[11] = 0x00;
    memcpy(ber + 12, resp + 11, resp_len - 11);
    token = expect_ok(req, req_len, ber, resp_len + 1, store, &token_len, &t);
    assert_int_equal(token_len, resp_len + 1 - 9);
    assert_memory_equal(token, ber + 9, token_len);
    free(token);
    free(ber);
    free(resp);
    free(req);
    X509_STORE_free(store);
}

/* A policy the TSA accepts, and SHA-512. */
static void test_granted_policy_and_sha512(void **state)
{
    lsi_tsa tsa = {"http://tsa.invalid/", NULL, NULL, LSIGN_DIGEST_SHA512, "1.2.3.4.2"};
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0, token_len = 0;
    unsigned char *req = request(&tsa, content, sizeof content, &req_len);
    unsigned char *resp = reply(req, req_len, &resp_len), *token;
    TS_TST_INFO *tst;
    char text[64];
    int64_t t = 0;

    (void)state;
    token = expect_ok(req, req_len, resp, resp_len, store, &token_len, &t);
    tst = token_tst_info(token, token_len);
    OBJ_obj2txt(text, sizeof text, TS_TST_INFO_get_policy_id(tst), 1);
    assert_string_equal(text, "1.2.3.4.2");
    assert_int_equal(ASN1_STRING_length(TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(tst))),
                     64);
    TS_TST_INFO_free(tst);
    free(token);
    free(resp);
    free(req);
    X509_STORE_free(store);
}

/* ---- Replies that must be refused ---- */

static void test_nonce_of_another_request(void **state)
{
    X509_STORE *store = root_store();
    size_t a_len = 0, b_len = 0, resp_len = 0;
    unsigned char *a = default_request(content, sizeof content, &a_len);
    unsigned char *b = default_request(content, sizeof content, &b_len);
    unsigned char *resp = reply(b, b_len, &resp_len);

    (void)state;
    expect_failure(a, a_len, resp, resp_len, store, LSIGN_E_CRYPTO,
                   "timestamp: nonce does not match");
    free(resp);
    free(b);
    free(a);
    X509_STORE_free(store);
}

/* Same nonce, other data: only the imprint differs. */
static void test_imprint_of_other_data(void **state)
{
    X509_STORE *store = root_store();
    size_t a_len = 0, b_len = 0, c_len = 0, resp_len = 0;
    unsigned char *a = default_request(content, sizeof content, &a_len);
    unsigned char *b = default_request(other, sizeof other, &b_len);
    unsigned char *c = reencode(b, b_len, a, a_len, -1, &c_len);
    unsigned char *resp = reply(c, c_len, &resp_len);

    (void)state;
    expect_failure(a, a_len, resp, resp_len, store, LSIGN_E_CRYPTO,
                   "timestamp: message imprint (algorithm or hash) does not match the request");
    free(resp);
    free(c);
    free(b);
    free(a);
    X509_STORE_free(store);
}

/* Same nonce, same data, but SHA-512 where SHA-256 was asked: the algorithm differs. */
static void test_imprint_algorithm(void **state)
{
    lsi_tsa tsa = {"http://tsa.invalid/", NULL, NULL, LSIGN_DIGEST_SHA512, NULL};
    X509_STORE *store = root_store();
    size_t a_len = 0, b_len = 0, c_len = 0, resp_len = 0;
    unsigned char *a = default_request(content, sizeof content, &a_len);
    unsigned char *b = request(&tsa, content, sizeof content, &b_len);
    unsigned char *c = reencode(b, b_len, a, a_len, -1, &c_len);
    unsigned char *resp = reply(c, c_len, &resp_len);

    (void)state;
    expect_failure(a, a_len, resp, resp_len, store, LSIGN_E_CRYPTO, "message imprint");
    free(resp);
    free(c);
    free(b);
    free(a);
    X509_STORE_free(store);
}

/* Policy 1.2.3.4.2 asked, the default 1.2.3.4.1 given. */
static void test_policy_mismatch(void **state)
{
    lsi_tsa tsa = {"http://tsa.invalid/", NULL, NULL, 0, "1.2.3.4.2"};
    X509_STORE *store = root_store();
    size_t a_len = 0, b_len = 0, c_len = 0, resp_len = 0;
    unsigned char *a = request(&tsa, content, sizeof content, &a_len);
    unsigned char *b = default_request(content, sizeof content, &b_len);
    unsigned char *c = reencode(b, b_len, a, a_len, -1, &c_len);
    unsigned char *resp = reply(c, c_len, &resp_len);

    (void)state;
    expect_failure(a, a_len, resp, resp_len, store, LSIGN_E_CRYPTO,
                   "timestamp: policy does not match the request");
    free(resp);
    free(c);
    free(b);
    free(a);
    X509_STORE_free(store);
}

static void test_untrusted_tsa(void **state)
{
    X509_STORE *empty = X509_STORE_new(), *inter_only = X509_STORE_new();
    size_t req_len = 0, resp_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len);
    unsigned char *resp = reply(req, req_len, &resp_len);

    (void)state;
    assert_int_equal(X509_STORE_load_file(inter_only, PKI("inter-ca.crt")), 1);
    expect_failure(req, req_len, resp, resp_len, empty, LSIGN_E_POLICY,
                   "timestamp: TSA certificate not trusted: self-signed certificate in "
                   "certificate chain");
    /* An intermediate is no anchor: the chain must end at a self-signed root of the store. */
    expect_failure(req, req_len, resp, resp_len, inter_only, LSIGN_E_POLICY,
                   "timestamp: TSA certificate not trusted");
    free(resp);
    resp = reply_without_tsa_name(req, req_len, &resp_len);
    expect_failure(req, req_len, resp, resp_len, empty, LSIGN_E_POLICY,
                   "timestamp: TSA certificate not trusted");
    free(resp);
    free(req);
    X509_STORE_free(inter_only);
    X509_STORE_free(empty);
}

/* certReq FALSE: the TSA leaves its certificate out, and nothing can be checked. */
static void test_token_without_certificate(void **state)
{
    X509_STORE *store = root_store();
    size_t a_len = 0, b_len = 0, resp_len = 0;
    unsigned char *a = default_request(content, sizeof content, &a_len);
    unsigned char *b = reencode(a, a_len, NULL, 0, 0, &b_len);
    unsigned char *resp = reply(b, b_len, &resp_len);

    (void)state;
    expect_failure(a, a_len, resp, resp_len, store, LSIGN_E_POLICY,
                   "timestamp: the token does not carry the TSA certificate");
    free(resp);
    free(b);
    free(a);
    X509_STORE_free(store);
}

/*
 * The same TSTInfo signed again: by the TSA key and certificate it passes
 * (the forging itself is sound), by a document signer's it does not.
 */
static void test_signer_not_a_tsa(void **state)
{
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0, token_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len), *resp, *token;
    TS_TST_INFO *tst;
    X509 *signer;
    int64_t t = 0;

    (void)state;
    resp = forge_with(tst_info_for(req, req_len), "tsa.crt", "tsa.key", 1, &resp_len);
    token = expect_ok(req, req_len, resp, resp_len, store, &token_len, &t);
    free(token);
    free(resp);

    tst = tst_info_for(req, req_len);
    signer = load_cert(PKI("signer-rsa2048.crt"));
    set_tsa_name(tst, signer);
    X509_free(signer);
    resp = forge_with(tst, "signer-rsa2048.crt", "signer-rsa2048.key", 1, &resp_len);
    expect_failure(req, req_len, resp, resp_len, store, LSIGN_E_POLICY,
                   "is not a TSA certificate (it needs a critical extendedKeyUsage of "
                   "timeStamping only)");
    assert_non_null(strstr(lsign_last_error(), "Nguyễn Văn Ánh"));
    free(resp);
    free(req);
    X509_STORE_free(store);
}

/* extendedKeyUsage timeStamping, but not critical, or not alone. */
static void test_tsa_eku_variants(void **state)
{
    static const struct {
        const char *eku;
        int ok;
    } cases[] = {
        {"critical,timeStamping", 1},
        {"timeStamping", 0},
        {"critical,timeStamping,emailProtection", 0},
    };
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0, token_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len), *resp;
    time_t now = time(NULL);

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        X509 *cert =
            issue_tsa_cert("libsign Test TSA variant", now - 3600, now + 365 * 86400, cases[i].eku);
        int64_t t = 0;

        resp = forge_issued(req, req_len, cert, NULL, &resp_len);
        if (cases[i].ok)
            free(expect_ok(req, req_len, resp, resp_len, store, &token_len, &t));
        else
            expect_failure(req, req_len, resp, resp_len, store, LSIGN_E_POLICY,
                           "is not a TSA certificate");
        free(resp);
        X509_free(cert);
    }
    free(req);
    X509_STORE_free(store);
}

/*
 * The chain is validated at genTime: a TSA certificate valid from tomorrow
 * is refused for a token of now and accepted for a token of the day after.
 */
static void test_validated_at_gen_time(void **state)
{
    X509_STORE *store = root_store();
    time_t now = time(NULL), later = now + 2 * 86400;
    X509 *cert = issue_tsa_cert("libsign Test TSA from tomorrow", now + 86400, now + 365 * 86400,
                                "critical,timeStamping");
    ASN1_GENERALIZEDTIME *when = ASN1_GENERALIZEDTIME_set(NULL, later);
    size_t req_len = 0, resp_len = 0, token_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len), *resp;
    int64_t t = 0;

    (void)state;
    resp = forge_issued(req, req_len, cert, NULL, &resp_len);
    expect_failure(req, req_len, resp, resp_len, store, LSIGN_E_POLICY,
                   "timestamp: TSA certificate not trusted: certificate is not yet valid");
    free(resp);
    resp = forge_issued(req, req_len, cert, when, &resp_len);
    free(expect_ok(req, req_len, resp, resp_len, store, &token_len, &t));
    assert_int_equal(t, (int64_t)later);
    free(resp);
    free(req);
    ASN1_GENERALIZEDTIME_free(when);
    X509_free(cert);
    X509_STORE_free(store);
}

static void test_ess_attribute_missing(void **state)
{
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len);
    unsigned char *resp =
        forge_with(tst_info_for(req, req_len), "tsa.crt", "tsa.key", 0, &resp_len);

    (void)state;
    expect_failure(req, req_len, resp, resp_len, store, LSIGN_E_CRYPTO,
                   "timestamp: the ESS signing certificate attribute is missing");
    free(resp);
    free(req);
    X509_STORE_free(store);
}

/* A TSA name that names someone else than the signer. */
static void test_tsa_name_mismatch(void **state)
{
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len), *resp;
    TS_TST_INFO *tst = tst_info_for(req, req_len);
    X509 *someone = load_cert(PKI("ocsp.crt"));

    (void)state;
    set_tsa_name(tst, someone);
    resp = forge_with(tst, "tsa.crt", "tsa.key", 1, &resp_len);
    expect_failure(req, req_len, resp, resp_len, store, LSIGN_E_CRYPTO,
                   "timestamp: the TSA name does not name the TSA certificate");
    X509_free(someone);
    free(resp);
    free(req);
    X509_STORE_free(store);
}

/*
 * The last byte of the reply is the last byte of the token's signature value.
 * With a TSA name in the TSTInfo OpenSSL checks the signature anyway; without
 * one, only because lsi_ts_check_response() asks for TS_VFY_SIGNATURE.
 */
static void test_signature_tampered(void **state)
{
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0, token_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len), *resp;
    TS_RESP *r;
    int64_t t = 0;

    (void)state;
    resp = reply(req, req_len, &resp_len);
    resp[resp_len - 1] ^= 0x01;
    expect_failure(req, req_len, resp, resp_len, store, LSIGN_E_CRYPTO,
                   "timestamp: signature does not verify");
    free(resp);

    resp = reply_without_tsa_name(req, req_len, &resp_len);
    r = parse_resp(resp, resp_len);
    assert_null(TS_TST_INFO_get_tsa(TS_RESP_get_tst_info(r)));
    TS_RESP_free(r);
    free(expect_ok(req, req_len, resp, resp_len, store, &token_len, &t));
    resp[resp_len - 1] ^= 0x01;
    expect_failure(req, req_len, resp, resp_len, store, LSIGN_E_CRYPTO,
                   "timestamp: signature does not verify");
    free(resp);
    free(req);
    X509_STORE_free(store);
}

/* A policy the TSA does not know: status rejection, its text and failure info in the message. */
static void test_rejection(void **state)
{
    lsi_tsa tsa = {"http://tsa.invalid/", NULL, NULL, 0, "1.2.3.4.9"};
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0;
    unsigned char *req = request(&tsa, content, sizeof content, &req_len);
    unsigned char *resp = reply(req, req_len, &resp_len);

    (void)state;
    expect_failure(req, req_len, resp, resp_len, store, LSIGN_E_CRYPTO,
                   "timestamp: TSA refused: rejection, \"Requested policy is not supported.\" "
                   "(unacceptedPolicy)");
    free(resp);
    free(req);
    X509_STORE_free(store);
}

static void test_not_a_response(void **state)
{
    static const unsigned char garbage[] = "<html><body>502 Bad Gateway</body></html>";
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0;
    unsigned char *req = default_request(content, sizeof content, &req_len);
    unsigned char *resp = reply(req, req_len, &resp_len), *longer = malloc(resp_len + 1);

    (void)state;
    expect_failure(req, req_len, garbage, sizeof garbage, store, LSIGN_E_PARSE,
                   "timestamp: not a DER TimeStampResp");
    expect_failure(req, req_len, resp, resp_len - 1, store, LSIGN_E_PARSE,
                   "timestamp: not a DER TimeStampResp");
    expect_failure(req, req_len, resp, 0, store, LSIGN_E_PARSE, "not a DER TimeStampResp");
    assert_non_null(longer);
    memcpy(longer, resp, resp_len);
    longer[resp_len] = 0;
    expect_failure(req, req_len, longer, resp_len + 1, store, LSIGN_E_PARSE,
                   "timestamp: 1 bytes after the TimeStampResp");
    /* A reply is not a request. */
    expect_failure(resp, resp_len, resp, resp_len, store, LSIGN_E_INVALID_ARG,
                   "the request is not DER");
    expect_failure(req, req_len, resp, resp_len, NULL, LSIGN_E_INVALID_ARG, "NULL argument");
    free(longer);
    free(resp);
    free(req);
    X509_STORE_free(store);
}

/* ---- The exchange ---- */

static void test_fetch_offline(void **state)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsi_tsa tsa = {"http://tsa.example.vn/tsa", "user", "secret", 0, NULL};
    unsigned char *token = (unsigned char *)"not touched";
    size_t token_len = 0;
    int64_t t = 0;
    lsign_ctx *ctx = NULL;

    (void)state;
    o.offline = 1;
    assert_int_equal(lsign_ctx_new(&ctx, &o), LSIGN_OK);
    assert_int_equal(lsign_ctx_add_trust_file(ctx, PKI("root-ca.crt")), LSIGN_OK);
    assert_int_equal(lsi_ts_fetch(ctx, &tsa, (const unsigned char *)content, sizeof content, &token,
                                  &token_len, &t),
                     LSIGN_E_NETWORK);
    assert_non_null(strstr(lsign_last_error(), "http://tsa.example.vn/tsa"));
    assert_null(token);
    /* Nothing is sent for a request that cannot be made. */
    tsa.digest = 9;
    assert_int_equal(lsi_ts_fetch(ctx, &tsa, (const unsigned char *)content, sizeof content, &token,
                                  &token_len, &t),
                     LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "unknown digest algorithm 9"));
    tsa.digest = 0;
    assert_int_equal(lsi_ts_fetch(NULL, &tsa, (const unsigned char *)content, sizeof content,
                                  &token, &token_len, &t),
                     LSIGN_E_INVALID_ARG);
    tsa.url = NULL;
    assert_int_equal(lsi_ts_fetch(ctx, &tsa, (const unsigned char *)content, sizeof content, &token,
                                  &token_len, &t),
                     LSIGN_E_INVALID_ARG);
    lsign_ctx_free(ctx);
}

/* ---- The signature timestamp in CMS ---- */

static lsign_signer *open_p12(const char *name)
{
    lsign_signer_options o = LSIGN_SIGNER_OPTIONS_INIT;
    lsign_signer *s = NULL;

    o.pin_source = "env:LSIGN_TEST_P12_PASS";
    if (lsign_signer_open(&s, NULL, PKI(name), &o) != LSIGN_OK)
        fail_msg("open %s: %s", name, lsign_last_error());
    return s;
}

/* A PAdES CMS over `content` by signer-rsa2048. */
static unsigned char *sign_content(size_t *len)
{
    lsign_signer *s = open_p12("signer-rsa2048.p12");
    lsi_cms_sign_params p = {LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO, 1, 0, 0};
    unsigned char hash[32], *der = NULL;

    sha256(content, sizeof content, hash);
    if (lsi_cms_sign_detached(s, &p, hash, sizeof hash, &der, len) != LSIGN_OK)
        fail_msg("lsi_cms_sign_detached: %s", lsign_last_error());
    lsign_signer_free(s);
    return der;
}

/* A checked token from the test TSA over `data`. */
static unsigned char *timestamp_of(const void *data, size_t len, size_t *token_len)
{
    X509_STORE *store = root_store();
    size_t req_len = 0, resp_len = 0;
    unsigned char *req = default_request(data, len, &req_len);
    unsigned char *resp = reply(req, req_len, &resp_len), *token;
    int64_t t = 0;

    token = expect_ok(req, req_len, resp, resp_len, store, token_len, &t);
    free(resp);
    free(req);
    X509_STORE_free(store);
    return token;
}

static CMS_ContentInfo *parse_cms(const unsigned char *der, size_t len, CMS_SignerInfo **si)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);

    assert_non_null(cms);
    assert_ptr_equal(p, der + len);
    assert_int_equal(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 1);
    *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    return cms;
}

static void cms_verifies(CMS_ContentInfo *cms)
{
    X509_STORE *store = root_store();
    BIO *in = BIO_new_mem_buf(content, sizeof content);
    int ok = CMS_verify(cms, NULL, store, in, NULL, CMS_BINARY | CMS_DETACHED | CMS_CADES);

    if (ok != 1)
        ERR_print_errors_fp(stderr);
    assert_int_equal(ok, 1);
    BIO_free(in);
    X509_STORE_free(store);
}

/* The DER of attribute `i` of `si`'s unsigned attributes: one SEQUENCE value, the token. */
static void check_token_attr(CMS_SignerInfo *si, int i, const unsigned char *token, size_t len,
                             const unsigned char *sig, size_t sig_len)
{
    X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, i);
    ASN1_TYPE *value;
    TS_TST_INFO *tst;
    TS_MSG_IMPRINT *imprint;
    const ASN1_OBJECT *oid;
    unsigned char hash[32];

    assert_non_null(attr);
    assert_int_equal(OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attr)), NID_id_smime_aa_timeStampToken);
    assert_int_equal(X509_ATTRIBUTE_count(attr), 1);
    value = X509_ATTRIBUTE_get0_type(attr, 0);
    assert_int_equal(ASN1_TYPE_get(value), V_ASN1_SEQUENCE);
    assert_int_equal(ASN1_STRING_length(value->value.sequence), len);
    assert_memory_equal(ASN1_STRING_get0_data(value->value.sequence), token, len);
    /* Its imprint is SHA-256 of the signature value. */
    tst = token_tst_info(ASN1_STRING_get0_data(value->value.sequence), len);
    imprint = TS_TST_INFO_get_msg_imprint(tst);
    X509_ALGOR_get0(&oid, NULL, NULL, TS_MSG_IMPRINT_get_algo(imprint));
    assert_int_equal(OBJ_obj2nid(oid), NID_sha256);
    sha256(sig, sig_len, hash);
    assert_int_equal(ASN1_STRING_length(TS_MSG_IMPRINT_get_msg(imprint)), 32);
    assert_memory_equal(ASN1_STRING_get0_data(TS_MSG_IMPRINT_get_msg(imprint)), hash, 32);
    TS_TST_INFO_free(tst);
}

/* The openssl command: the CMS verifies over the content (not over other bytes), and so does the
 * token over the signature value. */
static void openssl_cli_checks(const unsigned char *cms, size_t len, const unsigned char *token,
                               size_t token_len, const unsigned char *sig, size_t sig_len)
{
    char cmd[8192];

    test_write_file(in_dir("bt.p7s"), cms, len);
    test_write_file(in_dir("content.bin"), content, sizeof content);
    snprintf(cmd, sizeof cmd,
             "openssl cms -verify -binary -inform DER -in '%s' -content '%s' -CAfile '%s' "
             "-out /dev/null >/dev/null 2>&1",
             in_dir("bt.p7s"), in_dir("content.bin"), PKI("root-ca.crt"));
    assert_int_equal(run(cmd), 0);
    test_write_file(in_dir("content.bin"), other, sizeof other);
    assert_int_not_equal(system(cmd), 0);

    test_write_file(in_dir("token.der"), token, token_len);
    test_write_file(in_dir("sig.bin"), sig, sig_len);
    snprintf(cmd, sizeof cmd,
             "openssl ts -verify -token_in -in '%s' -data '%s' -CAfile '%s' >/dev/null 2>&1",
             in_dir("token.der"), in_dir("sig.bin"), PKI("root-ca.crt"));
    assert_int_equal(run(cmd), 0);
}

static void test_cms_signature_timestamp(void **state)
{
    size_t cms_len = 0, sig_len = 0, token_len = 0, out_len = 0;
    unsigned char *cms = sign_content(&cms_len), *sig = NULL, *token, *out = NULL, *expected = NULL;
    CMS_ContentInfo *parsed;
    CMS_SignerInfo *si;
    const ASN1_OCTET_STRING *sv;
    int n;

    (void)state;
    assert_int_equal(lsi_cms_signature_value(cms, cms_len, &sig, &sig_len), LSIGN_OK);
    parsed = parse_cms(cms, cms_len, &si);
    sv = CMS_SignerInfo_get0_signature(si);
    assert_int_equal(sig_len, 256); /* RSA-2048 */
    assert_memory_equal(sig, ASN1_STRING_get0_data(sv), sig_len);
    CMS_ContentInfo_free(parsed);

    token = timestamp_of(sig, sig_len, &token_len);
    if (lsi_cms_add_signature_timestamp(cms, cms_len, token, token_len, &out, &out_len) != LSIGN_OK)
        fail_msg("lsi_cms_add_signature_timestamp: %s", lsign_last_error());
    parsed = parse_cms(out, out_len, &si);
    cms_verifies(parsed);
    assert_int_equal(CMS_unsigned_get_attr_count(si), 1);
    assert_int_equal(CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1), 0);
    check_token_attr(si, 0, token, token_len, sig, sig_len);
    CMS_ContentInfo_free(parsed);
    /* Nothing else changed: the input with this attribute added by OpenSSL gives the same bytes. */
    parsed = parse_cms(cms, cms_len, &si);
    assert_true(CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                              token, (int)token_len) > 0);
    n = i2d_CMS_ContentInfo(parsed, &expected);
    assert_int_equal(n, out_len);
    assert_memory_equal(expected, out, out_len);
    OPENSSL_free(expected);
    CMS_ContentInfo_free(parsed);

    openssl_cli_checks(out, out_len, token, token_len, sig, sig_len);
    free(out);
    free(token);
    free(sig);
    free(cms);
}

/* The index of the unsigned attribute whose value is `token`. */
static int attr_holding(CMS_SignerInfo *si, const unsigned char *token, size_t len)
{
    for (int i = 0; i < CMS_unsigned_get_attr_count(si); i++) {
        ASN1_TYPE *v = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, i), 0);

        if (v != NULL && ASN1_TYPE_get(v) == V_ASN1_SEQUENCE &&
            (size_t)ASN1_STRING_length(v->value.sequence) == len &&
            memcmp(ASN1_STRING_get0_data(v->value.sequence), token, len) == 0)
            return i;
    }
    fail_msg("no unsigned attribute holds the token");
    return -1;
}

/* CAdES allows several signature timestamps: a second one is another attribute. */
static void test_cms_second_timestamp(void **state)
{
    size_t cms_len = 0, sig_len = 0, t1_len = 0, t2_len = 0, one_len = 0, two_len = 0;
    unsigned char *cms = sign_content(&cms_len), *sig = NULL, *t1, *t2, *one = NULL, *two = NULL;
    CMS_ContentInfo *parsed;
    CMS_SignerInfo *si;
    int first;

    (void)state;
    assert_int_equal(lsi_cms_signature_value(cms, cms_len, &sig, &sig_len), LSIGN_OK);
    t1 = timestamp_of(sig, sig_len, &t1_len);
    t2 = timestamp_of(sig, sig_len, &t2_len);
    assert_int_equal(lsi_cms_add_signature_timestamp(cms, cms_len, t1, t1_len, &one, &one_len),
                     LSIGN_OK);
    assert_int_equal(lsi_cms_add_signature_timestamp(one, one_len, t2, t2_len, &two, &two_len),
                     LSIGN_OK);
    parsed = parse_cms(two, two_len, &si);
    cms_verifies(parsed);
    assert_int_equal(CMS_unsigned_get_attr_count(si), 2);
    /* DER sorts the SET OF attributes: find each token where it went. */
    first = attr_holding(si, t1, t1_len);
    check_token_attr(si, first, t1, t1_len, sig, sig_len);
    check_token_attr(si, 1 - first, t2, t2_len, sig, sig_len);
    CMS_ContentInfo_free(parsed);
    free(two);
    free(one);
    free(t2);
    free(t1);
    free(sig);
    free(cms);
}

/* Two SignerInfos: which signature would the timestamp be for? */
static unsigned char *two_signer_cms(size_t *len)
{
    X509 *c1 = load_cert(PKI("signer-rsa2048.crt")), *c2 = load_cert(PKI("signer-ecp256.crt"));
    EVP_PKEY *k1 = load_key(PKI("signer-rsa2048.key")), *k2 = load_key(PKI("signer-ecp256.key"));
    BIO *in = BIO_new_mem_buf(content, sizeof content);
    CMS_ContentInfo *cms =
        CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY);
    unsigned char *der = NULL, *out;
    int n;

    assert_non_null(cms);
    assert_non_null(CMS_add1_signer(cms, c1, k1, EVP_sha256(), CMS_BINARY));
    assert_non_null(CMS_add1_signer(cms, c2, k2, EVP_sha256(), CMS_BINARY));
    assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY | CMS_DETACHED), 1);
    n = i2d_CMS_ContentInfo(cms, &der);
    assert_true(n > 0);
    out = malloc((size_t)n);
    assert_non_null(out);
    memcpy(out, der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    EVP_PKEY_free(k2);
    EVP_PKEY_free(k1);
    X509_free(c2);
    X509_free(c1);
    return out;
}

static void test_cms_bad_inputs(void **state)
{
    static const unsigned char garbage[] = "not DER at all";
    size_t cms_len = 0, token_len = 0, out_len = 0, sig_len = 0, two_len = 0;
    unsigned char *cms = sign_content(&cms_len),
                  *token = timestamp_of(other, sizeof other, &token_len);
    unsigned char *out = (unsigned char *)"not touched", *sig = (unsigned char *)"not touched";
    unsigned char *two = two_signer_cms(&two_len);

    (void)state;
    /* A token over other data than this signature value. */
    assert_int_equal(
        lsi_cms_add_signature_timestamp(cms, cms_len, token, token_len, &out, &out_len),
        LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "not the hash of this signature value"));
    assert_null(out);
    assert_int_equal(
        lsi_cms_add_signature_timestamp(cms, cms_len, garbage, sizeof garbage, &out, &out_len),
        LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "timestamp token: not a DER TimeStampToken"));
    /* A SignedData, but not a timestamp token. */
    assert_int_equal(lsi_cms_add_signature_timestamp(cms, cms_len, cms, cms_len, &out, &out_len),
                     LSIGN_E_PARSE);
    assert_int_equal(
        lsi_cms_add_signature_timestamp(garbage, sizeof garbage, token, token_len, &out, &out_len),
        LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), "CMS: not a DER ContentInfo"));
    assert_int_equal(lsi_cms_signature_value(cms, cms_len - 1, &sig, &sig_len), LSIGN_E_PARSE);
    assert_null(sig);
    assert_int_equal(lsi_cms_signature_value(two, two_len, &sig, &sig_len), LSIGN_E_UNSUPPORTED);
    assert_non_null(strstr(lsign_last_error(), "CMS: 2 SignerInfos, expected one"));
    assert_int_equal(
        lsi_cms_add_signature_timestamp(two, two_len, token, token_len, &out, &out_len),
        LSIGN_E_UNSUPPORTED);
    assert_int_equal(lsi_cms_signature_value(NULL, 0, &sig, &sig_len), LSIGN_E_INVALID_ARG);
    free(two);
    free(token);
    free(cms);
}

static int setup(void **state)
{
    (void)state;
    return test_dir_create();
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_fields),
        cmocka_unit_test(test_request_bad_arguments),
        cmocka_unit_test(test_granted),
        cmocka_unit_test(test_token_kept_as_sent),
        cmocka_unit_test(test_granted_policy_and_sha512),
        cmocka_unit_test(test_nonce_of_another_request),
        cmocka_unit_test(test_imprint_of_other_data),
        cmocka_unit_test(test_imprint_algorithm),
        cmocka_unit_test(test_policy_mismatch),
        cmocka_unit_test(test_untrusted_tsa),
        cmocka_unit_test(test_token_without_certificate),
        cmocka_unit_test(test_signer_not_a_tsa),
        cmocka_unit_test(test_tsa_eku_variants),
        cmocka_unit_test(test_validated_at_gen_time),
        cmocka_unit_test(test_ess_attribute_missing),
        cmocka_unit_test(test_tsa_name_mismatch),
        cmocka_unit_test(test_signature_tampered),
        cmocka_unit_test(test_rejection),
        cmocka_unit_test(test_not_a_response),
        cmocka_unit_test(test_fetch_offline),
        cmocka_unit_test(test_cms_signature_timestamp),
        cmocka_unit_test(test_cms_second_timestamp),
        cmocka_unit_test(test_cms_bad_inputs),
    };

    setenv("LSIGN_TEST_P12_PASS", "test", 1);
    return cmocka_run_group_tests(tests, setup, teardown);
}
