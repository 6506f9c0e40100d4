/*
 * PKCS#11 modules: one libp11 context per module path per process, shared
 * by every signer and listing that uses the module. Enumeration, login and
 * reloads happen under the module's lock.
 */
#ifndef LSI_KEYS_P11MODULE_H
#define LSI_KEYS_P11MODULE_H

#include <pthread.h>

#include <libp11.h>
#include <p11-kit/pkcs11.h>

typedef struct lsi_p11_module {
    char *path;
    PKCS11_CTX *ctx;
    /* The module's own function list, for the mechanisms libp11 does not offer. */
    CK_FUNCTION_LIST *fl;
    void *dl;
    /* Held shared by threads calling the module outside `lock` (signatures), exclusively
     * while the module is finalised and reloaded. Order: lock, then use. */
    pthread_rwlock_t use;
    pthread_mutex_t lock; /* guards everything below and all libp11 slot calls */
    PKCS11_SLOT *slots;
    unsigned int nslots;
    unsigned int generation; /* bumped on every re-enumeration or reload */
    int refs;                /* guarded by the registry lock */
} lsi_p11_module;

/*
 * Which module to use: `explicit_path`, else the URI's module-path, else
 * $LIBSIGN_PKCS11_MODULE, else p11-kit's proxy module. Never NULL.
 */
const char *lsi_p11_module_choose(const char *explicit_path, const char *uri_path);

/* Loads (or shares) the module at `path`, enumerated. Release with lsi_p11_module_release(). */
int lsi_p11_module_acquire(const char *path, lsi_p11_module **out);
void lsi_p11_module_release(lsi_p11_module *mod);

/*
 * With mod->lock held: enumerates the slots again; if that fails, finalises
 * and reloads the module (a removed and re-inserted token needs it).
 * Invalidates all PKCS11_SLOT/KEY/CERT pointers taken before.
 */
int lsi_p11_module_refresh_locked(lsi_p11_module *mod);

/* Brackets calls into the module made without mod->lock (a reload waits for them). */
void lsi_p11_module_enter(lsi_p11_module *mod);
void lsi_p11_module_leave(lsi_p11_module *mod);

/* Name of a PKCS#11 return value, e.g. "CKR_PIN_INCORRECT". */
const char *lsi_ckr_name(CK_RV rv);

/* The CK_RV libp11 left in OpenSSL's error queue for its last failure (0 if none). */
CK_RV lsi_p11_last_ckr(void);

#endif
