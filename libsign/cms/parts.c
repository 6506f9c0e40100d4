/* The unsigned parts of SignedData, from a DER walk (see parts.h). */
#include <limits.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "cms/parts.h"

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
