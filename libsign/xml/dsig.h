/*
 * The XMLDSig core shared by signing and verification: algorithm URIs, the
 * canonical form of SignedInfo (or any subtree) under a
 * CanonicalizationMethod, and the processing of each Reference by xmlsec
 * with libsign's restrictions (same-document URIs only; C14N, enveloped
 * and digest transforms only: no XPath, XSLT, Base64 or external data).
 * The signature value itself is made by lsign_signer and checked with
 * OpenSSL here, so token keys sign and a verification key is always the
 * one libsign chose.
 */
#ifndef LSI_XML_DSIG_H
#define LSI_XML_DSIG_H

#include <stddef.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define LSI_XML_ENVELOPED_URI "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

/* SHA-1: read in signatures of others (with a warning), never written. */
#define LSI_XML_DIGEST_SHA1 100

/* The EVP_MD of an lsign_digest or LSI_XML_DIGEST_SHA1; NULL for others. */
const EVP_MD *lsi_xml_md(int digest);

/* URIs of lsign_digest values (NULL for others) and back (0 when unknown). */
const char *lsi_xml_digest_uri(int digest);
int lsi_xml_digest_of_uri(const char *uri);
/* The SignatureMethod URI for (digest, scheme); NULL when XMLDSig has none. */
const char *lsi_xml_signature_uri(int digest, int scheme);
/* Parses a SignatureMethod URI: 1 and (digest, scheme); 0 unknown; -1 HMAC (refused). */
int lsi_xml_signature_of_uri(const char *uri, int *digest, int *scheme);
/* The URI of an lsign_xml_c14n value (never DEFAULT). */
const char *lsi_xml_c14n_uri(int c14n);

/*
 * The canonical form of the subtree at `node` under the algorithm of
 * `method` (an element with an Algorithm attribute, and possibly an
 * InclusiveNamespaces child). *out malloc'd. LSIGN_OK; LSIGN_E_PARSE (an
 * algorithm that is not a canonicalization); LSIGN_E_CRYPTO.
 */
int lsi_xml_c14n(xmlNodePtr node, xmlNodePtr method, unsigned char **out, size_t *len);

/* One Reference of a SignedInfo, as processed. */
typedef struct lsi_xml_ref {
    xmlNodePtr node;        /* the ds:Reference */
    char *uri, *type;       /* its attributes (NULL when absent) */
    int external;           /* the URI is neither "" nor "#id" */
    int enveloped;          /* it has the enveloped-signature transform */
    int ok;                 /* verify: the digest matches; sign: DigestValue written */
    char reason[160];       /* why not ok */
    unsigned char *content; /* verify: the bytes digested (malloc'd) */
    size_t content_len;
} lsi_xml_ref;

/*
 * Processes every Reference of `signed_info`: signing writes each
 * DigestValue, verifying compares it. External references are left to the
 * caller (not ok, "external"), except `detached` data given for the URI
 * `detached_uri` (hashed as is, without transforms). LSIGN_OK with *refs
 * (free with lsi_xml_refs_free()); LSIGN_E_PARSE when the SignedInfo has no
 * Reference or more than 64; LSIGN_E_CRYPTO, LSIGN_E_NOMEM. Failures of a
 * single reference are results in its `ok` and `reason`.
 */
int lsi_xml_references(xmlNodePtr signed_info, int sign, const char *detached_uri,
                       const unsigned char *detached, size_t detached_len, lsi_xml_ref **refs,
                       size_t *count);
void lsi_xml_refs_free(lsi_xml_ref *refs, size_t count);

/* The digest of `data` under an lsign_digest, base64 (malloc'd); NULL on failure. */
char *lsi_xml_digest_b64(int digest, const unsigned char *data, size_t len);
/* Base64 without line breaks (malloc'd); NULL on failure. */
char *lsi_xml_b64(const unsigned char *data, size_t len);
/* The base64 content of `node` decoded, white space ignored (malloc'd); NULL: no node, not base64.
 */
unsigned char *lsi_xml_b64_content(const xmlNode *node, size_t *len);
/* The certificate whose base64 DER is the content of `node`, or NULL. */
X509 *lsi_xml_cert(const xmlNode *node);

/*
 * Verifies `sig` (as in SignatureValue, decoded) over `data` with `key`
 * under (digest, scheme). 1 valid, 0 not.
 */
int lsi_xml_verify_value(EVP_PKEY *key, int digest, int scheme, const unsigned char *data,
                         size_t len, const unsigned char *sig, size_t sig_len);

#endif
