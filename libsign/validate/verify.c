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
#include "validate/trust.h"

/* What one verification shares between its signatures. */
typedef struct session {
    const lsign_ctx *ctx;
    lsi_pdf_doc *doc;
    const lsi_input *in;
    lsi_dss_items dss;
    lsi_trust trust; /* the store and the /DSS */
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

/* The signature timestamp's genTime when its token verifies over the signature value. */
static int64_t signature_timestamp(session *s, const lsi_sigcheck *c, const lsi_pdf_sig *sig,
                                   lsi_report_sig *rs)
{
    const unsigned char *contents;
    unsigned char *value = NULL;
    size_t len, value_len = 0;
    int64_t when;

    if (c->token == NULL || c->doc_timestamp ||
        !lsi_pdf_get_string(lsi_pdf_dict_get(sig->dict, "Contents"), &contents, &len) ||
        lsi_cms_signature_value(contents, der_length(contents, len), &value, &value_len) !=
            LSIGN_OK)
        return 0;
    when = lsi_trust_timestamp(&s->trust, c->token, c->token_len, value, value_len, rs);
    free(value);
    return when;
}

/* The earliest proof that the signature existed: its own timestamp, or a later document timestamp.
 */
static int64_t proof_of_existence(session *s, size_t i, lsi_report_sig *rs)
{
    int64_t poe = signature_timestamp(s, &s->checks[i], &s->sigs[i], rs);

    lsi_trust_warn_local_time(s->checks[i].claimed_time, poe, rs);

    for (size_t k = 0; k < s->count; k++) {
        const lsi_sigcheck *t = &s->checks[k];
        if (t->doc_timestamp && t->verdict == LSI_SC_OK && t->revision > s->checks[i].revision &&
            t->claimed_time > 0 && (poe == 0 || t->claimed_time < poe))
            poe = t->claimed_time;
    }
    return poe;
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
 * From before the gap the signature's own revision shows as allowed
 * additions, so that view is reported only when it finds a forbidden change.
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
        before.verdict == LSI_MODS_DISALLOWED && m->verdict != LSI_MODS_DISALLOWED) {
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
    lsi_trust_key_usage(c->signer, rs);
    if (lsi_trust_chain(&s->trust, c->signer, c->cms_certs, poe != 0 ? poe : (int64_t)time(NULL),
                        rs, &chain) &&
        chain != NULL)
        embedded = lsi_trust_revocation(&s->trust, c->signer, chain, poe, rs);
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
    X509_STORE_free(s->trust.store);
    lsi_pdf_doc_free(s->doc);
}

int lsign_pdf_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name,
                     lsign_report **report)
{
    session s;
    int rc;

    if (ctx == NULL || input == NULL || report == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_pdf_verify: NULL context, input or report");
    *report = NULL;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.in = lsi_input_of(input);
    s.trust.ctx = ctx;
    s.trust.store = lsi_ctx_trust_store(ctx);
    s.trust.evidence = &s.dss;
    s.trust.evidence_place = "the /DSS";
    s.report = lsi_report_new(name != NULL ? name : "", "pdf", lsi_ctx_language(ctx));
    rc = s.trust.store != NULL && s.report != NULL ? LSIGN_OK : lsi_error_nomem();
    if (rc == LSIGN_OK)
        rc = lsi_pdf_doc_open(s.in->data, s.in->len, ctx, &s.doc);
    if (rc == LSIGN_OK)
        rc = check_all(&s);
    if (rc == LSIGN_OK)
        lsi_report_hand_over(&s.report, report);
    lsign_report_free(s.report);
    session_free(&s);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("PDF verification");
}
