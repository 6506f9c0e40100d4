/*
 * A bounded, thread-safe cache of revocation answers, so that signing many
 * documents with the same certificates asks a responder once per freshness
 * period rather than once per document.
 *
 * It holds DER bytes only, never a verdict: every answer taken from it goes
 * through lsi_ocsp_check / lsi_crl_check again, against the caller's trust
 * store and time. That is why one process-wide cache (lsi_rev_cache_shared)
 * can serve every lsign_ctx safely. Internal; visible to tests.
 */
#ifndef LSI_REVOCATION_CACHE_H
#define LSI_REVOCATION_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define LSI_REV_CACHE_ENTRIES 1024                       /* of the shared cache */
#define LSI_REV_CACHE_BYTES   ((size_t)64 * 1024 * 1024) /* of the shared cache, all entries */
#define LSI_REV_CACHE_TTL     3600 /* seconds an answer without nextUpdate is reused */

/*
 * SHA-256 over the kind, the issuer's name and public key, and (OCSP) the
 * serial: a CRL covers every certificate of its issuer, an OCSP response one.
 * The key, not only the name, so that a CA that renewed its key under the
 * same name does not share entries with its predecessor.
 */
typedef struct lsi_rev_cache_key {
    unsigned char bytes[32];
} lsi_rev_cache_key;

typedef struct lsi_rev_cache lsi_rev_cache;

/* The key of an OCSP response about `serial`, or (serial NULL) of a CRL, of `issuer`. */
int lsi_rev_cache_key_make(int is_ocsp, X509 *issuer, const ASN1_INTEGER *serial,
                           lsi_rev_cache_key *key);

/*
 * When an answer with this nextUpdate (0: none), fetched at `now`, stops being
 * reused: at nextUpdate, or LSI_REV_CACHE_TTL later when it has none.
 */
int64_t lsi_rev_cache_expiry(int64_t next_update, int64_t now);

/* A cache of at most `max_entries` answers totalling at most `max_bytes`. NULL: no memory. */
lsi_rev_cache *lsi_rev_cache_new(size_t max_entries, size_t max_bytes);
void lsi_rev_cache_free(lsi_rev_cache *cache);

/*
 * The process-wide cache (LSI_REV_CACHE_ENTRIES, LSI_REV_CACHE_BYTES), made
 * on first use and kept until exit; NULL if it could not be made (then
 * nothing is cached). Every function below accepts a NULL cache.
 */
lsi_rev_cache *lsi_rev_cache_shared(void);

/*
 * Stores a copy of `der`, reusable while now < expires, replacing an entry of
 * the same key. When full (entries or bytes), drops expired entries first,
 * then the least recently used. An answer that is already expired, or larger
 * than the whole byte budget, is not stored. LSIGN_OK or LSIGN_E_NOMEM.
 */
int lsi_rev_cache_put(lsi_rev_cache *cache, const lsi_rev_cache_key *key, const unsigned char *der,
                      size_t len, int64_t expires, int64_t now);

/*
 * 1 and a malloc'd copy in *der / *len when an entry of `key` is still
 * fresh at `now` (an expired one is dropped); 0 when none; LSIGN_E_NOMEM.
 */
int lsi_rev_cache_get(lsi_rev_cache *cache, const lsi_rev_cache_key *key, int64_t now,
                      unsigned char **der, size_t *len);

/* Drops the entry of `key`, if any (an answer that no longer checks). */
void lsi_rev_cache_remove(lsi_rev_cache *cache, const lsi_rev_cache_key *key);

/* Number of entries and bytes held. */
size_t lsi_rev_cache_count(lsi_rev_cache *cache);
size_t lsi_rev_cache_bytes(lsi_rev_cache *cache);

#endif
