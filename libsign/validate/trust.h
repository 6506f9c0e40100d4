/*
 * Trust in a signer, whatever the format: the chain to an anchor of the
 * context at a time, revocation from embedded evidence (a PDF's /DSS, XAdES
 * CertificateValues and RevocationValues) or fetched online, key usage, and
 * signature timestamps. Findings go into the signature's report.
 */
#ifndef LSI_VALIDATE_TRUST_H
#define LSI_VALIDATE_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "libsign/context.h"
#include "validate/evidence_store.h"
#include "validate/report.h"

/* What one verification trusts and the evidence the file embeds. */
typedef struct lsi_trust {
    const lsign_ctx *ctx;
    X509_STORE *store;             /* the context's anchors */
    const lsi_dss_items *evidence; /* embedded certificates, OCSP responses, CRLs */
    const char *evidence_place;    /* where they are, for reports: "the /DSS" */
} lsi_trust;

/*
 * Builds and checks the chain of `signer` at `at`, with the certificates
 * the signature carries (`carried`, may be NULL), the embedded evidence's
 * and the context's intermediates; a missing issuer is fetched from its AIA
 * when the revocation policy is online. Reports the chain, or the failure
 * (INDETERMINATE with the ETSI sub-indication). Returns 1 when it holds, with
 * the chain (signer first, up-ref'd) in *chain if it has an issuer, else NULL.
 */
int lsi_trust_chain(const lsi_trust *t, X509 *signer, STACK_OF(X509) * carried, int64_t at,
                    lsi_report_sig *rs, STACK_OF(X509) * *chain);

/*
 * Revocation of `signer` (chain[1] its issuer) at the proof of existence
 * `poe` (0: now), under the context's policy; a revocation before `poe`
 * fails the signature. Returns 1 when embedded evidence covered it (B-LT).
 */
int lsi_trust_revocation(const lsi_trust *t, X509 *signer, STACK_OF(X509) * chain, int64_t poe,
                         lsi_report_sig *rs);

/* Fails the signature when the signer's key usage excludes signing. */
void lsi_trust_key_usage(X509 *cert, lsi_report_sig *rs);

/*
 * Checks an RFC 3161 token (DER) over `data` against the context's anchors
 * and reports it as the signature's timestamp. Returns its genTime when it
 * verifies, else 0 (with a warning).
 */
int64_t lsi_trust_timestamp(const lsi_trust *t, const unsigned char *token, size_t token_len,
                            const unsigned char *data, size_t len, lsi_report_sig *rs);

/* Warns when the claimed time is Vietnam's local time written as UTC (7 h after the stamp). */
void lsi_trust_warn_local_time(int64_t claimed, int64_t stamped, lsi_report_sig *rs);

#endif
