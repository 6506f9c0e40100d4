/*
 * XML documents as libsign reads and writes them: libxml2 and xmlsec set up
 * once, a parser that refuses DTDs (so no entity is ever expanded or
 * fetched) and holds the context's limits, Id attributes registered only
 * when unique, and small tree helpers.
 */
#ifndef LSI_XML_XMLDOC_H
#define LSI_XML_XMLDOC_H

#include <stddef.h>

#include <libxml/tree.h>

#include "libsign/context.h"

#define LSI_NS_DS    "http://www.w3.org/2000/09/xmldsig#"
#define LSI_NS_XADES "http://uri.etsi.org/01903/v1.3.2#"

/* Initialises libxml2 and xmlsec (OpenSSL) once per process; LSIGN_OK or LSIGN_E_CRYPTO. */
int lsi_xml_init(void);

/*
 * Parses `data` under the context's limits: size (max_stream_bytes), depth
 * (max_depth) and node count (max_objects). No network, no DTD: a DOCTYPE
 * stops the parser before its internal subset. LSIGN_OK and *doc;
 * LSIGN_E_PARSE (not well-formed, a DTD; the message says where),
 * LSIGN_E_LIMIT, LSIGN_E_NOMEM.
 */
int lsi_xml_parse(const lsign_ctx *ctx, const unsigned char *data, size_t len, xmlDocPtr *doc);

/*
 * Registers every Id, ID, id and xml:id attribute as an XML ID so "#x"
 * references resolve, after checking that no value is used twice.
 * LSIGN_OK; LSIGN_E_PARSE "duplicate Id '...'" (nothing is registered).
 */
int lsi_xml_register_ids(xmlDocPtr doc);

/* Whether `node` is an element named `name` in namespace `ns`. */
int lsi_xml_is(const xmlNode *node, const char *ns, const char *name);
/* The first child element of `parent` named (ns, name), or NULL. */
xmlNodePtr lsi_xml_child(const xmlNode *parent, const char *ns, const char *name);
/* The first element child of `parent`, or NULL. */
xmlNodePtr lsi_xml_first_element(const xmlNode *parent);
/* The next element sibling of `node`, or NULL. */
xmlNodePtr lsi_xml_next_element(const xmlNode *node);
/* The attribute `name` (no namespace) of `node`, malloc'd (free()), or NULL. */
char *lsi_xml_attr(const xmlNode *node, const char *name);
/* The text content of `node` (NULL accepted), malloc'd (free()), or NULL. */
char *lsi_xml_text(const xmlNode *node);
/* Appends element (ns, name) with optional text (escaped) to `parent` (NULL accepted: NULL). */
xmlNodePtr lsi_xml_add(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text);

/*
 * The node after `n` in document order inside `top`'s subtree: its first
 * child when `descend` and it has one, else the next sibling of it or of
 * its nearest ancestor below `top`; NULL at the end.
 */
xmlNodePtr lsi_xml_following(xmlNodePtr n, const xmlNode *top, int descend);

/* The element's position, "/a[1]/b[2]" (same-named siblings counted); malloc'd, or NULL. */
char *lsi_xml_path(const xmlNode *node);

/* The document as UTF-8 bytes with an XML declaration; free *out with xmlFree(). LSIGN_OK or NOMEM.
 */
int lsi_xml_serialize(xmlDocPtr doc, xmlChar **out, size_t *len);

#endif
