#include "pades/ltv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/sha.h>

#include "core/certfile.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/grow.h"
#include "pdf/signatures.h"
#include "revocation/revocation.h"

/* Keeps a copy of `der` for the ltv's lifetime; NULL when out of memory. */
static const unsigned char *keep(lsi_ltv *ltv, const unsigned char *der, size_t len)
{
    unsigned char *copy;

    if (LSI_RESERVE(ltv->blobs, ltv->blob_cap, ltv->nblobs) != LSIGN_OK ||
        (copy = malloc(len > 0 ? len : 1)) == NULL)
        return NULL;
    memcpy(copy, der, len);
    ltv->blobs[ltv->nblobs++] = copy;
    return copy;
}

/* Adds an item to a signature's list, once: its chain and its TSA's share certificates. */
static int add_item(lsi_ltv *ltv, lsi_dss_vri *v, int kind, const unsigned char *der, size_t len)
{
    lsi_dss_blob *grown;
    const unsigned char *copy;

    for (size_t i = 0; i < v->count[kind]; i++)
        if (v->items[kind][i].len == len && memcmp(v->items[kind][i].der, der, len) == 0)
            return LSIGN_OK;
    grown = realloc(v->items[kind], (v->count[kind] + 1) * sizeof *grown);
    if (grown == NULL)
        return lsi_error_nomem();
    v->items[kind] = grown;
    if ((copy = keep(ltv, der, len)) == NULL)
        return lsi_error_nomem();
    grown[v->count[kind]++] = (lsi_dss_blob){copy, len};
    return LSIGN_OK;
}

static int add_cert(lsi_ltv *ltv, lsi_dss_vri *v, X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    int rc;

    if (len <= 0)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "cannot encode a certificate");
    rc = add_item(ltv, v, LSI_DSS_CERT, der, (size_t)len);
    OPENSSL_free(der);
    return rc;
}

/* A REVOKED verdict in `set`, as an error naming the certificate, unless allowed. */
static int refuse_revoked(const lsi_rev_set *set, X509 *leaf)
{
    for (size_t i = 0; i < set->count; i++) {
        char *who;
        int rc;
        if (set->items[i].status != LSI_REV_REVOKED)
            continue;
        who = lsi_name_utf8(X509_get_subject_name(leaf));
        rc = lsi_error(LSIGN_E_POLICY,
                       "certificate chain of '%s' holds a revoked certificate (revoked at %lld, "
                       "reason %d)",
                       who != NULL ? who : "?", (long long)set->items[i].revocation_time,
                       set->items[i].reason);
        free(who);
        return rc;
    }
    return LSIGN_OK;
}

/* The chain of `leaf` and its revocation evidence, into `v`. */
static int add_chain(const lsign_ctx *ctx, lsi_ltv *ltv, lsi_dss_vri *v, X509 *leaf,
                     STACK_OF(X509) * untrusted, int allow_revoked)
{
    X509_STORE *store = lsi_ctx_trust_store(ctx);
    lsi_rev_set set;
    int rc;

    memset(&set, 0, sizeof set);
    rc = lsi_rev_collect_chain(ctx, leaf, untrusted, store, (int64_t)time(NULL), LSI_REV_OCSP_FIRST,
                               &set);
    if (rc == LSIGN_OK && !allow_revoked)
        rc = refuse_revoked(&set, leaf);
    for (int i = 0; rc == LSIGN_OK && set.certs != NULL && i < sk_X509_num(set.certs); i++)
        rc = add_cert(ltv, v, sk_X509_value(set.certs, i));
    for (size_t i = 0; rc == LSIGN_OK && i < set.count; i++)
        rc = add_item(ltv, v, set.items[i].is_ocsp ? LSI_DSS_OCSP : LSI_DSS_CRL, set.items[i].der,
                      set.items[i].der_len);
    lsi_rev_set_free(&set);
    X509_STORE_free(store);
    return rc;
}

/* The certificate that signed the (first) SignerInfo of `cms`, up-ref'd, or NULL. */
static X509 *signer_of(CMS_ContentInfo *cms, STACK_OF(X509) * certs)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);

    for (int i = 0; si != NULL && i < sk_X509_num(certs); i++)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0) {
            X509_up_ref(sk_X509_value(certs, i));
            return sk_X509_value(certs, i);
        }
    return NULL;
}

/* The signature timestamp token inside `cms`, as its own CMS, or NULL. */
static CMS_ContentInfo *timestamp_of(CMS_ContentInfo *cms)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    int at = si != NULL ? CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1) : -1;
    ASN1_TYPE *value;
    const unsigned char *p;

    if (at < 0)
        return NULL;
    value = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, at), 0);
    if (value == NULL || value->type != V_ASN1_SEQUENCE)
        return NULL;
    p = value->value.sequence->data;
    return d2i_CMS_ContentInfo(NULL, &p, value->value.sequence->length);
}

/* One CMS (a signature or a timestamp token): its signer's chain, and its token's. */
static int add_cms(const lsign_ctx *ctx, lsi_ltv *ltv, lsi_dss_vri *v, CMS_ContentInfo *cms,
                   int allow_revoked, int depth)
{
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    X509 *leaf = signer_of(cms, certs);
    CMS_ContentInfo *token = depth == 0 ? timestamp_of(cms) : NULL;
    int rc = leaf != NULL ? add_chain(ctx, ltv, v, leaf, certs, allow_revoked)
                          : lsi_error(LSIGN_E_PARSE, "a signature does not carry its signer's "
                                                     "certificate");

    if (rc == LSIGN_OK && token != NULL)
        rc = add_cms(ctx, ltv, v, token, allow_revoked, depth + 1);
    CMS_ContentInfo_free(token);
    X509_free(leaf);
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

static int add_signature(const lsign_ctx *ctx, lsi_ltv *ltv, const lsi_pdf_sig *sig,
                         int allow_revoked)
{
    const unsigned char *contents, *p;
    size_t len;
    CMS_ContentInfo *cms;
    lsi_dss_vri *v;
    int rc;

    if (!lsi_pdf_get_string(lsi_pdf_dict_get(sig->dict, "Contents"), &contents, &len))
        return LSIGN_OK; /* not a signature dictionary we can use; validation reports it */
    v = &ltv->vris[ltv->count];
    memset(v, 0, sizeof *v);
    SHA1(contents, len, v->key);
    p = contents;
    if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL)
        return lsi_error_openssl(LSIGN_E_PARSE, "signature '%s': /Contents is not a CMS",
                                 sig->field);
    ltv->count++;
    rc = add_cms(ctx, ltv, v, cms, allow_revoked, 0);
    CMS_ContentInfo_free(cms);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("signature '%s'", sig->field);
}

/* The same finder the validator uses: /AcroForm fields and page widgets, each once. */
int lsi_ltv_collect(const lsign_ctx *ctx, lsi_pdf_doc *doc, int allow_revoked, lsi_ltv *out)
{
    lsi_pdf_sig *sigs = NULL;
    size_t n = 0;
    int rc = lsi_pdf_signatures(doc, &sigs, &n);

    memset(out, 0, sizeof *out);
    if (rc == LSIGN_OK && (out->vris = calloc(n + 1, sizeof *out->vris)) == NULL)
        rc = lsi_error_nomem();
    for (size_t i = 0; i < n && rc == LSIGN_OK; i++)
        rc = add_signature(ctx, out, &sigs[i], allow_revoked);
    if (rc == LSIGN_OK && out->count == 0)
        rc = lsi_error(LSIGN_E_INVALID_ARG, "PDF: the document has no signature to extend");
    lsi_pdf_signatures_free(sigs, n);
    return rc;
}

int lsi_ltv_check_signer(const lsign_ctx *ctx, X509 *leaf, STACK_OF(X509) * untrusted)
{
    lsi_ltv scratch;
    int rc;

    memset(&scratch, 0, sizeof scratch);
    if ((scratch.vris = calloc(1, sizeof *scratch.vris)) == NULL)
        return lsi_error_nomem();
    scratch.count = 1;
    rc = add_chain(ctx, &scratch, &scratch.vris[0], leaf, untrusted, 0);
    lsi_ltv_free(&scratch);
    return rc;
}

void lsi_ltv_free(lsi_ltv *ltv)
{
    for (size_t i = 0; i < ltv->count; i++)
        for (int kind = 0; kind < LSI_DSS_KINDS; kind++)
            free(ltv->vris[i].items[kind]);
    for (size_t i = 0; i < ltv->nblobs; i++)
        free(ltv->blobs[i]);
    free(ltv->blobs);
    free(ltv->vris);
    memset(ltv, 0, sizeof *ltv);
}
