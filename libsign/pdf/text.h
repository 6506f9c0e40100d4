/*
 * The text of a page with positions, to place visible signatures relative
 * to a text such as the signer's title ("CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN").
 *
 * The page's content streams run through a small interpreter (ISO 32000-2
 * 8.4-8.5 and 9.3-9.4): q/Q, cm, BT/ET, Tf Tc Tw Tz TL Ts, Td TD Tm T*, Tj TJ
 * ' ", and Do of form XObjects (their /Matrix and /Resources, nested up to
 * LSI_PDF_TEXT_MAX_FORMS deep, no cycles); inline images are skipped, other
 * operators ignored, malformed ones skipped. Fonts: see pdf/font.h.
 *
 * Hostile pages are bounded: LSI_PDF_MAX_GLYPHS glyphs, a graphics state
 * stack of ctx max_depth, 64 operands per operator, and the work for one
 * page (bytes decoded: content streams, forms again each time they are
 * drawn, CMaps; plus the entries of the resource dictionaries searched) to
 * 4 x ctx max_stream_bytes; beyond them, LSIGN_E_LIMIT.
 */
#ifndef LSI_PDF_TEXT_H
#define LSI_PDF_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/document.h"
#include "pdf/pages.h"

#define LSI_PDF_MAX_GLYPHS     1000000u
#define LSI_PDF_TEXT_MAX_FORMS 16u

/*
 * One Unicode code point (a glyph mapping to several code points gives
 * several entries sharing its box), its box in the default user space of
 * the page (before /Rotate; PDF points, origin bottom-left of the MediaBox
 * coordinate system): the glyph's advance width by the font's descent to
 * ascent, through the text rendering matrix. Unknown characters are U+FFFD.
 */
typedef struct lsi_pdf_glyph {
    uint32_t cp;
    double x0, y0, x1, y1;
} lsi_pdf_glyph;

/*
 * All glyphs of the page's content streams (and of the form XObjects it
 * draws; not annotations), in content order, with a virtual space (cp ' ',
 * zero box) inserted where the next glyph starts more than 0.15 em after
 * the pen (the end of the last glyph with its Tc and Tw), or the line
 * changes (the baseline moves by more than 0.5 em, or the pen goes back by
 * more than 1 em). *glyphs is a new array (free() it; NULL when *count is
 * 0). LSIGN_OK, LSIGN_E_LIMIT, LSIGN_E_NOMEM.
 */
int lsi_pdf_page_glyphs(lsi_pdf_doc *doc, const lsi_pdf_page *page, lsi_pdf_glyph **glyphs,
                        size_t *count);

/*
 * The bounding box [x0 y0 x1 y1] (as glyphs) of occurrence `occurrence`
 * (1: the first; occurrences do not overlap) of UTF-8 `needle` among the
 * page's glyphs. Matching is case-sensitive, treats any run of whitespace in
 * either as equal to any other run (and ignores the needle's leading and
 * trailing whitespace), and reads Vietnamese letters in NFC and NFD alike
 * (marks in any order); a match never ends between a letter and its mark.
 * A spacing accent drawn over a letter (TeX's accents) reads as that
 * letter's mark, the ligatures U+FB00-U+FB04 as their letters.
 * LSIGN_E_INVALID_ARG when it is not found ("text 'CHỦ TỊCH' not found on
 * page 2") or the needle is empty or not UTF-8; otherwise as
 * lsi_pdf_page_glyphs().
 */
int lsi_pdf_find_text(lsi_pdf_doc *doc, const lsi_pdf_page *page, const char *needle,
                      unsigned occurrence, double box[4]);

#endif
