/**
 * @file
 * libsign: how a visible signature looks (Decree 30/2020/ND-CP, Appendix I).
 *
 * An appearance is made from a template, then adjusted: texts, images, font,
 * placement. Pass it in lsign_pdf_sign_options.appearance. Templates:
 *
 *  - "person": the competent person's handwritten-signature image (blue
 *    PNG, transparent background) centred between the title line and the
 *    full-name line;
 *  - "agency": the agency's red seal at its real size over the left third
 *    of the person's signature image (the box is meant to lie over the
 *    person's), with the agency name and the signing time;
 *  - "copy": an electronic copy's stamp, top right of page 1, no image: the
 *    copy form ("SAO Y"), the copying agency, the signing time; 10 pt serif;
 *  - "attachment": an attachment's stamp, top right of page 1, no image:
 *    the main document's number/symbol and the signing time;
 *  - "text": text only.
 *
 * Text fields (UTF-8, NFC or NFD; each line is wrapped and the size fitted
 * to the box): "title", "name" (default: the certificate's CN),
 * "organization" (default: its O), "time" (default: the signing time as
 * ISO 8601 in Vietnam time, 2025-07-29T14:05:31+07:00), "copy_form"
 * (default "SAO Y"), "document" (the attachment's main document number),
 * "text" (the text template's body; "\n" separates lines). Image slots:
 * "signature" and "seal" (PNG or JPEG). The font is Liberation Serif (Times
 * New Roman metrics) unless another TrueType file is given; it is embedded
 * as a subset with a /ToUnicode map, so the text can be searched and copied.
 *
 * Placement, in points or millimetres, on the page as it is displayed
 * (its /CropBox, after /Rotate), origin at the lower left: an explicit page
 * and box; a preset; or a box placed below a text found on the page (e.g.
 * "CHỦ TỊCH"). Without a placement, "copy" and "attachment" go to the top
 * right of the first page, the others to the bottom right of the last.
 */
#ifndef LIBSIGN_APPEARANCE_H
#define LIBSIGN_APPEARANCE_H

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lsign_appearance lsign_appearance;

/** Units of lengths; values are part of the ABI. */
typedef enum lsign_unit { LSIGN_UNIT_PT = 0, LSIGN_UNIT_MM = 1 } lsign_unit;

/**
 * A new appearance from template `name` ("person", "agency", "copy",
 * "attachment", "text").
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG (unknown template), LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_appearance_new(lsign_appearance **out, const char *name);

/** Release an appearance; NULL is accepted. */
LSIGN_EXTERN void lsign_appearance_free(lsign_appearance *ap);

/**
 * Set text field `field` (see above) to UTF-8 `text`; NULL restores the
 * default, "" leaves the line out.
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG (unknown field, invalid UTF-8).
 */
LSIGN_EXTERN int lsign_appearance_set_text(lsign_appearance *ap, const char *field,
                                           const char *text);

/**
 * Use the PNG or JPEG file at `path` for image slot `slot` ("signature",
 * "seal"). The file is read now.
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG, LSIGN_E_IO, LSIGN_E_PARSE, LSIGN_E_LIMIT.
 */
LSIGN_EXTERN int lsign_appearance_set_image(lsign_appearance *ap, const char *slot,
                                            const char *path);

/** The seal's real size (default: from the image's resolution, else 40 mm across). */
LSIGN_EXTERN int lsign_appearance_set_seal_size(lsign_appearance *ap, double width, double height,
                                                int unit);

/** A TrueType font file instead of Liberation Serif; read now. */
LSIGN_EXTERN int lsign_appearance_set_font(lsign_appearance *ap, const char *path);

/** The largest font size in points (0: the template's, 10 for "copy", else 11). */
LSIGN_EXTERN int lsign_appearance_set_font_size(lsign_appearance *ap, double points);

/** Time zone of the "time" text, minutes east of UTC (default +420, Vietnam). */
LSIGN_EXTERN int lsign_appearance_set_utc_offset(lsign_appearance *ap, int minutes);

/**
 * Place the box on page `page` (1 is the first, -1 the last) with its lower
 * left corner at (x, y) from the lower left of the displayed page.
 */
LSIGN_EXTERN int lsign_appearance_place(lsign_appearance *ap, int page, double x, double y,
                                        double width, double height, int unit);

/**
 * Place the box by preset: "first-page-top-right" or "last-page-bottom-right",
 * `margin` from the page's edges.
 */
LSIGN_EXTERN int lsign_appearance_place_preset(lsign_appearance *ap, const char *preset,
                                               double width, double height, double margin,
                                               int unit);

/**
 * Place the box below the first occurrence of `text` on page `page` (0:
 * the last page holding it): centred under it, its top `dy` below the
 * text's bottom, shifted right by `dx`. Matching ignores spacing and the
 * NFC/NFD form of Vietnamese letters. Signing fails with
 * LSIGN_E_INVALID_ARG when the text is not found.
 */
LSIGN_EXTERN int lsign_appearance_place_at_text(lsign_appearance *ap, int page, const char *text,
                                                double dx, double dy, double width, double height,
                                                int unit);

#ifdef __cplusplus
}
#endif

#endif
