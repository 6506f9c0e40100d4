/**
 * @file
 * libsign: signing PDF documents (PAdES, ETSI EN 319 142-1).
 *
 * A signature is added as an incremental update: the input's bytes are an
 * exact prefix of the output, so earlier signatures stay valid. The update
 * holds the signature dictionary, its field and widget (invisible unless an
 * appearance is given), and the changed /AcroForm, page and catalog objects.
 * The document is hashed in one streaming pass while it is copied and the
 * signature is written into its reserved place: a 1 GB file is neither read
 * twice nor held in memory.
 *
 * The signed attributes follow PAdES baseline B-B: content-type,
 * message-digest and ESS signing-certificate-v2, no signing-time (the
 * claimed time is the dictionary's /M). The certificates embedded are the
 * signer's and its chain, without the root unless include_root is set.
 *
 * Permissions of earlier signatures are honoured: a document certified with
 * "no changes" (DocMDP /P 1), or a field locked by an earlier signature,
 * makes signing fail with LSIGN_E_POLICY and a message saying which
 * signature forbids it. A damaged file (whose cross-reference had to be
 * rebuilt) is refused with LSIGN_E_PARSE: readers would disagree on what was
 * signed. Encrypted files are LSIGN_E_UNSUPPORTED.
 */
#ifndef LIBSIGN_PDF_H
#define LIBSIGN_PDF_H

#include <stddef.h>

#include "libsign/appearance.h"
#include "libsign/common.h"
#include "libsign/context.h"
#include "libsign/io.h"
#include "libsign/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** PAdES baseline levels; values are part of the ABI. */
typedef enum lsign_pades_level {
    LSIGN_PADES_B_B = 1,  /**< signature only */
    LSIGN_PADES_B_T = 2,  /**< plus a timestamp from the context's TSA */
    LSIGN_PADES_B_LT = 3, /**< plus certificates, OCSP responses and CRLs in a /DSS */
    LSIGN_PADES_B_LTA = 4 /**< plus a document timestamp over all of it */
} lsign_pades_level;

/** /SubFilter of the signature; values are part of the ABI. */
typedef enum lsign_pdf_subfilter {
    LSIGN_SUBFILTER_CADES = 0, /**< /ETSI.CAdES.detached (PAdES) */
    LSIGN_SUBFILTER_PKCS7 = 1  /**< /adbe.pkcs7.detached (older readers; adds signing-time) */
} lsign_pdf_subfilter;

/** Certification (DocMDP) levels: what may change after the signature. */
typedef enum lsign_pdf_certify {
    LSIGN_CERTIFY_NONE = 0,         /**< an approval signature, not a certification */
    LSIGN_CERTIFY_NO_CHANGES = 1,   /**< /P 1: nothing, not even another signature */
    LSIGN_CERTIFY_FORM_FILLING = 2, /**< /P 2: filling in forms and signing */
    LSIGN_CERTIFY_ANNOTATIONS = 3   /**< /P 3: as 2, plus annotations */
} lsign_pdf_certify;

/** Field locking (FieldMDP): which form fields the signature locks. */
typedef enum lsign_pdf_lock {
    LSIGN_LOCK_NONE = 0,
    LSIGN_LOCK_ALL = 1,     /**< every field */
    LSIGN_LOCK_INCLUDE = 2, /**< the fields named in lock_fields */
    LSIGN_LOCK_EXCLUDE = 3  /**< every field except those named in lock_fields */
} lsign_pdf_lock;

#define LSIGN_PDF_SIGN_OPTIONS_VERSION 1

typedef struct lsign_pdf_sign_options {
    unsigned int version; /**< LSIGN_PDF_SIGN_OPTIONS_VERSION */
    int level;            /**< an lsign_pades_level (B-B) */
    int digest;           /**< an lsign_digest (SHA-256) */
    int scheme;           /**< an lsign_scheme (AUTO: PKCS#1 v1.5 for RSA, ECDSA for EC) */
    int subfilter;        /**< an lsign_pdf_subfilter (CAdES) */
    /* Optional UTF-8 texts of the signature dictionary (NULL: left out). */
    const char *reason;
    const char *location;
    const char *contact_info;
    const char *name;
    /**
     * The signature field: an existing, unsigned signature field of that
     * fully qualified name is filled; otherwise a new field of that name is
     * made. NULL: a new field "Signature1" (or the first free number).
     */
    const char *field_name;
    int certify;                    /**< an lsign_pdf_certify (NONE) */
    int lock;                       /**< an lsign_pdf_lock (NONE) */
    const char *const *lock_fields; /**< names for LOCK_INCLUDE / LOCK_EXCLUDE */
    size_t lock_field_count;
    int include_root;                   /**< non-zero: embed the root certificate too */
    int64_t signing_time;               /**< the /M time, seconds since 1970; 0: now */
    size_t reserved_size;               /**< bytes kept for the CMS; 0: computed */
    const lsign_appearance *appearance; /**< NULL: invisible; see libsign/appearance.h */
} lsign_pdf_sign_options;

#define LSIGN_PDF_SIGN_OPTIONS_INIT                                                                \
    {                                                                                              \
        LSIGN_PDF_SIGN_OPTIONS_VERSION, LSIGN_PADES_B_B, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO,   \
            LSIGN_SUBFILTER_CADES, NULL, NULL, NULL, NULL, NULL, LSIGN_CERTIFY_NONE,               \
            LSIGN_LOCK_NONE, NULL, 0, 0, 0, 0, NULL                                                \
    }

/** Initialise `opts` to the defaults of options version `version`. */
LSIGN_EXTERN int lsign_pdf_sign_options_init(lsign_pdf_sign_options *opts, unsigned int version);

/**
 * Sign the PDF `input` with `signer`, writing the signed document to
 * `output`. `ctx` (may be NULL) gives the limits against hostile input and
 * receives log messages; `opts` may be NULL for the defaults.
 * On failure nothing is written: a path output is untouched.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (options, a field name that is not
 *   a signature field, a reserved_size too small, an appearance's page or
 *   anchor text not found), LSIGN_E_PARSE (not a PDF, or damaged),
 *   LSIGN_E_UNSUPPORTED (encrypted; an appearance for an existing field; a
 *   character the appearance's font lacks), LSIGN_E_NETWORK (B-T and up: the
 *   TSA, OCSP or CRL server failed; the message names the URL),
 *   LSIGN_E_POLICY (forbidden by an earlier signature's permissions; the
 *   field is already signed; certification of a document that is already
 *   signed; at B-LT and up, the signer's certificate is revoked, unless the
 *   signer was opened with allow_invalid_cert), LSIGN_E_LIMIT, LSIGN_E_IO,
 *   and the signer's errors (LSIGN_E_TOKEN, LSIGN_E_PIN, LSIGN_E_CRYPTO).
 */
LSIGN_EXTERN int lsign_pdf_sign(lsign_ctx *ctx, lsign_signer *signer, lsign_input *input,
                                lsign_output *output, const lsign_pdf_sign_options *opts);

#define LSIGN_PDF_EXTEND_OPTIONS_VERSION 1

typedef struct lsign_pdf_extend_options {
    unsigned int version; /**< LSIGN_PDF_EXTEND_OPTIONS_VERSION */
    /**
     * What to add: LSIGN_PADES_B_T a document timestamp; B_LT validation
     * data (/DSS) for every signature and timestamp; B_LTA both, the
     * timestamp last. Extending a B-LTA document again before its last
     * timestamp expires keeps it verifiable (re-timestamping).
     */
    int level;
    int digest;        /**< of the document timestamp (SHA-256) */
    int allow_revoked; /**< non-zero: embed evidence even for a revoked certificate */
} lsign_pdf_extend_options;

#define LSIGN_PDF_EXTEND_OPTIONS_INIT                                                              \
    {                                                                                              \
        LSIGN_PDF_EXTEND_OPTIONS_VERSION, LSIGN_PADES_B_LTA, LSIGN_DIGEST_SHA256, 0                \
    }

/** Initialise `opts` to the defaults of options version `version`. */
LSIGN_EXTERN int lsign_pdf_extend_options_init(lsign_pdf_extend_options *opts,
                                               unsigned int version);

/**
 * Raise the level of the signatures of a signed PDF by appending revisions:
 * a /DSS with the validation data of every signature and timestamp (their
 * chains, OCSP responses and CRLs, fetched from the addresses in the
 * certificates), then a document timestamp. Earlier signatures are not
 * touched and stay valid. The TSA is the context's (lsign_ctx_set_tsa).
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (options, no signature, no TSA),
 *   LSIGN_E_PARSE, LSIGN_E_NETWORK (TSA, OCSP or CRL unreachable or
 *   answering garbage: the message names the URL), LSIGN_E_POLICY (a
 *   revoked certificate), LSIGN_E_CRYPTO (a response that does not verify).
 *   On failure nothing is written.
 */
LSIGN_EXTERN int lsign_pdf_extend(lsign_ctx *ctx, lsign_input *input, lsign_output *output,
                                  const lsign_pdf_extend_options *opts);

#ifdef __cplusplus
}
#endif

#endif
