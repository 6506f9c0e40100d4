#include "appearance/layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/grow.h"

#define PADDING         2.0
#define LEADING         1.2 /* line height as a multiple of the font size */
#define MIN_SIZE        4.0 /* points: below this the text is not readable */
#define SIZE_STEP       0.5
#define MAX_LINES       64
#define DEFAULT_SEAL_PT (40.0 * 72.0 / 25.4)
#define AGENCY_TEXT_MAX                                                                            \
    7.0                /* points: the agency's lines sit small in a corner of the person's box */
#define NAME_BAND 0.25 /* share of the box the person's name line takes at the bottom */

typedef enum { ALIGN_LEFT, ALIGN_CENTRE, ALIGN_RIGHT } align;

/* A growing content stream. */
typedef struct buf {
    char *data;
    size_t len, cap;
    int failed;
} buf;

static void emit(buf *b, const char *fmt, ...) LSI_PRINTF(2, 3);

static void emit(buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->failed)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    while (n >= 0 && b->len + (size_t)n + 1 > b->cap && !b->failed)
        b->failed = lsi_reserve((void **)&b->data, &b->cap, b->cap, 1) != LSIGN_OK;
    if (n < 0 || b->failed) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Wrapped lines of text at one font size. */
typedef struct lines {
    char *text[MAX_LINES];
    double width[MAX_LINES];
    size_t count;
} lines;

static void lines_clear(lines *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->text[i]);
    l->count = 0;
}

static int add_line(lines *l, const char *text, size_t len, double width)
{
    if (l->count == MAX_LINES)
        return lsi_error(LSIGN_E_LIMIT, "appearance: more than %d lines of text", MAX_LINES);
    if ((l->text[l->count] = strndup(text, len)) == NULL)
        return lsi_error_nomem();
    l->width[l->count++] = width;
    return LSIGN_OK;
}

/* Greedy word wrap of one paragraph to `max_w` (1/1000 em units at size 1). */
static int wrap(lsi_font *font, const char *para, double max_w, lines *out)
{
    size_t start = 0, len = strlen(para);

    while (start < len) {
        size_t end = start, best = 0;
        double w = 0, best_w = 0;
        while (end <= len) {
            size_t next = end;
            while (next < len && para[next] != ' ')
                next++;
            if (lsi_font_measure(font, para + start, next - start, &w) != LSIGN_OK)
                return lsign_last_error_code();
            if (best != 0 && w > max_w)
                break;
            best = next, best_w = w;
            end = next + 1;
        }
        if (add_line(out, para + start, best - start, best_w) != LSIGN_OK)
            return lsign_last_error_code();
        start = best;
        while (start < len && para[start] == ' ')
            start++;
    }
    return LSIGN_OK;
}

/* Paragraphs to draw, in order; empty ones are left out. */
typedef struct block {
    const char *para[MAX_LINES];
    size_t count;
} block;

static void block_add(block *b, const char *text)
{
    while (text != NULL && *text != '\0' && b->count < MAX_LINES) {
        const char *nl = strchr(text, '\n');
        size_t n = nl != NULL ? (size_t)(nl - text) : strlen(text);
        b->para[b->count++] = strndup(text, n);
        text = nl != NULL ? nl + 1 : NULL;
    }
}

static void block_free(block *b)
{
    for (size_t i = 0; i < b->count; i++)
        free((char *)b->para[i]);
    b->count = 0;
}

static int wrap_block(lsi_font *font, const block *b, double size, double w, lines *out)
{
    int rc = LSIGN_OK;

    lines_clear(out);
    for (size_t i = 0; i < b->count && rc == LSIGN_OK; i++) {
        if (b->para[i] == NULL)
            return lsi_error_nomem();
        rc = wrap(font, b->para[i], w * 1000.0 / size, out);
    }
    return rc;
}

/* The largest size (<= max) at which `b` wraps into w and takes at most h. */
static int fit(lsi_font *font, const block *b, double max_size, double w, double h, double *size,
               lines *out)
{
    int rc = LSIGN_OK;

    for (*size = max_size; rc == LSIGN_OK; *size -= SIZE_STEP) {
        int fits = 1;
        rc = wrap_block(font, b, *size, w, out);
        for (size_t i = 0; rc == LSIGN_OK && i < out->count; i++)
            fits &= out->width[i] * *size / 1000.0 <= w;
        if (rc == LSIGN_OK &&
            ((fits && (double)out->count * *size * LEADING <= h) || *size - SIZE_STEP < MIN_SIZE))
            return LSIGN_OK;
    }
    return rc;
}

/* Draws lines from the top `y_top`, aligned in [x, x+w]. */
static int draw_lines(lsi_font *font, const lines *l, double size, double x, double w, double y_top,
                      align how, buf *b)
{
    double ascent, descent, gap;

    lsi_font_metrics(font, &ascent, &descent, &gap);
    for (size_t i = 0; i < l->count; i++) {
        lsi_shaped run;
        double lx, y = y_top - ascent * size / 1000.0 - (double)i * size * LEADING;
        int rc = lsi_font_shape(font, l->text[i], strlen(l->text[i]), &run);
        if (rc != LSIGN_OK)
            return rc;
        lx = how == ALIGN_LEFT
                 ? x
                 : x + (w - run.width * size / 1000.0) / (how == ALIGN_CENTRE ? 2 : 1);
        emit(b, "BT /F1 %.2f Tf %.2f %.2f Td %s ET\n", size, lx, y, run.show);
        lsi_shaped_free(&run);
    }
    return LSIGN_OK;
}

/* The largest rectangle of the image's aspect ratio, centred in (x, y, w, h). */
static void fit_image(const lsi_image *img, double x, double y, double w, double h, double r[4])
{
    unsigned pw, ph;
    double mw, mh, scale;

    lsi_image_size(img, &pw, &ph, &mw, &mh);
    scale = w / pw < h / ph ? w / pw : h / ph;
    r[2] = pw * scale;
    r[3] = ph * scale;
    r[0] = x + (w - r[2]) / 2;
    r[1] = y + (h - r[3]) / 2;
}

static void draw_image(buf *b, const char *name, const double r[4])
{
    emit(b, "q %.3f 0 0 %.3f %.3f %.3f cm /%s Do Q\n", r[2], r[3], r[0], r[1], name);
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi && hi >= lo ? hi : v;
}

/* The seal's real size: set by the caller, else from the image's resolution, else 40 mm. */
static void seal_size(const lsign_appearance *ap, double *w, double *h)
{
    unsigned pw, ph;
    double mw, mh;

    lsi_image_size(ap->seal, &pw, &ph, &mw, &mh);
    if (ap->seal_w > 0) {
        *w = ap->seal_w, *h = ap->seal_h;
    } else if (mw > 0 && mh > 0) {
        *w = mw * 72.0 / 25.4, *h = mh * 72.0 / 25.4;
    } else {
        *w = DEFAULT_SEAL_PT;
        *h = DEFAULT_SEAL_PT * ph / pw;
    }
}

typedef struct layout {
    const lsign_appearance *ap;
    lsi_font *font;
    double w, h, max_size;
    buf ops;
    lsi_drawing *out;
} layout;

/* A text block at the bottom (person's name, agency's texts); *top gets its top edge. */
static int bottom_text(layout *L, const block *b, double share, double *top)
{
    lines l = {0};
    double size, inner = L->w - 2 * PADDING;
    int rc = fit(L->font, b, L->max_size, inner, L->h * share, &size, &l);

    *top = PADDING + (double)l.count * size * LEADING;
    if (rc == LSIGN_OK)
        rc = draw_lines(L->font, &l, size, PADDING, inner, *top, ALIGN_CENTRE, &L->ops);
    L->out->uses_font |= l.count > 0;
    lines_clear(&l);
    return rc;
}

/* A text block from the top, at most `max_size`; *bottom gets its bottom edge. */
static int top_text(layout *L, const block *b, double share, double max_size, align how,
                    double *bottom)
{
    lines l = {0};
    double size, inner = L->w - 2 * PADDING;
    int rc = fit(L->font, b, max_size, inner, L->h * share - PADDING, &size, &l);

    *bottom = L->h - PADDING - (double)l.count * size * LEADING;
    if (rc == LSIGN_OK)
        rc = draw_lines(L->font, &l, size, PADDING, inner, L->h - PADDING, how, &L->ops);
    L->out->uses_font |= l.count > 0;
    lines_clear(&l);
    return rc;
}

/* person: title at the top, name at the bottom, the signature image centred between. */
static int layout_person(layout *L, const char *const *t)
{
    block top = {{0}, 0}, bottom = {{0}, 0};
    double y_top = L->h, y_bottom = 0, r[4];
    int rc;

    block_add(&top, t[LSI_AP_TITLE]);
    block_add(&bottom, t[LSI_AP_NAME]);
    rc = top_text(L, &top, 0.3, L->max_size, ALIGN_CENTRE, &y_top);
    if (rc == LSIGN_OK)
        rc = bottom_text(L, &bottom, 0.3, &y_bottom);
    if (rc == LSIGN_OK && L->ap->signature != NULL) {
        fit_image(L->ap->signature, PADDING, y_bottom, L->w - 2 * PADDING, y_top - y_bottom, r);
        draw_image(&L->ops, "Im1", r);
        L->out->uses_signature = 1;
    }
    block_free(&top);
    block_free(&bottom);
    return rc;
}

/*
 * agency: the box lies over the person's, whose signature image fills the
 * part above the name line; the seal, at real size, covers its left third.
 * The agency's name and the time go small in the top right corner, clear of
 * the person's image and name.
 */
static int layout_agency(layout *L, const char *const *t)
{
    block corner = {{0}, 0};
    double y_text = L->h, sig[4], r[4];
    double max = L->max_size < AGENCY_TEXT_MAX ? L->max_size : AGENCY_TEXT_MAX;
    int rc;

    block_add(&corner, t[LSI_AP_ORGANIZATION]);
    block_add(&corner, t[LSI_AP_TIME]);
    rc = top_text(L, &corner, 0.3, max, ALIGN_RIGHT, &y_text);
    block_free(&corner);
    sig[0] = PADDING, sig[1] = L->h * NAME_BAND, sig[2] = L->w - 2 * PADDING;
    sig[3] = L->h * (1 - NAME_BAND) - PADDING;
    if (rc == LSIGN_OK && L->ap->signature != NULL) {
        fit_image(L->ap->signature, sig[0], sig[1], sig[2], sig[3], r);
        draw_image(&L->ops, "Im1", r);
        memcpy(sig, r, sizeof sig);
        L->out->uses_signature = 1;
    }
    if (rc == LSIGN_OK && L->ap->seal != NULL) {
        seal_size(L->ap, &r[2], &r[3]);
        /* Centred on the image's left third, but kept inside the box (it would be clipped). */
        r[0] = clamp(sig[0] + sig[2] / 6 - r[2] / 2, 0, L->w - r[2]);
        r[1] = clamp(sig[1] + sig[3] / 2 - r[3] / 2, 0, L->h - r[3]);
        draw_image(&L->ops, "Im2", r);
        L->out->uses_seal = 1;
    }
    return rc;
}

/* copy, attachment, text: lines from the top left. */
static int layout_lines(layout *L, const char *const *t)
{
    static const lsi_ap_field by_kind[][3] = {
        [LSI_AP_COPY] = {LSI_AP_COPY_FORM, LSI_AP_ORGANIZATION, LSI_AP_TIME},
        [LSI_AP_ATTACHMENT] = {LSI_AP_DOCUMENT, LSI_AP_TIME, LSI_AP_FIELDS},
        [LSI_AP_TEXT] = {LSI_AP_BODY, LSI_AP_FIELDS, LSI_AP_FIELDS},
    };
    block b = {{0}, 0};
    double bottom;
    int rc;

    for (size_t i = 0; i < 3; i++)
        if (by_kind[L->ap->kind][i] != LSI_AP_FIELDS)
            block_add(&b, t[by_kind[L->ap->kind][i]]);
    rc = top_text(L, &b, 1.0, L->max_size, ALIGN_LEFT, &bottom);
    block_free(&b);
    return rc;
}

int lsi_layout(const lsign_appearance *ap, lsi_font *font, const char *const texts[LSI_AP_FIELDS],
               double w, double h, lsi_drawing *out)
{
    layout L = {ap, font, w, h, 0, {NULL, 0, 0, 0}, out};
    int rc;

    memset(out, 0, sizeof *out);
    L.max_size = ap->font_size > 0 ? ap->font_size : ap->kind == LSI_AP_COPY ? 10 : 11;
    emit(&L.ops, "q 0 g\n");
    if (ap->kind == LSI_AP_PERSON)
        rc = layout_person(&L, texts);
    else if (ap->kind == LSI_AP_AGENCY)
        rc = layout_agency(&L, texts);
    else
        rc = layout_lines(&L, texts);
    emit(&L.ops, "Q\n");
    if (rc == LSIGN_OK && L.ops.failed)
        rc = lsi_error_nomem();
    if (rc != LSIGN_OK) {
        free(L.ops.data);
        return rc;
    }
    out->ops = L.ops.data;
    out->len = L.ops.len;
    return LSIGN_OK;
}

void lsi_drawing_free(lsi_drawing *d)
{
    free(d->ops);
    memset(d, 0, sizeof *d);
}
