/*
 * Embedded, subsetted TrueType fonts for the text of visible signatures.
 *
 * Text is shaped with HarfBuzz (so NFD input comes out as the font's
 * precomposed letters, and kerning is kept), shown with Identity-H 2-byte
 * codes where CID == glyph ID, and written as a Type0 font over a
 * CIDFontType2 whose /FontFile2 holds only the glyphs used (hb-subset,
 * glyph IDs retained), with a /ToUnicode CMap so that the text copies and
 * extracts as what was shaped. Vietnamese needs all of this: a simple font
 * has 256 codes, Vietnamese uses 134 letters beyond ASCII.
 *
 * Left-to-right text only. A font is used by one thread at a time (shaping
 * records glyphs); fonts are trusted files (ours or an administrator's),
 * texts are bounded (LSI_FONT_MAX_TEXT).
 */
#ifndef LSI_APPEARANCE_FONT_H
#define LSI_APPEARANCE_FONT_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/arena.h"
#include "pdf/writer.h"

/* The font used when none is given; LIBSIGN_DEFAULT_FONT in the environment overrides it. */
#define LSI_FONT_DEFAULT_PATH "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"

/* Longest text shaped or measured at once, in bytes of UTF-8 (beyond: LSIGN_E_LIMIT). */
#define LSI_FONT_MAX_TEXT 65536

typedef struct lsi_font lsi_font;

/*
 * Opens a TrueType font file (path NULL: $LIBSIGN_DEFAULT_FONT, else
 * LSI_FONT_DEFAULT_PATH). LSIGN_E_IO when the file cannot be read,
 * LSIGN_E_PARSE when it is not a font with TrueType outlines (glyf),
 * LSIGN_E_UNSUPPORTED for CFF-based OpenType (CIDFontType2 needs glyf),
 * LSIGN_E_LIMIT for a file over 64 MiB.
 */
int lsi_font_open(const char *path, lsi_font **out);
void lsi_font_free(lsi_font *font);

/* Ascent, descent (negative) and line gap in 1/1000 em (PDF glyph space). */
void lsi_font_metrics(const lsi_font *font, double *ascent, double *descent, double *line_gap);

/*
 * A shaped run. `show` is a PDF text-showing operand and operator for
 * Identity-H codes, e.g. "[<00240057>-12<0058>] TJ" (malloc'd,
 * NUL-terminated): the numbers move the pen where HarfBuzz places a glyph
 * elsewhere than the /W widths would (kerning, horizontal mark offsets,
 * rounding of /W to integers, never drifting by more than 0.5/1000 em).
 * Vertical offsets (of marks the font has no precomposed letter for) are
 * ignored: they would need the font size. `width` is the run's advance in
 * 1/1000 em (times size/1000 for points).
 */
typedef struct lsi_shaped {
    char *show;
    double width;
} lsi_shaped;

/*
 * Shapes `len` bytes of UTF-8 (NFC or NFD) and records each glyph used
 * with the text it stands for, for lsi_font_write(): a precomposed glyph
 * shaped from NFD text maps to the NFD characters, a ligature to all of
 * its letters. Invisible characters (zero-width space, joiners, soft
 * hyphen) leave no glyph and are in no glyph's text. LSIGN_E_INVALID_ARG
 * for invalid UTF-8 (naming the byte offset), LSIGN_E_UNSUPPORTED when the
 * font has no glyph for a character (naming it as U+XXXX; control
 * characters such as newlines included: split lines first), LSIGN_E_LIMIT
 * beyond LSI_FONT_MAX_TEXT. On failure nothing is recorded.
 */
int lsi_font_shape(lsi_font *font, const char *utf8, size_t len, lsi_shaped *out);
void lsi_shaped_free(lsi_shaped *run);

/* The width lsi_font_shape() would give, recording nothing (for wrapping and fitting). */
int lsi_font_measure(lsi_font *font, const char *utf8, size_t len, double *width);

/*
 * Writes the font for every glyph recorded so far: Type0, CIDFontType2,
 * FontDescriptor, the subsetted FontFile2 and the ToUnicode CMap (both
 * FlateDecode). A glyph shaped from different texts maps to the first.
 * *type0_num receives the Type0 font's object number, for a /Font resource.
 * Objects are built in `arena`.
 */
int lsi_font_write(lsi_font *font, lsi_pdf_writer *w, lsi_arena *arena, uint32_t *type0_num);

#endif
