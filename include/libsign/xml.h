/**
 * @file
 * libsign: signing and verifying XML documents (XMLDSig, XAdES baseline,
 * ETSI EN 319 132-1), with profiles for the formats in use in Vietnam.
 *
 * Documents are parsed without DTDs: a DOCTYPE is refused (no external
 * entity, no entity expansion), and the context's limits bound the size
 * (max_stream_bytes), element depth (max_depth) and node count
 * (max_objects). The output is the input document with the ds:Signature
 * added; the rest of the document keeps its bytes' meaning (whitespace and
 * comments are kept, the XML declaration is rewritten as UTF-8).
 *
 * Verification is wrapping-safe: each signature's report lists exactly
 * what it covers (lsign_report_sig_covered_*() in libsign/report.h), with
 * the canonical bytes its digest was computed over, so a service reads the
 * signed content from there and never from the unsigned document around it.
 *
 * Outputs: as for PDF signing, the input is never changed and a failed
 * lsign_xml_sign() leaves no partial output (a path's target untouched, a
 * descriptor cut back to where writing started, a pipe given nothing, a
 * memory output's previous result kept).
 *
 * Thread safety: signing and verifying are thread-safe with distinct input
 * and output handles; one context or signer may serve any number of
 * concurrent calls.
 */
#ifndef LIBSIGN_XML_H
#define LIBSIGN_XML_H

#include <stddef.h>
#include <stdint.h>

#include "libsign/common.h"
#include "libsign/context.h"
#include "libsign/io.h"
#include "libsign/report.h"
#include "libsign/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Signing profiles; values are part of the ABI. */
typedef enum lsign_xml_profile {
    /** XAdES baseline (B-B, B-T, B-LT): XMLDSig plus signed qualifying properties. */
    LSIGN_XML_PROFILE_XADES = 0,
    /** edXML (QCVN 102:2016) envelopes: enveloped XMLDSig, exclusive C14N, over the document. */
    LSIGN_XML_PROFILE_EDXML = 1,
    /**
     * E-invoices (Decision 1450/QĐ-TCT): enveloped XMLDSig, C14N 1.0,
     * RSA-SHA256; one reference to the data element by Id (reference_id,
     * default "data") and one to an Object/SignatureProperties/
     * SignatureProperty/SigningTime; KeyInfo with X509SubjectName and
     * X509Certificate; the signature in the element given by parent_xpath.
     */
    LSIGN_XML_PROFILE_EINVOICE = 2
} lsign_xml_profile;

/** Where the signature goes relative to what it signs; values are part of the ABI. */
typedef enum lsign_xml_placement {
    LSIGN_XML_ENVELOPED = 0,  /**< inside the signed document (default) */
    LSIGN_XML_ENVELOPING = 1, /**< the document goes inside the signature's ds:Object */
    LSIGN_XML_DETACHED = 2    /**< the signature references the input as an external file */
} lsign_xml_placement;

/** Canonicalization of SignedInfo and of enveloped references; values are part of the ABI. */
typedef enum lsign_xml_c14n {
    LSIGN_XML_C14N_DEFAULT = 0,   /**< the profile's: exclusive, except einvoice (1.0) */
    LSIGN_XML_C14N_EXCLUSIVE = 1, /**< Exclusive XML Canonicalization 1.0, without comments */
    LSIGN_XML_C14N_1_0 = 2,       /**< Canonical XML 1.0, without comments */
    LSIGN_XML_C14N_1_1 = 3        /**< Canonical XML 1.1, without comments */
} lsign_xml_c14n;

/** XAdES baseline levels; values are part of the ABI. */
typedef enum lsign_xades_level {
    LSIGN_XADES_B_B = 1, /**< signature and signed properties */
    LSIGN_XADES_B_T = 2, /**< plus a SignatureTimeStamp from the context's TSA */
    LSIGN_XADES_B_LT = 3 /**< plus CertificateValues and RevocationValues */
} lsign_xades_level;

/** Current version of lsign_xml_sign_options, for its `version` member. */
#define LSIGN_XML_SIGN_OPTIONS_VERSION 1

/**
 * Options of lsign_xml_sign(), a versioned struct: initialise it with
 * LSIGN_XML_SIGN_OPTIONS_INIT or lsign_xml_sign_options_init(), then change
 * fields. Read during the call only: the strings and bytes it points to
 * stay the caller's and may be freed after the call. Every member exists
 * since version 1.
 */
typedef struct lsign_xml_sign_options {
    unsigned int version; /**< LSIGN_XML_SIGN_OPTIONS_VERSION (1 to the library's) */
    int profile;          /**< an lsign_xml_profile (XADES) */
    int placement;        /**< an lsign_xml_placement (ENVELOPED); edxml/einvoice: enveloped only */
    int c14n;             /**< an lsign_xml_c14n (DEFAULT) */
    int digest;           /**< an lsign_digest (SHA-256), of references and of the signature */
    int scheme;           /**< an lsign_scheme (AUTO: PKCS#1 v1.5 for RSA, ECDSA for EC) */
    /**
     * An lsign_xades_level (B-B); XAdES only, the other profiles are B-B.
     * B-T needs the context's TSA; B-LT also fetches revocation data
     * (network, the context's trust anchors).
     */
    int level;
    /**
     * Enveloped: an XPath 1.0 expression selecting exactly one element, the
     * parent of the new ds:Signature (prefixes: those declared on the
     * document element, and ds). NULL: the document element.
     */
    const char *parent_xpath;
    /**
     * Enveloped: the Id of the element to sign (a same-document reference
     * "#id"). NULL: the whole document (URI "" with the enveloped-signature
     * transform); einvoice: "data".
     */
    const char *reference_id;
    /**
     * Detached (required there): the URI written in the reference to the
     * signed data (the input, any bytes, digested as they are); the output
     * is then a document holding only the ds:Signature.
     */
    const char *detached_uri;
    /**
     * The signed data's MIME type (XAdES DataObjectFormat); NULL: "text/xml",
     * or "application/octet-stream" when detached.
     */
    const char *mime_type;
    /**
     * The ds:Signature Id, 1 to 79 bytes, not already in the document; the
     * Ids of the signature's parts derive from it ("<id>-value", ...). NULL:
     * "sig-" and 16 random hex digits.
     */
    const char *signature_id;
    /**
     * XAdES SignaturePolicyIdentifier: the policy's identifier (a URI or
     * "urn:oid:..."); needs policy_sha256. NULL: no policy (implied).
     */
    const char *policy_id;
    /** The SHA-256 of the policy document, 32 bytes; required with policy_id. */
    const unsigned char *policy_sha256;
    /** XAdES SignerRoleV2 ClaimedRole (UTF-8), e.g. "Chủ tịch UBND xã"; NULL: none. */
    const char *signer_role;
    /**
     * The Id of an existing XAdES ds:Signature to counter-sign: the new
     * signature goes into its UnsignedSignatureProperties/CounterSignature
     * and signs its SignatureValue (Type CountersignedSignature). XAdES,
     * enveloped only. NULL: none.
     */
    const char *countersign_id;
    int include_root;     /**< non-zero: put the root certificate in KeyInfo too */
    int64_t signing_time; /**< the claimed signing time, seconds since 1970 (UTC); 0: now */
} lsign_xml_sign_options;

/**
 * Static initialiser of lsign_xml_sign_options: the current version and the
 * defaults (XAdES B-B, enveloped over the whole document, the profile's
 * canonicalization, SHA-256, automatic scheme, no policy, role or
 * counter-signature).
 */
#define LSIGN_XML_SIGN_OPTIONS_INIT                                                                \
    {                                                                                              \
        LSIGN_XML_SIGN_OPTIONS_VERSION, LSIGN_XML_PROFILE_XADES, LSIGN_XML_ENVELOPED,              \
            LSIGN_XML_C14N_DEFAULT, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO, LSIGN_XADES_B_B, NULL, \
            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0                                   \
    }

/**
 * Initialise `opts` to the defaults of options version `version` (the same
 * as LSIGN_XML_SIGN_OPTIONS_INIT). Thread-safe.
 * @param[out] opts the options to fill; not NULL. Unchanged on failure.
 * @param version LSIGN_XML_SIGN_OPTIONS_VERSION (1 to the current version).
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG for a NULL `opts` or a version
 *         that is 0 or newer than this library knows.
 */
LSIGN_EXTERN int lsign_xml_sign_options_init(lsign_xml_sign_options *opts, unsigned int version);

/**
 * Sign an XML document (or, detached, any bytes) and write the signed
 * document to the output. See the file description for what happens to the
 * output on failure, and for thread safety.
 * @param ctx the context, or NULL for the default limits (B-B only: B-T
 *        needs its TSA, B-LT its trust anchors and network settings). Gives
 *        the limits against hostile input and receives log messages.
 * @param signer the key that signs; not NULL. The caller keeps it.
 * @param input the document; not NULL. Only read; the caller keeps it.
 * @param output where the signed document goes; not NULL, not the input
 *        file. The caller keeps it; read a memory output with
 *        lsign_output_memory().
 * @param opts the options, or NULL for the defaults; read during the call
 *        only.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (a NULL signer, input or output;
 *   the output is the input file; an unknown options version or value; a
 *   detached signature without detached_uri; policy_id without
 *   policy_sha256; an empty or too long signature_id; a scheme the key
 *   cannot use; an XPath that selects no or several elements; a
 *   reference_id or countersign_id not found; B-T without a TSA in `ctx`),
 *   LSIGN_E_PARSE (not well-formed XML, a DTD, a duplicate Id),
 *   LSIGN_E_UNSUPPORTED (a combination the profile does not have: edxml or
 *   einvoice other than enveloped B-B, einvoice other than RSA-SHA256, a
 *   counter-signature that is not XAdES enveloped or of a signature that is
 *   not XAdES; B-LT: a certificate without an OCSP or CRL address),
 *   LSIGN_E_NETWORK (the TSA, OCSP or CRL server failed, or `ctx` is
 *   offline), LSIGN_E_POLICY (B-T: the TSA's certificate is not trusted by
 *   `ctx`; B-LT: the signer's chain reaches no trust anchor of `ctx`, or
 *   holds a revoked certificate (allowed if the signer was opened with
 *   allow_invalid_cert)), LSIGN_E_LIMIT (a limit of `ctx`), LSIGN_E_IO
 *   (writing the output), LSIGN_E_CRYPTO (the signing operation failed; a
 *   TSA, OCSP or CRL reply that does not verify), LSIGN_E_NOMEM, and the
 *   signer's other errors (LSIGN_E_TOKEN, LSIGN_E_PIN, LSIGN_E_KEY).
 */
LSIGN_EXTERN int lsign_xml_sign(const lsign_ctx *ctx, lsign_signer *signer,
                                const lsign_input *input, lsign_output *output,
                                const lsign_xml_sign_options *opts);

/** Current version of lsign_xml_verify_options, for its `version` member. */
#define LSIGN_XML_VERIFY_OPTIONS_VERSION 1

/**
 * Options of lsign_xml_verify(), a versioned struct: initialise it with
 * LSIGN_XML_VERIFY_OPTIONS_INIT or lsign_xml_verify_options_init(), then
 * change fields. Read during the call only. Every member exists since
 * version 1.
 */
typedef struct lsign_xml_verify_options {
    unsigned int version; /**< LSIGN_XML_VERIFY_OPTIONS_VERSION (1 to the library's) */
    /**
     * Non-zero: accept same-document references to elements anywhere. Zero
     * (the default) accepts only the document element, the signature's
     * ancestors and their children, and the signature's own properties,
     * KeyInfo and (for an enveloping signature) Objects: a signed element
     * found elsewhere, or beside an unsigned element of the same name, is
     * the mark of signature wrapping and fails the signature.
     */
    int allow_any_element_reference;
    /**
     * A detached signature's external reference: the URI it must carry to
     * be resolved with detached_data. NULL: none (an external reference
     * then fails its signature).
     */
    const char *detached_uri;
    /**
     * The content behind detached_uri; NULL: none. Only read; the caller
     * keeps it.
     */
    const lsign_input *detached_data;
} lsign_xml_verify_options;

/**
 * Static initialiser of lsign_xml_verify_options: the current version,
 * wrapping checks on, no detached content.
 */
#define LSIGN_XML_VERIFY_OPTIONS_INIT                                                              \
    {                                                                                              \
        LSIGN_XML_VERIFY_OPTIONS_VERSION, 0, NULL, NULL                                            \
    }

/**
 * Initialise `opts` to the defaults of options version `version` (the same
 * as LSIGN_XML_VERIFY_OPTIONS_INIT). Thread-safe.
 * @param[out] opts the options to fill; not NULL. Unchanged on failure.
 * @param version LSIGN_XML_VERIFY_OPTIONS_VERSION (1 to the current version).
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG for a NULL `opts` or a version
 *         that is 0 or newer than this library knows.
 */
LSIGN_EXTERN int lsign_xml_verify_options_init(lsign_xml_verify_options *opts,
                                               unsigned int version);

/**
 * Verify every ds:Signature of an XML document (counter-signatures
 * included, at most 256) into a report.
 * Refused, whatever the options: DTDs and duplicate Id values (the call
 * fails with LSIGN_E_PARSE); references outside the document (except the
 * detached one given), XPath, XPath Filter 2.0 and XSLT transforms,
 * RetrievalMethod, HMAC signature methods, Manifests (ignored: not counted
 * as covered), keys that do not come with a certificate chaining to an
 * anchor of `ctx` (the signature fails in the report). A document whose
 * signatures fail still gives LSIGN_OK and a report saying so. Thread-safe
 * (see the file description).
 * @param ctx the context; not NULL. Its trust anchors, revocation policy,
 *        network settings, limits and language are used.
 * @param input the document; not NULL. Only read; the caller keeps it.
 * @param name the file name the report shows, or NULL for none; copied.
 * @param opts the options, or NULL for the defaults; read during the call
 *        only.
 * @param[out] report receives the report, owned by the caller (release it
 *        with lsign_report_free()); set to NULL on failure (left as is if
 *        `input` is NULL). Not NULL.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (a NULL input or report, an unknown
 *   options version), LSIGN_E_PARSE (not well-formed XML, a DTD, a
 *   duplicate Id), LSIGN_E_LIMIT (a limit of `ctx`, over 256 signatures),
 *   LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_xml_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name,
                                  const lsign_xml_verify_options *opts, lsign_report **report);

#ifdef __cplusplus
}
#endif

#endif
