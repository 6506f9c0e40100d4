#include "pades/fields.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "pdf/build.h"

/* Annotation flags: Print (4) and Locked (128). */
#define WIDGET_FLAGS 132

static const lsi_pdf_field *find(const lsi_pdf_field *fields, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

int lsi_fields_choose(const lsi_pdf_field *fields, size_t count, const char *requested,
                      const lsi_pdf_field **fill, char *name, size_t name_size)
{
    *fill = NULL;
    if (requested == NULL) {
        for (size_t n = 1; n <= count + 1; n++) {
            snprintf(name, name_size, "Signature%zu", n);
            if (find(fields, count, name) == NULL)
                return LSIGN_OK;
        }
    }
    if (requested == NULL || *requested == '\0')
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF: the field name is empty");
    if ((*fill = find(fields, count, requested)) != NULL) {
        if ((*fill)->type == NULL || strcmp((*fill)->type, "Sig") != 0)
            return lsi_error(LSIGN_E_INVALID_ARG,
                             "PDF: field '%s' is a %s field, not a signature field", requested,
                             (*fill)->type != NULL ? (*fill)->type : "typeless");
        return LSIGN_OK;
    }
    if (strchr(requested, '.') != NULL)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "PDF: no field '%s', and a new field's name cannot contain '.'",
                         requested);
    if (strlen(requested) >= name_size)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF: field name longer than %zu bytes",
                         name_size - 1);
    memcpy(name, requested, strlen(requested) + 1);
    return LSIGN_OK;
}

/* [x0 y0 x1 y1], or [0 0 0 0] for an invisible widget. */
static lsi_pdf_obj *rect_array(lsi_arena *arena, const double *r)
{
    lsi_pdf_obj *rect = lsi_pdf_new_array(arena, 4);

    for (size_t i = 0; rect != NULL && i < 4; i++) {
        lsi_pdf_obj *v = lsi_pdf_obj_new(arena, r != NULL ? LSI_PDF_REAL : LSI_PDF_INT);
        if (v == NULL)
            return NULL;
        if (r != NULL)
            v->u.real = r[i];
        rect->u.array.items[i] = v;
    }
    return rect;
}

/* An empty form XObject: some viewers want /AP /N even on an invisible widget. */
static int put_empty_appearance(lsi_pdf_writer *w, lsi_arena *arena, uint32_t num)
{
    lsi_pdf_obj *dict = lsi_pdf_with_name(arena, lsi_pdf_new_dict(arena), "Type", "XObject");

    dict = lsi_pdf_with(arena, lsi_pdf_with_name(arena, dict, "Subtype", "Form"), "BBox",
                        rect_array(arena, NULL));
    if (dict == NULL)
        return lsi_pdf_built(dict);
    return lsi_pdf_writer_put_stream(w, num, dict, (const unsigned char *)"", 0);
}

/* Adds `annot` to the page's /Annots: the array object when it is indirect, else the page. */
static int add_annotation(lsi_pdf_doc *doc, lsi_pdf_writer *w, lsi_arena *arena,
                          const lsi_pdf_page *page, lsi_pdf_obj *annot)
{
    const lsi_pdf_obj *raw = lsi_pdf_dict_get(page->dict, "Annots"), *array = NULL;
    lsi_pdf_obj *grown;
    int rc;

    if (raw != NULL && raw->type == LSI_PDF_REF) {
        if ((rc = lsi_pdf_doc_deref(doc, raw, &array)) != LSIGN_OK)
            return rc;
        if (array->type == LSI_PDF_ARRAY) {
            if ((grown = lsi_pdf_array_with(arena, array, annot)) == NULL)
                return lsi_pdf_built(grown);
            return lsi_pdf_writer_put(w, raw->u.ref.num, grown);
        }
    }
    grown =
        lsi_pdf_array_with(arena, raw != NULL && raw->type == LSI_PDF_ARRAY ? raw : NULL, annot);
    grown =
        lsi_pdf_with(arena, lsi_pdf_dict_with(arena, page->dict, "Annots", NULL), "Annots", grown);
    return grown != NULL ? lsi_pdf_writer_put(w, page->num, grown) : lsi_pdf_built(grown);
}

/* The merged field and widget dictionary of a new invisible signature field. */
static lsi_pdf_obj *new_widget(lsi_arena *arena, const lsi_field_plan *plan,
                               const lsi_pdf_page *page, uint32_t ap_num)
{
    lsi_pdf_obj *d = lsi_pdf_with_name(arena, lsi_pdf_new_dict(arena), "Type", "Annot");
    lsi_pdf_obj *ap =
        lsi_pdf_with(arena, lsi_pdf_new_dict(arena), "N", lsi_pdf_new_ref(arena, ap_num, 0));

    d = lsi_pdf_with_name(arena, lsi_pdf_with_name(arena, d, "Subtype", "Widget"), "FT", "Sig");
    d = lsi_pdf_with(arena, d, "T", lsi_pdf_new_text(arena, plan->name));
    d = lsi_pdf_with(arena, d, "V", lsi_pdf_new_ref(arena, plan->sig_num, 0));
    d = lsi_pdf_with(arena, d, "F", lsi_pdf_new_int(arena, WIDGET_FLAGS));
    d = lsi_pdf_with(arena, d, "Rect", rect_array(arena, plan->rect));
    d = lsi_pdf_with(arena, d, "P", lsi_pdf_new_ref(arena, page->num, page->gen));
    d = lsi_pdf_with(arena, d, "AP", ap);
    if (d != NULL && plan->lock != NULL)
        d = lsi_pdf_dict_with(arena, d, "Lock", (lsi_pdf_obj *)plan->lock);
    return d;
}

static int write_new_field(lsi_pdf_doc *doc, lsi_pdf_writer *w, lsi_arena *arena,
                           const lsi_field_plan *plan, uint32_t *field_num)
{
    uint32_t ap_num = plan->appearance;
    lsi_pdf_obj *widget;
    int rc = LSIGN_OK;

    if (ap_num == 0) {
        ap_num = lsi_pdf_writer_new_number(w);
        rc = put_empty_appearance(w, arena, ap_num);
    }
    *field_num = lsi_pdf_writer_new_number(w);
    widget = new_widget(arena, plan, plan->page, ap_num);
    if (rc == LSIGN_OK)
        rc = widget != NULL ? lsi_pdf_writer_put(w, *field_num, widget) : lsi_pdf_built(widget);
    if (rc == LSIGN_OK)
        rc = add_annotation(doc, w, arena, plan->page, lsi_pdf_new_ref(arena, *field_num, 0));
    return rc;
}

/* /AcroForm with the new field in /Fields (0: none), /SigFlags 3 and no /NeedAppearances. */
static int new_acroform(lsi_pdf_doc *doc, lsi_pdf_writer *w, lsi_arena *arena,
                        const lsi_pdf_obj *acroform, uint32_t field_num, lsi_pdf_obj **out)
{
    const lsi_pdf_obj *raw = lsi_pdf_dict_get(acroform, "Fields"), *fields = NULL;
    lsi_pdf_obj *form = lsi_pdf_dict_with(arena, acroform, "NeedAppearances", NULL);
    lsi_pdf_obj *ref = field_num ? lsi_pdf_new_ref(arena, field_num, 0) : NULL;
    int rc;

    if (field_num != 0 && raw != NULL && raw->type == LSI_PDF_REF) {
        if ((rc = lsi_pdf_doc_deref(doc, raw, &fields)) != LSIGN_OK)
            return rc;
        if (fields->type == LSI_PDF_ARRAY) {
            lsi_pdf_obj *grown = lsi_pdf_array_with(arena, fields, ref);
            if (grown == NULL || (rc = lsi_pdf_writer_put(w, raw->u.ref.num, grown)) != LSIGN_OK)
                return lsi_pdf_built(grown) != LSIGN_OK ? lsi_pdf_built(grown) : rc;
            field_num = 0;
        }
    }
    if (field_num != 0)
        form = lsi_pdf_with(
            arena, form, "Fields",
            lsi_pdf_array_with(arena, raw != NULL && raw->type == LSI_PDF_ARRAY ? raw : NULL, ref));
    *out = lsi_pdf_with(arena, form, "SigFlags", lsi_pdf_new_int(arena, 3));
    return lsi_pdf_built(*out);
}

/* Writes /AcroForm in place when it is an indirect object, else a new one; and the catalog if
 * changed. */
static int update_form_and_catalog(lsi_pdf_doc *doc, lsi_pdf_writer *w, lsi_arena *arena,
                                   const lsi_field_plan *plan, uint32_t field_num)
{
    const lsi_pdf_obj *root = lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root");
    const lsi_pdf_obj *catalog = lsi_pdf_doc_resolve(doc, root, LSI_PDF_DICT);
    const lsi_pdf_obj *raw_form = lsi_pdf_dict_get(catalog, "AcroForm");
    const lsi_pdf_obj *form = lsi_pdf_doc_resolve(doc, raw_form, LSI_PDF_DICT);
    lsi_pdf_obj *new_form = NULL, *new_catalog = NULL;
    int rc;

    if (catalog == NULL || root->type != LSI_PDF_REF)
        return lsi_error(LSIGN_E_PARSE, "PDF: the trailer's /Root is not a catalog dictionary");
    if ((rc = new_acroform(doc, w, arena, form, field_num, &new_form)) != LSIGN_OK)
        return rc;
    if (form != NULL && raw_form->type == LSI_PDF_REF) {
        rc = lsi_pdf_writer_put(w, raw_form->u.ref.num, new_form);
    } else {
        uint32_t num = lsi_pdf_writer_new_number(w);
        rc = lsi_pdf_writer_put(w, num, new_form);
        new_catalog = lsi_pdf_with(arena, catalog, "AcroForm", lsi_pdf_new_ref(arena, num, 0));
        if (rc == LSIGN_OK)
            rc = lsi_pdf_built(new_catalog);
    }
    if (rc == LSIGN_OK && plan->certify) {
        const lsi_pdf_obj *perms =
            lsi_pdf_doc_resolve(doc, lsi_pdf_dict_get(catalog, "Perms"), LSI_PDF_DICT);
        lsi_pdf_obj *docmdp = lsi_pdf_with(arena, perms != NULL ? perms : lsi_pdf_new_dict(arena),
                                           "DocMDP", lsi_pdf_new_ref(arena, plan->sig_num, 0));
        new_catalog =
            lsi_pdf_with(arena, new_catalog != NULL ? new_catalog : catalog, "Perms", docmdp);
        rc = lsi_pdf_built(new_catalog);
    }
    if (rc == LSIGN_OK && new_catalog != NULL)
        rc = lsi_pdf_writer_put(w, root->u.ref.num, new_catalog);
    return rc;
}

int lsi_fields_write(lsi_pdf_doc *doc, lsi_pdf_writer *w, lsi_arena *arena,
                     const lsi_field_plan *plan)
{
    uint32_t field_num = 0;
    int rc;

    if (plan->fill != NULL) {
        lsi_pdf_obj *field =
            lsi_pdf_with(arena, plan->fill->dict, "V", lsi_pdf_new_ref(arena, plan->sig_num, 0));
        rc = field != NULL ? lsi_pdf_writer_put(w, plan->fill->num, field) : lsi_pdf_built(field);
    } else {
        rc = write_new_field(doc, w, arena, plan, &field_num);
    }
    return rc == LSIGN_OK ? update_form_and_catalog(doc, w, arena, plan, field_num) : rc;
}
