#include "core/certfile.h"
#include "core/certtext.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/error.h"

/* Trust bundles are small; anything larger is not a certificate file. */
#define MAX_CERT_FILE_BYTES (16L * 1024 * 1024)

static int read_whole_file(const char *path, unsigned char **data, long *len)
{
    FILE *f = fopen(path, "rb");
    long size;

    if (f == NULL)
        return lsi_error(LSIGN_E_IO, "cannot open '%s': %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return lsi_error(LSIGN_E_IO, "cannot read '%s': not a regular file", path);
    }
    if (size > MAX_CERT_FILE_BYTES) {
        fclose(f);
        return lsi_error(LSIGN_E_LIMIT, "'%s' is %ld bytes, more than a certificate file may be",
                         path, size);
    }
    *data = OPENSSL_malloc((size_t)size + 1);
    if (*data == NULL) {
        fclose(f);
        return lsi_error_nomem();
    }
    if (fread(*data, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        OPENSSL_free(*data);
        return lsi_error(LSIGN_E_IO, "cannot read '%s'", path);
    }
    fclose(f);
    *len = size;
    return LSIGN_OK;
}

static int looks_like_pem(const unsigned char *data, long len)
{
    static const char marker[] = "-----BEGIN";
    long i;

    for (i = 0; i + (long)sizeof marker - 1 <= len; i++)
        if (memcmp(data + i, marker, sizeof marker - 1) == 0)
            return 1;
    return 0;
}

static int read_pem(const char *path, const unsigned char *data, long len, STACK_OF(X509) * certs)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    X509 *cert;
    unsigned long err;

    if (bio == NULL)
        return lsi_error_nomem();
    ERR_clear_error();
    while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(certs, cert)) {
            X509_free(cert);
            BIO_free(bio);
            return lsi_error_nomem();
        }
    }
    BIO_free(bio);
    /* Running out of PEM blocks ends the loop with "no start line": that is EOF. */
    err = ERR_peek_last_error();
    if (err != 0 && ERR_GET_REASON(err) != PEM_R_NO_START_LINE)
        return lsi_error_openssl(LSIGN_E_PARSE, "'%s': certificate %d is malformed", path,
                                 sk_X509_num(certs) + 1);
    ERR_clear_error();
    return LSIGN_OK;
}

static int read_der(const char *path, const unsigned char *data, long len, STACK_OF(X509) * certs)
{
    const unsigned char *p = data;
    X509 *cert = d2i_X509(NULL, &p, len);

    if (cert == NULL || p != data + len) {
        X509_free(cert);
        return lsi_error_openssl(LSIGN_E_PARSE, "'%s' is neither PEM nor a DER certificate", path);
    }
    if (!sk_X509_push(certs, cert)) {
        X509_free(cert);
        return lsi_error_nomem();
    }
    return LSIGN_OK;
}

void lsi_cert_prepare_shared(X509 *cert)
{
    /* Purpose -1: no check, only the extension cache (the result does not matter). */
    (void)X509_check_purpose(cert, -1, 0);
    ERR_clear_error();
    lsi_cert_text_attach(cert);
}

int lsi_certs_read_file(const char *path, STACK_OF(X509) * *out)
{
    unsigned char *data = NULL;
    long len = 0;
    STACK_OF(X509) * certs;
    int rc;

    *out = NULL;
    rc = read_whole_file(path, &data, &len);
    if (rc != LSIGN_OK)
        return rc;
    certs = sk_X509_new_null();
    if (certs == NULL) {
        OPENSSL_free(data);
        return lsi_error_nomem();
    }
    if (len == 0)
        rc = LSIGN_OK; /* reported below as "contains no certificate" */
    else if (looks_like_pem(data, len))
        rc = read_pem(path, data, len, certs);
    else
        rc = read_der(path, data, len, certs);
    OPENSSL_free(data);
    if (rc == LSIGN_OK && sk_X509_num(certs) == 0)
        rc = lsi_error(LSIGN_E_PARSE, "'%s' contains no certificate", path);
    if (rc != LSIGN_OK) {
        sk_X509_pop_free(certs, X509_free);
        return rc;
    }
    for (int i = 0; i < sk_X509_num(certs); i++)
        lsi_cert_prepare_shared(sk_X509_value(certs, i));
    *out = certs;
    return LSIGN_OK;
}

int lsi_certs_move(STACK_OF(X509) * to, STACK_OF(X509) * from)
{
    X509 *cert;

    while ((cert = sk_X509_shift(from)) != NULL) {
        if (!sk_X509_push(to, cert)) {
            X509_free(cert);
            return lsi_error_nomem();
        }
    }
    return LSIGN_OK;
}

char *lsi_name_utf8(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    /* RFC 2253 order (most specific first), ", " between parts, UTF-8 kept as is, never \\XX. */
    unsigned long flags =
        ((unsigned long)ASN1_STRFLGS_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB) |
        XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_DN_REV | XN_FLAG_FN_SN | XN_FLAG_DUMP_UNKNOWN_FIELDS;
    char *text = NULL, *data;
    long len;

    if (bio == NULL)
        return NULL;
    if (X509_NAME_print_ex(bio, name, 0, flags) >= 0 && (len = BIO_get_mem_data(bio, &data)) >= 0) {
        text = malloc((size_t)len + 1);
        if (text != NULL) {
            memcpy(text, data, (size_t)len);
            text[len] = '\0';
        }
    }
    BIO_free(bio);
    return text;
}

int64_t lsi_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int64_t lsi_asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    /* ASN1_TIME_to_tm checks the format; timegm() is not POSIX, so compute it. */
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return lsi_days_from_civil((int64_t)tm.tm_year + 1900, (int64_t)tm.tm_mon + 1, tm.tm_mday) *
               86400 +
           (int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}
