#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "core/certfile.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/options.h"
#include "keys/certchain.h"
#include "keys/sigformat.h"
#include "keys/signer_impl.h"

struct lsign_signer {
    lsi_key_opened key;
    X509 *cert;
    STACK_OF(X509) * chain; /* leaf to root, without `cert` */
    EVP_PKEY *pubkey;       /* from the certificate */
    int key_type;
    unsigned int key_bits;
    char *subject;
    unsigned char **der; /* DER of cert then chain, for lsign_signer_cert_der() */
    size_t *der_len;
    size_t ncerts;
    unsigned char certs_id[SHA256_DIGEST_LENGTH]; /* SHA-256 over those DERs, in order */
    int allow_invalid; /* the caller waived the certificate checks (also revocation) */
};

static const lsign_signer_options default_options = LSIGN_SIGNER_OPTIONS_INIT;

static const size_t option_sizes[] = {sizeof(lsign_signer_options)};
static const lsi_options_type options_type = {"signer options", &default_options, option_sizes,
                                              LSIGN_SIGNER_OPTIONS_VERSION};

int lsign_signer_options_init(lsign_signer_options *opts, unsigned int version)
{
    return lsi_options_init(&options_type, opts, version);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int open_key(const char *key, const lsign_signer_options *opts, const lsign_ctx *ctx,
                    lsi_key_opened *out)
{
    lsi_pin_source *pins = NULL;
    int rc;

    if (strncasecmp(key, "pkcs11:", 7) == 0)
        return lsi_p11key_open(key, opts, ctx, out);
    rc = lsi_pin_source_new(&pins, opts->pin_source, opts->pin_callback, opts->pin_userdata, NULL,
                            NULL, 0);
    if (rc != LSIGN_OK)
        return rc;
    if (has_suffix(key, ".p12") || has_suffix(key, ".pfx"))
        rc = lsi_softkey_open_pkcs12(key, pins, out);
    else
        rc = lsi_softkey_open_pem(key, pins, out);
    lsi_pin_source_free(pins);
    return rc;
}

/* Finds the certificate and chain from the key source and the option files. */
static int gather_certs(lsign_signer *s, const lsign_signer_options *opts, STACK_OF(X509) * *pool)
{
    STACK_OF(X509) *files = NULL;
    int rc = LSIGN_OK;

    *pool = s->key.extra != NULL ? s->key.extra : sk_X509_new_null();
    s->key.extra = NULL;
    if (*pool == NULL)
        return lsi_error_nomem();
    s->cert = s->key.cert;
    s->key.cert = NULL;
    if (s->cert == NULL && opts->cert_file != NULL) {
        rc = lsi_certs_read_file(opts->cert_file, &files);
        if (rc != LSIGN_OK)
            return lsi_error_wrap("signer certificate");
        s->cert = sk_X509_shift(files);
        lsi_certs_move(*pool, files);
        sk_X509_pop_free(files, X509_free);
    }
    if (s->cert == NULL)
        return lsi_error(LSIGN_E_KEY, "no certificate for the %s key: give a certificate file",
                         s->key.ops->kind);
    if (opts->chain_file != NULL) {
        rc = lsi_certs_read_file(opts->chain_file, &files);
        if (rc != LSIGN_OK)
            return lsi_error_wrap("certificate chain");
        lsi_certs_move(*pool, files);
        sk_X509_pop_free(files, X509_free);
    }
    return LSIGN_OK;
}

static int describe_key(lsign_signer *s)
{
    s->pubkey = X509_get_pubkey(s->cert);
    if (s->pubkey == NULL)
        return lsi_error_openssl(LSIGN_E_KEY, "signer certificate: unreadable public key");
    if (EVP_PKEY_is_a(s->pubkey, "RSA"))
        s->key_type = LSIGN_KEY_RSA;
    else if (EVP_PKEY_is_a(s->pubkey, "EC"))
        s->key_type = LSIGN_KEY_EC;
    else
        return lsi_error(LSIGN_E_UNSUPPORTED,
                         "signer certificate: key type %s is not supported "
                         "(RSA and ECDSA are)",
                         EVP_PKEY_get0_type_name(s->pubkey));
    s->key_bits = (unsigned int)EVP_PKEY_get_bits(s->pubkey);
    s->subject = lsi_name_utf8(X509_get_subject_name(s->cert));
    return s->subject != NULL ? LSIGN_OK : lsi_error_nomem();
}

/* What cms/ keys its per-signer templates by: the certificates, fixed when the signer opens. */
static int certs_id(lsign_signer *s)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL);

    for (size_t i = 0; ok && i < s->ncerts; i++)
        ok = EVP_DigestUpdate(md, s->der[i], s->der_len[i]);
    ok = ok && EVP_DigestFinal_ex(md, s->certs_id, NULL);
    EVP_MD_CTX_free(md);
    return ok ? LSIGN_OK : lsi_error_openssl(LSIGN_E_CRYPTO, "cannot hash the certificates");
}

static int cache_der(lsign_signer *s)
{
    s->ncerts = 1 + (size_t)sk_X509_num(s->chain);
    s->der = calloc(s->ncerts, sizeof *s->der);
    s->der_len = calloc(s->ncerts, sizeof *s->der_len);
    if (s->der == NULL || s->der_len == NULL)
        return lsi_error_nomem();
    for (size_t i = 0; i < s->ncerts; i++) {
        X509 *c = i == 0 ? s->cert : sk_X509_value(s->chain, (int)i - 1);
        int len = i2d_X509(c, &s->der[i]);

        if (len <= 0)
            return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot encode certificate %zu", i);
        s->der_len[i] = (size_t)len;
    }
    return certs_id(s);
}

/* Signs a random digest and verifies it with the certificate: proves key and certificate match. */
static int check_key_matches(lsign_signer *s)
{
    unsigned char hash[32], sig[1024];
    size_t sig_len = sizeof sig;
    EVP_PKEY_CTX *pctx;
    int rc, ok;

    if (RAND_bytes(hash, sizeof hash) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "no randomness");
    rc = lsign_signer_sign_digest(s, LSIGN_DIGEST_SHA256, LSIGN_SCHEME_AUTO, 0, hash, sizeof hash,
                                  sig, &sig_len);
    if (rc != LSIGN_OK)
        return rc;
    pctx = EVP_PKEY_CTX_new(s->pubkey, NULL);
    ok = pctx != NULL && EVP_PKEY_verify_init(pctx) > 0 &&
         (s->key_type != LSIGN_KEY_RSA ||
          EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0) &&
         EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) > 0 &&
         EVP_PKEY_verify(pctx, sig, sig_len, hash, sizeof hash) == 1;
    EVP_PKEY_CTX_free(pctx);
    if (!ok) {
        ERR_clear_error();
        return lsi_error(LSIGN_E_KEY, "the %s key does not match the certificate of '%s'",
                         s->key.ops->kind, s->subject);
    }
    return LSIGN_OK;
}

static int finish_open(lsign_signer *s, const lsign_signer_options *opts)
{
    STACK_OF(X509) *pool = NULL;
    time_t when = opts->check_time != 0 ? (time_t)opts->check_time : time(NULL);
    int rc = gather_certs(s, opts, &pool);

    if (rc == LSIGN_OK)
        rc = lsi_chain_build(s->cert, pool, &s->chain);
    sk_X509_pop_free(pool, X509_free);
    if (rc == LSIGN_OK)
        rc = describe_key(s);
    s->allow_invalid = opts->allow_invalid_cert != 0;
    if (rc == LSIGN_OK && !opts->allow_invalid_cert)
        rc = lsi_cert_check_for_signing(s->cert, when);
    if (rc == LSIGN_OK)
        rc = cache_der(s);
    if (rc == LSIGN_OK)
        rc = check_key_matches(s);
    return rc;
}

int lsign_signer_open(lsign_signer **out, const lsign_ctx *ctx, const char *key,
                      const lsign_signer_options *opts)
{
    lsign_signer_options given;
    lsign_signer *s;
    int rc;

    if (out == NULL || key == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_signer_open: out or key is NULL");
    *out = NULL;
    if (lsi_options_read(&options_type, opts, &given) != LSIGN_OK)
        return LSIGN_E_INVALID_ARG;
    opts = &given;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return lsi_error_nomem();
    rc = open_key(key, opts, ctx, &s->key);
    if (rc == LSIGN_OK)
        rc = finish_open(s, opts);
    if (rc == LSIGN_OK)
        lsi_log(ctx, LSIGN_LOG_INFO, "signer: %s key of '%s'", s->key.ops->kind, s->subject);
    if (rc != LSIGN_OK) {
        lsign_signer_free(s);
        return rc;
    }
    *out = s;
    return LSIGN_OK;
}

void lsign_signer_free(lsign_signer *s)
{
    if (s == NULL)
        return;
    if (s->key.ops != NULL)
        s->key.ops->free(s->key.backend);
    X509_free(s->key.cert);
    sk_X509_pop_free(s->key.extra, X509_free);
    X509_free(s->cert);
    sk_X509_pop_free(s->chain, X509_free);
    EVP_PKEY_free(s->pubkey);
    for (size_t i = 0; s->der != NULL && i < s->ncerts; i++)
        OPENSSL_free(s->der[i]);
    free(s->der);
    free(s->der_len);
    free(s->subject);
    free(s);
}

int lsi_signer_resolve_scheme(const lsign_signer *s, int scheme, int *out)
{
    int is_rsa = s->key_type == LSIGN_KEY_RSA;

    if (scheme == LSIGN_SCHEME_AUTO)
        scheme = is_rsa ? LSIGN_SCHEME_RSA_PKCS1 : LSIGN_SCHEME_ECDSA;
    if ((scheme == LSIGN_SCHEME_RSA_PKCS1 || scheme == LSIGN_SCHEME_RSA_PSS) != is_rsa ||
        (scheme == LSIGN_SCHEME_ECDSA) == is_rsa)
        return lsi_error(LSIGN_E_INVALID_ARG, "signature scheme %d does not fit a%s key", scheme,
                         is_rsa ? "n RSA" : "n EC");
    *out = scheme;
    return LSIGN_OK;
}

/* Bytes of r (and of s) in an r||s ECDSA signature for this key. */
static size_t ec_half_len(const lsign_signer *s)
{
    return (s->key_bits + 7) / 8;
}

int lsign_signer_sign_digest(lsign_signer *s, int digest, int scheme, unsigned int flags,
                             const unsigned char *hash, size_t hash_len, unsigned char *sig,
                             size_t *sig_len)
{
    const EVP_MD *md;
    size_t want = 0, max_der;
    unsigned char der[LSI_MAX_SIG_BYTES];
    size_t der_len = sizeof der;
    int rc, raw;

    if (s == NULL || hash == NULL || sig_len == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_signer_sign_digest: NULL argument");
    /* A flag from a later release must not be silently ignored. */
    if ((flags & ~LSIGN_SIGN_ECDSA_RAW) != 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_signer_sign_digest: unknown flags 0x%x",
                         flags & ~LSIGN_SIGN_ECDSA_RAW);
    if ((md = lsi_digest_md(digest, &want)) == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown digest algorithm %d", digest);
    if (hash_len != want)
        return lsi_error(LSIGN_E_INVALID_ARG, "a %s digest is %zu bytes, not %zu",
                         EVP_MD_get0_name(md), want, hash_len);
    if ((rc = lsi_signer_resolve_scheme(s, scheme, &scheme)) != LSIGN_OK)
        return rc;
    raw = scheme == LSIGN_SCHEME_ECDSA && (flags & LSIGN_SIGN_ECDSA_RAW);
    max_der = (size_t)EVP_PKEY_get_size(s->pubkey);
    if (sig == NULL) {
        *sig_len = raw ? 2 * ec_half_len(s) : max_der;
        return LSIGN_OK;
    }
    rc = s->key.ops->sign(s->key.backend, md, scheme, hash, hash_len, der, &der_len);
    if (rc != LSIGN_OK)
        return rc;
    if (raw)
        return lsi_ecdsa_der_to_raw(der, der_len, ec_half_len(s), sig, sig_len);
    if (der_len > *sig_len)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "signature buffer of %zu bytes is too small for "
                         "%zu",
                         *sig_len, der_len);
    memcpy(sig, der, der_len);
    *sig_len = der_len;
    return LSIGN_OK;
}

int lsign_signer_sign(lsign_signer *s, int digest, int scheme, unsigned int flags, const void *data,
                      size_t data_len, unsigned char *sig, size_t *sig_len)
{
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_len = 0;
    size_t want;
    const EVP_MD *md = lsi_digest_md(digest, &want);

    if (md == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown digest algorithm %d", digest);
    if (data == NULL && data_len > 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_signer_sign: data is NULL");
    if (EVP_Digest(data, data_len, hash, &hash_len, md, NULL) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot hash the data");
    return lsign_signer_sign_digest(s, digest, scheme, flags, hash, hash_len, sig, sig_len);
}

int lsign_signer_key_type(const lsign_signer *s)
{
    return s != NULL ? s->key_type : 0;
}

unsigned int lsign_signer_key_bits(const lsign_signer *s)
{
    return s != NULL ? s->key_bits : 0;
}

size_t lsign_signer_cert_count(const lsign_signer *s)
{
    return s != NULL ? s->ncerts : 0;
}

int lsign_signer_cert_der(const lsign_signer *s, size_t index, const unsigned char **der,
                          size_t *der_len)
{
    if (s == NULL || der == NULL || der_len == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_signer_cert_der: NULL argument");
    if (index >= s->ncerts)
        return lsi_error(LSIGN_E_INVALID_ARG, "certificate index %zu out of range (%zu)", index,
                         s->ncerts);
    *der = s->der[index];
    *der_len = s->der_len[index];
    return LSIGN_OK;
}

const char *lsign_signer_subject(const lsign_signer *s)
{
    return s != NULL && s->subject != NULL ? s->subject : "";
}

X509 *lsi_signer_cert(const lsign_signer *s)
{
    return s->cert;
}

const unsigned char *lsi_signer_certs_id(const lsign_signer *s)
{
    return s->certs_id;
}

STACK_OF(X509) * lsi_signer_chain(const lsign_signer *s)
{
    return s->chain;
}

int lsi_signer_allows_invalid(const lsign_signer *signer)
{
    return signer->allow_invalid;
}
