/*
 * Keys on PKCS#11 tokens. libp11 loads the module, enumerates, logs in and
 * finds keys and certificates; signatures are made with C_Sign on sessions
 * of our own, so that we choose the mechanism (CKM_RSA_PKCS over a
 * DigestInfo, CKM_RSA_PKCS_PSS natively, CKM_ECDSA), do the context-specific
 * login CKA_ALWAYS_AUTHENTICATE keys need right before each signature, and
 * see the exact CK_RV to recover from a removed token.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "core/ctx.h"
#include "core/error.h"
#include "keys/p11token.h"
#include "keys/sigformat.h"
#include "keys/signer_impl.h"

#define DEFAULT_PARALLEL_HSM 4

typedef struct p11key {
    const lsign_ctx *ctx; /* borrowed, for logging; may be NULL */
    lsi_p11_module *mod;
    lsi_p11uri *uri;
    lsi_pin_source *pins;
    char *token_label;
    /* Where the key is now; replaced by recovery, guarded by `lock`. */
    pthread_mutex_t lock;
    CK_SLOT_ID slot;
    lsi_p11_keyobj obj;
    unsigned int generation;
    /* At most `max_parallel` signatures at once (1 on removable tokens). */
    pthread_cond_t idle;
    unsigned int active, max_parallel;
} p11key;

static void p11key_free(void *backend)
{
    p11key *k = backend;

    if (k == NULL)
        return;
    lsi_p11_module_release(k->mod);
    lsi_p11uri_free(k->uri);
    lsi_pin_source_free(k->pins);
    free(k->token_label);
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->idle);
    free(k);
}

/* Takes the certificate with the key's CKA_ID as the signer's, the rest as chain candidates. */
static int take_certs(PKCS11_SLOT *slot, const PKCS11_KEY *key, lsi_key_opened *out)
{
    PKCS11_CERT *certs = NULL;
    unsigned int n = 0;

    if (PKCS11_enumerate_certs(slot->token, &certs, &n) != 0)
        return lsi_error_openssl(LSIGN_E_TOKEN, "cannot list certificates on token '%s'",
                                 slot->token->label);
    out->extra = sk_X509_new_null();
    if (out->extra == NULL)
        return lsi_error_nomem();
    for (unsigned int i = 0; i < n; i++) {
        X509 *x = certs[i].x509 != NULL ? X509_dup(certs[i].x509) : NULL;
        int same_id = lsi_p11_same_id(certs[i].id, certs[i].id_len, key->id, key->id_len);

        if (x == NULL)
            continue;
        if (same_id && out->cert == NULL)
            out->cert = x;
        else if (!sk_X509_push(out->extra, x))
            X509_free(x);
    }
    return LSIGN_OK;
}

/* With mod->lock held: finds the token, logs in, finds the key; records where it is. */
static int locate_locked(p11key *k, lsi_key_opened *certs_out)
{
    PKCS11_SLOT *slot;
    PKCS11_KEY *key;
    int rc = lsi_p11_find_slot_locked(k->mod, k->uri, &slot);

    if (rc == LSIGN_OK)
        rc = lsi_p11_login_locked(k->mod, slot, k->pins);
    if (rc == LSIGN_OK)
        rc = lsi_p11_find_key_locked(slot, k->uri, &key);
    if (rc != LSIGN_OK)
        return rc;
    pthread_mutex_lock(&k->lock);
    k->slot = PKCS11_get_slotid_from_slot(slot);
    k->generation = k->mod->generation;
    rc = lsi_p11_key_object(k->mod, k->slot, key, &k->obj);
    pthread_mutex_unlock(&k->lock);
    if (rc == LSIGN_OK && k->token_label == NULL) {
        k->token_label = strdup(slot->token->label);
        k->max_parallel = slot->removable ? 1 : k->max_parallel;
        if (k->token_label == NULL)
            rc = lsi_error_nomem();
    }
    if (rc == LSIGN_OK && certs_out != NULL)
        rc = take_certs(slot, key, certs_out);
    return rc;
}

static int check_uri(const lsi_p11uri *uri)
{
    if (uri->has_slot_id)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "PKCS#11 URI: slot-id is not accepted, because slot "
                         "numbers change between runs; select the token with token= or serial=");
    if (uri->type != NULL && strcmp(uri->type, "private") != 0)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "PKCS#11 URI: type=%s cannot sign; use type=private "
                         "or leave type out",
                         uri->type);
    return LSIGN_OK;
}

static const lsi_key_backend_ops p11_ops;

int lsi_p11key_open(const char *text, const lsign_signer_options *opts, const lsign_ctx *ctx,
                    lsi_key_opened *out)
{
    p11key *k = calloc(1, sizeof *k);
    int rc;

    if (k == NULL)
        return lsi_error_nomem();
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->idle, NULL);
    k->ctx = ctx;
    k->max_parallel = opts->max_parallel != 0 ? opts->max_parallel : DEFAULT_PARALLEL_HSM;
    rc = lsi_p11uri_parse(text, &k->uri);
    if (rc == LSIGN_OK)
        rc = check_uri(k->uri);
    if (rc == LSIGN_OK)
        rc = lsi_pin_source_new(&k->pins, opts->pin_source, opts->pin_callback, opts->pin_userdata,
                                k->uri->pin_source, k->uri->pin_value, k->uri->pin_value_len);
    if (rc == LSIGN_OK)
        rc = lsi_p11_module_acquire(lsi_p11_module_choose(opts->module, k->uri->module_path),
                                    &k->mod);
    if (rc == LSIGN_OK) {
        pthread_mutex_lock(&k->mod->lock);
        rc = locate_locked(k, out);
        pthread_mutex_unlock(&k->mod->lock);
    }
    if (rc != LSIGN_OK) {
        p11key_free(k);
        return rc;
    }
    out->ops = &p11_ops;
    out->backend = k;
    return LSIGN_OK;
}

/* The failures after which the token may work again once re-found and logged in. */
static int recoverable(CK_RV rv)
{
    switch (rv) {
    case CKR_DEVICE_REMOVED:
    case CKR_DEVICE_ERROR:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_TOKEN_NOT_RECOGNIZED:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_USER_NOT_LOGGED_IN:
    case CKR_OBJECT_HANDLE_INVALID:
    case CKR_KEY_HANDLE_INVALID:
    case CKR_SLOT_ID_INVALID:
    case CKR_CRYPTOKI_NOT_INITIALIZED: return 1;
    default: return 0;
    }
}

/* Re-enumerates (reloading the module if needed), logs in again and re-finds the key. */
static int recover(p11key *k, unsigned int failed_generation)
{
    int rc;

    pthread_mutex_lock(&k->mod->lock);
    /* Another thread may have refreshed the module since: then re-finding may be enough. */
    if (k->mod->generation == failed_generation || locate_locked(k, NULL) != LSIGN_OK) {
        rc = lsi_p11_module_refresh_locked(k->mod);
        if (rc == LSIGN_OK)
            rc = locate_locked(k, NULL);
    } else {
        rc = LSIGN_OK;
    }
    pthread_mutex_unlock(&k->mod->lock);
    return rc;
}

typedef struct sign_request {
    CK_MECHANISM mech;
    CK_RSA_PKCS_PSS_PARAMS pss;
    unsigned char data[128]; /* DigestInfo or digest */
    CK_ULONG data_len;
} sign_request;

static int build_request(const EVP_MD *md, int scheme, const unsigned char *hash, size_t hash_len,
                         sign_request *req)
{
    size_t len = sizeof req->data;

    memset(req, 0, sizeof *req);
    switch (scheme) {
    case LSIGN_SCHEME_RSA_PKCS1:
        req->mech.mechanism = CKM_RSA_PKCS;
        if (lsi_rsa_digest_info(md, hash, hash_len, req->data, &len) != LSIGN_OK)
            return LSIGN_E_CRYPTO;
        req->data_len = len;
        return LSIGN_OK;
    case LSIGN_SCHEME_RSA_PSS:
        req->mech.mechanism = CKM_RSA_PKCS_PSS;
        req->pss.hashAlg = hash_len == 32 ? CKM_SHA256 : hash_len == 48 ? CKM_SHA384 : CKM_SHA512;
        req->pss.mgf = hash_len == 32   ? CKG_MGF1_SHA256
                       : hash_len == 48 ? CKG_MGF1_SHA384
                                        : CKG_MGF1_SHA512;
        req->pss.sLen = hash_len;
        req->mech.pParameter = &req->pss;
        req->mech.ulParameterLen = sizeof req->pss;
        break;
    default: req->mech.mechanism = CKM_ECDSA; break;
    }
    memcpy(req->data, hash, hash_len);
    req->data_len = hash_len;
    return LSIGN_OK;
}

static const char *mechanism_name(CK_MECHANISM_TYPE mech)
{
    switch (mech) {
    case CKM_RSA_PKCS: return "RSA PKCS#1 v1.5 signatures (CKM_RSA_PKCS)";
    case CKM_RSA_PKCS_PSS: return "RSA-PSS signatures (CKM_RSA_PKCS_PSS)";
    default: return "ECDSA signatures (CKM_ECDSA)";
    }
}

static CK_RV context_login(p11key *k, CK_SESSION_HANDLE session, int *rc)
{
    char what[300];
    lsi_pin pin;
    CK_RV rv;

    snprintf(what, sizeof what, "PIN for this signature on token '%s'", k->token_label);
    *rc = lsi_pin_get(k->pins, what, LSIGN_PIN_CONTEXT_SPECIFIC, &pin);
    if (*rc != LSIGN_OK)
        return CKR_CANCEL;
    rv = k->mod->fl->C_Login(session, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR *)pin.text, pin.len);
    lsi_pin_clear(&pin);
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED)
        *rc = lsi_error(LSIGN_E_PIN,
                        "wrong PIN for the signature key on token '%s' (%s); not "
                        "retried",
                        k->token_label, lsi_ckr_name(rv));
    return rv;
}

/* One attempt: a session of its own, sign, close. *rc is set when the failure is final. */
static CK_RV sign_once(p11key *k, const sign_request *req, unsigned char *out, CK_ULONG *out_len,
                       unsigned int *generation, int *rc)
{
    CK_FUNCTION_LIST *fl = k->mod->fl;
    CK_SESSION_HANDLE session;
    CK_SLOT_ID slot;
    CK_OBJECT_HANDLE handle;
    int always;
    CK_RV rv;

    pthread_mutex_lock(&k->lock);
    slot = k->slot;
    handle = k->obj.handle;
    always = k->obj.always_authenticate;
    *generation = k->generation;
    pthread_mutex_unlock(&k->lock);

    *rc = LSIGN_OK;
    lsi_p11_module_enter(k->mod);
    rv = fl->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &session);
    if (rv == CKR_OK) {
        rv = fl->C_SignInit(session, (CK_MECHANISM *)&req->mech, handle);
        if (rv == CKR_OK && always)
            rv = context_login(k, session, rc);
        if (rv == CKR_OK)
            rv = fl->C_Sign(session, (CK_BYTE *)req->data, req->data_len, out, out_len);
        (void)fl->C_CloseSession(session);
    }
    lsi_p11_module_leave(k->mod);
    return rv;
}

static void enter(p11key *k)
{
    pthread_mutex_lock(&k->lock);
    while (k->active >= k->max_parallel)
        pthread_cond_wait(&k->idle, &k->lock);
    k->active++;
    pthread_mutex_unlock(&k->lock);
}

static void leave(p11key *k)
{
    pthread_mutex_lock(&k->lock);
    k->active--;
    pthread_cond_signal(&k->idle);
    pthread_mutex_unlock(&k->lock);
}

static int sign_with_retry(p11key *k, const sign_request *req, unsigned char *out,
                           CK_ULONG *out_len)
{
    CK_ULONG capacity = *out_len;
    unsigned int generation;
    int rc;
    CK_RV rv = sign_once(k, req, out, out_len, &generation, &rc);

    if (rv != CKR_OK && rc == LSIGN_OK && recoverable(rv)) {
        lsi_log(k->ctx, LSIGN_LOG_WARNING,
                "token '%s' failed (%s): finding it again, logging in and retrying once",
                k->token_label, lsi_ckr_name(rv));
        rc = recover(k, generation);
        if (rc != LSIGN_OK) {
            rc = lsi_error_wrap("token '%s' failed (%s) and could not be recovered", k->token_label,
                                lsi_ckr_name(rv));
            lsi_log(k->ctx, LSIGN_LOG_ERROR, "%s", lsign_last_error());
            return rc;
        }
        *out_len = capacity;
        rv = sign_once(k, req, out, out_len, &generation, &rc);
    }
    if (rc != LSIGN_OK)
        return rc;
    if (rv == CKR_MECHANISM_INVALID || rv == CKR_MECHANISM_PARAM_INVALID)
        return lsi_error(LSIGN_E_UNSUPPORTED,
                         "token '%s' does not offer %s (%s); choose another "
                         "signature scheme or token",
                         k->token_label, mechanism_name(req->mech.mechanism), lsi_ckr_name(rv));
    if (rv != CKR_OK)
        return lsi_error(LSIGN_E_TOKEN, "signing on token '%s' failed (%s)", k->token_label,
                         lsi_ckr_name(rv));
    return LSIGN_OK;
}

static int p11_sign(void *backend, const EVP_MD *md, int scheme, const unsigned char *hash,
                    size_t hash_len, unsigned char *sig, size_t *sig_len)
{
    p11key *k = backend;
    sign_request req;
    unsigned char raw[LSI_MAX_SIG_BYTES];
    CK_ULONG raw_len = sizeof raw;
    int rc;

    if (build_request(md, scheme, hash, hash_len, &req) != LSIGN_OK)
        return LSIGN_E_CRYPTO;
    enter(k);
    rc = sign_with_retry(k, &req, raw, &raw_len);
    leave(k);
    if (rc != LSIGN_OK)
        return rc;
    if (scheme == LSIGN_SCHEME_ECDSA)
        return lsi_ecdsa_raw_to_der(raw, raw_len, sig, sig_len);
    if (raw_len > *sig_len)
        return lsi_error(LSIGN_E_CRYPTO, "token signature of %lu bytes does not fit", raw_len);
    memcpy(sig, raw, raw_len);
    *sig_len = raw_len;
    return LSIGN_OK;
}

static const lsi_key_backend_ops p11_ops = {"PKCS#11", p11_sign, p11key_free};
