/*
 * What a document carries for validation: the certificates, OCSP responses
 * and CRLs of its /DSS (PAdES B-LT), read once per document.
 */
#ifndef LSI_VALIDATE_EVIDENCE_STORE_H
#define LSI_VALIDATE_EVIDENCE_STORE_H

#include <stddef.h>

#include <openssl/x509.h>

#include "pdf/document.h"

typedef struct lsi_dss_items {
    STACK_OF(X509) * certs;
    unsigned char **ocsps, **crls;
    size_t *ocsp_len, *crl_len;
    size_t nocsp, ncrl;
    size_t revision; /* the revision that holds the /DSS; SIZE_MAX when there is none */
} lsi_dss_items;

/* Reads the catalog's /DSS, if any (items that do not decode are skipped). */
int lsi_dss_read(lsi_pdf_doc *doc, lsi_dss_items *out);
void lsi_dss_items_free(lsi_dss_items *items);

#endif
