/* Reading certificates from files: PEM bundles and single DER certificates. */
#ifndef LSI_CORE_CERTFILE_H
#define LSI_CORE_CERTFILE_H

#include <openssl/x509.h>

/*
 * Reads every certificate of `path` (a PEM bundle, or one DER certificate)
 * into a new stack, in file order. All or nothing: on any malformed entry
 * nothing is returned.
 * Returns LSIGN_OK, LSIGN_E_IO, LSIGN_E_PARSE (also for a file with no
 * certificate) or LSIGN_E_NOMEM, with the error message naming `path`.
 */
int lsi_certs_read_file(const char *path, STACK_OF(X509) **out);

#endif
