/*
 * lsign_pdf_verify(): every signature of a PDF judged as ETSI EN 319 102-1
 * describes it, into an lsign_report. Order per signature: structure and
 * cryptography (sigcheck.c), then proof of existence (timestamps), the
 * chain to an anchor at that time, revocation (embedded /DSS evidence, or
 * online when the context allows), and the level reached.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "cms/timestamp.h"
#include "core/certfile.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/stream.h"
#include "libsign/verify.h"
#include "net/http.h"
#include "pdf/document.h"
#include "revocation/revocation.h"
#include "validate/chaincache.h"
#include "validate/evidence_store.h"
#include "validate/modifications.h"
#include "validate/report.h"
#include "validate/sigcheck.h"

/* What one verification shares between its signatures. */
typedef struct session {
    const lsign_ctx *ctx;
    lsi_pdf_doc *doc;
    const lsi_input *in;
    X509_STORE *store;
    lsi_dss_items dss;
    lsi_report *report;
    lsi_sigcheck *checks; /* one per signature */
    lsi_pdf_sig *sigs;
    size_t count;
} session;

/* The length of the DER object at the start of /Contents, without its zero padding. */
static size_t der_length(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    long object_len = 0;
    int tag = 0, cls = 0;

    if (len > LONG_MAX || (ASN1_get_object(&p, &object_len, &tag, &cls, (long)len) & 0x80) != 0)
        return len;
    return (size_t)(p - der) + (size_t)object_len;
}

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

/* The signature timestamp's genTime when its token verifies over the signature value. */
static int64_t signature_timestamp(session *s, const lsi_sigcheck *c, const lsi_pdf_sig *sig,
                                   lsi_report_sig *rs)
{
    const unsigned char *contents, *p;
    unsigned char *value = NULL;
    size_t len, value_len = 0;
    PKCS7 *token;
    TS_VERIFY_CTX *v;
    TS_TST_INFO *info;
    char *tsa;
    int64_t when = 0;
    int ok;

    if (c->token == NULL || c->doc_timestamp ||
        !lsi_pdf_get_string(lsi_pdf_dict_get(sig->dict, "Contents"), &contents, &len) ||
        lsi_cms_signature_value(contents, der_length(contents, len), &value, &value_len) !=
            LSIGN_OK)
        return 0;
    p = c->token;
    token = d2i_PKCS7(NULL, &p, (long)c->token_len);
    if ((v = TS_VERIFY_CTX_new()) != NULL) {
        X509_STORE_up_ref(s->store); /* the verify context owns this reference */
        TS_VERIFY_CTX_set_store(v, s->store);
        TS_VERIFY_CTX_set_data(v, BIO_new_mem_buf(value, (int)value_len));
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
    free(value);
    return ok ? when : 0;
}

/*
 * Some signing tools write Vietnam's local time as if it were UTC: the
 * claimed time is then about 7 hours after the timestamp. Worth a warning
 * (the claim is wrong), not a failure (the timestamp is what counts).
 */
static void warn_local_time(int64_t claimed, int64_t stamped, lsi_report_sig *rs)
{
    const int64_t seven_hours = 7 * 3600, slack = 15 * 60;
    int64_t ahead = claimed - stamped;

    if (claimed > 0 && stamped > 0 && ahead > seven_hours - slack && ahead < seven_hours + slack)
        lsi_report_sig_warn(rs, "the claimed signing time is 7 hours after the timestamp: "
                                "Vietnam local time (UTC+7) written as UTC?");
}

/* The earliest proof that the signature existed: its own timestamp, or a later document timestamp.
 */
static int64_t proof_of_existence(session *s, size_t i, lsi_report_sig *rs)
{
    int64_t poe = signature_timestamp(s, &s->checks[i], &s->sigs[i], rs);

    warn_local_time(s->checks[i].claimed_time, poe, rs);

    for (size_t k = 0; k < s->count; k++) {
        const lsi_sigcheck *t = &s->checks[k];
        if (t->doc_timestamp && t->verdict == LSI_SC_OK && t->revision > s->checks[i].revision &&
            t->claimed_time > 0 && (poe == 0 || t->claimed_time < poe))
            poe = t->claimed_time;
    }
    return poe;
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
static STACK_OF(X509) * untrusted_pool(session *s, const lsi_sigcheck *c)
{
    STACK_OF(X509) *pool = lsi_ctx_intermediates(s->ctx);
    const STACK_OF(X509) * sources[] = {c->cms_certs, s->dss.certs};

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
static int fetch_issuer(session *s, X509 *cert, STACK_OF(X509) * pool)
{
    char *url = ca_issuers_url(cert);
    lsi_http_request req = {url, NULL, 0, NULL, NULL, NULL, NULL};
    unsigned char *body = NULL;
    size_t len = 0;
    const unsigned char *p;
    X509 *issuer;
    int added = 0;

    if (url != NULL && lsi_http_fetch(s->ctx, &req, &body, &len) == LSIGN_OK) {
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
static int try_chain(session *s, const lsi_sigcheck *c, STACK_OF(X509) * pool, int64_t at,
                     STACK_OF(X509) * *chain, int *err, X509 **stuck)
{
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    int ok = 0;

    *chain = NULL;
    *stuck = NULL;
    if (sctx != NULL && X509_STORE_CTX_init(sctx, s->store, c->signer, pool) == 1) {
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
static void chain_key(const lsi_sigcheck *c, unsigned char key[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    int len;

    memset(key, 0, 32);
    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return;
    }
    if ((len = i2d_X509(c->signer, &der)) > 0)
        EVP_DigestUpdate(md, der, (size_t)len);
    OPENSSL_free(der);
    for (int i = 0; c->cms_certs != NULL && i < sk_X509_num(c->cms_certs); i++) {
        der = NULL;
        if ((len = i2d_X509(sk_X509_value(c->cms_certs, i), &der)) > 0)
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
static int check_chain(session *s, const lsi_sigcheck *c, int64_t at, lsi_report_sig *rs,
                       STACK_OF(X509) * *chain)
{
    uint64_t trust = lsi_ctx_trust_generation(s->ctx);
    unsigned char key[32];
    STACK_OF(X509) * pool;
    int online = lsi_ctx_options(s->ctx)->revocation == LSIGN_REVOCATION_ONLINE;
    int ok = 0, err = 0;
    X509 *stuck = NULL;

    chain_key(c, key);
    if ((*chain = lsi_chain_cache_get(trust, key, at)) != NULL) {
        for (int i = 0; i < sk_X509_num(*chain); i++)
            lsi_report_sig_add_chain_cert(rs, sk_X509_value(*chain, i));
        return 1;
    }
    pool = untrusted_pool(s, c);
    for (int attempt = 0; pool != NULL && attempt < 5; attempt++) {
        sk_X509_pop_free(*chain, X509_free);
        ok = try_chain(s, c, pool, at, chain, &err, &stuck);
        if (ok || stuck == NULL || !online || attempt == 4 || !fetch_issuer(s, stuck, pool))
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
static int embedded_evidence(session *s, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted,
                             int64_t at, lsi_rev_evidence *ev, const char **source)
{
    for (size_t i = 0; i < s->dss.nocsp; i++)
        if (lsi_ocsp_check(s->dss.ocsps[i], s->dss.ocsp_len[i], cert, issuer, untrusted, s->store,
                           NULL, at, ev) == LSIGN_OK) {
            *source = "OCSP response in the /DSS";
            return 1;
        }
    for (size_t i = 0; i < s->dss.ncrl; i++)
        if (lsi_crl_check(s->dss.crls[i], s->dss.crl_len[i], cert, issuer, at, ev) == LSIGN_OK) {
            *source = "CRL in the /DSS";
            return 1;
        }
    lsign_error_clear();
    return 0;
}

/* Online evidence when the context allows it. */
static int fetched_evidence(session *s, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted,
                            lsi_rev_evidence *ev, const char **source)
{
    lsi_rev_set set;
    int rc;

    memset(&set, 0, sizeof set);
    rc = lsi_rev_fetch(s->ctx, cert, issuer, untrusted, s->store, (int64_t)time(NULL),
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
static int check_revocation(session *s, const lsi_sigcheck *c, STACK_OF(X509) * chain, int64_t poe,
                            lsi_report_sig *rs)
{
    int policy = lsi_ctx_options(s->ctx)->revocation;
    X509 *issuer = sk_X509_value(chain, 1);
    lsi_rev_evidence ev;
    const char *source = NULL;
    int64_t at = poe != 0 ? poe : (int64_t)time(NULL);
    int embedded, found;

    memset(&ev, 0, sizeof ev);
    if (policy == LSIGN_REVOCATION_NONE) {
        lsi_report_sig_set_revocation(rs, LSI_REPORT_REV_NOT_CHECKED, NULL);
        return 0;
    }
    embedded = embedded_evidence(s, c->signer, issuer, chain, at, &ev, &source);
    found = embedded;
    if (!found && policy == LSIGN_REVOCATION_ONLINE) {
        found = fetched_evidence(s, c->signer, issuer, chain, &ev, &source);
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

static void check_key_usage(X509 *cert, lsi_report_sig *rs)
{
    uint32_t ku = X509_get_key_usage(cert);

    if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
        lsi_report_sig_fail(rs, LSI_TOTAL_FAILED, LSI_SUB_SIG_CONSTRAINTS_FAILURE,
                            "the signer's key usage does not allow signatures");
}

static const char *verdict_sub(lsi_sc_verdict v)
{
    return v == LSI_SC_HASH_FAILURE         ? LSI_SUB_HASH_FAILURE
           : v == LSI_SC_SIG_CRYPTO_FAILURE ? LSI_SUB_SIG_CRYPTO_FAILURE
                                            : LSI_SUB_FORMAT_FAILURE;
}

/* The level: B-T with a proof of existence, B-LT with embedded evidence, B-LTA with a later doc
 * timestamp. */
static const char *level_of(const session *s, size_t i, int64_t poe, int embedded)
{
    int later_doc_ts = 0;

    for (size_t k = 0; k < s->count; k++)
        later_doc_ts |= s->checks[k].doc_timestamp && s->checks[k].verdict == LSI_SC_OK &&
                        s->dss.revision != SIZE_MAX && s->checks[k].revision > s->dss.revision;
    if (s->checks[i].doc_timestamp)
        return NULL;
    if (poe == 0)
        return "B-B";
    if (!embedded)
        return "B-T";
    return later_doc_ts ? "B-LTA" : "B-LT";
}

/* The certification level in force for signature i: that of a certifying signature not after it. */
static int docmdp_for(session *s, size_t i)
{
    int level = 0;

    for (size_t k = 0; k <= i; k++) {
        int p = lsi_mods_docmdp_level(s->doc, s->sigs[k].dict);
        if (p > 0 && (level == 0 || p < level))
            level = p;
    }
    return level;
}

/*
 * A signature that failed its own checks still gets its changes analysed,
 * to say what an attack did: from where its ByteRange ends, else from the
 * last revision before its gap (wrapping moves the ranges). Best effort.
 */
static int analyse_broken(session *s, size_t i, lsi_mods *m)
{
    const int64_t *r = s->checks[i].range;
    size_t rev = SIZE_MAX;
    lsi_mods before;

    memset(&before, 0, sizeof before);
    if (r[2] + r[3] <= 0 || (uint64_t)(r[2] + r[3]) > s->in->len)
        return LSIGN_OK;
    if (lsi_mods_analyse_prefix(s->doc, s->in->data, s->in->len, (size_t)(r[2] + r[3]),
                                docmdp_for(s, i), m) != LSIGN_OK)
        lsi_mods_clear(m);
    for (size_t k = 0; k < lsi_pdf_doc_revision_count(s->doc); k++)
        if (lsi_pdf_doc_revision(s->doc, k)->end <= (uint64_t)r[1])
            rev = k;
    if (rev != SIZE_MAX &&
        lsi_mods_analyse(s->doc, s->in->data, s->in->len, rev, docmdp_for(s, i), &before) ==
            LSIGN_OK &&
        before.verdict > m->verdict) {
        lsi_mods_clear(m);
        *m = before;
        memset(&before, 0, sizeof before);
    }
    lsi_mods_clear(&before);
    lsign_error_clear();
    return LSIGN_OK;
}

/* What later revisions changed; DISALLOWED changes fail the signature (ISA, SWA, shadow attacks).
 */
static int analyse_changes(session *s, size_t i, lsi_report_sig *rs)
{
    lsi_mods m;
    int rc;

    memset(&m, 0, sizeof m);
    rc = s->checks[i].verdict == LSI_SC_OK
             ? lsi_mods_analyse(s->doc, s->in->data, s->in->len, s->checks[i].revision,
                                docmdp_for(s, i), &m)
             : analyse_broken(s, i, &m);
    if (rc != LSIGN_OK)
        return rc;
    lsi_report_sig_set_modifications(rs, m.verdict);
    for (size_t k = 0; k < m.count; k++)
        lsi_report_sig_add_modification(rs, "%s", m.details[k]);
    if (m.verdict == LSI_MODS_DISALLOWED)
        lsi_report_sig_fail(rs, LSI_TOTAL_FAILED, NULL,
                            "the document was changed after this signature in ways it does not "
                            "allow");
    lsi_mods_clear(&m);
    return LSIGN_OK;
}

static int judge(session *s, size_t i)
{
    const lsi_sigcheck *c = &s->checks[i];
    lsi_report_sig *rs = lsi_report_add_signature(s->report);
    STACK_OF(X509) *chain = NULL;
    int64_t poe;
    int embedded = 0;

    if (rs == NULL)
        return lsi_error_nomem();
    lsi_report_sig_set_field(rs, s->sigs[i].field);
    if (c->range[1] != 0 || c->range[2] != 0)
        lsi_report_sig_set_byte_range(rs, c->range);
    lsi_report_sig_set_covers_whole_document(rs, c->covers_whole_document);
    if (c->digest_nid != 0)
        lsi_report_sig_set_digest_algorithm(rs, OBJ_nid2sn(c->digest_nid));
    if (c->claimed_time > 0)
        lsi_report_sig_set_signing_time(rs, (time_t)c->claimed_time);
    if (c->signer != NULL)
        lsi_report_sig_set_signer_cert(rs, c->signer);
    if (analyse_changes(s, i, rs) != LSIGN_OK)
        return lsign_last_error_code();
    if (c->verdict != LSI_SC_OK)
        return lsi_report_sig_fail(rs, LSI_TOTAL_FAILED, verdict_sub(c->verdict), "%s", c->reason);
    poe = c->doc_timestamp ? c->claimed_time : proof_of_existence(s, i, rs);
    check_key_usage(c->signer, rs);
    if (check_chain(s, c, poe != 0 ? poe : (int64_t)time(NULL), rs, &chain) && chain != NULL)
        embedded = check_revocation(s, c, chain, poe, rs);
    lsi_report_sig_set_level(rs, level_of(s, i, poe, embedded));
    sk_X509_pop_free(chain, X509_free);
    return LSIGN_OK;
}

static int check_all(session *s)
{
    int rc = lsi_pdf_signatures(s->doc, &s->sigs, &s->count);

    if (rc == LSIGN_OK && s->count > 0 && (s->checks = calloc(s->count, sizeof *s->checks)) == NULL)
        rc = lsi_error_nomem();
    for (size_t i = 0; i < s->count && rc == LSIGN_OK; i++)
        rc = lsi_sigcheck_run(s->doc, s->in->data, s->in->len, &s->sigs[i], &s->checks[i]);
    if (rc == LSIGN_OK)
        rc = lsi_dss_read(s->doc, &s->dss);
    for (size_t i = 0; i < s->count && rc == LSIGN_OK; i++)
        rc = judge(s, i);
    return rc;
}

static void session_free(session *s)
{
    for (size_t i = 0; s->checks != NULL && i < s->count; i++)
        lsi_sigcheck_clear(&s->checks[i]);
    free(s->checks);
    lsi_pdf_signatures_free(s->sigs, s->count);
    lsi_dss_items_free(&s->dss);
    X509_STORE_free(s->store);
    lsi_pdf_doc_free(s->doc);
}

int lsign_pdf_verify(lsign_ctx *ctx, lsign_input *input, const char *name, lsign_report **report)
{
    session s;
    int rc;

    if (input == NULL || report == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_pdf_verify: NULL input or report");
    *report = NULL;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.in = lsi_input_of(input);
    s.store = lsi_ctx_trust_store(ctx);
    s.report = lsi_report_new(name != NULL ? name : "", "pdf", lsi_ctx_language(ctx));
    rc = s.store != NULL && s.report != NULL ? LSIGN_OK : lsi_error_nomem();
    if (rc == LSIGN_OK)
        rc = lsi_pdf_doc_open(s.in->data, s.in->len, ctx, &s.doc);
    if (rc == LSIGN_OK)
        rc = check_all(&s);
    if (rc == LSIGN_OK) {
        lsi_report_finish(s.report);
        *report = s.report;
        s.report = NULL;
    }
    lsign_report_free(s.report);
    session_free(&s);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("PDF verification");
}
