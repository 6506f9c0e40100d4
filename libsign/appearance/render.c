#include "appearance/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appearance/appearance_impl.h"
#include "appearance/layout.h"
#include "appearance/place.h"
#include "core/error.h"
#include "pdf/build.h"

#define MM             (72.0 / 25.4)
#define DEFAULT_MARGIN (10 * MM)

/* Default box sizes (w, h) by template, in millimetres. */
static const double default_box_mm[][2] = {[LSI_AP_PERSON] = {60, 35},
                                           [LSI_AP_AGENCY] = {70, 45},
                                           [LSI_AP_COPY] = {70, 20},
                                           [LSI_AP_ATTACHMENT] = {70, 15},
                                           [LSI_AP_TEXT] = {70, 20}};

static lsi_placement placement(const lsign_appearance *ap)
{
    lsi_placement p = ap->place;

    if (p.kind == LSI_PLACE_DEFAULT) {
        p.kind = ap->kind == LSI_AP_COPY || ap->kind == LSI_AP_ATTACHMENT
                     ? LSI_PLACE_FIRST_TOP_RIGHT
                     : LSI_PLACE_LAST_BOTTOM_RIGHT;
        p.margin = DEFAULT_MARGIN;
    }
    if (p.w == 0) {
        p.w = default_box_mm[ap->kind][0] * MM;
        p.h = default_box_mm[ap->kind][1] * MM;
    }
    return p;
}

/* ISO 8601 with the offset, e.g. 2025-07-29T14:05:31+07:00. */
static void iso_time(int64_t when, int offset_min, char *buf, size_t size)
{
    time_t t = (time_t)(when + (int64_t)offset_min * 60);
    struct tm tm;
    int a = offset_min < 0 ? -offset_min : offset_min;

    gmtime_r(&t, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             offset_min < 0 ? '-' : '+', a / 60, a % 60);
}

/* The texts the template shows: the caller's, else the defaults from the certificate. */
static void resolve_texts(const lsign_appearance *ap, const lsi_appearance_facts *f,
                          const char *time_text, char *body, size_t body_size,
                          const char *texts[LSI_AP_FIELDS])
{
    const char *cn = f->common_name != NULL ? f->common_name : "";
    const char *org = f->organization != NULL ? f->organization : "";

    texts[LSI_AP_TITLE] = "";
    texts[LSI_AP_NAME] = cn;
    texts[LSI_AP_ORGANIZATION] = org;
    texts[LSI_AP_TIME] = time_text;
    texts[LSI_AP_COPY_FORM] = "SAO Y";
    texts[LSI_AP_DOCUMENT] = "";
    snprintf(body, body_size, "Ký bởi: %s\nCơ quan: %s\nThời gian ký: %s", cn, org, time_text);
    texts[LSI_AP_BODY] = body;
    for (size_t i = 0; i < LSI_AP_FIELDS; i++)
        if (ap->text[i] != NULL)
            texts[i] = ap->text[i];
}

static lsi_pdf_obj *numbers(lsi_arena *a, const double *v, size_t n)
{
    lsi_pdf_obj *array = lsi_pdf_new_array(a, n);

    for (size_t i = 0; array != NULL && i < n; i++) {
        lsi_pdf_obj *num = lsi_pdf_obj_new(a, LSI_PDF_REAL);
        if (num == NULL)
            return NULL;
        num->u.real = v[i];
        array->u.array.items[i] = num;
    }
    return array;
}

/* Resource numbers written for the drawing: 0 when unused. */
typedef struct resources {
    uint32_t font, signature, seal;
} resources;

static int write_resources(const lsign_appearance *ap, lsi_font *font, const lsi_drawing *d,
                           lsi_pdf_writer *w, lsi_arena *a, resources *r)
{
    int rc = LSIGN_OK;

    if (d->uses_font)
        rc = lsi_font_write(font, w, a, &r->font);
    if (rc == LSIGN_OK && d->uses_signature)
        rc = lsi_image_write(ap->signature, w, a, &r->signature);
    if (rc == LSIGN_OK && d->uses_seal)
        rc = lsi_image_write(ap->seal, w, a, &r->seal);
    return rc;
}

static lsi_pdf_obj *resource_dict(lsi_arena *a, const resources *r)
{
    lsi_pdf_obj *res = lsi_pdf_new_dict(a), *xobjects = lsi_pdf_new_dict(a);

    if (r->font != 0)
        res = lsi_pdf_with(
            a, res, "Font",
            lsi_pdf_with(a, lsi_pdf_new_dict(a), "F1", lsi_pdf_new_ref(a, r->font, 0)));
    if (r->signature != 0)
        xobjects = lsi_pdf_with(a, xobjects, "Im1", lsi_pdf_new_ref(a, r->signature, 0));
    if (r->seal != 0)
        xobjects = lsi_pdf_with(a, xobjects, "Im2", lsi_pdf_new_ref(a, r->seal, 0));
    return r->signature != 0 || r->seal != 0 ? lsi_pdf_with(a, res, "XObject", xobjects) : res;
}

/* The form XObject: the drawing in a box w x h, turned to the page's rotation. */
static int write_form(lsi_pdf_writer *w, lsi_arena *a, const lsi_view *view, const double box[4],
                      const resources *r, const lsi_drawing *d, uint32_t *num)
{
    double bbox[4] = {0, 0, box[2], box[3]}, m[6];
    lsi_pdf_obj *dict = lsi_pdf_with_name(a, lsi_pdf_new_dict(a), "Type", "XObject");

    lsi_view_matrix(view, m);
    dict =
        lsi_pdf_with(a, lsi_pdf_with_name(a, dict, "Subtype", "Form"), "BBox", numbers(a, bbox, 4));
    dict = lsi_pdf_with(a, dict, "Matrix", numbers(a, m, 6));
    dict = lsi_pdf_with(a, dict, "Resources", resource_dict(a, r));
    if (dict == NULL)
        return lsi_pdf_built(dict);
    *num = lsi_pdf_writer_new_number(w);
    return lsi_pdf_writer_put_stream(w, *num, dict, (const unsigned char *)d->ops, d->len);
}

int lsi_appearance_render(const lsign_appearance *ap, lsi_pdf_doc *doc, const lsi_pdf_page *pages,
                          size_t count, lsi_pdf_writer *w, lsi_arena *arena,
                          const lsi_appearance_facts *facts, lsi_rendered *out)
{
    lsi_placement p = placement(ap);
    const char *texts[LSI_AP_FIELDS];
    char time_text[64], body[1024];
    double box[4];
    lsi_view view;
    lsi_font *font = NULL;
    lsi_drawing drawing = {0};
    resources res = {0, 0, 0};
    int rc = lsi_place(doc, pages, count, &p, &out->page_index, box);

    if (rc != LSIGN_OK)
        return lsi_error_wrap("appearance placement");
    iso_time(facts->when, ap->utc_offset, time_text, sizeof time_text);
    resolve_texts(ap, facts, time_text, body, sizeof body, texts);
    rc = lsi_font_open(ap->font_path, &font);
    if (rc == LSIGN_OK)
        rc = lsi_layout(ap, font, texts, box[2], box[3], &drawing);
    if (rc == LSIGN_OK)
        rc = write_resources(ap, font, &drawing, w, arena, &res);
    lsi_view_of(&pages[out->page_index], &view);
    if (rc == LSIGN_OK)
        rc = write_form(w, arena, &view, box, &res, &drawing, &out->xobject);
    lsi_view_to_user(&view, box, out->rect);
    lsi_drawing_free(&drawing);
    lsi_font_free(font);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("appearance");
}
