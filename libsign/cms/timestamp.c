#include "cms/timestamp.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/esserr.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "core/certfile.h"
#include "core/ctx.h"
#include "core/error.h"
#include "keys/pin.h"
#include "keys/sigformat.h"
#include "libsign/signer.h"
#include "net/http.h"

static int copy_out(const unsigned char *data, size_t len, unsigned char **out, size_t *out_len)
{
    if ((*out = malloc(len > 0 ? len : 1)) == NULL)
        return lsi_error_nomem();
    memcpy(*out, data, len);
    *out_len = len;
    return LSIGN_OK;
}

/*
 * Moves the result of an i2d_X(value, buf) call, `len` bytes in OpenSSL's
 * allocator, into a malloc'd buffer, so callers need not know OpenSSL's.
 * `buf` is passed by address: it is read after the i2d_X argument ran.
 */
static int take_der(int len, unsigned char **buf, const char *what, unsigned char **der,
                    size_t *der_len)
{
    int rc = len > 0 ? copy_out(*buf, (size_t)len, der, der_len)
                     : lsi_error_openssl(LSIGN_E_CRYPTO, "cannot encode %s", what);

    OPENSSL_free(*buf);
    *buf = NULL;
    return rc;
}

/* ---- The request ---- */

/* The digest an lsi_tsa asks for: SHA-256 unless it names another. */
static const EVP_MD *tsa_md(const lsi_tsa *tsa, size_t *len)
{
    return lsi_digest_md(tsa->digest != 0 ? tsa->digest : LSIGN_DIGEST_SHA256, len);
}

/* messageImprint: the digest's AlgorithmIdentifier (parameters absent, RFC 5754) and `hash`. */
static int set_imprint(TS_REQ *req, const EVP_MD *md, const unsigned char *hash, size_t hash_len)
{
    TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    int ok = imprint != NULL && alg != NULL;

    if (ok) {
        X509_ALGOR_set_md(alg, md);
        /* The setters copy; TS_MSG_IMPRINT_set_msg only lacks a const. */
        ok = TS_MSG_IMPRINT_set_algo(imprint, alg) &&
             TS_MSG_IMPRINT_set_msg(imprint, (unsigned char *)hash, (int)hash_len) &&
             TS_REQ_set_msg_imprint(req, imprint);
    }
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(imprint);
    return ok;
}

/* A random 64-bit nonce: it ties the reply to this request (RFC 3161 section 2.4.1). */
static int set_nonce(TS_REQ *req)
{
    unsigned char bytes[8];
    BIGNUM *bn = NULL;
    ASN1_INTEGER *nonce = NULL;
    int ok = RAND_bytes(bytes, sizeof bytes) == 1 &&
             (bn = BN_bin2bn(bytes, sizeof bytes, NULL)) != NULL &&
             (nonce = BN_to_ASN1_INTEGER(bn, NULL)) != NULL && TS_REQ_set_nonce(req, nonce);

    ASN1_INTEGER_free(nonce);
    BN_free(bn);
    return ok;
}

static int set_policy(TS_REQ *req, const char *policy)
{
    ASN1_OBJECT *oid;
    int ok;

    if (policy == NULL)
        return LSIGN_OK;
    /* no_name = 1: only dotted numbers, never a name OpenSSL happens to know. */
    if ((oid = OBJ_txt2obj(policy, 1)) == NULL) {
        ERR_clear_error();
        return lsi_error(LSIGN_E_INVALID_ARG, "timestamp: policy '%s' is not a dotted OID", policy);
    }
    ok = TS_REQ_set_policy_id(req, oid);
    ASN1_OBJECT_free(oid);
    return ok ? LSIGN_OK : lsi_error_openssl(LSIGN_E_NOMEM, "timestamp: cannot set the policy");
}

static int build_request(TS_REQ *req, const lsi_tsa *tsa, const EVP_MD *md,
                         const unsigned char *hash, size_t hash_len)
{
    /* certReq: the TSA certificate must come with the token, we verify against it. */
    if (!TS_REQ_set_version(req, 1) || !set_imprint(req, md, hash, hash_len) || !set_nonce(req) ||
        !TS_REQ_set_cert_req(req, 1))
        return lsi_error_openssl(LSIGN_E_CRYPTO, "timestamp: cannot build the request");
    return set_policy(req, tsa->policy);
}

int lsi_ts_request(const lsi_tsa *tsa, const unsigned char *hash, size_t hash_len,
                   unsigned char **der, size_t *der_len)
{
    size_t md_len = 0;
    const EVP_MD *md;
    TS_REQ *req;
    int rc;

    if (der != NULL)
        *der = NULL;
    if (tsa == NULL || hash == NULL || der == NULL || der_len == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_ts_request: NULL argument");
    if ((md = tsa_md(tsa, &md_len)) == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "timestamp: unknown digest algorithm %d",
                         tsa->digest);
    if (hash_len != md_len)
        return lsi_error(LSIGN_E_INVALID_ARG, "timestamp: a %s digest is %zu bytes, not %zu",
                         EVP_MD_get0_name(md), md_len, hash_len);
    if ((req = TS_REQ_new()) == NULL)
        return lsi_error_nomem();
    rc = build_request(req, tsa, md, hash, hash_len);
    if (rc == LSIGN_OK) {
        unsigned char *buf = NULL;

        rc = take_der(i2d_TS_REQ(req, &buf), &buf, "the TimeStampReq", der, der_len);
    }
    TS_REQ_free(req);
    return rc;
}

/* ---- The response ---- */

static int parse_request(const unsigned char *der, size_t len, TS_REQ **out)
{
    const unsigned char *p = der;
    TS_REQ *req = len <= LONG_MAX ? d2i_TS_REQ(NULL, &p, (long)len) : NULL;

    if (req == NULL || p != der + len) {
        TS_REQ_free(req);
        return lsi_error_openssl(LSIGN_E_INVALID_ARG, "timestamp: the request is not DER");
    }
    *out = req;
    return LSIGN_OK;
}

/*
 * d2i_TS_RESP also refuses a granted status without a token, a token with
 * another status, and a token that is not SignedData over a TSTInfo.
 */
static int parse_response(const unsigned char *der, size_t len, TS_RESP **out)
{
    const unsigned char *p = der;
    TS_RESP *resp = len <= LONG_MAX ? d2i_TS_RESP(NULL, &p, (long)len) : NULL;

    if (resp == NULL)
        return lsi_error_openssl(LSIGN_E_PARSE, "timestamp: not a DER TimeStampResp");
    if (p != der + len) {
        TS_RESP_free(resp);
        return lsi_error(LSIGN_E_PARSE, "timestamp: %zu bytes after the TimeStampResp",
                         (size_t)(der + len - p));
    }
    *out = resp;
    return LSIGN_OK;
}

LSI_PRINTF(3, 4) static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

/* The TSA's statusString, quoted, control characters replaced: it ends up in logs. */
static void append_texts(char *buf, size_t size, const STACK_OF(ASN1_UTF8STRING) * texts)
{
    for (int i = 0; i < sk_ASN1_UTF8STRING_num(texts); i++) {
        const ASN1_UTF8STRING *s = sk_ASN1_UTF8STRING_value(texts, i);
        const unsigned char *p = ASN1_STRING_get0_data(s);

        append(buf, size, "%s\"", i == 0 ? ", " : " ");
        for (int j = 0; j < ASN1_STRING_length(s); j++)
            append(buf, size, "%c", p[j] < 0x20 || p[j] == 0x7f ? '?' : (char)p[j]);
        append(buf, size, "\"");
    }
}

/* PKIFailureInfo bits, by their RFC 3161 names. */
static void append_failures(char *buf, size_t size, const ASN1_BIT_STRING *info)
{
    static const struct {
        int bit;
        const char *name;
    } names[] = {
        {TS_INFO_BAD_ALG, "badAlg"},
        {TS_INFO_BAD_REQUEST, "badRequest"},
        {TS_INFO_BAD_DATA_FORMAT, "badDataFormat"},
        {TS_INFO_TIME_NOT_AVAILABLE, "timeNotAvailable"},
        {TS_INFO_UNACCEPTED_POLICY, "unacceptedPolicy"},
        {TS_INFO_UNACCEPTED_EXTENSION, "unacceptedExtension"},
        {TS_INFO_ADD_INFO_NOT_AVAILABLE, "addInfoNotAvailable"},
        {TS_INFO_SYSTEM_FAILURE, "systemFailure"},
    };
    int n = 0;

    for (size_t i = 0; info != NULL && i < sizeof names / sizeof names[0]; i++)
        if (ASN1_BIT_STRING_get_bit(info, names[i].bit))
            append(buf, size, "%s%s", n++ == 0 ? " (" : ", ", names[i].name);
    if (n > 0)
        append(buf, size, ")");
}

/* Only granted and grantedWithMods come with a token (RFC 3161 section 2.4.2). */
static int check_status(TS_RESP *resp)
{
    static const char *const names[] = {"granted", "grantedWithMods",   "rejection",
                                        "waiting", "revocationWarning", "revocationNotification"};
    const TS_STATUS_INFO *info = TS_RESP_get_status_info(resp);
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info));
    char text[768] = "";

    if (status == TS_STATUS_GRANTED || status == TS_STATUS_GRANTED_WITH_MODS)
        return LSIGN_OK;
    if (status >= 0 && status < (long)(sizeof names / sizeof names[0]))
        append(text, sizeof text, "%s", names[status]);
    else
        append(text, sizeof text, "status %ld", status);
    append_texts(text, sizeof text, TS_STATUS_INFO_get0_text(info));
    append_failures(text, sizeof text, TS_STATUS_INFO_get0_failure_info(info));
    return lsi_error(LSIGN_E_CRYPTO, "timestamp: TSA refused: %s", text);
}

/* genTime in seconds since 1970 (fractions of a second dropped). */
static int gen_time_of(TS_RESP *resp, int64_t *out)
{
    TS_TST_INFO *tst = TS_RESP_get_tst_info(resp);
    const ASN1_GENERALIZEDTIME *t = tst != NULL ? TS_TST_INFO_get_time(tst) : NULL;
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    int days = 0, secs = 0,
        ok = t != NULL && epoch != NULL && ASN1_TIME_diff(&days, &secs, epoch, t);

    ASN1_TIME_free(epoch);
    if (!ok)
        return lsi_error_openssl(LSIGN_E_PARSE, "timestamp: unreadable genTime");
    *out = (int64_t)days * 86400 + secs;
    return LSIGN_OK;
}

/*
 * The TSA certificate must travel in the token (certReq asked for it) and be
 * for timestamping. OpenSSL's path validation checks the purpose as well;
 * checking it first names the problem and the certificate.
 */
static int check_signer_cert(PKCS7 *token)
{
    int n = sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(token)), rc = LSIGN_OK;
    STACK_OF(X509) * signers;
    char *subject;

    if (n != 1)
        return lsi_error(LSIGN_E_CRYPTO, "timestamp: the token has %d signers, expected one", n);
    if ((signers = PKCS7_get0_signers(token, NULL, 0)) == NULL) {
        ERR_clear_error();
        return lsi_error(LSIGN_E_POLICY, "timestamp: the token does not carry the TSA certificate");
    }
    if (X509_check_purpose(sk_X509_value(signers, 0), X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
        subject = lsi_name_utf8(X509_get_subject_name(sk_X509_value(signers, 0)));
        rc = lsi_error(LSIGN_E_POLICY,
                       "timestamp: certificate '%s' is not a TSA certificate (it needs a "
                       "critical extendedKeyUsage of timeStamping only)",
                       subject != NULL ? subject : "?");
        free(subject);
    }
    sk_X509_free(signers);
    return rc;
}

/*
 * A private store with the anchors of `anchors`, verifying at `when`: the TSA
 * certificate must have been valid when it stamped. The caller's store is
 * shared between threads, so its parameters stay untouched; only the
 * anchors are copied, not the caller's verification parameters.
 */
static int anchors_at(X509_STORE *anchors, int64_t when, X509_STORE **out)
{
    STACK_OF(X509) *certs = X509_STORE_get1_all_certs(anchors);
    X509_STORE *store = X509_STORE_new();
    int ok = certs != NULL && store != NULL;

    for (int i = 0; ok && i < sk_X509_num(certs); i++)
        ok = X509_STORE_add_cert(store, sk_X509_value(certs, i));
    sk_X509_pop_free(certs, X509_free);
    if (!ok) {
        X509_STORE_free(store);
        return lsi_error_openssl(LSIGN_E_CRYPTO, "timestamp: cannot copy the trust anchors");
    }
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), (time_t)when);
    *out = store;
    return LSIGN_OK;
}

/* What a failure of TS_RESP_verify_response means, by the first matching error it queued. */
typedef struct verify_failure {
    int lib, reason; /* reason 0: any of the library */
    int code;
    const char *what;
} verify_failure;

static const verify_failure failures[] = {
    {ERR_LIB_TS, TS_R_CERTIFICATE_VERIFY_ERROR, LSIGN_E_POLICY, "TSA certificate not trusted"},
    {ERR_LIB_TS, TS_R_UNSUPPORTED_VERSION, LSIGN_E_CRYPTO, "TSTInfo version is not 1"},
    {ERR_LIB_TS, TS_R_POLICY_MISMATCH, LSIGN_E_CRYPTO, "policy does not match the request"},
    {ERR_LIB_TS, TS_R_MESSAGE_IMPRINT_MISMATCH, LSIGN_E_CRYPTO,
     "message imprint (algorithm or hash) does not match the request"},
    {ERR_LIB_TS, TS_R_NONCE_MISMATCH, LSIGN_E_CRYPTO, "nonce does not match"},
    {ERR_LIB_TS, TS_R_NONCE_NOT_RETURNED, LSIGN_E_CRYPTO, "nonce does not match (none returned)"},
    {ERR_LIB_TS, TS_R_TSA_NAME_MISMATCH, LSIGN_E_CRYPTO,
     "the TSA name does not name the TSA certificate"},
    {ERR_LIB_TS, TS_R_SIGNATURE_FAILURE, LSIGN_E_CRYPTO, "signature does not verify"},
    {ERR_LIB_TS, TS_R_ESS_SIGNING_CERTIFICATE_ERROR, LSIGN_E_CRYPTO,
     "ESS signing certificate does not match the TSA certificate"},
    {ERR_LIB_ESS, ESS_R_MISSING_SIGNING_CERTIFICATE_ATTRIBUTE, LSIGN_E_CRYPTO,
     "the ESS signing certificate attribute is missing"},
    {ERR_LIB_ESS, 0, LSIGN_E_CRYPTO, "ESS signing certificate does not match the TSA certificate"},
    {ERR_LIB_TS, TS_R_THERE_MUST_BE_ONE_SIGNER, LSIGN_E_CRYPTO, "the token needs one signer"},
};

static const verify_failure *failure_of(unsigned long e)
{
    for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++)
        if (ERR_GET_LIB(e) == failures[i].lib &&
            (failures[i].reason == 0 || ERR_GET_REASON(e) == failures[i].reason))
            return &failures[i];
    return NULL;
}

/* Empties OpenSSL's queue into one message that says which check failed. */
static int verify_error(void)
{
    static const char prefix[] = "Verify error:"; /* ts_verify_cert's wording */
    const verify_failure *found = NULL;
    char detail[256] = "", fallback[256] = "verification failed";
    const char *data = NULL;
    unsigned long e;
    int flags = 0;

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        if (found == NULL && (found = failure_of(e)) != NULL && (flags & ERR_TXT_STRING) &&
            data != NULL && *data != '\0')
            snprintf(detail, sizeof detail, ": %s",
                     strncmp(data, prefix, sizeof prefix - 1) == 0 ? data + sizeof prefix - 1
                                                                   : data);
        else if (found == NULL && ERR_reason_error_string(e) != NULL)
            snprintf(fallback, sizeof fallback, "verification failed: %s",
                     ERR_reason_error_string(e));
    }
    if (found == NULL)
        return lsi_error(LSIGN_E_CRYPTO, "timestamp: %s", fallback);
    return lsi_error(found->code, "timestamp: %s%s", found->what, detail);
}

/*
 * What OpenSSL checks: TS_RESP_verify_response with the flags that
 * TS_REQ_to_TS_VERIFY_CTX derives from our request,
 *   TS_VFY_VERSION   TSTInfo version 1;
 *   TS_VFY_IMPRINT   the request's hash algorithm OID (parameters absent or
 *                    NULL on both sides) and hash;
 *   TS_VFY_NONCE     the request's nonce (ours always has one);
 *   TS_VFY_POLICY    the requested policy, when the request names one;
 *   TS_VFY_SIGNER    a TSA name in the TSTInfo names the signer certificate;
 * plus TS_VFY_SIGNATURE, which we add (OpenSSL only forces it for a token
 * that has a TSA name): exactly one SignerInfo, its certificate in the token,
 * path validation to an anchor of the store with purpose timestamp signing
 * (critical extendedKeyUsage timeStamping only; keyUsage, if present,
 * digitalSignature/nonRepudiation only), the ESS signingCertificate(V2)
 * attribute present and matching the chain, and the signature itself. It
 * checks the status again, too. OpenSSL 3.0's TS_VERIFY_CTX has no setters
 * for the imprint algorithm or the policy: that is why the check takes the
 * request rather than a hash and a nonce.
 * What we add: the status text and failure info in the error, no bytes after
 * the response, the certificate carried and its purpose checked first so the
 * error names it (check_signer_cert), validation at genTime instead of now
 * (anchors_at), an error that names the failed check (verify_error), and the
 * token kept as the TSA encoded it (token_bytes).
 */
static int verify(TS_REQ *req, TS_RESP *resp, X509_STORE *anchors, int64_t gen_time)
{
    X509_STORE *store = NULL;
    TS_VERIFY_CTX *vctx;
    int rc = anchors_at(anchors, gen_time, &store);

    if (rc != LSIGN_OK)
        return rc;
    if ((vctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL)) == NULL) {
        X509_STORE_free(store);
        return lsi_error_openssl(LSIGN_E_NOMEM, "timestamp: cannot set up the verification");
    }
    TS_VERIFY_CTX_add_flags(vctx, TS_VFY_SIGNATURE);
    TS_VERIFY_CTX_set_store(vctx, store); /* owned by vctx from here on */
    ERR_clear_error();
    rc = TS_RESP_verify_response(vctx, resp) == 1 ? LSIGN_OK : verify_error();
    TS_VERIFY_CTX_free(vctx);
    return rc;
}

/*
 * The token as the TSA encoded it: TimeStampResp is SEQUENCE { status,
 * timeStampToken }, so it is what follows the status. Re-encoding could
 * change a BER token the TSA signed; it is only the fallback for a response
 * whose outer SEQUENCE has an indefinite length.
 */
static int token_bytes(const unsigned char *resp, size_t resp_len, TS_RESP *parsed,
                       unsigned char **out, size_t *out_len)
{
    const unsigned char *p = resp, *end;
    unsigned char *buf = NULL;
    long len = 0;
    int tag, cls;

    /* 0x20: constructed, definite length (0x80 is an error, bit 0 indefinite). */
    if (ASN1_get_object(&p, &len, &tag, &cls, (long)resp_len) == 0x20) {
        end = p + len;
        if (ASN1_get_object(&p, &len, &tag, &cls, end - p) == 0x20 && p + len < end)
            return copy_out(p + len, (size_t)(end - (p + len)), out, out_len);
    }
    ERR_clear_error();
    return take_der(i2d_PKCS7(TS_RESP_get_token(parsed), &buf), &buf, "the timestamp token", out,
                    out_len);
}

int lsi_ts_check_response(const unsigned char *req, size_t req_len, const unsigned char *resp,
                          size_t resp_len, X509_STORE *store, unsigned char **token,
                          size_t *token_len, int64_t *gen_time)
{
    TS_REQ *rq = NULL;
    TS_RESP *rs = NULL;
    int64_t t = 0;
    int rc;

    if (token != NULL)
        *token = NULL;
    if (req == NULL || resp == NULL || store == NULL || token == NULL || token_len == NULL ||
        gen_time == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_ts_check_response: NULL argument");
    rc = parse_request(req, req_len, &rq);
    if (rc == LSIGN_OK)
        rc = parse_response(resp, resp_len, &rs);
    if (rc == LSIGN_OK)
        rc = check_status(rs);
    if (rc == LSIGN_OK)
        rc = gen_time_of(rs, &t);
    if (rc == LSIGN_OK)
        rc = check_signer_cert(TS_RESP_get_token(rs));
    if (rc == LSIGN_OK)
        rc = verify(rq, rs, store, t);
    if (rc == LSIGN_OK)
        rc = token_bytes(resp, resp_len, rs, token, token_len);
    if (rc == LSIGN_OK)
        *gen_time = t;
    TS_RESP_free(rs);
    TS_REQ_free(rq);
    return rc;
}

/* ---- The exchange ---- */

static int hash_data(const lsi_tsa *tsa, const unsigned char *data, size_t len, unsigned char *hash,
                     size_t *hash_len)
{
    size_t md_len = 0;
    unsigned int n = 0;
    const EVP_MD *md = tsa_md(tsa, &md_len);

    if (md == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "timestamp: unknown digest algorithm %d",
                         tsa->digest);
    if (EVP_Digest(data, len, hash, &n, md, NULL) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "timestamp: cannot hash the data");
    *hash_len = n;
    return LSIGN_OK;
}

static int post(const lsign_ctx *ctx, const lsi_tsa *tsa, const unsigned char *req, size_t req_len,
                unsigned char **resp, size_t *resp_len)
{
    /*
     * RFC 3161 names the reply application/timestamp-reply; some TSAs still
     * send the draft's application/timestamp-response, and OpenSSL compares
     * the whole type: any type is taken, and the body decides (an HTML error
     * page is "not a timestamp reply").
     */
    lsi_http_request hr = {.url = tsa->url,
                           .body = req,
                           .body_len = req_len,
                           .content_type = "application/timestamp-query",
                           .expected_type = NULL,
                           .user = tsa->user,
                           .password = tsa->password};

    return lsi_http_fetch(ctx, &hr, resp, resp_len);
}

static int check_reply(const lsign_ctx *ctx, const char *url, const unsigned char *req,
                       size_t req_len, const unsigned char *resp, size_t resp_len,
                       unsigned char **token, size_t *token_len, int64_t *gen_time)
{
    X509_STORE *store = lsi_ctx_trust_store(ctx);
    int rc = lsi_ts_check_response(req, req_len, resp, resp_len, store, token, token_len, gen_time);

    X509_STORE_free(store);
    /* The TSA answered, but not with a TimeStampResp: its failure, not ours. */
    if (rc == LSIGN_E_PARSE)
        return lsi_error(LSIGN_E_NETWORK, "%s: not a timestamp reply (%s)", url,
                         lsign_last_error());
    return rc == LSIGN_OK ? LSIGN_OK : lsi_error_wrap("%s", url);
}

int lsi_ts_fetch(const lsign_ctx *ctx, const lsi_tsa *tsa, const unsigned char *data,
                 size_t data_len, unsigned char **token, size_t *token_len, int64_t *gen_time)
{
    unsigned char hash[EVP_MAX_MD_SIZE];
    size_t hash_len = 0;
    int rc;

    if (token != NULL)
        *token = NULL;
    if (ctx == NULL || tsa == NULL || tsa->url == NULL || (data == NULL && data_len > 0) ||
        token == NULL || token_len == NULL || gen_time == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_ts_fetch: NULL argument");
    rc = hash_data(tsa, data != NULL ? data : (const unsigned char *)"", data_len, hash, &hash_len);
    return rc == LSIGN_OK ? lsi_ts_fetch_hash(ctx, tsa, hash, hash_len, token, token_len, gen_time)
                          : rc;
}

int lsi_ts_fetch_hash(const lsign_ctx *ctx, const lsi_tsa *tsa, const unsigned char *hash,
                      size_t hash_len, unsigned char **token, size_t *token_len, int64_t *gen_time)
{
    unsigned char *req = NULL, *resp = NULL;
    size_t req_len = 0, resp_len = 0;
    int rc = lsi_ts_request(tsa, hash, hash_len, &req, &req_len);

    if (rc == LSIGN_OK)
        rc = post(ctx, tsa, req, req_len, &resp, &resp_len);
    if (rc == LSIGN_OK)
        rc = check_reply(ctx, tsa->url, req, req_len, resp, resp_len, token, token_len, gen_time);
    free(req);
    free(resp);
    return rc;
}

/* ---- The signature timestamp in CMS ---- */

/* A DER ContentInfo(SignedData) with exactly one SignerInfo. */
static int parse_signed(const unsigned char *der, size_t len, CMS_ContentInfo **cms,
                        CMS_SignerInfo **si)
{
    const unsigned char *p = der;
    CMS_ContentInfo *c = len <= LONG_MAX ? d2i_CMS_ContentInfo(NULL, &p, (long)len) : NULL;
    int n;

    if (c == NULL || p != der + len) {
        CMS_ContentInfo_free(c);
        return lsi_error_openssl(LSIGN_E_PARSE, "CMS: not a DER ContentInfo");
    }
    if (OBJ_obj2nid(CMS_get0_type(c)) != NID_pkcs7_signed) {
        CMS_ContentInfo_free(c);
        return lsi_error(LSIGN_E_PARSE, "CMS: not a SignedData");
    }
    if ((n = sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(c))) != 1) {
        CMS_ContentInfo_free(c);
        return lsi_error(LSIGN_E_UNSUPPORTED, "CMS: %d SignerInfos, expected one", n);
    }
    *cms = c;
    *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(c), 0);
    return LSIGN_OK;
}

int lsi_cms_signature_value(const unsigned char *cms, size_t len, unsigned char **sig,
                            size_t *sig_len)
{
    CMS_ContentInfo *c = NULL;
    CMS_SignerInfo *si = NULL;
    const ASN1_OCTET_STRING *value;
    int rc;

    if (sig != NULL)
        *sig = NULL;
    if (cms == NULL || sig == NULL || sig_len == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_cms_signature_value: NULL argument");
    if ((rc = parse_signed(cms, len, &c, &si)) != LSIGN_OK)
        return rc;
    value = CMS_SignerInfo_get0_signature(si);
    if (ASN1_STRING_length(value) <= 0)
        rc = lsi_error(LSIGN_E_PARSE, "CMS: the SignerInfo has no signature value");
    else
        rc =
            copy_out(ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value), sig, sig_len);
    CMS_ContentInfo_free(c);
    return rc;
}

/* The imprint is the hash of `data` under the imprint's own algorithm. */
static int imprint_matches(TS_MSG_IMPRINT *imprint, const ASN1_OCTET_STRING *data)
{
    const ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(imprint);
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    const ASN1_OBJECT *oid;
    const EVP_MD *md;

    X509_ALGOR_get0(&oid, NULL, NULL, TS_MSG_IMPRINT_get_algo(imprint));
    if ((md = EVP_get_digestbyobj(oid)) == NULL)
        return lsi_error(LSIGN_E_UNSUPPORTED, "timestamp token: unknown imprint algorithm");
    if (EVP_Digest(ASN1_STRING_get0_data(data), (size_t)ASN1_STRING_length(data), hash, &n, md,
                   NULL) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "timestamp token: cannot hash the signature");
    if (ASN1_STRING_length(want) != (int)n || memcmp(ASN1_STRING_get0_data(want), hash, n) != 0)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "timestamp token: its message imprint is not the hash of this "
                         "signature value");
    return LSIGN_OK;
}

/* A token for another signature would make a B-T signature that no validator accepts. */
static int check_token_covers(const unsigned char *token, size_t token_len,
                              const ASN1_OCTET_STRING *sig)
{
    const unsigned char *p = token;
    PKCS7 *p7 = token_len <= INT_MAX ? d2i_PKCS7(NULL, &p, (long)token_len) : NULL;
    TS_TST_INFO *tst = NULL;
    int rc;

    if (p7 == NULL || p != token + token_len || (tst = PKCS7_to_TS_TST_INFO(p7)) == NULL)
        rc = lsi_error_openssl(LSIGN_E_PARSE, "timestamp token: not a DER TimeStampToken");
    else
        rc = imprint_matches(TS_TST_INFO_get_msg_imprint(tst), sig);
    TS_TST_INFO_free(tst);
    PKCS7_free(p7);
    return rc;
}

int lsi_cms_add_signature_timestamp(const unsigned char *cms, size_t len,
                                    const unsigned char *token, size_t token_len,
                                    unsigned char **out, size_t *out_len)
{
    CMS_ContentInfo *c = NULL;
    CMS_SignerInfo *si = NULL;
    unsigned char *buf = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (cms == NULL || token == NULL || out == NULL || out_len == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_cms_add_signature_timestamp: NULL argument");
    if ((rc = parse_signed(cms, len, &c, &si)) != LSIGN_OK)
        return rc;
    rc = check_token_covers(token, token_len, CMS_SignerInfo_get0_signature(si));
    /* With a length, the bytes become the value as they are: the token is not re-encoded. */
    if (rc == LSIGN_OK &&
        CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, token,
                                      (int)token_len) <= 0)
        rc = lsi_error_openssl(LSIGN_E_CRYPTO, "CMS: cannot add the signature timestamp");
    if (rc == LSIGN_OK)
        rc = take_der(i2d_CMS_ContentInfo(c, &buf), &buf, "the CMS SignedData", out, out_len);
    CMS_ContentInfo_free(c);
    return rc;
}

int lsi_tsa_open(const lsign_ctx *ctx, int digest, lsi_tsa_session *s)
{
    lsi_pin_source *src = NULL;
    int rc;

    memset(s, 0, sizeof *s);
    if ((rc = lsi_ctx_tsa(ctx, &s->cfg)) != LSIGN_OK)
        return rc;
    s->tsa.url = s->cfg.url;
    s->tsa.user = s->cfg.user;
    s->tsa.digest = digest;
    if (s->cfg.password_source == NULL)
        return LSIGN_OK;
    rc = lsi_pin_source_new(&src, s->cfg.password_source, NULL, NULL, NULL, NULL, 0);
    if (rc == LSIGN_OK)
        rc = lsi_pin_get(src, "password for the time-stamping authority", LSIGN_PIN_PASSWORD,
                         &s->password);
    lsi_pin_source_free(src);
    s->tsa.password = s->password.text;
    return rc;
}

void lsi_tsa_release(lsi_tsa_session *s)
{
    lsi_pin_clear(&s->password);
    lsi_tsa_config_clear(&s->cfg);
}

int lsi_ts_stamp(const lsign_ctx *ctx, int digest, const unsigned char *data, size_t len,
                 unsigned char **token, size_t *token_len, int64_t *gen_time)
{
    lsi_tsa_session s;
    int rc = lsi_tsa_open(ctx, digest, &s);

    if (rc == LSIGN_OK)
        rc = lsi_ts_fetch(ctx, &s.tsa, data, len, token, token_len, gen_time);
    lsi_tsa_release(&s);
    return rc;
}
