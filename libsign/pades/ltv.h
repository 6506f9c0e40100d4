/*
 * The validation material of a document's signatures, for its /DSS: for
 * each signature and document timestamp, the certificates of the signer's
 * chain and of the TSA's chain, with an OCSP response or CRL for each
 * (fetched, checked and cached by revocation/).
 */
#ifndef LSI_PADES_LTV_H
#define LSI_PADES_LTV_H

#include <stddef.h>

#include <openssl/x509.h>

#include "libsign/context.h"
#include "pades/dss.h"
#include "pdf/document.h"

typedef struct lsi_ltv {
    lsi_dss_vri *vris; /* one per signature; items point into `blobs` */
    size_t count;
    unsigned char **blobs; /* owned DER copies */
    size_t nblobs, blob_cap;
} lsi_ltv;

/*
 * Gathers the material for every signed field of `doc`. A certificate found
 * revoked fails with LSIGN_E_POLICY naming it, unless `allow_revoked`.
 */
int lsi_ltv_collect(const lsign_ctx *ctx, lsi_pdf_doc *doc, int allow_revoked, lsi_ltv *out);

/*
 * Checks `leaf` (with `untrusted` certificates) before it signs: LSIGN_E_POLICY
 * when its chain holds a revoked certificate, naming it and the revocation date.
 */
int lsi_ltv_check_signer(const lsign_ctx *ctx, X509 *leaf, STACK_OF(X509) * untrusted);

void lsi_ltv_free(lsi_ltv *ltv);

#endif
