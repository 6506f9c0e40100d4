#include "validate/evidence_store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/grow.h"

/* The decoded data of every stream of a DSS array (capped at the document's limits). */
static int read_streams(lsi_pdf_doc *doc, const lsi_pdf_obj *array, unsigned char ***items,
                        size_t **lens, size_t *count)
{
    size_t n = lsi_pdf_count(array);

    if (n == 0)
        return LSIGN_OK;
    if ((*items = calloc(n, sizeof **items)) == NULL || (*lens = calloc(n, sizeof **lens)) == NULL)
        return lsi_error_nomem();
    for (size_t i = 0; i < n; i++) {
        const lsi_pdf_obj *stream =
            lsi_pdf_doc_resolve(doc, lsi_pdf_array_get(array, i), LSI_PDF_STREAM);
        if (stream != NULL &&
            lsi_pdf_doc_stream_data(doc, stream, &(*items)[*count], &(*lens)[*count]) == LSIGN_OK)
            (*count)++;
    }
    return LSIGN_OK;
}

static void read_certs(lsi_pdf_doc *doc, const lsi_pdf_obj *array, STACK_OF(X509) * certs)
{
    unsigned char **ders = NULL;
    size_t *lens = NULL, n = 0;

    if (read_streams(doc, array, &ders, &lens, &n) == LSIGN_OK)
        for (size_t i = 0; i < n; i++) {
            const unsigned char *p = ders[i];
            X509 *cert = d2i_X509(NULL, &p, (long)lens[i]);
            if (cert != NULL && !sk_X509_push(certs, cert))
                X509_free(cert);
        }
    for (size_t i = 0; i < n; i++)
        free(ders[i]);
    free(ders);
    free(lens);
}

/* The revision whose own objects define `num` last: where the DSS was added. */
static size_t revision_of(lsi_pdf_doc *doc, uint32_t num)
{
    lsi_xref_entry e = lsi_pdf_doc_entry(doc, num);

    for (size_t i = lsi_pdf_doc_revision_count(doc); e.kind == LSI_XREF_OFFSET && i-- > 0;)
        if (e.offset < lsi_pdf_doc_revision(doc, i)->end &&
            (i == 0 || e.offset >= lsi_pdf_doc_revision(doc, i - 1)->end))
            return i;
    return lsi_pdf_doc_revision_count(doc) - 1;
}

int lsi_dss_read(lsi_pdf_doc *doc, lsi_dss_items *out)
{
    const lsi_pdf_obj *root = lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root");
    const lsi_pdf_obj *catalog = lsi_pdf_doc_resolve(doc, root, LSI_PDF_DICT);
    const lsi_pdf_obj *raw = lsi_pdf_dict_get(catalog, "DSS");
    const lsi_pdf_obj *dss = lsi_pdf_doc_resolve(doc, raw, LSI_PDF_DICT);
    int rc;

    memset(out, 0, sizeof *out);
    out->revision = SIZE_MAX;
    if ((out->certs = sk_X509_new_null()) == NULL)
        return lsi_error_nomem();
    if (dss == NULL)
        return LSIGN_OK;
    out->revision = revision_of(doc, raw->type == LSI_PDF_REF ? raw->u.ref.num : root->u.ref.num);
    read_certs(doc, lsi_pdf_doc_resolve(doc, lsi_pdf_dict_get(dss, "Certs"), LSI_PDF_ARRAY),
               out->certs);
    rc = read_streams(doc, lsi_pdf_doc_resolve(doc, lsi_pdf_dict_get(dss, "OCSPs"), LSI_PDF_ARRAY),
                      &out->ocsps, &out->ocsp_len, &out->nocsp);
    if (rc == LSIGN_OK)
        rc = read_streams(doc,
                          lsi_pdf_doc_resolve(doc, lsi_pdf_dict_get(dss, "CRLs"), LSI_PDF_ARRAY),
                          &out->crls, &out->crl_len, &out->ncrl);
    return rc;
}

void lsi_dss_items_free(lsi_dss_items *items)
{
    sk_X509_pop_free(items->certs, X509_free);
    for (size_t i = 0; i < items->nocsp; i++)
        free(items->ocsps[i]);
    for (size_t i = 0; i < items->ncrl; i++)
        free(items->crls[i]);
    free(items->ocsps);
    free(items->crls);
    free(items->ocsp_len);
    free(items->crl_len);
    memset(items, 0, sizeof *items);
}
