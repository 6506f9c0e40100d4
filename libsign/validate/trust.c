/*
 * Trust in a signer (see trust.h): the chain, revocation, key usage and
 * signature timestamps, shared by the PDF and XML verifiers.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "core/certfile.h"
#include "core/ctx.h"
#include "core/error.h"
#include "net/http.h"
#include "revocation/revocation.h"
#include "validate/chaincache.h"
#include "validate/trust.h"

/* The subject of the certificate that signed a timestamp token (malloc'd), or NULL. */
static char *tsa_name(PKCS7 *token)
{
    STACK_OF(X509) *signers = token != NULL ? PKCS7_get0_signers(token, NULL, 0) : NULL;
    char *name = sk_X509_num(signers) > 0
                     ? lsi_name_utf8(X509_get_subject_name(sk_X509_value(signers, 0)))
                     : NULL;

    sk_X509_free(signers);
    ERR_clear_error();
    return name;
}

int64_t lsi_trust_timestamp(const lsi_trust *t, const unsigned char *token_der, size_t token_len,
                            const unsigned char *data, size_t len, lsi_report_sig *rs)
{
    const unsigned char *p = token_der;
    PKCS7 *token = token_len <= LONG_MAX ? d2i_PKCS7(NULL, &p, (long)token_len) : NULL;
    TS_VERIFY_CTX *v = len <= INT_MAX ? TS_VERIFY_CTX_new() : NULL;
    TS_TST_INFO *info;
    char *tsa;
    int64_t when = 0;
    int ok;

    if (v != NULL) {
        X509_STORE_up_ref(t->store); /* the verify context owns this reference */
        TS_VERIFY_CTX_set_store(v, t->store);
        TS_VERIFY_CTX_set_data(v, BIO_new_mem_buf(data, (int)len));
    }
    ok = token != NULL && v != NULL &&
         TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA) &&
         TS_RESP_verify_token(v, token) == 1;
    info = token != NULL ? PKCS7_to_TS_TST_INFO(token) : NULL;
    if (info != NULL)
        when = lsi_asn1_time(TS_TST_INFO_get_time(info));
    tsa = tsa_name(token);
    lsi_report_sig_set_timestamp(rs, (time_t)when, tsa != NULL ? tsa : "?",
                                 ok ? LSI_TOTAL_PASSED : LSI_INDETERMINATE);
    free(tsa);
    if (!ok)
        lsi_report_sig_warn(rs, "the signature timestamp does not verify");
    TS_TST_INFO_free(info);
    TS_VERIFY_CTX_free(v);
    PKCS7_free(token);
    ERR_clear_error();
    return ok ? when : 0;
}

/*
 * Some signing tools write Vietnam's local time as if it were UTC: the
 * claimed time is then about 7 hours after the timestamp. Worth a warning
 * (the claim is wrong), not a failure (the timestamp is what counts).
 */
void lsi_trust_warn_local_time(int64_t claimed, int64_t stamped, lsi_report_sig *rs)
{
    const int64_t seven_hours = 7 * 3600, slack = 15 * 60;
    int64_t ahead = claimed - stamped;

    if (claimed > 0 && stamped > 0 && ahead > seven_hours - slack && ahead < seven_hours + slack)
        lsi_report_sig_warn(rs, "the claimed signing time is 7 hours after the timestamp: "
                                "Vietnam local time (UTC+7) written as UTC?");
}

/* Maps a chain failure to the ETSI sub-indication. */
static void chain_failed(lsi_report_sig *rs, int err, int64_t poe)
{
    const char *why = X509_verify_cert_error_string(err);

    if (err == X509_V_ERR_CERT_HAS_EXPIRED)
        lsi_report_sig_fail(rs, LSI_INDETERMINATE,
                            poe ? LSI_SUB_OUT_OF_BOUNDS_NOT_REVOKED : LSI_SUB_OUT_OF_BOUNDS_NO_POE,
                            "certificate chain: %s", why);
    else if (err == X509_V_ERR_CERT_NOT_YET_VALID)
        lsi_report_sig_fail(rs, LSI_INDETERMINATE, LSI_SUB_NOT_YET_VALID, "certificate chain: %s",
                            why);
    else if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
             err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
             err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
             err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
        lsi_report_sig_fail(rs, LSI_INDETERMINATE, LSI_SUB_NO_CERTIFICATE_CHAIN_FOUND,
                            "certificate chain: %s", why);
    else
        lsi_report_sig_fail(rs, LSI_INDETERMINATE, LSI_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
                            "certificate chain: %s", why);
}

/* The untrusted certificates a chain may use: the CMS's, the /DSS's, the context's intermediates.
 */
static STACK_OF(X509) * untrusted_pool(const lsi_trust *t, STACK_OF(X509) * carried)
{
    STACK_OF(X509) *pool = lsi_ctx_intermediates(t->ctx);
    const STACK_OF(X509) * sources[] = {carried, t->evidence != NULL ? t->evidence->certs : NULL};

    for (size_t k = 0; pool != NULL && k < 2; k++)
        for (int i = 0; sources[k] != NULL && i < sk_X509_num(sources[k]); i++) {
            X509 *cert = sk_X509_value(sources[k], i);
            if (X509_up_ref(cert) && !sk_X509_push(pool, cert))
                X509_free(cert);
        }
    return pool;
}

/* The first http(s) caIssuers URL of `cert`'s AIA (malloc'd), or NULL. */
static char *ca_issuers_url(X509 *cert)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
    char *url = NULL;

    for (int i = 0; aia != NULL && url == NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) == NID_ad_ca_issuers && ad->location->type == GEN_URI &&
            strncmp((const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier),
                    "http", 4) == 0)
            url = strdup(
                (const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier));
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    return url;
}

/* Fetches the issuer of `cert` from its AIA caIssuers URL into `pool` (DER or PKCS#7 certs-only).
 */
static int fetch_issuer(const lsi_trust *t, X509 *cert, STACK_OF(X509) * pool)
{
    char *url = ca_issuers_url(cert);
    lsi_http_request req = {url, NULL, 0, NULL, NULL, NULL, NULL};
    unsigned char *body = NULL;
    size_t len = 0;
    const unsigned char *p;
    X509 *issuer;
    int added = 0;

    if (url != NULL && lsi_http_fetch(t->ctx, &req, &body, &len) == LSIGN_OK) {
        p = body;
        if ((issuer = d2i_X509(NULL, &p, (long)len)) != NULL) {
            added = sk_X509_push(pool, issuer) > 0;
            if (!added)
                X509_free(issuer);
        } else {
            PKCS7 *p7 = (p = body, d2i_PKCS7(NULL, &p, (long)len));
            STACK_OF(X509) *certs =
                p7 != NULL && PKCS7_type_is_signed(p7) ? p7->d.sign->cert : NULL;
            for (int i = 0; certs != NULL && i < sk_X509_num(certs); i++)
                added += X509_up_ref(sk_X509_value(certs, i)) &&
                         sk_X509_push(pool, sk_X509_value(certs, i));
            PKCS7_free(p7);
        }
    }
    free(body);
    free(url);
    ERR_clear_error();
    lsign_error_clear();
    return added;
}

/* One attempt at the chain; the failing certificate in *stuck when an issuer is missing. */
static int try_chain(const lsi_trust *t, X509 *signer, STACK_OF(X509) * pool, int64_t at,
                     STACK_OF(X509) * *chain, int *err, X509 **stuck)
{
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    int ok = 0;

    *chain = NULL;
    *stuck = NULL;
    if (sctx != NULL && X509_STORE_CTX_init(sctx, t->store, signer, pool) == 1) {
        X509_STORE_CTX_set_time(sctx, 0, (time_t)at);
        ok = X509_verify_cert(sctx) == 1;
        *err = X509_STORE_CTX_get_error(sctx);
        *chain = X509_STORE_CTX_get1_chain(sctx);
        if (!ok &&
            (*err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
             *err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) &&
            (*stuck = X509_STORE_CTX_get_current_cert(sctx)) != NULL)
            X509_up_ref(*stuck);
    }
    X509_STORE_CTX_free(sctx);
    return ok;
}

/* The chain cache's key: the signer's and the signature's certificates, byte for byte. */
static void chain_key(X509 *signer, STACK_OF(X509) * carried, unsigned char key[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    int len;

    memset(key, 0, 32);
    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return;
    }
    if ((len = i2d_X509(signer, &der)) > 0)
        EVP_DigestUpdate(md, der, (size_t)len);
    OPENSSL_free(der);
    for (int i = 0; carried != NULL && i < sk_X509_num(carried); i++) {
        der = NULL;
        if ((len = i2d_X509(sk_X509_value(carried, i), &der)) > 0)
            EVP_DigestUpdate(md, der, (size_t)len);
        OPENSSL_free(der);
    }
    EVP_DigestFinal_ex(md, key, NULL);
    EVP_MD_CTX_free(md);
}

/*
 * Builds and checks the chain at `at`; the chain (up-ref'd) in *chain when it
 * holds. A missing issuer is fetched from the AIA caIssuers URL when the
 * revocation policy allows the network (at most 4 times).
 */
int lsi_trust_chain(const lsi_trust *t, X509 *signer, STACK_OF(X509) * carried, int64_t at,
                    lsi_report_sig *rs, STACK_OF(X509) * *chain)
{
    uint64_t trust = lsi_ctx_trust_generation(t->ctx);
    unsigned char key[32];
    STACK_OF(X509) * pool;
    int online = lsi_ctx_options(t->ctx)->revocation == LSIGN_REVOCATION_ONLINE;
    int ok = 0, err = 0;
    X509 *stuck = NULL;

    chain_key(signer, carried, key);
    if ((*chain = lsi_chain_cache_get(trust, key, at)) != NULL) {
        for (int i = 0; i < sk_X509_num(*chain); i++)
            lsi_report_sig_add_chain_cert(rs, sk_X509_value(*chain, i));
        return 1;
    }
    pool = untrusted_pool(t, carried);
    for (int attempt = 0; pool != NULL && attempt < 5; attempt++) {
        sk_X509_pop_free(*chain, X509_free);
        ok = try_chain(t, signer, pool, at, chain, &err, &stuck);
        if (ok || stuck == NULL || !online || attempt == 4 || !fetch_issuer(t, stuck, pool))
            break;
        X509_free(stuck);
        stuck = NULL;
    }
    X509_free(stuck);
    for (int i = 0; *chain != NULL && i < sk_X509_num(*chain); i++)
        lsi_report_sig_add_chain_cert(rs, sk_X509_value(*chain, i));
    if (ok)
        lsi_chain_cache_put(trust, key, *chain);
    else
        chain_failed(rs, err, at != (int64_t)time(NULL) ? at : 0);
    if (!ok || sk_X509_num(*chain) < 2) {
        sk_X509_pop_free(*chain, X509_free);
        *chain = NULL;
    }
    sk_X509_pop_free(pool, X509_free);
    return ok;
}

/* Evidence for the signer embedded in the /DSS, checked at `at`: 1 and *ev when found. */
static int embedded_evidence(const lsi_trust *t, X509 *cert, X509 *issuer,
                             STACK_OF(X509) * untrusted, int64_t at, lsi_rev_evidence *ev,
                             const char **source)
{
    if (t->evidence == NULL)
        return 0;
    for (size_t i = 0; i < t->evidence->nocsp; i++)
        if (lsi_ocsp_check(t->evidence->ocsps[i], t->evidence->ocsp_len[i], cert, issuer, untrusted,
                           t->store, NULL, at, ev) == LSIGN_OK) {
            *source = "OCSP response";
            return 1;
        }
    for (size_t i = 0; i < t->evidence->ncrl; i++)
        if (lsi_crl_check(t->evidence->crls[i], t->evidence->crl_len[i], cert, issuer, at, ev) ==
            LSIGN_OK) {
            *source = "CRL";
            return 1;
        }
    lsign_error_clear();
    return 0;
}

/* Online evidence when the context allows it. */
static int fetched_evidence(const lsi_trust *t, X509 *cert, X509 *issuer,
                            STACK_OF(X509) * untrusted, lsi_rev_evidence *ev, const char **source)
{
    lsi_rev_set set;
    int rc;

    memset(&set, 0, sizeof set);
    rc = lsi_rev_fetch(t->ctx, cert, issuer, untrusted, t->store, (int64_t)time(NULL),
                       LSI_REV_OCSP_FIRST, &set);
    if (rc == LSIGN_OK && set.count > 0) {
        *ev = set.items[0];
        memset(&set.items[0], 0, sizeof set.items[0]);
        *source = ev->is_ocsp ? "OCSP (fetched)" : "CRL (fetched)";
    }
    lsi_rev_set_free(&set);
    return rc == LSIGN_OK;
}

/* Revocation of the signer certificate; returns 1 when embedded evidence covers it (for B-LT). */
int lsi_trust_revocation(const lsi_trust *t, X509 *signer, STACK_OF(X509) * chain, int64_t poe,
                         lsi_report_sig *rs)
{
    int policy = lsi_ctx_options(t->ctx)->revocation;
    X509 *issuer = sk_X509_value(chain, 1);
    lsi_rev_evidence ev;
    const char *source = NULL;
    char embedded_source[96];
    int64_t at = poe != 0 ? poe : (int64_t)time(NULL);
    int embedded, found;

    memset(&ev, 0, sizeof ev);
    if (policy == LSIGN_REVOCATION_NONE) {
        lsi_report_sig_set_revocation(rs, LSI_REPORT_REV_NOT_CHECKED, NULL);
        return 0;
    }
    embedded = embedded_evidence(t, signer, issuer, chain, at, &ev, &source);
    if (embedded) {
        snprintf(embedded_source, sizeof embedded_source, "%s in %s", source, t->evidence_place);
        source = embedded_source;
    }
    found = embedded;
    if (!found && policy == LSIGN_REVOCATION_ONLINE) {
        found = fetched_evidence(t, signer, issuer, chain, &ev, &source);
        if (!found)
            lsi_report_sig_fail(rs, LSI_INDETERMINATE, LSI_SUB_TRY_LATER,
                                "revocation status unavailable: %s", lsign_last_error());
    }
    if (!found) {
        lsi_report_sig_set_revocation(rs, LSI_REPORT_REV_UNKNOWN, NULL);
        if (policy == LSIGN_REVOCATION_OFFLINE)
            lsi_report_sig_warn(rs, "no embedded revocation evidence for the signer (offline)");
    } else if (ev.status == LSI_REV_REVOKED) {
        lsi_report_sig_set_revocation(rs, LSI_REPORT_REV_REVOKED, source);
        if (poe == 0 || ev.revocation_time <= poe)
            lsi_report_sig_fail(rs, LSI_TOTAL_FAILED, LSI_SUB_REVOKED,
                                "the signer's certificate was revoked");
    } else {
        lsi_report_sig_set_revocation(
            rs, ev.status == LSI_REV_GOOD ? LSI_REPORT_REV_GOOD : LSI_REPORT_REV_UNKNOWN, source);
    }
    lsi_rev_evidence_clear(&ev);
    return embedded;
}

void lsi_trust_key_usage(X509 *cert, lsi_report_sig *rs)
{
    uint32_t ku = X509_get_key_usage(cert);

    if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
        lsi_report_sig_fail(rs, LSI_TOTAL_FAILED, LSI_SUB_SIG_CONSTRAINTS_FAILURE,
                            "the signer's key usage does not allow signatures");
}
