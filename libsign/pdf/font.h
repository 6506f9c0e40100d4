/*
 * Fonts as text extraction needs them (ISO 32000-2 9.5-9.10): how a string
 * splits into codes, what each code means in Unicode, and how far it moves
 * the pen.
 *
 *  - Type0 fonts: Identity-H/V (2-byte codes, CID = code), Uni*-UCS2-* and
 *    Uni*-UTF16-* (the code is the character), an embedded CMap (its code
 *    space and CIDs), or another predefined CMap (the /ToUnicode code space,
 *    else 2 bytes); widths from the descendant's /W and /DW. Vertical
 *    CMaps are read as horizontal.
 *  - Simple fonts (Type1, TrueType, Type3): 1-byte codes; widths from
 *    /Widths and /FirstChar, /MissingWidth, the standard 14 fonts' metrics,
 *    else 500/1000 em; Type3 through its /FontMatrix.
 *  - Unicode from /ToUnicode, else (simple fonts) from /Encoding: a base
 *    encoding and /Differences with glyph names (ASCII, Latin-1, common PDF
 *    names, uniXXXX, uXXXX[XX], names with suffixes and ligatures).
 *
 * A damaged font maps less but loads: only memory and limits are errors.
 */
#ifndef LSI_PDF_FONT_H
#define LSI_PDF_FONT_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/cmap.h"
#include "pdf/document.h"

typedef struct lsi_pdf_font lsi_pdf_font;

/* One code of a string. */
typedef struct lsi_pdf_char {
    size_t len;                    /* bytes of the code */
    uint32_t cp[LSI_CMAP_MAX_CPS]; /* its characters */
    size_t ncp;                    /* 0: unknown */
    double width;                  /* horizontal displacement in glyph space */
    int word_space;                /* a single-byte code 32: word spacing (Tw) applies */
} lsi_pdf_char;

/*
 * Loads font dictionary `dict`. Decoded streams (CMaps) are charged to
 * *budget, LSIGN_E_LIMIT when it runs out. LSIGN_OK, LSIGN_E_LIMIT or
 * LSIGN_E_NOMEM. Free with lsi_pdf_font_free().
 */
int lsi_pdf_font_load(lsi_pdf_doc *doc, const lsi_pdf_obj *dict, uint64_t *budget,
                      lsi_pdf_font **out);
void lsi_pdf_font_free(lsi_pdf_font *font);

/* Decodes the code at the start of `s` (len > 0). */
void lsi_pdf_font_char(const lsi_pdf_font *font, const unsigned char *s, size_t len,
                       lsi_pdf_char *ch);

/* Glyph space to text space (/FontMatrix of Type3 fonts, else 1/1000). */
const double *lsi_pdf_font_matrix(const lsi_pdf_font *font);

/* Ascent and descent in glyph space (from the font descriptor, else 0.8 and -0.2 em). */
void lsi_pdf_font_extent(const lsi_pdf_font *font, double *ascent, double *descent);

/*
 * dict[key] (or obj) resolved. Damage (a broken reference) reads as the
 * null object: only LSIGN_E_NOMEM and LSIGN_E_LIMIT fail.
 */
int lsi_pdf_soft_get(lsi_pdf_doc *doc, const lsi_pdf_obj *dict, const char *key,
                     const lsi_pdf_obj **out);
int lsi_pdf_soft_deref(lsi_pdf_doc *doc, const lsi_pdf_obj *obj, const lsi_pdf_obj **out);

/* The error when a page's text needs more work than its budget. */
#define LSI_PDF_TEXT_BUDGET_MESSAGE                                                                \
    "PDF text: the page needs more work than allowed (bytes of content streams, forms and CMaps "  \
    "decoded, resource entries searched)"

/*
 * A stream's decoded data charged to *budget. *data is NULL (and LSIGN_OK)
 * when it cannot be decoded; LSIGN_E_LIMIT when the budget runs out.
 */
int lsi_pdf_soft_stream(lsi_pdf_doc *doc, const lsi_pdf_obj *stream, uint64_t *budget,
                        unsigned char **data, size_t *len);

#endif
