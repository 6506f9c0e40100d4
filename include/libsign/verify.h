/**
 * @file
 * libsign: verifying signed PDFs, and through lsign_verify() XML too (ETSI
 * EN 319 102-1 statuses).
 *
 * Each signature is checked for its structure (ByteRange, /Contents), its
 * digest and CMS signature, its signed attributes, the changes later
 * revisions made, the chain of its signer to an anchor of the context at
 * the best proof of existence (a signature or document timestamp), and
 * revocation: from the /DSS, or fetched when the context's revocation
 * policy is online. The result is an lsign_report (see report.h).
 *
 * A verdict is not a status code: a document whose signatures fail, or
 * that has none, still gives LSIGN_OK and a report saying so; network
 * failures (online revocation) make a signature INDETERMINATE rather than
 * fail the call. An error status means the document could not be
 * examined at all.
 *
 * Thread safety: any number of threads may verify at once with one
 * configured context (see context.h); an input is used by one operation at
 * a time (see io.h).
 */
#ifndef LIBSIGN_VERIFY_H
#define LIBSIGN_VERIFY_H

#include "libsign/common.h"
#include "libsign/context.h"
#include "libsign/io.h"
#include "libsign/report.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Verify every signature and document timestamp of a PDF.
 *
 * @param ctx the context (borrowed): trust anchors, intermediates, limits,
 *   revocation policy and network settings, and the language of
 *   lsign_report_text(). Must not be NULL.
 * @param input the PDF (borrowed, only read); the caller keeps it and may
 *   free it once the call returns.
 * @param name the file name the report shows (lsign_report_file()), copied;
 *   may be NULL (shown as "").
 * @param[out] report receives the new report, owned by the caller: release
 *   it with lsign_report_free(). Set to NULL on failure (left unchanged when
 *   `input` is NULL). Must not be NULL.
 * @return LSIGN_OK with *report, whatever the signatures' verdicts;
 *   LSIGN_E_INVALID_ARG (`input` or `report` NULL), LSIGN_E_PARSE (not a
 *   PDF, or a structure that cannot be read even by scanning),
 *   LSIGN_E_UNSUPPORTED (encrypted), LSIGN_E_LIMIT (a limit of `ctx` was
 *   hit), LSIGN_E_NOMEM.
 *
 * Thread-safe (see the file's description).
 */
LSIGN_EXTERN int lsign_pdf_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name,
                                  lsign_report **report);

/**
 * Verify a PDF or an XML document, told apart by its content.
 *
 * The document is XML when its first byte after an optional UTF-8 BOM and
 * blanks (space, tab, CR, LF) is '<': it then goes to lsign_xml_verify()
 * with default options (no detached data), else to lsign_pdf_verify().
 *
 * @param ctx the context (borrowed), as for lsign_pdf_verify(). Must not be
 *   NULL.
 * @param input the document (borrowed, only read); the caller keeps it.
 * @param name the file name the report shows, copied; may be NULL.
 * @param[out] report receives the new report, owned by the caller: release
 *   it with lsign_report_free(). Set to NULL on failure (left unchanged when
 *   `input` is NULL). Must not be NULL.
 * @return those of lsign_pdf_verify() or lsign_xml_verify(): LSIGN_OK with
 *   *report, whatever the verdicts; LSIGN_E_INVALID_ARG (`input` or
 *   `report` NULL), LSIGN_E_PARSE (not a PDF; XML not well-formed, or with
 *   a DTD), LSIGN_E_UNSUPPORTED (an encrypted PDF), LSIGN_E_LIMIT,
 *   LSIGN_E_CRYPTO (XML: the XML security library could not be
 *   initialised), LSIGN_E_NOMEM.
 *
 * Thread-safe (see the file's description).
 */
LSIGN_EXTERN int lsign_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name,
                              lsign_report **report);

#ifdef __cplusplus
}
#endif

#endif
