/*
 * lsign_xml_sign(): an XMLDSig / XAdES signature added to a document.
 * The ds:Signature is built as a template, its references are digested by
 * xmlsec (dsig.c), its canonical SignedInfo is signed by lsign_signer (so
 * token keys sign), and XAdES B-T / B-LT properties are added after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/rand.h>

#include "core/certfile.h"
#include "core/error.h"
#include "core/options.h"
#include "core/stream.h"
#include "keys/signer_impl.h"
#include "keys/sigformat.h"
#include "libsign/xml.h"
#include "xml/dsig.h"
#include "xml/xades.h"
#include "xml/xmldoc.h"

#define ID_MAX 96

static const lsign_xml_sign_options defaults = LSIGN_XML_SIGN_OPTIONS_INIT;
static const size_t option_sizes[] = {sizeof(lsign_xml_sign_options)};
static const lsi_options_type options_type = {"XML signing options", &defaults, option_sizes,
                                              LSIGN_XML_SIGN_OPTIONS_VERSION};

int lsign_xml_sign_options_init(lsign_xml_sign_options *opts, unsigned int version)
{
    return lsi_options_init(&options_type, opts, version);
}

/* One signing operation. */
typedef struct job {
    const lsign_ctx *ctx;
    lsign_signer *signer;
    const lsign_xml_sign_options *o;
    const lsi_input *in;
    xmlDocPtr doc;
    xmlNodePtr sig, signed_info;
    xmlNsPtr ds;
    int c14n, scheme;
    char id[ID_MAX], ref_id[ID_MAX + 8];
    time_t when;
} job;

static xmlNodePtr with_attr(xmlNodePtr node, const char *name, const char *value)
{
    return node != NULL && xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)value) != NULL
               ? node
               : NULL;
}

static int check_options(job *j)
{
    const lsign_xml_sign_options *o = j->o;
    int rc;

    if (o->profile < LSIGN_XML_PROFILE_XADES || o->profile > LSIGN_XML_PROFILE_EINVOICE ||
        o->placement < LSIGN_XML_ENVELOPED || o->placement > LSIGN_XML_DETACHED ||
        o->c14n < LSIGN_XML_C14N_DEFAULT || o->c14n > LSIGN_XML_C14N_1_1 ||
        o->level < LSIGN_XADES_B_B || o->level > LSIGN_XADES_B_LT ||
        lsi_xml_digest_uri(o->digest) == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "an option is out of range");
    if (o->profile != LSIGN_XML_PROFILE_XADES &&
        (o->placement != LSIGN_XML_ENVELOPED || o->level != LSIGN_XADES_B_B))
        return lsi_error(LSIGN_E_UNSUPPORTED,
                         "the edxml and einvoice profiles are enveloped XMLDSig only");
    if (o->countersign_id != NULL &&
        (o->profile != LSIGN_XML_PROFILE_XADES || o->placement != LSIGN_XML_ENVELOPED))
        return lsi_error(LSIGN_E_UNSUPPORTED,
                         "a counter-signature is a XAdES signature inside the document");
    if (o->placement == LSIGN_XML_DETACHED && (o->detached_uri == NULL || *o->detached_uri == 0))
        return lsi_error(LSIGN_E_INVALID_ARG, "a detached signature needs detached_uri");
    if (o->policy_id != NULL && o->policy_sha256 == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "policy_id needs policy_sha256");
    if ((rc = lsi_signer_resolve_scheme(j->signer, o->scheme, &j->scheme)) != LSIGN_OK)
        return rc;
    if (o->profile == LSIGN_XML_PROFILE_EINVOICE &&
        (j->scheme != LSIGN_SCHEME_RSA_PKCS1 || o->digest != LSIGN_DIGEST_SHA256))
        return lsi_error(LSIGN_E_UNSUPPORTED, "the einvoice profile is RSA-SHA256");
    if (o->signature_id != NULL && (strlen(o->signature_id) >= ID_MAX - 16 || !*o->signature_id))
        return lsi_error(LSIGN_E_INVALID_ARG, "signature_id is empty or too long");
    j->c14n = o->c14n != LSIGN_XML_C14N_DEFAULT          ? o->c14n
              : o->profile == LSIGN_XML_PROFILE_EINVOICE ? LSIGN_XML_C14N_1_0
                                                         : LSIGN_XML_C14N_EXCLUSIVE;
    return LSIGN_OK;
}

static int choose_id(job *j)
{
    unsigned char r[8];

    if (j->o->signature_id != NULL) {
        snprintf(j->id, sizeof j->id, "%s", j->o->signature_id);
        return LSIGN_OK;
    }
    if (RAND_bytes(r, sizeof r) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "no random bytes");
    snprintf(j->id, sizeof j->id, "sig-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
             r[4], r[5], r[6], r[7]);
    return LSIGN_OK;
}

/* Declares the document element's prefixes (and ds) for the caller's XPath. */
static void register_prefixes(xmlXPathContextPtr x, xmlNodePtr root)
{
    xmlXPathRegisterNs(x, (const xmlChar *)"ds", (const xmlChar *)LSI_NS_DS);
    for (xmlNsPtr ns = root->nsDef; ns != NULL; ns = ns->next)
        if (ns->prefix != NULL)
            xmlXPathRegisterNs(x, ns->prefix, ns->href);
}

static int find_parent(job *j, xmlNodePtr *parent)
{
    xmlNodePtr root = xmlDocGetRootElement(j->doc);
    xmlXPathContextPtr x;
    xmlXPathObjectPtr r;
    int rc = LSIGN_OK;

    *parent = root;
    if (j->o->parent_xpath == NULL)
        return LSIGN_OK;
    if ((x = xmlXPathNewContext(j->doc)) == NULL)
        return lsi_error_nomem();
    register_prefixes(x, root);
    r = xmlXPathEvalExpression((const xmlChar *)j->o->parent_xpath, x);
    if (r == NULL || r->type != XPATH_NODESET || r->nodesetval == NULL ||
        r->nodesetval->nodeNr != 1 || r->nodesetval->nodeTab[0]->type != XML_ELEMENT_NODE)
        rc = lsi_error(LSIGN_E_INVALID_ARG,
                       "parent_xpath '%.128s' selects %d elements "
                       "(exactly one needed)",
                       j->o->parent_xpath,
                       r != NULL && r->type == XPATH_NODESET && r->nodesetval != NULL
                           ? r->nodesetval->nodeNr
                           : 0);
    else
        *parent = r->nodesetval->nodeTab[0];
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(x);
    return rc;
}

/* A Reference with its transforms, DigestMethod and an empty DigestValue. */
static xmlNodePtr add_reference(job *j, const char *id, const char *uri, const char *type,
                                int enveloped, int c14n)
{
    xmlNodePtr ref = with_attr(lsi_xml_add(j->signed_info, j->ds, "Reference", NULL), "URI", uri),
               ts;

    if (ref != NULL && id != NULL)
        ref = with_attr(ref, "Id", id);
    if (ref != NULL && type != NULL)
        ref = with_attr(ref, "Type", type);
    if (ref != NULL && (enveloped || c14n)) {
        ts = lsi_xml_add(ref, j->ds, "Transforms", NULL);
        if (enveloped && with_attr(lsi_xml_add(ts, j->ds, "Transform", NULL), "Algorithm",
                                   LSI_XML_ENVELOPED_URI) == NULL)
            return NULL;
        if (c14n && with_attr(lsi_xml_add(ts, j->ds, "Transform", NULL), "Algorithm",
                              lsi_xml_c14n_uri(j->c14n)) == NULL)
            return NULL;
    }
    if (with_attr(lsi_xml_add(ref, j->ds, "DigestMethod", NULL), "Algorithm",
                  lsi_xml_digest_uri(j->o->digest)) == NULL ||
        lsi_xml_add(ref, j->ds, "DigestValue", NULL) == NULL)
        return NULL;
    return ref;
}

/* What the signature's first reference points at, and how. */
typedef struct data_ref {
    char uri[ID_MAX + 16];
    const char *type; /* the Reference Type, or NULL */
    int enveloped;    /* with the enveloped-signature transform */
    int transforms;   /* with a canonicalization (not for detached data) */
    xmlNodePtr root;  /* enveloping: the document element, moved into a ds:Object */
} data_ref;

static void detached(job *j, data_ref *d)
{
    xmlDocSetRootElement(j->doc, j->sig);
    snprintf(d->uri, sizeof d->uri, "%s", j->o->detached_uri);
    d->transforms = 0;
}

static void enveloping(job *j, data_ref *d)
{
    d->root = xmlDocGetRootElement(j->doc);
    xmlUnlinkNode(d->root);
    xmlDocSetRootElement(j->doc, j->sig);
    snprintf(d->uri, sizeof d->uri, "#%s-object", j->id);
}

/* Inside the document: the whole of it, or the element with reference_id. */
static int enveloped(job *j, data_ref *d)
{
    const char *rid = j->o->reference_id != NULL                    ? j->o->reference_id
                      : j->o->profile == LSIGN_XML_PROFILE_EINVOICE ? "data"
                                                                    : NULL;
    xmlNodePtr parent = NULL;
    xmlAttrPtr target = rid != NULL ? xmlGetID(j->doc, (const xmlChar *)rid) : NULL;
    int rc = find_parent(j, &parent);

    if (rc != LSIGN_OK)
        return rc;
    xmlAddChild(parent, j->sig);
    d->enveloped = rid == NULL;
    if (rid == NULL)
        return LSIGN_OK;
    if (target == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "no element has Id '%.64s'", rid);
    snprintf(d->uri, sizeof d->uri, "#%.*s", ID_MAX - 1, rid);
    for (xmlNodePtr a = parent; a != NULL; a = a->parent)
        d->enveloped |= a == target->parent;
    return LSIGN_OK;
}

/*
 * A XAdES counter-signature: in the UnsignedSignatureProperties of the
 * signature countersign_id, over its SignatureValue (given an Id if it has
 * none, unless a timestamp already covers that element as it is).
 */
static int countersignature(job *j, data_ref *d)
{
    xmlAttrPtr a = xmlGetID(j->doc, (const xmlChar *)j->o->countersign_id);
    xmlNodePtr target = a != NULL ? a->parent : NULL;
    xmlNodePtr value = lsi_xml_child(target, LSI_NS_DS, "SignatureValue");
    xmlNodePtr usp = value != NULL ? lsi_xades_unsigned_properties(target) : NULL;
    char *id = value != NULL ? lsi_xml_attr(value, "Id") : NULL;

    if (!lsi_xml_is(target, LSI_NS_DS, "Signature") || value == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "no ds:Signature has Id '%.64s'",
                         j->o->countersign_id);
    if (usp == NULL)
        return free(id),
               lsi_error(LSIGN_E_UNSUPPORTED, "only XAdES signatures can be counter-signed");
    if (id == NULL && lsi_xml_child(usp, LSI_NS_XADES, "SignatureTimeStamp") != NULL)
        return lsi_error(LSIGN_E_UNSUPPORTED, "the signature to counter-sign has "
                                              "no SignatureValue Id and a timestamp over it");
    if (id == NULL) {
        snprintf(d->uri, sizeof d->uri, "#%.*s-value", ID_MAX - 8, j->o->countersign_id);
        xmlSetProp(value, (const xmlChar *)"Id", (const xmlChar *)d->uri + 1);
    } else {
        snprintf(d->uri, sizeof d->uri, "#%.*s", ID_MAX - 1, id);
    }
    free(id);
    d->type = LSI_XADES_COUNTERSIGNED_TYPE;
    return xmlAddChild(lsi_xml_add(usp, usp->ns, "CounterSignature", NULL), j->sig) != NULL
               ? LSIGN_OK
               : lsi_error_nomem();
}

/* SignedInfo with the data's reference, and an empty SignatureValue. */
static int signed_info(job *j, const data_ref *d)
{
    char value_id[ID_MAX + 8];

    j->signed_info = lsi_xml_add(j->sig, j->ds, "SignedInfo", NULL);
    if (with_attr(lsi_xml_add(j->signed_info, j->ds, "CanonicalizationMethod", NULL), "Algorithm",
                  lsi_xml_c14n_uri(j->c14n)) == NULL ||
        with_attr(lsi_xml_add(j->signed_info, j->ds, "SignatureMethod", NULL), "Algorithm",
                  lsi_xml_signature_uri(j->o->digest, j->scheme)) == NULL)
        return lsi_error(LSIGN_E_UNSUPPORTED, "no XMLDSig algorithm for this key");
    snprintf(j->ref_id, sizeof j->ref_id, "%s-ref0", j->id);
    snprintf(value_id, sizeof value_id, "%s-value", j->id);
    if (add_reference(j, j->ref_id, d->uri, d->type, d->enveloped, d->transforms) == NULL ||
        with_attr(lsi_xml_add(j->sig, j->ds, "SignatureValue", NULL), "Id", value_id) == NULL)
        return lsi_error_nomem();
    return LSIGN_OK;
}

/*
 * The ds:Signature skeleton placed where the options say, with the signed
 * data's reference. A signature that could not be placed is freed by the
 * caller (it has no parent); an enveloped document element always ends in
 * the ds:Object, so nothing is lost from the tree.
 */
static int place_signature(job *j)
{
    data_ref d = {"", NULL, 0, 1, NULL};
    xmlNodePtr object;
    int rc = LSIGN_OK;

    if ((j->sig = xmlNewDocNode(j->doc, NULL, (const xmlChar *)"Signature", NULL)) == NULL ||
        (j->ds = xmlNewNs(j->sig, (const xmlChar *)LSI_NS_DS, (const xmlChar *)"ds")) == NULL)
        return lsi_error_nomem();
    xmlSetNs(j->sig, j->ds);
    with_attr(j->sig, "Id", j->id);
    if (j->o->countersign_id != NULL)
        rc = countersignature(j, &d);
    else if (j->o->placement == LSIGN_XML_DETACHED)
        detached(j, &d);
    else if (j->o->placement == LSIGN_XML_ENVELOPING)
        enveloping(j, &d);
    else
        rc = enveloped(j, &d);
    if (rc == LSIGN_OK)
        rc = signed_info(j, &d);
    if (d.root != NULL) {
        object = with_attr(lsi_xml_add(j->sig, j->ds, "Object", NULL), "Id", d.uri + 1);
        if (object == NULL || xmlAddChild(object, d.root) == NULL) {
            xmlFreeNode(d.root);
            rc = lsi_error_nomem();
        }
    }
    return rc;
}

static int add_cert(job *j, xmlNodePtr x509data, X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    char *b64 = len > 0 ? lsi_xml_b64(der, (size_t)len) : NULL;
    int ok = b64 != NULL && lsi_xml_add(x509data, j->ds, "X509Certificate", b64) != NULL;

    free(b64);
    OPENSSL_free(der);
    return ok ? LSIGN_OK : lsi_error_nomem();
}

/* ds:KeyInfo, after SignatureValue: the signer's certificate and its chain (einvoice: subject name
 * and certificate). */
static int add_key_info(job *j)
{
    xmlNodePtr info = xmlNewDocNode(j->doc, j->ds, (const xmlChar *)"KeyInfo", NULL);
    xmlNodePtr data = lsi_xml_add(info, j->ds, "X509Data", NULL);
    X509 *cert = lsi_signer_cert(j->signer);
    STACK_OF(X509) *chain = lsi_signer_chain(j->signer);
    char *name;
    int rc = LSIGN_OK;

    if (data == NULL) {
        xmlFreeNode(info);
        return lsi_error_nomem();
    }
    xmlAddNextSibling(lsi_xml_child(j->sig, LSI_NS_DS, "SignatureValue"), info);
    if (j->o->profile == LSIGN_XML_PROFILE_EINVOICE) {
        name = lsi_name_utf8(X509_get_subject_name(cert));
        rc = name != NULL && lsi_xml_add(data, j->ds, "X509SubjectName", name) != NULL
                 ? LSIGN_OK
                 : lsi_error_nomem();
        free(name);
    }
    if (rc == LSIGN_OK)
        rc = add_cert(j, data, cert);
    for (int i = 0; rc == LSIGN_OK && i < sk_X509_num(chain); i++) {
        X509 *c = sk_X509_value(chain, i);
        if (X509_cmp(c, cert) == 0 || (!j->o->include_root && X509_self_signed(c, 0) == 1))
            continue;
        rc = add_cert(j, data, c);
    }
    return rc;
}

/* e-invoices: Object/SignatureProperties/SignatureProperty/SigningTime, and its reference. */
static int add_signing_time_property(job *j)
{
    char prop_id[ID_MAX + 16], uri[ID_MAX + 20], target[ID_MAX + 2], when[32];
    xmlNodePtr sp;
    struct tm tm;

    snprintf(prop_id, sizeof prop_id, "%s-signingtime", j->id);
    snprintf(uri, sizeof uri, "#%s", prop_id);
    snprintf(target, sizeof target, "#%s", j->id);
    gmtime_r(&j->when, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sp = lsi_xml_add(
        lsi_xml_add(lsi_xml_add(j->sig, j->ds, "Object", NULL), j->ds, "SignatureProperties", NULL),
        j->ds, "SignatureProperty", NULL);
    if (with_attr(with_attr(sp, "Id", prop_id), "Target", target) == NULL ||
        xmlAddChild(sp, xmlNewDocRawNode(j->doc, NULL, (const xmlChar *)"SigningTime",
                                         (const xmlChar *)when)) == NULL ||
        add_reference(j, NULL, uri, NULL, 0, 1) == NULL)
        return lsi_error_nomem();
    return LSIGN_OK;
}

static int add_xades(job *j)
{
    char *props_id = NULL, uri[ID_MAX + 24];
    lsi_xades_props p = {j->when,
                         lsi_signer_cert(j->signer),
                         j->ref_id,
                         j->o->mime_type != NULL                 ? j->o->mime_type
                         : j->o->placement == LSIGN_XML_DETACHED ? "application/octet-stream"
                                                                 : "text/xml",
                         j->o->policy_id,
                         j->o->policy_sha256,
                         j->o->signer_role};
    int rc = lsi_xades_write(j->sig, j->id, &p, &props_id);

    if (rc == LSIGN_OK) {
        snprintf(uri, sizeof uri, "#%s", props_id);
        if (add_reference(j, NULL, uri, LSI_XADES_SIGNED_PROPS_TYPE, 0, 1) == NULL)
            rc = lsi_error_nomem();
    }
    free(props_id);
    return rc;
}

/* Digests the references, then signs the canonical SignedInfo with the signer's key. */
static int sign_signed_info(job *j)
{
    lsi_xml_ref *refs = NULL;
    size_t nrefs = 0, len = 0, hash_len = 0, sig_len = LSI_MAX_SIG_BYTES;
    unsigned char *c14n = NULL, hash[EVP_MAX_MD_SIZE], sig[LSI_MAX_SIG_BYTES];
    const EVP_MD *md = lsi_digest_md(j->o->digest, &hash_len);
    char *b64 = NULL;
    /* The signature's own Ids (SignedProperties, properties) join the document's. */
    int rc = lsi_xml_register_ids(j->doc);

    if (rc == LSIGN_OK)
        rc = lsi_xml_references(j->signed_info, 1, j->o->detached_uri, j->in->data, j->in->len,
                                &refs, &nrefs);
    for (size_t i = 0; rc == LSIGN_OK && i < nrefs; i++)
        if (!refs[i].ok)
            rc = lsi_error(LSIGN_E_INVALID_ARG, "%s", refs[i].reason);
    if (rc == LSIGN_OK)
        rc = lsi_xml_c14n(j->signed_info,
                          lsi_xml_child(j->signed_info, LSI_NS_DS, "CanonicalizationMethod"), &c14n,
                          &len);
    if (rc == LSIGN_OK && EVP_Digest(c14n, len, hash, NULL, md, NULL) != 1)
        rc = lsi_error_openssl(LSIGN_E_CRYPTO, "digest");
    if (rc == LSIGN_OK)
        rc = lsign_signer_sign_digest(j->signer, j->o->digest, j->scheme,
                                      j->scheme == LSIGN_SCHEME_ECDSA ? LSIGN_SIGN_ECDSA_RAW : 0,
                                      hash, hash_len, sig, &sig_len);
    if (rc == LSIGN_OK && (b64 = lsi_xml_b64(sig, sig_len)) == NULL)
        rc = lsi_error_nomem();
    if (rc == LSIGN_OK)
        xmlNodeSetContent(lsi_xml_child(j->sig, LSI_NS_DS, "SignatureValue"), (const xmlChar *)b64);
    free(b64);
    free(c14n);
    lsi_xml_refs_free(refs, nrefs);
    return rc;
}

static int build(job *j)
{
    int rc = choose_id(j);

    if (rc == LSIGN_OK)
        rc = place_signature(j);
    if (rc == LSIGN_OK && j->o->profile == LSIGN_XML_PROFILE_EINVOICE)
        rc = add_signing_time_property(j);
    if (rc == LSIGN_OK)
        rc = add_key_info(j);
    if (rc == LSIGN_OK && j->o->profile == LSIGN_XML_PROFILE_XADES)
        rc = add_xades(j);
    if (rc == LSIGN_OK)
        rc = sign_signed_info(j);
    if (rc == LSIGN_OK && j->o->level >= LSIGN_XADES_B_T)
        rc = lsi_xades_add_timestamp(j->ctx, j->sig);
    if (rc == LSIGN_OK && j->o->level >= LSIGN_XADES_B_LT)
        rc =
            lsi_xades_add_values(j->ctx, j->sig, lsi_signer_cert(j->signer),
                                 lsi_signer_chain(j->signer), lsi_signer_allows_invalid(j->signer));
    return rc;
}

static int open_document(job *j)
{
    int rc;

    if (j->o->placement == LSIGN_XML_DETACHED) {
        if ((rc = lsi_xml_init()) != LSIGN_OK)
            return rc;
        return (j->doc = xmlNewDoc((const xmlChar *)"1.0")) != NULL ? LSIGN_OK : lsi_error_nomem();
    }
    rc = lsi_xml_parse(j->ctx, j->in->data, j->in->len, &j->doc);
    return rc == LSIGN_OK ? lsi_xml_register_ids(j->doc) : rc;
}

int lsign_xml_sign(const lsign_ctx *ctx, lsign_signer *signer, const lsign_input *input,
                   lsign_output *output, const lsign_xml_sign_options *opts)
{
    lsign_xml_sign_options given;
    job j;
    lsi_output *out = NULL;
    xmlChar *bytes = NULL;
    size_t len = 0;
    int rc;

    if (signer == NULL || input == NULL || output == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_xml_sign: NULL signer, input or output");
    memset(&j, 0, sizeof j);
    j.ctx = ctx;
    j.signer = signer;
    j.o = &given;
    j.in = lsi_input_of(input);
    rc = lsi_options_read(&options_type, opts, &given);
    j.when = j.o->signing_time > 0 ? (time_t)j.o->signing_time : time(NULL);
    if (rc == LSIGN_OK)
        rc = check_options(&j);
    if (rc == LSIGN_OK)
        rc = open_document(&j);
    if (rc == LSIGN_OK)
        rc = build(&j);
    if (rc == LSIGN_OK)
        rc = lsi_xml_serialize(j.doc, &bytes, &len);
    if (rc == LSIGN_OK)
        rc = lsi_stream_begin(output, input, &out);
    if (rc == LSIGN_OK)
        rc = lsi_stream_finish(output, out, lsi_output_write(out, bytes, len));
    xmlFree(bytes);
    if (j.sig != NULL && j.sig->parent == NULL)
        xmlFreeNode(j.sig);
    xmlFreeDoc(j.doc);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("XML signing");
}
