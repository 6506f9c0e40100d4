/* The unsigned parts of SignedData, from a DER walk (see parts.h). */
#include <limits.h>
#include <string.h>

#include <stdlib.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "cms/parts.h"
#include "core/certcache.h"

/* One element of [p, end): its tag and class, its contents in [*in, *in_end); p moves past. */
typedef struct {
    const unsigned char *p, *end;
} der;

static int next(der *d, int *tag, int *cls, der *inside, const unsigned char **start)
{
    const unsigned char *q = d->p;
    long len;
    int ret;

    if (d->p >= d->end || d->end - d->p > LONG_MAX)
        return 0;
    ret = ASN1_get_object(&q, &len, tag, cls, (long)(d->end - d->p));
    if ((ret & 0x80) || ret == 0x21) /* an error, or an indefinite length (BER, not DER) */
        return 0;
    if (start != NULL)
        *start = d->p;
    inside->p = q;
    inside->end = q + len;
    d->p = q + len;
    return 1;
}

static int expect(der *d, int tag, int cls, der *inside, const unsigned char **start)
{
    int t, c;

    return next(d, &t, &c, inside, start) && t == tag && c == cls;
}

/* An element whose identifier octet is `id`, which also fixes its form: 0x30 a SEQUENCE,
 * 0xa0 a constructed [0]. */
static int expect_id(der *d, unsigned char id, der *inside, const unsigned char **start)
{
    const unsigned char *at;
    int tag, cls;

    if (!next(d, &tag, &cls, inside, &at) || *at != id)
        return 0;
    if (start != NULL)
        *start = at;
    return 1;
}

static long integer(const der *whole, const unsigned char *start)
{
    const unsigned char *p = start;
    ASN1_INTEGER *v = d2i_ASN1_INTEGER(NULL, &p, (long)(whole->end - start));
    long n = v != NULL ? ASN1_INTEGER_get(v) : -1;

    ASN1_INTEGER_free(v);
    return n;
}

static X509_ALGOR *algorithm(const unsigned char *start, const unsigned char *end)
{
    return d2i_X509_ALGOR(NULL, &start, (long)(end - start));
}

/* One SignerInfo: version, an issuerAndSerialNumber sid, and the signatureAlgorithm. */
static int signer_info(der *set, lsi_cms_parts *out)
{
    der si, el;
    const unsigned char *start;
    int tag, cls;
    size_t k = out->signer_count;

    if (!expect(set, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &si, NULL) ||
        !expect(&si, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, &el, &start))
        return 0;
    if (k < LSI_CMS_MAX_PARTS)
        out->signer_versions[k] = integer(&si, start);
    if (!expect(&si, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &el, NULL) || /* sid */
        !expect(&si, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &el, NULL) || /* digestAlgorithm */
        !next(&si, &tag, &cls, &el, &start))
        return 0;
    if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 0 && !next(&si, &tag, &cls, &el, &start))
        return 0; /* signedAttrs, then signatureAlgorithm */
    if (tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL)
        return 0;
    if (k < LSI_CMS_MAX_PARTS && (out->signature_algs[k] = algorithm(start, el.end)) == NULL)
        return 0;
    out->signer_count++;
    return 1;
}

static int signed_data(der *sd, lsi_cms_parts *out)
{
    der el, set;
    const unsigned char *start;
    int tag, cls;

    if (!expect(sd, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, &el, &start))
        return 0;
    out->version = integer(sd, start);
    if (!expect(sd, V_ASN1_SET, V_ASN1_UNIVERSAL, &set, NULL))
        return 0;
    while (set.p < set.end) {
        X509_ALGOR *alg;
        if (!expect(&set, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &el, &start) ||
            (alg = algorithm(start, el.end)) == NULL)
            return 0;
        if (out->digest_count < LSI_CMS_MAX_PARTS)
            out->digest_nids[out->digest_count] = OBJ_obj2nid(alg->algorithm);
        out->digest_count++;
        X509_ALGOR_free(alg);
    }
    if (!expect(sd, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &el, NULL)) /* encapContentInfo */
        return 0;
    do { /* certificates [0] and crls [1], skipped unread */
        if (!next(sd, &tag, &cls, &set, NULL))
            return 0;
    } while (cls == V_ASN1_CONTEXT_SPECIFIC && (tag == 0 || tag == 1));
    if (tag != V_ASN1_SET || cls != V_ASN1_UNIVERSAL)
        return 0;
    while (set.p < set.end)
        if (!signer_info(&set, out))
            return 0;
    return sd->p == sd->end;
}

int lsi_cms_parts_read(const unsigned char *der_bytes, size_t len, lsi_cms_parts *out)
{
    der all = {der_bytes, der_bytes + len}, ci, el, explicit0, sd;
    const unsigned char *start;
    ASN1_OBJECT *type;
    int ok;

    memset(out, 0, sizeof *out);
    if (!expect(&all, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &ci, NULL) ||
        !expect(&ci, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, &el, &start))
        return 0;
    type = d2i_ASN1_OBJECT(NULL, &start, (long)(el.end - start));
    ok = type != NULL && OBJ_obj2nid(type) == NID_pkcs7_signed &&
         expect(&ci, 0, V_ASN1_CONTEXT_SPECIFIC, &explicit0, NULL) &&
         expect(&explicit0, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &sd, NULL) && signed_data(&sd, out);
    ASN1_OBJECT_free(type);
    if (!ok)
        lsi_cms_parts_clear(out);
    return ok;
}

void lsi_cms_parts_clear(lsi_cms_parts *parts)
{
    for (size_t i = 0; i < LSI_CMS_MAX_PARTS; i++)
        X509_ALGOR_free(parts->signature_algs[i]);
    memset(parts, 0, sizeof *parts);
}

/* ---- Where the per-signature values of a SignerInfo are ---- */

/* id-signedData's contents octets (RFC 5652 5.1). */
static const unsigned char signed_data_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                0x0d, 0x01, 0x07, 0x02};

/* pkcs9 messageDigest (1.2.840.113549.1.9.4) and signingTime (.5): contents octets. */
static const unsigned char message_digest_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                   0x0d, 0x01, 0x09, 0x04};
static const unsigned char signing_time_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                 0x0d, 0x01, 0x09, 0x05};

static int oid_is(const der *oid, const unsigned char *want, size_t n)
{
    return (size_t)(oid->end - oid->p) == n && memcmp(oid->p, want, n) == 0;
}

/* One Attribute: records messageDigest's contents or signingTime's value element. */
static int layout_attribute(der *attrs, const unsigned char *base, lsi_cms_signer_layout *out)
{
    der attr, oid, values, value;
    const unsigned char *start;
    int tag, cls;

    if (!expect(attrs, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &attr, NULL) ||
        !expect(&attr, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, &oid, NULL) ||
        !expect(&attr, V_ASN1_SET, V_ASN1_UNIVERSAL, &values, NULL) || attr.p != attr.end)
        return 0;
    if (oid_is(&oid, message_digest_oid, sizeof message_digest_oid)) {
        if (out->digest_len != 0 ||
            !expect(&values, V_ASN1_OCTET_STRING, V_ASN1_UNIVERSAL, &value, NULL) ||
            values.p != values.end || value.p == value.end)
            return 0;
        out->digest = (size_t)(value.p - base);
        out->digest_len = (size_t)(value.end - value.p);
    } else if (oid_is(&oid, signing_time_oid, sizeof signing_time_oid)) {
        if (out->time_len != 0 || !next(&values, &tag, &cls, &value, &start) ||
            values.p != values.end)
            return 0;
        out->time = (size_t)(start - base);
        out->time_len = (size_t)(value.end - start);
    }
    return 1;
}

int lsi_cms_signer_layout_read(const unsigned char *bytes, size_t len, lsi_cms_signer_layout *out)
{
    der all = {bytes, bytes + len}, ci, el, explicit0, sd, set, si, attrs;
    const unsigned char *start;
    int tag, cls;

    memset(out, 0, sizeof *out);
    if (!expect(&all, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &ci, NULL) || all.p != all.end ||
        !expect(&ci, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, &el, NULL) ||
        !oid_is(&el, signed_data_oid, sizeof signed_data_oid) ||
        !expect(&ci, 0, V_ASN1_CONTEXT_SPECIFIC, &explicit0, NULL) ||
        !expect(&explicit0, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &sd, NULL))
        return 0;
    do { /* version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls */
        if (!next(&sd, &tag, &cls, &set, NULL))
            return 0;
    } while (!(tag == V_ASN1_SET && cls == V_ASN1_UNIVERSAL && sd.p == sd.end));
    if (!expect(&set, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &si, NULL) || set.p != set.end ||
        !expect(&si, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, &el, NULL) ||
        !expect(&si, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &el, NULL) || /* sid */
        !expect(&si, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &el, NULL) || /* digestAlgorithm */
        !expect_id(&si, 0xa0, &attrs, &start)) /* [0] IMPLICIT SET OF: hashed as 0x31 */
        return 0;
    out->attrs = (size_t)(start - bytes);
    out->attrs_len = (size_t)(attrs.end - start);
    while (attrs.p < attrs.end)
        if (!layout_attribute(&attrs, bytes, out))
            return 0;
    if (!expect(&si, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &el, NULL) || /* signatureAlgorithm */
        !expect(&si, V_ASN1_OCTET_STRING, V_ASN1_UNIVERSAL, &el, NULL) || si.p != si.end)
        return 0;
    out->signature = (size_t)(el.p - bytes);
    out->signature_len = (size_t)(el.end - el.p);
    return out->digest_len != 0;
}

/* ---- Decoding with the certificates from the process-wide cache ---- */

/* Where a ContentInfo(SignedData)'s pieces are, for cutting its certificates out. */
typedef struct {
    const unsigned char *oid, *oid_end;     /* the contentType element */
    const unsigned char *body, *body_end;   /* the SignedData's contents */
    const unsigned char *certs, *certs_end; /* its certificates [0] element */
    der cert_list;                          /* that element's contents */
    size_t used;                            /* the ContentInfo's length */
} layout;

/* The elements whose headers without_certs() writes anew must have the constructed form
 * they get there, or a primitive one OpenSSL refuses would come out as valid. */
static int find_layout(const unsigned char *bytes, size_t len, layout *l)
{
    der all = {bytes, bytes + len}, ci, el, explicit0, sd;

    if (!expect_id(&all, 0x30, &ci, NULL) ||
        !expect(&ci, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, &el, &l->oid) ||
        !oid_is(&el, signed_data_oid, sizeof signed_data_oid) ||
        !expect_id(&ci, 0xa0, &explicit0, NULL) || ci.p != ci.end ||
        !expect_id(&explicit0, 0x30, &sd, NULL) || explicit0.p != explicit0.end)
        return 0;
    l->oid_end = el.end;
    l->used = (size_t)(ci.end - bytes);
    l->body = sd.p;
    l->body_end = sd.end;
    if (!expect(&sd, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, &el, NULL) ||  /* version */
        !expect(&sd, V_ASN1_SET, V_ASN1_UNIVERSAL, &el, NULL) ||      /* digestAlgorithms */
        !expect(&sd, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &el, NULL) || /* encapContentInfo */
        !expect_id(&sd, 0xa0, &l->cert_list, &l->certs))              /* certificates [0] */
        return 0;
    l->certs_end = sd.p;
    return 1;
}

/* The certificates of the list, each a plain Certificate (no other CertificateChoices). */
static STACK_OF(X509) * cached_certs(der list)
{
    STACK_OF(X509) *certs = sk_X509_new_null();

    while (certs != NULL && list.p < list.end) {
        const unsigned char *start;
        der inside;
        X509 *cert = NULL;
        if (!expect(&list, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &inside, &start) ||
            (cert = lsi_cert_decode(start, (size_t)(list.p - start))) == NULL ||
            !sk_X509_push(certs, cert)) {
            X509_free(cert);
            sk_X509_pop_free(certs, X509_free);
            return NULL;
        }
    }
    return certs;
}

/* The ContentInfo of `l` re-encoded without its certificates field. */
static unsigned char *without_certs(const layout *l, size_t *out_len)
{
    size_t oid_len = (size_t)(l->oid_end - l->oid), before = (size_t)(l->certs - l->body),
           after = (size_t)(l->body_end - l->certs_end);
    int sd_len, e0_len, ci_len;
    unsigned char *buf, *p;

    if (l->used > INT_MAX / 2)
        return NULL;
    sd_len = ASN1_object_size(1, (int)(before + after), V_ASN1_SEQUENCE);
    e0_len = ASN1_object_size(1, sd_len, 0);
    ci_len = ASN1_object_size(1, (int)oid_len + e0_len, V_ASN1_SEQUENCE);
    if (sd_len < 0 || e0_len < 0 || ci_len < 0 || (buf = malloc((size_t)ci_len)) == NULL)
        return NULL;
    p = buf;
    ASN1_put_object(&p, 1, (int)oid_len + e0_len, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    memcpy(p, l->oid, oid_len);
    p += oid_len;
    ASN1_put_object(&p, 1, sd_len, 0, V_ASN1_CONTEXT_SPECIFIC);
    ASN1_put_object(&p, 1, (int)(before + after), V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    memcpy(p, l->body, before);
    memcpy(p + before, l->certs_end, after);
    *out_len = (size_t)ci_len;
    return buf;
}

/* The fast path: NULL (nothing to free) when the DER is not of the plain shape it takes. */
static CMS_ContentInfo *decode_cached(const unsigned char *bytes, size_t len, size_t *used,
                                      STACK_OF(X509) * *certs)
{
    CMS_ContentInfo *cms = NULL;
    layout l;
    unsigned char *cut = NULL;
    const unsigned char *p;
    size_t cut_len = 0;

    if (!find_layout(bytes, len, &l) || (*certs = cached_certs(l.cert_list)) == NULL)
        return NULL;
    if ((cut = without_certs(&l, &cut_len)) != NULL) {
        p = cut;
        cms = d2i_CMS_ContentInfo(NULL, &p, (long)cut_len);
        if (cms != NULL && p != cut + cut_len) {
            CMS_ContentInfo_free(cms);
            cms = NULL;
        }
    }
    free(cut);
    if (cms == NULL) {
        sk_X509_pop_free(*certs, X509_free);
        *certs = NULL;
        ERR_clear_error();
    }
    *used = l.used;
    return cms;
}

CMS_ContentInfo *lsi_cms_decode(const unsigned char *bytes, size_t len, size_t *used,
                                STACK_OF(X509) * *certs)
{
    CMS_ContentInfo *cms;
    const unsigned char *p = bytes;

    *certs = NULL;
    if (bytes == NULL || len == 0 || len > LONG_MAX)
        return NULL;
    if ((cms = decode_cached(bytes, len, used, certs)) != NULL)
        return cms;
    if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL)
        return NULL;
    *used = (size_t)(p - bytes);
    if ((*certs = CMS_get1_certs(cms)) == NULL && (*certs = sk_X509_new_null()) == NULL) {
        CMS_ContentInfo_free(cms);
        return NULL;
    }
    return cms;
}
