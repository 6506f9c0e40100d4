/*
 * Chains already validated, so that a service verifying many files signed
 * by the same officials does not build and check the same chain again: by
 * the context's trust anchors (their generation) and the signer
 * certificate, reused while the validation time lies inside every
 * certificate's validity. Bounded (least recently used out), thread-safe.
 */
#ifndef LSI_VALIDATE_CHAINCACHE_H
#define LSI_VALIDATE_CHAINCACHE_H

#include <stdint.h>

#include <openssl/x509.h>

#define LSI_CHAIN_CACHE_SIZE 256

/*
 * A validated chain for `key` at `at` (up-ref'd copy), or NULL. The key is
 * the caller's digest of everything the chain was built from (the signer
 * and the certificates the signature carries), so a signature carrying a
 * damaged or different certificate does not reuse another's chain.
 */
STACK_OF(X509) * lsi_chain_cache_get(uint64_t trust, const unsigned char key[32], int64_t at);

/* Remembers a chain (leaf first) that validated under `trust`, for `key`. */
void lsi_chain_cache_put(uint64_t trust, const unsigned char key[32], STACK_OF(X509) * chain);

/* Entries served and stored so far (for tests). */
void lsi_chain_cache_stats(uint64_t *hits, uint64_t *stores);

#endif
