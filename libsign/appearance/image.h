/*
 * Images for visible signatures: the signer's handwritten signature (blue,
 * transparent background) and the agency's seal (red, at actual size), as
 * PNG or JPEG files, turned into PDF image XObjects (ISO 32000-2 8.9.5).
 *
 * The file type is recognised by its signature bytes, never by a name.
 *
 * PNG is decoded with libpng: every colour type (gray, gray+alpha, RGB,
 * RGBA, palette), bit depths 1 to 16, tRNS transparency and Adam7
 * interlacing. Samples are stored as 8 bits per component: 1, 2 and 4-bit
 * gray is widened, 16-bit is reduced (rounded) to 8, since PDF 1.4 readers
 * and PDF/A-1 allow no more and a signature image gains nothing from it.
 * Palette images are expanded to RGB and tRNS becomes an alpha channel.
 * Colour and alpha are deflated while the rows are read, so only one row
 * is held raw (an interlaced image is decoded whole: up to 400 MB at the
 * limit); the alpha becomes an /SMask only when some pixel is not fully
 * opaque. Gamma, colour profiles and background chunks are ignored.
 *
 * JPEG is embedded as is (/DCTDecode): baseline, extended or progressive,
 * 8-bit, with 1 (gray), 3 (RGB) or 4 (CMYK) components read from the frame
 * header (SOFn). A CMYK file with an Adobe APP14 marker stores its samples
 * inverted, as Photoshop writes them, and gets /Decode [1 0 1 0 1 0 1 0].
 *
 * Hostile files give LSIGN_E_PARSE naming the problem ("PNG: IDAT: CRC
 * error"), LSIGN_E_UNSUPPORTED for valid JPEG codings PDF readers cannot
 * show (lossless, arithmetic, 12-bit), and LSIGN_E_LIMIT for images wider
 * or taller than 10000 pixels or over 100 million pixels.
 */
#ifndef LSI_APPEARANCE_IMAGE_H
#define LSI_APPEARANCE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/arena.h"
#include "pdf/writer.h"

#define LSI_IMAGE_MAX_SIDE   10000u
#define LSI_IMAGE_MAX_PIXELS 100000000ull

typedef struct lsi_image lsi_image;

/* Reads a PNG or JPEG from `data` (not kept: the image holds its own copy). */
int lsi_image_read(const unsigned char *data, size_t len, lsi_image **out);

/* As lsi_image_read(), from a file; LSIGN_E_IO when it cannot be read, messages name `path`. */
int lsi_image_read_file(const char *path, lsi_image **out);

void lsi_image_free(lsi_image *img);

/*
 * The size in pixels, and in millimetres when the file says (PNG pHYs in
 * pixels per metre, JPEG JFIF density in dpi or dots per cm), else 0.
 * Any pointer may be NULL.
 */
void lsi_image_size(const lsi_image *img, unsigned *width, unsigned *height, double *width_mm,
                    double *height_mm);

/*
 * Writes the image XObject, and before it its /SMask (the alpha channel as
 * a DeviceGray image) when the image is not fully opaque. Dictionaries are
 * built in `arena`. *xobject_num receives the image's object number, for a
 * /Resources /XObject dictionary.
 */
int lsi_image_write(const lsi_image *img, lsi_pdf_writer *w, lsi_arena *arena,
                    uint32_t *xobject_num);

#endif
