/*
 * Internal side of lsign_report: the verifier fills a report through these
 * calls, callers read it through include/libsign/report.h.
 *
 * A report is filled by one thread, then lsi_report_finish() sets the
 * file's status and it is handed out, immutable. Every string argument is
 * copied; invalid UTF-8 in it is replaced by U+FFFD, so everything a report
 * holds is valid UTF-8. Setters return LSIGN_OK, LSIGN_E_INVALID_ARG (a
 * value out of its set) or LSIGN_E_NOMEM.
 *
 * A new signature starts TOTAL-PASSED: every check that cannot conclude
 * must call lsi_report_sig_fail() with INDETERMINATE, or the signature
 * passes by omission.
 */
#ifndef LSI_VALIDATE_REPORT_H
#define LSI_VALIDATE_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "core/error.h"
#include "libsign/report.h"

typedef struct lsign_report lsi_report;
typedef struct lsi_report_sig lsi_report_sig;

/* ETSI EN 319 102-1 main statuses, from best to worst (the order is used). */
typedef enum lsi_status {
    LSI_TOTAL_PASSED = 0,
    LSI_INDETERMINATE = 1,
    LSI_TOTAL_FAILED = 2
} lsi_status;

typedef enum lsi_mods_verdict {
    LSI_MODS_NONE = 0,
    LSI_MODS_ALLOWED = 1,
    LSI_MODS_DISALLOWED = 2
} lsi_mods_verdict;

typedef enum lsi_revocation {
    LSI_REPORT_REV_NOT_CHECKED = 0,
    LSI_REPORT_REV_GOOD = 1,
    LSI_REPORT_REV_REVOKED = 2,
    LSI_REPORT_REV_UNKNOWN = 3
} lsi_revocation;

/* Sub-indications (ETSI EN 319 102-1, clause 5.1.3), spelled once here. TOTAL-FAILED: */
#define LSI_SUB_FORMAT_FAILURE     "FORMAT_FAILURE"
#define LSI_SUB_HASH_FAILURE       "HASH_FAILURE"
#define LSI_SUB_SIG_CRYPTO_FAILURE "SIG_CRYPTO_FAILURE"
#define LSI_SUB_REVOKED            "REVOKED"
#define LSI_SUB_EXPIRED            "EXPIRED"
#define LSI_SUB_NOT_YET_VALID      "NOT_YET_VALID"
/* INDETERMINATE: */
#define LSI_SUB_SIG_CONSTRAINTS_FAILURE           "SIG_CONSTRAINTS_FAILURE"
#define LSI_SUB_CHAIN_CONSTRAINTS_FAILURE         "CHAIN_CONSTRAINTS_FAILURE"
#define LSI_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE "CERTIFICATE_CHAIN_GENERAL_FAILURE"
#define LSI_SUB_CRYPTO_CONSTRAINTS_FAILURE        "CRYPTO_CONSTRAINTS_FAILURE"
#define LSI_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
#define LSI_SUB_POLICY_PROCESSING_ERROR           "POLICY_PROCESSING_ERROR"
#define LSI_SUB_SIGNATURE_POLICY_NOT_AVAILABLE    "SIGNATURE_POLICY_NOT_AVAILABLE"
#define LSI_SUB_TIMESTAMP_ORDER_FAILURE           "TIMESTAMP_ORDER_FAILURE"
#define LSI_SUB_NO_SIGNING_CERTIFICATE_FOUND      "NO_SIGNING_CERTIFICATE_FOUND"
#define LSI_SUB_NO_CERTIFICATE_CHAIN_FOUND        "NO_CERTIFICATE_CHAIN_FOUND"
#define LSI_SUB_REVOKED_NO_POE                    "REVOKED_NO_POE"
#define LSI_SUB_REVOKED_CA_NO_POE                 "REVOKED_CA_NO_POE"
#define LSI_SUB_OUT_OF_BOUNDS_NO_POE              "OUT_OF_BOUNDS_NO_POE"
#define LSI_SUB_OUT_OF_BOUNDS_NOT_REVOKED         "OUT_OF_BOUNDS_NOT_REVOKED"
#define LSI_SUB_NO_POE                            "NO_POE"
#define LSI_SUB_TRY_LATER                         "TRY_LATER"
#define LSI_SUB_SIGNED_DATA_NOT_FOUND             "SIGNED_DATA_NOT_FOUND"
#define LSI_SUB_GENERIC                           "GENERIC"
/* The file's sub-indication when it holds no signature (not ETSI's). */
#define LSI_SUB_NO_SIGNATURE_FOUND "NO_SIGNATURE_FOUND"

/* "TOTAL-PASSED", "INDETERMINATE", "TOTAL-FAILED". */
const char *lsi_status_name(lsi_status status);

/*
 * A new report: `file` (may be NULL: ""), `format` "pdf" or "xml",
 * `language` an lsign_language (lsi_ctx_language()). NULL with the error
 * set on a bad argument or out of memory.
 */
lsi_report *lsi_report_new(const char *file, const char *format, int language);

/* Appends a signature (TOTAL-PASSED, nothing else set); NULL when out of memory. */
lsi_report_sig *lsi_report_add_signature(lsi_report *r);

/*
 * Records an error (printf format, English) and lowers the signature's
 * status to `status` if that is worse than the current one, taking
 * `subindication` (may be NULL) with it. The first reason of the worst
 * status gives the sub-indication. LSIGN_OK or LSIGN_E_NOMEM; the status is
 * lowered even when the message cannot be stored.
 */
int lsi_report_sig_fail(lsi_report_sig *sig, lsi_status status, const char *subindication,
                        const char *fmt, ...) LSI_PRINTF(4, 5);

/* Records a warning, which leaves the status alone. */
int lsi_report_sig_warn(lsi_report_sig *sig, const char *fmt, ...) LSI_PRINTF(2, 3);

/* The signature's current status (for the verifier's own decisions). */
lsi_status lsi_report_sig_status(const lsi_report_sig *sig);

int lsi_report_sig_set_field(lsi_report_sig *sig, const char *field);
/* "B-B", "B-T", "B-LT" or "B-LTA" (NULL clears). */
int lsi_report_sig_set_level(lsi_report_sig *sig, const char *level);
int lsi_report_sig_set_signing_time(lsi_report_sig *sig, time_t t);
int lsi_report_sig_set_signer(lsi_report_sig *sig, const char *subject, const char *issuer,
                              const char *serial_hex, const char *sha256_hex);
/* The same from the certificate: UTF-8 names, hex serial, SHA-256 of the DER. */
int lsi_report_sig_set_signer_cert(lsi_report_sig *sig, X509 *cert);
int lsi_report_sig_set_timestamp(lsi_report_sig *sig, time_t t, const char *tsa, lsi_status status);
int lsi_report_sig_set_digest_algorithm(lsi_report_sig *sig, const char *name);
int lsi_report_sig_set_byte_range(lsi_report_sig *sig, const int64_t br[4]);
int lsi_report_sig_set_covers_whole_document(lsi_report_sig *sig, int covers);
int lsi_report_sig_set_modifications(lsi_report_sig *sig, lsi_mods_verdict verdict);
int lsi_report_sig_add_modification(lsi_report_sig *sig, const char *fmt, ...) LSI_PRINTF(2, 3);
/* Appends to the chain, signer first. */
int lsi_report_sig_add_chain(lsi_report_sig *sig, const char *subject, const char *sha256_hex);
int lsi_report_sig_add_chain_cert(lsi_report_sig *sig, X509 *cert);
/*
 * Appends what one reference of an XML signature covers: its URI, a kind
 * ("document", "element", "signed-properties", "signature-properties",
 * "object", "key-info", "signature-value", "external"), the element's path
 * (NULL for external data) and the bytes its digest was computed over.
 */
int lsi_report_sig_add_covered(lsi_report_sig *sig, const char *uri, const char *kind,
                               const char *path, const unsigned char *content, size_t len);
int lsi_report_sig_set_revocation(lsi_report_sig *sig, lsi_revocation status, const char *source);

/*
 * Sets the file's status: the worst of its signatures, with the
 * sub-indication of the first signature having it; TOTAL-FAILED and
 * NO_SIGNATURE_FOUND without signatures. Call it again after changes.
 */
void lsi_report_finish(lsi_report *r);

/* Finishes *r and hands it to the caller's *out; *r becomes NULL. */
void lsi_report_hand_over(lsi_report **r, lsign_report **out);

#endif
