/*
 * lsign_xml_verify(): every ds:Signature of a document judged into an
 * lsign_report. Per signature: the algorithms and KeyInfo allowed, each
 * reference digested by xmlsec under libsign's restrictions and checked for
 * signature wrapping (where its target sits), the signature value checked
 * with a key libsign chose from a certificate, the XAdES properties, then
 * the same trust judgement as PDF signatures (validate/trust.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/options.h"
#include "core/stream.h"
#include "libsign/xml.h"
#include "validate/report.h"
#include "validate/trust.h"
#include "xml/dsig.h"
#include "xml/xades.h"
#include "xml/xmldoc.h"

#define MAX_SIGNATURES    256
#define MAX_COVERED_NODES 10000000

static const lsign_xml_verify_options defaults = LSIGN_XML_VERIFY_OPTIONS_INIT;
static const size_t option_sizes[] = {sizeof(lsign_xml_verify_options)};
static const lsi_options_type options_type = {"XML verification options", &defaults, option_sizes,
                                              LSIGN_XML_VERIFY_OPTIONS_VERSION};

int lsign_xml_verify_options_init(lsign_xml_verify_options *opts, unsigned int version)
{
    return lsi_options_init(&options_type, opts, version);
}

typedef struct session {
    const lsign_ctx *ctx;
    const lsign_xml_verify_options *o;
    const lsi_input *detached;
    xmlDocPtr doc;
    X509_STORE *store;
    lsi_report *report;
} session;

/* One signature being judged. */
typedef struct judged {
    xmlNodePtr sig;
    char *id;
    int digest, scheme;
    STACK_OF(X509) * certs; /* from KeyInfo */
    X509 *signer;           /* the certificate whose key verified it (not owned) */
    lsi_xml_ref *refs;
    size_t nrefs;
    int envelops; /* a reference with the enveloped-signature transform contains it */
    lsi_report_sig *rs;
} judged;

static int is_ancestor(const xmlNode *maybe, const xmlNode *node)
{
    for (const xmlNode *n = node; n != NULL; n = n->parent)
        if (n == maybe)
            return 1;
    return 0;
}

static int has_text(const xmlNode *n)
{
    if (n == NULL || (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE))
        return 0;
    for (const xmlChar *c = n->content; c != NULL && *c; c++)
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
            return 1;
    return 0;
}

/*
 * A comment that splits a text node of signed content: canonical XML
 * without comments hides it from the digest, while a reader taking the first
 * text node reads something else (the 2018 SAML attacks).
 */
static int comment_splits_text(xmlNodePtr top, const xmlNode *skip)
{
    size_t seen = 0;

    for (xmlNodePtr n = top; n != NULL && seen++ < MAX_COVERED_NODES;
         n = lsi_xml_following(n, top, n != skip))
        if ((n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) && has_text(n->prev) &&
            has_text(n->next))
            return 1;
    return 0;
}

static int same_name(const xmlNode *a, const xmlNode *b)
{
    return a->type == XML_ELEMENT_NODE && b->type == XML_ELEMENT_NODE &&
           xmlStrEqual(a->name, b->name) &&
           (a->ns == b->ns ||
            (a->ns != NULL && b->ns != NULL && xmlStrEqual(a->ns->href, b->ns->href)));
}

/* What a same-document target is to signature `sig`; NULL when it is out of place. */
static const char *target_kind(session *s, const judged *j, xmlNodePtr target, const char **why)
{
    xmlNodePtr root = xmlDocGetRootElement(s->doc), sig = j->sig;

    *why = "is out of place (signature wrapping?)";
    if (target == root)
        return "document";
    if (is_ancestor(sig, target)) {
        if (lsi_xml_is(target, LSI_NS_XADES, "SignedProperties"))
            return "signed-properties";
        if (lsi_xml_is(target, LSI_NS_DS, "KeyInfo") && target->parent == sig)
            return "key-info";
        if ((lsi_xml_is(target, LSI_NS_DS, "SignatureProperties") ||
             lsi_xml_is(target, LSI_NS_DS, "SignatureProperty")) &&
            is_ancestor(sig, target->parent))
            return "signature-properties";
        if (lsi_xml_is(target, LSI_NS_DS, "Object") && target->parent == sig &&
            lsi_xml_is(lsi_xml_first_element(target), LSI_NS_DS, "SignatureProperties"))
            return "signature-properties";
        if (lsi_xml_is(target, LSI_NS_DS, "Object") && target->parent == sig && sig == root)
            return "object";
        *why = "lies inside the signature (signature wrapping?)";
        return s->o->allow_any_element_reference ? "element" : NULL;
    }
    if (lsi_xml_is(target, LSI_NS_DS, "SignatureValue") && target->parent != NULL &&
        lsi_xml_is(target->parent, LSI_NS_DS, "Signature") && is_ancestor(target->parent, sig))
        return "signature-value";
    if (s->o->allow_any_element_reference)
        return "element";
    if (!is_ancestor(target, sig)) {
        /* An enveloped signature signs what contains it; anything else is another story. */
        if (j->envelops) {
            *why = "is neither the document nor an ancestor of this enveloped signature "
                   "(signature wrapping?)";
            return NULL;
        }
        if (!is_ancestor(target->parent, sig))
            return NULL;
    }
    for (xmlNodePtr c = target->parent->children; c != NULL; c = c->next)
        if (c != target && same_name(c, target)) {
            *why = "has a sibling of the same name that is not signed (signature wrapping?)";
            return NULL;
        }
    return "element";
}

/* The element a same-document reference points at (the document element for ""), or NULL. */
static xmlNodePtr ref_target(const xmlDoc *doc, const lsi_xml_ref *r)
{
    xmlAttrPtr id;

    if (r->external)
        return NULL;
    if (r->uri[0] == '\0')
        return xmlDocGetRootElement(doc);
    id = xmlGetID((xmlDocPtr)doc, (const xmlChar *)r->uri + 1);
    return id != NULL ? id->parent : NULL;
}

/* Where reference r's data sits; failures of placement go to the report. */
static void judge_reference(session *s, judged *j, const lsi_xml_ref *r)
{
    xmlNodePtr target = NULL;
    const char *kind = "external", *why = "";
    char *path = NULL;

    if (!r->external) {
        if ((target = ref_target(s->doc, r)) == NULL)
            return; /* xmlsec has already failed it */
        kind = r->uri[0] == '\0' ? "document" : target_kind(s, j, target, &why);
        path = r->uri[0] == '\0' ? strdup("/") : lsi_xml_path(target);
    }
    if (kind == NULL)
        lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE,
                            "the element signed by reference '%.64s' (%s) %s", r->uri,
                            path != NULL ? path : "?", why);
    else if (r->enveloped && target != NULL && !is_ancestor(target, j->sig))
        lsi_report_sig_warn(j->rs,
                            "reference '%.64s' uses the enveloped-signature transform on an "
                            "element that does not contain the signature (it does nothing)",
                            r->uri);
    else if (target != NULL && comment_splits_text(target, j->sig))
        lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE,
                            "a comment splits the text of the content signed by '%.64s': the "
                            "signature does not cover what a reader sees",
                            r->uri);
    lsi_report_sig_add_covered(j->rs, r->uri, kind != NULL ? kind : "element",
                               r->external ? NULL : path, r->content, r->content_len);
    if (kind != NULL && strcmp(kind, "document") == 0 && r->enveloped)
        lsi_report_sig_set_covers_whole_document(j->rs, 1);
    free(path);
}

static int check_references(session *s, judged *j)
{
    xmlNodePtr si = lsi_xml_child(j->sig, LSI_NS_DS, "SignedInfo");
    const char *uri = s->o->detached_uri;
    int rc = lsi_xml_references(si, 0, uri, s->detached != NULL ? s->detached->data : NULL,
                                s->detached != NULL ? s->detached->len : 0, &j->refs, &j->nrefs);

    if (rc == LSIGN_E_PARSE) {
        lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE, "%s",
                            lsign_last_error());
        return LSIGN_OK;
    }
    for (size_t i = 0; rc == LSIGN_OK && i < j->nrefs; i++) {
        xmlNodePtr target = j->refs[i].enveloped ? ref_target(s->doc, &j->refs[i]) : NULL;
        j->envelops |= target != NULL && is_ancestor(target, j->sig);
    }
    for (size_t i = 0; rc == LSIGN_OK && i < j->nrefs; i++) {
        const lsi_xml_ref *r = &j->refs[i];
        if (!r->ok && strncmp(r->reason, "no element", 10) == 0)
            lsi_report_sig_fail(j->rs, LSI_INDETERMINATE, LSI_SUB_SIGNED_DATA_NOT_FOUND, "%s",
                                r->reason);
        else if (!r->ok)
            lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED,
                                strncmp(r->reason, "the digest", 10) == 0 ? LSI_SUB_HASH_FAILURE
                                                                          : LSI_SUB_FORMAT_FAILURE,
                                "%s", r->reason);
        judge_reference(s, j, r);
    }
    return rc;
}

/* The X509Certificate values of KeyInfo; RetrievalMethod and bare KeyValue are refused. */
static void read_key_info(judged *j)
{
    xmlNodePtr ki = lsi_xml_child(j->sig, LSI_NS_DS, "KeyInfo");

    j->certs = sk_X509_new_null();
    if (lsi_xml_child(ki, LSI_NS_DS, "RetrievalMethod") != NULL)
        lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE,
                            "KeyInfo uses RetrievalMethod, which is not accepted");
    for (xmlNodePtr d = lsi_xml_child(ki, LSI_NS_DS, "X509Data"); d != NULL && j->certs != NULL;
         d = lsi_xml_next_element(d))
        for (xmlNodePtr c = lsi_xml_child(d, LSI_NS_DS, "X509Certificate"); c != NULL;
             c = lsi_xml_next_element(c)) {
            X509 *x = lsi_xml_is(c, LSI_NS_DS, "X509Certificate") && sk_X509_num(j->certs) < 32
                          ? lsi_xml_cert(c)
                          : NULL;
            if (x != NULL && !sk_X509_push(j->certs, x))
                X509_free(x);
        }
}

/* The signature value, verified with the key of each KeyInfo certificate in turn. */
static int check_value(judged *j)
{
    xmlNodePtr si = lsi_xml_child(j->sig, LSI_NS_DS, "SignedInfo");
    size_t sig_len = 0, len = 0;
    unsigned char *sig =
        lsi_xml_b64_content(lsi_xml_child(j->sig, LSI_NS_DS, "SignatureValue"), &sig_len);
    unsigned char *c14n = NULL;
    int rc = lsi_xml_c14n(si, lsi_xml_child(si, LSI_NS_DS, "CanonicalizationMethod"), &c14n, &len);

    if (rc == LSIGN_E_PARSE || rc == LSIGN_E_CRYPTO) {
        lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE, "%s",
                            lsign_last_error());
        rc = LSIGN_OK;
    }
    for (int i = 0; rc == LSIGN_OK && sig != NULL && c14n != NULL && j->signer == NULL &&
                    i < sk_X509_num(j->certs);
         i++) {
        X509 *cert = sk_X509_value(j->certs, i);
        if (lsi_xml_verify_value(X509_get0_pubkey(cert), j->digest, j->scheme, c14n, len, sig,
                                 sig_len))
            j->signer = cert;
    }
    if (rc == LSIGN_OK && c14n != NULL && j->signer == NULL)
        lsi_report_sig_fail(j->rs, sk_X509_num(j->certs) > 0 ? LSI_TOTAL_FAILED : LSI_INDETERMINATE,
                            sk_X509_num(j->certs) > 0 ? LSI_SUB_SIG_CRYPTO_FAILURE
                                                      : LSI_SUB_NO_SIGNING_CERTIFICATE_FOUND,
                            sk_X509_num(j->certs) > 0
                                ? "the signature value does not verify with the KeyInfo "
                                  "certificates"
                                : "KeyInfo holds no X.509 certificate (a bare key is not trusted)");
    free(sig);
    free(c14n);
    return rc;
}

static int check_method(judged *j)
{
    xmlNodePtr si = lsi_xml_child(j->sig, LSI_NS_DS, "SignedInfo");
    char *alg = lsi_xml_attr(lsi_xml_child(si, LSI_NS_DS, "SignatureMethod"), "Algorithm");
    int known = lsi_xml_signature_of_uri(alg, &j->digest, &j->scheme);

    if (si == NULL)
        lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE, "no SignedInfo");
    else if (known < 0)
        lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED, LSI_SUB_SIG_CRYPTO_FAILURE,
                            "HMAC signature methods are not accepted ('%.96s')", alg);
    else if (known == 0)
        lsi_report_sig_fail(j->rs, LSI_TOTAL_FAILED, LSI_SUB_FORMAT_FAILURE,
                            "unsupported signature method '%.96s'", alg != NULL ? alg : "");
    else if (j->digest == LSI_XML_DIGEST_SHA1)
        lsi_report_sig_warn(j->rs, "the signature uses SHA-1");
    if (si != NULL && known > 0)
        lsi_report_sig_set_digest_algorithm(j->rs,
                                            OBJ_nid2sn(EVP_MD_get_type(lsi_xml_md(j->digest))));
    free(alg);
    return si != NULL && known > 0;
}

/* A SigningTime element (any namespace) at most three levels under `n`, or NULL. */
static xmlNodePtr find_signing_time(xmlNodePtr n, int depth)
{
    for (xmlNodePtr c = lsi_xml_first_element(n); c != NULL && depth > 0;
         c = lsi_xml_next_element(c)) {
        xmlNodePtr found = xmlStrEqual(c->name, (const xmlChar *)"SigningTime")
                               ? c
                               : find_signing_time(c, depth - 1);
        if (found != NULL)
            return found;
    }
    return NULL;
}

/* e-invoices: Object/SignatureProperties/SignatureProperty/SigningTime, if signed. */
static time_t property_signing_time(judged *j)
{
    for (size_t i = 0; i < j->nrefs; i++) {
        xmlNodePtr prop = j->refs[i].ok ? ref_target(j->sig->doc, &j->refs[i]) : NULL;
        xmlNodePtr t =
            prop != NULL && is_ancestor(j->sig, prop) ? find_signing_time(prop, 3) : NULL;
        xmlChar *text = t != NULL ? xmlNodeGetContent(t) : NULL;
        int64_t when = text != NULL ? lsi_xades_parse_time((const char *)text) : 0;

        xmlFree(text);
        if (when != 0)
            return (time_t)when;
    }
    return 0;
}

/* Timestamp, chain, revocation and level, as for PDF signatures. */
static int judge_trust(session *s, judged *j, lsi_xades_found *x)
{
    lsi_trust t = {s->ctx, s->store, &x->values, "the XAdES RevocationValues"};
    STACK_OF(X509) *chain = NULL;
    int64_t poe = 0;
    int embedded = 0;

    if (x->token != NULL && x->stamped != NULL)
        poe = lsi_trust_timestamp(&t, x->token, x->token_len, x->stamped, x->stamped_len, j->rs);
    lsi_trust_warn_local_time(x->signing_time, poe, j->rs);
    lsi_trust_key_usage(j->signer, j->rs);
    if (lsi_trust_chain(&t, j->signer, j->certs, poe != 0 ? poe : (int64_t)time(NULL), j->rs,
                        &chain) &&
        chain != NULL)
        embedded = lsi_trust_revocation(&t, j->signer, chain, poe, j->rs);
    if (x->present)
        lsi_report_sig_set_level(j->rs, poe == 0 ? "B-B" : embedded ? "B-LT" : "B-T");
    sk_X509_pop_free(chain, X509_free);
    return LSIGN_OK;
}

static int judge(session *s, xmlNodePtr sig)
{
    judged j;
    lsi_xades_found x;
    int rc = LSIGN_OK;

    memset(&j, 0, sizeof j);
    memset(&x, 0, sizeof x);
    j.sig = sig;
    if ((j.rs = lsi_report_add_signature(s->report)) == NULL)
        return lsi_error_nomem();
    j.id = lsi_xml_attr(sig, "Id");
    lsi_report_sig_set_field(j.rs, j.id);
    lsi_report_sig_set_modifications(j.rs, LSI_MODS_NONE);
    if (check_method(&j)) {
        read_key_info(&j);
        rc = check_references(s, &j);
        if (rc == LSIGN_OK)
            rc = check_value(&j);
    }
    if (rc == LSIGN_OK && j.signer != NULL) {
        lsi_report_sig_set_signer_cert(j.rs, j.signer);
        rc = lsi_xades_check(sig, j.id != NULL ? j.id : "", j.signer, j.refs, j.nrefs, j.rs, &x);
        if (x.signing_time == 0)
            x.signing_time = property_signing_time(&j);
        if (x.signing_time != 0)
            lsi_report_sig_set_signing_time(j.rs, x.signing_time);
        if (rc == LSIGN_OK && lsi_report_sig_status(j.rs) != LSI_TOTAL_FAILED)
            rc = judge_trust(s, &j, &x);
    }
    lsi_xades_found_clear(&x);
    lsi_xml_refs_free(j.refs, j.nrefs);
    sk_X509_pop_free(j.certs, X509_free);
    free(j.id);
    return rc;
}

/* Every ds:Signature in document order (counter-signatures included), bounded. */
static int check_all(session *s)
{
    xmlNodePtr root = xmlDocGetRootElement(s->doc);
    size_t count = 0;
    int rc = LSIGN_OK;

    for (xmlNodePtr n = root; n != NULL && rc == LSIGN_OK; n = lsi_xml_following(n, root, 1))
        if (lsi_xml_is(n, LSI_NS_DS, "Signature")) {
            if (++count > MAX_SIGNATURES)
                return lsi_error(LSIGN_E_LIMIT, "XML: more than %d signatures", MAX_SIGNATURES);
            rc = judge(s, n);
        }
    return rc;
}

int lsign_xml_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name,
                     const lsign_xml_verify_options *opts, lsign_report **report)
{
    lsign_xml_verify_options given;
    session s;
    const lsi_input *in;
    int rc;

    if (ctx == NULL || input == NULL || report == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_xml_verify: NULL context, input or report");
    *report = NULL;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.o = &given;
    if ((rc = lsi_options_read(&options_type, opts, &given)) != LSIGN_OK)
        return rc;
    s.detached = s.o->detached_data != NULL ? lsi_input_of(s.o->detached_data) : NULL;
    in = lsi_input_of(input);
    s.store = lsi_ctx_trust_store(ctx);
    s.report = lsi_report_new(name != NULL ? name : "", "xml", lsi_ctx_language(ctx));
    rc = s.store != NULL && s.report != NULL ? LSIGN_OK : lsi_error_nomem();
    if (rc == LSIGN_OK)
        rc = lsi_xml_parse(ctx, in->data, in->len, &s.doc);
    if (rc == LSIGN_OK)
        rc = lsi_xml_register_ids(s.doc);
    if (rc == LSIGN_OK)
        rc = check_all(&s);
    if (rc == LSIGN_OK)
        lsi_report_hand_over(&s.report, report);
    lsign_report_free(s.report);
    X509_STORE_free(s.store);
    xmlFreeDoc(s.doc);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("XML verification");
}
