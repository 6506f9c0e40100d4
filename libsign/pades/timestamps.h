/*
 * Timestamps in PAdES: the signature timestamp of B-T (an unsigned
 * attribute of the CMS, over its signature value) and the document
 * timestamp of B-LTA (a revision of its own whose /Contents is an RFC 3161
 * token over the ByteRange). The TSA is the context's (lsign_ctx_set_tsa).
 */
#ifndef LSI_PADES_TIMESTAMPS_H
#define LSI_PADES_TIMESTAMPS_H

#include <stddef.h>

#include "core/io.h"
#include "libsign/context.h"
#include "pdf/document.h"

/* Replaces the DER CMS in *der by one carrying a signature timestamp from the context's TSA. */
int lsi_pades_add_signature_timestamp(const lsign_ctx *ctx, unsigned char **der, size_t *len);

/* Appends a document timestamp revision to `doc` (read from `in`), writing to `out`. */
int lsi_pades_document_timestamp(const lsign_ctx *ctx, lsi_pdf_doc *doc, const lsi_input *in,
                                 lsi_output *out, int digest);

#endif
