/*
 * The drawing of an appearance: a content stream for a box of w x h points
 * drawn upright, from the template, its texts (wrapped, the font size fitted
 * to the box) and its images. Resources are named /F1 (the font), /Im1 (the
 * signature image) and /Im2 (the seal).
 */
#ifndef LSI_APPEARANCE_LAYOUT_H
#define LSI_APPEARANCE_LAYOUT_H

#include <stddef.h>

#include "appearance/appearance_impl.h"
#include "appearance/font.h"

typedef struct lsi_drawing {
    char *ops; /* the content stream, malloc'd */
    size_t len;
    int uses_font, uses_signature, uses_seal;
} lsi_drawing;

/* `texts` are the template's texts with defaults applied (NULL or "": left out). */
int lsi_layout(const lsign_appearance *ap, lsi_font *font, const char *const texts[LSI_AP_FIELDS],
               double w, double h, lsi_drawing *out);

void lsi_drawing_free(lsi_drawing *d);

#endif
