/**
 * @file
 * libsign: verifying signed PDFs (ETSI EN 319 102-1 statuses).
 *
 * Each signature is checked for its structure (ByteRange, /Contents), its
 * digest and CMS signature, its signed attributes, the chain of its signer
 * to an anchor of the context at the best proof of existence (a signature or
 * document timestamp), and revocation: from the /DSS, or fetched when the
 * context's revocation policy is online. The result is an lsign_report.
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
 * Verify every signature of the PDF `input`; `name` is the file name the
 * report shows (may be NULL). A document whose signatures fail still gives
 * LSIGN_OK and a report saying so.
 * @return LSIGN_OK and *report (release it with lsign_report_free());
 *   LSIGN_E_INVALID_ARG, LSIGN_E_PARSE (not a PDF), LSIGN_E_UNSUPPORTED
 *   (encrypted), LSIGN_E_LIMIT, LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_pdf_verify(lsign_ctx *ctx, lsign_input *input, const char *name,
                                  lsign_report **report);

/**
 * Verify a PDF or an XML document, told apart by its content (XML when its
 * first non-blank byte is '<'): lsign_pdf_verify(), or lsign_xml_verify()
 * with default options. Returns and report as theirs.
 */
LSIGN_EXTERN int lsign_verify(lsign_ctx *ctx, lsign_input *input, const char *name,
                              lsign_report **report);

#ifdef __cplusplus
}
#endif

#endif
