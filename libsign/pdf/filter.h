/*
 * Stream filters needed to read a PDF's structure and text: FlateDecode
 * (zlib) and the PNG and TIFF predictors of /DecodeParms (ISO 32000-2 7.4.4),
 * ASCIIHexDecode and ASCII85Decode (7.4.2, 7.4.3; reportlab writes content
 * streams in ASCII85). Output is bounded: a stream that decodes past the
 * limit is a bomb, LSIGN_E_LIMIT.
 */
#ifndef LSI_PDF_FILTER_H
#define LSI_PDF_FILTER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Inflates zlib data into a new malloc'd buffer (*out, free() it).
 * *truncated is set when the input ended before the zlib stream did: the
 * bytes decoded so far are returned, as readers commonly accept.
 * Returns LSIGN_OK, LSIGN_E_PARSE (corrupt data), LSIGN_E_LIMIT (more than
 * max_out bytes) or LSIGN_E_NOMEM.
 */
int lsi_pdf_inflate(const unsigned char *in, size_t in_len, uint64_t max_out, unsigned char **out,
                    size_t *out_len, int *truncated);

/* /DecodeParms of FlateDecode that matter for predictors; 0 fields mean the defaults. */
typedef struct lsi_pdf_predictor {
    int64_t predictor;          /* 1: none (default), 2: TIFF, 10-15: PNG */
    int64_t colors;             /* default 1 */
    int64_t bits_per_component; /* default 8 */
    int64_t columns;            /* default 1 */
} lsi_pdf_predictor;

/*
 * Undoes the predictor in place; *out_len receives the decoded length
 * (shorter for PNG: one tag byte per row). A trailing partial row is dropped.
 * Returns LSIGN_OK, LSIGN_E_PARSE (bad row tag), LSIGN_E_UNSUPPORTED
 * (TIFF with other than 8 bits per component) or LSIGN_E_INVALID_ARG
 * (parameters out of range).
 */
int lsi_pdf_unpredict(const lsi_pdf_predictor *p, unsigned char *data, size_t len, size_t *out_len);

/*
 * ASCIIHexDecode and ASCII85Decode into a new malloc'd buffer (*out, free()
 * it). Whitespace is ignored; the data ends at '>' (hex: an odd last digit
 * is followed by 0) or '~>' (85: a partial last group is padded), or at the
 * end of the input when the marker is missing, as readers accept. Returns
 * LSIGN_OK, LSIGN_E_PARSE (a byte outside the alphabet, 'z' inside a group,
 * a group above 2^32 - 1, a last group of one character), LSIGN_E_LIMIT
 * (more than max_out bytes: 'z' makes 4 bytes of 1) or LSIGN_E_NOMEM.
 */
int lsi_pdf_asciihex_decode(const unsigned char *in, size_t in_len, uint64_t max_out,
                            unsigned char **out, size_t *out_len);
int lsi_pdf_ascii85_decode(const unsigned char *in, size_t in_len, uint64_t max_out,
                           unsigned char **out, size_t *out_len);

#endif
