/**
 * @file
 * libsign: what a signed document holds, without judging it (`libsign
 * inspect`): for a PDF its revisions, form fields and signature fields
 * (signed or not, /SubFilter, /ByteRange, claimed time, where the widget
 * is), document timestamps and the /DSS; for XML its ds:Signature elements
 * and what they reference. Use lsign_pdf_verify() / lsign_xml_verify() for
 * verdicts: nothing here is checked cryptographically.
 */
#ifndef LIBSIGN_INSPECT_H
#define LIBSIGN_INSPECT_H

#include "libsign/common.h"
#include "libsign/context.h"
#include "libsign/io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lsign_inspection lsign_inspection;

/**
 * Inspect `input`: a PDF, or XML when its first non-blank byte is '<'.
 * @return LSIGN_OK and *out (release it with lsign_inspection_free());
 *   LSIGN_E_INVALID_ARG, LSIGN_E_PARSE, LSIGN_E_UNSUPPORTED (encrypted),
 *   LSIGN_E_LIMIT, LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_inspect(lsign_ctx *ctx, lsign_input *input, lsign_inspection **out);

/** Release an inspection; NULL is accepted. */
LSIGN_EXTERN void lsign_inspection_free(lsign_inspection *inspection);

/**
 * The inspection as JSON (UTF-8), shaped, for a PDF:
 *   {"format": "pdf", "size", "revisions": [{"end", "xref"}], "fields": [{"name",
 *    "type", "signed", "subfilter", "claimed_time", "byte_range", "page", "rect"}],
 *    "document_timestamps", "dss": {"certificates", "ocsp_responses", "crls"} | null}
 * and for XML:
 *   {"format": "xml", "size", "signatures": [{"id", "xades", "timestamp",
 *    "references": [URI...]}]}
 * Owned by the inspection; NULL only for NULL.
 */
LSIGN_EXTERN const char *lsign_inspection_json(const lsign_inspection *inspection);

/** The same as a short English text, one line per item. Owned by the inspection. */
LSIGN_EXTERN const char *lsign_inspection_text(const lsign_inspection *inspection);

#ifdef __cplusplus
}
#endif

#endif
