/* Decoded certificates by the SHA-256 of their DER (see certcache.h). */
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/sha.h>

#include "core/certcache.h"
#include "core/certfile.h"

typedef struct entry {
    unsigned char key[SHA256_DIGEST_LENGTH];
    uint64_t used; /* for least-recently-used eviction */
    X509 *cert;
} entry;

static entry cache[LSI_CERT_CACHE_SIZE];
static uint64_t clock_tick, hits, misses;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static X509 *lookup(const unsigned char key[SHA256_DIGEST_LENGTH])
{
    X509 *found = NULL;

    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < LSI_CERT_CACHE_SIZE && found == NULL; i++)
        if (cache[i].cert != NULL && memcmp(cache[i].key, key, SHA256_DIGEST_LENGTH) == 0 &&
            X509_up_ref(cache[i].cert)) {
            cache[i].used = ++clock_tick;
            found = cache[i].cert;
            hits++;
        }
    if (found == NULL)
        misses++;
    pthread_mutex_unlock(&lock);
    return found;
}

static void store(const unsigned char key[SHA256_DIGEST_LENGTH], X509 *cert)
{
    size_t victim = 0;
    X509 *old;

    if (!X509_up_ref(cert))
        return;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < LSI_CERT_CACHE_SIZE; i++) {
        if (cache[i].cert != NULL && memcmp(cache[i].key, key, SHA256_DIGEST_LENGTH) == 0) {
            victim = i; /* another thread stored it meanwhile: replace that one */
            break;
        }
        if (cache[i].cert == NULL || cache[i].used < cache[victim].used)
            victim = i;
        if (cache[i].cert == NULL)
            break;
    }
    old = cache[victim].cert;
    memcpy(cache[victim].key, key, SHA256_DIGEST_LENGTH);
    cache[victim].cert = cert;
    cache[victim].used = ++clock_tick;
    pthread_mutex_unlock(&lock);
    X509_free(old);
}

X509 *lsi_cert_decode(const unsigned char *der, size_t len)
{
    unsigned char key[SHA256_DIGEST_LENGTH];
    const unsigned char *p = der;
    X509 *cert;

    if (der == NULL || len == 0 || len > LONG_MAX || SHA256(der, len, key) == NULL)
        return NULL;
    if ((cert = lookup(key)) != NULL)
        return cert;
    if ((cert = d2i_X509(NULL, &p, (long)len)) == NULL) {
        ERR_clear_error();
        return NULL;
    }
    lsi_cert_prepare_shared(cert); /* before other threads can see it */
    store(key, cert);
    return cert;
}

void lsi_cert_cache_stats(uint64_t *hits_out, uint64_t *misses_out)
{
    pthread_mutex_lock(&lock);
    *hits_out = hits;
    *misses_out = misses;
    pthread_mutex_unlock(&lock);
}
