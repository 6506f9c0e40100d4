/* Reading certificates from files: PEM bundles and single DER certificates. */
#ifndef LSI_CORE_CERTFILE_H
#define LSI_CORE_CERTFILE_H

#include <stdint.h>

#include <openssl/x509.h>

/*
 * Reads every certificate of `path` (a PEM bundle, or one DER certificate)
 * into a new stack, in file order. All or nothing: on any malformed entry
 * nothing is returned.
 * Returns LSIGN_OK, LSIGN_E_IO, LSIGN_E_PARSE (also for a file with no
 * certificate) or LSIGN_E_NOMEM, with the error message naming `path`.
 */
int lsi_certs_read_file(const char *path, STACK_OF(X509) * *out);

/*
 * Makes `cert` safe to share between threads that only read it: OpenSSL fills
 * a certificate's cache of decoded extensions (key identifiers, key usage,
 * ...) on first use, under its lock, while other threads read those fields
 * without the lock. Filling the cache before the certificate is shared
 * (trust anchors, intermediates, the process-wide decode cache) leaves
 * nothing to write later.
 */
void lsi_cert_prepare_shared(X509 *cert);

/* Moves every certificate of `from` to the end of `to`, leaving `from` empty. */
int lsi_certs_move(STACK_OF(X509) * to, STACK_OF(X509) * from);

/* A name as UTF-8 text, most specific first ("CN=..., O=..., C=VN"); free() it. NULL on failure. */
char *lsi_name_utf8(const X509_NAME *name);

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
int64_t lsi_days_from_civil(int64_t y, int64_t m, int64_t d);

/* An ASN1_TIME as seconds since 1970 (UTC); 0 when NULL or malformed. */
int64_t lsi_asn1_time(const ASN1_TIME *t);

#endif
