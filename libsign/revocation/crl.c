/* Checking a CRL (RFC 5280 section 5) for one certificate. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/error.h"
#include "revocation/internal.h"

/* Parses all of `der`: trailing bytes are refused, the evidence is exactly what was checked. */
static int parse_crl(const unsigned char *der, size_t len, X509_CRL **crl)
{
    const unsigned char *p = der;

    if (der == NULL || len == 0 || len > LONG_MAX)
        return lsi_error(LSIGN_E_PARSE, "CRL: %zu bytes", len);
    *crl = d2i_X509_CRL(NULL, &p, (long)len);
    if (*crl == NULL)
        return lsi_error_openssl(LSIGN_E_PARSE, "CRL: not a DER CertificateList");
    if (p != der + len) {
        X509_CRL_free(*crl);
        *crl = NULL;
        return lsi_error(LSIGN_E_PARSE, "CRL: %zu bytes after its end", (size_t)(der + len - p));
    }
    return LSIGN_OK;
}

/* The CRL must come from the certificate's issuer, be allowed to, and be signed by its key. */
static int check_signature(X509_CRL *crl, X509 *issuer, const char *subject)
{
    char name[512];
    EVP_PKEY *key = X509_get0_pubkey(issuer);

    lsi_rev_subject(issuer, name, sizeof name);
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
        return lsi_error(LSIGN_E_CRYPTO, "CRL: not issued by %s, the issuer of %s", name, subject);
    /* X509_get_key_usage gives all bits when the extension is absent. */
    if (!(X509_get_key_usage(issuer) & KU_CRL_SIGN))
        return lsi_error(LSIGN_E_CRYPTO, "CRL: the keyUsage of %s does not allow cRLSign", name);
    if (key == NULL || X509_CRL_verify(crl, key) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO,
                                 "CRL: the signature does not verify with the key of %s", name);
    return LSIGN_OK;
}

/*
 * Delta CRLs and issuing distribution points change what a CRL covers; we
 * only read complete, direct CRLs. A critical extension we do not know makes
 * the CRL unusable (RFC 5280 5.2).
 */
static int check_crl_extensions(X509_CRL *crl)
{
    for (int i = 0; i < X509_CRL_get_ext_count(crl); i++) {
        X509_EXTENSION *ext = X509_CRL_get_ext(crl, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));

        if (nid == NID_delta_crl)
            return lsi_error(LSIGN_E_UNSUPPORTED, "CRL: delta CRLs are not supported");
        if (nid == NID_issuing_distribution_point)
            return lsi_error(LSIGN_E_UNSUPPORTED,
                             "CRL: issuing distribution points (partitioned or indirect CRLs) "
                             "are not supported");
        if (X509_EXTENSION_get_critical(ext) && nid != NID_crl_number &&
            nid != NID_authority_key_identifier)
            return lsi_error(LSIGN_E_UNSUPPORTED, "CRL: unknown critical extension (NID %d)", nid);
    }
    return LSIGN_OK;
}

/* Entries may carry critical extensions too (certificateIssuer: an indirect CRL). */
static int check_entry_extensions(X509_CRL *crl)
{
    STACK_OF(X509_REVOKED) *entries = X509_CRL_get_REVOKED(crl);

    for (int i = 0; i < sk_X509_REVOKED_num(entries); i++) {
        const STACK_OF(X509_EXTENSION) *exts =
            X509_REVOKED_get0_extensions(sk_X509_REVOKED_value(entries, i));

        for (int j = 0; j < sk_X509_EXTENSION_num(exts); j++)
            if (X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(exts, j)))
                return lsi_error(LSIGN_E_UNSUPPORTED,
                                 "CRL: entry %d has a critical extension (indirect CRL?)", i + 1);
    }
    return LSIGN_OK;
}

static int read_times(X509_CRL *crl, const char *subject, int64_t at, lsi_rev_evidence *out)
{
    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
    char what[600];

    if (!lsi_rev_time(X509_CRL_get0_lastUpdate(crl), &out->this_update) ||
        (next != NULL && !lsi_rev_time(next, &out->next_update)))
        return lsi_error(LSIGN_E_PARSE, "CRL: unreadable thisUpdate or nextUpdate");
    snprintf(what, sizeof what, "CRL for %s", subject);
    return lsi_rev_check_window(what, out->this_update, out->next_update, at);
}

/* The CRLReason of an entry, -1 when absent or unreadable. */
static int entry_reason(X509_REVOKED *entry)
{
    int crit = 0;
    ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, NULL);
    int64_t value = -1;

    if (reason == NULL || !ASN1_ENUMERATED_get_int64(&value, reason) || value < 0 || value > 10)
        value = -1;
    ASN1_ENUMERATED_free(reason);
    return (int)value;
}

static int find_entry(X509_CRL *crl, X509 *cert, lsi_rev_evidence *out)
{
    X509_REVOKED *entry = NULL;
    int found = X509_CRL_get0_by_serial(crl, &entry, X509_get0_serialNumber(cert));

    if (found == 2) /* removeFromCRL belongs in delta CRLs, which are refused above */
        return lsi_error(LSIGN_E_UNSUPPORTED, "CRL: a removeFromCRL entry in a complete CRL");
    if (found == 0) {
        out->status = LSI_REV_GOOD;
        out->reason = -1;
        return LSIGN_OK;
    }
    if (!lsi_rev_time(X509_REVOKED_get0_revocationDate(entry), &out->revocation_time))
        return lsi_error(LSIGN_E_PARSE, "CRL: unreadable revocation date");
    out->status = LSI_REV_REVOKED;
    out->reason = entry_reason(entry);
    return LSIGN_OK;
}

/* Some CAs publish their CRL in PEM: keep the DER inside, the form a DSS holds */
int lsi_rev_crl_der(unsigned char **der, size_t *len)
{
    static const char begin[] = "-----BEGIN X509 CRL-----";
    unsigned char *data = NULL, *copy;
    long n = 0;
    BIO *bio;
    int ok;

    if (*len < sizeof begin - 1 || memcmp(*der, begin, sizeof begin - 1) != 0)
        return LSIGN_OK;
    if (*len > INT_MAX || (bio = BIO_new_mem_buf(*der, (int)*len)) == NULL)
        return lsi_error(LSIGN_E_PARSE, "CRL: PEM of %zu bytes", *len);
    ok = PEM_bytes_read_bio(&data, &n, NULL, PEM_STRING_X509_CRL, bio, NULL, NULL) && n > 0;
    BIO_free(bio);
    copy = ok ? malloc((size_t)n) : NULL;
    if (copy != NULL)
        memcpy(copy, data, (size_t)n);
    OPENSSL_free(data);
    if (copy == NULL)
        return ok ? lsi_error_nomem() : lsi_error_openssl(LSIGN_E_PARSE, "CRL: unreadable PEM");
    free(*der);
    *der = copy;
    *len = (size_t)n;
    return LSIGN_OK;
}

static int check_crl(X509_CRL *crl, X509 *cert, X509 *issuer, const char *subject, int64_t at,
                     lsi_rev_evidence *e)
{
    int rc;

    if ((rc = check_crl_extensions(crl)) != LSIGN_OK ||
        (rc = check_entry_extensions(crl)) != LSIGN_OK ||
        (rc = check_signature(crl, issuer, subject)) != LSIGN_OK ||
        (rc = read_times(crl, subject, at, e)) != LSIGN_OK)
        return rc;
    return find_entry(crl, cert, e);
}

int lsi_crl_check(const unsigned char *der, size_t len, X509 *cert, X509 *issuer, int64_t at,
                  lsi_rev_evidence *out)
{
    X509_CRL *crl = NULL;
    lsi_rev_evidence e = {0};
    char subject[512];
    int rc;

    memset(out, 0, sizeof *out);
    if (cert == NULL || issuer == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_crl_check: cert or issuer is NULL");
    lsi_rev_subject(cert, subject, sizeof subject);
    if (X509_check_issued(issuer, cert) != X509_V_OK)
        return lsi_error(LSIGN_E_CRYPTO, "CRL: the issuer given did not issue %s", subject);
    if ((rc = parse_crl(der, len, &crl)) == LSIGN_OK &&
        (rc = check_crl(crl, cert, issuer, subject, at, &e)) == LSIGN_OK)
        rc = lsi_rev_evidence_fill(&e, 0, der, len, issuer, cert);
    X509_CRL_free(crl);
    if (rc != LSIGN_OK) {
        lsi_rev_evidence_clear(&e);
        return rc;
    }
    *out = e;
    return LSIGN_OK;
}
