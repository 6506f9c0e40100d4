/*
 * The parts of a CMS SignedData that its signature does not cover
 * (RFC 5652 5.1, 5.3), read by walking the DER without decoding the
 * certificates: a verifier checks them for consistency on every signature,
 * and decoding every certificate (and its public key) a second time for
 * that cost as much as the rest of a verification.
 */
#ifndef LSIGN_CMS_PARTS_H
#define LSIGN_CMS_PARTS_H

#include <stddef.h>

#include <openssl/cms.h>
#include <openssl/x509.h>

#define LSI_CMS_MAX_PARTS 8

typedef struct lsi_cms_parts {
    long version;                                  /* SignedData version */
    int digest_nids[LSI_CMS_MAX_PARTS];            /* digestAlgorithms (the first ones) */
    size_t digest_count;                           /* how many there are in all */
    long signer_versions[LSI_CMS_MAX_PARTS];       /* each SignerInfo's version */
    X509_ALGOR *signature_algs[LSI_CMS_MAX_PARTS]; /* and signatureAlgorithm */
    size_t signer_count;                           /* SignerInfos in all */
} lsi_cms_parts;

/*
 * Reads `der` (a ContentInfo holding SignedData). Returns 1 and fills *out
 * (release it with lsi_cms_parts_clear()); 0 when the DER is not a
 * definite-length SignedData with issuerAndSerialNumber signers, which the
 * caller then leaves to its CMS checks.
 */
int lsi_cms_parts_read(const unsigned char *der, size_t len, lsi_cms_parts *out);
void lsi_cms_parts_clear(lsi_cms_parts *parts);

/*
 * Where, in the DER of a ContentInfo(SignedData) with one SignerInfo, the
 * values that change from signature to signature are (offsets from `der`):
 * a signer that signs file after file fills a template with them.
 */
typedef struct lsi_cms_signer_layout {
    size_t attrs, attrs_len;         /* the signedAttrs element ([0] IMPLICIT SET OF) */
    size_t digest, digest_len;       /* the messageDigest value's contents */
    size_t time, time_len;           /* the signingTime value element; time_len 0: none */
    size_t signature, signature_len; /* the signature OCTET STRING's contents */
} lsi_cms_signer_layout;

/* 1 and *out when `der` (exactly) is such a SignedData in DER with a messageDigest; else 0. */
int lsi_cms_signer_layout_read(const unsigned char *der, size_t len, lsi_cms_signer_layout *out);

/*
 * Decodes the ContentInfo at the start of `der` (what follows it is the
 * caller's: *used is the ContentInfo's length) and returns it, with its
 * certificates in *certs (owned; X509s shared, so read-only). When they are
 * all plain DER Certificates they come from the process-wide cache
 * (core/certcache.h) and the CMS is decoded without them: OpenSSL 3.0 would
 * otherwise set up a provider decoder for each one's public key in every
 * document, 28% of a PDF verification. Anything else (BER, other
 * CertificateChoices) takes OpenSSL's plain decode. NULL when not a
 * ContentInfo (OpenSSL's error queue says why).
 */
CMS_ContentInfo *lsi_cms_decode(const unsigned char *der, size_t len, size_t *used,
                                STACK_OF(X509) * *certs);

#endif
