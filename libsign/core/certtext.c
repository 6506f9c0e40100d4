/* A certificate's texts for reports, attached once to shared certificates (see certtext.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/certfile.h"
#include "core/certtext.h"

static int ex_index = -1;
static pthread_once_t ex_once = PTHREAD_ONCE_INIT;

static void free_attached(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                          void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    if (ptr == NULL) /* called for every certificate freed, with texts or without */
        return;
    lsi_cert_text_clear(ptr);
    free(ptr);
}

static void make_index(void)
{
    ex_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_X509, 0, NULL, NULL, NULL, free_attached);
}

/* Lower-case hex of `len` bytes into a new string. */
static char *hex(const unsigned char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = malloc(len * 2 + 1);

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[len * 2] = '\0';
    return out;
}

static char *cert_sha256(const X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (!X509_digest(cert, EVP_sha256(), md, &md_len))
        return NULL;
    return hex(md, md_len);
}

static char *cert_serial(const X509 *cert)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *text, *copy;

    if (bn == NULL)
        return NULL;
    text = BN_bn2hex(bn);
    BN_free(bn);
    if (text == NULL)
        return NULL;
    copy = strdup(text);
    OPENSSL_free(text);
    for (char *p = copy; p != NULL && *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    return copy;
}

static int make(const X509 *cert, lsi_cert_text *t)
{
    t->subject = lsi_name_utf8(X509_get_subject_name(cert));
    t->issuer = lsi_name_utf8(X509_get_issuer_name(cert));
    t->serial = cert_serial(cert);
    t->sha256 = cert_sha256(cert);
    if (t->subject != NULL && t->issuer != NULL && t->serial != NULL && t->sha256 != NULL)
        return 1;
    lsi_cert_text_clear(t);
    ERR_clear_error();
    return 0;
}

const lsi_cert_text *lsi_cert_text_of(const X509 *cert, lsi_cert_text *scratch)
{
    const lsi_cert_text *attached;

    memset(scratch, 0, sizeof *scratch);
    pthread_once(&ex_once, make_index);
    if (ex_index >= 0 && (attached = X509_get_ex_data(cert, ex_index)) != NULL)
        return attached;
    return make(cert, scratch) ? scratch : NULL;
}

void lsi_cert_text_attach(X509 *cert)
{
    lsi_cert_text *t;

    pthread_once(&ex_once, make_index);
    if (ex_index < 0 || X509_get_ex_data(cert, ex_index) != NULL ||
        (t = calloc(1, sizeof *t)) == NULL)
        return;
    if (!make(cert, t) || !X509_set_ex_data(cert, ex_index, t)) {
        lsi_cert_text_clear(t);
        free(t);
        ERR_clear_error();
    }
}

void lsi_cert_text_clear(lsi_cert_text *t)
{
    free(t->subject);
    free(t->issuer);
    free(t->serial);
    free(t->sha256);
    memset(t, 0, sizeof *t);
}
