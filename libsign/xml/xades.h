/*
 * XAdES (ETSI EN 319 132-1) qualifying properties: writing the signed
 * properties of B-B, the SignatureTimeStamp of B-T and the
 * CertificateValues and RevocationValues of B-LT; and checking what xmlsec
 * does not: that the signed properties belong to this signature, name its
 * certificate and its references, and that the timestamp covers it.
 */
#ifndef LSI_XML_XADES_H
#define LSI_XML_XADES_H

#include <stdint.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/x509.h>

#include "libsign/context.h"
#include "validate/evidence_store.h"
#include "validate/report.h"
#include "xml/dsig.h"

#define LSI_XADES_SIGNED_PROPS_TYPE  "http://uri.etsi.org/01903#SignedProperties"
#define LSI_XADES_COUNTERSIGNED_TYPE "http://uri.etsi.org/01903#CountersignedSignature"

/* What the signed properties say. */
typedef struct lsi_xades_props {
    time_t signing_time;
    X509 *cert;              /* the signer's */
    const char *data_ref_id; /* the Id of the data reference, for DataObjectFormat */
    const char *mime_type;
    const char *policy_id; /* NULL: none */
    const unsigned char *policy_sha256;
    const char *signer_role; /* NULL: none */
} lsi_xades_props;

/*
 * Appends ds:Object/xades:QualifyingProperties (Target "#sig_id") to the
 * ds:Signature `sig`, with SignedProperties Id "<sig_id>-signedprops";
 * the Id in *props_id (malloc'd). LSIGN_OK or LSIGN_E_NOMEM, LSIGN_E_CRYPTO.
 */
int lsi_xades_write(xmlNodePtr sig, const char *sig_id, const lsi_xades_props *p, char **props_id);

/* B-T: a SignatureTimeStamp over the canonical ds:SignatureValue, from the context's TSA. */
int lsi_xades_add_timestamp(const lsign_ctx *ctx, xmlNodePtr sig);

/* B-LT: CertificateValues and RevocationValues for the signer's and the TSA's chains. */
int lsi_xades_add_values(const lsign_ctx *ctx, xmlNodePtr sig, X509 *signer,
                         STACK_OF(X509) * untrusted, int allow_revoked);

/* What a XAdES signature holds, for the verifier. */
typedef struct lsi_xades_found {
    int present;          /* a QualifyingProperties was found */
    time_t signing_time;  /* 0 when none */
    unsigned char *token; /* the first SignatureTimeStamp (DER), or NULL */
    size_t token_len;
    unsigned char *stamped; /* the canonical SignatureValue it must cover */
    size_t stamped_len;
    lsi_dss_items values; /* CertificateValues and RevocationValues */
} lsi_xades_found;

/*
 * Checks the XAdES properties of `sig` (Id `sig_id`) verified with `cert`
 * and its processed references: exactly one SignedProperties reference,
 * bound to this signature; the SigningCertificateV2 digest matches `cert`;
 * each DataObjectFormat names one of the references. Failures go to `rs`.
 * Fills `found` (clear it with lsi_xades_found_clear()).
 */
int lsi_xades_check(xmlNodePtr sig, const char *sig_id, X509 *cert, const lsi_xml_ref *refs,
                    size_t nrefs, lsi_report_sig *rs, lsi_xades_found *found);
void lsi_xades_found_clear(lsi_xades_found *f);

/* An xs:dateTime ("2026-12-02T14:00:00Z", "+07:00", fractions) in seconds since 1970; 0 if not one.
 */
int64_t lsi_xades_parse_time(const char *s);

/* The UnsignedSignatureProperties of a XAdES `sig`, made when missing; NULL without XAdES. */
xmlNodePtr lsi_xades_unsigned_properties(xmlNodePtr sig);

/* The QualifyingProperties of `sig` (Target "#sig_id"), or NULL. */
xmlNodePtr lsi_xades_qualifying(xmlNodePtr sig);

#endif
