/*
 * What reports say about a certificate: its subject and issuer as UTF-8
 * text, its serial number and the SHA-256 of its DER, in lower-case hex.
 * Formatting them (X509_NAME_print_ex through a memory BIO, a digest) cost
 * 13% of a PDF verification, for the same few certificates in every
 * document; a certificate prepared for sharing (lsi_cert_prepare_shared())
 * carries them, made once.
 */
#ifndef LSI_CORE_CERTTEXT_H
#define LSI_CORE_CERTTEXT_H

#include <openssl/x509.h>

typedef struct lsi_cert_text {
    char *subject, *issuer, *serial, *sha256;
} lsi_cert_text;

/*
 * The texts of `cert`: those it carries, or else made into *scratch (which
 * the caller releases with lsi_cert_text_clear()). NULL when out of memory.
 */
const lsi_cert_text *lsi_cert_text_of(const X509 *cert, lsi_cert_text *scratch);

/* Makes the texts and attaches them to `cert`, which no other thread may see yet. */
void lsi_cert_text_attach(X509 *cert);

void lsi_cert_text_clear(lsi_cert_text *t);

#endif
