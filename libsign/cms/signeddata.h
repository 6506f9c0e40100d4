/* CMS SignedData for detached signatures (PAdES, CAdES, adbe.pkcs7.detached). */
#ifndef LSI_CMS_SIGNEDDATA_H
#define LSI_CMS_SIGNEDDATA_H

#include <stddef.h>
#include <stdint.h>

#include "libsign/signer.h"

/*
 * pades: 1 for PAdES (no signingTime attribute: EN 319 142-1 forbids it, the
 * claimed time is the signature dictionary's /M), 0 for adbe.pkcs7.detached
 * (signingTime added). A stand-alone CAdES B-B wants signingTime: use 0.
 */
typedef struct lsi_cms_sign_params {
    int digest;           /* lsign_digest (LSIGN_DIGEST_SHA256/384/512) */
    int scheme;           /* lsign_scheme; LSIGN_SCHEME_AUTO resolves by key type */
    int pades;            /* see above */
    int64_t signing_time; /* seconds since 1970, the signingTime value when !pades */
    int include_root;     /* 1: self-signed (root) certificates of the chain too */
} lsi_cms_sign_params;

/*
 * A DER ContentInfo(SignedData), detached (no eContent), over content whose
 * digest under params->digest is `content_hash`. Signed attributes:
 * contentType (id-data), messageDigest, signingCertificateV2 (RFC 5035, with
 * issuerSerial) and, when !params->pades, signingTime. `certificates` holds
 * the signer certificate and its chain (roots only with include_root).
 * *der is malloc'd: release it with free().
 * Returns LSIGN_OK; LSIGN_E_INVALID_ARG (digest, hash length, scheme),
 * LSIGN_E_CRYPTO, LSIGN_E_NOMEM, or the signer's errors (token, PIN).
 */
int lsi_cms_sign_detached(lsign_signer *signer, const lsi_cms_sign_params *params,
                          const unsigned char *content_hash, size_t hash_len, unsigned char **der,
                          size_t *der_len);

/*
 * An upper bound of the *der_len lsi_cms_sign_detached() gives for this
 * signer and params: the same structure with a signature of the largest size.
 * Does not sign (the token is not used).
 */
int lsi_cms_max_size(lsign_signer *signer, const lsi_cms_sign_params *params, size_t *size);

#endif
