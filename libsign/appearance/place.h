/*
 * Where a visible signature goes: the caller speaks of the page as it is
 * displayed (its crop box, turned by /Rotate); the widget's /Rect is in the
 * page's default user space. These turn one into the other.
 */
#ifndef LSI_APPEARANCE_PLACE_H
#define LSI_APPEARANCE_PLACE_H

#include <stddef.h>

#include "appearance/appearance_impl.h"
#include "pdf/pages.h"

/* A page as displayed: crop box (user space) and rotation. */
typedef struct lsi_view {
    double crop[4];       /* x0 y0 x1 y1 in default user space */
    int rotate;           /* 0, 90, 180, 270 */
    double width, height; /* displayed size */
} lsi_view;

void lsi_view_of(const lsi_pdf_page *page, lsi_view *view);

/* A displayed box (x, y, w, h) as a user-space rectangle x0 y0 x1 y1. */
void lsi_view_to_user(const lsi_view *view, const double box[4], double rect[4]);

/* A user-space rectangle (x0 y0 x1 y1) as a displayed box (x, y, w, h). */
void lsi_view_from_user(const lsi_view *view, const double rect[4], double box[4]);

/* The appearance /Matrix that turns a box drawn upright into the page's rotation. */
void lsi_view_matrix(const lsi_view *view, double m[6]);

/*
 * Resolves `place` (w and h already defaulted) on the document's pages:
 * the page's index and the displayed box (x, y, w, h). Finding a text
 * uses the page's text; not found is LSIGN_E_INVALID_ARG.
 */
int lsi_place(lsi_pdf_doc *doc, const lsi_pdf_page *pages, size_t count, const lsi_placement *place,
              size_t *page_index, double box[4]);

#endif
