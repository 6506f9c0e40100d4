/* Fetching evidence for one certificate: OCSP and CRL locations, requests, the cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/ctx.h"
#include "core/error.h"
#include "net/http.h"
#include "revocation/cache.h"
#include "revocation/internal.h"

#define MAX_URL 2048

enum { KIND_OCSP, KIND_CRL };
static const char *const kind_names[] = {"OCSP", "CRL"};

/* What one certificate's evidence is checked against. */
typedef struct target {
    const lsign_ctx *ctx;
    X509 *cert, *issuer;
    STACK_OF(X509) * untrusted;
    X509_STORE *store;
    int64_t at;
} target;

static int has_prefix(const unsigned char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && strncasecmp((const char *)s, prefix, n) == 0;
}

/*
 * Copies an http(s) URL of `len` bytes into url. Printable ASCII only: the
 * URL comes from a certificate we have not verified yet and ends up in
 * requests and messages.
 */
static int take_url(const unsigned char *s, size_t len, char *url, size_t size)
{
    if (len >= size || (!has_prefix(s, len, "http://") && !has_prefix(s, len, "https://")))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] <= 0x20 || s[i] >= 0x7f)
            return 0;
    memcpy(url, s, len);
    url[len] = '\0';
    return 1;
}

/* The first http(s) OCSP URL of the authorityInfoAccess. */
static int ocsp_url(X509 *cert, char *url, size_t size)
{
    STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);
    int found = 0;

    for (int i = 0; !found && i < sk_OPENSSL_STRING_num(urls); i++) {
        const char *u = sk_OPENSSL_STRING_value(urls, i);

        found = take_url((const unsigned char *)u, strlen(u), url, size);
    }
    X509_email_free(urls); /* the documented way to free X509_get1_ocsp's list */
    return found;
}

/* The first http(s) URI of a distribution point's full name. */
static int dp_url(const DIST_POINT *dp, char *url, size_t size)
{
    GENERAL_NAMES *names;

    /* A cRLIssuer means an indirect CRL, a relative name needs the issuer's: neither is read. */
    if (dp->CRLissuer != NULL || dp->distpoint == NULL || dp->distpoint->type != 0)
        return 0;
    names = dp->distpoint->name.fullname;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

        if (gn->type == GEN_URI &&
            take_url(ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
                     (size_t)ASN1_STRING_length(gn->d.uniformResourceIdentifier), url, size))
            return 1;
    }
    return 0;
}

static int crl_url(X509 *cert, char *url, size_t size)
{
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
    int found = 0;

    for (int i = 0; !found && i < sk_DIST_POINT_num(dps); i++)
        found = dp_url(sk_DIST_POINT_value(dps, i), url, size);
    sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
    ERR_clear_error(); /* a malformed extension is only a missing URL here */
    return found;
}

/* A request for one CertID (SHA-1: what RFC 5019 responders expect) with a fresh nonce. */
static int make_request(const target *t, OCSP_REQUEST **req, unsigned char **der, size_t *len)
{
    OCSP_CERTID *id = OCSP_cert_to_id(NULL, t->cert, t->issuer);
    int n;

    *req = OCSP_REQUEST_new();
    if (id == NULL || *req == NULL || OCSP_request_add0_id(*req, id) == NULL) {
        OCSP_CERTID_free(id);
        return lsi_error_openssl(LSIGN_E_CRYPTO, "OCSP: cannot make a request");
    }
    *der = NULL;
    if (!OCSP_request_add1_nonce(*req, NULL, -1) || (n = i2d_OCSP_REQUEST(*req, der)) <= 0)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "OCSP: cannot make a request");
    *len = (size_t)n;
    return LSIGN_OK;
}

static int check(const target *t, int kind, const unsigned char *der, size_t len, OCSP_REQUEST *req,
                 lsi_rev_evidence *out)
{
    if (kind == KIND_OCSP)
        return lsi_ocsp_check(der, len, t->cert, t->issuer, t->untrusted, t->store, req, t->at,
                              out);
    return lsi_crl_check(der, len, t->cert, t->issuer, t->at, out);
}

static int cache_key(const target *t, int kind, lsi_rev_cache_key *key)
{
    return lsi_rev_cache_key_make(kind == KIND_OCSP, t->issuer,
                                  kind == KIND_OCSP ? X509_get0_serialNumber(t->cert) : NULL, key);
}

/*
 * An earlier answer that still checks. One that does not (another `at`, a
 * different trust store) is left for the fetched answer to replace.
 */
static int from_cache(const target *t, int kind, const lsi_rev_cache_key *key,
                      lsi_rev_evidence *out)
{
    unsigned char *der;
    size_t len;
    int ok;

    if (lsi_rev_cache_get(lsi_rev_cache_shared(), key, (int64_t)time(NULL), &der, &len) <= 0)
        return 0;
    ok = check(t, kind, der, len, NULL, out) == LSIGN_OK;
    free(der);
    return ok;
}

static void remember(const lsi_rev_cache_key *key, const unsigned char *der, size_t len,
                     int64_t next_update)
{
    int64_t now = (int64_t)time(NULL);

    /* Out of memory here only costs a later fetch. */
    (void)lsi_rev_cache_put(lsi_rev_cache_shared(), key, der, len,
                            lsi_rev_cache_expiry(next_update, now), now);
}

static int post_ocsp(const target *t, const char *url, lsi_rev_evidence *out)
{
    OCSP_REQUEST *req = NULL;
    unsigned char *body = NULL, *resp = NULL;
    size_t body_len = 0, resp_len = 0;
    int rc = make_request(t, &req, &body, &body_len);

    if (rc == LSIGN_OK) {
        lsi_http_request r = {.url = url,
                              .body = body,
                              .body_len = body_len,
                              .content_type = "application/ocsp-request",
                              .expected_type = "application/ocsp-response"};
        rc = lsi_http_fetch(t->ctx, &r, &resp, &resp_len);
    }
    if (rc == LSIGN_OK && (rc = check(t, KIND_OCSP, resp, resp_len, req, out)) != LSIGN_OK)
        lsi_error_wrap("%s", url);
    OCSP_REQUEST_free(req);
    OPENSSL_free(body);
    free(resp);
    return rc;
}

static int get_crl(const target *t, const char *url, lsi_rev_evidence *out, unsigned char **der,
                   size_t *len)
{
    lsi_http_request r = {.url = url}; /* CRL servers use many content types: accept any */
    int rc = lsi_http_fetch(t->ctx, &r, der, len);

    if (rc != LSIGN_OK)
        return rc; /* the message names the URL */
    if ((rc = lsi_rev_crl_der(der, len)) != LSIGN_OK ||
        (rc = check(t, KIND_CRL, *der, *len, NULL, out)) != LSIGN_OK)
        lsi_error_wrap("%s", url);
    return rc;
}

/* One kind of evidence: from the cache, else from `url` (then cached). */
static int fetch_one(const target *t, int kind, const char *url, lsi_rev_evidence *out)
{
    lsi_rev_cache_key key;
    unsigned char *der = NULL;
    size_t len = 0;
    int rc = cache_key(t, kind, &key);

    if (rc != LSIGN_OK || from_cache(t, kind, &key, out))
        return rc;
    if (kind == KIND_OCSP)
        rc = post_ocsp(t, url, out);
    else
        rc = get_crl(t, url, out, &der, &len);
    if (rc == LSIGN_OK)
        remember(&key, out->der, out->der_len, out->next_update);
    free(der);
    return rc;
}

/* Why each source failed, for one message when all did. */
typedef struct failures {
    int rc;
    char text[900];
} failures;

static void note_failure(failures *f, int kind, int rc)
{
    size_t used = strlen(f->text);

    if (f->rc == LSIGN_OK)
        f->rc = rc;
    snprintf(f->text + used, sizeof f->text - used, "%s%s: %s", used > 0 ? "; " : "",
             kind_names[kind], lsign_last_error());
}

/*
 * Tries the sources in order. An UNKNOWN answer is kept aside in case
 * nothing better comes (with OCSP_AND_CRL everything is kept).
 */
static int try_sources(const target *t, const int order[2], char urls[2][MAX_URL],
                       const int have[2], lsi_rev_sources sources, lsi_rev_set *set, failures *f)
{
    lsi_rev_evidence e, spare = {0};
    int got = 0, rc = LSIGN_OK;

    for (int k = 0; k < 2 && rc == LSIGN_OK && (got == 0 || sources == LSI_REV_OCSP_AND_CRL); k++) {
        if (!have[order[k]])
            continue;
        if ((rc = fetch_one(t, order[k], urls[order[k]], &e)) != LSIGN_OK) {
            note_failure(f, order[k], rc);
            rc = LSIGN_OK;
        } else if (e.status == LSI_REV_UNKNOWN && sources != LSI_REV_OCSP_AND_CRL) {
            lsi_rev_evidence_clear(&spare);
            spare = e;
        } else if ((rc = lsi_rev_set_take(set, &e)) == LSIGN_OK) {
            got++;
        }
    }
    if (rc == LSIGN_OK && got == 0 && spare.der != NULL &&
        (rc = lsi_rev_set_take(set, &spare)) == LSIGN_OK)
        got++;
    lsi_rev_evidence_clear(&spare);
    return rc != LSIGN_OK ? rc : got;
}

int lsi_rev_fetch(const lsign_ctx *ctx, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted,
                  X509_STORE *store, int64_t at, lsi_rev_sources sources, lsi_rev_set *set)
{
    target t = {ctx, cert, issuer, untrusted, store, at};
    char urls[2][MAX_URL], subject[512];
    int have[2], got;
    const int ocsp_first[2] = {KIND_OCSP, KIND_CRL}, crl_first[2] = {KIND_CRL, KIND_OCSP};
    failures f = {0};

    if (cert == NULL || issuer == NULL || store == NULL || set == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_rev_fetch: cert, issuer, store or set is NULL");
    lsi_rev_subject(cert, subject, sizeof subject);
    have[KIND_OCSP] = ocsp_url(cert, urls[KIND_OCSP], MAX_URL);
    have[KIND_CRL] = crl_url(cert, urls[KIND_CRL], MAX_URL);
    if (!have[KIND_OCSP] && !have[KIND_CRL])
        return lsi_error(LSIGN_E_UNSUPPORTED, "no OCSP or CRL location in %s", subject);
    got = try_sources(&t, sources == LSI_REV_CRL_FIRST ? crl_first : ocsp_first, urls, have,
                      sources, set, &f);
    if (got < 0)
        return got;
    if (got > 0) {
        lsi_log(ctx, LSIGN_LOG_DEBUG, "revocation: evidence for %s", subject);
        return LSIGN_OK;
    }
    return lsi_error(f.rc, "no revocation evidence for %s: %s", subject, f.text);
}
