/*
 * The revocation cache: a fixed array of slots searched linearly under one
 * mutex. 1024 slots of 32-byte keys are scanned in about a microsecond, far
 * below the cost of the signature check every hit is followed by, so a hash
 * table would buy nothing.
 */
#include "revocation/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/error.h"

struct slot {
    lsi_rev_cache_key key;
    unsigned char *der; /* NULL: the slot is free */
    size_t len;
    int64_t expires;
    uint64_t used; /* the cache's clock at the last put or hit: least recently used goes first */
};

struct lsi_rev_cache {
    pthread_mutex_t lock;
    struct slot *slots;
    size_t max_entries, max_bytes;
    size_t count, bytes;
    uint64_t clock;
};

static int digest_field(EVP_MD_CTX *md, const unsigned char *data, size_t len)
{
    unsigned char prefix[8];

    /* Length-prefixed, so that no two different field lists hash the same bytes. */
    for (int i = 0; i < 8; i++)
        prefix[i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    return EVP_DigestUpdate(md, prefix, sizeof prefix) && EVP_DigestUpdate(md, data, len);
}

int lsi_rev_cache_key_make(int is_ocsp, X509 *issuer, const ASN1_INTEGER *serial,
                           lsi_rev_cache_key *key)
{
    const ASN1_BIT_STRING *pub = X509_get0_pubkey_bitstr(issuer);
    const unsigned char *name = NULL;
    unsigned char kind[2] = {is_ocsp ? 'O' : 'C', 0};
    size_t name_len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok;

    if (serial != NULL)
        kind[1] = (unsigned char)ASN1_STRING_type(serial); /* the sign of the serial */
    ok = md != NULL && pub != NULL &&
         X509_NAME_get0_der(X509_get_subject_name(issuer), &name, &name_len) &&
         EVP_DigestInit_ex(md, EVP_sha256(), NULL) && digest_field(md, kind, sizeof kind) &&
         digest_field(md, name, name_len) &&
         digest_field(md, ASN1_STRING_get0_data(pub), (size_t)ASN1_STRING_length(pub)) &&
         (serial == NULL ||
          digest_field(md, ASN1_STRING_get0_data(serial), (size_t)ASN1_STRING_length(serial))) &&
         EVP_DigestFinal_ex(md, key->bytes, NULL);
    EVP_MD_CTX_free(md);
    return ok ? LSIGN_OK : lsi_error_openssl(LSIGN_E_CRYPTO, "revocation cache: cannot make a key");
}

int64_t lsi_rev_cache_expiry(int64_t next_update, int64_t now)
{
    return next_update != 0 ? next_update : now + LSI_REV_CACHE_TTL;
}

lsi_rev_cache *lsi_rev_cache_new(size_t max_entries, size_t max_bytes)
{
    lsi_rev_cache *cache = calloc(1, sizeof *cache);

    if (cache == NULL || max_entries == 0 ||
        (cache->slots = calloc(max_entries, sizeof *cache->slots)) == NULL ||
        pthread_mutex_init(&cache->lock, NULL) != 0) {
        if (cache != NULL)
            free(cache->slots);
        free(cache);
        return NULL;
    }
    cache->max_entries = max_entries;
    cache->max_bytes = max_bytes;
    return cache;
}

void lsi_rev_cache_free(lsi_rev_cache *cache)
{
    if (cache == NULL)
        return;
    for (size_t i = 0; i < cache->max_entries; i++)
        free(cache->slots[i].der);
    free(cache->slots);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

static lsi_rev_cache *shared;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

static void make_shared(void)
{
    shared = lsi_rev_cache_new(LSI_REV_CACHE_ENTRIES, LSI_REV_CACHE_BYTES);
}

lsi_rev_cache *lsi_rev_cache_shared(void)
{
    /* Never freed: threads may still use it while the process exits. */
    pthread_once(&shared_once, make_shared);
    return shared;
}

/* The slot holding `key`, or max_entries. Called with the lock held. */
static size_t find(const lsi_rev_cache *cache, const lsi_rev_cache_key *key)
{
    for (size_t i = 0; i < cache->max_entries; i++)
        if (cache->slots[i].der != NULL &&
            memcmp(cache->slots[i].key.bytes, key->bytes, sizeof key->bytes) == 0)
            return i;
    return cache->max_entries;
}

static void drop(lsi_rev_cache *cache, size_t i)
{
    struct slot *s = &cache->slots[i];

    cache->count--;
    cache->bytes -= s->len;
    free(s->der);
    memset(s, 0, sizeof *s);
}

/* An expired entry if there is one, else the least recently used. */
static size_t victim(const lsi_rev_cache *cache, int64_t now)
{
    size_t best = cache->max_entries;

    for (size_t i = 0; i < cache->max_entries; i++) {
        const struct slot *s = &cache->slots[i];

        if (s->der == NULL)
            continue;
        if (s->expires <= now)
            return i;
        if (best == cache->max_entries || s->used < cache->slots[best].used)
            best = i;
    }
    return best;
}

/* Stores `copy` (taken over) in a free slot, evicting until it fits. Lock held. */
static void insert(lsi_rev_cache *cache, const lsi_rev_cache_key *key, unsigned char *copy,
                   size_t len, int64_t expires, int64_t now)
{
    size_t i = find(cache, key);

    if (i < cache->max_entries)
        drop(cache, i);
    while (cache->count == cache->max_entries || cache->bytes + len > cache->max_bytes)
        drop(cache, victim(cache, now));
    for (i = 0; cache->slots[i].der != NULL; i++)
        ;
    cache->slots[i] = (struct slot){*key, copy, len, expires, ++cache->clock};
    cache->count++;
    cache->bytes += len;
}

int lsi_rev_cache_put(lsi_rev_cache *cache, const lsi_rev_cache_key *key, const unsigned char *der,
                      size_t len, int64_t expires, int64_t now)
{
    unsigned char *copy;

    if (cache == NULL || len == 0 || len > cache->max_bytes || expires <= now)
        return LSIGN_OK;
    copy = malloc(len);
    if (copy == NULL)
        return lsi_error_nomem();
    memcpy(copy, der, len);
    pthread_mutex_lock(&cache->lock);
    insert(cache, key, copy, len, expires, now);
    pthread_mutex_unlock(&cache->lock);
    return LSIGN_OK;
}

/* Copies the fresh entry of `key` out. Lock held. */
static int lookup(lsi_rev_cache *cache, const lsi_rev_cache_key *key, int64_t now,
                  unsigned char **der, size_t *len)
{
    size_t i = find(cache, key);
    struct slot *s;

    if (i == cache->max_entries)
        return 0;
    s = &cache->slots[i];
    if (s->expires <= now) {
        drop(cache, i);
        return 0;
    }
    *der = malloc(s->len);
    if (*der == NULL)
        return lsi_error_nomem();
    memcpy(*der, s->der, s->len);
    *len = s->len;
    s->used = ++cache->clock;
    return 1;
}

int lsi_rev_cache_get(lsi_rev_cache *cache, const lsi_rev_cache_key *key, int64_t now,
                      unsigned char **der, size_t *len)
{
    int found;

    *der = NULL;
    *len = 0;
    if (cache == NULL)
        return 0;
    pthread_mutex_lock(&cache->lock);
    found = lookup(cache, key, now, der, len);
    pthread_mutex_unlock(&cache->lock);
    return found;
}

void lsi_rev_cache_remove(lsi_rev_cache *cache, const lsi_rev_cache_key *key)
{
    size_t i;

    if (cache == NULL)
        return;
    pthread_mutex_lock(&cache->lock);
    i = find(cache, key);
    if (i < cache->max_entries)
        drop(cache, i);
    pthread_mutex_unlock(&cache->lock);
}

size_t lsi_rev_cache_count(lsi_rev_cache *cache)
{
    size_t n;

    if (cache == NULL)
        return 0;
    pthread_mutex_lock(&cache->lock);
    n = cache->count;
    pthread_mutex_unlock(&cache->lock);
    return n;
}

size_t lsi_rev_cache_bytes(lsi_rev_cache *cache)
{
    size_t n;

    if (cache == NULL)
        return 0;
    pthread_mutex_lock(&cache->lock);
    n = cache->bytes;
    pthread_mutex_unlock(&cache->lock);
    return n;
}
