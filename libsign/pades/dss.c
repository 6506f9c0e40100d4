#include "pades/dss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "core/error.h"
#include "pdf/build.h"
#include "pdf/writer.h"

static const char *const array_key[LSI_DSS_KINDS] = {"Certs", "OCSPs", "CRLs"};
static const char *const vri_key[LSI_DSS_KINDS] = {"Cert", "OCSP", "CRL"};

/* A stream written in this revision, by the SHA-256 of its bytes, so each goes in once. */
typedef struct written_blob {
    unsigned char sha[32];
    uint32_t num;
} written_blob;

typedef struct dss_writer {
    lsi_pdf_doc *doc;
    lsi_pdf_writer *w;
    lsi_arena *arena;
    written_blob *written;
    size_t nwritten, cap;
    lsi_pdf_obj *arrays[LSI_DSS_KINDS]; /* the DSS arrays being built */
    lsi_pdf_obj *vri;                   /* the /VRI dictionary being built */
} dss_writer;

static int remember(dss_writer *d, const unsigned char sha[32], uint32_t num)
{
    written_blob *grown;

    if (d->nwritten == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        if ((grown = realloc(d->written, cap * sizeof *grown)) == NULL)
            return lsi_error_nomem();
        d->written = grown;
        d->cap = cap;
    }
    memcpy(d->written[d->nwritten].sha, sha, 32);
    d->written[d->nwritten++].num = num;
    return LSIGN_OK;
}

/* The stream for `blob`: one already in the DSS or written in this revision, or a new one. */
static int blob_ref(dss_writer *d, const lsi_dss_blob *blob, int kind, lsi_pdf_obj **ref)
{
    unsigned char sha[32];
    uint32_t num;
    int rc;

    SHA256(blob->der, blob->len, sha);
    for (size_t i = 0; i < d->nwritten; i++)
        if (memcmp(d->written[i].sha, sha, 32) == 0)
            return lsi_pdf_built(*ref = lsi_pdf_new_ref(d->arena, d->written[i].num, 0));
    num = lsi_pdf_writer_new_number(d->w);
    rc = lsi_pdf_writer_put_stream(d->w, num, lsi_pdf_new_dict(d->arena), blob->der, blob->len);
    if (rc == LSIGN_OK)
        rc = remember(d, sha, num);
    if (rc != LSIGN_OK)
        return rc;
    *ref = lsi_pdf_new_ref(d->arena, num, 0);
    if (*ref != NULL &&
        (d->arrays[kind] = lsi_pdf_array_with(d->arena, d->arrays[kind], *ref)) == NULL)
        return lsi_pdf_built(NULL);
    return lsi_pdf_built(*ref);
}

/* The VRI entry of one signature: << /Cert [...] /OCSP [...] /CRL [...] >>. */
static int add_vri(dss_writer *d, const lsi_dss_vri *v)
{
    lsi_pdf_obj *entry = lsi_pdf_new_dict(d->arena);
    char key[41];
    int rc = lsi_pdf_built(entry);

    for (int kind = 0; kind < LSI_DSS_KINDS && rc == LSIGN_OK; kind++) {
        lsi_pdf_obj *refs = lsi_pdf_new_array(d->arena, v->count[kind]);
        for (size_t i = 0; refs != NULL && i < v->count[kind] && rc == LSIGN_OK; i++)
            rc = blob_ref(d, &v->items[kind][i], kind, &refs->u.array.items[i]);
        if (rc == LSIGN_OK && refs != NULL && v->count[kind] > 0)
            entry = lsi_pdf_dict_with(d->arena, entry, vri_key[kind], refs);
        if (rc == LSIGN_OK)
            rc = lsi_pdf_built(refs != NULL ? entry : NULL);
    }
    for (size_t i = 0; i < 20; i++)
        snprintf(key + 2 * i, 3, "%02X", v->key[i]);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_built(d->vri = lsi_pdf_dict_with(d->arena, d->vri, key, entry));
    return rc;
}

/* Notes the streams of an existing DSS array, so that equal items are not written twice. */
static int remember_existing(dss_writer *d, const lsi_pdf_obj *array)
{
    int rc = LSIGN_OK;

    for (size_t i = 0; i < lsi_pdf_count(array) && rc == LSIGN_OK; i++) {
        const lsi_pdf_obj *ref = lsi_pdf_array_get(array, i), *stream;
        unsigned char *data = NULL, sha[32];
        size_t len = 0;
        if (ref->type != LSI_PDF_REF ||
            (stream = lsi_pdf_doc_resolve(d->doc, ref, LSI_PDF_STREAM)) == NULL ||
            lsi_pdf_doc_stream_data(d->doc, stream, &data, &len) != LSIGN_OK)
            continue; /* a damaged item stays listed; the new one is written beside it */
        SHA256(data, len, sha);
        free(data);
        rc = remember(d, sha, ref->u.ref.num);
    }
    return rc;
}

/* Starts from the existing DSS: its arrays and VRI entries are kept. */
static int start_from(dss_writer *d, const lsi_pdf_obj *dss)
{
    int rc = LSIGN_OK;

    for (int kind = 0; kind < LSI_DSS_KINDS && rc == LSIGN_OK; kind++) {
        const lsi_pdf_obj *a =
            lsi_pdf_doc_resolve(d->doc, lsi_pdf_dict_get(dss, array_key[kind]), LSI_PDF_ARRAY);
        d->arrays[kind] = (lsi_pdf_obj *)a;
        rc = remember_existing(d, a);
    }
    d->vri = (lsi_pdf_obj *)lsi_pdf_doc_resolve(d->doc, lsi_pdf_dict_get(dss, "VRI"), LSI_PDF_DICT);
    return rc;
}

/* The new DSS dictionary, written where the old one was (if indirect) or as a new object. */
static int put_dss(dss_writer *d, const lsi_pdf_obj *catalog, uint32_t root_num)
{
    const lsi_pdf_obj *old = lsi_pdf_dict_get(catalog, "DSS");
    lsi_pdf_obj *dss = lsi_pdf_dict_with(d->arena, lsi_pdf_doc_resolve(d->doc, old, LSI_PDF_DICT),
                                         "Type", lsi_pdf_new_name(d->arena, "DSS"));
    uint32_t num;
    int rc;

    for (int kind = 0; kind < LSI_DSS_KINDS && dss != NULL; kind++)
        if (d->arrays[kind] != NULL)
            dss = lsi_pdf_dict_with(d->arena, dss, array_key[kind], d->arrays[kind]);
    if (dss != NULL && d->vri != NULL)
        dss = lsi_pdf_dict_with(d->arena, dss, "VRI", d->vri);
    if (dss == NULL)
        return lsi_pdf_built(dss);
    if (old != NULL && old->type == LSI_PDF_REF &&
        lsi_pdf_doc_resolve(d->doc, old, LSI_PDF_DICT) != NULL)
        return lsi_pdf_writer_put(d->w, old->u.ref.num, dss);
    num = lsi_pdf_writer_new_number(d->w);
    rc = lsi_pdf_writer_put(d->w, num, dss);
    if (rc == LSIGN_OK) {
        lsi_pdf_obj *updated =
            lsi_pdf_dict_with(d->arena, catalog, "DSS", lsi_pdf_new_ref(d->arena, num, 0));
        rc = updated != NULL ? lsi_pdf_writer_put(d->w, root_num, updated) : lsi_pdf_built(NULL);
    }
    return rc;
}

int lsi_dss_write(lsi_pdf_doc *doc, const lsi_input *in, lsi_output *out, const lsi_dss_vri *vris,
                  size_t count)
{
    const lsi_pdf_obj *root = lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root");
    const lsi_pdf_obj *catalog = lsi_pdf_doc_resolve(doc, root, LSI_PDF_DICT);
    dss_writer d = {doc, NULL, lsi_arena_new((uint64_t)64 << 20), NULL, 0, 0, {NULL}, NULL};
    int rc = d.arena != NULL ? LSIGN_OK : LSIGN_E_NOMEM;

    if (rc == LSIGN_OK && (catalog == NULL || root->type != LSI_PDF_REF))
        rc = lsi_error(LSIGN_E_PARSE, "PDF: the trailer has no /Root catalog");
    if (rc == LSIGN_OK)
        rc = lsi_pdf_writer_begin(doc, in, out, &d.w);
    if (rc == LSIGN_OK)
        rc = start_from(&d,
                        lsi_pdf_doc_resolve(doc, lsi_pdf_dict_get(catalog, "DSS"), LSI_PDF_DICT));
    for (size_t i = 0; i < count && rc == LSIGN_OK; i++)
        rc = add_vri(&d, &vris[i]);
    if (rc == LSIGN_OK)
        rc = put_dss(&d, catalog, root->u.ref.num);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_writer_finish(d.w);
    lsi_pdf_writer_free(d.w);
    lsi_arena_free(d.arena);
    free(d.written);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("PDF /DSS");
}
