/*
 * lsign_inspect(): the structure of a signed document as JSON and text,
 * read with the PDF and XML parsers and judged by nothing (see
 * include/libsign/inspect.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/stream.h"
#include "core/strbuf.h"
#include "libsign/inspect.h"
#include "pdf/document.h"
#include "pdf/pages.h"
#include "validate/evidence_store.h"
#include "xml/xades.h"
#include "xml/xmldoc.h"

struct lsign_inspection {
    char *json, *text;
};

/* The JSON and the text being written side by side. */
typedef struct out {
    lsi_strbuf j, t;
} out;

static void pdf_revisions(lsi_pdf_doc *doc, out *o)
{
    size_t n = lsi_pdf_doc_revision_count(doc);

    lsi_json_key(&o->j, "revisions", 0);
    lsi_strbuf_puts(&o->j, "[");
    lsi_strbuf_printf(&o->t, "revisions: %zu\n", n);
    for (size_t k = 0; k < n; k++) {
        const lsi_pdf_revision *r = lsi_pdf_doc_revision(doc, k);
        lsi_strbuf_printf(&o->j, "%s{\"end\": %zu, \"xref\": \"%s\"}", k > 0 ? ", " : "", r->end,
                          r->xref_stream ? "stream" : "table");
        lsi_strbuf_printf(&o->t, "  revision %zu: ends at byte %zu (%s)\n", k + 1, r->end,
                          r->xref_stream ? "cross-reference stream" : "cross-reference table");
    }
    lsi_strbuf_puts(&o->j, "]");
}

/* The 1-based number of the page object `ref` points at, or 0. */
static size_t page_number(const lsi_pdf_page *pages, size_t count, const lsi_pdf_obj *ref)
{
    uint32_t num;
    uint16_t gen;

    for (size_t i = 0; ref != NULL && lsi_pdf_get_ref(ref, &num, &gen) && i < count; i++)
        if (pages[i].num == num)
            return i + 1;
    return 0;
}

static void json_numbers(out *o, lsi_pdf_doc *doc, const lsi_pdf_obj *array, size_t want)
{
    const lsi_pdf_obj *a = lsi_pdf_doc_resolve(doc, array, LSI_PDF_ARRAY);
    double v;

    if (a == NULL || lsi_pdf_count(a) != want) {
        lsi_strbuf_puts(&o->j, "null");
        return;
    }
    lsi_strbuf_puts(&o->j, "[");
    for (size_t i = 0; i < want; i++) {
        if (!lsi_pdf_get_number(lsi_pdf_array_get(a, i), &v))
            v = 0;
        lsi_strbuf_printf(&o->j, "%s%.10g", i > 0 ? ", " : "", v);
    }
    lsi_strbuf_puts(&o->j, "]");
}

static const char *name_of(lsi_pdf_doc *doc, const lsi_pdf_obj *dict, const char *key, char *buf,
                           size_t size)
{
    const char *name;
    size_t len;

    if (dict == NULL ||
        !lsi_pdf_get_name(lsi_pdf_doc_resolve(doc, lsi_pdf_dict_get(dict, key), LSI_PDF_NAME),
                          &name, &len))
        return NULL;
    snprintf(buf, size, "%.*s", (int)len, name);
    return buf;
}

/* One field: its name and type; for a signature field what its /V says and where it shows. */
static void pdf_field(lsi_pdf_doc *doc, const lsi_pdf_field *f, const lsi_pdf_page *pages,
                      size_t npages, out *o, size_t *doc_timestamps)
{
    const lsi_pdf_obj *v = lsi_pdf_doc_resolve(doc, f->value, LSI_PDF_DICT);
    int is_sig = f->type != NULL && strcmp(f->type, "Sig") == 0;
    char subfilter[64], type[32];
    const unsigned char *m = NULL;
    size_t m_len = 0, page = page_number(pages, npages, lsi_pdf_dict_get(f->dict, "P"));

    lsi_strbuf_puts(&o->j, "{");
    lsi_json_key(&o->j, "name", 1);
    lsi_json_str(&o->j, f->name);
    lsi_json_key(&o->j, "type", 0);
    lsi_json_str(&o->j, f->type);
    lsi_json_key(&o->j, "signed", 0);
    lsi_strbuf_puts(&o->j, is_sig && v != NULL ? "true" : "false");
    lsi_json_key(&o->j, "subfilter", 0);
    lsi_json_str(&o->j, is_sig ? name_of(doc, v, "SubFilter", subfilter, sizeof subfilter) : NULL);
    if (v != NULL)
        lsi_pdf_get_string(lsi_pdf_doc_resolve(doc, lsi_pdf_dict_get(v, "M"), LSI_PDF_STRING), &m,
                           &m_len);
    lsi_json_key(&o->j, "claimed_time", 0);
    if (m != NULL) {
        char *text = strndup((const char *)m, m_len);
        lsi_json_str(&o->j, text);
        free(text);
    } else {
        lsi_strbuf_puts(&o->j, "null");
    }
    lsi_json_key(&o->j, "byte_range", 0);
    json_numbers(o, doc, v != NULL ? lsi_pdf_dict_get(v, "ByteRange") : NULL, 4);
    lsi_json_key(&o->j, "page", 0);
    lsi_strbuf_printf(&o->j, page > 0 ? "%zu" : "null", page);
    lsi_json_key(&o->j, "rect", 0);
    json_numbers(o, doc, lsi_pdf_dict_get(f->dict, "Rect"), 4);
    lsi_strbuf_puts(&o->j, "}");
    if ((v != NULL && name_of(doc, v, "Type", type, sizeof type) != NULL &&
         strcmp(type, "DocTimeStamp") == 0) ||
        (is_sig && name_of(doc, v, "SubFilter", subfilter, sizeof subfilter) != NULL &&
         strcmp(subfilter, "ETSI.RFC3161") == 0))
        (*doc_timestamps)++;
    lsi_strbuf_printf(&o->t, "  field '%s' (%s)%s%s%s", f->name, f->type != NULL ? f->type : "?",
                      is_sig ? (v != NULL ? ": signed, " : ": not signed") : "",
                      is_sig && v != NULL &&
                              name_of(doc, v, "SubFilter", subfilter, sizeof subfilter) != NULL
                          ? subfilter
                          : "",
                      page > 0 ? "" : "\n");
    if (page > 0)
        lsi_strbuf_printf(&o->t, ", widget on page %zu\n", page);
}

static int pdf_fields(lsi_pdf_doc *doc, out *o)
{
    lsi_pdf_field *fields = NULL;
    lsi_pdf_page *pages = NULL;
    size_t n = 0, npages = 0, doc_timestamps = 0;
    int rc = lsi_pdf_doc_pages(doc, &pages, &npages);

    if (rc == LSIGN_OK)
        rc = lsi_pdf_doc_fields(doc, &fields, &n);
    if (rc != LSIGN_OK) {
        free(pages);
        return rc;
    }
    lsi_strbuf_printf(&o->t, "pages: %zu\nfields: %zu\n", npages, n);
    lsi_json_key(&o->j, "fields", 0);
    lsi_strbuf_puts(&o->j, "[");
    for (size_t k = 0; k < n; k++) {
        if (k > 0)
            lsi_strbuf_puts(&o->j, ", ");
        pdf_field(doc, &fields[k], pages, npages, o, &doc_timestamps);
    }
    lsi_strbuf_puts(&o->j, "]");
    lsi_json_key(&o->j, "document_timestamps", 0);
    lsi_strbuf_printf(&o->j, "%zu", doc_timestamps);
    lsi_strbuf_printf(&o->t, "document timestamps: %zu\n", doc_timestamps);
    lsi_pdf_fields_free(fields, n);
    free(pages);
    return LSIGN_OK;
}

static int pdf_dss(lsi_pdf_doc *doc, out *o)
{
    lsi_dss_items dss;
    int rc;

    memset(&dss, 0, sizeof dss);
    if ((rc = lsi_dss_read(doc, &dss)) != LSIGN_OK)
        return rc;
    lsi_json_key(&o->j, "dss", 0);
    if (dss.revision == SIZE_MAX) {
        lsi_strbuf_puts(&o->j, "null");
        lsi_strbuf_puts(&o->t, "DSS: none\n");
    } else {
        lsi_strbuf_printf(&o->j, "{\"certificates\": %d, \"ocsp_responses\": %zu, \"crls\": %zu}",
                          sk_X509_num(dss.certs), dss.nocsp, dss.ncrl);
        lsi_strbuf_printf(&o->t,
                          "DSS (revision %zu): %d certificates, %zu OCSP responses, %zu CRLs\n",
                          dss.revision + 1, sk_X509_num(dss.certs), dss.nocsp, dss.ncrl);
    }
    lsi_dss_items_free(&dss);
    return LSIGN_OK;
}

static int inspect_pdf(const lsign_ctx *ctx, const lsi_input *in, out *o)
{
    lsi_pdf_doc *doc = NULL;
    int rc = lsi_pdf_doc_open(in->data, in->len, ctx, &doc);

    if (rc != LSIGN_OK)
        return rc;
    lsi_strbuf_printf(&o->j, "{\"format\": \"pdf\", \"size\": %zu", in->len);
    lsi_strbuf_printf(&o->t, "PDF, %zu bytes\n", in->len);
    pdf_revisions(doc, o);
    rc = pdf_fields(doc, o);
    if (rc == LSIGN_OK)
        rc = pdf_dss(doc, o);
    lsi_strbuf_puts(&o->j, "}");
    lsi_pdf_doc_free(doc);
    return rc;
}

/* One ds:Signature: its Id, whether it is XAdES (and timestamped), what it references. */
static void xml_signature(xmlNodePtr sig, size_t index, out *o)
{
    char *id = lsi_xml_attr(sig, "Id");
    xmlNodePtr qp = lsi_xades_qualifying(sig);
    xmlNodePtr usp = lsi_xml_child(lsi_xml_child(qp, LSI_NS_XADES, "UnsignedProperties"),
                                   LSI_NS_XADES, "UnsignedSignatureProperties");
    int stamped = lsi_xml_child(usp, LSI_NS_XADES, "SignatureTimeStamp") != NULL;
    xmlNodePtr si = lsi_xml_child(sig, LSI_NS_DS, "SignedInfo");
    size_t k = 0;

    lsi_strbuf_printf(&o->j, "%s{\"id\": ", index > 0 ? ", " : "");
    lsi_json_str(&o->j, id);
    lsi_strbuf_printf(&o->j, ", \"xades\": %s, \"timestamp\": %s, \"references\": [",
                      qp != NULL ? "true" : "false", stamped ? "true" : "false");
    lsi_strbuf_printf(&o->t, "  signature '%s'%s%s, references:", id != NULL ? id : "",
                      qp != NULL ? " (XAdES)" : "", stamped ? " with a timestamp" : "");
    for (xmlNodePtr r = lsi_xml_first_element(si); r != NULL; r = lsi_xml_next_element(r)) {
        char *uri;
        if (!lsi_xml_is(r, LSI_NS_DS, "Reference"))
            continue;
        uri = lsi_xml_attr(r, "URI");
        lsi_strbuf_puts(&o->j, k++ > 0 ? ", " : "");
        lsi_json_str(&o->j, uri);
        lsi_strbuf_printf(&o->t, " '%s'", uri != NULL ? uri : "(none)");
        free(uri);
    }
    lsi_strbuf_puts(&o->j, "]}");
    lsi_strbuf_puts(&o->t, "\n");
    free(id);
}

static int inspect_xml(const lsign_ctx *ctx, const lsi_input *in, out *o)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    size_t count = 0;
    int rc = lsi_xml_parse(ctx, in->data, in->len, &doc);

    if (rc != LSIGN_OK)
        return rc;
    root = xmlDocGetRootElement(doc);
    lsi_strbuf_printf(&o->j, "{\"format\": \"xml\", \"size\": %zu, \"signatures\": [", in->len);
    lsi_strbuf_printf(&o->t, "XML, %zu bytes, document element <%s>\n", in->len,
                      (const char *)root->name);
    for (xmlNodePtr n = root; n != NULL; n = lsi_xml_following(n, root, 1))
        if (lsi_xml_is(n, LSI_NS_DS, "Signature"))
            xml_signature(n, count++, o);
    lsi_strbuf_puts(&o->j, "]}");
    lsi_strbuf_printf(&o->t, "signatures: %zu\n", count);
    xmlFreeDoc(doc);
    return LSIGN_OK;
}

int lsign_inspect(const lsign_ctx *ctx, const lsign_input *input, lsign_inspection **out_inspection)
{
    const lsi_input *in;
    out o;
    int rc;

    if (input == NULL || out_inspection == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_inspect: NULL input or out");
    *out_inspection = NULL;
    memset(&o, 0, sizeof o);
    in = lsi_input_of(input);
    rc = lsi_input_is_xml(in) ? inspect_xml(ctx, in, &o) : inspect_pdf(ctx, in, &o);
    if (rc == LSIGN_OK && (*out_inspection = calloc(1, sizeof **out_inspection)) == NULL)
        rc = lsi_error_nomem();
    if (rc == LSIGN_OK) {
        (*out_inspection)->json = lsi_strbuf_take(&o.j);
        (*out_inspection)->text = lsi_strbuf_take(&o.t);
        if ((*out_inspection)->json == NULL || (*out_inspection)->text == NULL) {
            lsign_inspection_free(*out_inspection);
            *out_inspection = NULL;
            return lsi_error_nomem();
        }
        return LSIGN_OK;
    }
    free(lsi_strbuf_take(&o.j));
    free(lsi_strbuf_take(&o.t));
    return lsi_error_wrap("inspection");
}

void lsign_inspection_free(lsign_inspection *inspection)
{
    if (inspection == NULL)
        return;
    free(inspection->json);
    free(inspection->text);
    free(inspection);
}

const char *lsign_inspection_json(const lsign_inspection *inspection)
{
    return inspection != NULL ? inspection->json : NULL;
}

const char *lsign_inspection_text(const lsign_inspection *inspection)
{
    return inspection != NULL ? inspection->text : NULL;
}
