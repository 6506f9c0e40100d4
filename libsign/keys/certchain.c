#include "keys/certchain.h"

#include <stdlib.h>

#include <openssl/x509v3.h>

#include "core/certfile.h"
#include "core/error.h"

#define MAX_CHAIN_DEPTH 16

static X509 *find_issuer(X509 *cert, STACK_OF(X509) * pool)
{
    for (int i = 0; i < sk_X509_num(pool); i++) {
        X509 *candidate = sk_X509_value(pool, i);

        if (X509_cmp(candidate, cert) != 0 && X509_check_issued(candidate, cert) == X509_V_OK)
            return candidate;
    }
    return NULL;
}

static int is_self_signed(X509 *cert)
{
    return X509_check_issued(cert, cert) == X509_V_OK;
}

int lsi_chain_build(X509 *cert, STACK_OF(X509) * pool, STACK_OF(X509) * *chain)
{
    X509 *current = cert, *issuer;

    *chain = sk_X509_new_null();
    if (*chain == NULL)
        return lsi_error_nomem();
    while (!is_self_signed(current) && sk_X509_num(*chain) < MAX_CHAIN_DEPTH &&
           (issuer = find_issuer(current, pool)) != NULL) {
        if (!sk_X509_push(*chain, issuer)) {
            sk_X509_pop_free(*chain, X509_free);
            *chain = NULL;
            return lsi_error_nomem();
        }
        X509_up_ref(issuer);
        current = issuer;
    }
    return LSIGN_OK;
}

static void format_time(const ASN1_TIME *t, char *buf, size_t size)
{
    struct tm tm;

    if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(buf, size, "(unreadable time)");
}

static int refuse(X509 *cert, const char *what, const ASN1_TIME *t)
{
    char *subject = lsi_name_utf8(X509_get_subject_name(cert));
    char when[64];

    format_time(t, when, sizeof when);
    lsi_error(LSIGN_E_POLICY,
              "certificate '%s' %s %s; signing refused (allow_invalid_cert "
              "overrides)",
              subject != NULL ? subject : "?", what, when);
    free(subject);
    return LSIGN_E_POLICY;
}

int lsi_cert_check_for_signing(X509 *cert, time_t when)
{
    uint32_t usage;

    if (X509_cmp_time(X509_get0_notBefore(cert), &when) >= 0)
        return refuse(cert, "is not valid before", X509_get0_notBefore(cert));
    if (X509_cmp_time(X509_get0_notAfter(cert), &when) <= 0)
        return refuse(cert, "expired on", X509_get0_notAfter(cert));
    usage = X509_get_key_usage(cert); /* UINT32_MAX when the extension is absent */
    if (!(usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
        char *subject = lsi_name_utf8(X509_get_subject_name(cert));

        lsi_error(LSIGN_E_POLICY,
                  "certificate '%s' does not allow signing: its keyUsage has "
                  "neither digitalSignature nor nonRepudiation",
                  subject != NULL ? subject : "?");
        free(subject);
        return LSIGN_E_POLICY;
    }
    return LSIGN_OK;
}
