/*
 * Modification analysis (see modifications.h). Two documents over the same
 * bytes: `old`, the signed prefix, and `cur`, the whole file. Each is given
 * per-object roles (signature dictionary, signature field, page, page
 * content, DSS, ...) by walking its catalog, fields and pages without
 * recursion through references; then every object number up to the larger
 * table is compared and each difference judged by the roles it has.
 */
#include "validate/modifications.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/grow.h"
#include "pdf/pages.h"

#define MAX_NEST 256 /* direct nesting followed when comparing or walking */

/* Roles of an object number (bits). */
#define R_SIGDICT  0x0001u  /* a permitted signature dictionary */
#define R_SIGFIELD 0x0002u  /* a permitted signature field or its widget */
#define R_SIGAP    0x0004u  /* reachable from a signature widget's /AP */
#define R_DSS      0x0008u  /* the /DSS or reachable from it */
#define R_FIELD    0x0010u  /* another form field or its widget */
#define R_FIELDAP  0x0020u  /* reachable from such a field's /AP or /V */
#define R_ANNOT    0x0040u  /* an annotation other than a widget */
#define R_ANNOTAP  0x0080u  /* reachable from such an annotation's /AP */
#define R_PAGE     0x0100u  /* a page */
#define R_CONTENT  0x0200u  /* a page's content stream */
#define R_PAGERES  0x0400u  /* reachable from a page's contents or resources */
#define R_ACROFORM 0x0800u  /* the /AcroForm dictionary */
#define R_FIELDS   0x1000u  /* the /Fields array */
#define R_ANNOTS   0x2000u  /* a page's /Annots array */
#define R_INFO     0x4000u  /* the /Info dictionary */
#define R_APENTRY  0x8000u  /* a field widget's /AP entry itself (an appearance stream) */
#define R_REACHED  0x10000u /* reachable from the trailer at all */

typedef struct roles {
    lsi_pdf_doc *doc;
    uint32_t *bits;
    uint32_t *stack; /* worklist of object numbers, each pushed once per bit */
    size_t top;
    uint32_t n;
    int docmdp;
    int everything; /* reach() goes through pages, page trees and annotations too */
} roles;

typedef struct analysis {
    lsi_pdf_doc *old, *cur;
    roles ro, rc;
    uint32_t n, old_root, cur_root;
    int docmdp;
    const unsigned char *data;
    lsi_mods *out;
    size_t dropped;
} analysis;

static const lsi_pdf_obj empty_dict = {LSI_PDF_DICT, 0, 0, {0}};

const char *lsi_mods_verdict_name(lsi_mods_verdict v)
{
    switch (v) {
    case LSI_MODS_NONE: return "NONE";
    case LSI_MODS_ALLOWED: return "ALLOWED";
    case LSI_MODS_DISALLOWED: return "DISALLOWED";
    }
    return "?";
}

void lsi_mods_clear(lsi_mods *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->count; i++)
        free(m->details[i]);
    free(m->details);
    memset(m, 0, sizeof *m);
}

/* Records one change and raises the verdict. */
static int note(lsi_mods *m, size_t *dropped, lsi_mods_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int note(lsi_mods *m, size_t *dropped, lsi_mods_verdict v, const char *fmt, ...)
{
    char buf[320];
    va_list ap;

    if (v > m->verdict)
        m->verdict = v;
    if (m->count >= LSI_MODS_MAX_DETAILS - 1) {
        (*dropped)++;
        return LSIGN_OK;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ": %s", lsi_mods_verdict_name(v));
    if ((m->details = realloc(m->details, (m->count + 1) * sizeof *m->details)) == NULL ||
        (m->details[m->count] = strdup(buf)) == NULL)
        return lsi_error_nomem();
    m->count++;
    return LSIGN_OK;
}

/* Structural equality */

static int obj_equal(const lsi_pdf_obj *a, const lsi_pdf_obj *b, const unsigned char *data,
                     unsigned int depth);

static int dict_equal(const lsi_pdf_obj *a, const lsi_pdf_obj *b, const unsigned char *data,
                      unsigned int depth)
{
    if (a->u.dict.count != b->u.dict.count)
        return 0;
    for (size_t i = 0; i < a->u.dict.count; i++)
        if (!obj_equal(a->u.dict.values[i], lsi_pdf_dict_get(b, a->u.dict.keys[i].bytes), data,
                       depth + 1))
            return 0;
    return 1;
}

static int stream_equal(const lsi_pdf_obj *a, const lsi_pdf_obj *b, const unsigned char *data,
                        unsigned int depth)
{
    if (!a->u.stream.length_known || !b->u.stream.length_known)
        return a->u.stream.data_offset == b->u.stream.data_offset;
    /* The same bytes of the file (an object no later revision redefined): equal without reading
     * them, so a 1 GB stream is not paged in. */
    if (a->u.stream.data_offset == b->u.stream.data_offset &&
        a->u.stream.data_length == b->u.stream.data_length)
        return dict_equal(a->u.stream.dict, b->u.stream.dict, data, depth + 1);
    return a->u.stream.data_length == b->u.stream.data_length &&
           memcmp(data + a->u.stream.data_offset, data + b->u.stream.data_offset,
                  a->u.stream.data_length) == 0 &&
           dict_equal(a->u.stream.dict, b->u.stream.dict, data, depth + 1);
}

static int array_equal(const lsi_pdf_obj *a, const lsi_pdf_obj *b, const unsigned char *data,
                       unsigned int depth)
{
    if (a->u.array.count != b->u.array.count)
        return 0;
    for (size_t i = 0; i < a->u.array.count; i++)
        if (!obj_equal(a->u.array.items[i], b->u.array.items[i], data, depth + 1))
            return 0;
    return 1;
}

static int obj_equal(const lsi_pdf_obj *a, const lsi_pdf_obj *b, const unsigned char *data,
                     unsigned int depth)
{
    int null_a = a == NULL || a->type == LSI_PDF_NULL,
        null_b = b == NULL || b->type == LSI_PDF_NULL;

    if (null_a || null_b)
        return null_a && null_b;
    if (a->type != b->type || depth > MAX_NEST)
        return 0;
    switch (a->type) {
    case LSI_PDF_BOOL: return a->u.boolean == b->u.boolean;
    case LSI_PDF_INT: return a->u.integer == b->u.integer;
    case LSI_PDF_REAL: return a->u.real == b->u.real;
    case LSI_PDF_STRING:
        return a->u.string.len == b->u.string.len &&
               memcmp(a->u.string.bytes, b->u.string.bytes, a->u.string.len) == 0;
    case LSI_PDF_NAME:
        return a->u.name.len == b->u.name.len &&
               memcmp(a->u.name.bytes, b->u.name.bytes, a->u.name.len) == 0;
    case LSI_PDF_ARRAY: return array_equal(a, b, data, depth);
    case LSI_PDF_DICT: return dict_equal(a, b, data, depth);
    case LSI_PDF_REF: return a->u.ref.num == b->u.ref.num && a->u.ref.gen == b->u.ref.gen;
    case LSI_PDF_STREAM: return stream_equal(a, b, data, depth);
    default: return 1;
    }
}

/* Roles */

static const lsi_pdf_obj *dict_of(const lsi_pdf_obj *o)
{
    return o != NULL && o->type == LSI_PDF_STREAM ? o->u.stream.dict : o;
}

static const lsi_pdf_obj *get(lsi_pdf_doc *doc, uint32_t num)
{
    const lsi_pdf_obj *o = NULL;

    return lsi_pdf_doc_get(doc, num, &o) == LSIGN_OK ? o : NULL;
}

static const lsi_pdf_obj *deref(lsi_pdf_doc *doc, const lsi_pdf_obj *o)
{
    const lsi_pdf_obj *r = NULL;

    return o != NULL && lsi_pdf_doc_deref(doc, o, &r) == LSIGN_OK ? r : NULL;
}

static int is_sigdict(const lsi_pdf_obj *o)
{
    const lsi_pdf_obj *t = lsi_pdf_dict_get(o, "Type");

    if (o == NULL || o->type != LSI_PDF_DICT)
        return 0;
    return lsi_pdf_name_is(t, "Sig") || lsi_pdf_name_is(t, "DocTimeStamp") ||
           (lsi_pdf_dict_get(o, "ByteRange") && lsi_pdf_dict_get(o, "Contents") &&
            lsi_pdf_dict_get(o, "Filter"));
}

static int is_doc_timestamp(const lsi_pdf_obj *o)
{
    return lsi_pdf_name_is(lsi_pdf_dict_get(o, "Type"), "DocTimeStamp") ||
           lsi_pdf_name_is(lsi_pdf_dict_get(o, "SubFilter"), "ETSI.RFC3161");
}

static void mark(roles *r, const lsi_pdf_obj *ref, uint32_t bit)
{
    uint32_t num;
    uint16_t gen;

    if (lsi_pdf_get_ref(ref, &num, &gen) && num < r->n && !(r->bits[num] & bit)) {
        r->bits[num] |= bit;
        r->stack[r->top++] = num;
    }
}

/* Pushes every reference inside the direct object `o`. */
static void push_refs(roles *r, const lsi_pdf_obj *o, uint32_t bit, unsigned int depth)
{
    if (o == NULL || depth > MAX_NEST)
        return;
    if (o->type == LSI_PDF_REF)
        mark(r, o, bit);
    else if (o->type == LSI_PDF_ARRAY)
        for (size_t i = 0; i < o->u.array.count; i++)
            push_refs(r, o->u.array.items[i], bit, depth + 1);
    else if (o->type == LSI_PDF_DICT || o->type == LSI_PDF_STREAM)
        for (size_t i = 0; i < dict_of(o)->u.dict.count; i++)
            push_refs(r, dict_of(o)->u.dict.values[i], bit, depth + 1);
}

/* Gives `bit` to everything reachable from the direct object `o` (not to `o` itself). */
static void reach(roles *r, const lsi_pdf_obj *o, uint32_t bit)
{
    push_refs(r, o, bit, 0);
    while (r->top > 0) {
        uint32_t num = r->stack[--r->top];
        const lsi_pdf_obj *obj = get(r->doc, num);
        /* a page or field reached by /P or /Parent is not part of an appearance */
        const char *t = NULL;
        size_t tl;

        if (obj == NULL ||
            (!r->everything && lsi_pdf_get_name(lsi_pdf_dict_get(dict_of(obj), "Type"), &t, &tl) &&
             (!strcmp(t, "Page") || !strcmp(t, "Pages") || !strcmp(t, "Annot"))))
            continue;
        push_refs(r, obj, bit, 0);
    }
}

static void set_bit(roles *r, const lsi_pdf_obj *ref, uint32_t bit)
{
    uint32_t num;
    uint16_t gen;

    if (lsi_pdf_get_ref(ref, &num, &gen) && num < r->n)
        r->bits[num] |= bit;
}

/* The /FT of a field or widget, looking up a few /Parent levels. */
static const lsi_pdf_obj *field_type(lsi_pdf_doc *doc, const lsi_pdf_obj *d)
{
    for (int i = 0; i < 32 && d != NULL; i++) {
        const lsi_pdf_obj *ft = lsi_pdf_dict_get(d, "FT");
        if (ft != NULL)
            return ft;
        d = deref(doc, lsi_pdf_dict_get(d, "Parent"));
    }
    return NULL;
}

static const lsi_pdf_obj *field_value(lsi_pdf_doc *doc, const lsi_pdf_obj *d)
{
    for (int i = 0; i < 32 && d != NULL; i++) {
        const lsi_pdf_obj *v = lsi_pdf_dict_get(d, "V");
        if (v != NULL)
            return v;
        d = deref(doc, lsi_pdf_dict_get(d, "Parent"));
    }
    return NULL;
}

/* A field or widget object `ref` (dict `d`): its role and that of what it references. */
static void mark_field(roles *r, const lsi_pdf_obj *ref, const lsi_pdf_obj *d)
{
    const lsi_pdf_obj *v = field_value(r->doc, d), *vd = deref(r->doc, v);

    if (d == NULL || d->type != LSI_PDF_DICT)
        return;
    if (lsi_pdf_name_is(field_type(r->doc, d), "Sig")) {
        int permitted = vd == NULL || vd->type != LSI_PDF_DICT
                            ? r->docmdp != 1
                            : is_sigdict(vd) && (r->docmdp != 1 || is_doc_timestamp(vd));
        if (!permitted)
            return;
        set_bit(r, ref, R_SIGFIELD);
        if (is_sigdict(vd))
            set_bit(r, v, R_SIGDICT);
        reach(r, lsi_pdf_dict_get(d, "AP"), R_SIGAP);
        return;
    }
    set_bit(r, ref, R_FIELD);
    const lsi_pdf_obj *ap = deref(r->doc, lsi_pdf_dict_get(d, "AP"));
    for (size_t i = 0; ap != NULL && ap->type == LSI_PDF_DICT && i < ap->u.dict.count; i++) {
        const lsi_pdf_obj *e = ap->u.dict.values[i], *ed = deref(r->doc, e);
        set_bit(r, e, R_APENTRY);
        for (size_t k = 0; ed != NULL && ed->type == LSI_PDF_DICT && k < ed->u.dict.count; k++)
            set_bit(r, ed->u.dict.values[k], R_APENTRY);
    }
    reach(r, lsi_pdf_dict_get(d, "AP"), R_FIELDAP);
    reach(r, lsi_pdf_dict_get(d, "V"), R_FIELDAP);
}

static void mark_annot(roles *r, const lsi_pdf_obj *ref)
{
    const lsi_pdf_obj *d = deref(r->doc, ref);

    if (d == NULL || d->type != LSI_PDF_DICT)
        return;
    if (lsi_pdf_name_is(lsi_pdf_dict_get(d, "Subtype"), "Widget")) {
        mark_field(r, ref, d);
        return;
    }
    set_bit(r, ref, R_ANNOT);
    reach(r, lsi_pdf_dict_get(d, "AP"), R_ANNOTAP);
}

static void mark_page(roles *r, const lsi_pdf_page *p)
{
    const lsi_pdf_obj *contents = lsi_pdf_dict_get(p->dict, "Contents");
    const lsi_pdf_obj *annots = lsi_pdf_dict_get(p->dict, "Annots");
    const lsi_pdf_obj *items = deref(r->doc, contents);

    if (p->num < r->n)
        r->bits[p->num] |= R_PAGE;
    set_bit(r, contents, R_CONTENT);
    for (size_t i = 0; items != NULL && items->type == LSI_PDF_ARRAY && i < items->u.array.count;
         i++)
        set_bit(r, items->u.array.items[i], R_CONTENT);
    reach(r, contents, R_PAGERES);
    reach(r, p->resources, R_PAGERES);
    set_bit(r, annots, R_ANNOTS);
    for (size_t i = 0; p->annots != NULL && i < lsi_pdf_count(p->annots); i++)
        mark_annot(r, lsi_pdf_array_get(p->annots, i));
}

static int mark_pages(roles *r)
{
    lsi_pdf_page *pages = NULL;
    size_t count = 0;
    int rc = lsi_pdf_doc_pages(r->doc, &pages, &count);

    for (size_t i = 0; rc == LSIGN_OK && i < count; i++)
        mark_page(r, &pages[i]);
    free(pages);
    return rc;
}

/* Fields, walked by /Kids from /AcroForm /Fields (bounded by the object count). */
static void mark_fields(roles *r, const lsi_pdf_obj *fields)
{
    size_t top = 0, cap = r->n + 1;
    const lsi_pdf_obj **todo = calloc(cap, sizeof *todo);
    unsigned char *seen = calloc(cap, 1);

    for (size_t i = 0; todo != NULL && seen != NULL && i < lsi_pdf_count(fields) && top < cap; i++)
        todo[top++] = lsi_pdf_array_get(fields, i);
    while (todo != NULL && seen != NULL && top > 0) {
        const lsi_pdf_obj *ref = todo[--top], *d = deref(r->doc, ref), *kids;
        uint32_t num;
        uint16_t gen;
        if (!lsi_pdf_get_ref(ref, &num, &gen) || num >= r->n || seen[num] || d == NULL)
            continue;
        seen[num] = 1;
        mark_field(r, ref, d);
        kids = deref(r->doc, lsi_pdf_dict_get(d, "Kids"));
        for (size_t i = 0; i < lsi_pdf_count(kids) && top < cap; i++)
            todo[top++] = lsi_pdf_array_get(kids, i);
    }
    free(todo);
    free(seen);
}

static int mark_roles(roles *r)
{
    const lsi_pdf_obj *trailer = lsi_pdf_doc_trailer(r->doc);
    const lsi_pdf_obj *cat = deref(r->doc, lsi_pdf_dict_get(trailer, "Root"));
    const lsi_pdf_obj *acro = lsi_pdf_dict_get(cat, "AcroForm");
    const lsi_pdf_obj *fields = lsi_pdf_dict_get(deref(r->doc, acro), "Fields");

    r->everything = 1;
    reach(r, trailer, R_REACHED);
    r->everything = 0;
    set_bit(r, lsi_pdf_dict_get(trailer, "Info"), R_INFO);
    set_bit(r, acro, R_ACROFORM);
    set_bit(r, fields, R_FIELDS);
    /* reach() first: it walks into an object only the first time it gives it the bit */
    reach(r, lsi_pdf_dict_get(cat, "DSS"), R_DSS);
    set_bit(r, lsi_pdf_dict_get(cat, "DSS"), R_DSS);
    mark_fields(r, deref(r->doc, fields));
    return mark_pages(r);
}

static int roles_init(roles *r, lsi_pdf_doc *doc, uint32_t n, int docmdp)
{
    memset(r, 0, sizeof *r);
    r->doc = doc;
    r->n = n;
    r->docmdp = docmdp;
    r->bits = calloc((size_t)n + 1, sizeof *r->bits);
    r->stack = calloc((size_t)n + 1, sizeof *r->stack);
    return r->bits != NULL && r->stack != NULL ? LSIGN_OK : lsi_error_nomem();
}

static void roles_free(roles *r)
{
    free(r->bits);
    free(r->stack);
}

/* Describing objects */

static const char *role_name(uint32_t bits)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{R_SIGDICT, "signature dictionary"},
                 {R_SIGFIELD, "signature field"},
                 {R_CONTENT, "page content"},
                 {R_PAGE, "page"},
                 {R_ACROFORM, "AcroForm"},
                 {R_FIELDS, "AcroForm fields array"},
                 {R_ANNOTS, "page annotations array"},
                 {R_DSS, "DSS"},
                 {R_INFO, "document information"},
                 {R_FIELD, "form field"},
                 {R_ANNOT, "annotation"},
                 {R_SIGAP, "signature appearance"},
                 {R_PAGERES, "page resource"},
                 {R_FIELDAP, "form field appearance"},
                 {R_ANNOTAP, "annotation appearance"}};

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (bits & names[i].bit)
            return names[i].name;
    return NULL;
}

/* "page content", "catalog", "Font/Type1", "stream"... into buf. */
static const char *describe(analysis *a, uint32_t num, const lsi_pdf_obj *o, uint32_t bits,
                            char *buf, size_t size)
{
    const char *t = NULL, *st = NULL, *rn = role_name(bits);
    size_t l;

    if (num == a->cur_root || num == a->old_root)
        return "catalog";
    if (rn != NULL)
        return rn;
    if (o == NULL || o->type == LSI_PDF_NULL)
        return "free";
    if (lsi_pdf_get_name(lsi_pdf_dict_get(dict_of(o), "Type"), &t, &l) ||
        lsi_pdf_get_name(lsi_pdf_dict_get(dict_of(o), "Subtype"), &st, &l)) {
        (void)lsi_pdf_get_name(lsi_pdf_dict_get(dict_of(o), "Subtype"), &st, &l);
        snprintf(buf, size, "%s%s%s", t ? t : "", t && st ? "/" : "", st ? st : "");
        return buf;
    }
    return lsi_pdf_type_name(o->type);
}

/* Judging one change */

/* The first key whose value differs between dicts a and b and is not in `allowed`; NULL if none. */
static const char *differing_key(const lsi_pdf_obj *a, const lsi_pdf_obj *b,
                                 const char *const *allowed, const unsigned char *data)
{
    const lsi_pdf_obj *sides[2] = {a, b};

    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < sides[s]->u.dict.count; i++) {
            const char *k = sides[s]->u.dict.keys[i].bytes;
            int ok = 0;
            for (size_t j = 0; allowed[j] != NULL && !ok; j++)
                ok = strcmp(k, allowed[j]) == 0;
            if (!ok && !obj_equal(lsi_pdf_dict_get(a, k), lsi_pdf_dict_get(b, k), data, 0))
                return k;
        }
    return NULL;
}

static int is_new(analysis *a, const lsi_pdf_obj *ref)
{
    uint32_t num;
    uint16_t gen;
    const lsi_pdf_obj *o;

    if (!lsi_pdf_get_ref(ref, &num, &gen))
        return 0;
    o = num < lsi_pdf_doc_size(a->old) ? get(a->old, num) : NULL;
    return o == NULL || o->type == LSI_PDF_NULL;
}

static uint32_t cur_bits(analysis *a, const lsi_pdf_obj *ref)
{
    uint32_t num;
    uint16_t gen;

    return lsi_pdf_get_ref(ref, &num, &gen) && num < a->n ? a->rc.bits[num] : 0;
}

/* Array `nw` is `old` (NULL: empty) plus new items, each a new object with role `gain`. */
static int gained_only(analysis *a, const lsi_pdf_obj *old, const lsi_pdf_obj *nw, uint32_t gain)
{
    size_t k = lsi_pdf_count(old);

    if (nw == NULL || nw->type != LSI_PDF_ARRAY || (old != NULL && old->type != LSI_PDF_ARRAY) ||
        nw->u.array.count < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (!obj_equal(old->u.array.items[i], nw->u.array.items[i], a->data, 0))
            return 0;
    for (size_t i = k; i < nw->u.array.count; i++)
        if (!is_new(a, nw->u.array.items[i]) || !(cur_bits(a, nw->u.array.items[i]) & gain))
            return 0;
    return 1;
}

/* What an /Annots array may gain at this DocMDP level. */
static uint32_t annot_gain(const analysis *a)
{
    return R_SIGFIELD | (a->docmdp == 3 ? R_ANNOT : 0);
}

/* A container value (array or reference to one) that only gained `gain` items. */
static int value_gained_only(analysis *a, const lsi_pdf_obj *old, const lsi_pdf_obj *nw,
                             uint32_t gain)
{
    if (obj_equal(old, nw, a->data, 0))
        return 1;
    if (nw != NULL && nw->type == LSI_PDF_REF) /* a new array object, judged on its own */
        return (old == NULL || old->type == LSI_PDF_NULL) && is_new(a, nw);
    return (old == NULL || old->type == LSI_PDF_ARRAY) && gained_only(a, old, nw, gain);
}

static int acroform_ok(analysis *a, const lsi_pdf_obj *o, const lsi_pdf_obj *nw,
                       const unsigned char *data)
{
    static const char *const keys[] = {"Fields", "SigFlags", "NeedAppearances", NULL};

    if (nw == NULL || nw->type != LSI_PDF_DICT)
        return 0;
    if (o == NULL || o->type != LSI_PDF_DICT) /* a new AcroForm: only signature fields */
        o = &empty_dict;
    return differing_key(o, nw, keys, data) == NULL &&
           value_gained_only(a, lsi_pdf_dict_get(o, "Fields"), lsi_pdf_dict_get(nw, "Fields"),
                             R_SIGFIELD);
}

static int catalog_ok(analysis *a, const lsi_pdf_obj *o, const lsi_pdf_obj *nw,
                      const unsigned char *data, const char **why)
{
    static const char *const keys[] = {"AcroForm", "DSS", "Perms", "Extensions", NULL};
    const lsi_pdf_obj *oa = lsi_pdf_dict_get(o, "AcroForm"), *na = lsi_pdf_dict_get(nw, "AcroForm");

    if ((*why = differing_key(o, nw, keys, data)) != NULL)
        return 0;
    *why = "Perms";
    if (lsi_pdf_dict_get(o, "Perms") != NULL &&
        !obj_equal(lsi_pdf_dict_get(o, "Perms"), lsi_pdf_dict_get(nw, "Perms"), data, 0))
        return 0;
    *why = "AcroForm";
    if (obj_equal(oa, na, data, 0))
        return 1;
    if (na != NULL && na->type == LSI_PDF_DICT)
        return acroform_ok(a, oa != NULL && oa->type == LSI_PDF_DICT ? oa : NULL, na, data);
    return oa == NULL && na != NULL && na->type == LSI_PDF_REF && is_new(a, na);
}

static int page_ok(analysis *a, const lsi_pdf_obj *o, const lsi_pdf_obj *nw,
                   const unsigned char *data, const char **why)
{
    static const char *const keys[] = {"Annots", NULL};

    if ((*why = differing_key(o, nw, keys, data)) != NULL)
        return 0;
    *why = "Annots";
    return value_gained_only(a, lsi_pdf_dict_get(o, "Annots"), lsi_pdf_dict_get(nw, "Annots"),
                             annot_gain(a));
}

/* A field filled in (or an empty signature field signed): only its value and appearance. */
static int filled_ok(const lsi_pdf_obj *o, const lsi_pdf_obj *nw, const unsigned char *data,
                     const char **why)
{
    static const char *const keys[] = {"V", "AP", "AS", NULL};

    return (*why = differing_key(o, nw, keys, data)) == NULL;
}

/* A new object: is it one of those a later revision may add? */
static int judge_new(analysis *a, uint32_t num, const lsi_pdf_obj *nw, const unsigned char *data)
{
    uint32_t b = a->rc.bits[num];
    const lsi_pdf_obj *d = dict_of(nw);

    if (lsi_pdf_name_is(lsi_pdf_dict_get(d, "Type"), "XRef") ||
        lsi_pdf_name_is(lsi_pdf_dict_get(d, "Type"), "ObjStm"))
        return 1;
    if (!(b & R_REACHED))
        return 1; /* nothing displays or uses it (a later reference to it is a change) */
    if (b & (R_SIGDICT | R_SIGFIELD | R_SIGAP | R_DSS))
        return !(b & (R_CONTENT | R_PAGE | R_PAGERES));
    if (b & R_INFO)
        return a->docmdp != 1;
    if (b & R_ACROFORM)
        return acroform_ok(a, NULL, nw, data);
    if (b & R_FIELDS)
        return gained_only(a, NULL, nw, R_SIGFIELD);
    if (b & R_ANNOTS)
        return gained_only(a, NULL, nw, annot_gain(a));
    if (a->docmdp >= 2 && (b & R_FIELDAP) && !(b & (R_PAGERES | R_CONTENT | R_PAGE)))
        return 1;
    if (a->docmdp == 3 && (b & (R_ANNOT | R_ANNOTAP)) && !(b & (R_PAGERES | R_CONTENT | R_PAGE)))
        return 1;
    return 0;
}

/* An object of the signed revision, redefined: may it be? *why names the offending key. */
static int judge_changed(analysis *a, uint32_t num, const lsi_pdf_obj *o, const lsi_pdf_obj *nw,
                         const unsigned char *data, const char **why)
{
    uint32_t ob = a->ro.bits[num], nb = a->rc.bits[num];

    *why = NULL;
    if (o->type != nw->type) {
        *why = "replaced by another type";
        return 0;
    }
    if (num == a->old_root && num == a->cur_root)
        return nw->type == LSI_PDF_DICT && catalog_ok(a, o, nw, data, why);
    if (num == a->old_root || num == a->cur_root || o->type != LSI_PDF_DICT) {
        if (o->type == LSI_PDF_STREAM && a->docmdp >= 2 && (ob & R_APENTRY) && (nb & R_APENTRY) &&
            !(ob & (R_PAGERES | R_CONTENT | R_SIGAP | R_ANNOTAP)))
            return 1; /* a field's appearance stream redrawn when it is filled in */
        if ((ob & R_DSS) && (nb & R_DSS))
            return 1;
        if ((ob & R_FIELDS) && (nb & R_FIELDS))
            return gained_only(a, o, nw, R_SIGFIELD);
        if ((ob & R_ANNOTS) && (nb & R_ANNOTS))
            return gained_only(a, o, nw, annot_gain(a));
        return 0;
    }
    if (ob & R_PAGE)
        return page_ok(a, o, nw, data, why);
    if ((ob & R_ACROFORM) && (nb & R_ACROFORM))
        return acroform_ok(a, o, nw, data);
    if ((ob & R_INFO) || (nb & R_INFO))
        return a->docmdp != 1;
    if ((ob & R_DSS) && (nb & R_DSS))
        return 1;
    if ((ob & R_SIGFIELD) && (nb & R_SIGFIELD) && lsi_pdf_dict_get(o, "V") == NULL)
        return filled_ok(o, nw, data, why);
    if (a->docmdp >= 2 && (ob & R_FIELD) && (nb & R_FIELD))
        return filled_ok(o, nw, data, why);
    return 0;
}

static int judge(analysis *a, uint32_t num, const lsi_pdf_obj *o, const lsi_pdf_obj *nw,
                 const unsigned char *data)
{
    int o_null = o == NULL || o->type == LSI_PDF_NULL,
        n_null = nw == NULL || nw->type == LSI_PDF_NULL;
    uint32_t bits = a->rc.bits[num] | (n_null ? a->ro.bits[num] : 0);
    const char *why = NULL, *what;
    char buf[96];
    int ok;

    if (o_null && n_null)
        return LSIGN_OK;
    if (n_null)
        ok = 0;
    else if (o_null)
        ok = judge_new(a, num, nw, data);
    else
        ok = judge_changed(a, num, o, nw, data, &why);
    if (ok)
        why = o_null && !n_null && !(a->rc.bits[num] & R_REACHED) ? "not referenced" : NULL;
    what = describe(a, num, n_null ? o : nw, bits, buf, sizeof buf);
    return note(a->out, &a->dropped, ok ? LSI_MODS_ALLOWED : LSI_MODS_DISALLOWED,
                "object %u %u (%s) %s%s%s", num,
                lsi_pdf_doc_generation(n_null ? a->old : a->cur, num), what,
                n_null   ? "deleted"
                : o_null ? "added"
                         : "changed",
                why ? ": " : "", why ? why : "");
}

/* The whole comparison */

static uint32_t root_num(lsi_pdf_doc *doc)
{
    uint32_t num = 0;
    uint16_t gen;

    (void)lsi_pdf_get_ref(lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root"), &num, &gen);
    return num;
}

static int compare_trailers(analysis *a, const unsigned char *data)
{
    static const char *const keys[] = {"Size", "Prev",  "ID",     "Info",   "XRefStm",     "Type",
                                       "W",    "Index", "Length", "Filter", "DecodeParms", NULL};
    const lsi_pdf_obj *o = lsi_pdf_doc_trailer(a->old), *nw = lsi_pdf_doc_trailer(a->cur);
    const char *k;

    if (a->old_root != a->cur_root)
        return note(a->out, &a->dropped, LSI_MODS_DISALLOWED,
                    "trailer /Root moved from object %u to object %u (a new catalog)", a->old_root,
                    a->cur_root);
    if ((k = differing_key(dict_of(o), dict_of(nw), keys, data)) != NULL)
        return note(a->out, &a->dropped, LSI_MODS_DISALLOWED, "trailer /%s changed", k);
    return LSIGN_OK;
}

static int compare_objects(analysis *a, const unsigned char *data)
{
    uint32_t old_size = lsi_pdf_doc_size(a->old), cur_size = lsi_pdf_doc_size(a->cur);
    int rc = LSIGN_OK;

    for (uint32_t num = 1; rc == LSIGN_OK && num < a->n; num++) {
        const lsi_pdf_obj *o = num < old_size ? get(a->old, num) : NULL;
        const lsi_pdf_obj *nw = num < cur_size ? get(a->cur, num) : NULL;
        if (!obj_equal(o, nw, data, 0))
            rc = judge(a, num, o, nw, data);
    }
    return rc;
}

static int is_pdf_space(unsigned char c)
{
    return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

/* Bytes after the end of every revision the cross-reference chain reaches. */
static int check_tail(analysis *a, const unsigned char *data, size_t len)
{
    size_t end = 0, n = lsi_pdf_doc_revision_count(a->cur);

    for (size_t i = 0; i < n; i++)
        if (lsi_pdf_doc_revision(a->cur, i)->end > end)
            end = lsi_pdf_doc_revision(a->cur, i)->end;
    for (size_t p = end; p < len; p++)
        if (!is_pdf_space(data[p]))
            return note(a->out, &a->dropped, LSI_MODS_DISALLOWED,
                        "bytes after the last %%%%EOF (offset %zu; %zu bytes a reader may repair "
                        "the file with)",
                        p, len - p);
    if (lsi_pdf_doc_repaired(a->cur) && !lsi_pdf_doc_repaired(a->old))
        return note(a->out, &a->dropped, LSI_MODS_DISALLOWED,
                    "the final cross-reference is unusable (the file was rebuilt by scanning)");
    return LSIGN_OK;
}

static int run(analysis *a, const unsigned char *data, size_t len)
{
    int rc = check_tail(a, data, len);

    if (rc == LSIGN_OK)
        rc = roles_init(&a->ro, a->old, a->n, a->docmdp);
    if (rc == LSIGN_OK)
        rc = roles_init(&a->rc, a->cur, a->n, a->docmdp);
    if (rc == LSIGN_OK && mark_roles(&a->ro) != LSIGN_OK)
        rc = lsi_error_wrap("the signed revision's pages");
    if (rc == LSIGN_OK && mark_roles(&a->rc) != LSIGN_OK)
        rc = note(a->out, &a->dropped, LSI_MODS_DISALLOWED, "the page tree is unreadable: %s",
                  lsign_last_error());
    if (rc == LSIGN_OK)
        rc = compare_trailers(a, data);
    if (rc == LSIGN_OK)
        rc = compare_objects(a, data);
    if (rc == LSIGN_OK && a->dropped > 0)
        rc = note(a->out, &a->dropped, a->out->verdict, "%zu more changes", a->dropped);
    return rc;
}

int lsi_mods_analyse_prefix(lsi_pdf_doc *doc, const unsigned char *data, size_t len,
                            size_t signed_end, int docmdp, lsi_mods *out)
{
    analysis a;
    int rc;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (doc == NULL || data == NULL || out == NULL || signed_end > len || docmdp < 0 || docmdp > 3)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_mods_analyse: invalid argument");
    if (signed_end == len)
        return LSIGN_OK; /* the document is the signed revision itself: nothing changed */
    memset(&a, 0, sizeof a);
    a.cur = doc;
    a.docmdp = docmdp;
    a.data = data;
    a.out = out;
    if ((rc = lsi_pdf_doc_open(data, signed_end, lsi_pdf_doc_ctx(doc), &a.old)) != LSIGN_OK)
        return lsi_error_wrap("the signed revision (%zu bytes)", signed_end);
    a.n = lsi_pdf_doc_size(doc) > lsi_pdf_doc_size(a.old) ? lsi_pdf_doc_size(doc)
                                                          : lsi_pdf_doc_size(a.old);
    a.old_root = root_num(a.old);
    a.cur_root = root_num(doc);
    rc = run(&a, data, len);
    roles_free(&a.ro);
    roles_free(&a.rc);
    lsi_pdf_doc_free(a.old);
    return rc;
}

int lsi_mods_analyse(lsi_pdf_doc *doc, const unsigned char *data, size_t len, size_t signed_rev,
                     int docmdp, lsi_mods *out)
{
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (doc == NULL || signed_rev >= lsi_pdf_doc_revision_count(doc))
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_mods_analyse: no revision %zu", signed_rev);
    return lsi_mods_analyse_prefix(doc, data, len, lsi_pdf_doc_revision(doc, signed_rev)->end,
                                   docmdp, out);
}

int lsi_mods_docmdp_level(lsi_pdf_doc *doc, const lsi_pdf_obj *sig)
{
    const lsi_pdf_obj *refs = deref(doc, lsi_pdf_dict_get(sig, "Reference"));

    for (size_t i = 0; i < lsi_pdf_count(refs) && i < 64; i++) {
        const lsi_pdf_obj *r = deref(doc, lsi_pdf_array_get(refs, i));
        const lsi_pdf_obj *params = deref(doc, lsi_pdf_dict_get(r, "TransformParams"));
        int64_t p = 2;
        if (!lsi_pdf_name_is(deref(doc, lsi_pdf_dict_get(r, "TransformMethod")), "DocMDP"))
            continue;
        (void)lsi_pdf_get_int(deref(doc, lsi_pdf_dict_get(params, "P")), &p);
        return p >= 1 && p <= 3 ? (int)p : 2;
    }
    return 0;
}
