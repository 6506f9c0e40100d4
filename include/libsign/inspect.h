/**
 * @file
 * libsign: what a signed document holds, without judging it (`libsign
 * inspect`): for a PDF its revisions, form fields and signature fields
 * (signed or not, /SubFilter, /ByteRange, claimed time, where the widget
 * is), document timestamps and the /DSS; for XML its ds:Signature elements
 * and what they reference. Use lsign_pdf_verify() / lsign_xml_verify() for
 * verdicts: nothing here is checked cryptographically.
 *
 * Thread safety: lsign_inspect() may run in many threads at once (an input
 * is used by one operation at a time, see io.h); an inspection is immutable,
 * so any number of threads may read one at once. Only
 * lsign_inspection_free() must not race with another use of it.
 */
#ifndef LIBSIGN_INSPECT_H
#define LIBSIGN_INSPECT_H

#include "libsign/common.h"
#include "libsign/context.h"
#include "libsign/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opaque result of lsign_inspect(): the document's structure as JSON and as text.
 *
 * Owned by the caller, released with lsign_inspection_free().
 */
typedef struct lsign_inspection lsign_inspection;

/**
 * Inspect a PDF or an XML document.
 *
 * The document is XML when its first byte after an optional UTF-8 BOM and
 * blanks (space, tab, CR, LF) is '<', else a PDF.
 *
 * @param ctx the context (borrowed), for its limits against hostile input
 *   and its log; may be NULL (default limits, no log).
 * @param input the document (borrowed, only read); the caller keeps it and
 *   may free it once the call returns.
 * @param[out] out receives the new inspection, owned by the caller: release
 *   it with lsign_inspection_free(). Set to NULL on failure (left unchanged
 *   when `input` is NULL). Must not be NULL.
 * @return LSIGN_OK with *out; LSIGN_E_INVALID_ARG (`input` or `out` NULL),
 *   LSIGN_E_PARSE (not a PDF; XML not well-formed, with a DTD, or without a
 *   document element), LSIGN_E_UNSUPPORTED (an encrypted PDF),
 *   LSIGN_E_LIMIT (a limit of `ctx` was hit), LSIGN_E_CRYPTO (XML: the XML
 *   security library could not be initialised), LSIGN_E_NOMEM.
 *
 * Thread-safe (see the file's description).
 */
LSIGN_EXTERN int lsign_inspect(const lsign_ctx *ctx, const lsign_input *input,
                               lsign_inspection **out);

/**
 * Release an inspection and the strings read from it.
 *
 * @param inspection the inspection (taken); NULL is accepted and does nothing.
 *
 * Thread-safe only if no other thread uses `inspection` during or after the
 * call.
 */
LSIGN_EXTERN void lsign_inspection_free(lsign_inspection *inspection);

/**
 * The inspection as JSON (UTF-8).
 *
 * Shaped, for a PDF:
 * @verbatim
   {"format": "pdf", "size", "revisions": [{"end", "xref"}], "fields": [{"name",
    "type", "signed", "subfilter", "claimed_time", "byte_range", "page", "rect"}],
    "document_timestamps", "dss": {"certificates", "ocsp_responses", "crls"} | null}
   @endverbatim
 * and for XML:
 * @verbatim
   {"format": "xml", "size", "signatures": [{"id", "xades", "timestamp",
    "references": [URI...]}]}
   @endverbatim
 * "size" is the document's length in bytes. A revision's "end" is the byte
 * offset where it ends and its "xref" "table" or "stream". A field's "type"
 * is its /FT ("Sig" for a signature field) or null; "signed" is true for a
 * signature field with a value; "subfilter" and "claimed_time" (the /M date
 * as written) come from that value, or are null; "byte_range" and "rect"
 * are arrays of 4 numbers or null; "page" is the widget's page, from 1, or
 * null. "document_timestamps" and the "dss" members are counts; "dss" is
 * null without /DSS. For XML, "id" is the signature's Id attribute or null,
 * "xades" and "timestamp" are booleans (XAdES properties, a
 * SignatureTimeStamp), "references" the URI of each Reference (null when it
 * has none).
 *
 * @param inspection the inspection (borrowed); may be NULL.
 * @return the JSON, owned by the inspection and valid until
 *   lsign_inspection_free(); NULL only for a NULL inspection.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_inspection_json(const lsign_inspection *inspection);

/**
 * The same as a short English text, one line per item.
 *
 * @param inspection the inspection (borrowed); may be NULL.
 * @return the text, owned by the inspection and valid until
 *   lsign_inspection_free(); NULL only for a NULL inspection.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_inspection_text(const lsign_inspection *inspection);

#ifdef __cplusplus
}
#endif

#endif
