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

#define LSIGN_XML_SIGN_OPTIONS_VERSION 1

typedef struct lsign_xml_sign_options {
    unsigned int version; /**< LSIGN_XML_SIGN_OPTIONS_VERSION */
    int profile;          /**< an lsign_xml_profile (XADES) */
    int placement;        /**< an lsign_xml_placement (ENVELOPED); edxml/einvoice: enveloped only */
    int c14n;             /**< an lsign_xml_c14n (DEFAULT) */
    int digest;           /**< an lsign_digest (SHA-256), of references and of the signature */
    int scheme;           /**< an lsign_scheme (AUTO: PKCS#1 v1.5 for RSA, ECDSA for EC) */
    int level;            /**< an lsign_xades_level (B-B); XAdES only */
    /**
     * Enveloped: an XPath 1.0 expression selecting exactly one element, the
     * parent of the new ds:Signature (prefixes: those declared on the
     * document element). NULL: the document element.
     */
    const char *parent_xpath;
    /**
     * Enveloped: the Id of the element to sign (a same-document reference
     * "#id"). NULL: the whole document (URI "" with the enveloped-signature
     * transform); einvoice: "data".
     */
    const char *reference_id;
    /**
     * Detached: the URI written in the reference to the signed data (the
     * input, any bytes); the output is then a document holding only the
     * ds:Signature.
     */
    const char *detached_uri;
    /** The signed data's MIME type (XAdES DataObjectFormat); NULL: text/xml or the detached
     * default. */
    const char *mime_type;
    /** The ds:Signature Id; NULL: "sig-" and 16 random hex digits. */
    const char *signature_id;
    /**
     * XAdES SignaturePolicyIdentifier: the policy's identifier (a URI or
     * "urn:oid:..."), and the SHA-256 of the policy document (32 bytes).
     * NULL: no policy (implied).
     */
    const char *policy_id;
    const unsigned char *policy_sha256;
    /** XAdES SignerRoleV2 ClaimedRole (UTF-8), e.g. "Chủ tịch UBND xã"; NULL: none. */
    const char *signer_role;
    /**
     * The Id of an existing XAdES ds:Signature to counter-sign: the new
     * signature goes into its UnsignedSignatureProperties/CounterSignature
     * and signs its SignatureValue (Type CountersignedSignature). NULL: none.
     */
    const char *countersign_id;
    int include_root;     /**< non-zero: put the root certificate in KeyInfo too */
    int64_t signing_time; /**< seconds since 1970; 0: now */
} lsign_xml_sign_options;

#define LSIGN_XML_SIGN_OPTIONS_INIT                                                                \
    {                                                                                              \
        LSIGN_XML_SIGN_OPTIONS_VERSION, LSIGN_XML_PROFILE_XADES, LSIGN_XML_ENVELOPED,              \
            LSIGN_XML_C14N_DEFAULT, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO, LSIGN_XADES_B_B, NULL, \
            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0                                   \
    }

/** Initialise `opts` to the defaults of options version `version`. */
LSIGN_EXTERN int lsign_xml_sign_options_init(lsign_xml_sign_options *opts, unsigned int version);

/**
 * Sign the XML document `input` with `signer`, writing the signed document
 * to `output`. `ctx` (may be NULL) gives limits, the TSA (B-T), the network
 * settings and trust anchors (B-LT); `opts` may be NULL for the defaults.
 * On failure nothing is written.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (options; an XPath that selects no
 *   or several elements; a reference_id or countersign_id not found or not
 *   unique), LSIGN_E_PARSE (not well-formed XML, a DTD),
 *   LSIGN_E_UNSUPPORTED (a combination the profile does not have),
 *   LSIGN_E_NETWORK (the TSA, OCSP or CRL server), LSIGN_E_POLICY (B-LT: the
 *   signer's certificate is revoked), LSIGN_E_LIMIT, LSIGN_E_IO, and the
 *   signer's errors (LSIGN_E_TOKEN, LSIGN_E_PIN, LSIGN_E_CRYPTO).
 */
LSIGN_EXTERN int lsign_xml_sign(lsign_ctx *ctx, lsign_signer *signer, lsign_input *input,
                                lsign_output *output, const lsign_xml_sign_options *opts);

#define LSIGN_XML_VERIFY_OPTIONS_VERSION 1

typedef struct lsign_xml_verify_options {
    unsigned int version; /**< LSIGN_XML_VERIFY_OPTIONS_VERSION */
    /**
     * Non-zero: accept same-document references to elements anywhere. Zero
     * (the default) accepts only the document element, the signature's
     * ancestors and their children, and the signature's own properties,
     * KeyInfo and (for an enveloping signature) Objects: a signed element
     * found elsewhere, or beside an unsigned element of the same name, is
     * the mark of signature wrapping and fails the signature.
     */
    int allow_any_element_reference;
    /** A detached signature's external reference: its URI and content (else it fails). */
    const char *detached_uri;
    lsign_input *detached_data;
} lsign_xml_verify_options;

#define LSIGN_XML_VERIFY_OPTIONS_INIT                                                              \
    {                                                                                              \
        LSIGN_XML_VERIFY_OPTIONS_VERSION, 0, NULL, NULL                                            \
    }

/** Initialise `opts` to the defaults of options version `version`. */
LSIGN_EXTERN int lsign_xml_verify_options_init(lsign_xml_verify_options *opts,
                                               unsigned int version);

/**
 * Verify every ds:Signature of the XML document `input`; `name` is the file
 * name the report shows (may be NULL); `opts` may be NULL for the defaults.
 * Refused, whatever the options: DTDs, references outside the document
 * (except the detached one given), XPath, XPath Filter 2.0 and XSLT
 * transforms, RetrievalMethod, HMAC signature methods, Manifests (ignored:
 * not counted as covered), duplicate Id values, keys that do not come with a
 * certificate chaining to an anchor of `ctx`. A document whose signatures
 * fail still gives LSIGN_OK and a report saying so.
 * @return LSIGN_OK and *report (release it with lsign_report_free());
 *   LSIGN_E_INVALID_ARG, LSIGN_E_PARSE (not well-formed XML, a DTD),
 *   LSIGN_E_LIMIT, LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_xml_verify(lsign_ctx *ctx, lsign_input *input, const char *name,
                                  const lsign_xml_verify_options *opts, lsign_report **report);

#ifdef __cplusplus
}
#endif

#endif
