#include "keys/p11token.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "core/error.h"

static int matches(const char *want, const char *have)
{
    return want == NULL || (have != NULL && strcmp(want, have) == 0);
}

static int slot_selected(const PKCS11_SLOT *slot, const lsi_p11uri *uri)
{
    const PKCS11_TOKEN *t = slot->token;

    return t != NULL && t->initialized && matches(uri->token, t->label) &&
           matches(uri->serial, t->serialnr) && matches(uri->manufacturer, t->manufacturer) &&
           matches(uri->model, t->model) && matches(uri->slot_description, slot->description) &&
           matches(uri->slot_manufacturer, slot->manufacturer);
}

/* "'A', 'B'" of the tokens present, for messages that help the user pick one. */
static void list_tokens(const lsi_p11_module *mod, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned int i = 0; i < mod->nslots && used < size; i++) {
        const PKCS11_TOKEN *t = mod->slots[i].token;
        if (t != NULL && t->initialized)
            used += (size_t)snprintf(buf + used, size - used, "%s'%s' (serial %s)",
                                     used ? ", " : "", t->label, t->serialnr);
    }
    if (buf[0] == '\0')
        snprintf(buf, size, "none");
}

int lsi_p11_find_slot_locked(lsi_p11_module *mod, const lsi_p11uri *uri, PKCS11_SLOT **slot)
{
    char present[1024];
    unsigned int found = 0;

    *slot = NULL;
    for (unsigned int i = 0; i < mod->nslots; i++) {
        if (slot_selected(&mod->slots[i], uri)) {
            if (found++ == 0)
                *slot = &mod->slots[i];
        }
    }
    if (found == 1)
        return LSIGN_OK;
    list_tokens(mod, present, sizeof present);
    *slot = NULL;
    if (found == 0)
        return lsi_error(LSIGN_E_TOKEN,
                         "no token matches the URI in PKCS#11 module '%s'; "
                         "tokens present: %s",
                         mod->path, present);
    return lsi_error(LSIGN_E_TOKEN,
                     "%u tokens match the URI in PKCS#11 module '%s' (%s); name "
                     "one with token= or serial=",
                     found, mod->path, present);
}

unsigned int lsi_p11_pin_flags(lsi_p11_module *mod, CK_SLOT_ID slot, int *locked)
{
    CK_TOKEN_INFO info;
    unsigned int flags = 0;

    *locked = 0;
    if (mod->fl->C_GetTokenInfo(slot, &info) != CKR_OK)
        return 0;
    if (info.flags & CKF_USER_PIN_COUNT_LOW)
        flags |= LSIGN_PIN_COUNT_LOW;
    if (info.flags & CKF_USER_PIN_FINAL_TRY)
        flags |= LSIGN_PIN_FINAL_TRY;
    *locked = (info.flags & CKF_USER_PIN_LOCKED) != 0;
    return flags;
}

static const char *pin_state(unsigned int flags, int locked)
{
    if (locked)
        return "the token reports its PIN is now locked; unlock it with the SO PIN";
    if (flags & LSIGN_PIN_FINAL_TRY)
        return "the token reports ONE try left before it locks";
    if (flags & LSIGN_PIN_COUNT_LOW)
        return "the token reports few tries left";
    return "the token reports no lock warning";
}

static int login_failed(lsi_p11_module *mod, PKCS11_SLOT *slot, CK_RV rv)
{
    CK_SLOT_ID id = PKCS11_get_slotid_from_slot(slot);
    int locked;
    unsigned int flags = lsi_p11_pin_flags(mod, id, &locked);
    const char *label = slot->token->label;

    ERR_clear_error();
    switch (rv) {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
        return lsi_error(LSIGN_E_PIN, "wrong PIN for token '%s' (%s); not retried: %s", label,
                         lsi_ckr_name(rv), pin_state(flags, locked));
    case CKR_PIN_LOCKED:
        return lsi_error(LSIGN_E_PIN,
                         "the PIN of token '%s' is locked (CKR_PIN_LOCKED); unlock "
                         "it with the SO PIN",
                         label);
    case CKR_PIN_EXPIRED:
        return lsi_error(LSIGN_E_PIN, "the PIN of token '%s' has expired; change it first", label);
    default:
        return lsi_error(LSIGN_E_TOKEN, "login to token '%s' failed (%s)", label, lsi_ckr_name(rv));
    }
}

int lsi_p11_login_locked(lsi_p11_module *mod, PKCS11_SLOT *slot, const lsi_pin_source *pins)
{
    char what[300];
    lsi_pin pin;
    int logged_in = 0, locked, rc;
    unsigned int flags;

    if (!slot->token->loginRequired)
        return LSIGN_OK;
    if (PKCS11_is_logged_in(slot, 0, &logged_in) == 0 && logged_in)
        return LSIGN_OK;
    flags = lsi_p11_pin_flags(mod, PKCS11_get_slotid_from_slot(slot), &locked);
    if (locked)
        return lsi_error(LSIGN_E_PIN, "the PIN of token '%s' is locked; unlock it with the SO PIN",
                         slot->token->label);
    snprintf(what, sizeof what, "PIN for token '%s'", slot->token->label);
    rc = lsi_pin_get(pins, what, flags, &pin);
    if (rc != LSIGN_OK)
        return rc;
    ERR_clear_error();
    rc = PKCS11_login(slot, 0, pin.text);
    lsi_pin_clear(&pin);
    if (rc != 0)
        return login_failed(mod, slot, lsi_p11_last_ckr());
    return LSIGN_OK;
}

int lsi_p11_same_id(const unsigned char *a, size_t a_len, const unsigned char *b, size_t b_len)
{
    return a_len > 0 && a_len == b_len && memcmp(a, b, a_len) == 0;
}

static int key_selected(const PKCS11_KEY *key, const lsi_p11uri *uri)
{
    if (uri->has_id && (key->id_len != uri->id_len ||
                        (uri->id_len > 0 && memcmp(key->id, uri->id, uri->id_len) != 0)))
        return 0;
    return matches(uri->object, key->label);
}

int lsi_p11_find_key_locked(PKCS11_SLOT *slot, const lsi_p11uri *uri, PKCS11_KEY **key)
{
    PKCS11_KEY *keys = NULL;
    unsigned int n = 0, found = 0;

    *key = NULL;
    if (PKCS11_enumerate_keys(slot->token, &keys, &n) != 0)
        return lsi_error_openssl(LSIGN_E_TOKEN, "cannot list the keys of token '%s'",
                                 slot->token->label);
    for (unsigned int i = 0; i < n; i++) {
        if (keys[i].isPrivate && key_selected(&keys[i], uri) && found++ == 0)
            *key = &keys[i];
    }
    if (found == 1)
        return LSIGN_OK;
    *key = NULL;
    if (found == 0)
        return lsi_error(LSIGN_E_KEY,
                         "no private key on token '%s' matches the URI (%u keys "
                         "visible after login)",
                         slot->token->label, n);
    return lsi_error(LSIGN_E_KEY,
                     "%u private keys on token '%s' match the URI; name one with "
                     "id= or object=",
                     found, slot->token->label);
}

/* Reads CKA_KEY_TYPE and CKA_ALWAYS_AUTHENTICATE of `handle`. */
static void read_key_attributes(lsi_p11_module *mod, CK_SESSION_HANDLE session, lsi_p11_keyobj *out)
{
    CK_BBOOL always = CK_FALSE;
    CK_ATTRIBUTE attrs[] = {
        {CKA_KEY_TYPE, &out->type, sizeof out->type},
        {CKA_ALWAYS_AUTHENTICATE, &always, sizeof always},
    };

    /* A token without CKA_ALWAYS_AUTHENTICATE answers CKR_ATTRIBUTE_TYPE_INVALID: that means no. */
    (void)mod->fl->C_GetAttributeValue(session, out->handle, attrs, 2);
    out->always_authenticate = always == CK_TRUE;
}

int lsi_p11_key_object(lsi_p11_module *mod, CK_SLOT_ID slot, const PKCS11_KEY *key,
                       lsi_p11_keyobj *out)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[3] = {{CKA_CLASS, &cls, sizeof cls}};
    CK_ULONG ntmpl = 1, count = 0;
    CK_SESSION_HANDLE session;
    CK_RV rv;

    if (key->id_len > 0)
        tmpl[ntmpl++] = (CK_ATTRIBUTE){CKA_ID, key->id, key->id_len};
    if (key->label != NULL)
        tmpl[ntmpl++] = (CK_ATTRIBUTE){CKA_LABEL, key->label, strlen(key->label)};
    rv = mod->fl->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &session);
    if (rv != CKR_OK)
        return lsi_error(LSIGN_E_TOKEN, "cannot open a session (%s)", lsi_ckr_name(rv));
    out->handle = CK_INVALID_HANDLE;
    out->type = (CK_KEY_TYPE)-1;
    rv = mod->fl->C_FindObjectsInit(session, tmpl, ntmpl);
    if (rv == CKR_OK) {
        rv = mod->fl->C_FindObjects(session, &out->handle, 1, &count);
        (void)mod->fl->C_FindObjectsFinal(session);
    }
    if (rv == CKR_OK && count == 1)
        read_key_attributes(mod, session, out);
    (void)mod->fl->C_CloseSession(session);
    if (rv != CKR_OK)
        return lsi_error(LSIGN_E_TOKEN, "cannot find the key object (%s)", lsi_ckr_name(rv));
    if (count != 1)
        return lsi_error(LSIGN_E_KEY, "the private key '%s' is no longer on the token",
                         key->label != NULL ? key->label : "");
    return LSIGN_OK;
}
