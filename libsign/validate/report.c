/*
 * lsign_report: the validation report (ETSI EN 319 102-1 statuses), filled
 * by the verifier through validate/report.h, read through
 * include/libsign/report.h, as JSON and as text in Vietnamese or English.
 */
#include "validate/report.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "core/certfile.h"
#include "core/certtext.h"
#include "core/grow.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "libsign/context.h"

typedef struct strlist {
    char **items;
    size_t count, cap;
} strlist;

typedef struct chain_cert {
    char *subject, *sha256;
} chain_cert;

/* What one reference of an XML signature covers, and the bytes its digest was computed over. */
typedef struct covered {
    char *uri, *kind, *path;
    unsigned char *content;
    size_t content_len;
} covered;

/* An ISO 8601 UTC time, "" when unset. */
typedef struct iso_time {
    int set;
    time_t t;
    char text[32];
} iso_time;

struct lsi_report_sig {
    char *field;
    lsi_status status;
    char *subindication;
    char *level;
    iso_time signing_time;
    char *subject, *issuer, *serial, *sha256;
    iso_time ts_time;
    char *ts_tsa;
    lsi_status ts_status;
    char *digest_algorithm;
    int has_byte_range;
    int64_t byte_range[4];
    int covers_whole_document;
    lsi_mods_verdict verdict;
    strlist mods;
    chain_cert *chain;
    size_t chain_len, chain_cap;
    lsi_revocation revocation;
    char *revocation_source;
    strlist errors, warnings;
    covered *covered;
    size_t covered_len, covered_cap;
};

struct lsign_report {
    char *file;
    const char *format; /* static: "pdf" or "xml" */
    int language;
    lsi_status status;
    char *subindication;
    lsi_report_sig **sigs;
    size_t count, cap;
    pthread_mutex_t lock; /* guards text, built lazily by readers */
    char *text;
};

/* ---- strings ---------------------------------------------------------------------------- */

/* A copy of `s` as valid UTF-8; NULL for NULL. Sets *rc to LSIGN_E_NOMEM on failure. */
static char *utf8_dup(const char *s, int *rc)
{
    lsi_strbuf b = {0};
    char *copy;

    if (s == NULL)
        return NULL;
    lsi_strbuf_utf8(&b, s);
    copy = lsi_strbuf_take(&b);
    if (copy == NULL)
        *rc = lsi_error_nomem();
    return copy;
}

/* Replaces *slot by a UTF-8-clean copy of `value` (NULL clears). */
static int set_string(char **slot, const char *value)
{
    int rc = LSIGN_OK;
    char *copy = utf8_dup(value, &rc);

    if (rc != LSIGN_OK)
        return rc;
    free(*slot);
    *slot = copy;
    return LSIGN_OK;
}

static char *vformat(const char *fmt, va_list ap) LSI_PRINTF(1, 0);

static char *vformat(const char *fmt, va_list ap)
{
    lsi_strbuf raw = {0};
    char *text, *clean;
    int rc = LSIGN_OK;

    lsi_strbuf_vprintf(&raw, fmt, ap);
    text = lsi_strbuf_take(&raw);
    if (text == NULL)
        return NULL;
    clean = utf8_dup(text, &rc);
    free(text);
    return clean;
}

static int strlist_vadd(strlist *l, const char *fmt, va_list ap) LSI_PRINTF(2, 0);

static int strlist_vadd(strlist *l, const char *fmt, va_list ap)
{
    char *item;

    if (LSI_RESERVE(l->items, l->cap, l->count) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    item = vformat(fmt, ap);
    if (item == NULL)
        return lsi_error_nomem();
    l->items[l->count++] = item;
    return LSIGN_OK;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
}

static const char *strlist_get(const strlist *l, size_t k)
{
    return k < l->count ? l->items[k] : NULL;
}

static void iso_set(iso_time *t, time_t value)
{
    struct tm tm;

    t->set = 1;
    t->t = value;
    if (gmtime_r(&value, &tm) == NULL ||
        strftime(t->text, sizeof t->text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        t->text[0] = '\0';
}

static const char *iso_get(const iso_time *t)
{
    return t->set ? t->text : NULL;
}

/* ---- names ------------------------------------------------------------------------------ */

const char *lsi_status_name(lsi_status status)
{
    switch (status) {
    case LSI_TOTAL_PASSED: return "TOTAL-PASSED";
    case LSI_INDETERMINATE: return "INDETERMINATE";
    case LSI_TOTAL_FAILED: return "TOTAL-FAILED";
    }
    return "INDETERMINATE";
}

static const char *verdict_name(lsi_mods_verdict v)
{
    switch (v) {
    case LSI_MODS_NONE: return "NONE";
    case LSI_MODS_ALLOWED: return "ALLOWED";
    case LSI_MODS_DISALLOWED: return "DISALLOWED";
    }
    return "DISALLOWED";
}

static const char *revocation_name(lsi_revocation r)
{
    switch (r) {
    case LSI_REPORT_REV_NOT_CHECKED: return "NOT_CHECKED";
    case LSI_REPORT_REV_GOOD: return "GOOD";
    case LSI_REPORT_REV_REVOKED: return "REVOKED";
    case LSI_REPORT_REV_UNKNOWN: return "UNKNOWN";
    }
    return "UNKNOWN";
}

/* ---- building --------------------------------------------------------------------------- */

lsi_report *lsi_report_new(const char *file, const char *format, int language)
{
    lsi_report *r;
    int rc = LSIGN_OK;

    if (format == NULL || (strcmp(format, "pdf") != 0 && strcmp(format, "xml") != 0)) {
        lsi_error(LSIGN_E_INVALID_ARG, "report: format must be \"pdf\" or \"xml\"");
        return NULL;
    }
    if (language != LSIGN_LANG_EN && language != LSIGN_LANG_VI) {
        lsi_error(LSIGN_E_INVALID_ARG, "report: unknown language %d", language);
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (r == NULL) {
        lsi_error_nomem();
        return NULL;
    }
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        lsi_error_nomem();
        return NULL;
    }
    r->file = utf8_dup(file != NULL ? file : "", &rc);
    if (rc != LSIGN_OK) {
        pthread_mutex_destroy(&r->lock);
        free(r);
        return NULL;
    }
    r->format = strcmp(format, "pdf") == 0 ? "pdf" : "xml";
    r->language = language;
    lsi_report_finish(r);
    return r;
}

static void sig_free(lsi_report_sig *sig)
{
    free(sig->field);
    free(sig->subindication);
    free(sig->level);
    free(sig->subject);
    free(sig->issuer);
    free(sig->serial);
    free(sig->sha256);
    free(sig->ts_tsa);
    free(sig->digest_algorithm);
    strlist_free(&sig->mods);
    for (size_t k = 0; k < sig->chain_len; k++) {
        free(sig->chain[k].subject);
        free(sig->chain[k].sha256);
    }
    free(sig->chain);
    for (size_t k = 0; k < sig->covered_len; k++) {
        free(sig->covered[k].uri);
        free(sig->covered[k].kind);
        free(sig->covered[k].path);
        free(sig->covered[k].content);
    }
    free(sig->covered);
    free(sig->revocation_source);
    strlist_free(&sig->errors);
    strlist_free(&sig->warnings);
    free(sig);
}

void lsign_report_free(lsign_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->count; i++)
        sig_free(r->sigs[i]);
    free(r->sigs);
    free(r->file);
    free(r->subindication);
    free(r->text);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

lsi_report_sig *lsi_report_add_signature(lsi_report *r)
{
    lsi_report_sig *sig;

    if (LSI_RESERVE(r->sigs, r->cap, r->count) != LSIGN_OK)
        return NULL;
    sig = calloc(1, sizeof *sig);
    if (sig == NULL) {
        lsi_error_nomem();
        return NULL;
    }
    sig->status = LSI_TOTAL_PASSED;
    sig->verdict = LSI_MODS_NONE;
    sig->revocation = LSI_REPORT_REV_NOT_CHECKED;
    r->sigs[r->count++] = sig;
    return sig;
}

/* A status out of the enum counts as the worst. */
static lsi_status checked_status(lsi_status status)
{
    return status == LSI_TOTAL_PASSED || status == LSI_INDETERMINATE ? status : LSI_TOTAL_FAILED;
}

int lsi_report_sig_fail(lsi_report_sig *sig, lsi_status status, const char *subindication,
                        const char *fmt, ...)
{
    va_list ap;
    int rc = LSIGN_OK;

    status = checked_status(status);
    if (status > sig->status) {
        sig->status = status;
        rc = set_string(&sig->subindication, subindication);
    } else if (status == sig->status && status != LSI_TOTAL_PASSED && sig->subindication == NULL) {
        rc = set_string(&sig->subindication, subindication);
    }
    va_start(ap, fmt);
    if (strlist_vadd(&sig->errors, fmt, ap) != LSIGN_OK)
        rc = LSIGN_E_NOMEM;
    va_end(ap);
    return rc;
}

int lsi_report_sig_warn(lsi_report_sig *sig, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = strlist_vadd(&sig->warnings, fmt, ap);
    va_end(ap);
    return rc;
}

lsi_status lsi_report_sig_status(const lsi_report_sig *sig)
{
    return sig->status;
}

int lsi_report_sig_set_field(lsi_report_sig *sig, const char *field)
{
    return set_string(&sig->field, field);
}

int lsi_report_sig_set_level(lsi_report_sig *sig, const char *level)
{
    static const char *const levels[] = {"B-B", "B-T", "B-LT", "B-LTA"};

    if (level == NULL)
        return set_string(&sig->level, NULL);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcmp(level, levels[i]) == 0)
            return set_string(&sig->level, level);
    return lsi_error(LSIGN_E_INVALID_ARG, "report: unknown PAdES level '%s'", level);
}

int lsi_report_sig_set_signing_time(lsi_report_sig *sig, time_t t)
{
    iso_set(&sig->signing_time, t);
    return LSIGN_OK;
}

int lsi_report_sig_set_signer(lsi_report_sig *sig, const char *subject, const char *issuer,
                              const char *serial_hex, const char *sha256_hex)
{
    int rc = set_string(&sig->subject, subject);

    if (rc == LSIGN_OK)
        rc = set_string(&sig->issuer, issuer);
    if (rc == LSIGN_OK)
        rc = set_string(&sig->serial, serial_hex);
    if (rc == LSIGN_OK)
        rc = set_string(&sig->sha256, sha256_hex);
    return rc;
}

int lsi_report_sig_set_signer_cert(lsi_report_sig *sig, X509 *cert)
{
    lsi_cert_text own;
    const lsi_cert_text *t = lsi_cert_text_of(cert, &own);
    int rc = t == NULL
                 ? lsi_error_nomem()
                 : lsi_report_sig_set_signer(sig, t->subject, t->issuer, t->serial, t->sha256);

    lsi_cert_text_clear(&own);
    return rc;
}

int lsi_report_sig_set_timestamp(lsi_report_sig *sig, time_t t, const char *tsa, lsi_status status)
{
    int rc = set_string(&sig->ts_tsa, tsa != NULL ? tsa : "");

    if (rc != LSIGN_OK)
        return rc;
    iso_set(&sig->ts_time, t);
    sig->ts_status = checked_status(status);
    return LSIGN_OK;
}

int lsi_report_sig_set_digest_algorithm(lsi_report_sig *sig, const char *name)
{
    return set_string(&sig->digest_algorithm, name);
}

int lsi_report_sig_set_byte_range(lsi_report_sig *sig, const int64_t br[4])
{
    memcpy(sig->byte_range, br, sizeof sig->byte_range);
    sig->has_byte_range = 1;
    return LSIGN_OK;
}

int lsi_report_sig_set_covers_whole_document(lsi_report_sig *sig, int covers)
{
    sig->covers_whole_document = covers != 0;
    return LSIGN_OK;
}

int lsi_report_sig_set_modifications(lsi_report_sig *sig, lsi_mods_verdict verdict)
{
    if (verdict != LSI_MODS_NONE && verdict != LSI_MODS_ALLOWED && verdict != LSI_MODS_DISALLOWED)
        return lsi_error(LSIGN_E_INVALID_ARG, "report: unknown modification verdict %d",
                         (int)verdict);
    sig->verdict = verdict;
    return LSIGN_OK;
}

int lsi_report_sig_add_modification(lsi_report_sig *sig, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = strlist_vadd(&sig->mods, fmt, ap);
    va_end(ap);
    return rc;
}

int lsi_report_sig_add_chain(lsi_report_sig *sig, const char *subject, const char *sha256_hex)
{
    chain_cert c = {0};
    int rc = LSIGN_OK;

    if (LSI_RESERVE(sig->chain, sig->chain_cap, sig->chain_len) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    c.subject = utf8_dup(subject != NULL ? subject : "", &rc);
    if (rc == LSIGN_OK)
        c.sha256 = utf8_dup(sha256_hex != NULL ? sha256_hex : "", &rc);
    if (rc != LSIGN_OK) {
        free(c.subject);
        return rc;
    }
    sig->chain[sig->chain_len++] = c;
    return LSIGN_OK;
}

int lsi_report_sig_add_covered(lsi_report_sig *sig, const char *uri, const char *kind,
                               const char *path, const unsigned char *content, size_t len)
{
    covered c = {0};
    int rc = LSIGN_OK;

    if (LSI_RESERVE(sig->covered, sig->covered_cap, sig->covered_len) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    c.uri = utf8_dup(uri != NULL ? uri : "", &rc);
    if (rc == LSIGN_OK)
        c.kind = utf8_dup(kind != NULL ? kind : "", &rc);
    if (rc == LSIGN_OK && path != NULL)
        c.path = utf8_dup(path, &rc);
    if (rc == LSIGN_OK && (c.content = malloc(len > 0 ? len : 1)) == NULL)
        rc = lsi_error_nomem();
    if (rc != LSIGN_OK) {
        free(c.uri);
        free(c.kind);
        free(c.path);
        return rc;
    }
    if (len > 0)
        memcpy(c.content, content, len);
    c.content_len = len;
    sig->covered[sig->covered_len++] = c;
    return LSIGN_OK;
}

int lsi_report_sig_add_chain_cert(lsi_report_sig *sig, X509 *cert)
{
    lsi_cert_text own;
    const lsi_cert_text *t = lsi_cert_text_of(cert, &own);
    int rc = t == NULL ? lsi_error_nomem() : lsi_report_sig_add_chain(sig, t->subject, t->sha256);

    lsi_cert_text_clear(&own);
    return rc;
}

int lsi_report_sig_set_revocation(lsi_report_sig *sig, lsi_revocation status, const char *source)
{
    if (status != LSI_REPORT_REV_NOT_CHECKED && status != LSI_REPORT_REV_GOOD &&
        status != LSI_REPORT_REV_REVOKED && status != LSI_REPORT_REV_UNKNOWN)
        return lsi_error(LSIGN_E_INVALID_ARG, "report: unknown revocation status %d", (int)status);
    sig->revocation = status;
    return set_string(&sig->revocation_source, source);
}

void lsi_report_finish(lsi_report *r)
{
    const char *sub = LSI_SUB_NO_SIGNATURE_FOUND;

    r->status = LSI_TOTAL_FAILED;
    if (r->count > 0) {
        r->status = LSI_TOTAL_PASSED;
        sub = NULL;
        for (size_t i = 0; i < r->count; i++) {
            if (r->sigs[i]->status > r->status) {
                r->status = r->sigs[i]->status;
                sub = r->sigs[i]->subindication;
            }
        }
    }
    free(r->subindication);
    r->subindication = sub != NULL ? strdup(sub) : NULL;
    /* Out of memory leaves the file without sub-indication, never with a better status. */
    pthread_mutex_lock(&r->lock);
    free(r->text);
    r->text = NULL;
    pthread_mutex_unlock(&r->lock);
}

void lsi_report_hand_over(lsi_report **r, lsign_report **out)
{
    lsi_report_finish(*r);
    *out = *r;
    *r = NULL;
}

/* ---- reading ---------------------------------------------------------------------------- */

static const lsi_report_sig *sig_at(const lsign_report *r, size_t i)
{
    return r != NULL && i < r->count ? r->sigs[i] : NULL;
}

/* Strings that are always present read as "" when unset. */
static const char *or_empty(const lsi_report_sig *sig, const char *s)
{
    return sig == NULL ? NULL : s != NULL ? s : "";
}

const char *lsign_report_file(const lsign_report *r)
{
    return r != NULL ? r->file : NULL;
}

const char *lsign_report_format(const lsign_report *r)
{
    return r != NULL ? r->format : NULL;
}

const char *lsign_report_status(const lsign_report *r)
{
    return r != NULL ? lsi_status_name(r->status) : NULL;
}

const char *lsign_report_subindication(const lsign_report *r)
{
    return r != NULL ? r->subindication : NULL;
}

size_t lsign_report_signature_count(const lsign_report *r)
{
    return r != NULL ? r->count : 0;
}

#define SIG_OR(r, i, fallback, expr)                                                               \
    const lsi_report_sig *sig = sig_at(r, i);                                                      \
    return sig == NULL ? (fallback) : (expr)

const char *lsign_report_sig_field(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, sig->field);
}

const char *lsign_report_sig_status(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, lsi_status_name(sig->status));
}

const char *lsign_report_sig_subindication(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, sig->subindication);
}

const char *lsign_report_sig_level(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, sig->level);
}

const char *lsign_report_sig_signing_time(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, iso_get(&sig->signing_time));
}

const char *lsign_report_sig_signer_subject(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, or_empty(sig, sig->subject));
}

const char *lsign_report_sig_signer_issuer(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, or_empty(sig, sig->issuer));
}

const char *lsign_report_sig_signer_serial(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, or_empty(sig, sig->serial));
}

const char *lsign_report_sig_signer_sha256(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, or_empty(sig, sig->sha256));
}

const char *lsign_report_sig_timestamp_time(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, iso_get(&sig->ts_time));
}

const char *lsign_report_sig_timestamp_tsa(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, sig->ts_time.set ? sig->ts_tsa : NULL);
}

const char *lsign_report_sig_timestamp_status(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, sig->ts_time.set ? lsi_status_name(sig->ts_status) : NULL);
}

const char *lsign_report_sig_digest_algorithm(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, or_empty(sig, sig->digest_algorithm));
}

int lsign_report_sig_byte_range(const lsign_report *r, size_t i, int64_t out[4])
{
    const lsi_report_sig *sig = sig_at(r, i);

    if (sig == NULL || out == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_report_sig_byte_range: no signature %zu", i);
    if (!sig->has_byte_range)
        return lsi_error(LSIGN_E_INVALID_ARG, "signature %zu has no ByteRange", i);
    memcpy(out, sig->byte_range, sizeof sig->byte_range);
    return LSIGN_OK;
}

int lsign_report_sig_covers_whole_document(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, -1, sig->covers_whole_document);
}

const char *lsign_report_sig_modifications_verdict(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, verdict_name(sig->verdict));
}

size_t lsign_report_sig_modification_count(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, 0, sig->mods.count);
}

const char *lsign_report_sig_modification(const lsign_report *r, size_t i, size_t k)
{
    SIG_OR(r, i, NULL, strlist_get(&sig->mods, k));
}

size_t lsign_report_sig_chain_length(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, 0, sig->chain_len);
}

const char *lsign_report_sig_chain_subject(const lsign_report *r, size_t i, size_t k)
{
    SIG_OR(r, i, NULL, k < sig->chain_len ? sig->chain[k].subject : NULL);
}

const char *lsign_report_sig_chain_sha256(const lsign_report *r, size_t i, size_t k)
{
    SIG_OR(r, i, NULL, k < sig->chain_len ? sig->chain[k].sha256 : NULL);
}

size_t lsign_report_sig_covered_count(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, 0, sig->covered_len);
}

const char *lsign_report_sig_covered_uri(const lsign_report *r, size_t i, size_t k)
{
    SIG_OR(r, i, NULL, k < sig->covered_len ? sig->covered[k].uri : NULL);
}

const char *lsign_report_sig_covered_kind(const lsign_report *r, size_t i, size_t k)
{
    SIG_OR(r, i, NULL, k < sig->covered_len ? sig->covered[k].kind : NULL);
}

const char *lsign_report_sig_covered_path(const lsign_report *r, size_t i, size_t k)
{
    SIG_OR(r, i, NULL, k < sig->covered_len ? sig->covered[k].path : NULL);
}

int lsign_report_sig_covered_content(const lsign_report *r, size_t i, size_t k,
                                     const unsigned char **data, size_t *len)
{
    const lsi_report_sig *sig = sig_at(r, i);

    if (sig == NULL || k >= sig->covered_len || data == NULL || len == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "lsign_report_sig_covered_content: no such reference");
    *data = sig->covered[k].content;
    *len = sig->covered[k].content_len;
    return LSIGN_OK;
}

const char *lsign_report_sig_revocation_status(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, revocation_name(sig->revocation));
}

const char *lsign_report_sig_revocation_source(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, NULL, sig->revocation_source);
}

size_t lsign_report_sig_error_count(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, 0, sig->errors.count);
}

const char *lsign_report_sig_error(const lsign_report *r, size_t i, size_t k)
{
    SIG_OR(r, i, NULL, strlist_get(&sig->errors, k));
}

size_t lsign_report_sig_warning_count(const lsign_report *r, size_t i)
{
    SIG_OR(r, i, 0, sig->warnings.count);
}

const char *lsign_report_sig_warning(const lsign_report *r, size_t i, size_t k)
{
    SIG_OR(r, i, NULL, strlist_get(&sig->warnings, k));
}

/* ---- JSON ------------------------------------------------------------------------------- */

/*
 * A JSON string: UTF-8 kept as is; '"', '\\' and control characters (C0, DEL,
 * C1) escaped as \uXXXX (or \" \\); bytes that are not UTF-8 become U+FFFD.
 */
static void json_strlist(lsi_strbuf *b, const strlist *l)
{
    lsi_strbuf_puts(b, "[");
    for (size_t k = 0; k < l->count; k++) {
        if (k > 0)
            lsi_strbuf_puts(b, ", ");
        lsi_json_str(b, l->items[k]);
    }
    lsi_strbuf_puts(b, "]");
}

static void json_sig(lsi_strbuf *b, const lsi_report_sig *sig, size_t index)
{
    lsi_strbuf_puts(b, "{");
    lsi_json_key(b, "index", 1);
    lsi_strbuf_printf(b, "%zu", index);
    lsi_json_key(b, "field", 0);
    lsi_json_str(b, sig->field);
    lsi_json_key(b, "status", 0);
    lsi_json_str(b, lsi_status_name(sig->status));
    lsi_json_key(b, "subindication", 0);
    lsi_json_str(b, sig->subindication);
    lsi_json_key(b, "level", 0);
    lsi_json_str(b, sig->level);

    lsi_json_key(b, "signer", 0);
    lsi_strbuf_puts(b, "{");
    lsi_json_key(b, "subject", 1);
    lsi_json_str(b, or_empty(sig, sig->subject));
    lsi_json_key(b, "issuer", 0);
    lsi_json_str(b, or_empty(sig, sig->issuer));
    lsi_json_key(b, "serial", 0);
    lsi_json_str(b, or_empty(sig, sig->serial));
    lsi_json_key(b, "sha256", 0);
    lsi_json_str(b, or_empty(sig, sig->sha256));
    lsi_strbuf_puts(b, "}");

    lsi_json_key(b, "signing_time", 0);
    lsi_json_str(b, iso_get(&sig->signing_time));
    lsi_json_key(b, "timestamp", 0);
    if (sig->ts_time.set) {
        lsi_strbuf_puts(b, "{");
        lsi_json_key(b, "time", 1);
        lsi_json_str(b, sig->ts_time.text);
        lsi_json_key(b, "tsa", 0);
        lsi_json_str(b, or_empty(sig, sig->ts_tsa));
        lsi_json_key(b, "status", 0);
        lsi_json_str(b, lsi_status_name(sig->ts_status));
        lsi_strbuf_puts(b, "}");
    } else {
        lsi_strbuf_puts(b, "null");
    }
    lsi_json_key(b, "digest_algorithm", 0);
    lsi_json_str(b, or_empty(sig, sig->digest_algorithm));
    lsi_json_key(b, "byte_range", 0);
    if (sig->has_byte_range)
        lsi_strbuf_printf(b, "[%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 "]",
                          sig->byte_range[0], sig->byte_range[1], sig->byte_range[2],
                          sig->byte_range[3]);
    else
        lsi_strbuf_puts(b, "null");
    lsi_json_key(b, "covers_whole_document", 0);
    lsi_strbuf_puts(b, sig->covers_whole_document ? "true" : "false");

    lsi_json_key(b, "modifications", 0);
    lsi_strbuf_puts(b, "{");
    lsi_json_key(b, "verdict", 1);
    lsi_json_str(b, verdict_name(sig->verdict));
    lsi_json_key(b, "details", 0);
    json_strlist(b, &sig->mods);
    lsi_strbuf_puts(b, "}");

    lsi_json_key(b, "chain", 0);
    lsi_strbuf_puts(b, "[");
    for (size_t k = 0; k < sig->chain_len; k++) {
        if (k > 0)
            lsi_strbuf_puts(b, ", ");
        lsi_strbuf_puts(b, "{");
        lsi_json_key(b, "subject", 1);
        lsi_json_str(b, sig->chain[k].subject);
        lsi_json_key(b, "sha256", 0);
        lsi_json_str(b, sig->chain[k].sha256);
        lsi_strbuf_puts(b, "}");
    }
    lsi_strbuf_puts(b, "]");

    lsi_json_key(b, "covered", 0);
    lsi_strbuf_puts(b, "[");
    for (size_t k = 0; k < sig->covered_len; k++) {
        if (k > 0)
            lsi_strbuf_puts(b, ", ");
        lsi_strbuf_puts(b, "{");
        lsi_json_key(b, "uri", 1);
        lsi_json_str(b, sig->covered[k].uri);
        lsi_json_key(b, "kind", 0);
        lsi_json_str(b, sig->covered[k].kind);
        lsi_json_key(b, "path", 0);
        lsi_json_str(b, sig->covered[k].path);
        lsi_json_key(b, "length", 0);
        lsi_strbuf_printf(b, "%zu", sig->covered[k].content_len);
        lsi_strbuf_puts(b, "}");
    }
    lsi_strbuf_puts(b, "]");

    lsi_json_key(b, "revocation", 0);
    lsi_strbuf_puts(b, "{");
    lsi_json_key(b, "status", 1);
    lsi_json_str(b, revocation_name(sig->revocation));
    lsi_json_key(b, "source", 0);
    lsi_json_str(b, sig->revocation_source);
    lsi_strbuf_puts(b, "}");

    lsi_json_key(b, "errors", 0);
    json_strlist(b, &sig->errors);
    lsi_json_key(b, "warnings", 0);
    json_strlist(b, &sig->warnings);
    lsi_strbuf_puts(b, "}");
}

int lsign_report_json(const lsign_report *r, char **json, size_t *len)
{
    lsi_strbuf b = {0};

    if (json != NULL)
        *json = NULL;
    if (len != NULL)
        *len = 0;
    if (r == NULL || json == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_report_json: report or json is NULL");
    lsi_strbuf_puts(&b, "{");
    lsi_json_key(&b, "file", 1);
    lsi_json_str(&b, r->file);
    lsi_json_key(&b, "format", 0);
    lsi_json_str(&b, r->format);
    lsi_json_key(&b, "status", 0);
    lsi_json_str(&b, lsi_status_name(r->status));
    lsi_json_key(&b, "subindication", 0);
    lsi_json_str(&b, r->subindication);
    lsi_json_key(&b, "signatures", 0);
    lsi_strbuf_puts(&b, "[");
    for (size_t i = 0; i < r->count; i++) {
        if (i > 0)
            lsi_strbuf_puts(&b, ", ");
        json_sig(&b, r->sigs[i], i);
    }
    lsi_strbuf_puts(&b, "]}");
    if (b.failed) {
        free(b.data);
        return lsi_error_nomem();
    }
    *json = b.data;
    if (len != NULL)
        *len = b.len;
    return LSIGN_OK;
}

/* ---- text ------------------------------------------------------------------------------- */

/* Explanations of sub-indications: {code, Vietnamese, English}. */
static const char *const subindications[][3] = {
    {LSI_SUB_FORMAT_FAILURE, "chữ ký không đúng định dạng", "the signature is malformed"},
    {LSI_SUB_HASH_FAILURE, "tài liệu đã bị thay đổi sau khi ký, giá trị băm không khớp",
     "the document was changed after signing: digest mismatch"},
    {LSI_SUB_SIG_CRYPTO_FAILURE, "giá trị chữ ký không khớp với khóa công khai của người ký",
     "the signature value does not match the signer's public key"},
    {LSI_SUB_REVOKED, "chứng thư số của người ký đã bị thu hồi",
     "the signer's certificate is revoked"},
    {LSI_SUB_EXPIRED, "chứng thư số của người ký đã hết hạn",
     "the signer's certificate has expired"},
    {LSI_SUB_NOT_YET_VALID, "chứng thư số của người ký chưa có hiệu lực",
     "the signer's certificate is not yet valid"},
    {LSI_SUB_SIG_CONSTRAINTS_FAILURE, "chữ ký không đáp ứng yêu cầu của chính sách kiểm tra",
     "the signature does not meet the validation policy"},
    {LSI_SUB_CHAIN_CONSTRAINTS_FAILURE,
     "chuỗi chứng thư số không đáp ứng yêu cầu của chính sách kiểm tra",
     "the certificate chain does not meet the validation policy"},
    {LSI_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE, "không kiểm tra được chuỗi chứng thư số",
     "the certificate chain could not be checked"},
    {LSI_SUB_CRYPTO_CONSTRAINTS_FAILURE, "thuật toán mật mã không còn được chấp nhận",
     "a cryptographic algorithm is no longer accepted"},
    {LSI_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
     "thuật toán mật mã không còn được chấp nhận và không có bằng chứng thời điểm tồn tại của "
     "chữ ký",
     "a cryptographic algorithm is no longer accepted and there is no proof of existence"},
    {LSI_SUB_POLICY_PROCESSING_ERROR, "không xử lý được chính sách chữ ký",
     "the signature policy could not be processed"},
    {LSI_SUB_SIGNATURE_POLICY_NOT_AVAILABLE, "không có chính sách chữ ký",
     "the signature policy is not available"},
    {LSI_SUB_TIMESTAMP_ORDER_FAILURE, "thứ tự các dấu thời gian không hợp lệ",
     "the timestamps are out of order"},
    {LSI_SUB_NO_SIGNING_CERTIFICATE_FOUND, "không tìm thấy chứng thư số của người ký",
     "the signer's certificate was not found"},
    {LSI_SUB_NO_CERTIFICATE_CHAIN_FOUND,
     "không xây dựng được chuỗi chứng thư số đến chứng thư số gốc tin cậy",
     "no certificate chain to a trusted root was found"},
    {LSI_SUB_REVOKED_NO_POE,
     "chứng thư số của người ký đã bị thu hồi và không có bằng chứng chữ ký được tạo trước đó",
     "the signer's certificate is revoked and there is no proof that the signature existed "
     "before"},
    {LSI_SUB_REVOKED_CA_NO_POE,
     "chứng thư số của tổ chức cung cấp dịch vụ chứng thực đã bị thu hồi và không có bằng "
     "chứng thời điểm tồn tại của chữ ký",
     "a CA certificate is revoked and there is no proof of existence"},
    {LSI_SUB_OUT_OF_BOUNDS_NO_POE,
     "chứng thư số đã hết hạn hoặc chưa có hiệu lực và không có bằng chứng thời điểm tồn tại "
     "của chữ ký",
     "the certificate is outside its validity period and there is no proof of existence"},
    {LSI_SUB_OUT_OF_BOUNDS_NOT_REVOKED,
     "chứng thư số đã hết hạn, không bị thu hồi, và không có bằng chứng thời điểm tồn tại của "
     "chữ ký",
     "the certificate has expired, is not revoked, and there is no proof of existence"},
    {LSI_SUB_NO_POE, "không có bằng chứng về thời điểm tồn tại của chữ ký",
     "there is no proof of the signature's existence in time"},
    {LSI_SUB_TRY_LATER, "chưa có thông tin về tình trạng thu hồi, hãy kiểm tra lại sau",
     "revocation information is not available yet; try later"},
    {LSI_SUB_SIGNED_DATA_NOT_FOUND, "không tìm thấy dữ liệu được ký",
     "the signed data was not found"},
    {LSI_SUB_GENERIC, "lỗi khác", "other error"},
    {LSI_SUB_NO_SIGNATURE_FOUND, "không tìm thấy chữ ký số trong tài liệu",
     "the document holds no digital signature"},
};

typedef struct words {
    const char *status[3];    /* by lsi_status */
    const char *ts_status[3]; /* a timestamp's, by lsi_status */
    const char *result, *file, *count, *signature, *field, *signer, *issuer, *signing_time,
        *timestamp, *tsa, *level, *scope_whole, *scope_part, *mods, *mods_verdict[3], *revocation,
        *rev[4], *per, *reason, *error, *warning, *none, *covers;
} words;

static const words vi = {
    {"Chữ ký số hợp lệ", "Không xác định", "Chữ ký số không hợp lệ"},
    {"hợp lệ", "không xác định", "không hợp lệ"},
    "Kết quả kiểm tra",
    "Tệp",
    "Số chữ ký",
    "Chữ ký",
    "trường",
    "Người ký",
    "Tổ chức cấp chứng thư số",
    "Thời điểm ký",
    "Dấu thời gian",
    "do",
    "Mức chữ ký",
    "Phạm vi ký: toàn bộ tài liệu",
    "Phạm vi ký: một phần tài liệu, có nội dung được thêm sau khi ký",
    "Thay đổi sau khi ký",
    {"không có", "được phép", "không được phép"},
    "Tình trạng thu hồi chứng thư số",
    {"chưa kiểm tra", "chưa bị thu hồi", "đã bị thu hồi", "không xác định"},
    "theo",
    "Lý do",
    "Lỗi",
    "Cảnh báo",
    "không rõ",
    "Nội dung được ký",
};

static const words en = {
    {"Valid signature", "Indeterminate", "Invalid signature"},
    {"valid", "indeterminate", "invalid"},
    "Result",
    "File",
    "Signatures",
    "Signature",
    "field",
    "Signer",
    "Issuer",
    "Signing time",
    "Timestamp",
    "by",
    "Level",
    "Scope: the whole document",
    "Scope: part of the document, content was added after signing",
    "Changes after signing",
    {"none", "allowed", "not allowed"},
    "Certificate revocation",
    {"not checked", "not revoked", "revoked", "unknown"},
    "per",
    "Reason",
    "Error",
    "Warning",
    "unknown",
    "Signed content",
};

static void text_reason(lsi_strbuf *b, const char *indent, const words *w, int vietnamese,
                        const char *sub)
{
    const char *why = NULL;

    if (sub == NULL)
        return;
    for (size_t k = 0; k < sizeof subindications / sizeof subindications[0]; k++)
        if (strcmp(subindications[k][0], sub) == 0)
            why = subindications[k][vietnamese ? 1 : 2];
    if (why != NULL)
        lsi_strbuf_printf(b, "%s%s: %s (%s)\n", indent, w->reason, why, sub);
    else
        lsi_strbuf_printf(b, "%s%s: %s\n", indent, w->reason, sub);
}

/* Vietnamese text shows Vietnam time (UTC+07:00, as Decree 30/2020 asks), English UTC. */
static void text_time(lsi_strbuf *b, const iso_time *t, int vietnamese)
{
    time_t local = t->t + 7 * 3600;
    struct tm tm;
    char text[40];

    if (!vietnamese || gmtime_r(&local, &tm) == NULL ||
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S+07:00", &tm) == 0)
        lsi_strbuf_puts(b, t->text);
    else
        lsi_strbuf_puts(b, text);
}

/* What each reference of an XML signature covers: "#data (element /HDon[1]/DLHDon[1])". */
static void text_covered(lsi_strbuf *b, const lsi_report_sig *sig, const words *w)
{
    for (size_t k = 0; k < sig->covered_len; k++)
        lsi_strbuf_printf(b, "  %s: %s (%s%s%s)\n", w->covers,
                          *sig->covered[k].uri ? sig->covered[k].uri : "\"\"", sig->covered[k].kind,
                          sig->covered[k].path != NULL ? " " : "",
                          sig->covered[k].path != NULL ? sig->covered[k].path : "");
}

static void text_sig(lsi_strbuf *b, const lsi_report_sig *sig, size_t i, const words *w,
                     int vi_lang, int xml)
{
    lsi_strbuf_printf(b, "\n%s %zu", w->signature, i + 1);
    if (sig->field != NULL)
        lsi_strbuf_printf(b, " (%s %s)", w->field, sig->field);
    lsi_strbuf_printf(b, ": %s\n", w->status[sig->status]);
    lsi_strbuf_printf(b, "  %s: %s\n", w->signer,
                      sig->subject != NULL && *sig->subject ? sig->subject : w->none);
    if (sig->issuer != NULL && *sig->issuer)
        lsi_strbuf_printf(b, "  %s: %s\n", w->issuer, sig->issuer);
    if (sig->signing_time.set) {
        lsi_strbuf_printf(b, "  %s: ", w->signing_time);
        text_time(b, &sig->signing_time, vi_lang);
        lsi_strbuf_puts(b, "\n");
    }
    if (sig->ts_time.set) {
        lsi_strbuf_printf(b, "  %s: ", w->timestamp);
        text_time(b, &sig->ts_time, vi_lang);
        if (sig->ts_tsa != NULL && *sig->ts_tsa)
            lsi_strbuf_printf(b, ", %s %s", w->tsa, sig->ts_tsa);
        lsi_strbuf_printf(b, " (%s)\n", w->ts_status[sig->ts_status]);
    }
    if (sig->level != NULL)
        lsi_strbuf_printf(b, "  %s: %s %s\n", w->level, xml ? "XAdES" : "PAdES", sig->level);
    text_covered(b, sig, w);
    if (sig->has_byte_range)
        lsi_strbuf_printf(b, "  %s\n", sig->covers_whole_document ? w->scope_whole : w->scope_part);
    lsi_strbuf_printf(b, "  %s: %s\n", w->mods, w->mods_verdict[sig->verdict]);
    for (size_t k = 0; k < sig->mods.count; k++)
        lsi_strbuf_printf(b, "    - %s\n", sig->mods.items[k]);
    lsi_strbuf_printf(b, "  %s: %s", w->revocation, w->rev[sig->revocation]);
    if (sig->revocation_source != NULL)
        lsi_strbuf_printf(b, ", %s %s", w->per, sig->revocation_source);
    lsi_strbuf_puts(b, "\n");
    text_reason(b, "  ", w, vi_lang, sig->subindication);
    for (size_t k = 0; k < sig->errors.count; k++)
        lsi_strbuf_printf(b, "  %s: %s\n", w->error, sig->errors.items[k]);
    for (size_t k = 0; k < sig->warnings.count; k++)
        lsi_strbuf_printf(b, "  %s: %s\n", w->warning, sig->warnings.items[k]);
}

static char *build_text(const lsign_report *r)
{
    int vi_lang = r->language == LSIGN_LANG_VI;
    const words *w = vi_lang ? &vi : &en;
    lsi_strbuf b = {0};

    lsi_strbuf_printf(&b, "%s: %s\n", w->result, w->status[r->status]);
    text_reason(&b, "", w, vi_lang, r->subindication);
    lsi_strbuf_printf(&b, "%s: %s\n", w->file, r->file);
    lsi_strbuf_printf(&b, "%s: %zu\n", w->count, r->count);
    for (size_t i = 0; i < r->count; i++)
        text_sig(&b, r->sigs[i], i, w, vi_lang, strcmp(r->format, "xml") == 0);
    return lsi_strbuf_take(&b);
}

const char *lsign_report_text(const lsign_report *r)
{
    lsign_report *mut = (lsign_report *)r;
    const char *text;

    if (r == NULL)
        return NULL;
    pthread_mutex_lock(&mut->lock);
    if (mut->text == NULL)
        mut->text = build_text(r);
    text = mut->text;
    pthread_mutex_unlock(&mut->lock);
    if (text == NULL)
        lsi_error_nomem();
    return text;
}
