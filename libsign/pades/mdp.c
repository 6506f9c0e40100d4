#include "pades/mdp.h"

#include <string.h>

#include "core/error.h"
#include "libsign/pdf.h"
#include "pdf/build.h"

/* The strictest /P seen so far (1 is strictest), and which signature set it. */
typedef struct strictest {
    int64_t p;
    const char *by;
} strictest;

static const lsi_pdf_obj *get(lsi_pdf_doc *doc, const lsi_pdf_obj *dict, const char *key)
{
    const lsi_pdf_obj *value = NULL;

    if (lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(dict, key), &value) != LSIGN_OK)
        return NULL;
    return value;
}

static void note(strictest *s, int64_t p, const char *by)
{
    if (p >= 1 && p <= 3 && (s->p == 0 || p < s->p)) {
        s->p = p;
        s->by = by;
    }
}

/* The /TransformParams of the signature's SigRef using `method`, or NULL. */
static const lsi_pdf_obj *transform_params(lsi_pdf_doc *doc, const lsi_pdf_obj *sig,
                                           const char *method)
{
    const lsi_pdf_obj *refs = get(doc, sig, "Reference");

    for (size_t i = 0; i < lsi_pdf_count(refs) && refs->type == LSI_PDF_ARRAY; i++) {
        const lsi_pdf_obj *ref = NULL;
        if (lsi_pdf_doc_deref(doc, lsi_pdf_array_get(refs, i), &ref) != LSIGN_OK)
            return NULL;
        if (lsi_pdf_name_is(lsi_pdf_dict_get(ref, "TransformMethod"), method))
            return get(doc, ref, "TransformParams");
    }
    return NULL;
}

/* /P of a certification signature (default 2, ISO 32000-2 table 257), or 0. */
static int64_t docmdp_level(lsi_pdf_doc *doc, const lsi_pdf_obj *sig)
{
    const lsi_pdf_obj *params = transform_params(doc, sig, "DocMDP");
    int64_t p = 2;

    if (params == NULL)
        return 0;
    (void)lsi_pdf_get_int(lsi_pdf_dict_get(params, "P"), &p);
    return p;
}

static int names_field(lsi_pdf_doc *doc, const lsi_pdf_obj *names, const char *field)
{
    size_t len = strlen(field);

    for (size_t i = 0; i < lsi_pdf_count(names) && names->type == LSI_PDF_ARRAY; i++) {
        const lsi_pdf_obj *name = NULL;
        const unsigned char *bytes;
        size_t n;
        if (lsi_pdf_doc_deref(doc, lsi_pdf_array_get(names, i), &name) == LSIGN_OK &&
            lsi_pdf_get_string(name, &bytes, &n) && n == len && memcmp(bytes, field, n) == 0)
            return 1;
    }
    return 0;
}

/* Whether a SigFieldLock or FieldMDP parameters dictionary covers `field`. */
static int locks(lsi_pdf_doc *doc, const lsi_pdf_obj *lock, const char *field)
{
    const lsi_pdf_obj *action = lsi_pdf_dict_get(lock, "Action");

    if (lock == NULL || lock->type != LSI_PDF_DICT)
        return 0;
    if (lsi_pdf_name_is(action, "Include"))
        return names_field(doc, get(doc, lock, "Fields"), field);
    if (lsi_pdf_name_is(action, "Exclude"))
        return !names_field(doc, get(doc, lock, "Fields"), field);
    return 1; /* /All, or an action we do not know: the safe reading */
}

static int is_signed(const lsi_pdf_field *f)
{
    return f->type != NULL && strcmp(f->type, "Sig") == 0 && f->value != NULL &&
           f->value->type == LSI_PDF_DICT;
}

/* Strictest permission of the catalog's /Perms /DocMDP signature and of every signed field. */
static int scan(lsi_pdf_doc *doc, const lsi_pdf_field *fields, size_t count,
                const lsi_pdf_field *target, strictest *s, size_t *signatures)
{
    const lsi_pdf_obj *catalog = get(doc, lsi_pdf_doc_trailer(doc), "Root");

    note(s, docmdp_level(doc, get(doc, get(doc, catalog, "Perms"), "DocMDP")), "the certification");
    for (size_t i = 0; i < count; i++) {
        const lsi_pdf_obj *lock;
        int64_t p = 0;
        if (!is_signed(&fields[i]))
            continue;
        (*signatures)++;
        note(s, docmdp_level(doc, fields[i].value), fields[i].name);
        lock = get(doc, fields[i].dict, "Lock");
        if (lsi_pdf_get_int(lsi_pdf_dict_get(lock, "P"), &p))
            note(s, p, fields[i].name);
        if (target != NULL &&
            (locks(doc, lock, target->name) ||
             locks(doc, transform_params(doc, fields[i].value, "FieldMDP"), target->name)))
            return lsi_error(LSIGN_E_POLICY, "PDF: field '%s' is locked by signature '%s'",
                             target->name, fields[i].name);
    }
    return LSIGN_OK;
}

int lsi_mdp_check(lsi_pdf_doc *doc, const lsi_pdf_field *fields, size_t count,
                  const lsi_pdf_field *target, int certify)
{
    strictest s = {0, NULL};
    size_t signatures = 0;
    int rc = scan(doc, fields, count, target, &s, &signatures);

    if (rc != LSIGN_OK)
        return rc;
    if (s.p == 1)
        return lsi_error(LSIGN_E_POLICY,
                         "PDF: signature '%s' allows no change to the document (DocMDP /P 1), "
                         "not even another signature",
                         s.by);
    if (target != NULL && is_signed(target))
        return lsi_error(LSIGN_E_POLICY, "PDF: signature field '%s' is already signed",
                         target->name);
    if (certify != LSIGN_CERTIFY_NONE && signatures > 0)
        return lsi_error(LSIGN_E_POLICY,
                         "PDF: a certification must be the first signature, and this document "
                         "has %zu already",
                         signatures);
    return LSIGN_OK;
}

static lsi_pdf_obj *field_names(lsi_arena *arena, const char *const *names, size_t count)
{
    lsi_pdf_obj *array = lsi_pdf_new_array(arena, count);

    for (size_t i = 0; array != NULL && i < count; i++) {
        if (names[i] == NULL) {
            lsi_error(LSIGN_E_INVALID_ARG, "PDF: lock_fields[%zu] is NULL", i);
            return NULL;
        }
        if ((array->u.array.items[i] = lsi_pdf_new_text(arena, names[i])) == NULL)
            return NULL;
    }
    return array;
}

int lsi_mdp_lock_dict(lsi_arena *arena, const lsi_mdp_request *req, lsi_pdf_obj **lock)
{
    static const char *const actions[] = {NULL, "All", "Include", "Exclude"};
    lsi_pdf_obj *dict, *names = NULL;

    *lock = NULL;
    if (req->lock == LSIGN_LOCK_NONE)
        return LSIGN_OK;
    if (req->lock != LSIGN_LOCK_ALL) {
        if (req->lock_field_count == 0 || req->lock_fields == NULL)
            return lsi_error(LSIGN_E_INVALID_ARG,
                             "PDF: locking with Include or Exclude needs field names");
        names = field_names(arena, req->lock_fields, req->lock_field_count);
        if (names == NULL)
            return lsi_pdf_built(names);
    }
    dict = lsi_pdf_with_name(arena, lsi_pdf_new_dict(arena), "Type", "SigFieldLock");
    dict = lsi_pdf_with_name(arena, dict, "Action", actions[req->lock]);
    if (dict != NULL && names != NULL)
        dict = lsi_pdf_dict_with(arena, dict, "Fields", names);
    *lock = dict;
    return lsi_pdf_built(dict);
}

/* << /Type /SigRef /TransformMethod method /TransformParams params >> */
static lsi_pdf_obj *sig_ref(lsi_arena *arena, const char *method, lsi_pdf_obj *params)
{
    lsi_pdf_obj *ref = lsi_pdf_with_name(arena, lsi_pdf_new_dict(arena), "Type", "SigRef");

    params = lsi_pdf_with_name(arena, lsi_pdf_with_name(arena, params, "Type", "TransformParams"),
                               "V", "1.2");
    ref = lsi_pdf_with_name(arena, ref, "TransformMethod", method);
    return ref != NULL && params != NULL ? lsi_pdf_dict_with(arena, ref, "TransformParams", params)
                                         : NULL;
}

static lsi_pdf_obj *docmdp_ref(lsi_arena *arena, int certify)
{
    lsi_pdf_obj *p = lsi_pdf_new_int(arena, certify);
    lsi_pdf_obj *params = p != NULL ? lsi_pdf_dict_with(arena, NULL, "P", p) : NULL;

    return params != NULL ? sig_ref(arena, "DocMDP", params) : NULL;
}

static lsi_pdf_obj *fieldmdp_ref(lsi_arena *arena, const lsi_pdf_obj *lock, lsi_pdf_obj *catalog)
{
    lsi_pdf_obj *params = lsi_pdf_dict_with(arena, lock, "Type", NULL);
    lsi_pdf_obj *ref;

    params = params != NULL ? lsi_pdf_dict_with(arena, params, "P", NULL) : NULL;
    ref = params != NULL ? sig_ref(arena, "FieldMDP", params) : NULL;
    return ref != NULL ? lsi_pdf_dict_with(arena, ref, "Data", catalog) : NULL;
}

int lsi_mdp_references(lsi_arena *arena, const lsi_mdp_request *req, const lsi_pdf_obj *lock,
                       lsi_pdf_obj *catalog, lsi_pdf_obj **references)
{
    lsi_pdf_obj *array = NULL, *entry;

    *references = NULL;
    if (lock == NULL)
        lock = req->target_lock;
    if (req->certify != LSIGN_CERTIFY_NONE) {
        if ((entry = docmdp_ref(arena, req->certify)) == NULL ||
            (array = lsi_pdf_array_with(arena, array, entry)) == NULL)
            return lsi_pdf_built(NULL);
    }
    if (lock != NULL && lock->type == LSI_PDF_DICT) {
        if ((entry = fieldmdp_ref(arena, lock, catalog)) == NULL ||
            (array = lsi_pdf_array_with(arena, array, entry)) == NULL)
            return lsi_pdf_built(NULL);
    }
    *references = array;
    return LSIGN_OK;
}
