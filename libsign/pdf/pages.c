#include "pdf/pages.h"

#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/grow.h"

/* A node still to visit, with what it inherits. */
typedef struct pending {
    const lsi_pdf_obj *ref; /* the node as referenced in /Kids */
    unsigned int depth;
    const lsi_pdf_obj *media_box, *crop_box, *resources, *rotate;
    const lsi_pdf_obj *ft, *v;
    size_t parent_name; /* index into a names list, or SIZE_MAX */
} pending;

typedef struct walk {
    lsi_pdf_doc *doc;
    unsigned int max_depth;
    unsigned char *seen; /* per object number */
    pending *stack;
    size_t depth, cap;
} walk;

static int walk_init(walk *w, lsi_pdf_doc *doc, const lsign_ctx *ctx)
{
    memset(w, 0, sizeof *w);
    w->doc = doc;
    w->max_depth = lsi_ctx_options(ctx)->max_depth;
    w->seen = calloc(lsi_pdf_doc_size(doc) + 1, 1);
    return w->seen != NULL ? LSIGN_OK : lsi_error_nomem();
}

static void walk_free(walk *w)
{
    free(w->seen);
    free(w->stack);
}

static int push(walk *w, const pending *p)
{
    if (LSI_RESERVE(w->stack, w->cap, w->depth) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    w->stack[w->depth++] = *p;
    return LSIGN_OK;
}

/* Resolves a /Kids entry; each object may be visited once (cycles, shared nodes). */
static int visit(walk *w, const pending *p, const char *what, uint32_t *num, uint16_t *gen,
                 const lsi_pdf_obj **dict)
{
    if (!lsi_pdf_get_ref(p->ref, num, gen))
        return lsi_error(LSIGN_E_PARSE, "PDF %s: a /Kids entry is not a reference", what);
    if (p->depth > w->max_depth)
        return lsi_error(LSIGN_E_LIMIT, "PDF %s: deeper than %u at object %u", what, w->max_depth,
                         *num);
    if (*num >= lsi_pdf_doc_size(w->doc) || w->seen[*num])
        return lsi_error(*num >= lsi_pdf_doc_size(w->doc) ? LSIGN_E_PARSE : LSIGN_E_LIMIT,
                         "PDF %s: object %u %s", what, *num,
                         *num >= lsi_pdf_doc_size(w->doc) ? "does not exist"
                                                          : "is reached twice (a /Kids cycle)");
    w->seen[*num] = 1;
    return lsi_pdf_doc_get(w->doc, *num, dict);
}

/* Pushes the /Kids of `dict` in reverse, so they pop in document order. */
static int push_kids(walk *w, const lsi_pdf_obj *kids, const pending *inherit, size_t parent)
{
    int rc = LSIGN_OK;

    for (size_t i = lsi_pdf_count(kids); i-- > 0 && rc == LSIGN_OK;) {
        pending child = *inherit;
        child.ref = lsi_pdf_array_get(kids, i);
        child.depth = inherit->depth + 1;
        child.parent_name = parent;
        rc = push(w, &child);
    }
    return rc;
}

static const lsi_pdf_obj *own_or(walk *w, const lsi_pdf_obj *dict, const char *key,
                                 const lsi_pdf_obj *inherited)
{
    const lsi_pdf_obj *v = lsi_pdf_dict_get(dict, key);

    if (v == NULL || v->type == LSI_PDF_NULL)
        return inherited;
    return lsi_pdf_doc_deref(w->doc, v, &v) == LSIGN_OK ? v : inherited;
}

static int add_page(walk *w, const pending *p, uint32_t num, uint16_t gen, const lsi_pdf_obj *dict,
                    lsi_pdf_page **pages, size_t *count, size_t *cap)
{
    lsi_pdf_page *page;
    int64_t rotate = 0;

    if (LSI_RESERVE(*pages, *cap, *count) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    page = &(*pages)[(*count)++];
    page->num = num;
    page->gen = gen;
    page->dict = dict;
    page->media_box = own_or(w, dict, "MediaBox", p->media_box);
    page->crop_box = own_or(w, dict, "CropBox", p->crop_box);
    page->resources = own_or(w, dict, "Resources", p->resources);
    (void)lsi_pdf_get_int(own_or(w, dict, "Rotate", p->rotate), &rotate);
    page->rotate = (int)(((rotate % 360) + 360) % 360 / 90 * 90);
    page->annots = own_or(w, dict, "Annots", NULL);
    return LSIGN_OK;
}

int lsi_pdf_doc_pages(lsi_pdf_doc *doc, lsi_pdf_page **pages, size_t *count)
{
    const lsi_pdf_obj *catalog;
    pending root = {0};
    size_t cap = 0;
    walk w;
    int rc;

    *pages = NULL;
    *count = 0;
    rc = lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root"), &catalog);
    if (rc != LSIGN_OK || (rc = walk_init(&w, doc, lsi_pdf_doc_ctx(doc))) != LSIGN_OK)
        return rc;
    root.ref = lsi_pdf_dict_get(catalog, "Pages");
    rc = push(&w, &root);
    while (rc == LSIGN_OK && w.depth > 0) {
        pending p = w.stack[--w.depth];
        const lsi_pdf_obj *node;
        uint32_t num;
        uint16_t gen;

        rc = visit(&w, &p, "page tree", &num, &gen, &node);
        if (rc != LSIGN_OK)
            break;
        if (lsi_pdf_name_is(lsi_pdf_dict_get(node, "Type"), "Page") ||
            lsi_pdf_dict_get(node, "Kids") == NULL) {
            rc = add_page(&w, &p, num, gen, node, pages, count, &cap);
            continue;
        }
        p.media_box = own_or(&w, node, "MediaBox", p.media_box);
        p.crop_box = own_or(&w, node, "CropBox", p.crop_box);
        p.resources = own_or(&w, node, "Resources", p.resources);
        p.rotate = own_or(&w, node, "Rotate", p.rotate);
        rc = push_kids(&w, own_or(&w, node, "Kids", NULL), &p, SIZE_MAX);
    }
    walk_free(&w);
    if (rc != LSIGN_OK) {
        free(*pages);
        *pages = NULL;
        *count = 0;
    }
    return rc;
}

/* Fully qualified names built so far; a node's children refer to its entry. */
typedef struct names {
    char **items;
    size_t count, cap;
} names;

static int name_add(names *n, const char *parent, const lsi_pdf_obj *partial, size_t *index)
{
    const unsigned char *t = NULL;
    size_t tlen = 0, plen = parent != NULL ? strlen(parent) : 0;
    char *full;

    (void)lsi_pdf_get_string(partial, &t, &tlen);
    if (LSI_RESERVE(n->items, n->cap, n->count) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    full = malloc(plen + tlen + 2);
    if (full == NULL)
        return lsi_error_nomem();
    memcpy(full, parent != NULL ? parent : "", plen);
    if (plen > 0 && tlen > 0)
        full[plen++] = '.';
    if (tlen > 0)
        memcpy(full + plen, t, tlen);
    full[plen + tlen] = '\0';
    n->items[n->count] = full;
    *index = n->count++;
    return LSIGN_OK;
}

/* A node is a terminal field when none of its /Kids is itself a field (has /T). */
static int is_terminal(walk *w, const lsi_pdf_obj *kids)
{
    for (size_t i = 0; i < lsi_pdf_count(kids); i++) {
        const lsi_pdf_obj *kid;
        if (lsi_pdf_doc_deref(w->doc, lsi_pdf_array_get(kids, i), &kid) == LSIGN_OK &&
            lsi_pdf_dict_get(kid, "T") != NULL)
            return 0;
    }
    return 1;
}

static int add_field(const pending *p, uint32_t num, uint16_t gen, const lsi_pdf_obj *dict,
                     const char *name, lsi_pdf_field **fields, size_t *count, size_t *cap)
{
    lsi_pdf_field *f;
    const char *ft = NULL;
    size_t len;

    if (LSI_RESERVE(*fields, *cap, *count) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    f = &(*fields)[*count];
    f->name = strdup(name);
    if (f->name == NULL)
        return lsi_error_nomem();
    (*count)++;
    f->num = num;
    f->gen = gen;
    f->dict = dict;
    f->type = lsi_pdf_get_name(p->ft, &ft, &len) ? ft : NULL;
    f->value = p->v;
    return LSIGN_OK;
}

static int walk_fields(walk *w, names *n, lsi_pdf_field **fields, size_t *count)
{
    size_t cap = 0;
    int rc = LSIGN_OK;

    while (rc == LSIGN_OK && w->depth > 0) {
        pending p = w->stack[--w->depth];
        const lsi_pdf_obj *node, *kids;
        const char *parent = p.parent_name != SIZE_MAX ? n->items[p.parent_name] : NULL;
        size_t me = 0;
        uint32_t num;
        uint16_t gen;

        rc = visit(w, &p, "form fields", &num, &gen, &node);
        if (rc == LSIGN_OK)
            rc = name_add(n, parent, lsi_pdf_dict_get(node, "T"), &me);
        if (rc != LSIGN_OK)
            break;
        p.ft = own_or(w, node, "FT", p.ft);
        p.v = own_or(w, node, "V", p.v);
        kids = own_or(w, node, "Kids", NULL);
        if (kids == NULL || is_terminal(w, kids))
            rc = add_field(&p, num, gen, node, n->items[me], fields, count, &cap);
        else
            rc = push_kids(w, kids, &p, me);
    }
    return rc;
}

int lsi_pdf_doc_fields(lsi_pdf_doc *doc, lsi_pdf_field **fields, size_t *count)
{
    const lsi_pdf_obj *catalog, *form, *list;
    pending top = {0};
    names n = {NULL, 0, 0};
    walk w;
    int rc;

    *fields = NULL;
    *count = 0;
    rc = lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root"), &catalog);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(catalog, "AcroForm"), &form);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(form, "Fields"), &list);
    if (rc != LSIGN_OK || lsi_pdf_count(list) == 0)
        return rc;
    if ((rc = walk_init(&w, doc, lsi_pdf_doc_ctx(doc))) != LSIGN_OK)
        return rc;
    top.parent_name = SIZE_MAX;
    rc = push_kids(&w, list, &top, SIZE_MAX);
    if (rc == LSIGN_OK)
        rc = walk_fields(&w, &n, fields, count);
    walk_free(&w);
    for (size_t i = 0; i < n.count; i++)
        free(n.items[i]);
    free(n.items);
    if (rc != LSIGN_OK) {
        lsi_pdf_fields_free(*fields, *count);
        *fields = NULL;
        *count = 0;
    }
    return rc;
}

void lsi_pdf_fields_free(lsi_pdf_field *fields, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(fields[i].name);
    free(fields);
}
