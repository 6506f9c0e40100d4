/*
 * RFC 3161 timestamps: the client (request, response check, the exchange
 * over HTTP) and the signature timestamp of PAdES B-T / CAdES-T, an unsigned
 * attribute of the SignerInfo that holds a token over its signature value.
 */
#ifndef LSI_CMS_TIMESTAMP_H
#define LSI_CMS_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509_vfy.h>

#include "core/ctx.h"
#include "keys/pin.h"
#include "libsign/context.h"

/* A time-stamping authority and what to ask it for. */
typedef struct lsi_tsa {
    const char *url;             /* http:// or https:// */
    const char *user, *password; /* HTTP basic authentication, or NULL */
    int digest;                  /* lsign_digest of the message imprint; 0: SHA-256 */
    const char *policy;          /* requested policy OID (dotted), or NULL: the TSA's default */
} lsi_tsa;

/*
 * A DER TimeStampReq: version 1, messageImprint = (tsa->digest, `hash`), a
 * random 64-bit nonce, certReq TRUE, reqPolicy when tsa->policy is set.
 * `hash` is the digest of the data under tsa->digest. *der is malloc'd
 * (free()); keep it for lsi_ts_check_response(), which checks the reply
 * against it. Returns LSIGN_OK, LSIGN_E_INVALID_ARG (digest, hash length,
 * policy), LSIGN_E_CRYPTO or LSIGN_E_NOMEM.
 */
int lsi_ts_request(const lsi_tsa *tsa, const unsigned char *hash, size_t hash_len,
                   unsigned char **der, size_t *der_len);

/*
 * Checks a DER TimeStampResp against the DER TimeStampReq it answers:
 * status granted or grantedWithMods; TSTInfo version 1; the request's
 * policy (if it named one), message imprint (algorithm and hash) and nonce;
 * a TSA name, if given, that names the signer; one signer whose certificate
 * travels in the token, has the critical extendedKeyUsage timeStamping only,
 * matches the ESS signing-certificate(-v2) attribute and chains to an anchor
 * of `store` at the token's genTime; a signature that verifies.
 * On success *token (malloc'd, free()) holds the TimeStampToken, the
 * ContentInfo as the TSA encoded it, and *gen_time its genTime in seconds
 * since 1970.
 * Returns LSIGN_OK; LSIGN_E_PARSE when `resp` is not a TimeStampResp;
 * LSIGN_E_CRYPTO "TSA refused: ..." for another status, and for a token that
 * does not match the request or whose signature fails; LSIGN_E_POLICY when
 * the TSA certificate is missing, not for timestamping or not trusted;
 * LSIGN_E_INVALID_ARG, LSIGN_E_NOMEM. Messages start with "timestamp: ".
 */
int lsi_ts_check_response(const unsigned char *req, size_t req_len, const unsigned char *resp,
                          size_t resp_len, X509_STORE *store, unsigned char **token,
                          size_t *token_len, int64_t *gen_time);

/*
 * The whole exchange for `data`: hashes it under tsa->digest, POSTs the
 * request over lsi_http_fetch() (application/timestamp-query) with the
 * context's network settings, and checks the reply against the context's
 * trust anchors as lsi_ts_check_response() does. Outputs as there.
 * Network failures keep lsi_http_fetch()'s code and message (naming the
 * URL); a body that is not a TimeStampResp is LSIGN_E_NETWORK "<url>: not a
 * timestamp reply"; other failures of the check are prefixed with the URL.
 */
int lsi_ts_fetch(const lsign_ctx *ctx, const lsi_tsa *tsa, const unsigned char *data,
                 size_t data_len, unsigned char **token, size_t *token_len, int64_t *gen_time);

/* As lsi_ts_fetch(), for a `hash` of the data already computed under tsa->digest. */
int lsi_ts_fetch_hash(const lsign_ctx *ctx, const lsi_tsa *tsa, const unsigned char *hash,
                      size_t hash_len, unsigned char **token, size_t *token_len, int64_t *gen_time);

/* The context's TSA (lsign_ctx_set_tsa), its password read from its source. */
typedef struct lsi_tsa_session {
    lsi_tsa tsa;
    lsi_tsa_config cfg; /* the strings tsa points to */
    lsi_pin password;   /* wiped by lsi_tsa_release() */
} lsi_tsa_session;

/* Opens the context's TSA for imprints under `digest`: LSIGN_E_INVALID_ARG when none is set. */
int lsi_tsa_open(const lsign_ctx *ctx, int digest, lsi_tsa_session *s);
void lsi_tsa_release(lsi_tsa_session *s);

/* lsi_ts_fetch() of `data` from the context's TSA, under `digest`. */
int lsi_ts_stamp(const lsign_ctx *ctx, int digest, const unsigned char *data, size_t len,
                 unsigned char **token, size_t *token_len, int64_t *gen_time);

/*
 * The signature value of the single SignerInfo of a DER ContentInfo
 * (SignedData): the data a signature timestamp covers. *sig is malloc'd.
 * Returns LSIGN_OK, LSIGN_E_PARSE, LSIGN_E_UNSUPPORTED (not exactly one
 * SignerInfo), LSIGN_E_INVALID_ARG or LSIGN_E_NOMEM.
 */
int lsi_cms_signature_value(const unsigned char *cms, size_t len, unsigned char **sig,
                            size_t *sig_len);

/*
 * Adds `token` as an id-aa-signatureTimeStampToken unsigned attribute
 * (1.2.840.113549.1.9.16.2.14) to the single SignerInfo of a DER
 * ContentInfo (SignedData) and re-encodes it into *out (malloc'd). The token
 * is embedded byte for byte, and must cover this signature: its message
 * imprint is checked against the signature value. An earlier signature
 * timestamp stays; the new one is another attribute (CAdES allows several).
 * Returns LSIGN_OK, LSIGN_E_PARSE (CMS or token malformed),
 * LSIGN_E_INVALID_ARG (a token over other data), LSIGN_E_UNSUPPORTED,
 * LSIGN_E_CRYPTO or LSIGN_E_NOMEM.
 */
int lsi_cms_add_signature_timestamp(const unsigned char *cms, size_t len,
                                    const unsigned char *token, size_t token_len,
                                    unsigned char **out, size_t *out_len);

#endif
