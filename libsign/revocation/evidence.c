/* Evidence and sets of evidence: ownership, times and names for messages. */
#include "revocation/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/certfile.h"
#include "core/error.h"
#include "core/grow.h"

void lsi_rev_evidence_clear(lsi_rev_evidence *e)
{
    if (e == NULL)
        return;
    free(e->der);
    X509_free(e->signer);
    X509_free(e->cert);
    memset(e, 0, sizeof *e);
}

void lsi_rev_set_free(lsi_rev_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++)
        lsi_rev_evidence_clear(&set->items[i]);
    free(set->items);
    sk_X509_pop_free(set->certs, X509_free);
    memset(set, 0, sizeof *set);
}

int lsi_rev_time(const ASN1_TIME *t, int64_t *out)
{
    *out = lsi_asn1_time(t);
    return *out != 0 || (t != NULL && ASN1_TIME_check(t) == 1);
}

void lsi_rev_time_str(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(buf, size, "(time %lld)", (long long)t);
}

void lsi_rev_subject(X509 *cert, char *buf, size_t size)
{
    char *name = lsi_name_utf8(X509_get_subject_name(cert));

    snprintf(buf, size, "%s", name != NULL ? name : "(unreadable subject)");
    free(name);
}

int lsi_rev_check_window(const char *what, int64_t this_update, int64_t next_update, int64_t at)
{
    char from[40], to[40], when[40];

    if (next_update != 0 && next_update < this_update)
        return lsi_error(LSIGN_E_CRYPTO, "%s: nextUpdate precedes thisUpdate", what);
    if (this_update - LSI_REV_SKEW <= at && (next_update == 0 || at <= next_update + LSI_REV_SKEW))
        return LSIGN_OK;
    lsi_rev_time_str(this_update, from, sizeof from);
    lsi_rev_time_str(at, when, sizeof when);
    if (next_update == 0)
        snprintf(to, sizeof to, "(no nextUpdate)");
    else
        lsi_rev_time_str(next_update, to, sizeof to);
    return lsi_error(LSIGN_E_CRYPTO, "%s is %s at %s: valid from %s to %s", what,
                     at < this_update ? "not yet valid" : "stale", when, from, to);
}

int lsi_rev_evidence_fill(lsi_rev_evidence *e, int is_ocsp, const unsigned char *der, size_t len,
                          X509 *signer, X509 *cert)
{
    e->der = malloc(len > 0 ? len : 1);
    if (e->der == NULL)
        return lsi_error_nomem();
    memcpy(e->der, der, len);
    e->der_len = len;
    e->is_ocsp = is_ocsp;
    if (signer != NULL && X509_up_ref(signer))
        e->signer = signer;
    if (cert != NULL && X509_up_ref(cert))
        e->cert = cert;
    return LSIGN_OK;
}

int lsi_rev_set_take(lsi_rev_set *set, lsi_rev_evidence *e)
{
    if (LSI_RESERVE(set->items, set->cap, set->count) != LSIGN_OK) {
        lsi_rev_evidence_clear(e);
        return LSIGN_E_NOMEM;
    }
    set->items[set->count++] = *e;
    memset(e, 0, sizeof *e);
    return LSIGN_OK;
}

int lsi_rev_set_add_cert(lsi_rev_set *set, X509 *cert)
{
    if (set->certs == NULL && (set->certs = sk_X509_new_null()) == NULL)
        return lsi_error_nomem();
    for (int i = 0; i < sk_X509_num(set->certs); i++)
        if (X509_cmp(sk_X509_value(set->certs, i), cert) == 0)
            return LSIGN_OK;
    if (!X509_add_cert(set->certs, cert, X509_ADD_FLAG_UP_REF))
        return lsi_error_nomem();
    return LSIGN_OK;
}

int lsi_rev_set_covers(const lsi_rev_set *set, X509 *cert)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].status != LSI_REV_UNKNOWN && set->items[i].cert != NULL &&
            X509_cmp(set->items[i].cert, cert) == 0)
            return 1;
    return 0;
}
