/*
 * The Document Security Store (ISO 32000-2 12.8.4.3, ETSI EN 319 142-1
 * B-LT): certificates, OCSP responses and CRLs that validate the document's
 * signatures years later, in a revision of their own, merged with a DSS the
 * document already has. /VRI entries, keyed by the SHA-1 of each
 * signature's /Contents, tell older readers which items serve which
 * signature.
 */
#ifndef LSI_PADES_DSS_H
#define LSI_PADES_DSS_H

#include <stddef.h>

#include "core/io.h"
#include "pdf/document.h"

/* One DER item (certificate, OCSPResponse or CertificateList). */
typedef struct lsi_dss_blob {
    const unsigned char *der;
    size_t len;
} lsi_dss_blob;

enum { LSI_DSS_CERT, LSI_DSS_OCSP, LSI_DSS_CRL, LSI_DSS_KINDS };

/* What one signature needs: its VRI key and its items of each kind. */
typedef struct lsi_dss_vri {
    unsigned char key[20]; /* SHA-1 of the signature's /Contents bytes */
    lsi_dss_blob *items[LSI_DSS_KINDS];
    size_t count[LSI_DSS_KINDS];
} lsi_dss_vri;

/* Appends a revision holding the DSS with the items of `vris` added (duplicates written once). */
int lsi_dss_write(lsi_pdf_doc *doc, const lsi_input *in, lsi_output *out, const lsi_dss_vri *vris,
                  size_t count);

#endif
