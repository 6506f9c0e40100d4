/* Checking an OCSP response (RFC 6960) about one certificate. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "core/error.h"
#include "revocation/internal.h"

/* Parses all of `der`: trailing bytes are refused, the evidence is exactly what was checked. */
static int parse_response(const unsigned char *der, size_t len, OCSP_RESPONSE **resp)
{
    const unsigned char *p = der;

    if (der == NULL || len == 0 || len > LONG_MAX)
        return lsi_error(LSIGN_E_PARSE, "OCSP response: %zu bytes", len);
    *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    if (*resp == NULL)
        return lsi_error_openssl(LSIGN_E_PARSE, "OCSP response: not a DER OCSPResponse");
    if (p != der + len) {
        OCSP_RESPONSE_free(*resp);
        *resp = NULL;
        return lsi_error(LSIGN_E_PARSE, "OCSP response: %zu bytes after its end",
                         (size_t)(der + len - p));
    }
    return LSIGN_OK;
}

static int get_basic(OCSP_RESPONSE *resp, OCSP_BASICRESP **bs)
{
    int status = OCSP_response_status(resp);

    /* tryLater, internalError, unauthorized...: the responder's failure, as an HTTP error is. */
    if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return lsi_error(LSIGN_E_NETWORK, "OCSP responder answered '%s' (%d)",
                         OCSP_response_status_str(status), status);
    *bs = OCSP_response_get1_basic(resp);
    if (*bs == NULL)
        return lsi_error_openssl(LSIGN_E_PARSE, "OCSP response: no BasicOCSPResponse");
    return LSIGN_OK;
}

/* Whether `single` is about `cert`: the serial first (cheap), then the issuer hashes. */
static int single_is_for(OCSP_SINGLERESP *single, X509 *cert, X509 *issuer)
{
    OCSP_CERTID *cid = (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(single);
    ASN1_OBJECT *md_oid = NULL;
    ASN1_INTEGER *serial = NULL;
    const EVP_MD *md;
    OCSP_CERTID *ours;
    int same;

    if (!OCSP_id_get0_info(NULL, &md_oid, NULL, &serial, cid) ||
        ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(cert)) != 0)
        return 0;
    /* Responders may hash with SHA-256 although we asked with SHA-1: use theirs. */
    md = EVP_get_digestbyobj(md_oid);
    if (md == NULL || (ours = OCSP_cert_to_id(md, cert, issuer)) == NULL)
        return 0;
    same = OCSP_id_cmp(ours, cid) == 0;
    OCSP_CERTID_free(ours);
    return same;
}

static int find_single(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer, const char *subject,
                       OCSP_SINGLERESP **found)
{
    int matches = 0;

    *found = NULL;
    for (int i = 0; i < OCSP_resp_count(bs) && matches < 2; i++) {
        OCSP_SINGLERESP *single = OCSP_resp_get0(bs, i);

        if (single_is_for(single, cert, issuer)) {
            matches++;
            *found = single;
        }
    }
    ERR_clear_error();
    if (matches == 1)
        return LSIGN_OK;
    return lsi_error(LSIGN_E_CRYPTO, "OCSP response: %s answer about %s",
                     matches == 0 ? "no" : "more than one", subject);
}

/*
 * A store with the anchors and parameters of `store` that verifies at `when`:
 * OCSP_basic_verify takes its time from the store, and the caller's store is
 * shared between threads, so it cannot be changed. (Only certificates are
 * copied: libsign's stores hold nothing else.)
 */
static X509_STORE *store_at(X509_STORE *store, int64_t when)
{
    X509_STORE *copy = X509_STORE_new();
    STACK_OF(X509) *anchors = store != NULL ? X509_STORE_get1_all_certs(store) : NULL;
    int ok = copy != NULL && anchors != NULL &&
             X509_STORE_set1_param(copy, X509_STORE_get0_param(store));

    for (int i = 0; ok && i < sk_X509_num(anchors); i++)
        ok = X509_STORE_add_cert(copy, sk_X509_value(anchors, i));
    sk_X509_pop_free(anchors, X509_free);
    if (!ok) {
        X509_STORE_free(copy);
        return NULL;
    }
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(copy), (time_t)when);
    return copy;
}

/*
 * OCSP_basic_verify: the signature, the responder's chain to an anchor, and
 * the responder's authority (the CertIDs' issuer itself, or a certificate
 * that issuer gave OCSPSigning). The chain is verified at producedAt: a
 * responder certificate may expire long before the evidence is checked again.
 */
static int verify_response(OCSP_BASICRESP *bs, STACK_OF(X509) * untrusted, X509_STORE *store)
{
    int64_t produced;
    X509_STORE *at_store;
    unsigned long last;
    int ok;

    if (!lsi_rev_time(OCSP_resp_get0_produced_at(bs), &produced))
        return lsi_error(LSIGN_E_PARSE, "OCSP response: unreadable producedAt");
    at_store = store_at(store, produced);
    if (at_store == NULL)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "OCSP response: cannot copy the trust store");
    ERR_clear_error();
    ok = OCSP_basic_verify(bs, untrusted, at_store, OCSP_NOEXPLICIT);
    X509_STORE_free(at_store);
    if (ok > 0)
        return LSIGN_OK;
    last = ERR_peek_last_error();
    /* 0 without an error: its chain is fine but it answers for a CA that did not delegate. */
    if (ok == 0 && (last == 0 || ERR_GET_REASON(last) == OCSP_R_MISSING_OCSPSIGNING_USAGE))
        return lsi_error_openssl(LSIGN_E_CRYPTO,
                                 "OCSP response: the responder is not authorised (neither the "
                                 "certificate's issuer nor delegated by it with OCSPSigning)");
    return lsi_error_openssl(LSIGN_E_CRYPTO, "OCSP response: verification failed");
}

static lsi_rev_status status_of(int ocsp_status)
{
    switch (ocsp_status) {
    case V_OCSP_CERTSTATUS_GOOD: return LSI_REV_GOOD;
    case V_OCSP_CERTSTATUS_REVOKED: return LSI_REV_REVOKED;
    default: return LSI_REV_UNKNOWN;
    }
}

/* Status, times and reason of the SingleResponse into *out, checked against `at`. */
static int read_single(OCSP_SINGLERESP *single, const char *subject, int64_t at,
                       lsi_rev_evidence *out)
{
    ASN1_GENERALIZEDTIME *revoked = NULL, *this_upd = NULL, *next_upd = NULL;
    int reason = -1, st = OCSP_single_get0_status(single, &reason, &revoked, &this_upd, &next_upd);
    char what[600];

    if (st < 0 || !lsi_rev_time(this_upd, &out->this_update) ||
        (next_upd != NULL && !lsi_rev_time(next_upd, &out->next_update)) ||
        (st == V_OCSP_CERTSTATUS_REVOKED && !lsi_rev_time(revoked, &out->revocation_time)))
        return lsi_error(LSIGN_E_PARSE, "OCSP response about %s: unreadable status or time",
                         subject);
    out->status = status_of(st);
    out->reason = out->status == LSI_REV_REVOKED ? reason : -1;
    snprintf(what, sizeof what, "OCSP response about %s", subject);
    return lsi_rev_check_window(what, out->this_update, out->next_update, at);
}

static int check_nonce(OCSP_REQUEST *nonce_req, OCSP_BASICRESP *bs)
{
    /* -1 (the responder left the nonce out) is accepted: see revocation.h. */
    if (nonce_req != NULL && OCSP_check_nonce(nonce_req, bs) == 0)
        return lsi_error(LSIGN_E_CRYPTO, "OCSP response: the nonce does not match the request's");
    return LSIGN_OK;
}

static int check_basic(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted,
                       X509_STORE *store, OCSP_REQUEST *nonce_req, int64_t at, const char *subject,
                       lsi_rev_evidence *out)
{
    OCSP_SINGLERESP *single;
    X509 *signer = NULL;
    int rc;

    if ((rc = find_single(bs, cert, issuer, subject, &single)) != LSIGN_OK ||
        (rc = verify_response(bs, untrusted, store)) != LSIGN_OK ||
        (rc = read_single(single, subject, at, out)) != LSIGN_OK ||
        (rc = check_nonce(nonce_req, bs)) != LSIGN_OK)
        return rc;
    /* Found again: OCSP_basic_verify succeeded, so it is there. */
    if (OCSP_resp_get0_signer(bs, &signer, untrusted) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "OCSP response: responder not found");
    if (!X509_up_ref(signer))
        return lsi_error_nomem();
    out->signer = signer;
    return LSIGN_OK;
}

int lsi_ocsp_check(const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
                   STACK_OF(X509) * untrusted, X509_STORE *store, OCSP_REQUEST *nonce_req,
                   int64_t at, lsi_rev_evidence *out)
{
    OCSP_RESPONSE *resp = NULL;
    OCSP_BASICRESP *bs = NULL;
    lsi_rev_evidence e = {0};
    char subject[512];
    int rc;

    memset(out, 0, sizeof *out);
    if (cert == NULL || issuer == NULL || store == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_ocsp_check: cert, issuer or store is NULL");
    lsi_rev_subject(cert, subject, sizeof subject);
    if (X509_check_issued(issuer, cert) != X509_V_OK)
        return lsi_error(LSIGN_E_CRYPTO, "OCSP: the issuer given did not issue %s", subject);
    if ((rc = parse_response(der, len, &resp)) == LSIGN_OK &&
        (rc = get_basic(resp, &bs)) == LSIGN_OK)
        rc = check_basic(bs, cert, issuer, untrusted, store, nonce_req, at, subject, &e);
    if (rc == LSIGN_OK)
        rc = lsi_rev_evidence_fill(&e, 1, der, len, NULL, cert);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    if (rc != LSIGN_OK) {
        lsi_rev_evidence_clear(&e);
        return rc;
    }
    *out = e;
    return LSIGN_OK;
}
