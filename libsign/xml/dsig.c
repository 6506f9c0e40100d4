/* XMLDSig core: algorithms, canonicalization, references, signature values (see dsig.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <xmlsec/base64.h>
#include <xmlsec/buffer.h>
#include <xmlsec/crypto.h>
#include <xmlsec/nodeset.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>

#include "core/certcache.h"
#include "core/error.h"
#include "keys/sigformat.h"
#include "libsign/signer.h"
#include "libsign/xml.h"
#include "xml/dsig.h"
#include "xml/xmldoc.h"

#define MAX_REFERENCES 64

static const struct {
    int digest;
    const char *uri;
} digests[] = {
    {LSIGN_DIGEST_SHA256, "http://www.w3.org/2001/04/xmlenc#sha256"},
    {LSIGN_DIGEST_SHA384, "http://www.w3.org/2001/04/xmldsig-more#sha384"},
    {LSIGN_DIGEST_SHA512, "http://www.w3.org/2001/04/xmlenc#sha512"},
    {LSI_XML_DIGEST_SHA1, "http://www.w3.org/2000/09/xmldsig#sha1"},
};

static const struct {
    int digest, scheme;
    const char *uri;
} methods[] = {
    {LSIGN_DIGEST_SHA256, LSIGN_SCHEME_RSA_PKCS1,
     "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"},
    {LSIGN_DIGEST_SHA384, LSIGN_SCHEME_RSA_PKCS1,
     "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"},
    {LSIGN_DIGEST_SHA512, LSIGN_SCHEME_RSA_PKCS1,
     "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"},
    {LSIGN_DIGEST_SHA256, LSIGN_SCHEME_ECDSA,
     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"},
    {LSIGN_DIGEST_SHA384, LSIGN_SCHEME_ECDSA,
     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"},
    {LSIGN_DIGEST_SHA512, LSIGN_SCHEME_ECDSA,
     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"},
    /* RFC 6931 section 2.3.10: MGF1 with the same digest, salt as long as the digest. */
    {LSIGN_DIGEST_SHA256, LSIGN_SCHEME_RSA_PSS,
     "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"},
    {LSIGN_DIGEST_SHA384, LSIGN_SCHEME_RSA_PSS,
     "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1"},
    {LSIGN_DIGEST_SHA512, LSIGN_SCHEME_RSA_PSS,
     "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"},
    {LSI_XML_DIGEST_SHA1, LSIGN_SCHEME_RSA_PKCS1, "http://www.w3.org/2000/09/xmldsig#rsa-sha1"},
    {LSI_XML_DIGEST_SHA1, LSIGN_SCHEME_ECDSA, "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"},
};

const char *lsi_xml_digest_uri(int digest)
{
    for (size_t i = 0; i < sizeof digests / sizeof digests[0]; i++)
        if (digests[i].digest == digest)
            return digests[i].uri;
    return NULL;
}

int lsi_xml_digest_of_uri(const char *uri)
{
    for (size_t i = 0; uri != NULL && i < sizeof digests / sizeof digests[0]; i++)
        if (strcmp(digests[i].uri, uri) == 0)
            return digests[i].digest;
    return 0;
}

const char *lsi_xml_signature_uri(int digest, int scheme)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (methods[i].digest == digest && methods[i].scheme == scheme)
            return methods[i].uri;
    return NULL;
}

int lsi_xml_signature_of_uri(const char *uri, int *digest, int *scheme)
{
    for (size_t i = 0; uri != NULL && i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(methods[i].uri, uri) == 0) {
            *digest = methods[i].digest;
            *scheme = methods[i].scheme;
            return 1;
        }
    return uri != NULL && strstr(uri, "hmac") != NULL ? -1 : 0;
}

const char *lsi_xml_c14n_uri(int c14n)
{
    switch (c14n) {
    case LSIGN_XML_C14N_1_0: return "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    case LSIGN_XML_C14N_1_1: return "http://www.w3.org/2006/12/xml-c14n11";
    default: return "http://www.w3.org/2001/10/xml-exc-c14n#";
    }
}

const EVP_MD *lsi_xml_md(int digest)
{
    size_t len;

    return digest == LSI_XML_DIGEST_SHA1 ? EVP_sha1() : lsi_digest_md(digest, &len);
}

/*
 * The transforms a reference or SignedInfo may use besides enveloped-signature:
 * canonicalizations and digests.
 */
static int allow_transforms(xmlSecPtrListPtr list)
{
    xmlSecTransformId ids[] = {
        xmlSecTransformInclC14NId,   xmlSecTransformInclC14NWithCommentsId,
        xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
        xmlSecTransformExclC14NId,   xmlSecTransformExclC14NWithCommentsId,
        xmlSecTransformSha1Id,       xmlSecTransformSha256Id,
        xmlSecTransformSha384Id,     xmlSecTransformSha512Id,
    };

    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (xmlSecPtrListAdd(list, (void *)ids[i]) < 0)
            return lsi_error_nomem();
    return LSIGN_OK;
}

int lsi_xml_c14n(xmlNodePtr node, xmlNodePtr method, unsigned char **out, size_t *len)
{
    xmlSecTransformCtxPtr tc = xmlSecTransformCtxCreate();
    xmlSecNodeSetPtr nodes = NULL;
    xmlSecBufferPtr result;
    int rc = tc != NULL ? allow_transforms(&tc->enabledTransforms) : lsi_error_nomem();

    *out = NULL;
    if (rc == LSIGN_OK &&
        xmlSecTransformCtxNodeRead(tc, method, xmlSecTransformUsageC14NMethod) == NULL)
        rc = lsi_error(LSIGN_E_PARSE, "XML: unsupported canonicalization method");
    if (rc == LSIGN_OK && (nodes = xmlSecNodeSetGetChildren(node->doc, node, 1, 0)) == NULL)
        rc = lsi_error_nomem();
    if (rc == LSIGN_OK && xmlSecTransformCtxXmlExecute(tc, nodes) < 0)
        rc = lsi_error(LSIGN_E_CRYPTO, "XML: canonicalization failed");
    if (rc == LSIGN_OK &&
        ((result = tc->result) == NULL || (*out = malloc(xmlSecBufferGetSize(result) + 1)) == NULL))
        rc = lsi_error_nomem();
    if (rc == LSIGN_OK) {
        *len = xmlSecBufferGetSize(result);
        if (*len > 0) /* an empty buffer may have no data at all */
            memcpy(*out, xmlSecBufferGetData(result), *len);
    }
    if (nodes != NULL)
        xmlSecNodeSetDestroy(nodes);
    if (tc != NULL)
        xmlSecTransformCtxDestroy(tc);
    return rc;
}

char *lsi_xml_b64(const unsigned char *data, size_t len)
{
    xmlChar *b = len <= INT_MAX ? xmlSecBase64Encode(data, (xmlSecSize)len, 0) : NULL;
    char *copy = b != NULL ? strdup((const char *)b) : NULL;

    xmlFree(b);
    return copy;
}

static unsigned char *unb64(const char *text, size_t *len)
{
    size_t n = strlen(text);
    unsigned char *out = malloc(n + 1);
    xmlSecSize got = 0;

    if (out == NULL || n > INT_MAX)
        return free(out), NULL;
    if (xmlSecBase64Decode_ex((const xmlChar *)text, out, (xmlSecSize)n + 1, &got) < 0)
        return free(out), NULL;
    *len = (size_t)got;
    return out;
}

unsigned char *lsi_xml_b64_content(const xmlNode *node, size_t *len)
{
    char *text = lsi_xml_text(node);
    unsigned char *data = text != NULL ? unb64(text, len) : NULL;

    free(text);
    return data;
}

X509 *lsi_xml_cert(const xmlNode *node)
{
    size_t len = 0;
    unsigned char *der = lsi_xml_b64_content(node, &len);
    X509 *cert = lsi_cert_decode(der, len); /* the same signers' certificates, decoded once */

    free(der);
    return cert;
}

char *lsi_xml_digest_b64(int digest, const unsigned char *data, size_t len)
{
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_len = 0;
    const EVP_MD *md = lsi_xml_md(digest);

    if (md == NULL || EVP_Digest(data, len, hash, &hash_len, md, NULL) != 1)
        return NULL;
    return lsi_xml_b64(hash, hash_len);
}

static int is_external(const char *uri)
{
    return uri == NULL || (uri[0] != '\0' && uri[0] != '#') ||
           (uri[0] == '#' && strncmp(uri, "#xpointer(", 10) == 0);
}

static int has_enveloped(xmlNodePtr ref)
{
    xmlNodePtr transforms = lsi_xml_child(ref, LSI_NS_DS, "Transforms");

    for (xmlNodePtr t = lsi_xml_first_element(transforms); t != NULL; t = lsi_xml_next_element(t)) {
        char *alg = lsi_xml_attr(t, "Algorithm");
        int yes = alg != NULL && strcmp(alg, LSI_XML_ENVELOPED_URI) == 0;
        free(alg);
        if (yes)
            return 1;
    }
    return 0;
}

/* A detached reference: the data given, hashed without transforms, against DigestValue. */
static void detached_reference(lsi_xml_ref *r, int sign, const unsigned char *data, size_t len)
{
    xmlNodePtr method = lsi_xml_child(r->node, LSI_NS_DS, "DigestMethod");
    xmlNodePtr value = lsi_xml_child(r->node, LSI_NS_DS, "DigestValue");
    char *alg = method != NULL ? lsi_xml_attr(method, "Algorithm") : NULL;
    char *b64 = lsi_xml_digest_b64(lsi_xml_digest_of_uri(alg), data, len);
    xmlChar *have = value != NULL ? xmlNodeGetContent(value) : NULL;

    if (lsi_xml_child(r->node, LSI_NS_DS, "Transforms") != NULL)
        snprintf(r->reason, sizeof r->reason, "a detached reference with transforms");
    else if (b64 == NULL || value == NULL)
        snprintf(r->reason, sizeof r->reason, "unsupported digest method");
    else if (sign)
        xmlNodeSetContent(value, (const xmlChar *)b64), r->ok = 1;
    else if (have != NULL && xmlStrEqual(have, (const xmlChar *)b64))
        r->ok = 1;
    else
        snprintf(r->reason, sizeof r->reason, "the digest of the detached data does not match");
    if (r->ok && !sign && (r->content = malloc(len > 0 ? len : 1)) != NULL) {
        if (len > 0)
            memcpy(r->content, data, len);
        r->content_len = len;
    }
    xmlFree(have);
    free(b64);
    free(alg);
}

static xmlSecDSigCtxPtr restricted_ctx(int sign)
{
    xmlSecDSigCtxPtr d = xmlSecDSigCtxCreate(NULL);

    if (d == NULL)
        return NULL;
    d->operation = sign ? xmlSecTransformOperationSign : xmlSecTransformOperationVerify;
    d->flags = XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS | XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
    d->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
    if (xmlSecDSigCtxEnableReferenceTransform(d, xmlSecTransformEnvelopedId) < 0 ||
        allow_transforms(d->enabledReferenceTransforms) != LSIGN_OK) {
        xmlSecDSigCtxDestroy(d);
        return NULL;
    }
    return d;
}

/* One same-document reference through xmlsec. */
static int xmlsec_reference(xmlSecDSigCtxPtr d, lsi_xml_ref *r)
{
    xmlSecDSigReferenceCtxPtr rc =
        xmlSecDSigReferenceCtxCreate(d, xmlSecDSigReferenceOriginSignedInfo);
    xmlSecBufferPtr pre;

    if (rc == NULL)
        return lsi_error_nomem();
    if (r->uri != NULL && r->uri[0] == '#' &&
        xmlGetID(r->node->doc, (const xmlChar *)r->uri + 1) == NULL)
        snprintf(r->reason, sizeof r->reason, "no element has the Id of reference '%.64s'", r->uri);
    else if (xmlSecDSigReferenceCtxProcessNode(rc, r->node) < 0)
        snprintf(r->reason, sizeof r->reason,
                 "the reference '%.64s' cannot be processed (target missing, or a transform, "
                 "digest or URI that is not allowed)",
                 r->uri != NULL ? r->uri : "");
    else if (rc->status != xmlSecDSigStatusSucceeded)
        snprintf(r->reason, sizeof r->reason, "the digest of '%.64s' does not match",
                 r->uri != NULL ? r->uri : "");
    else
        r->ok = 1;
    pre = xmlSecDSigReferenceCtxGetPreDigestBuffer(rc);
    if (pre != NULL && (r->content = malloc(xmlSecBufferGetSize(pre) + 1)) != NULL) {
        r->content_len = xmlSecBufferGetSize(pre);
        if (r->content_len > 0) /* an empty buffer may have no data at all */
            memcpy(r->content, xmlSecBufferGetData(pre), r->content_len);
    }
    xmlSecDSigReferenceCtxDestroy(rc);
    return LSIGN_OK;
}

int lsi_xml_references(xmlNodePtr signed_info, int sign, const char *detached_uri,
                       const unsigned char *detached, size_t detached_len, lsi_xml_ref **refs,
                       size_t *count)
{
    xmlSecDSigCtxPtr d;
    lsi_xml_ref *list;
    size_t n = 0;
    int rc = LSIGN_OK;

    *refs = NULL;
    *count = 0;
    for (xmlNodePtr c = lsi_xml_child(signed_info, LSI_NS_DS, "Reference"); c != NULL;
         c = lsi_xml_next_element(c))
        n += lsi_xml_is(c, LSI_NS_DS, "Reference") ? 1 : 0;
    if (n == 0 || n > MAX_REFERENCES)
        return lsi_error(LSIGN_E_PARSE, "XML: SignedInfo has %zu references (1 to %d allowed)", n,
                         MAX_REFERENCES);
    if ((list = calloc(n, sizeof *list)) == NULL || (d = restricted_ctx(sign)) == NULL) {
        free(list);
        return lsi_error_nomem();
    }
    n = 0;
    for (xmlNodePtr c = lsi_xml_first_element(signed_info); c != NULL && rc == LSIGN_OK;
         c = lsi_xml_next_element(c)) {
        lsi_xml_ref *r = &list[n];
        if (!lsi_xml_is(c, LSI_NS_DS, "Reference"))
            continue;
        n++;
        r->node = c;
        r->uri = lsi_xml_attr(c, "URI");
        r->type = lsi_xml_attr(c, "Type");
        r->external = is_external(r->uri);
        r->enveloped = has_enveloped(c);
        if (r->external && detached != NULL && r->uri != NULL && detached_uri != NULL &&
            strcmp(r->uri, detached_uri) == 0)
            detached_reference(r, sign, detached, detached_len);
        else if (r->external)
            snprintf(r->reason, sizeof r->reason,
                     "the reference '%.64s' points outside the document",
                     r->uri != NULL ? r->uri : "(no URI)");
        else
            rc = xmlsec_reference(d, r);
    }
    xmlSecDSigCtxDestroy(d);
    ERR_clear_error();
    if (rc != LSIGN_OK) {
        lsi_xml_refs_free(list, n);
        return rc;
    }
    *refs = list;
    *count = n;
    return LSIGN_OK;
}

void lsi_xml_refs_free(lsi_xml_ref *refs, size_t count)
{
    for (size_t i = 0; refs != NULL && i < count; i++) {
        free(refs[i].uri);
        free(refs[i].type);
        free(refs[i].content);
    }
    free(refs);
}

int lsi_xml_verify_value(EVP_PKEY *key, int digest, int scheme, const unsigned char *data,
                         size_t len, const unsigned char *sig, size_t sig_len)
{
    const EVP_MD *md = lsi_xml_md(digest);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char der[LSI_MAX_SIG_BYTES];
    size_t der_len = sizeof der;
    int ok = 0;

    if (scheme == LSIGN_SCHEME_ECDSA) {
        if (lsi_ecdsa_raw_to_der(sig, sig_len, der, &der_len) != LSIGN_OK)
            goto done;
        sig = der;
        sig_len = der_len;
    }
    if (md == NULL || mctx == NULL || EVP_DigestVerifyInit(mctx, &pctx, md, NULL, key) != 1)
        goto done;
    if (scheme == LSIGN_SCHEME_RSA_PSS &&
        (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1))
        goto done;
    ok = EVP_DigestVerify(mctx, sig, sig_len, data, len) == 1;
done:
    EVP_MD_CTX_free(mctx);
    ERR_clear_error();
    return ok;
}
