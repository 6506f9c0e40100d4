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
 *
 * Outputs: the input is never changed, and a failure leaves no partial
 * output: a path output's target is untouched (the temporary file written
 * beside it is removed), a descriptor output on a regular file is cut back
 * to the position where writing started, a pipe receives nothing, a memory
 * output keeps its previous result. On success a path output is flushed to
 * disk and renamed over its target.
 *
 * Thread safety: signing and extending are thread-safe with distinct input
 * and output handles; one context, signer or appearance may serve any
 * number of concurrent calls.
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

/**
 * Certification (DocMDP) levels: what may change after the signature;
 * values are part of the ABI.
 */
typedef enum lsign_pdf_certify {
    LSIGN_CERTIFY_NONE = 0,         /**< an approval signature, not a certification */
    LSIGN_CERTIFY_NO_CHANGES = 1,   /**< /P 1: nothing, not even another signature */
    LSIGN_CERTIFY_FORM_FILLING = 2, /**< /P 2: filling in forms and signing */
    LSIGN_CERTIFY_ANNOTATIONS = 3   /**< /P 3: as 2, plus annotations */
} lsign_pdf_certify;

/** Field locking (FieldMDP): which form fields the signature locks; values are part of the ABI. */
typedef enum lsign_pdf_lock {
    LSIGN_LOCK_NONE = 0,    /**< no field */
    LSIGN_LOCK_ALL = 1,     /**< every field */
    LSIGN_LOCK_INCLUDE = 2, /**< the fields named in lock_fields */
    LSIGN_LOCK_EXCLUDE = 3  /**< every field except those named in lock_fields */
} lsign_pdf_lock;

/** Current version of lsign_pdf_sign_options, for its `version` member. */
#define LSIGN_PDF_SIGN_OPTIONS_VERSION 1

/**
 * Options of lsign_pdf_sign(), a versioned struct: initialise it with
 * LSIGN_PDF_SIGN_OPTIONS_INIT or lsign_pdf_sign_options_init(), then change
 * fields. Read during the call only: the strings, names and appearance it
 * points to stay the caller's and may be freed after the call. Every member
 * exists since version 1.
 */
typedef struct lsign_pdf_sign_options {
    unsigned int version; /**< LSIGN_PDF_SIGN_OPTIONS_VERSION (1 to the library's) */
    /**
     * An lsign_pades_level (B-B). B-T and up need the context's TSA; B-LT
     * and up fetch the signer's revocation data (network, the context's
     * trust anchors).
     */
    int level;
    int digest;           /**< an lsign_digest (SHA-256): of the document and in the signature */
    int scheme;           /**< an lsign_scheme (AUTO: PKCS#1 v1.5 for RSA, ECDSA for EC) */
    int subfilter;        /**< an lsign_pdf_subfilter (CAdES) */
    const char *reason;   /**< /Reason, why it is signed, UTF-8; NULL: left out */
    const char *location; /**< /Location, where it is signed, UTF-8; NULL: left out */
    const char *contact_info; /**< /ContactInfo, how to reach the signer, UTF-8; NULL: left out */
    /**
     * /Name, the signer's name as claimed (not checked against the
     * certificate), UTF-8; NULL: left out.
     */
    const char *name;
    /**
     * The signature field: an existing, unsigned signature field of that
     * fully qualified name is filled; otherwise a new field of that name is
     * made (without '.', at most 255 bytes). NULL: a new field "Signature1"
     * (or the first free number).
     */
    const char *field_name;
    /** An lsign_pdf_certify (NONE). A certification must be the first signature. */
    int certify;
    int lock; /**< an lsign_pdf_lock (NONE) */
    /**
     * Fully qualified names (UTF-8) of the fields for LOCK_INCLUDE /
     * LOCK_EXCLUDE: lock_field_count entries, none NULL. Ignored otherwise.
     */
    const char *const *lock_fields;
    size_t lock_field_count; /**< entries in lock_fields; at least 1 for INCLUDE / EXCLUDE */
    int include_root;        /**< non-zero: embed the root certificate too */
    /**
     * The claimed signing time, seconds since 1970 (UTC); 0: now. Written
     * as /M in the process's local time zone, shown by the appearance's
     * "time", and with LSIGN_SUBFILTER_PKCS7 the CMS signing-time.
     */
    int64_t signing_time;
    /**
     * Bytes of DER kept in the file for the signature (CMS), at most 16 MiB;
     * 0: computed from the key, the chain and the level. Too small fails.
     */
    size_t reserved_size;
    /**
     * NULL: an invisible signature. Else the visible signature's look (see
     * libsign/appearance.h); only for a new field.
     */
    const lsign_appearance *appearance;
} lsign_pdf_sign_options;

/**
 * Static initialiser of lsign_pdf_sign_options: the current version and the
 * defaults (B-B, SHA-256, automatic scheme, CAdES, no texts, a new field,
 * no certification or lock, computed size, invisible).
 */
#define LSIGN_PDF_SIGN_OPTIONS_INIT                                                                \
    {                                                                                              \
        LSIGN_PDF_SIGN_OPTIONS_VERSION, LSIGN_PADES_B_B, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO,   \
            LSIGN_SUBFILTER_CADES, NULL, NULL, NULL, NULL, NULL, LSIGN_CERTIFY_NONE,               \
            LSIGN_LOCK_NONE, NULL, 0, 0, 0, 0, NULL                                                \
    }

/**
 * Initialise `opts` to the defaults of options version `version` (the same
 * as LSIGN_PDF_SIGN_OPTIONS_INIT). Thread-safe.
 * @param[out] opts the options to fill; not NULL. Unchanged on failure.
 * @param version LSIGN_PDF_SIGN_OPTIONS_VERSION (1 to the current version).
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG for a NULL `opts` or a version
 *         that is 0 or newer than this library knows.
 */
LSIGN_EXTERN int lsign_pdf_sign_options_init(lsign_pdf_sign_options *opts, unsigned int version);

/**
 * Sign a PDF: write the input with one more signature, as an incremental
 * update, to the output. At B-LT and up the signature's validation data
 * (and at B-LTA a document timestamp) follow in further revisions, as
 * lsign_pdf_extend() adds them. See the file description for what happens
 * to the output on failure, and for thread safety.
 * @param ctx the context, or NULL for the default limits (B-B only: B-T and
 *        up need its TSA, B-LT and up its trust anchors and network
 *        settings). Gives the limits against hostile input and receives log
 *        messages.
 * @param signer the key that signs; not NULL. The caller keeps it.
 * @param input the PDF; not NULL. Only read; the caller keeps it.
 * @param output where the signed PDF goes; not NULL, not the input file.
 *        The caller keeps it; read a memory output with
 *        lsign_output_memory().
 * @param opts the options, or NULL for the defaults; read during the call
 *        only.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (a NULL signer, input or output;
 *   the output is the input file; an unknown options version or value;
 *   invalid UTF-8 in a text; a field name that is empty, names a field that
 *   is not a signature field, or is not allowed for a new field;
 *   LOCK_INCLUDE / LOCK_EXCLUDE without names; a reserved_size over 16 MiB
 *   or too small; B-T and up without a TSA in `ctx`; an appearance's page
 *   or anchor text not found), LSIGN_E_PARSE (not a PDF, no pages, or
 *   damaged), LSIGN_E_UNSUPPORTED (encrypted; an appearance for an existing
 *   field; a character the appearance's font lacks; B-LT and up: a
 *   certificate without an OCSP or CRL address), LSIGN_E_NETWORK (B-T and
 *   up: the TSA, OCSP or CRL server failed, or `ctx` is offline; the
 *   message names the URL), LSIGN_E_POLICY (forbidden by an earlier
 *   signature's permissions; the field is already signed; certification of
 *   a document that is already signed; B-T and up: the TSA's certificate is
 *   not trusted by `ctx`; B-LT and up: the signer's chain reaches no trust
 *   anchor of `ctx`, or holds a revoked certificate (allowed if the signer
 *   was opened with allow_invalid_cert)), LSIGN_E_LIMIT (a limit of `ctx`;
 *   the signature outgrew reserved_size), LSIGN_E_IO (writing the output,
 *   reading the appearance's font), LSIGN_E_CRYPTO (the signing operation
 *   failed; a TSA, OCSP or CRL reply that does not verify), LSIGN_E_NOMEM,
 *   and the signer's other errors (LSIGN_E_TOKEN, LSIGN_E_PIN, LSIGN_E_KEY).
 */
LSIGN_EXTERN int lsign_pdf_sign(const lsign_ctx *ctx, lsign_signer *signer,
                                const lsign_input *input, lsign_output *output,
                                const lsign_pdf_sign_options *opts);

/** Current version of lsign_pdf_extend_options, for its `version` member. */
#define LSIGN_PDF_EXTEND_OPTIONS_VERSION 1

/**
 * Options of lsign_pdf_extend(), a versioned struct: initialise it with
 * LSIGN_PDF_EXTEND_OPTIONS_INIT or lsign_pdf_extend_options_init(), then
 * change fields. Read during the call only. Every member exists since
 * version 1.
 */
typedef struct lsign_pdf_extend_options {
    unsigned int version; /**< LSIGN_PDF_EXTEND_OPTIONS_VERSION (1 to the library's) */
    /**
     * An lsign_pades_level, what to add (default B-LTA): LSIGN_PADES_B_T a
     * document timestamp; B_LT validation data (/DSS) for every signature
     * and timestamp; B_LTA both, the timestamp last. B_B is refused.
     * Extending a B-LTA document again before its last timestamp expires
     * keeps it verifiable (re-timestamping).
     */
    int level;
    int digest;        /**< an lsign_digest, of the document timestamp (SHA-256) */
    int allow_revoked; /**< non-zero: embed evidence even for a revoked certificate */
} lsign_pdf_extend_options;

/**
 * Static initialiser of lsign_pdf_extend_options: the current version, B-LTA,
 * SHA-256, revoked certificates refused.
 */
#define LSIGN_PDF_EXTEND_OPTIONS_INIT                                                              \
    {                                                                                              \
        LSIGN_PDF_EXTEND_OPTIONS_VERSION, LSIGN_PADES_B_LTA, LSIGN_DIGEST_SHA256, 0                \
    }

/**
 * Initialise `opts` to the defaults of options version `version` (the same
 * as LSIGN_PDF_EXTEND_OPTIONS_INIT). Thread-safe.
 * @param[out] opts the options to fill; not NULL. Unchanged on failure.
 * @param version LSIGN_PDF_EXTEND_OPTIONS_VERSION (1 to the current version).
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG for a NULL `opts` or a version
 *         that is 0 or newer than this library knows.
 */
LSIGN_EXTERN int lsign_pdf_extend_options_init(lsign_pdf_extend_options *opts,
                                               unsigned int version);

/**
 * Raise the level of the signatures of a signed PDF by appending revisions
 * (as the options' level says): a /DSS with the validation data of every signature and timestamp
 * (their chains, OCSP responses and CRLs, fetched from the addresses in the certificates), then a
 * document timestamp. Earlier signatures are not touched and stay valid. The TSA is the context's
 * (lsign_ctx_set_tsa()). See the file description for what happens to the output on failure, and
 * for thread safety.
 * @param ctx the context; not NULL. Its TSA, trust anchors (which the
 *        chains must reach), network settings and limits are used.
 * @param input the signed PDF; not NULL. Only read; the caller keeps it.
 * @param output where the extended PDF goes; not NULL, not the input file.
 *        The caller keeps it.
 * @param opts the options, or NULL for the defaults (B-LTA, SHA-256); read
 *        during the call only.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (a NULL input or output; the output
 *   is the input file; an unknown options version, level or digest; no
 *   signature (B-LT, B-LTA); no TSA in `ctx` (B-T, B-LTA)), LSIGN_E_PARSE
 *   (not a PDF, damaged, a signature that is not a CMS or lacks its
 *   signer's certificate), LSIGN_E_UNSUPPORTED (encrypted; a certificate
 *   without an OCSP or CRL address), LSIGN_E_NETWORK (TSA, OCSP or CRL
 *   unreachable or answering garbage, or `ctx` offline: the message names
 *   the URL), LSIGN_E_POLICY (a revoked certificate, unless allow_revoked;
 *   a chain that reaches no trust anchor of `ctx`; a TSA certificate it
 *   does not trust), LSIGN_E_CRYPTO (a response that does not verify),
 *   LSIGN_E_LIMIT, LSIGN_E_IO, LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_pdf_extend(const lsign_ctx *ctx, const lsign_input *input,
                                  lsign_output *output, const lsign_pdf_extend_options *opts);

#ifdef __cplusplus
}
#endif

#endif
