/*
 * Finding a document's signature dictionaries: from /AcroForm fields, and
 * from widgets only pages list (poppler 22.12 writes such files).
 */
#include "pdf/signatures.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "pdf/pages.h"

typedef struct sig_list {
    lsi_pdf_sig *items;
    size_t count, room;
} sig_list;

static int seen(const sig_list *l, const lsi_pdf_obj *dict)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].dict == dict)
            return 1;
    return 0;
}

static int add_sig(sig_list *l, const char *name, size_t name_len, const lsi_pdf_obj *dict,
                   uint32_t num)
{
    char *copy;

    if (dict == NULL || dict->type != LSI_PDF_DICT || seen(l, dict))
        return LSIGN_OK;
    if (l->count == LSI_PDF_MAX_SIGNATURES)
        return lsi_error(LSIGN_E_LIMIT, "PDF: more than %d signatures", LSI_PDF_MAX_SIGNATURES);
    if (l->count == l->room) {
        size_t room = l->room != 0 ? 2 * l->room : 8;
        lsi_pdf_sig *items = realloc(l->items, room * sizeof *items);
        if (items == NULL)
            return lsi_error_nomem();
        l->items = items;
        l->room = room;
    }
    if ((copy = malloc(name_len + 1)) == NULL)
        return lsi_error_nomem();
    memcpy(copy, name, name_len);
    copy[name_len] = '\0';
    l->items[l->count++] = (lsi_pdf_sig){copy, dict, num};
    return LSIGN_OK;
}

/* The object number /V refers to, or the holder's own when /V is direct. */
static uint32_t value_num(const lsi_pdf_obj *holder, uint32_t holder_num)
{
    uint32_t num;
    uint16_t gen;

    return lsi_pdf_get_ref(lsi_pdf_dict_get(holder, "V"), &num, &gen) ? num : holder_num;
}

static int from_fields(lsi_pdf_doc *doc, sig_list *l)
{
    lsi_pdf_field *fields = NULL;
    size_t n = 0;
    int rc = lsi_pdf_doc_fields(doc, &fields, &n);

    for (size_t i = 0; i < n && rc == LSIGN_OK; i++)
        if (fields[i].type != NULL && strcmp(fields[i].type, "Sig") == 0)
            rc = add_sig(l, fields[i].name, strlen(fields[i].name), fields[i].value,
                         value_num(fields[i].dict, fields[i].num));
    lsi_pdf_fields_free(fields, n);
    return rc;
}

static int from_widget(lsi_pdf_doc *doc, sig_list *l, const lsi_pdf_obj *ref)
{
    static const char unlisted[] = "(not in /AcroForm)";
    const lsi_pdf_obj *annot = NULL, *value = NULL;
    const unsigned char *t = (const unsigned char *)unlisted;
    size_t t_len = sizeof unlisted - 1;
    uint32_t num = 0;
    uint16_t gen;
    int rc = lsi_pdf_doc_deref(doc, ref, &annot);

    if (rc != LSIGN_OK || !lsi_pdf_name_is(lsi_pdf_dict_get(annot, "FT"), "Sig"))
        return rc;
    if ((rc = lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(annot, "V"), &value)) != LSIGN_OK)
        return rc;
    (void)lsi_pdf_get_ref(ref, &num, &gen);
    (void)lsi_pdf_get_string(lsi_pdf_dict_get(annot, "T"), &t, &t_len);
    return add_sig(l, (const char *)t, t_len, value, value_num(annot, num));
}

/* Signature widgets on pages that /AcroForm does not list (poppler 22.12 writes such files). */
static int from_pages(lsi_pdf_doc *doc, sig_list *l)
{
    lsi_pdf_page *pages = NULL;
    size_t npages = 0;
    int rc = lsi_pdf_doc_pages(doc, &pages, &npages);

    for (size_t p = 0; p < npages && rc == LSIGN_OK; p++)
        for (size_t i = 0; i < lsi_pdf_count(pages[p].annots) && rc == LSIGN_OK; i++)
            rc = from_widget(doc, l, lsi_pdf_array_get(pages[p].annots, i));
    free(pages);
    return rc;
}

/* Sort key: the gap's start, else after every ByteRange, by dictionary offset. */
static uint64_t order_key(const lsi_pdf_sig *s)
{
    int64_t b;

    if (lsi_pdf_get_int(lsi_pdf_array_get(lsi_pdf_dict_get(s->dict, "ByteRange"), 1), &b) &&
        b >= 0 && (uint64_t)b < (UINT64_C(1) << 62))
        return (uint64_t)b;
    return (UINT64_C(1) << 62) + (uint64_t)s->dict->offset;
}

static int by_order(const void *a, const void *b)
{
    const lsi_pdf_sig *x = a, *y = b;
    uint64_t kx = order_key(x), ky = order_key(y);

    if (kx != ky)
        return kx < ky ? -1 : 1;
    return x->dict->offset < y->dict->offset ? -1 : x->dict->offset > y->dict->offset;
}

int lsi_pdf_signatures(lsi_pdf_doc *doc, lsi_pdf_sig **sigs, size_t *count)
{
    sig_list l = {NULL, 0, 0};
    int rc = from_fields(doc, &l);

    if (rc == LSIGN_OK)
        rc = from_pages(doc, &l);
    if (rc != LSIGN_OK) {
        lsi_pdf_signatures_free(l.items, l.count);
        return rc;
    }
    if (l.count > 1)
        qsort(l.items, l.count, sizeof *l.items, by_order);
    *sigs = l.items;
    *count = l.count;
    return LSIGN_OK;
}

void lsi_pdf_signatures_free(lsi_pdf_sig *sigs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free((char *)sigs[i].field);
    free(sigs);
}
