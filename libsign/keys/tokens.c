/* lsign_token_list: what a PKCS#11 module offers, with a URI for each entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/certfile.h"
#include "core/error.h"
#include "core/grow.h"
#include "core/options.h"
#include "keys/p11token.h"
#include "libsign/tokens.h"

typedef struct token_item {
    int kind;
    char *uri, *label, *details;
} token_item;

struct lsign_token_list {
    token_item *items;
    size_t count, capacity;
};

static const lsign_token_list_options default_options = LSIGN_TOKEN_LIST_OPTIONS_INIT;

static const size_t option_sizes[] = {sizeof(lsign_token_list_options)};
static const lsi_options_type options_type = {"token list options", &default_options, option_sizes,
                                              LSIGN_TOKEN_LIST_OPTIONS_VERSION};

int lsign_token_list_options_init(lsign_token_list_options *opts, unsigned int version)
{
    return lsi_options_init(&options_type, opts, version);
}

/* Appends an entry; takes ownership of `uri`. */
static int add_item(lsign_token_list *list, int kind, char *uri, const char *label,
                    const char *details)
{
    token_item *item;

    if (LSI_RESERVE(list->items, list->capacity, list->count) != LSIGN_OK) {
        free(uri);
        return LSIGN_E_NOMEM;
    }
    item = &list->items[list->count];
    item->kind = kind;
    item->uri = uri;
    item->label = strdup(label != NULL ? label : "");
    item->details = strdup(details);
    list->count++;
    return uri != NULL && item->label != NULL && item->details != NULL ? LSIGN_OK
                                                                       : lsi_error_nomem();
}

/* URI of a token or of an object on it; `type` NULL for the token itself. */
static char *object_uri(const lsi_p11_module *mod, const PKCS11_TOKEN *t, const char *type,
                        const char *label, unsigned char *id, size_t id_len)
{
    lsi_p11uri uri;

    memset(&uri, 0, sizeof uri);
    uri.token = t->label;
    uri.serial = t->serialnr;
    uri.object = (char *)label;
    uri.type = (char *)type;
    uri.id = id;
    uri.id_len = id_len;
    uri.has_id = id_len > 0;
    uri.module_path = mod->path[0] == '/' ? mod->path : NULL;
    return lsi_p11uri_to_string(&uri);
}

static int add_token(lsign_token_list *list, lsi_p11_module *mod, PKCS11_SLOT *slot)
{
    const PKCS11_TOKEN *t = slot->token;
    char details[512];

    snprintf(details, sizeof details, "%s %s, serial %s%s%s%s", t->manufacturer, t->model,
             t->serialnr, t->userPinLocked ? ", PIN LOCKED" : "",
             t->userPinFinalTry ? ", PIN: one try left" : "",
             t->userPinCountLow ? ", PIN: few tries left" : "");
    return add_item(list, LSIGN_ITEM_TOKEN, object_uri(mod, t, NULL, NULL, NULL, 0), t->label,
                    details);
}

/* "RSA 2048 bits": the type from the token, the size from the certificate with the same CKA_ID. */
static void describe_key(PKCS11_SLOT *slot, PKCS11_KEY *key, char *buf, size_t size)
{
    PKCS11_CERT *certs = NULL;
    unsigned int n = 0;
    int type = PKCS11_get_key_type(key), bits = 0;
    const char *name = type == EVP_PKEY_RSA ? "RSA" : type == EVP_PKEY_EC ? "EC" : "private";

    /* libp11 0.4.12's PKCS11_get_public_key() crashes on some private keys: avoid it. */
    if (PKCS11_enumerate_certs(slot->token, &certs, &n) == 0) {
        for (unsigned int i = 0; i < n; i++)
            if (certs[i].x509 != NULL &&
                lsi_p11_same_id(certs[i].id, certs[i].id_len, key->id, key->id_len))
                bits = EVP_PKEY_get_bits(X509_get0_pubkey(certs[i].x509));
    }
    if (bits > 0)
        snprintf(buf, size, "%s key, %d bits", name, bits);
    else
        snprintf(buf, size, "%s key", name);
}

static int add_keys(lsign_token_list *list, lsi_p11_module *mod, PKCS11_SLOT *slot)
{
    PKCS11_KEY *keys = NULL;
    unsigned int n = 0;
    int rc = LSIGN_OK;

    if (PKCS11_enumerate_keys(slot->token, &keys, &n) != 0)
        return lsi_error_openssl(LSIGN_E_TOKEN, "cannot list the keys of token '%s'",
                                 slot->token->label);
    for (unsigned int i = 0; i < n && rc == LSIGN_OK; i++) {
        char details[128];

        describe_key(slot, &keys[i], details, sizeof details);
        rc = add_item(
            list, LSIGN_ITEM_PRIVATE_KEY,
            object_uri(mod, slot->token, "private", keys[i].label, keys[i].id, keys[i].id_len),
            keys[i].label, details);
    }
    return rc;
}

static int add_certs(lsign_token_list *list, lsi_p11_module *mod, PKCS11_SLOT *slot)
{
    PKCS11_CERT *certs = NULL;
    unsigned int n = 0;
    int rc = LSIGN_OK;

    if (PKCS11_enumerate_certs(slot->token, &certs, &n) != 0)
        return lsi_error_openssl(LSIGN_E_TOKEN, "cannot list the certificates of token '%s'",
                                 slot->token->label);
    for (unsigned int i = 0; i < n && rc == LSIGN_OK; i++) {
        char *subject =
            certs[i].x509 != NULL ? lsi_name_utf8(X509_get_subject_name(certs[i].x509)) : NULL;

        rc = add_item(
            list, LSIGN_ITEM_CERTIFICATE,
            object_uri(mod, slot->token, "cert", certs[i].label, certs[i].id, certs[i].id_len),
            certs[i].label, subject != NULL ? subject : "(unreadable certificate)");
        free(subject);
    }
    return rc;
}

static int list_module(lsign_token_list *list, lsi_p11_module *mod,
                       const lsign_token_list_options *opts, const lsi_pin_source *pins)
{
    int rc = LSIGN_OK;

    for (unsigned int i = 0; i < mod->nslots && rc == LSIGN_OK; i++) {
        PKCS11_SLOT *slot = &mod->slots[i];

        if (slot->token == NULL || !slot->token->initialized ||
            (opts->token != NULL && strcmp(opts->token, slot->token->label) != 0))
            continue;
        rc = add_token(list, mod, slot);
        if (rc == LSIGN_OK && lsi_pin_source_present(pins))
            rc = lsi_p11_login_locked(mod, slot, pins);
        if (rc == LSIGN_OK)
            rc = add_keys(list, mod, slot);
        if (rc == LSIGN_OK)
            rc = add_certs(list, mod, slot);
    }
    return rc;
}

int lsign_token_list_new(lsign_token_list **out, const lsign_ctx *ctx,
                         const lsign_token_list_options *opts)
{
    lsign_token_list_options given;
    lsign_token_list *list;
    lsi_p11_module *mod = NULL;
    lsi_pin_source *pins = NULL;
    int rc;

    (void)ctx;
    if (out == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_token_list_new: out is NULL");
    *out = NULL;
    if (lsi_options_read(&options_type, opts, &given) != LSIGN_OK)
        return LSIGN_E_INVALID_ARG;
    opts = &given;
    list = calloc(1, sizeof *list);
    if (list == NULL)
        return lsi_error_nomem();
    rc = lsi_pin_source_new(&pins, opts->pin_source, opts->pin_callback, opts->pin_userdata, NULL,
                            NULL, 0);
    if (rc == LSIGN_OK)
        rc = lsi_p11_module_acquire(lsi_p11_module_choose(opts->module, NULL), &mod);
    if (rc == LSIGN_OK) {
        pthread_mutex_lock(&mod->lock);
        rc = list_module(list, mod, opts, pins);
        pthread_mutex_unlock(&mod->lock);
    }
    lsi_p11_module_release(mod);
    lsi_pin_source_free(pins);
    if (rc != LSIGN_OK) {
        lsign_token_list_free(list);
        return rc;
    }
    *out = list;
    return LSIGN_OK;
}

void lsign_token_list_free(lsign_token_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].uri);
        free(list->items[i].label);
        free(list->items[i].details);
    }
    free(list->items);
    free(list);
}

size_t lsign_token_list_count(const lsign_token_list *list)
{
    return list != NULL ? list->count : 0;
}

static const token_item *item_at(const lsign_token_list *list, size_t index)
{
    return list != NULL && index < list->count ? &list->items[index] : NULL;
}

int lsign_token_list_kind(const lsign_token_list *list, size_t index)
{
    const token_item *item = item_at(list, index);

    return item != NULL ? item->kind : 0;
}

const char *lsign_token_list_uri(const lsign_token_list *list, size_t index)
{
    const token_item *item = item_at(list, index);

    return item != NULL && item->uri != NULL ? item->uri : "";
}

const char *lsign_token_list_label(const lsign_token_list *list, size_t index)
{
    const token_item *item = item_at(list, index);

    return item != NULL && item->label != NULL ? item->label : "";
}

const char *lsign_token_list_details(const lsign_token_list *list, size_t index)
{
    const token_item *item = item_at(list, index);

    return item != NULL && item->details != NULL ? item->details : "";
}
