/*
 * Revocation evidence: OCSP responses made by the openssl CLI from the test
 * PKI's CA database, its CRLs and CRLs edited here, the cache, and fetching
 * without any network (offline mode, answers from the cache).
 */
#define _DEFAULT_SOURCE /* timegm, to read index.txt independently of the code under test */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "libsign/libsign.h"
#include "revocation/cache.h"
#include "revocation/internal.h"
#include "revocation/revocation.h"
#include "support/testenv.h"

#define DAY 86400

static X509 *root, *inter, *ocsp, *signer, *signer3072, *revoked, *tsa;
static EVP_PKEY *root_key, *inter_key;
static X509_STORE *store;
static STACK_OF(X509) * untrusted; /* the intermediate */
static int64_t now;

/* The last error message contains `text`; shows the message when not. */
#define assert_error_has(text)                                                                     \
    do {                                                                                           \
        if (strstr(lsign_last_error(), (text)) == NULL)                                            \
            fail_msg("error '%s' does not contain '%s'", lsign_last_error(), (text));              \
    } while (0)

/* ---- fixtures ---- */

static X509 *load_cert(const char *name)
{
    FILE *f = fopen(PKI(name), "r");
    X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

    if (f != NULL)
        fclose(f);
    if (x == NULL) {
        fprintf(stderr, "cannot read %s\n", PKI(name));
        abort();
    }
    return x;
}

static EVP_PKEY *load_key(const char *name)
{
    FILE *f = fopen(PKI(name), "r");
    EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;

    if (f != NULL)
        fclose(f);
    if (k == NULL)
        abort();
    return k;
}

static int setup(void **state)
{
    (void)state;
    if (test_dir_create() != 0)
        return -1;
    root = load_cert("root-ca.crt");
    inter = load_cert("inter-ca.crt");
    ocsp = load_cert("ocsp.crt");
    signer = load_cert("signer-rsa2048.crt");
    signer3072 = load_cert("signer-rsa3072.crt");
    revoked = load_cert("signer-revoked.crt");
    tsa = load_cert("tsa.crt");
    root_key = load_key("root-ca.key");
    inter_key = load_key("inter-ca.key");
    store = X509_STORE_new();
    untrusted = sk_X509_new_null();
    if (store == NULL || !X509_STORE_add_cert(store, root) || untrusted == NULL ||
        !sk_X509_push(untrusted, inter) || !X509_up_ref(inter))
        return -1;
    now = (int64_t)time(NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    X509_free(root);
    X509_free(inter);
    X509_free(ocsp);
    X509_free(signer);
    X509_free(signer3072);
    X509_free(revoked);
    X509_free(tsa);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(inter_key);
    X509_STORE_free(store);
    sk_X509_pop_free(untrusted, X509_free);
    return test_dir_remove();
}

/* Runs a shell command (output hidden unless it fails); the test fails if it does. */
static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    strncat(cmd, " >/dev/null 2>&1", sizeof cmd - strlen(cmd) - 1);
    rc = system(cmd);
    if (rc != 0)
        fail_msg("command failed (%d): %s", rc, cmd);
}

/* `path` holds `cert` in PEM. */
static const char *write_cert(X509 *cert, const char *name)
{
    const char *path = in_dir(name);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_true(PEM_write_X509(f, cert));
    fclose(f);
    return path;
}

/*
 * An OCSP response of the test responder: `req_opts` for the request (about
 * cert_path, issued by the intermediate), `resp_opts` for the answer (signer,
 * validity). Made with the openssl CLI from the CA's index.txt.
 */
static unsigned char *ocsp_response(const char *cert_path, const char *req_opts,
                                    const char *resp_opts, size_t *len)
{
    char inter_path[512];

    snprintf(inter_path, sizeof inter_path, "%s", PKI("inter-ca.crt"));
    run("openssl ocsp %s -issuer '%s' -cert '%s' -reqout '%s'", req_opts, inter_path, cert_path,
        in_dir("req.der"));
    run("openssl ocsp -index '%s' -CA '%s' -reqin '%s' -respout '%s' %s", PKI("ca-db/index.txt"),
        inter_path, in_dir("req.der"), in_dir("resp.der"), resp_opts);
    return test_read_file(in_dir("resp.der"), len);
}

/* Options that make the delegated responder (ocsp.crt) answer, for `validity` (-ndays 1...). */
static const char *by_responder(const char *validity)
{
    static char opts[1024];

    snprintf(opts, sizeof opts, "-rsigner '%s' -rkey '%s' %s", PKI("ocsp.crt"), PKI("ocsp.key"),
             validity);
    return opts;
}

static unsigned char *good_response(const char *cert_name, size_t *len)
{
    return ocsp_response(PKI(cert_name), "", by_responder("-ndays 1"), len);
}

/* The fixture's PEM CRL `name` as DER, exactly as the CA wrote it. */
static unsigned char *fixture_crl(const char *name, size_t *len)
{
    run("openssl crl -in '%s' -outform DER -out '%s'", PKI(name), in_dir("fixture.crl"));
    return test_read_file(in_dir("fixture.crl"), len);
}

static void touch_nothing(X509_CRL *crl)
{
    (void)crl;
}

/*
 * The fixture's CRL `name` dated from now for 30 days (the PKI may be older
 * than its CRLs' 30 days), with `edit` applied, signed again with `key`.
 */
static unsigned char *crl_from(const char *name, EVP_PKEY *key, void (*edit)(X509_CRL *),
                               size_t *len)
{
    size_t n;
    unsigned char *der = fixture_crl(name, &n), *out = NULL;
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)n);
    ASN1_TIME *from = ASN1_TIME_set(NULL, (time_t)now),
              *to = ASN1_TIME_set(NULL, (time_t)(now + 30 * DAY));
    int m;

    assert_non_null(crl);
    assert_true(X509_CRL_set1_lastUpdate(crl, from) && X509_CRL_set1_nextUpdate(crl, to));
    edit(crl);
    assert_true(X509_CRL_sign(crl, key, EVP_sha256()) > 0);
    m = i2d_X509_CRL(crl, &out);
    assert_true(m > 0);
    free(der);
    der = malloc((size_t)m);
    memcpy(der, out, (size_t)m);
    OPENSSL_free(out);
    X509_CRL_free(crl);
    ASN1_TIME_free(from);
    ASN1_TIME_free(to);
    *len = (size_t)m;
    return der;
}

static unsigned char *inter_crl(size_t *len)
{
    return crl_from("inter-ca.crl.pem", inter_key, touch_nothing, len);
}

static unsigned char *root_crl(size_t *len)
{
    return crl_from("root-ca.crl.pem", root_key, touch_nothing, len);
}

static unsigned char *find_bytes(unsigned char *hay, size_t len, const unsigned char *needle,
                                 size_t nlen)
{
    for (size_t i = 0; i + nlen <= len; i++)
        if (memcmp(hay + i, needle, nlen) == 0)
            return hay + i;
    return NULL;
}

/* When index.txt says signer-revoked was revoked (read with timegm, not the code under test). */
static int64_t index_revocation_time(void)
{
    size_t len;
    char *index = (char *)test_read_file(PKI("ca-db/index.txt"), &len);
    char *line = strstr(index, "\n"
                               "R\t");
    struct tm tm = {0};
    char *when;

    line = index[0] == 'R' ? index : line + 1;
    when = strchr(strchr(line, '\t') + 1, '\t') + 1; /* R, expiry, revocation */
    assert_int_equal(sscanf(when, "%2d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
                     6);
    tm.tm_year += 100;
    tm.tm_mon -= 1;
    free(index);
    return (int64_t)timegm(&tm);
}

static void add_ext(X509 *x, X509 *ca, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;

    X509V3_set_ctx(&v3, ca, x, NULL, NULL, 0);
    ext = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
    assert_non_null(ext);
    assert_true(X509_add_ext(x, ext, -1));
    X509_EXTENSION_free(ext);
}

static void drop_ext(X509 *x, int nid)
{
    int at = X509_get_ext_by_NID(x, nid, -1);

    assert_true(at >= 0);
    X509_EXTENSION_free(X509_delete_ext(x, at));
}

/*
 * `base` re-issued by `ca`: another serial when serial > 0, an OCSP URL and a
 * CRL distribution point when given. Same subject and key, so answers about
 * the original serial apply.
 */
static X509 *reissue(X509 *base, long serial, const char *ocsp_url, const char *crl_url, X509 *ca,
                     EVP_PKEY *ca_key)
{
    X509 *x = X509_dup(base);
    char value[512];

    assert_non_null(x);
    if (serial > 0)
        assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), serial));
    if (ocsp_url != NULL) {
        snprintf(value, sizeof value, "OCSP;URI:%s", ocsp_url);
        add_ext(x, ca, NID_info_access, value);
    }
    if (crl_url != NULL) {
        snprintf(value, sizeof value, "URI:%s", crl_url);
        add_ext(x, ca, NID_crl_distribution_points, value);
    }
    assert_true(X509_sign(x, ca_key, EVP_sha256()) > 0);
    return x;
}

/* ---- OCSP ---- */

static void test_ocsp_good(void **state)
{
    size_t len;
    unsigned char *der = good_response("signer-rsa2048.crt", &len);
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now, &e),
                     LSIGN_OK);
    assert_true(e.is_ocsp);
    assert_int_equal(e.status, LSI_REV_GOOD);
    assert_int_equal(e.reason, -1);
    assert_int_equal(e.der_len, len);
    assert_memory_equal(e.der, der, len);
    assert_int_equal(X509_cmp(e.signer, ocsp), 0);
    assert_int_equal(X509_cmp(e.cert, signer), 0);
    assert_true(e.this_update <= now + 5 && e.this_update >= now - 600);
    assert_true(e.next_update - e.this_update == DAY);
    lsi_rev_evidence_clear(&e);
    lsi_rev_evidence_clear(&e); /* twice is fine */
    free(der);
}

static void test_ocsp_revoked(void **state)
{
    size_t len;
    unsigned char *der = good_response("signer-revoked.crt", &len);
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(lsi_ocsp_check(der, len, revoked, inter, untrusted, store, NULL, now, &e),
                     LSIGN_OK);
    assert_int_equal(e.status, LSI_REV_REVOKED);
    assert_int_equal(e.revocation_time, index_revocation_time());
    assert_int_equal(e.reason, 1); /* keyCompromise */
    lsi_rev_evidence_clear(&e);
    free(der);
}

static void test_ocsp_for_another_certificate(void **state)
{
    size_t len;
    unsigned char *der = good_response("signer-rsa3072.crt", &len);
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("no answer about");
    assert_error_has("Nguyễn Văn Ánh");
    assert_null(e.der);
    assert_null(e.signer);
    /* The right certificate, the wrong issuer: refused before reading anything. */
    assert_int_equal(lsi_ocsp_check(der, len, signer3072, root, untrusted, store, NULL, now, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("did not issue");
    free(der);
}

static void test_ocsp_responder_without_ocspsigning(void **state)
{
    char opts[1024];
    size_t len;
    unsigned char *der;
    lsi_rev_evidence e;

    (void)state;
    /* signer-rsa2048 is certified by the same CA, but not for OCSPSigning. */
    snprintf(opts, sizeof opts, "-rsigner '%s' -rkey '%s' -ndays 1", PKI("signer-rsa2048.crt"),
             PKI("signer-rsa2048.key"));
    der = ocsp_response(PKI("signer-rsa3072.crt"), "", opts, &len);
    assert_int_equal(lsi_ocsp_check(der, len, signer3072, inter, untrusted, store, NULL, now, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("not authorised");
    assert_null(e.der);
    free(der);
}

static void test_ocsp_signed_by_the_ca_itself(void **state)
{
    char opts[1024];
    size_t len;
    unsigned char *der;
    lsi_rev_evidence e;

    (void)state;
    snprintf(opts, sizeof opts, "-rsigner '%s' -rkey '%s' -ndays 1", PKI("inter-ca.crt"),
             PKI("inter-ca.key"));
    der = ocsp_response(PKI("signer-rsa2048.crt"), "", opts, &len);
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, NULL, store, NULL, now, &e), LSIGN_OK);
    assert_int_equal(e.status, LSI_REV_GOOD);
    assert_int_equal(X509_cmp(e.signer, inter), 0);
    lsi_rev_evidence_clear(&e);
    free(der);
}

static void test_ocsp_sha256_certid(void **state)
{
    size_t len;
    /* A request hashed with SHA-256: the responder answers in kind. (Not -rcid, which in
       OpenSSL 3.0's CLI writes serial 0 into the answer.) */
    unsigned char *der =
        ocsp_response(PKI("signer-rsa2048.crt"), "-sha256", by_responder("-ndays 1"), &len);
    lsi_rev_evidence e;

    (void)state;
    if (lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now, &e) != LSIGN_OK)
        fail_msg("%s", lsign_last_error());
    assert_int_equal(e.status, LSI_REV_GOOD);
    lsi_rev_evidence_clear(&e);
    free(der);
}

static void test_ocsp_several_answers(void **state)
{
    char opts[1024];
    size_t len;
    unsigned char *der;
    lsi_rev_evidence e;

    (void)state;
    /* One request about two certificates: each finds its own answer. */
    snprintf(opts, sizeof opts, "-issuer '%s' -cert '%s'", PKI("inter-ca.crt"),
             PKI("signer-rsa3072.crt"));
    der = ocsp_response(PKI("signer-rsa2048.crt"), opts, by_responder("-ndays 1"), &len);
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now, &e),
                     LSIGN_OK);
    lsi_rev_evidence_clear(&e);
    assert_int_equal(lsi_ocsp_check(der, len, signer3072, inter, untrusted, store, NULL, now, &e),
                     LSIGN_OK);
    lsi_rev_evidence_clear(&e);
    free(der);
    /* Two answers about the same certificate: which one would be true? Refused. */
    snprintf(opts, sizeof opts, "-issuer '%s' -cert '%s'", PKI("inter-ca.crt"),
             PKI("signer-rsa2048.crt"));
    der = ocsp_response(PKI("signer-rsa2048.crt"), opts, by_responder("-ndays 1"), &len);
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("more than one answer");
    free(der);
}

/*
 * The responder's chain is verified when it signed (producedAt), not at the
 * store's time: here the store checks ten years on, when the responder's
 * certificate (five years) has long expired.
 */
static void test_ocsp_responder_checked_at_produced_at(void **state)
{
    size_t len;
    unsigned char *der = good_response("signer-rsa2048.crt", &len);
    X509_STORE *later = X509_STORE_new();
    time_t ten_years = (time_t)(now + 3650 * (int64_t)DAY);
    lsi_rev_evidence e;

    (void)state;
    assert_true(X509_cmp_time(X509_get0_notAfter(ocsp), &ten_years) < 0);
    assert_true(X509_STORE_add_cert(later, root));
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(later), ten_years);
    if (lsi_ocsp_check(der, len, signer, inter, untrusted, later, NULL, now, &e) != LSIGN_OK)
        fail_msg("%s", lsign_last_error());
    lsi_rev_evidence_clear(&e);
    X509_STORE_free(later);
    free(der);
}

static void test_ocsp_validity_window(void **state)
{
    size_t len;
    unsigned char *der =
        ocsp_response(PKI("signer-rsa2048.crt"), "", by_responder("-nmin 1"), &len);
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now, &e),
                     LSIGN_OK);
    lsi_rev_evidence_clear(&e);
    /* A day later the answer (nextUpdate in a minute) is stale. */
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now + DAY, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("is stale at");
    assert_error_has("valid from");
    assert_null(e.der);
    /* Within the skew of five minutes it is not. */
    assert_int_equal(
        lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now + 60 + 200, &e),
        LSIGN_OK);
    lsi_rev_evidence_clear(&e);
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now - DAY, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("not yet valid");
    free(der);
}

static OCSP_REQUEST *read_request(const char *path)
{
    size_t len;
    unsigned char *der = test_read_file(path, &len);
    const unsigned char *p = der;
    OCSP_REQUEST *req = d2i_OCSP_REQUEST(NULL, &p, (long)len);

    assert_non_null(req);
    free(der);
    return req;
}

static void test_ocsp_nonce(void **state)
{
    size_t len, len2;
    unsigned char *der =
        ocsp_response(PKI("signer-rsa2048.crt"), "-nonce", by_responder("-ndays 1"), &len);
    OCSP_REQUEST *sent = read_request(in_dir("req.der")), *other = OCSP_REQUEST_new();
    unsigned char *no_nonce;
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, sent, now, &e),
                     LSIGN_OK);
    lsi_rev_evidence_clear(&e);
    /* A response to another request (a replay) carries another nonce. */
    assert_true(OCSP_request_add1_nonce(other, NULL, -1));
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, other, now, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("nonce");
    /* A responder that drops the nonce is accepted (pre-produced responses). */
    no_nonce =
        ocsp_response(PKI("signer-rsa2048.crt"), "-no_nonce", by_responder("-ndays 1"), &len2);
    assert_int_equal(
        lsi_ocsp_check(no_nonce, len2, signer, inter, untrusted, store, other, now, &e), LSIGN_OK);
    lsi_rev_evidence_clear(&e);
    OCSP_REQUEST_free(sent);
    OCSP_REQUEST_free(other);
    free(no_nonce);
    free(der);
}

static void test_ocsp_unknown_certificate(void **state)
{
    X509 *stranger = reissue(signer, 0x7777, NULL, NULL, inter, inter_key);
    size_t len;
    unsigned char *der =
        ocsp_response(write_cert(stranger, "stranger.crt"), "", by_responder("-ndays 1"), &len);
    lsi_rev_evidence e;

    (void)state;
    /* Not in the CA's database: "unknown" is an answer, not an error. */
    assert_int_equal(lsi_ocsp_check(der, len, stranger, inter, untrusted, store, NULL, now, &e),
                     LSIGN_OK);
    assert_int_equal(e.status, LSI_REV_UNKNOWN);
    lsi_rev_evidence_clear(&e);
    X509_free(stranger);
    free(der);
}

static void test_ocsp_bad_signature(void **state)
{
    size_t len;
    unsigned char *der = good_response("signer-rsa2048.crt", &len);
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
    const ASN1_OCTET_STRING *sig = OCSP_resp_get0_signature(bs);
    unsigned char *at =
        find_bytes(der, len, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig));
    lsi_rev_evidence e;

    (void)state;
    assert_non_null(at);
    at[ASN1_STRING_length(sig) - 1] ^= 1;
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, store, NULL, now, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("verification failed");
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    free(der);
}

static void test_ocsp_untrusted_root(void **state)
{
    size_t len;
    unsigned char *der = good_response("signer-rsa2048.crt", &len);
    X509_STORE *empty = X509_STORE_new();
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(lsi_ocsp_check(der, len, signer, inter, untrusted, empty, NULL, now, &e),
                     LSIGN_E_CRYPTO);
    assert_error_has("verification failed");
    X509_STORE_free(empty);
    free(der);
}

static void test_ocsp_error_status(void **state)
{
    OCSP_RESPONSE *resp = OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, NULL);
    unsigned char *der = NULL;
    int len = i2d_OCSP_RESPONSE(resp, &der);
    lsi_rev_evidence e;

    (void)state;
    assert_true(len > 0);
    assert_int_equal(
        lsi_ocsp_check(der, (size_t)len, signer, inter, untrusted, store, NULL, now, &e),
        LSIGN_E_NETWORK);
    assert_error_has("trylater");
    OPENSSL_free(der);
    OCSP_RESPONSE_free(resp);
}

static void test_ocsp_malformed(void **state)
{
    size_t len;
    unsigned char *der = good_response("signer-rsa2048.crt", &len);
    unsigned char *longer = malloc(len + 1);
    static const unsigned char junk[] = "not DER at all";
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(
        lsi_ocsp_check(junk, sizeof junk, signer, inter, untrusted, store, NULL, now, &e),
        LSIGN_E_PARSE);
    assert_int_equal(lsi_ocsp_check(der, len - 1, signer, inter, untrusted, store, NULL, now, &e),
                     LSIGN_E_PARSE);
    memcpy(longer, der, len);
    longer[len] = 0;
    assert_int_equal(
        lsi_ocsp_check(longer, len + 1, signer, inter, untrusted, store, NULL, now, &e),
        LSIGN_E_PARSE);
    assert_error_has("after its end");
    assert_int_equal(lsi_ocsp_check(NULL, 0, signer, inter, untrusted, store, NULL, now, &e),
                     LSIGN_E_PARSE);
    assert_null(e.der);
    free(longer);
    free(der);
}

/* ---- CRL ---- */

static void test_crl_revoked_and_good(void **state)
{
    size_t len;
    unsigned char *der = inter_crl(&len);
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(lsi_crl_check(der, len, revoked, inter, now, &e), LSIGN_OK);
    assert_false(e.is_ocsp);
    assert_int_equal(e.status, LSI_REV_REVOKED);
    assert_int_equal(e.reason, 1); /* keyCompromise */
    assert_int_equal(e.revocation_time, index_revocation_time());
    assert_int_equal(e.next_update - e.this_update, 30 * DAY);
    assert_int_equal(X509_cmp(e.signer, inter), 0);
    assert_int_equal(X509_cmp(e.cert, revoked), 0);
    assert_memory_equal(e.der, der, len);
    lsi_rev_evidence_clear(&e);

    assert_int_equal(lsi_crl_check(der, len, signer, inter, now, &e), LSIGN_OK);
    assert_int_equal(e.status, LSI_REV_GOOD);
    assert_int_equal(e.reason, -1);
    lsi_rev_evidence_clear(&e);
    free(der);
}

static void test_crl_wrong_issuer(void **state)
{
    size_t len, root_len;
    unsigned char *der = inter_crl(&len), *rder = root_crl(&root_len);
    X509 *impostor = X509_dup(inter);
    EVP_PKEY *other_key = EVP_RSA_gen(2048); /* RSA: the issuer must sign with its key type */
    lsi_rev_evidence e;

    (void)state;
    /* Same name, same key identifiers, another key: only the signature tells. */
    assert_true(X509_set_pubkey(impostor, other_key));
    assert_true(X509_sign(impostor, other_key, EVP_sha256()) > 0);
    assert_int_equal(lsi_crl_check(der, len, signer, impostor, now, &e), LSIGN_E_CRYPTO);
    assert_error_has("signature does not verify");
    assert_null(e.der);
    /* The root's CRL says nothing about the intermediate's certificates. */
    assert_int_equal(lsi_crl_check(rder, root_len, signer, inter, now, &e), LSIGN_E_CRYPTO);
    assert_error_has("not issued by");
    /* And the intermediate did not issue itself. */
    assert_int_equal(lsi_crl_check(der, len, inter, inter, now, &e), LSIGN_E_CRYPTO);
    assert_error_has("did not issue");
    X509_free(impostor);
    EVP_PKEY_free(other_key);
    free(rder);
    free(der);
}

static void test_crl_issuer_without_crlsign(void **state)
{
    size_t len;
    unsigned char *der = inter_crl(&len);
    X509 *no_crlsign = X509_dup(inter);
    lsi_rev_evidence e;

    (void)state;
    drop_ext(no_crlsign, NID_key_usage);
    add_ext(no_crlsign, root, NID_key_usage, "critical,keyCertSign");
    assert_true(X509_sign(no_crlsign, root_key, EVP_sha256()) > 0);
    assert_int_equal(lsi_crl_check(der, len, signer, no_crlsign, now, &e), LSIGN_E_CRYPTO);
    assert_error_has("cRLSign");
    X509_free(no_crlsign);
    free(der);
}

static void test_crl_validity_window(void **state)
{
    size_t len;
    unsigned char *der = inter_crl(&len);
    lsi_rev_evidence e;
    int64_t this_update, next_update;

    (void)state;
    assert_int_equal(lsi_crl_check(der, len, signer, inter, now, &e), LSIGN_OK);
    this_update = e.this_update;
    next_update = e.next_update;
    lsi_rev_evidence_clear(&e);
    assert_int_equal(lsi_crl_check(der, len, signer, inter, next_update + DAY, &e), LSIGN_E_CRYPTO);
    assert_error_has("is stale at");
    assert_int_equal(lsi_crl_check(der, len, signer, inter, this_update - DAY, &e), LSIGN_E_CRYPTO);
    assert_error_has("not yet valid");
    assert_int_equal(lsi_crl_check(der, len, signer, inter, next_update, &e), LSIGN_OK);
    lsi_rev_evidence_clear(&e);
    free(der);
}

/* The intermediate's CRL with `edit` applied. */
static unsigned char *edited_crl(void (*edit)(X509_CRL *), size_t *len)
{
    return crl_from("inter-ca.crl.pem", inter_key, edit, len);
}

static void make_delta(X509_CRL *crl)
{
    ASN1_INTEGER *base = ASN1_INTEGER_new();

    ASN1_INTEGER_set(base, 4096);
    assert_true(X509_CRL_add1_ext_i2d(crl, NID_delta_crl, base, 1, 0));
    ASN1_INTEGER_free(base);
}

static void add_idp(X509_CRL *crl)
{
    ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();

    idp->onlyuser = 1;
    assert_true(X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, 0));
    ISSUING_DIST_POINT_free(idp);
}

static void add_unknown_critical(X509_CRL *crl)
{
    ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
    ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext;

    assert_true(ASN1_OCTET_STRING_set(value, (const unsigned char *)"\x05\x00", 2));
    ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 1, value);
    assert_true(X509_CRL_add_ext(crl, ext, -1));
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(value);
    ASN1_OBJECT_free(oid);
}

static void add_critical_entry_ext(X509_CRL *crl)
{
    X509_REVOKED *entry = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl), 0);
    ASN1_GENERALIZEDTIME *when = ASN1_GENERALIZEDTIME_set(NULL, 0);

    assert_true(X509_REVOKED_add1_ext_i2d(entry, NID_invalidity_date, when, 1, 0));
    ASN1_GENERALIZEDTIME_free(when);
}

static void test_crl_unsupported_extensions(void **state)
{
    struct {
        void (*edit)(X509_CRL *);
        const char *message;
    } cases[] = {{make_delta, "delta CRLs"},
                 {add_idp, "issuing distribution points"},
                 {add_unknown_critical, "unknown critical extension"},
                 {add_critical_entry_ext, "critical extension"}};
    lsi_rev_evidence e;
    size_t len;
    unsigned char *der;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        der = edited_crl(cases[i].edit, &len);
        assert_int_equal(lsi_crl_check(der, len, signer, inter, now, &e), LSIGN_E_UNSUPPORTED);
        assert_error_has(cases[i].message);
        free(der);
    }
    /* Re-signing alone changes nothing: the refusals come from the extensions. */
    der = edited_crl(touch_nothing, &len);
    assert_int_equal(lsi_crl_check(der, len, signer, inter, now, &e), LSIGN_OK);
    lsi_rev_evidence_clear(&e);
    free(der);
}

static void test_crl_malformed(void **state)
{
    size_t len;
    unsigned char *der = inter_crl(&len);
    unsigned char *longer = malloc(len + 1);
    lsi_rev_evidence e;

    (void)state;
    assert_int_equal(lsi_crl_check(der, len / 2, signer, inter, now, &e), LSIGN_E_PARSE);
    memcpy(longer, der, len);
    longer[len] = 0;
    assert_int_equal(lsi_crl_check(longer, len + 1, signer, inter, now, &e), LSIGN_E_PARSE);
    assert_int_equal(lsi_crl_check(NULL, 0, signer, inter, now, &e), LSIGN_E_PARSE);
    assert_null(e.der);
    free(longer);
    free(der);
}

static void test_crl_pem_to_der(void **state)
{
    size_t der_len, len;
    unsigned char *der = fixture_crl("inter-ca.crl.pem", &der_len);
    unsigned char *pem = test_read_file(PKI("inter-ca.crl.pem"), &len);
    unsigned char *same;

    (void)state;
    assert_int_equal(lsi_rev_crl_der(&pem, &len), LSIGN_OK);
    assert_int_equal(len, der_len);
    assert_memory_equal(pem, der, der_len);
    /* DER stays as it is. */
    assert_int_equal(lsi_rev_crl_der(&pem, &len), LSIGN_OK);
    assert_memory_equal(pem, der, der_len);
    same = (unsigned char *)strdup("-----BEGIN X509 CRL-----\n!!!\n-----END X509 CRL-----\n");
    len = strlen((char *)same);
    assert_int_equal(lsi_rev_crl_der(&same, &len), LSIGN_E_PARSE);
    free(same);
    free(pem);
    free(der);
}

/* ---- cache ---- */

static lsi_rev_cache_key key_of(int is_ocsp, X509 *issuer, X509 *cert)
{
    lsi_rev_cache_key key;

    assert_int_equal(lsi_rev_cache_key_make(
                         is_ocsp, issuer, cert != NULL ? X509_get0_serialNumber(cert) : NULL, &key),
                     LSIGN_OK);
    return key;
}

static lsi_rev_cache_key numbered_key(unsigned char n)
{
    lsi_rev_cache_key key;

    memset(key.bytes, n, sizeof key.bytes);
    return key;
}

static int has(lsi_rev_cache *cache, unsigned char n, int64_t at)
{
    lsi_rev_cache_key key = numbered_key(n);
    unsigned char *der;
    size_t len;
    int found = lsi_rev_cache_get(cache, &key, at, &der, &len);

    free(der);
    return found;
}

static void put(lsi_rev_cache *cache, unsigned char n, size_t len, int64_t expires)
{
    lsi_rev_cache_key key = numbered_key(n);
    unsigned char data[256];

    memset(data, n, sizeof data);
    assert_true(len <= sizeof data);
    assert_int_equal(lsi_rev_cache_put(cache, &key, data, len, expires, 1000), LSIGN_OK);
}

static void test_cache_keys(void **state)
{
    lsi_rev_cache_key a = key_of(1, inter, signer), b = key_of(1, inter, signer);
    lsi_rev_cache_key other_serial = key_of(1, inter, signer3072);
    lsi_rev_cache_key crl = key_of(0, inter, NULL), root_crl_key = key_of(0, root, NULL);

    (void)state;
    assert_memory_equal(a.bytes, b.bytes, sizeof a.bytes);
    assert_memory_not_equal(a.bytes, other_serial.bytes, sizeof a.bytes);
    assert_memory_not_equal(a.bytes, crl.bytes, sizeof a.bytes);
    assert_memory_not_equal(crl.bytes, root_crl_key.bytes, sizeof a.bytes);
    assert_int_equal(lsi_rev_cache_expiry(0, 1000), 1000 + LSI_REV_CACHE_TTL);
    assert_int_equal(lsi_rev_cache_expiry(5000, 1000), 5000);
}

static void test_cache_insert_lookup(void **state)
{
    lsi_rev_cache *cache = lsi_rev_cache_new(8, 4096);
    lsi_rev_cache_key key = numbered_key(1);
    unsigned char *der;
    size_t len;

    (void)state;
    assert_int_equal(lsi_rev_cache_get(cache, &key, 1000, &der, &len), 0);
    assert_null(der);
    put(cache, 1, 10, 2000);
    assert_int_equal(lsi_rev_cache_get(cache, &key, 1000, &der, &len), 1);
    assert_int_equal(len, 10);
    assert_int_equal(der[9], 1);
    free(der);
    assert_int_equal(has(cache, 2, 1000), 0);
    /* Same key again: replaced, not added. */
    put(cache, 1, 20, 2000);
    assert_int_equal(lsi_rev_cache_count(cache), 1);
    assert_int_equal(lsi_rev_cache_bytes(cache), 20);
    lsi_rev_cache_remove(cache, &key);
    assert_int_equal(has(cache, 1, 1000), 0);
    assert_int_equal(lsi_rev_cache_count(cache), 0);
    /* A NULL cache (no memory at start-up) stores nothing and finds nothing. */
    assert_int_equal(lsi_rev_cache_put(NULL, &key, (const unsigned char *)"x", 1, 2000, 1000),
                     LSIGN_OK);
    assert_int_equal(lsi_rev_cache_get(NULL, &key, 1000, &der, &len), 0);
    lsi_rev_cache_free(cache);
    lsi_rev_cache_free(NULL);
}

static void test_cache_expiry(void **state)
{
    lsi_rev_cache *cache = lsi_rev_cache_new(8, 4096);

    (void)state;
    put(cache, 1, 10, 1010);
    assert_int_equal(has(cache, 1, 1009), 1);
    assert_int_equal(has(cache, 1, 1010), 0); /* reused while now < expires */
    assert_int_equal(lsi_rev_cache_count(cache), 0);
    put(cache, 2, 10, 1000); /* already expired at 1000: not stored */
    assert_int_equal(lsi_rev_cache_count(cache), 0);
    lsi_rev_cache_free(cache);
}

static void test_cache_bounded(void **state)
{
    lsi_rev_cache *cache = lsi_rev_cache_new(3, 100);

    (void)state;
    put(cache, 1, 10, 5000);
    put(cache, 2, 10, 5000);
    put(cache, 3, 10, 5000);
    assert_int_equal(has(cache, 1, 1000), 1); /* 2 is now the least recently used */
    put(cache, 4, 10, 5000);
    assert_int_equal(lsi_rev_cache_count(cache), 3);
    assert_int_equal(has(cache, 2, 1000), 0); /* a miss does not count as a use */
    put(cache, 5, 10, 5000);                  /* 3 is now the least recently used */
    assert_int_equal(has(cache, 3, 1000), 0);
    assert_int_equal(has(cache, 1, 1000) + has(cache, 4, 1000) + has(cache, 5, 1000), 3);
    lsi_rev_cache_free(cache);

    /* An expired entry goes before the least recently used one. */

    cache = lsi_rev_cache_new(3, 100);
    put(cache, 1, 10, 5000);
    put(cache, 2, 10, 1001);
    {
        lsi_rev_cache_key key = numbered_key(3);
        unsigned char data[10] = {0};

        /* Now 2000: entry 2 expired, entry 1 older but fresh. */
        assert_int_equal(lsi_rev_cache_put(cache, &key, data, 10, 5000, 2000), LSIGN_OK);
        key = numbered_key(4);
        assert_int_equal(lsi_rev_cache_put(cache, &key, data, 10, 5000, 2000), LSIGN_OK);
    }
    assert_int_equal(has(cache, 2, 1000), 0);
    assert_int_equal(has(cache, 1, 1000), 1);
    lsi_rev_cache_free(cache);

    /* The byte budget: two of 60 bytes do not fit in 100, one of 101 never does. */
    cache = lsi_rev_cache_new(10, 100);
    put(cache, 1, 60, 5000);
    put(cache, 2, 60, 5000);
    assert_int_equal(lsi_rev_cache_count(cache), 1);
    assert_int_equal(lsi_rev_cache_bytes(cache), 60);
    assert_int_equal(has(cache, 2, 1000), 1);
    put(cache, 3, 101, 5000);
    assert_int_equal(has(cache, 3, 1000), 0);
    assert_int_equal(has(cache, 2, 1000), 1);
    lsi_rev_cache_free(cache);
}

static void *hammer(void *arg)
{
    lsi_rev_cache *cache = arg;
    unsigned char data[32] = {0};

    for (int i = 0; i < 2000; i++) {
        lsi_rev_cache_key key = numbered_key((unsigned char)(i % 50));
        unsigned char *der;
        size_t len;

        if (lsi_rev_cache_put(cache, &key, data, 1 + (size_t)(i % 32), 5000, 1000) != LSIGN_OK)
            return (void *)1;
        if (lsi_rev_cache_get(cache, &key, 1000, &der, &len) < 0)
            return (void *)1;
        free(der);
    }
    return NULL;
}

static void test_cache_threads(void **state)
{
    lsi_rev_cache *cache = lsi_rev_cache_new(16, 256);
    pthread_t threads[4];
    void *result;

    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, hammer, cache), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], &result), 0);
        assert_null(result);
    }
    assert_true(lsi_rev_cache_count(cache) <= 16);
    assert_true(lsi_rev_cache_bytes(cache) <= 256);
    lsi_rev_cache_free(cache);
    assert_non_null(lsi_rev_cache_shared());
    assert_ptr_equal(lsi_rev_cache_shared(), lsi_rev_cache_shared());
}

/* ---- fetching, without network ---- */

/*
 * A listening socket nobody accepts on: the kernel completes any TCP
 * connection to it by itself, so a connection attempt would be waiting in
 * its queue afterwards.
 */
static int probe_listen(int *port)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void assert_no_connection(int fd)
{
    int c = accept(fd, NULL, NULL);

    if (c >= 0)
        close(c);
    assert_true(c < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

static lsign_ctx *offline_ctx(void)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx = NULL;

    o.offline = 1;
    assert_int_equal(lsign_ctx_new(&ctx, &o), LSIGN_OK);
    return ctx;
}

/* Puts `der` into the shared cache as the answer of kind is_ocsp about `cert` from `issuer`. */
static void cache_answer(int is_ocsp, X509 *issuer, X509 *cert, const unsigned char *der,
                         size_t len)
{
    lsi_rev_cache_key key = key_of(is_ocsp, issuer, is_ocsp ? cert : NULL);

    assert_int_equal(
        lsi_rev_cache_put(lsi_rev_cache_shared(), &key, der, len, now + DAY, (int64_t)time(NULL)),
        LSIGN_OK);
}

static void test_fetch_without_location(void **state)
{
    lsign_ctx *ctx = offline_ctx();
    lsi_rev_set set = {0};

    (void)state;
    assert_int_equal(
        lsi_rev_fetch(ctx, signer, inter, untrusted, store, now, LSI_REV_OCSP_FIRST, &set),
        LSIGN_E_UNSUPPORTED);
    assert_error_has("no OCSP or CRL location in ");
    assert_error_has("CN=Nguyễn Văn Ánh");
    assert_int_equal(set.count, 0);
    lsi_rev_set_free(&set);
    lsign_ctx_free(ctx);
}

/* Only http(s) URLs of printable ASCII are used; the first one that is. */
static void test_fetch_url_choice(void **state)
{
    lsign_ctx *ctx = offline_ctx();
    X509 *ldap_only = reissue(signer, 0x6161, "ldap://ldap.example/cn=ca",
                              "ldap://ldap.example/crl", inter, inter_key);
    X509 *mixed = X509_dup(signer);
    lsi_rev_set set = {0};

    (void)state;
    assert_int_equal(
        lsi_rev_fetch(ctx, ldap_only, inter, untrusted, store, now, LSI_REV_OCSP_FIRST, &set),
        LSIGN_E_UNSUPPORTED);
    assert_error_has("no OCSP or CRL location in");
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(mixed), 0x6162));
    add_ext(mixed, inter, NID_info_access,
            "OCSP;URI:ldap://ldap.example/ocsp, OCSP;URI:http://bad host/ocsp, "
            "OCSP;URI:HTTP://127.0.0.1:9/second");
    assert_true(X509_sign(mixed, inter_key, EVP_sha256()) > 0);
    assert_int_equal(
        lsi_rev_fetch(ctx, mixed, inter, untrusted, store, now, LSI_REV_OCSP_FIRST, &set),
        LSIGN_E_NETWORK);
    assert_error_has("HTTP://127.0.0.1:9/second"); /* the one usable URL was the one tried */
    assert_int_equal(set.count, 0);
    X509_free(ldap_only);
    X509_free(mixed);
    lsign_ctx_free(ctx);
}

static void test_collect_offline_uses_no_network(void **state)
{
    int port, fd = probe_listen(&port);
    char ocsp_url[128], crl_url[128];
    lsign_ctx *ctx = offline_ctx();
    X509 *leaf;
    lsi_rev_set set = {0};

    (void)state;
    snprintf(ocsp_url, sizeof ocsp_url, "http://127.0.0.1:%d/ocsp", port);
    snprintf(crl_url, sizeof crl_url, "http://127.0.0.1:%d/inter.crl", port);
    /* A serial of its own: nothing about it is in the cache. */
    leaf = reissue(signer, 0x5151, ocsp_url, crl_url, inter, inter_key);
    assert_int_equal(
        lsi_rev_collect_chain(ctx, leaf, untrusted, store, now, LSI_REV_OCSP_FIRST, &set),
        LSIGN_E_NETWORK);
    assert_error_has(ocsp_url);
    assert_error_has(crl_url);
    assert_error_has("no revocation evidence for UID=CCCD:001080012345, CN=Nguyễn Văn Ánh");
    assert_int_equal(set.count, 0);
    assert_no_connection(fd);
    close(fd);
    X509_free(leaf);
    lsi_rev_set_free(&set);
    lsign_ctx_free(ctx);
}

static void test_collect_chain_from_cache(void **state)
{
    lsign_ctx *ctx = offline_ctx();
    X509 *leaf = reissue(signer, 0, "http://127.0.0.1:9/ocsp", NULL, inter, inter_key);
    X509 *inter2 = reissue(inter, 0, NULL, "http://127.0.0.1:9/root.crl", root, root_key);
    X509 *tsa2 = reissue(tsa, 0, "http://127.0.0.1:9/ocsp", NULL, inter, inter_key);
    STACK_OF(X509) *pool = sk_X509_new_null();
    size_t len, rlen, tlen;
    unsigned char *der = good_response("signer-rsa2048.crt", &len), *rder = root_crl(&rlen);
    unsigned char *tder = good_response("tsa.crt", &tlen);
    lsi_rev_set set = {0};

    (void)state;
    assert_true(sk_X509_push(pool, inter2));
    cache_answer(1, inter, signer, der, len);
    cache_answer(0, root, NULL, rder, rlen);
    cache_answer(1, inter, tsa, tder, tlen);
    assert_int_equal(lsi_rev_collect_chain(ctx, leaf, pool, store, now, LSI_REV_OCSP_FIRST, &set),
                     LSIGN_OK);
    assert_int_equal(set.count, 2);
    assert_true(set.items[0].is_ocsp);
    assert_int_equal(X509_cmp(set.items[0].cert, leaf), 0);
    assert_int_equal(set.items[0].status, LSI_REV_GOOD);
    assert_false(set.items[1].is_ocsp);
    assert_int_equal(X509_cmp(set.items[1].cert, inter2), 0);
    assert_int_equal(set.items[1].status, LSI_REV_GOOD);
    /* leaf, intermediate, root, responder. */
    assert_int_equal(sk_X509_num(set.certs), 4);

    /* The TSA's chain into the same set: the intermediate is covered already. */
    assert_int_equal(lsi_rev_collect_chain(ctx, tsa2, pool, store, now, LSI_REV_OCSP_FIRST, &set),
                     LSIGN_OK);
    assert_int_equal(set.count, 3);
    assert_int_equal(X509_cmp(set.items[2].cert, tsa2), 0);
    assert_int_equal(sk_X509_num(set.certs), 5);
    lsi_rev_set_free(&set);
    lsi_rev_set_free(&set);

    /* With the intermediate as an anchor too, only the leaf needs evidence. */
    {
        X509_STORE *both = X509_STORE_new();

        assert_true(X509_STORE_add_cert(both, root) && X509_STORE_add_cert(both, inter2));
        assert_int_equal(
            lsi_rev_collect_chain(ctx, leaf, pool, both, now, LSI_REV_OCSP_FIRST, &set), LSIGN_OK);
        assert_int_equal(set.count, 1);
        lsi_rev_set_free(&set);
        X509_STORE_free(both);
    }
    /* Without the root, no chain. */
    {
        X509_STORE *empty = X509_STORE_new();

        assert_int_equal(
            lsi_rev_collect_chain(ctx, leaf, pool, empty, now, LSI_REV_OCSP_FIRST, &set),
            LSIGN_E_POLICY);
        assert_error_has("no chain from");
        X509_STORE_free(empty);
    }
    sk_X509_pop_free(pool, X509_free);
    X509_free(leaf);
    X509_free(tsa2);
    free(der);
    free(rder);
    free(tder);
    lsign_ctx_free(ctx);
}

static void test_fetch_sources(void **state)
{
    lsign_ctx *ctx = offline_ctx();
    X509 *leaf = reissue(signer, 0, "http://127.0.0.1:9/ocsp", "http://127.0.0.1:9/inter.crl",
                         inter, inter_key);
    X509 *crl_only = reissue(signer, 0x5252, "http://127.0.0.1:9/ocsp",
                             "http://127.0.0.1:9/inter.crl", inter, inter_key);
    size_t len, clen;
    unsigned char *der = good_response("signer-rsa2048.crt", &len), *cder = inter_crl(&clen);
    lsi_rev_set set = {0};

    (void)state;
    cache_answer(1, inter, signer, der, len);
    cache_answer(0, inter, NULL, cder, clen);
    assert_int_equal(
        lsi_rev_fetch(ctx, leaf, inter, untrusted, store, now, LSI_REV_OCSP_FIRST, &set), LSIGN_OK);
    assert_int_equal(set.count, 1);
    assert_true(set.items[0].is_ocsp);
    assert_int_equal(
        lsi_rev_fetch(ctx, leaf, inter, untrusted, store, now, LSI_REV_CRL_FIRST, &set), LSIGN_OK);
    assert_int_equal(set.count, 2);
    assert_false(set.items[1].is_ocsp);
    assert_int_equal(
        lsi_rev_fetch(ctx, leaf, inter, untrusted, store, now, LSI_REV_OCSP_AND_CRL, &set),
        LSIGN_OK);
    assert_int_equal(set.count, 4);
    assert_true(set.items[2].is_ocsp);
    assert_false(set.items[3].is_ocsp);
    lsi_rev_set_free(&set);

    /* OCSP fails (offline, nothing cached for this serial): the CRL answers. */
    assert_int_equal(
        lsi_rev_fetch(ctx, crl_only, inter, untrusted, store, now, LSI_REV_OCSP_FIRST, &set),
        LSIGN_OK);
    assert_int_equal(set.count, 1);
    assert_false(set.items[0].is_ocsp);
    assert_int_equal(set.items[0].status, LSI_REV_GOOD);
    lsi_rev_set_free(&set);
    /* Both asked for: the one that could be had is enough. */
    assert_int_equal(
        lsi_rev_fetch(ctx, crl_only, inter, untrusted, store, now, LSI_REV_OCSP_AND_CRL, &set),
        LSIGN_OK);
    assert_int_equal(set.count, 1);
    lsi_rev_set_free(&set);
    /* Cached answers that are not fresh at `at` are not used: then the network is needed. */
    assert_int_equal(
        lsi_rev_fetch(ctx, leaf, inter, untrusted, store, now + 40 * DAY, LSI_REV_OCSP_FIRST, &set),
        LSIGN_E_NETWORK);
    assert_int_equal(set.count, 0);
    X509_free(leaf);
    X509_free(crl_only);
    free(der);
    free(cder);
    lsign_ctx_free(ctx);
}

static void test_fetch_unknown_falls_back(void **state)
{
    lsign_ctx *ctx = offline_ctx();
    X509 *stranger = reissue(signer, 0x7778, "http://127.0.0.1:9/ocsp",
                             "http://127.0.0.1:9/inter.crl", inter, inter_key);
    X509 *ocsp_only = reissue(signer, 0x7778, "http://127.0.0.1:9/ocsp", NULL, inter, inter_key);
    size_t len, clen;
    unsigned char *der =
        ocsp_response(write_cert(stranger, "stranger2.crt"), "", by_responder("-ndays 1"), &len);
    unsigned char *cder = inter_crl(&clen);
    lsi_rev_set set = {0};

    (void)state;
    cache_answer(1, inter, stranger, der, len);
    cache_answer(0, inter, NULL, cder, clen);
    /* OCSP says unknown: the CRL is asked, and its answer replaces the unknown one. */
    assert_int_equal(
        lsi_rev_fetch(ctx, stranger, inter, untrusted, store, now, LSI_REV_OCSP_FIRST, &set),
        LSIGN_OK);
    assert_int_equal(set.count, 1);
    assert_false(set.items[0].is_ocsp);
    lsi_rev_set_free(&set);
    /* Nothing else to ask: unknown is what there is. */
    assert_int_equal(
        lsi_rev_fetch(ctx, ocsp_only, inter, untrusted, store, now, LSI_REV_OCSP_FIRST, &set),
        LSIGN_OK);
    assert_int_equal(set.count, 1);
    assert_int_equal(set.items[0].status, LSI_REV_UNKNOWN);
    lsi_rev_set_free(&set);
    X509_free(stranger);
    X509_free(ocsp_only);
    free(der);
    free(cder);
    lsign_ctx_free(ctx);
}

/*
 * A delegated responder without id-pkix-ocsp-nocheck needs evidence itself;
 * here it answers for itself, which must not loop.
 */
static void test_collect_responder_without_nocheck(void **state)
{
    lsign_ctx *ctx = offline_ctx();
    X509 *responder = X509_dup(ocsp);
    X509 *leaf = reissue(signer, 0, "http://127.0.0.1:9/ocsp", NULL, inter, inter_key);
    char opts[1024];
    size_t len, rlen;
    unsigned char *der, *rder;
    lsi_rev_set set = {0};

    (void)state;
    drop_ext(responder, NID_id_pkix_OCSP_noCheck);
    add_ext(responder, inter, NID_info_access, "OCSP;URI:http://127.0.0.1:9/ocsp");
    assert_true(X509_sign(responder, inter_key, EVP_sha256()) > 0);
    snprintf(opts, sizeof opts, "-rsigner '%s' -rkey '%s' -ndays 1",
             write_cert(responder, "responder.crt"), PKI("ocsp.key"));
    der = ocsp_response(PKI("signer-rsa2048.crt"), "", opts, &len);
    rder = ocsp_response(in_dir("responder.crt"), "", opts, &rlen);
    cache_answer(1, inter, signer, der, len);
    cache_answer(1, inter, responder, rder, rlen);

    /* The intermediate as an anchor: the leaf and the responder remain. */
    {
        X509_STORE *both = X509_STORE_new();

        assert_true(X509_STORE_add_cert(both, root) && X509_STORE_add_cert(both, inter));
        assert_int_equal(
            lsi_rev_collect_chain(ctx, leaf, untrusted, both, now, LSI_REV_OCSP_FIRST, &set),
            LSIGN_OK);
        X509_STORE_free(both);
    }
    assert_int_equal(set.count, 2);
    assert_int_equal(X509_cmp(set.items[0].cert, leaf), 0);
    assert_int_equal(X509_cmp(set.items[1].cert, responder), 0);
    assert_int_equal(X509_cmp(set.items[1].signer, responder), 0);
    lsi_rev_set_free(&set);
    X509_free(responder);
    X509_free(leaf);
    free(der);
    free(rder);
    lsign_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ocsp_good),
        cmocka_unit_test(test_ocsp_revoked),
        cmocka_unit_test(test_ocsp_for_another_certificate),
        cmocka_unit_test(test_ocsp_responder_without_ocspsigning),
        cmocka_unit_test(test_ocsp_signed_by_the_ca_itself),
        cmocka_unit_test(test_ocsp_sha256_certid),
        cmocka_unit_test(test_ocsp_several_answers),
        cmocka_unit_test(test_ocsp_responder_checked_at_produced_at),
        cmocka_unit_test(test_ocsp_validity_window),
        cmocka_unit_test(test_ocsp_nonce),
        cmocka_unit_test(test_ocsp_unknown_certificate),
        cmocka_unit_test(test_ocsp_bad_signature),
        cmocka_unit_test(test_ocsp_untrusted_root),
        cmocka_unit_test(test_ocsp_error_status),
        cmocka_unit_test(test_ocsp_malformed),
        cmocka_unit_test(test_crl_revoked_and_good),
        cmocka_unit_test(test_crl_wrong_issuer),
        cmocka_unit_test(test_crl_issuer_without_crlsign),
        cmocka_unit_test(test_crl_validity_window),
        cmocka_unit_test(test_crl_unsupported_extensions),
        cmocka_unit_test(test_crl_malformed),
        cmocka_unit_test(test_crl_pem_to_der),
        cmocka_unit_test(test_cache_keys),
        cmocka_unit_test(test_cache_insert_lookup),
        cmocka_unit_test(test_cache_expiry),
        cmocka_unit_test(test_cache_bounded),
        cmocka_unit_test(test_cache_threads),
        cmocka_unit_test(test_fetch_without_location),
        cmocka_unit_test(test_fetch_url_choice),
        cmocka_unit_test(test_collect_offline_uses_no_network),
        cmocka_unit_test(test_collect_chain_from_cache),
        cmocka_unit_test(test_fetch_sources),
        cmocka_unit_test(test_fetch_unknown_falls_back),
        cmocka_unit_test(test_collect_responder_without_nocheck),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
