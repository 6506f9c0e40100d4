/* The public lsign_appearance handle: a template and the caller's settings. */
#include <stdlib.h>
#include <string.h>

#include "appearance/appearance_impl.h"
#include "appearance/font.h"
#include "core/error.h"
#include "core/memory.h"
#include "core/utf8.h"

#define MM_TO_PT           (72.0 / 25.4)
#define VIETNAM_UTC_OFFSET 420
#define MAX_BOX_PT         14400.0 /* the largest page ISO 32000 allows */

static const char *const templates[] = {"person", "agency", "copy", "attachment", "text"};
static const char *const fields[] = {"title",     "name",     "organization", "time",
                                     "copy_form", "document", "text"};

static int index_of(const char *const *names, size_t count, const char *name)
{
    for (size_t i = 0; name != NULL && i < count; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

int lsign_appearance_new(lsign_appearance **out, const char *name)
{
    int kind = index_of(templates, sizeof templates / sizeof *templates, name);

    if (out == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_appearance_new: NULL argument");
    *out = NULL;
    if (kind < 0)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "unknown appearance template '%s' (person, agency, copy, attachment, "
                         "text)",
                         name != NULL ? name : "(null)");
    if ((*out = calloc(1, sizeof **out)) == NULL)
        return lsi_error_nomem();
    (*out)->kind = (lsi_ap_kind)kind;
    (*out)->utc_offset = VIETNAM_UTC_OFFSET;
    return LSIGN_OK;
}

void lsign_appearance_free(lsign_appearance *ap)
{
    if (ap == NULL)
        return;
    for (size_t i = 0; i < LSI_AP_FIELDS; i++)
        free(ap->text[i]);
    lsi_image_free(ap->signature);
    lsi_image_free(ap->seal);
    free(ap->font_path);
    free(ap->place.text);
    free(ap);
}

int lsign_appearance_set_text(lsign_appearance *ap, const char *field, const char *text)
{
    int i = index_of(fields, sizeof fields / sizeof *fields, field);
    if (ap == NULL || i < 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown appearance text field '%s'",
                         field != NULL ? field : "(null)");
    if (text != NULL && lsi_utf8_check(text, strlen(text)) != LSIGN_OK)
        return lsi_error_wrap("appearance text '%s'", field);
    return lsi_string_replace(&ap->text[i], text);
}

int lsign_appearance_set_image(lsign_appearance *ap, const char *slot, const char *path)
{
    lsi_image **target;
    lsi_image *img = NULL;
    int rc;

    if (ap == NULL || slot == NULL || path == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_appearance_set_image: NULL argument");
    if (strcmp(slot, "signature") == 0)
        target = &ap->signature;
    else if (strcmp(slot, "seal") == 0)
        target = &ap->seal;
    else
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown image slot '%s' (signature, seal)", slot);
    if ((rc = lsi_image_read_file(path, &img)) != LSIGN_OK)
        return rc;
    lsi_image_free(*target);
    *target = img;
    return LSIGN_OK;
}

static int to_points(double value, int unit, double *out)
{
    if (unit != LSIGN_UNIT_PT && unit != LSIGN_UNIT_MM)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown unit %d (LSIGN_UNIT_PT, LSIGN_UNIT_MM)",
                         unit);
    *out = unit == LSIGN_UNIT_MM ? value * MM_TO_PT : value;
    if (!(*out >= -MAX_BOX_PT && *out <= MAX_BOX_PT))
        return lsi_error(LSIGN_E_INVALID_ARG, "length %g is out of range", value);
    return LSIGN_OK;
}

/* Converts a box size; both positive (or both 0 for the template's default). */
static int box_size(double w, double h, int unit, double *pw, double *ph)
{
    int rc = to_points(w, unit, pw);

    if (rc == LSIGN_OK)
        rc = to_points(h, unit, ph);
    if (rc == LSIGN_OK && !((*pw > 0 && *ph > 0) || (*pw == 0 && *ph == 0)))
        rc = lsi_error(LSIGN_E_INVALID_ARG, "box size %g x %g: both must be positive", w, h);
    return rc;
}

int lsign_appearance_set_seal_size(lsign_appearance *ap, double width, double height, int unit)
{
    if (ap == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_appearance_set_seal_size: NULL argument");
    return box_size(width, height, unit, &ap->seal_w, &ap->seal_h);
}

int lsign_appearance_set_font(lsign_appearance *ap, const char *path)
{
    lsi_font *font = NULL;
    int rc;

    if (ap == NULL || path == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_appearance_set_font: NULL argument");
    if ((rc = lsi_font_open(path, &font)) != LSIGN_OK)
        return rc;
    lsi_font_free(font);
    return lsi_string_replace(&ap->font_path, path);
}

int lsign_appearance_set_font_size(lsign_appearance *ap, double points)
{
    if (ap == NULL || !(points == 0 || (points >= 2 && points <= 144)))
        return lsi_error(LSIGN_E_INVALID_ARG, "font size %g: 0 (automatic) or 2 to 144 points",
                         points);
    ap->font_size = points;
    return LSIGN_OK;
}

int lsign_appearance_set_utc_offset(lsign_appearance *ap, int minutes)
{
    if (ap == NULL || minutes < -14 * 60 || minutes > 14 * 60)
        return lsi_error(LSIGN_E_INVALID_ARG, "UTC offset %d minutes is out of range", minutes);
    ap->utc_offset = minutes;
    return LSIGN_OK;
}

int lsign_appearance_place(lsign_appearance *ap, int page, double x, double y, double width,
                           double height, int unit)
{
    lsi_placement p = {LSI_PLACE_BOX, page, 0, 0, 0, 0, 0, 0, 0, NULL};
    int rc;

    if (ap == NULL || page == 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "page 0: pages count from 1 (or -1 for the last)");
    rc = box_size(width, height, unit, &p.w, &p.h);
    if (rc == LSIGN_OK && (rc = to_points(x, unit, &p.x)) == LSIGN_OK)
        rc = to_points(y, unit, &p.y);
    if (rc == LSIGN_OK && p.w == 0)
        rc = lsi_error(LSIGN_E_INVALID_ARG, "an explicit box needs a size");
    if (rc != LSIGN_OK)
        return rc;
    free(ap->place.text);
    ap->place = p;
    return LSIGN_OK;
}

int lsign_appearance_place_preset(lsign_appearance *ap, const char *preset, double width,
                                  double height, double margin, int unit)
{
    lsi_placement p = {LSI_PLACE_DEFAULT, 0, 0, 0, 0, 0, 0, 0, 0, NULL};
    int rc;

    if (ap == NULL || preset == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_appearance_place_preset: NULL argument");
    if (strcmp(preset, "first-page-top-right") == 0)
        p.kind = LSI_PLACE_FIRST_TOP_RIGHT;
    else if (strcmp(preset, "last-page-bottom-right") == 0)
        p.kind = LSI_PLACE_LAST_BOTTOM_RIGHT;
    else
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "unknown placement preset '%s' (first-page-top-right, "
                         "last-page-bottom-right)",
                         preset);
    rc = box_size(width, height, unit, &p.w, &p.h);
    if (rc == LSIGN_OK)
        rc = to_points(margin, unit, &p.margin);
    if (rc != LSIGN_OK)
        return rc;
    free(ap->place.text);
    ap->place = p;
    return LSIGN_OK;
}

int lsign_appearance_place_at_text(lsign_appearance *ap, int page, const char *text, double dx,
                                   double dy, double width, double height, int unit)
{
    lsi_placement p = {LSI_PLACE_AT_TEXT, page, 0, 0, 0, 0, 0, 0, 0, NULL};
    int rc;

    if (ap == NULL || text == NULL || *text == '\0')
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_appearance_place_at_text: no text");
    rc = box_size(width, height, unit, &p.w, &p.h);
    if (rc == LSIGN_OK && (rc = to_points(dx, unit, &p.dx)) == LSIGN_OK)
        rc = to_points(dy, unit, &p.dy);
    if (rc == LSIGN_OK && (p.text = strdup(text)) == NULL)
        rc = lsi_error_nomem();
    if (rc != LSIGN_OK)
        return rc;
    free(ap->place.text);
    ap->place = p;
    return LSIGN_OK;
}
