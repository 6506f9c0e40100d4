#include "validate/chaincache.h"

#include "core/certfile.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

typedef struct entry {
    uint64_t trust;
    unsigned char key[32];         /* the caller's digest of the chain's inputs */
    int64_t not_before, not_after; /* the chain's common validity */
    uint64_t used;                 /* for least-recently-used eviction */
    STACK_OF(X509) * chain;
} entry;

static entry cache[LSI_CHAIN_CACHE_SIZE];
static uint64_t clock_tick, hits, stores;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static STACK_OF(X509) * copy_chain(STACK_OF(X509) * chain)
{
    STACK_OF(X509) *copy = sk_X509_new_null();

    for (int i = 0; copy != NULL && i < sk_X509_num(chain); i++) {
        X509 *c = sk_X509_value(chain, i);
        if (X509_up_ref(c) && !sk_X509_push(copy, c))
            X509_free(c);
    }
    return copy;
}

STACK_OF(X509) * lsi_chain_cache_get(uint64_t trust, const unsigned char key[32], int64_t at)
{
    STACK_OF(X509) *found = NULL;

    if (trust == 0)
        return NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < LSI_CHAIN_CACHE_SIZE && found == NULL; i++) {
        entry *e = &cache[i];
        if (e->chain != NULL && e->trust == trust && memcmp(e->key, key, 32) == 0 &&
            at >= e->not_before && at <= e->not_after) {
            e->used = ++clock_tick;
            found = copy_chain(e->chain);
            hits++;
        }
    }
    pthread_mutex_unlock(&lock);
    return found;
}

void lsi_chain_cache_put(uint64_t trust, const unsigned char key[32], STACK_OF(X509) * chain)
{
    entry fresh = {trust, {0}, INT64_MIN, INT64_MAX, 0, NULL};
    size_t victim = 0;

    if (trust == 0 || sk_X509_num(chain) < 1)
        return;
    memcpy(fresh.key, key, 32);
    for (int i = 0; i < sk_X509_num(chain); i++) {
        int64_t nb = lsi_asn1_time(X509_get0_notBefore(sk_X509_value(chain, i)));
        int64_t na = lsi_asn1_time(X509_get0_notAfter(sk_X509_value(chain, i)));
        fresh.not_before = nb > fresh.not_before ? nb : fresh.not_before;
        fresh.not_after = na < fresh.not_after ? na : fresh.not_after;
    }
    if ((fresh.chain = copy_chain(chain)) == NULL)
        return;
    pthread_mutex_lock(&lock);
    for (size_t i = 1; i < LSI_CHAIN_CACHE_SIZE; i++)
        if (cache[i].used < cache[victim].used)
            victim = i;
    sk_X509_pop_free(cache[victim].chain, X509_free);
    fresh.used = ++clock_tick;
    cache[victim] = fresh;
    stores++;
    pthread_mutex_unlock(&lock);
}

void lsi_chain_cache_stats(uint64_t *h, uint64_t *s)
{
    pthread_mutex_lock(&lock);
    *h = hits;
    *s = stores;
    pthread_mutex_unlock(&lock);
}
