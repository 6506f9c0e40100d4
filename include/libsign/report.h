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
 *   TOTAL-PASSED, and also for a failure that has no ETSI sub-indication
 *   (such as modifications the signature does not allow). A file's status
 *   is the worst of its signatures'; a file without signatures is
 *   TOTAL-FAILED with "NO_SIGNATURE_FOUND".
 *
 * Every string is UTF-8 (invalid bytes of the input were replaced by
 * U+FFFD), owned by the report and valid until lsign_report_free(): never
 * free() one. Times are ISO 8601 in UTC, e.g. "2025-07-29T07:05:31Z".
 * Signatures are numbered from 0 in document order (for a PDF, the order of
 * their /ByteRange gaps in the file); accessors given a NULL report or an
 * index out of range return NULL, 0 or -1 (as documented on each). A field
 * that is always present but was not determined (e.g. the signer of an
 * unparsable CMS) reads as "".
 *
 * Thread safety: a report is immutable once returned, so any number of
 * threads may read one report at once, lsign_report_text() included (it
 * builds its text once, under a lock). Only lsign_report_free() must not
 * race with another use of the same report.
 */
#ifndef LIBSIGN_REPORT_H
#define LIBSIGN_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opaque validation report.
 *
 * Made by lsign_pdf_verify(), lsign_xml_verify() or lsign_verify(), owned by
 * the caller, released with lsign_report_free().
 */
typedef struct lsign_report lsign_report;

/**
 * Release a report and every string read from it.
 *
 * @param r the report (taken); NULL is accepted and does nothing.
 *
 * Thread-safe only if no other thread uses `r` during or after the call.
 */
LSIGN_EXTERN void lsign_report_free(lsign_report *r);

/**
 * The file's name as given to the verifier.
 *
 * @param r the report (borrowed); may be NULL.
 * @return the name (converted to valid UTF-8), "" when the verifier was given
 *   NULL, or NULL for a NULL report. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_file(const lsign_report *r);

/**
 * The document's format.
 *
 * @param r the report (borrowed); may be NULL.
 * @return "pdf" or "xml"; NULL for a NULL report. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_format(const lsign_report *r);

/**
 * The file's status: the worst of its signatures'.
 *
 * @param r the report (borrowed); may be NULL.
 * @return "TOTAL-PASSED", "TOTAL-FAILED" or "INDETERMINATE" (TOTAL-FAILED
 *   when the file has no signature); NULL for a NULL report. Owned by the
 *   report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_status(const lsign_report *r);

/**
 * The sub-indication of the file's status.
 *
 * It is that of the first signature with the worst status.
 *
 * @param r the report (borrowed); may be NULL.
 * @return an ETSI sub-indication, "NO_SIGNATURE_FOUND" for a file without
 *   signatures, or NULL (TOTAL-PASSED, a failure without sub-indication, or
 *   a NULL report). Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_subindication(const lsign_report *r);

/**
 * Number of signatures in the report.
 *
 * For a PDF, signatures and document timestamps; for XML, every
 * ds:Signature (counter-signatures included).
 *
 * @param r the report (borrowed); may be NULL.
 * @return the count; 0 for a NULL report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN size_t lsign_report_signature_count(const lsign_report *r);

/* Per signature i (0-based). */

/**
 * The signature's name.
 *
 * For a PDF, the signature field's full name ("(not in /AcroForm)" for a
 * widget without one); for XML, the ds:Signature's Id attribute.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the name, or NULL (an XML signature without Id, NULL report, or
 *   `i` out of range). Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_field(const lsign_report *r, size_t i);

/**
 * The signature's status.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return "TOTAL-PASSED", "TOTAL-FAILED" or "INDETERMINATE"; NULL for a NULL
 *   report or `i` out of range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_status(const lsign_report *r, size_t i);

/**
 * The signature's ETSI sub-indication.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return a sub-indication such as "HASH_FAILURE", or NULL (TOTAL-PASSED, a
 *   failure without sub-indication, NULL report, `i` out of range). Owned by
 *   the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_subindication(const lsign_report *r, size_t i);

/**
 * The baseline level the signature reached.
 *
 * PAdES for a PDF ("B-B", "B-T", "B-LT", "B-LTA"), XAdES for XML ("B-B",
 * "B-T", "B-LT").
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the level, or NULL (a document timestamp, a signature that failed
 *   before its chain was checked, an XML signature without XAdES
 *   properties, NULL report, `i` out of range). Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_level(const lsign_report *r, size_t i);

/**
 * The claimed signing time (ISO 8601 UTC).
 *
 * The time the signer claims (CMS signingTime, else the PDF's /M; XAdES
 * SigningTime, else a signed SigningTime property), not proven: see
 * lsign_report_sig_timestamp_time(). For a PDF document timestamp, the time
 * of its token.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the time, or NULL (the signature claims none, NULL report, `i`
 *   out of range). Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_signing_time(const lsign_report *r, size_t i);

/**
 * The signer certificate's subject.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the subject, UTF-8, most specific first ("CN=..., O=..., C=VN");
 *   "" when no signer certificate was found; NULL for a NULL report or `i`
 *   out of range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_signer_subject(const lsign_report *r, size_t i);

/**
 * The signer certificate's issuer, written as the subject.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the issuer; "" when no signer certificate was found; NULL for a
 *   NULL report or `i` out of range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_signer_issuer(const lsign_report *r, size_t i);

/**
 * The signer certificate's serial number, in lower-case hex.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the serial; "" when no signer certificate was found; NULL for a
 *   NULL report or `i` out of range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_signer_serial(const lsign_report *r, size_t i);

/**
 * SHA-256 of the signer certificate's DER, in lower-case hex.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return 64 hex digits; "" when no signer certificate was found; NULL for
 *   a NULL report or `i` out of range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_signer_sha256(const lsign_report *r, size_t i);

/**
 * The time of the signature's timestamp (ISO 8601 UTC).
 *
 * The signature timestamp (PAdES, or XAdES SignatureTimeStamp) proves the
 * signature existed at that time when lsign_report_sig_timestamp_status()
 * is "TOTAL-PASSED".
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the time, or NULL (no timestamp, NULL report, `i` out of range).
 *   Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_timestamp_time(const lsign_report *r, size_t i);

/**
 * The subject of the signature timestamp's TSA.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the subject ("?" when the token does not name it), or NULL (no
 *   timestamp, NULL report, `i` out of range). Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_timestamp_tsa(const lsign_report *r, size_t i);

/**
 * The signature timestamp's own status.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return "TOTAL-PASSED" when the token verifies over the signature value,
 *   else "INDETERMINATE"; NULL (no timestamp, NULL report, `i` out of
 *   range). Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_timestamp_status(const lsign_report *r, size_t i);

/**
 * The message digest algorithm.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return OpenSSL's short name of the algorithm, such as "SHA256"; "" when
 *   it was not determined; NULL for a NULL report or `i` out of range.
 *   Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_digest_algorithm(const lsign_report *r, size_t i);

/**
 * The /ByteRange of a PDF signature: offset and length of the two signed parts.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param[out] out receives {offset1, length1, offset2, length2}, in bytes
 *   from the start of the file; left unchanged on failure. Must not be NULL.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG for a NULL report or `out`, `i` out
 *   of range, or a signature without ByteRange (XML signatures, or a PDF
 *   signature whose /ByteRange could not be read).
 *
 * Thread-safe.
 */
LSIGN_EXTERN int lsign_report_sig_byte_range(const lsign_report *r, size_t i, int64_t out[4]);

/**
 * Whether the signature covers the whole file as it is.
 *
 * For a PDF, whether the /ByteRange reaches the end of the file (up to a
 * final end-of-line; 0 when revisions were added after the signature); for XML, whether a reference
 * covers the whole document (URI "" with the enveloped-signature transform).
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return 1 when it does, 0 when not, -1 for a NULL report or `i` out of
 *   range.
 *
 * Thread-safe.
 */
LSIGN_EXTERN int lsign_report_sig_covers_whole_document(const lsign_report *r, size_t i);

/**
 * What later revisions changed.
 *
 * "DISALLOWED" changes fail the signature (as incremental saving, signature
 * wrapping and shadow attacks make). XML signatures always read "NONE".
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return "NONE" (nothing), "ALLOWED" (only what PAdES and DocMDP permit:
 *   later signatures, DSS, form filling...) or "DISALLOWED"; NULL for a
 *   NULL report or `i` out of range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_modifications_verdict(const lsign_report *r, size_t i);

/**
 * Number of described modifications after signature `i`.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the count; 0 for a NULL report or `i` out of range.
 *
 * Thread-safe.
 */
LSIGN_EXTERN size_t lsign_report_sig_modification_count(const lsign_report *r, size_t i);

/**
 * Description of modification `k` of signature `i` (English, technical).
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the modification's index, below lsign_report_sig_modification_count().
 * @return the description, or NULL (NULL report, `i` or `k` out of range).
 *   Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_modification(const lsign_report *r, size_t i, size_t k);

/**
 * Length of the signer's certificate chain.
 *
 * The chain goes from the signer (index 0) to the anchor (last); when it
 * reaches no anchor, it holds the certificates as far as it was built.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the number of certificates; 0 when no chain was built, for a NULL
 *   report or `i` out of range.
 *
 * Thread-safe.
 */
LSIGN_EXTERN size_t lsign_report_sig_chain_length(const lsign_report *r, size_t i);

/**
 * Subject of chain certificate `k`, written as lsign_report_sig_signer_subject().
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the certificate's index, below lsign_report_sig_chain_length().
 * @return the subject, or NULL (NULL report, `i` or `k` out of range). Owned
 *   by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_chain_subject(const lsign_report *r, size_t i, size_t k);

/**
 * SHA-256 of chain certificate `k`'s DER, in lower-case hex.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the certificate's index, below lsign_report_sig_chain_length().
 * @return 64 hex digits, or NULL (NULL report, `i` or `k` out of range).
 *   Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_chain_sha256(const lsign_report *r, size_t i, size_t k);

/**
 * The revocation status of the signer certificate.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return "GOOD", "REVOKED", "UNKNOWN" (no usable evidence found) or
 *   "NOT_CHECKED" (the context's policy is LSIGN_REVOCATION_NONE, or the
 *   check was not reached); NULL for a NULL report or `i` out of range.
 *   Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_revocation_status(const lsign_report *r, size_t i);

/**
 * Where the revocation evidence came from.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return a description such as "OCSP response in the /DSS", "CRL in the
 *   XAdES RevocationValues" or "OCSP (fetched)"; NULL when no evidence was
 *   used, for a NULL report or `i` out of range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_revocation_source(const lsign_report *r, size_t i);

/* What an XML signature covers: one entry per reference of its SignedInfo. */

/**
 * Number of references of XML signature `i`.
 *
 * Read the signed content through lsign_report_sig_covered_content(), never
 * from the document around the signature: those are exactly the bytes whose
 * digest the signature protects.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the count; 0 for a PDF signature (its /ByteRange says what it
 *   covers), a NULL report or `i` out of range.
 *
 * Thread-safe.
 */
LSIGN_EXTERN size_t lsign_report_sig_covered_count(const lsign_report *r, size_t i);

/**
 * Reference `k`'s URI as written.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the reference's index, below lsign_report_sig_covered_count().
 * @return "" (the whole document), "#id", or an external URI; NULL for a
 *   NULL report, `i` or `k` out of range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_covered_uri(const lsign_report *r, size_t i, size_t k);

/**
 * What reference `k` covers.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the reference's index, below lsign_report_sig_covered_count().
 * @return "document" (the whole document but the signature), "element",
 *   "signed-properties" (XAdES), "signature-properties", "object",
 *   "key-info", "signature-value" (a counter-signature's target) or
 *   "external" (a detached file); NULL for a NULL report, `i` or `k` out of
 *   range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_covered_kind(const lsign_report *r, size_t i, size_t k);

/**
 * The position of the element reference `k` covers.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the reference's index, below lsign_report_sig_covered_count().
 * @return a path such as "/HDon[1]/DLHDon[1]" (names as in the document,
 *   1-based positions among same-named siblings); "/" for the whole
 *   document; NULL for external data, a NULL report, `i` or `k` out of
 *   range. Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_covered_path(const lsign_report *r, size_t i, size_t k);

/**
 * The bytes reference `k`'s digest was computed over.
 *
 * These are the canonical XML after the reference's transforms, or the
 * detached file.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the reference's index, below lsign_report_sig_covered_count().
 * @param[out] data receives the bytes (not NUL-terminated; never NULL on
 *   success, even when `*len` is 0), owned by the report and valid until
 *   lsign_report_free(). Must not be NULL.
 * @param[out] len receives their length. Must not be NULL.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG for a NULL report, `data` or `len`,
 *   or `i` or `k` out of range (`*data` and `*len` are then unchanged).
 *
 * Thread-safe.
 */
LSIGN_EXTERN int lsign_report_sig_covered_content(const lsign_report *r, size_t i, size_t k,
                                                  const unsigned char **data, size_t *len);

/**
 * Number of errors of signature `i`: the reasons for a status below TOTAL-PASSED.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the count; 0 for a NULL report or `i` out of range.
 *
 * Thread-safe.
 */
LSIGN_EXTERN size_t lsign_report_sig_error_count(const lsign_report *r, size_t i);

/**
 * Error `k` of signature `i` (English, technical).
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the error's index, below lsign_report_sig_error_count().
 * @return the message, or NULL (NULL report, `i` or `k` out of range).
 *   Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_error(const lsign_report *r, size_t i, size_t k);

/**
 * Number of warnings of signature `i`: findings that do not change its status.
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @return the count; 0 for a NULL report or `i` out of range.
 *
 * Thread-safe.
 */
LSIGN_EXTERN size_t lsign_report_sig_warning_count(const lsign_report *r, size_t i);

/**
 * Warning `k` of signature `i` (English, technical).
 *
 * @param r the report (borrowed); may be NULL.
 * @param i the signature's index, from 0.
 * @param k the warning's index, below lsign_report_sig_warning_count().
 * @return the message, or NULL (NULL report, `i` or `k` out of range).
 *   Owned by the report.
 *
 * Thread-safe.
 */
LSIGN_EXTERN const char *lsign_report_sig_warning(const lsign_report *r, size_t i, size_t k);

/**
 * The report as JSON.
 *
 * UTF-8, not escaped beyond '"', '\\' and control characters, shaped:
 * @verbatim
   {"file", "format", "status", "subindication",
    "signatures": [{"index", "field", "status", "subindication", "level",
      "signer": {"subject", "issuer", "serial", "sha256"}, "signing_time",
      "timestamp": {"time", "tsa", "status"} | null, "digest_algorithm",
      "byte_range": [4 ints] | null, "covers_whole_document",
      "modifications": {"verdict", "details": [...]},
      "chain": [{"subject", "sha256"}],
      "covered": [{"uri", "kind", "path", "length"}],
      "revocation": {"status", "source"}, "errors": [...], "warnings": [...]}]}
   @endverbatim
 * Values are those of the accessors, with null where they return NULL;
 * "index" counts from 0, "covers_whole_document" is a boolean, "length" is
 * the covered content's size in bytes. Keys come in this order; later
 * versions may add keys, never rename them.
 *
 * @param r the report (borrowed). Must not be NULL.
 * @param[out] json receives a NUL-terminated string allocated for the
 *   caller: release it with lsign_free_string(). Set to NULL on failure.
 *   Must not be NULL.
 * @param[out] len receives its length without the NUL (0 on failure); may be
 *   NULL.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG when `r` or `json` is NULL;
 *   LSIGN_E_NOMEM.
 *
 * Thread-safe.
 */
LSIGN_EXTERN int lsign_report_json(const lsign_report *r, char **json, size_t *len);

/**
 * A human-readable summary in the report's language.
 *
 * The language is the context's when the report was made
 * (lsign_ctx_set_language(): Vietnamese by default, with times in Vietnam
 * time, +07:00; English shows UTC): the verdict, and per signature its
 * verdict, signer, times and reasons. Errors and warnings stay English.
 * Built on the first call; later calls return the same string.
 *
 * @param r the report (borrowed); may be NULL.
 * @return the text, owned by the report and valid until lsign_report_free();
 *   NULL only for a NULL report or when out of memory (lsign_last_error()
 *   then says so).
 *
 * Thread-safe: concurrent first calls are serialised by the report's lock.
 */
LSIGN_EXTERN const char *lsign_report_text(const lsign_report *r);

#ifdef __cplusplus
}
#endif

#endif
