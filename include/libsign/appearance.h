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
 * ISO 8601 in Vietnam time, 2025-07-29T14:05:31+07:00, see
 * lsign_appearance_set_utc_offset()), "copy_form"
 * (default "SAO Y"), "document" (the attachment's main document number),
 * "text" (the text template's body; `\n` separates lines). Image slots:
 * "signature" and "seal" (PNG or JPEG). The font is Liberation Serif (Times
 * New Roman metrics) unless another TrueType file is given; it is embedded
 * as a subset with a /ToUnicode map, so the text can be searched and copied.
 *
 * Placement, in points or millimetres, on the page as it is displayed
 * (its /CropBox, after /Rotate), origin at the lower left: an explicit page
 * and box; a preset; or a box placed below a text found on the page (e.g.
 * "CHỦ TỊCH"). Without a placement, "copy" and "attachment" go to the top
 * right of the first page, the others to the bottom right of the last,
 * 10 mm from the edges. Default box sizes: person 60 x 35 mm, agency
 * 70 x 45, copy 70 x 20, attachment 70 x 15, text 70 x 20. Each placement
 * call replaces the previous one. Lengths are checked when set (at most
 * 14400 pt, about 5 m, either way); whether the page or anchor text exists
 * is only known when signing, which then fails with LSIGN_E_INVALID_ARG.
 *
 * What each template shows: person: "title", the "signature" image,
 * "name"; agency: the "signature" image, the "seal", "organization" and
 * "time"; copy: "copy_form", "organization", "time"; attachment:
 * "document", "time"; text: "text", by default three lines made from the
 * certificate and the signing time (not from the other fields):
 * `Ký bởi: <CN>`, `Cơ quan: <O>`, `Thời gian ký: <time>`. Other fields
 * and slots may be set and are then ignored. "title" and "document" are
 * empty by default.
 *
 * Thread safety: an appearance is not locked; do not change it while
 * another thread uses it. Once set up it is only read, so any number of
 * lsign_pdf_sign() calls may use one appearance at once. Signing copies
 * what it needs into the document: the appearance may be changed or freed
 * after lsign_pdf_sign() returns.
 */
#ifndef LIBSIGN_APPEARANCE_H
#define LIBSIGN_APPEARANCE_H

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opaque appearance of a visible signature: a template and its settings.
 * Made by lsign_appearance_new(), released by lsign_appearance_free().
 */
typedef struct lsign_appearance lsign_appearance;

/** Units of lengths; values are part of the ABI. */
typedef enum lsign_unit {
    LSIGN_UNIT_PT = 0, /**< PDF points, 1/72 inch */
    LSIGN_UNIT_MM = 1  /**< millimetres */
} lsign_unit;

/**
 * Make a new appearance from a template, with every text at its default,
 * no image, the default font, the template's font size, Vietnam time
 * (UTC+7) and the default placement. Thread-safe.
 * @param[out] out receives the appearance, owned by the caller (release it
 *        with lsign_appearance_free()); set to NULL on failure. Not NULL.
 * @param name the template: "person", "agency", "copy", "attachment" or
 *        "text" (see the file description).
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `out`, NULL or unknown
 *         template); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_appearance_new(lsign_appearance **out, const char *name);

/**
 * Release an appearance. Not while an lsign_pdf_sign() call uses it.
 * @param ap the appearance; NULL is accepted.
 */
LSIGN_EXTERN void lsign_appearance_free(lsign_appearance *ap);

/**
 * Set a text field. The text is copied. Characters the font lacks are only
 * found when signing (LSIGN_E_UNSUPPORTED then). Not thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param field "title", "name", "organization", "time", "copy_form",
 *        "document" or "text" (meanings and defaults in the file
 *        description).
 * @param text UTF-8 (NFC or NFD); NULL restores the default, "" leaves the
 *        line out.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `ap`, NULL or unknown field,
 *         invalid UTF-8); LSIGN_E_NOMEM. On failure the field keeps its
 *         value.
 */
LSIGN_EXTERN int lsign_appearance_set_text(lsign_appearance *ap, const char *field,
                                           const char *text);

/**
 * Use a PNG or JPEG file for an image slot. The file is read and checked
 * now and its content kept in the appearance: the file may go after the
 * call. A slot cannot be emptied again (make a new appearance). PNG
 * transparency is kept; 16-bit PNGs are reduced to 8 bits; a JPEG is
 * embedded as it is. Not thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param slot "signature" (the handwritten signature: person, agency) or
 *        "seal" (the agency's seal); not NULL.
 * @param path the image file; not NULL.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (a NULL argument, unknown slot);
 *         LSIGN_E_IO (missing, not a regular file, unreadable);
 *         LSIGN_E_PARSE (empty, neither PNG nor JPEG, damaged);
 *         LSIGN_E_UNSUPPORTED (a lossless, arithmetic-coded, hierarchical or
 *         12-bit JPEG); LSIGN_E_LIMIT (over 10000 pixels wide or high, or
 *         over 100 million pixels); LSIGN_E_NOMEM. On failure the slot keeps
 *         its image.
 */
LSIGN_EXTERN int lsign_appearance_set_image(lsign_appearance *ap, const char *slot,
                                            const char *path);

/**
 * Set the seal's real size, at which the "agency" template draws it. By
 * default it comes from the image's resolution (PNG pHYs, JPEG density),
 * else the seal is 40 mm wide with the image's proportions. Not
 * thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param width the seal's width: positive, or 0 with `height` 0 for the
 *        default.
 * @param height the seal's height: positive, or 0 with `width` 0.
 * @param unit an ::lsign_unit.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `ap`, unknown unit, a length
 *         out of range, one length zero and not the other, a negative one).
 */
LSIGN_EXTERN int lsign_appearance_set_seal_size(lsign_appearance *ap, double width, double height,
                                                int unit);

/**
 * Use a TrueType font file instead of the default: the file named by the
 * environment variable LIBSIGN_DEFAULT_FONT, else Liberation Serif from
 * /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf
 * (Debian's fonts-liberation2), read when signing. The file given is
 * checked now and read again when signing, so it must still be there then.
 * The glyphs used are embedded as a subset. Not thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param path a TrueType font (glyf outlines; of a collection, the first
 *        font), at most 64 MiB; not NULL. The path is copied.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (a NULL argument); LSIGN_E_IO
 *         (missing, not a regular file, unreadable); LSIGN_E_PARSE (not a
 *         TrueType font, no usable outlines); LSIGN_E_UNSUPPORTED (an
 *         OpenType font with CFF outlines); LSIGN_E_LIMIT (over 64 MiB);
 *         LSIGN_E_NOMEM. On failure the previous font stays.
 */
LSIGN_EXTERN int lsign_appearance_set_font(lsign_appearance *ap, const char *path);

/**
 * Set the largest font size; texts are shrunk (down to 4 pt) to fit the
 * box. Not thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param points 2 to 144 points, or 0 for the template's size (10 for
 *        "copy", else 11).
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `ap`, size out of range).
 */
LSIGN_EXTERN int lsign_appearance_set_font_size(lsign_appearance *ap, double points);

/**
 * Set the time zone in which the default "time" text is written. Not
 * thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param minutes offset east of UTC, -840 to 840 (default +420, Vietnam).
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `ap`, offset out of range).
 */
LSIGN_EXTERN int lsign_appearance_set_utc_offset(lsign_appearance *ap, int minutes);

/**
 * Place the box on a given page, at given coordinates of the displayed
 * page. Replaces any earlier placement. Not thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param page 1 for the first page, 2 for the second, ...; -1 for the last,
 *        -2 for the one before, ...; not 0.
 * @param x distance of the box's left edge from the page's left edge.
 * @param y distance of the box's bottom edge from the page's bottom edge.
 * @param width the box's width, positive.
 * @param height the box's height, positive.
 * @param unit an ::lsign_unit, for all four lengths.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `ap`, page 0, unknown unit, a
 *         length out of range, a size that is not positive). A page the
 *         document lacks fails the signing.
 */
LSIGN_EXTERN int lsign_appearance_place(lsign_appearance *ap, int page, double x, double y,
                                        double width, double height, int unit);

/**
 * Place the box by preset, in a corner of the displayed page. Replaces any
 * earlier placement. Not thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param preset "first-page-top-right" or "last-page-bottom-right"; not
 *        NULL.
 * @param width the box's width: positive, or 0 with `height` 0 for the
 *        template's default size.
 * @param height the box's height: positive, or 0 with `width` 0.
 * @param margin distance of the box from the page's two nearest edges.
 * @param unit an ::lsign_unit, for all three lengths.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (a NULL argument, unknown preset or
 *         unit, a length out of range, one size zero and not the other, a
 *         negative size).
 */
LSIGN_EXTERN int lsign_appearance_place_preset(lsign_appearance *ap, const char *preset,
                                               double width, double height, double margin,
                                               int unit);

/**
 * Place the box below a text found on the page, e.g. the signer's title
 * "CHỦ TỊCH": centred under the text's first occurrence, its top 2 pt +
 * `dy` below the text's bottom, shifted right by `dx`. Matching ignores
 * spacing and the NFC/NFD form of Vietnamese letters. Replaces any earlier
 * placement. Signing fails with LSIGN_E_INVALID_ARG when the text is not
 * found. Not thread-safe on `ap`.
 * @param ap the appearance; not NULL.
 * @param page the page to search, numbered as for lsign_appearance_place();
 *        0: the last page holding the text.
 * @param text the text to find, UTF-8, not empty; copied.
 * @param dx horizontal shift, to the right (negative: to the left).
 * @param dy extra distance below the text (negative: closer, or over it).
 * @param width the box's width: positive, or 0 with `height` 0 for the
 *        template's default size.
 * @param height the box's height: positive, or 0 with `width` 0.
 * @param unit an ::lsign_unit, for all four lengths.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `ap`, NULL or empty text,
 *         unknown unit, a length out of range, one size zero and not the
 *         other, a negative size); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_appearance_place_at_text(lsign_appearance *ap, int page, const char *text,
                                                double dx, double dy, double width, double height,
                                                int unit);

#ifdef __cplusplus
}
#endif

#endif
