/* Tokens: choosing one by URI, logging in, finding a key's object handle. */
#ifndef LSI_KEYS_P11TOKEN_H
#define LSI_KEYS_P11TOKEN_H

#include "keys/p11module.h"
#include "keys/p11uri.h"
#include "keys/pin.h"

/* With mod->lock held: the one present, initialised token the URI selects. */
int lsi_p11_find_slot_locked(lsi_p11_module *mod, const lsi_p11uri *uri, PKCS11_SLOT **slot);

/*
 * With mod->lock held: logs the user in unless the token needs no login or
 * is logged in already. Asks `pins` once; a wrong PIN is never retried.
 * LSIGN_E_PIN names the token and its remaining-tries state, never the PIN.
 */
int lsi_p11_login_locked(lsi_p11_module *mod, PKCS11_SLOT *slot, const lsi_pin_source *pins);

/* With mod->lock held: the one private key the URI selects (by id and/or label). */
int lsi_p11_find_key_locked(PKCS11_SLOT *slot, const lsi_p11uri *uri, PKCS11_KEY **key);

/* Handle and attributes of the private key with this CKA_ID (and label, if given). */
typedef struct lsi_p11_keyobj {
    CK_OBJECT_HANDLE handle;
    CK_KEY_TYPE type;
    int always_authenticate;
} lsi_p11_keyobj;

int lsi_p11_key_object(lsi_p11_module *mod, CK_SLOT_ID slot, const PKCS11_KEY *key,
                       lsi_p11_keyobj *out);

/* Whether a certificate's and a key's CKA_ID pair them: equal and not empty. */
int lsi_p11_same_id(const unsigned char *a, size_t a_len, const unsigned char *b, size_t b_len);

/* The token's flags as LSIGN_PIN_* bits (COUNT_LOW, FINAL_TRY), and whether it is locked. */
unsigned int lsi_p11_pin_flags(lsi_p11_module *mod, CK_SLOT_ID slot, int *locked);

#endif
