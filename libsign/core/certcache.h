/*
 * Certificates decoded once per process. A verifier meets the same signer
 * and CA certificates in document after document, and OpenSSL 3.0 decodes
 * each certificate's public key through its provider decoders: for an XML
 * signature that was 44% of the verification. Keyed by the SHA-256 of the
 * DER; bounded (least recently used out); thread-safe. A cached X509 is
 * shared, so callers must not modify it (they only read or verify).
 */
#ifndef LSI_CORE_CERTCACHE_H
#define LSI_CORE_CERTCACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define LSI_CERT_CACHE_SIZE 128

/* The certificate `der` holds (up-ref'd: X509_free() it), or NULL when it is not one. */
X509 *lsi_cert_decode(const unsigned char *der, size_t len);

/* Decodes served from the cache, and decodes done, so far (for tests). */
void lsi_cert_cache_stats(uint64_t *hits, uint64_t *misses);

#endif
