#include "keys/p11module.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "core/error.h"

#define P11KIT_PROXY "p11-kit-proxy.so"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static lsi_p11_module *registry[16];

const char *lsi_p11_module_choose(const char *explicit_path, const char *uri_path)
{
    const char *env = getenv("LIBSIGN_PKCS11_MODULE");

    if (explicit_path != NULL && explicit_path[0] != '\0')
        return explicit_path;
    if (uri_path != NULL && uri_path[0] != '\0')
        return uri_path;
    if (env != NULL && env[0] != '\0')
        return env;
    return P11KIT_PROXY;
}

static int enumerate_locked(lsi_p11_module *mod)
{
    if (mod->ctx == NULL) /* a reload failed earlier; lsi_p11_module_refresh_locked() retries it */
        return lsi_error(LSIGN_E_TOKEN, "PKCS#11 module '%s' is not loaded", mod->path);
    if (mod->slots != NULL)
        PKCS11_release_all_slots(mod->ctx, mod->slots, mod->nslots);
    mod->slots = NULL;
    mod->nslots = 0;
    mod->generation++;
    if (PKCS11_enumerate_slots(mod->ctx, &mod->slots, &mod->nslots) != 0) {
        /* libp11 may hand back the slots it did read before failing. */
        if (mod->slots != NULL)
            PKCS11_release_all_slots(mod->ctx, mod->slots, mod->nslots);
        mod->slots = NULL;
        mod->nslots = 0;
        return lsi_error_openssl(LSIGN_E_TOKEN, "PKCS#11 module '%s': cannot list slots",
                                 mod->path);
    }
    return LSIGN_OK;
}

/* Our own handle on the module's function list; libp11 has already initialised it. */
static int bind_function_list(lsi_p11_module *mod)
{
    CK_C_GetFunctionList get;

    mod->dl = dlopen(mod->path, RTLD_NOW | RTLD_LOCAL);
    if (mod->dl == NULL)
        return lsi_error(LSIGN_E_TOKEN, "PKCS#11 module '%s': %s", mod->path, dlerror());
    *(void **)&get = dlsym(mod->dl, "C_GetFunctionList");
    if (get == NULL || get(&mod->fl) != CKR_OK || mod->fl == NULL)
        return lsi_error(LSIGN_E_TOKEN, "PKCS#11 module '%s' has no usable C_GetFunctionList",
                         mod->path);
    return LSIGN_OK;
}

static void module_destroy(lsi_p11_module *mod)
{
    if (mod->slots != NULL)
        PKCS11_release_all_slots(mod->ctx, mod->slots, mod->nslots);
    if (mod->ctx != NULL) {
        PKCS11_CTX_unload(mod->ctx);
        PKCS11_CTX_free(mod->ctx);
    }
    if (mod->dl != NULL)
        dlclose(mod->dl);
    pthread_mutex_destroy(&mod->lock);
    pthread_rwlock_destroy(&mod->use);
    free(mod->path);
    free(mod);
}

static int module_load(const char *path, lsi_p11_module **out)
{
    lsi_p11_module *mod = calloc(1, sizeof *mod);
    int rc;

    if (mod == NULL || (mod->path = strdup(path)) == NULL) {
        free(mod);
        return lsi_error_nomem();
    }
    pthread_mutex_init(&mod->lock, NULL);
    pthread_rwlock_init(&mod->use, NULL);
    mod->ctx = PKCS11_CTX_new();
    if (mod->ctx == NULL) {
        module_destroy(mod);
        return lsi_error_nomem();
    }
    if (PKCS11_CTX_load(mod->ctx, path) != 0) {
        PKCS11_CTX_free(mod->ctx);
        mod->ctx = NULL;
        module_destroy(mod);
        return lsi_error_openssl(LSIGN_E_TOKEN, "cannot load PKCS#11 module '%s'", path);
    }
    rc = bind_function_list(mod);
    if (rc == LSIGN_OK)
        rc = enumerate_locked(mod);
    if (rc != LSIGN_OK) {
        module_destroy(mod);
        return rc;
    }
    mod->refs = 1;
    *out = mod;
    return LSIGN_OK;
}

int lsi_p11_module_acquire(const char *path, lsi_p11_module **out)
{
    size_t free_slot = sizeof registry / sizeof registry[0];
    int rc = LSIGN_OK;

    *out = NULL;
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        if (registry[i] != NULL && strcmp(registry[i]->path, path) == 0) {
            registry[i]->refs++;
            *out = registry[i];
            break;
        }
        if (registry[i] == NULL && free_slot == sizeof registry / sizeof registry[0])
            free_slot = i;
    }
    if (*out == NULL) {
        if (free_slot == sizeof registry / sizeof registry[0])
            rc = lsi_error(LSIGN_E_LIMIT, "more than %zu PKCS#11 modules loaded at once",
                           sizeof registry / sizeof registry[0]);
        else if ((rc = module_load(path, out)) == LSIGN_OK)
            registry[free_slot] = *out;
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

void lsi_p11_module_release(lsi_p11_module *mod)
{
    if (mod == NULL)
        return;
    pthread_mutex_lock(&registry_lock);
    if (--mod->refs == 0) {
        for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
            if (registry[i] == mod)
                registry[i] = NULL;
        module_destroy(mod);
    }
    pthread_mutex_unlock(&registry_lock);
}

/* With mod->lock held and no thread inside the module: C_Finalize, then C_Initialize. */
static int reload_locked(lsi_p11_module *mod)
{
    PKCS11_CTX *fresh;

    if (mod->slots != NULL)
        PKCS11_release_all_slots(mod->ctx, mod->slots, mod->nslots);
    mod->slots = NULL;
    mod->nslots = 0;
    if (mod->ctx != NULL) {
        PKCS11_CTX_unload(mod->ctx);
        /* A fresh libp11 context: loading one twice leaks what the first load allocated. */
        PKCS11_CTX_free(mod->ctx);
        mod->ctx = NULL;
    }
    fresh = PKCS11_CTX_new();
    if (fresh == NULL)
        return lsi_error_nomem();
    if (PKCS11_CTX_load(fresh, mod->path) != 0) {
        PKCS11_CTX_free(fresh);
        return lsi_error_openssl(LSIGN_E_TOKEN, "cannot reload PKCS#11 module '%s'", mod->path);
    }
    mod->ctx = fresh;
    return LSIGN_OK;
}

int lsi_p11_module_refresh_locked(lsi_p11_module *mod)
{
    int rc;

    if (mod->ctx != NULL && enumerate_locked(mod) == LSIGN_OK && mod->nslots > 0)
        return LSIGN_OK;
    /* Some modules (SoftHSM among them) only see a re-inserted token after C_Finalize. */
    pthread_rwlock_wrlock(&mod->use);
    rc = reload_locked(mod);
    pthread_rwlock_unlock(&mod->use);
    return rc == LSIGN_OK ? enumerate_locked(mod) : rc;
}

void lsi_p11_module_enter(lsi_p11_module *mod)
{
    pthread_rwlock_rdlock(&mod->use);
}

void lsi_p11_module_leave(lsi_p11_module *mod)
{
    pthread_rwlock_unlock(&mod->use);
}

CK_RV lsi_p11_last_ckr(void)
{
    unsigned long e = ERR_peek_last_error();

    /* libp11 reports PKCS#11 failures in its "CKR" library with the CK_RV as the reason. */
    if (e == 0 || ERR_GET_LIB(e) != ERR_get_CKR_code())
        return 0;
    return (CK_RV)ERR_GET_REASON(e);
}

const char *lsi_ckr_name(CK_RV rv)
{
    static const struct {
        CK_RV rv;
        const char *name;
    } names[] = {
#define N(x) {x, #x}
        N(CKR_OK),
        N(CKR_CANCEL),
        N(CKR_HOST_MEMORY),
        N(CKR_SLOT_ID_INVALID),
        N(CKR_GENERAL_ERROR),
        N(CKR_FUNCTION_FAILED),
        N(CKR_ARGUMENTS_BAD),
        N(CKR_ATTRIBUTE_TYPE_INVALID),
        N(CKR_DATA_LEN_RANGE),
        N(CKR_DEVICE_ERROR),
        N(CKR_DEVICE_MEMORY),
        N(CKR_DEVICE_REMOVED),
        N(CKR_FUNCTION_CANCELED),
        N(CKR_FUNCTION_NOT_SUPPORTED),
        N(CKR_KEY_HANDLE_INVALID),
        N(CKR_KEY_TYPE_INCONSISTENT),
        N(CKR_KEY_FUNCTION_NOT_PERMITTED),
        N(CKR_MECHANISM_INVALID),
        N(CKR_MECHANISM_PARAM_INVALID),
        N(CKR_OBJECT_HANDLE_INVALID),
        N(CKR_OPERATION_ACTIVE),
        N(CKR_OPERATION_NOT_INITIALIZED),
        N(CKR_PIN_INCORRECT),
        N(CKR_PIN_INVALID),
        N(CKR_PIN_LEN_RANGE),
        N(CKR_PIN_EXPIRED),
        N(CKR_PIN_LOCKED),
        N(CKR_SESSION_CLOSED),
        N(CKR_SESSION_COUNT),
        N(CKR_SESSION_HANDLE_INVALID),
        N(CKR_TOKEN_NOT_PRESENT),
        N(CKR_TOKEN_NOT_RECOGNIZED),
        N(CKR_USER_ALREADY_LOGGED_IN),
        N(CKR_USER_NOT_LOGGED_IN),
        N(CKR_USER_PIN_NOT_INITIALIZED),
        N(CKR_USER_TYPE_INVALID),
        N(CKR_BUFFER_TOO_SMALL),
        N(CKR_CRYPTOKI_NOT_INITIALIZED),
        N(CKR_CRYPTOKI_ALREADY_INITIALIZED),
#undef N
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].rv == rv)
            return names[i].name;
    return "CKR_(unknown)";
}
