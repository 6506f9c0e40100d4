/*
 * The page tree and the form fields of an open document, walked without
 * recursion: /Kids cycles, shared nodes and excessive depth are errors
 * (LSIGN_E_LIMIT / LSIGN_E_PARSE naming the object), never hangs.
 */
#ifndef LSI_PDF_PAGES_H
#define LSI_PDF_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/document.h"

typedef struct lsi_pdf_page {
    uint32_t num; /* the page object */
    uint16_t gen;
    const lsi_pdf_obj *dict;
    /* Inherited from /Pages nodes when the page lacks them (ISO 32000-2 7.7.3.4); NULL if none. */
    const lsi_pdf_obj *media_box, *crop_box, *resources;
    int rotate;                /* 0, 90, 180 or 270 */
    const lsi_pdf_obj *annots; /* the /Annots array (resolved), or NULL */
} lsi_pdf_page;

/* All pages in order, in a new array (free() it). */
int lsi_pdf_doc_pages(lsi_pdf_doc *doc, lsi_pdf_page **pages, size_t *count);

typedef struct lsi_pdf_field {
    uint32_t num; /* the terminal field object */
    uint16_t gen;
    const lsi_pdf_obj *dict;
    char *name;               /* fully qualified: partial names (/T) joined by '.', raw bytes */
    const char *type;         /* inherited /FT: "Sig", "Tx", "Btn", "Ch", or NULL */
    const lsi_pdf_obj *value; /* inherited /V, resolved, or NULL */
} lsi_pdf_field;

/* Terminal fields of /AcroForm /Fields in order; free with lsi_pdf_fields_free(). */
int lsi_pdf_doc_fields(lsi_pdf_doc *doc, lsi_pdf_field **fields, size_t *count);
void lsi_pdf_fields_free(lsi_pdf_field *fields, size_t count);

#endif
