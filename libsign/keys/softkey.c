/* Software keys: PKCS#12 files and PEM/DER private key files. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>

#include "core/certfile.h"
#include "core/error.h"
#include "keys/signer_impl.h"

/* The software backend is the EVP_PKEY itself. */
static int soft_sign(void *backend, const EVP_MD *md, int scheme, const unsigned char *hash,
                     size_t hash_len, unsigned char *sig, size_t *sig_len)
{
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(backend, NULL);
    int ok =
        pctx != NULL && EVP_PKEY_sign_init(pctx) > 0 && EVP_PKEY_CTX_set_signature_md(pctx, md) > 0;

    if (ok && scheme == LSIGN_SCHEME_RSA_PKCS1)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    if (ok && scheme == LSIGN_SCHEME_RSA_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
    ok = ok && EVP_PKEY_sign(pctx, sig, sig_len, hash, hash_len) > 0;
    EVP_PKEY_CTX_free(pctx);
    return ok ? LSIGN_OK
              : lsi_error_openssl(LSIGN_E_CRYPTO, "signing with the software key failed");
}

static void soft_free(void *backend)
{
    EVP_PKEY_free(backend);
}

static const lsi_key_backend_ops pkcs12_ops = {"PKCS#12", soft_sign, soft_free};
static const lsi_key_backend_ops pem_ops = {"PEM", soft_sign, soft_free};

static BIO *open_file(const char *path)
{
    BIO *bio = BIO_new_file(path, "rb");

    if (bio == NULL)
        lsi_error_openssl(LSIGN_E_IO, "cannot open key file '%s'", path);
    return bio;
}

/* Asks for the password only when the MAC fails without one: many files have none. */
static int pkcs12_password(PKCS12 *p12, const char *path, const lsi_pin_source *pins, lsi_pin *pin)
{
    char what[512];
    int rc;

    pin->text = NULL;
    if (PKCS12_verify_mac(p12, NULL, 0) || PKCS12_verify_mac(p12, "", 0))
        return LSIGN_OK;
    snprintf(what, sizeof what, "password for PKCS#12 file '%s'", path);
    rc = lsi_pin_get(pins, what, LSIGN_PIN_PASSWORD, pin);
    if (rc != LSIGN_OK)
        return rc;
    if (!PKCS12_verify_mac(p12, pin->text, (int)pin->len)) {
        lsi_pin_clear(pin);
        ERR_clear_error();
        return lsi_error(LSIGN_E_PIN, "wrong password for PKCS#12 file '%s'", path);
    }
    return LSIGN_OK;
}

int lsi_softkey_open_pkcs12(const char *path, const lsi_pin_source *pins, lsi_key_opened *out)
{
    BIO *bio = open_file(path);
    PKCS12 *p12;
    lsi_pin pin = {NULL, 0};
    EVP_PKEY *pkey = NULL;
    int rc;

    if (bio == NULL)
        return LSIGN_E_IO;
    p12 = d2i_PKCS12_bio(bio, NULL);
    BIO_free(bio);
    if (p12 == NULL)
        return lsi_error_openssl(LSIGN_E_PARSE, "'%s' is not a PKCS#12 file", path);
    rc = pkcs12_password(p12, path, pins, &pin);
    if (rc == LSIGN_OK &&
        !PKCS12_parse(p12, pin.text != NULL ? pin.text : "", &pkey, &out->cert, &out->extra))
        rc = lsi_error_openssl(LSIGN_E_UNSUPPORTED,
                               "cannot decrypt PKCS#12 file '%s' (legacy "
                               "RC2/3DES files need converting with 'openssl pkcs12 -legacy')",
                               path);
    lsi_pin_clear(&pin);
    PKCS12_free(p12);
    if (rc == LSIGN_OK && pkey == NULL)
        rc = lsi_error(LSIGN_E_KEY, "PKCS#12 file '%s' holds no private key", path);
    if (rc != LSIGN_OK) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    out->ops = &pkcs12_ops;
    out->backend = pkey;
    return LSIGN_OK;
}

struct pem_pass_ctx {
    const char *path;
    const lsi_pin_source *pins;
    int rc;
};

/* OpenSSL's password callback, fed from the PIN source. */
static int pem_password(char *buf, int size, int rwflag, void *userdata)
{
    struct pem_pass_ctx *pc = userdata;
    char what[512];
    lsi_pin pin;
    int len;

    (void)rwflag;
    snprintf(what, sizeof what, "password for key file '%s'", pc->path);
    pc->rc = lsi_pin_get(pc->pins, what, LSIGN_PIN_PASSWORD, &pin);
    if (pc->rc != LSIGN_OK)
        return -1;
    len = pin.len < (size_t)size ? (int)pin.len : size;
    memcpy(buf, pin.text, (size_t)len);
    lsi_pin_clear(&pin);
    return len;
}

static int read_key(const char *path, struct pem_pass_ctx *pc, EVP_PKEY **pkey)
{
    BIO *bio = open_file(path);

    if (bio == NULL)
        return LSIGN_E_IO;
    *pkey = PEM_read_bio_PrivateKey(bio, NULL, pem_password, pc);
    if (*pkey == NULL && pc->rc == LSIGN_OK) {
        /* Not PEM: try DER (PKCS#8 or traditional). */
        (void)BIO_reset(bio);
        ERR_clear_error();
        *pkey = d2i_PrivateKey_bio(bio, NULL);
    }
    BIO_free(bio);
    if (*pkey != NULL)
        return LSIGN_OK;
    if (pc->rc != LSIGN_OK)
        return pc->rc;
    return lsi_error_openssl(LSIGN_E_PARSE,
                             "cannot read a private key from '%s' (PEM or DER; "
                             "a wrong password also ends here)",
                             path);
}

int lsi_softkey_open_pem(const char *path, const lsi_pin_source *pins, lsi_key_opened *out)
{
    struct pem_pass_ctx pc = {path, pins, LSIGN_OK};
    STACK_OF(X509) *certs = NULL;
    EVP_PKEY *pkey = NULL;
    int rc = read_key(path, &pc, &pkey);

    if (rc != LSIGN_OK)
        return rc;
    /* A PEM file may carry the certificate too: the first one is the signer's. */
    if (lsi_certs_read_file(path, &certs) == LSIGN_OK) {
        out->cert = sk_X509_shift(certs);
        out->extra = certs;
    } else {
        lsign_error_clear(); /* no certificate here is fine: options.cert_file may give it */
    }
    out->ops = &pem_ops;
    out->backend = pkey;
    return LSIGN_OK;
}
