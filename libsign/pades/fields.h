/*
 * The signature's form field: a new field with its widget (invisible, or
 * with an appearance already written), or an existing empty signature field, and the /AcroForm,
 * page and catalog objects that must change to reach it.
 */
#ifndef LSI_PADES_FIELDS_H
#define LSI_PADES_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/arena.h"
#include "pdf/pages.h"
#include "pdf/writer.h"

/*
 * Resolves the caller's field name. An existing field of that fully
 * qualified name is returned in *fill (LSIGN_E_INVALID_ARG unless it is a
 * signature field); otherwise *fill is NULL and `name` gets the new field's
 * name: `requested`, or "Signature<N>" with the first free N. A new name
 * may not contain '.' (that would make it a child of another field).
 */
int lsi_fields_choose(const lsi_pdf_field *fields, size_t count, const char *requested,
                      const lsi_pdf_field **fill, char *name, size_t name_size);

typedef struct lsi_field_plan {
    uint32_t sig_num;          /* the signature dictionary, the field's /V */
    const lsi_pdf_page *page;  /* the new widget's page */
    const double *rect;        /* its /Rect, or NULL: invisible ([0 0 0 0]) */
    uint32_t appearance;       /* its /AP /N form XObject, or 0: an empty one is written */
    const lsi_pdf_field *fill; /* the existing field to fill, or NULL */
    const char *name;          /* the new field's name, when fill is NULL */
    const lsi_pdf_obj *lock;   /* the new field's /Lock, or NULL */
    int certify;               /* non-zero: the catalog's /Perms /DocMDP names the signature */
} lsi_field_plan;

/* Writes the field, widget and every changed object through `w`. */
int lsi_fields_write(lsi_pdf_doc *doc, lsi_pdf_writer *w, lsi_arena *arena,
                     const lsi_field_plan *plan);

#endif
