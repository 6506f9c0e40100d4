/**
 * @file
 * libsign: the validation report.
 *
 * A verification gives an lsign_report: the file's status and, for each
 * signature, its status, the signer, times, the covered bytes, later
 * modifications, the certificate chain, revocation, errors and warnings.
 * Statuses and sub-indications are those of ETSI EN 319 102-1:
 *   status: "TOTAL-PASSED", "TOTAL-FAILED" or "INDETERMINATE";
 *   sub-indication: e.g. "HASH_FAILURE", "SIG_CRYPTO_FAILURE", "REVOKED",
 *   "NO_CERTIFICATE_CHAIN_FOUND", "OUT_OF_BOUNDS_NO_POE"; NULL with
 *   TOTAL-PASSED. A file's status is the worst of its signatures'; a file
 *   without signatures is TOTAL-FAILED with "NO_SIGNATURE_FOUND".
 *
 * Every string is UTF-8 (invalid bytes of the input were replaced by
 * U+FFFD), owned by the report and valid until lsign_report_free(). Times
 * are ISO 8601 in UTC, e.g. "2025-07-29T07:05:31Z". Signatures are numbered
 * from 0 in document order; accessors given an index out of range return
 * NULL, 0 or -1 (as documented on each). A field that is always present but
 * was not determined (e.g. the signer of an unparsable CMS) reads as "".
 *
 * A report is immutable once returned: any number of threads may read one
 * report at once, lsign_report_text() included.
 */
#ifndef LIBSIGN_REPORT_H
#define LIBSIGN_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lsign_report lsign_report;

/** Release a report; NULL is accepted. */
LSIGN_EXTERN void lsign_report_free(lsign_report *r);

/** The file's name as given to the verifier; "" when NULL was given. */
LSIGN_EXTERN const char *lsign_report_file(const lsign_report *r);
/** "pdf" or "xml". */
LSIGN_EXTERN const char *lsign_report_format(const lsign_report *r);
/** "TOTAL-PASSED", "TOTAL-FAILED" or "INDETERMINATE": the worst of the signatures. */
LSIGN_EXTERN const char *lsign_report_status(const lsign_report *r);
/** The sub-indication of the file's status (that of its first worst signature), or NULL. */
LSIGN_EXTERN const char *lsign_report_subindication(const lsign_report *r);
/** Number of signatures (signatures and document timestamps); 0 for NULL. */
LSIGN_EXTERN size_t lsign_report_signature_count(const lsign_report *r);

/* Per signature i (0-based). */

/** The signature field's full name, or NULL (none, or i out of range). */
LSIGN_EXTERN const char *lsign_report_sig_field(const lsign_report *r, size_t i);
/** "TOTAL-PASSED", "TOTAL-FAILED" or "INDETERMINATE"; NULL out of range. */
LSIGN_EXTERN const char *lsign_report_sig_status(const lsign_report *r, size_t i);
/** ETSI sub-indication, NULL when none. */
LSIGN_EXTERN const char *lsign_report_sig_subindication(const lsign_report *r, size_t i);
/** PAdES baseline level reached: "B-B", "B-T", "B-LT", "B-LTA", or NULL. */
LSIGN_EXTERN const char *lsign_report_sig_level(const lsign_report *r, size_t i);
/** The claimed signing time (ISO 8601 UTC), or NULL when the signature has none. */
LSIGN_EXTERN const char *lsign_report_sig_signing_time(const lsign_report *r, size_t i);
/** The signer certificate's subject, UTF-8, most specific first ("CN=..., O=..., C=VN"). */
LSIGN_EXTERN const char *lsign_report_sig_signer_subject(const lsign_report *r, size_t i);
/** The signer certificate's issuer, as the subject. */
LSIGN_EXTERN const char *lsign_report_sig_signer_issuer(const lsign_report *r, size_t i);
/** The signer certificate's serial number, lower-case hex. */
LSIGN_EXTERN const char *lsign_report_sig_signer_serial(const lsign_report *r, size_t i);
/** SHA-256 of the signer certificate's DER, lower-case hex. */
LSIGN_EXTERN const char *lsign_report_sig_signer_sha256(const lsign_report *r, size_t i);
/** The signature timestamp's time (ISO 8601 UTC), or NULL without a timestamp. */
LSIGN_EXTERN const char *lsign_report_sig_timestamp_time(const lsign_report *r, size_t i);
/** The TSA's subject, or NULL without a timestamp. */
LSIGN_EXTERN const char *lsign_report_sig_timestamp_tsa(const lsign_report *r, size_t i);
/** The timestamp's own status (as lsign_report_sig_status()), or NULL without one. */
LSIGN_EXTERN const char *lsign_report_sig_timestamp_status(const lsign_report *r, size_t i);
/** The message digest algorithm, e.g. "SHA-256". */
LSIGN_EXTERN const char *lsign_report_sig_digest_algorithm(const lsign_report *r, size_t i);
/**
 * The /ByteRange: offset and length of the two signed parts.
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG (no ByteRange, i out of range, NULL out).
 */
LSIGN_EXTERN int lsign_report_sig_byte_range(const lsign_report *r, size_t i, int64_t out[4]);
/** 1 when the signature covers the whole file as it is, 0 when not, -1 out of range. */
LSIGN_EXTERN int lsign_report_sig_covers_whole_document(const lsign_report *r, size_t i);
/**
 * What later revisions changed: "NONE" (nothing), "ALLOWED" (only what
 * PAdES and DocMDP permit: later signatures, DSS, form filling...) or
 * "DISALLOWED". NULL out of range.
 */
LSIGN_EXTERN const char *lsign_report_sig_modifications_verdict(const lsign_report *r, size_t i);
/** Number of described modifications; 0 out of range. */
LSIGN_EXTERN size_t lsign_report_sig_modification_count(const lsign_report *r, size_t i);
/** Modification k of signature i, or NULL. */
LSIGN_EXTERN const char *lsign_report_sig_modification(const lsign_report *r, size_t i, size_t k);
/** Length of the signer's chain (signer first, anchor last); 0 when none was built. */
LSIGN_EXTERN size_t lsign_report_sig_chain_length(const lsign_report *r, size_t i);
/** Subject of chain certificate k, or NULL. */
LSIGN_EXTERN const char *lsign_report_sig_chain_subject(const lsign_report *r, size_t i, size_t k);
/** SHA-256 of chain certificate k (lower-case hex), or NULL. */
LSIGN_EXTERN const char *lsign_report_sig_chain_sha256(const lsign_report *r, size_t i, size_t k);
/** The signer certificate's revocation: "GOOD", "REVOKED", "UNKNOWN" or "NOT_CHECKED". */
LSIGN_EXTERN const char *lsign_report_sig_revocation_status(const lsign_report *r, size_t i);
/** Where it came from (e.g. "OCSP http://ocsp.ca.gov.vn (DSS)"), or NULL. */
LSIGN_EXTERN const char *lsign_report_sig_revocation_source(const lsign_report *r, size_t i);
/*
 * What an XML signature covers, one entry per reference of its SignedInfo
 * (PDF signatures have none: their /ByteRange says it). Read the signed
 * content from here, never from the document around the signature: these
 * are exactly the bytes whose digest the signature protects.
 */

/** Number of references of signature i; 0 for a PDF signature or out of range. */
LSIGN_EXTERN size_t lsign_report_sig_covered_count(const lsign_report *r, size_t i);
/** Reference k's URI as written: "" (the whole document), "#id", or an external URI; or NULL. */
LSIGN_EXTERN const char *lsign_report_sig_covered_uri(const lsign_report *r, size_t i, size_t k);
/**
 * What reference k covers: "document" (the whole document but the
 * signature), "element", "signed-properties" (XAdES), "signature-properties",
 * "object", "key-info", "signature-value" (a counter-signature's target) or
 * "external" (a detached file); NULL out of range.
 */
LSIGN_EXTERN const char *lsign_report_sig_covered_kind(const lsign_report *r, size_t i, size_t k);
/**
 * The covered element's position, e.g. "/HDon[1]/DLHDon[1]" (names as in
 * the document, 1-based positions among same-named siblings); "/" for the
 * whole document; NULL for external data or out of range.
 */
LSIGN_EXTERN const char *lsign_report_sig_covered_path(const lsign_report *r, size_t i, size_t k);
/**
 * The bytes reference k's digest was computed over: canonical XML after its
 * transforms, or the detached file. Owned by the report.
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG (out of range, NULL out).
 */
LSIGN_EXTERN int lsign_report_sig_covered_content(const lsign_report *r, size_t i, size_t k,
                                                  const unsigned char **data, size_t *len);
/** Number of errors (reasons for a status below TOTAL-PASSED). */
LSIGN_EXTERN size_t lsign_report_sig_error_count(const lsign_report *r, size_t i);
/** Error k (English, technical), or NULL. */
LSIGN_EXTERN const char *lsign_report_sig_error(const lsign_report *r, size_t i, size_t k);
/** Number of warnings (findings that do not change the status). */
LSIGN_EXTERN size_t lsign_report_sig_warning_count(const lsign_report *r, size_t i);
/** Warning k (English, technical), or NULL. */
LSIGN_EXTERN const char *lsign_report_sig_warning(const lsign_report *r, size_t i, size_t k);

/**
 * The report as JSON (UTF-8, not escaped beyond '"', '\\' and control
 * characters), shaped:
 *   {"file", "format", "status", "subindication",
 *    "signatures": [{"index", "field", "status", "subindication", "level",
 *      "signer": {"subject", "issuer", "serial", "sha256"}, "signing_time",
 *      "timestamp": {"time", "tsa", "status"} | null, "digest_algorithm",
 *      "byte_range": [4 ints] | null, "covers_whole_document",
 *      "modifications": {"verdict", "details": [...]}, "chain": [{"subject",
 *      "sha256"}], "covered": [{"uri", "kind", "path", "length"}], "revocation": {"status",
 * "source"}, "errors": [...], "warnings": [...]}]} Keys come in this order; later versions may add
 * keys, never rename them. "index" counts from 0.
 * @param[out] json a NUL-terminated malloc'd string; release it with lsign_free_string().
 * @param[out] len its length without the NUL; may be NULL.
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG, LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_report_json(const lsign_report *r, char **json, size_t *len);

/**
 * A human-readable summary in the report's language (lsign_ctx_set_language():
 * Vietnamese by default): the verdict, and per signature its verdict, signer,
 * times and reasons. Owned by the report; NULL only for a NULL report or
 * when out of memory.
 */
LSIGN_EXTERN const char *lsign_report_text(const lsign_report *r);

#ifdef __cplusplus
}
#endif

#endif
