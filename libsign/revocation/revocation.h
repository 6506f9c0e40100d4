/*
 * Revocation evidence for long-term validation (PAdES B-LT): OCSP responses
 * and CRLs that prove a certificate was not revoked, checked here and
 * fetched over lsi_http_fetch. See README.md in this folder.
 */
#ifndef LSI_REVOCATION_REVOCATION_H
#define LSI_REVOCATION_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "libsign/context.h"

/* Allowed difference between our clock and a responder's or CA's (seconds). */
#define LSI_REV_SKEW 300

typedef enum lsi_rev_status { LSI_REV_GOOD, LSI_REV_REVOKED, LSI_REV_UNKNOWN } lsi_rev_status;

/*
 * Evidence for one certificate: the DER bytes as fetched (an OCSPResponse or
 * a CertificateList), what they say, and when they stop being fresh. Times
 * are seconds since 1970 (UTC).
 */
typedef struct lsi_rev_evidence {
    int is_ocsp;
    unsigned char *der; /* malloc'd */
    size_t der_len;
    lsi_rev_status status;
    int64_t revocation_time;          /* when REVOKED, else 0 */
    int reason;                       /* CRL reason code when REVOKED, -1 unknown */
    int64_t this_update, next_update; /* next_update 0 when absent */
    X509 *signer;                     /* the OCSP responder / CRL issuer (up-ref'd) */
    X509 *cert;                       /* the certificate it is about (up-ref'd) */
} lsi_rev_evidence;

/* Frees what `e` holds and zeroes it; a zeroed evidence is accepted. */
void lsi_rev_evidence_clear(lsi_rev_evidence *e);

/*
 * Checks an OCSP response (DER) about `cert`, issued by `issuer`:
 *  - responseStatus successful, and a BasicOCSPResponse;
 *  - OCSP_basic_verify() with `untrusted` and the anchors of `store`, which
 *    finds the responder among the response's and `untrusted`'s certificates,
 *    verifies the signature, verifies the responder's chain to an anchor
 *    (at the response's producedAt: the time it signed), and requires the
 *    responder to be authorised: `issuer` itself, or a delegated responder
 *    certified by `issuer` with extendedKeyUsage OCSPSigning (RFC 6960
 *    4.2.2.2). OCSP_NOEXPLICIT: no other "trusted responder" is accepted;
 *  - exactly one SingleResponse for this certificate's CertID (whatever hash
 *    algorithm the responder used);
 *  - thisUpdate <= at + LSI_REV_SKEW, and at - LSI_REV_SKEW <= nextUpdate;
 *  - with `nonce_req` (the request sent): OCSP_check_nonce() must not report
 *    a mismatch. A response without nonce is accepted (responders serving
 *    pre-produced responses drop it); freshness then rests on thisUpdate.
 * On LSIGN_OK, *out holds a copy of the bytes and what they say (UNKNOWN is a
 * valid answer, not a failure). Errors: LSIGN_E_PARSE (not DER, trailing
 * bytes, no basic response), LSIGN_E_CRYPTO (signature, chain, responder not
 * authorised, no answer for the certificate, not fresh at `at`, nonce),
 * LSIGN_E_NETWORK (the responder answered with an error status),
 * LSIGN_E_NOMEM; *out is left zeroed.
 */
int lsi_ocsp_check(const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
                   STACK_OF(X509) * untrusted, X509_STORE *store, OCSP_REQUEST *nonce_req,
                   int64_t at, lsi_rev_evidence *out);

/*
 * Checks a CRL (DER) for `cert`, issued by `issuer`: `issuer` issued `cert`
 * (names, key identifiers) and is the CRL's issuer, its keyUsage (if any)
 * allows cRLSign, the signature verifies with its key; thisUpdate <= at +
 * LSI_REV_SKEW and at - LSI_REV_SKEW <= nextUpdate; no critical extension
 * other than those understood (delta CRLs, issuing distribution points and
 * indirect CRL entries are refused with LSIGN_E_UNSUPPORTED). The serial
 * listed gives REVOKED with its date and reason, absent gives GOOD.
 * Errors: LSIGN_E_PARSE, LSIGN_E_CRYPTO, LSIGN_E_UNSUPPORTED, LSIGN_E_NOMEM;
 * *out is left zeroed.
 */
int lsi_crl_check(const unsigned char *der, size_t len, X509 *cert, X509 *issuer, int64_t at,
                  lsi_rev_evidence *out);

/* Evidence for several certificates, and every certificate needed to check it. */
typedef struct lsi_rev_set {
    lsi_rev_evidence *items;
    size_t count, cap;
    /* The chains (anchors included), responders and CRL issuers: a DSS's /Certs. */
    STACK_OF(X509) * certs;
} lsi_rev_set;

/* Frees everything the set holds and zeroes it; a zeroed set is accepted. */
void lsi_rev_set_free(lsi_rev_set *set);

/* Which evidence lsi_rev_fetch() gets for one certificate. */
typedef enum lsi_rev_sources {
    /* OCSP; the CRL only when there is no OCSP URL, OCSP fails or answers UNKNOWN. */
    LSI_REV_OCSP_FIRST,
    /* The same with the roles swapped. */
    LSI_REV_CRL_FIRST,
    /* Both, where each has a URL; fails only when neither could be had. */
    LSI_REV_OCSP_AND_CRL
} lsi_rev_sources;

/*
 * Gets evidence for `cert` (issued by `issuer`) valid at `at` and appends it
 * to set->items (one item, two with LSI_REV_OCSP_AND_CRL): OCSP from the
 * first http(s) URL of the certificate's authorityInfoAccess (a request with
 * a nonce, POSTed as application/ocsp-request), the CRL from the first
 * http(s) URI of its CRL distribution points (GET; DER or PEM). Every answer
 * goes through lsi_ocsp_check / lsi_crl_check. A process-wide cache
 * (cache.h) answers instead of the network while an earlier answer is fresh.
 * Errors: LSIGN_E_UNSUPPORTED "no OCSP or CRL location in <subject>",
 * LSIGN_E_NETWORK naming the URL (offline mode included), the check's errors;
 * when every source failed the message names each failure.
 */
int lsi_rev_fetch(const lsign_ctx *ctx, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted,
                  X509_STORE *store, int64_t at, lsi_rev_sources sources, lsi_rev_set *set);

/*
 * Evidence for a whole chain: builds the chain of `leaf` to an anchor of
 * `store` (X509_build_chain, intermediates from `untrusted` and set->certs),
 * then fetches evidence for every certificate up to the first trust anchor
 * (exclusive), each checked against the next certificate of the chain as its
 * issuer. Delegated OCSP responders without id-pkix-ocsp-nocheck get evidence
 * too. Appends to `set` and skips certificates it already covers, so the
 * signer's chain and the TSA's can be collected into one set. Statuses are not
 * judged here: a REVOKED item is evidence too (callers decide).
 * Errors: LSIGN_E_POLICY (no chain to an anchor), lsi_rev_fetch's errors
 * prefixed with the certificate's subject; the set keeps what was collected.
 */
int lsi_rev_collect_chain(const lsign_ctx *ctx, X509 *leaf, STACK_OF(X509) * untrusted,
                          X509_STORE *store, int64_t at, lsi_rev_sources sources, lsi_rev_set *set);

#endif
