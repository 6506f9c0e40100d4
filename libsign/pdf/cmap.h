/*
 * CMaps embedded in PDF fonts (ISO 32000-2 9.7.5 and 9.10.3): code space
 * ranges, codes to Unicode (bfchar, bfrange with a string or an array of
 * strings, multi-code-point destinations) for /ToUnicode, and codes to CIDs
 * (cidchar, cidrange) for an embedded /Encoding of a Type0 font.
 *
 * Parsing is tolerant: whatever is malformed is skipped, so a damaged CMap
 * maps what it can. Sizes are bounded (LSI_CMAP_MAX_ENTRIES mappings, 64
 * code space ranges, LSI_CMAP_MAX_CPS code points per destination); a CMap
 * beyond them is truncated, never an error.
 */
#ifndef LSI_PDF_CMAP_H
#define LSI_PDF_CMAP_H

#include <stddef.h>
#include <stdint.h>

#define LSI_CMAP_MAX_ENTRIES ((size_t)1 << 20)
#define LSI_CMAP_MAX_CPS     8u

typedef struct lsi_cmap lsi_cmap;

/* Parses a CMap program; only LSIGN_E_NOMEM fails. Free with lsi_cmap_free(). */
int lsi_cmap_parse(const unsigned char *data, size_t len, lsi_cmap **out);
void lsi_cmap_free(lsi_cmap *cmap);

/*
 * Length (1-4) of the code starting `s` (len > 0) by the code space ranges:
 * the shortest range that matches, else the shortest range's length (the
 * byte is undecodable, ISO 32000-2 9.7.6.3); 0 when the CMap has no ranges.
 */
size_t lsi_cmap_code_length(const lsi_cmap *cmap, const unsigned char *s, size_t len);

/* The code points `code` maps to (at most LSI_CMAP_MAX_CPS), or 0 when it is not mapped. */
size_t lsi_cmap_unicode(const lsi_cmap *cmap, uint32_t code, uint32_t *cps);

/* 1 and the CID of `code`, or 0 when it is not mapped. */
int lsi_cmap_cid(const lsi_cmap *cmap, uint32_t code, uint32_t *cid);

#endif
