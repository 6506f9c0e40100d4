/* XML parsing, Id registration and tree helpers (see xmldoc.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include "core/ctx.h"
#include "core/error.h"
#include "xml/xmldoc.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = LSIGN_E_CRYPTO;

/* xmlsec prints its errors to stderr by default; a library keeps quiet. */
static void xmlsec_quiet(const char *file, int line, const char *func, const char *object,
                         const char *subject, int reason, const char *msg)
{
    (void)file, (void)line, (void)func, (void)object, (void)subject, (void)reason, (void)msg;
}

static void libxml_quiet(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

static void init_libraries(void)
{
    xmlInitParser();
    xmlSecErrorsSetCallback(xmlsec_quiet);
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
        xmlSecCryptoInit() < 0)
        return;
    init_result = LSIGN_OK;
}

int lsi_xml_init(void)
{
    pthread_once(&init_once, init_libraries);
    /* libxml2's generic error handler is per thread. */
    xmlSetGenericErrorFunc(NULL, libxml_quiet);
    return init_result == LSIGN_OK ? LSIGN_OK
                                   : lsi_error(LSIGN_E_CRYPTO, "xmlsec could not be initialised");
}

/* What the SAX hooks saw; the parser context's _private. */
typedef struct parse_state {
    int dtd;      /* a DOCTYPE was met */
    int too_deep; /* elements nested deeper than max_depth */
    unsigned int depth, max_depth;
    startElementNsSAX2Func start; /* libxml2's tree builders, called on */
    endElementNsSAX2Func end;
} parse_state;

/* SAX hook at "<!DOCTYPE": stop before the internal subset is read. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    xmlParserCtxtPtr pc = ctx;

    (void)name, (void)external_id, (void)system_id;
    ((parse_state *)pc->_private)->dtd = 1;
    xmlStopParser(pc);
}

/* Depth is counted while parsing, so a deep document stops at the limit: its tree is never
 * built, and the limit is ours (libxml2 would stop at its own 256 with a parse error). */
static void start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                          const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                          int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr pc = ctx;
    parse_state *st = pc->_private;

    if (++st->depth > st->max_depth) {
        st->too_deep = 1;
        xmlStopParser(pc);
        return;
    }
    st->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
              attributes);
}

static void end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                        const xmlChar *uri)
{
    xmlParserCtxtPtr pc = ctx;
    parse_state *st = pc->_private;

    st->depth--;
    st->end(ctx, localname, prefix, uri);
}

/* Depth and node count of the tree, iteratively. */
static int check_tree(const lsign_ctx *ctx, xmlDocPtr doc)
{
    const lsign_ctx_options *o = lsi_ctx_options(ctx);
    uint64_t nodes = 0;
    unsigned int depth = 0;
    xmlNodePtr n = doc->children;

    while (n != NULL) {
        if (++nodes > o->max_objects)
            return lsi_error(LSIGN_E_LIMIT, "XML: more than %llu nodes",
                             (unsigned long long)o->max_objects);
        if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
            if (++depth > o->max_depth)
                return lsi_error(LSIGN_E_LIMIT, "XML: elements nested deeper than %u",
                                 o->max_depth);
            n = n->children;
            continue;
        }
        while (n != NULL && n->next == NULL) {
            n = n->parent;
            if (n == NULL || n->type == XML_DOCUMENT_NODE)
                return LSIGN_OK;
            depth--;
        }
        if (n != NULL)
            n = n->next;
    }
    return LSIGN_OK;
}

int lsi_xml_parse(const lsign_ctx *ctx, const unsigned char *data, size_t len, xmlDocPtr *doc)
{
    const lsign_ctx_options *o = lsi_ctx_options(ctx);
    xmlParserCtxtPtr pc;
    const xmlError *err;
    parse_state st;
    int rc;

    memset(&st, 0, sizeof st);
    *doc = NULL;
    if (len > o->max_stream_bytes || len > INT32_MAX)
        return lsi_error(LSIGN_E_LIMIT, "XML: the document is larger than %llu bytes",
                         (unsigned long long)(o->max_stream_bytes < INT32_MAX ? o->max_stream_bytes
                                                                              : INT32_MAX));
    if ((rc = lsi_xml_init()) != LSIGN_OK)
        return rc;
    if ((pc = xmlNewParserCtxt()) == NULL)
        return lsi_error_nomem();
    st.max_depth = o->max_depth;
    st.start = pc->sax->startElementNs;
    st.end = pc->sax->endElementNs;
    pc->sax->internalSubset = refuse_dtd;
    pc->sax->startElementNs = start_element;
    pc->sax->endElementNs = end_element;
    pc->_private = &st;
    *doc = xmlCtxtReadMemory(pc, (const char *)data, (int)len, NULL, NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    err = xmlCtxtGetLastError(pc);
    if (st.dtd)
        rc = lsi_error(LSIGN_E_PARSE, "XML: a DOCTYPE (DTD) was found; DTDs and entities are "
                                      "not accepted");
    else if (st.too_deep)
        rc = lsi_error(LSIGN_E_LIMIT, "XML: elements nested deeper than %u", o->max_depth);
    else if (*doc == NULL || !pc->wellFormed)
        rc = lsi_error(LSIGN_E_PARSE, "XML: not well-formed (line %d: %.*s)",
                       err != NULL ? err->line : 0,
                       err != NULL && err->message != NULL ? (int)strcspn(err->message, "\n") : 11,
                       err != NULL && err->message != NULL ? err->message : "no document");
    else if ((*doc)->intSubset != NULL || (*doc)->extSubset != NULL)
        rc = lsi_error(LSIGN_E_PARSE, "XML: DTDs are not accepted");
    else if (xmlDocGetRootElement(*doc) == NULL)
        rc = lsi_error(LSIGN_E_PARSE, "XML: no document element");
    else
        rc = check_tree(ctx, *doc);
    xmlFreeParserCtxt(pc);
    if (rc != LSIGN_OK) {
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
    return rc;
}

static int is_id_attr(const xmlAttr *a)
{
    const char *n = (const char *)a->name;

    if (a->ns != NULL)
        return strcmp(n, "id") == 0 && a->ns->prefix != NULL &&
               strcmp((const char *)a->ns->prefix, "xml") == 0;
    return strcmp(n, "Id") == 0 || strcmp(n, "ID") == 0 || strcmp(n, "id") == 0;
}

/* Calls fn on every Id attribute of the document, depth first; stops at the first non-OK. */
static int each_id(xmlDocPtr doc, int (*fn)(xmlAttrPtr a, void *arg), void *arg)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = LSIGN_OK;

    for (xmlNodePtr n = root; n != NULL && rc == LSIGN_OK; n = lsi_xml_following(n, root, 1))
        for (xmlAttrPtr a = n->type == XML_ELEMENT_NODE ? n->properties : NULL;
             a != NULL && rc == LSIGN_OK; a = a->next)
            if (is_id_attr(a))
                rc = fn(a, arg);
    return rc;
}

static int note_id(xmlAttrPtr a, void *arg)
{
    xmlChar *value = xmlNodeListGetString(a->doc, a->children, 1);
    int rc = LSIGN_OK;

    if (value == NULL)
        return LSIGN_OK;
    if (xmlHashAddEntry(arg, value, a) != 0)
        rc = lsi_error(LSIGN_E_PARSE, "XML: duplicate Id '%.64s' (signature wrapping?)",
                       (const char *)value);
    xmlFree(value);
    return rc;
}

static int add_id(xmlAttrPtr a, void *arg)
{
    xmlChar *value = xmlNodeListGetString(a->doc, a->children, 1);

    (void)arg;
    if (value != NULL && xmlGetID(a->doc, value) == NULL)
        xmlAddID(NULL, a->doc, value, a);
    xmlFree(value);
    return LSIGN_OK;
}

int lsi_xml_register_ids(xmlDocPtr doc)
{
    xmlHashTablePtr seen = xmlHashCreate(64);
    int rc;

    if (seen == NULL)
        return lsi_error_nomem();
    rc = each_id(doc, note_id, seen);
    xmlHashFree(seen, NULL);
    return rc == LSIGN_OK ? each_id(doc, add_id, NULL) : rc;
}

int lsi_xml_is(const xmlNode *node, const char *ns, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0 &&
           (ns == NULL ? node->ns == NULL
                       : node->ns != NULL && strcmp((const char *)node->ns->href, ns) == 0);
}

xmlNodePtr lsi_xml_first_element(const xmlNode *parent)
{
    xmlNodePtr c = parent != NULL ? parent->children : NULL;

    while (c != NULL && c->type != XML_ELEMENT_NODE)
        c = c->next;
    return c;
}

xmlNodePtr lsi_xml_next_element(const xmlNode *node)
{
    xmlNodePtr c = node != NULL ? node->next : NULL;

    while (c != NULL && c->type != XML_ELEMENT_NODE)
        c = c->next;
    return c;
}

xmlNodePtr lsi_xml_child(const xmlNode *parent, const char *ns, const char *name)
{
    for (xmlNodePtr c = lsi_xml_first_element(parent); c != NULL; c = lsi_xml_next_element(c))
        if (lsi_xml_is(c, ns, name))
            return c;
    return NULL;
}

char *lsi_xml_attr(const xmlNode *node, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *copy = v != NULL ? strdup((const char *)v) : NULL;

    xmlFree(v);
    return copy;
}

char *lsi_xml_text(const xmlNode *node)
{
    xmlChar *t = node != NULL ? xmlNodeGetContent(node) : NULL;
    char *copy = t != NULL ? strdup((const char *)t) : NULL;

    xmlFree(t);
    return copy;
}

xmlNodePtr lsi_xml_add(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
    return parent != NULL
               ? xmlNewTextChild(parent, ns, (const xmlChar *)name, (const xmlChar *)text)
               : NULL;
}

xmlNodePtr lsi_xml_following(xmlNodePtr n, const xmlNode *top, int descend)
{
    if (descend && n->type == XML_ELEMENT_NODE && n->children != NULL)
        return n->children;
    while (n != NULL && n != top && n->next == NULL)
        n = n->parent;
    return n == NULL || n == top ? NULL : n->next;
}

/* Position of `node` among its same-named element siblings, from 1. */
static size_t sibling_position(const xmlNode *node)
{
    size_t pos = 1;

    for (const xmlNode *s = node->prev; s != NULL; s = s->prev)
        pos += s->type == XML_ELEMENT_NODE && xmlStrEqual(s->name, node->name) &&
               (s->ns == node->ns ||
                (s->ns != NULL && node->ns != NULL && xmlStrEqual(s->ns->href, node->ns->href)));
    return pos;
}

char *lsi_xml_path(const xmlNode *node)
{
    char *path = strdup(""), *longer;

    for (const xmlNode *n = node; path != NULL && n != NULL && n->type == XML_ELEMENT_NODE;
         n = n->parent) {
        const char *prefix =
            n->ns != NULL && n->ns->prefix != NULL ? (const char *)n->ns->prefix : "";
        size_t size = strlen(prefix) + strlen((const char *)n->name) + strlen(path) + 32;
        if ((longer = malloc(size)) != NULL)
            snprintf(longer, size, "/%s%s%s[%zu]%s", prefix, *prefix ? ":" : "",
                     (const char *)n->name, sibling_position(n), path);
        free(path);
        path = longer;
    }
    if (path != NULL && *path == '\0') {
        free(path);
        path = strdup("/");
    }
    return path;
}

int lsi_xml_serialize(xmlDocPtr doc, xmlChar **out, size_t *len)
{
    int size = 0;

    *out = NULL;
    xmlDocDumpMemoryEnc(doc, out, &size, "UTF-8");
    if (*out == NULL || size < 0) {
        xmlFree(*out);
        *out = NULL;
        return lsi_error_nomem();
    }
    *len = (size_t)size;
    return LSIGN_OK;
}
