/* What the files of revocation/ share: times, names in messages, filling evidence. */
#ifndef LSI_REVOCATION_INTERNAL_H
#define LSI_REVOCATION_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "revocation/revocation.h"

/* `t` as seconds since 1970; 0 when unreadable. */
int lsi_rev_time(const ASN1_TIME *t, int64_t *out);

/* `t` as "YYYY-MM-DD HH:MM:SS UTC" into buf. */
void lsi_rev_time_str(int64_t t, char *buf, size_t size);

/* The certificate's subject as UTF-8 ("CN=..., O=..., C=VN") into buf, for messages. */
void lsi_rev_subject(X509 *cert, char *buf, size_t size);

/*
 * Refuses evidence that is not fresh at `at` (with LSI_REV_SKEW either side),
 * or whose nextUpdate (when not 0) precedes thisUpdate: LSIGN_E_CRYPTO with a
 * message naming `what`, the window and `at`.
 */
int lsi_rev_check_window(const char *what, int64_t this_update, int64_t next_update, int64_t at);

/* Copies `der` into e->der and up-refs `signer` and `cert` into e. */
int lsi_rev_evidence_fill(lsi_rev_evidence *e, int is_ocsp, const unsigned char *der, size_t len,
                          X509 *signer, X509 *cert);

/*
 * A fetched CRL as DER: PEM ("-----BEGIN X509 CRL-----", which some CAs
 * publish) is decoded in place (*der is malloc'd and replaced); anything else
 * is left for lsi_crl_check to judge. LSIGN_E_PARSE for unreadable PEM.
 */
int lsi_rev_crl_der(unsigned char **der, size_t *len);

/* Appends *e to set->items, taking what it holds (e is zeroed), or clears e on failure. */
int lsi_rev_set_take(lsi_rev_set *set, lsi_rev_evidence *e);

/* Adds `cert` (up-ref'd) to set->certs unless an equal one is there already. */
int lsi_rev_set_add_cert(lsi_rev_set *set, X509 *cert);

/* Whether set->items holds evidence about `cert` other than UNKNOWN. */
int lsi_rev_set_covers(const lsi_rev_set *set, X509 *cert);

#endif
