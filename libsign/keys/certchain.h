/* The signer's certificate chain: ordering it, and checking the certificate before signing. */
#ifndef LSI_KEYS_CERTCHAIN_H
#define LSI_KEYS_CERTCHAIN_H

#include <time.h>

#include <openssl/x509.h>

/*
 * Orders the issuers of `cert` found in `pool` leaf to root into a new
 * stack (without `cert`; each certificate up-referenced). Stops at a
 * self-signed certificate or when no issuer is in the pool. Never fails for a
 * missing issuer: validators complete chains from their own stores.
 */
int lsi_chain_build(X509 *cert, STACK_OF(X509) * pool, STACK_OF(X509) * *chain);

/*
 * Refuses a certificate that cannot sign at `when`: not yet valid, expired,
 * or with a keyUsage that has neither digitalSignature nor nonRepudiation.
 * Returns LSIGN_OK or LSIGN_E_POLICY with the reason and dates.
 */
int lsi_cert_check_for_signing(X509 *cert, time_t when);

#endif
