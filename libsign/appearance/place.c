#include "appearance/place.h"

#include "core/error.h"
#include "pdf/text.h"

#define GAP_BELOW_TEXT 2.0 /* points between an anchor text and the box */

static void rect_of(const lsi_pdf_obj *array, double r[4])
{
    double v[4];

    for (size_t i = 0; i < 4; i++)
        if (!lsi_pdf_get_number(lsi_pdf_array_get(array, i), &v[i]))
            return;
    r[0] = v[0] < v[2] ? v[0] : v[2];
    r[1] = v[1] < v[3] ? v[1] : v[3];
    r[2] = v[0] < v[2] ? v[2] : v[0];
    r[3] = v[1] < v[3] ? v[3] : v[1];
}

void lsi_view_of(const lsi_pdf_page *page, lsi_view *view)
{
    double media[4] = {0, 0, 612, 792};
    double w, h;

    rect_of(page->media_box, media);
    for (size_t i = 0; i < 4; i++)
        view->crop[i] = media[i];
    rect_of(page->crop_box, view->crop);
    view->rotate = ((page->rotate % 360) + 360) % 360;
    w = view->crop[2] - view->crop[0];
    h = view->crop[3] - view->crop[1];
    view->width = view->rotate % 180 ? h : w;
    view->height = view->rotate % 180 ? w : h;
}

/* A displayed point (X, Y) in user space (ISO 32000-2 8.3.2.3: /Rotate turns clockwise). */
static void point_to_user(const lsi_view *v, double X, double Y, double *u, double *w)
{
    double cw = v->crop[2] - v->crop[0], ch = v->crop[3] - v->crop[1];

    switch (v->rotate) {
    case 90: *u = cw - Y, *w = X; break;
    case 180: *u = cw - X, *w = ch - Y; break;
    case 270: *u = Y, *w = ch - X; break;
    default: *u = X, *w = Y; break;
    }
    *u += v->crop[0];
    *w += v->crop[1];
}

static void point_from_user(const lsi_view *v, double u, double w, double *X, double *Y)
{
    double cw = v->crop[2] - v->crop[0], ch = v->crop[3] - v->crop[1];

    u -= v->crop[0];
    w -= v->crop[1];
    switch (v->rotate) {
    case 90: *X = w, *Y = cw - u; break;
    case 180: *X = cw - u, *Y = ch - w; break;
    case 270: *X = ch - w, *Y = u; break;
    default: *X = u, *Y = w; break;
    }
}

/* The bounding rectangle of two corners mapped by `map`. */
static void map_box(const lsi_view *v,
                    void (*map)(const lsi_view *, double, double, double *, double *), double x0,
                    double y0, double x1, double y1, double out[4])
{
    double ax, ay, bx, by;

    map(v, x0, y0, &ax, &ay);
    map(v, x1, y1, &bx, &by);
    out[0] = ax < bx ? ax : bx;
    out[1] = ay < by ? ay : by;
    out[2] = ax < bx ? bx : ax;
    out[3] = ay < by ? by : ay;
}

void lsi_view_to_user(const lsi_view *view, const double box[4], double rect[4])
{
    map_box(view, point_to_user, box[0], box[1], box[0] + box[2], box[1] + box[3], rect);
}

void lsi_view_from_user(const lsi_view *view, const double rect[4], double box[4])
{
    double r[4];

    map_box(view, point_from_user, rect[0], rect[1], rect[2], rect[3], r);
    box[0] = r[0];
    box[1] = r[1];
    box[2] = r[2] - r[0];
    box[3] = r[3] - r[1];
}

void lsi_view_matrix(const lsi_view *view, double m[6])
{
    static const double by_rotation[4][4] = {
        {1, 0, 0, 1}, {0, 1, -1, 0}, {-1, 0, 0, -1}, {0, -1, 1, 0}};
    const double *r = by_rotation[view->rotate / 90];

    m[0] = r[0], m[1] = r[1], m[2] = r[2], m[3] = r[3], m[4] = 0, m[5] = 0;
}

static int page_index(int page, size_t count, size_t *index)
{
    if (page > 0 && (size_t)page <= count)
        *index = (size_t)page - 1;
    else if (page < 0 && (size_t)-page <= count)
        *index = count - (size_t)-page;
    else
        return lsi_error(LSIGN_E_INVALID_ARG, "page %d does not exist (the document has %zu)", page,
                         count);
    return LSIGN_OK;
}

/* The box centred under the text found on `page`, or LSIGN_E_INVALID_ARG. */
static int below_text(lsi_pdf_doc *doc, const lsi_pdf_page *page, const lsi_placement *p,
                      double box[4])
{
    lsi_view view;
    double found[4], shown[4];
    int rc = lsi_pdf_find_text(doc, page, p->text, 1, found);

    if (rc != LSIGN_OK)
        return rc;
    lsi_view_of(page, &view);
    lsi_view_from_user(&view, found, shown);
    box[0] = shown[0] + shown[2] / 2 - p->w / 2 + p->dx;
    box[1] = shown[1] - GAP_BELOW_TEXT - p->dy - p->h;
    box[2] = p->w;
    box[3] = p->h;
    return LSIGN_OK;
}

/* Searches the pages from the last for the anchor text. */
static int find_anchor(lsi_pdf_doc *doc, const lsi_pdf_page *pages, size_t count,
                       const lsi_placement *p, size_t *index, double box[4])
{
    int rc;

    if (p->page != 0) {
        rc = page_index(p->page, count, index);
        return rc == LSIGN_OK ? below_text(doc, &pages[*index], p, box) : rc;
    }
    for (size_t i = count; i-- > 0;) {
        rc = below_text(doc, &pages[i], p, box);
        if (rc != LSIGN_E_INVALID_ARG) {
            *index = i;
            return rc;
        }
    }
    return lsi_error(LSIGN_E_INVALID_ARG, "text '%s' not found on any of the %zu pages", p->text,
                     count);
}

int lsi_place(lsi_pdf_doc *doc, const lsi_pdf_page *pages, size_t count, const lsi_placement *place,
              size_t *index, double box[4])
{
    lsi_view view;
    int rc = LSIGN_OK;

    if (count == 0)
        return lsi_error(LSIGN_E_PARSE, "PDF: the document has no pages");
    switch (place->kind) {
    case LSI_PLACE_AT_TEXT: return find_anchor(doc, pages, count, place, index, box);
    case LSI_PLACE_BOX: rc = page_index(place->page, count, index); break;
    case LSI_PLACE_FIRST_TOP_RIGHT: *index = 0; break;
    default: *index = count - 1; break;
    }
    if (rc != LSIGN_OK)
        return rc;
    lsi_view_of(&pages[*index], &view);
    box[2] = place->w;
    box[3] = place->h;
    box[0] = place->kind == LSI_PLACE_BOX ? place->x : view.width - place->w - place->margin;
    box[1] = place->kind == LSI_PLACE_BOX               ? place->y
             : place->kind == LSI_PLACE_FIRST_TOP_RIGHT ? view.height - place->h - place->margin
                                                        : place->margin;
    return LSIGN_OK;
}
