#include "pdf/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/utf8.h"
#include "core/grow.h"
#include "pdf/content.h"
#include "pdf/font.h"
#include "pdf/text_tables.h"

#define MAX_OPERANDS 64
#define MAX_ITEMS    ((size_t)1 << 20) /* items of one TJ array */
#define FONT_SLOTS   512               /* font cache: open addressing, at most half full */
#define MAX_FONTS    (FONT_SLOTS / 2)
/*
 * A gap wider than this (in em) between one glyph's pen end and the next
 * glyph is a word break. 0.15 em is below the narrowest real word space
 * (Times' 0.25 em, TeX's interword glue shrunk to 0.22 em) and above kerning.
 */
#define WORD_GAP_EM   0.15
#define LINE_SHIFT_EM 0.5 /* a baseline moved by more than this starts a new line */
#define BACKWARD_EM   1.0 /* so does the pen going back by more than this */
#define MAX_REORDER   32

/* ---- matrices: [a b c d e f], row vectors as in ISO 32000-2 8.3.4 ---- */

static void mat_mul(const double m1[6], const double m2[6], double out[6])
{
    double r[6];

    r[0] = m1[0] * m2[0] + m1[1] * m2[2];
    r[1] = m1[0] * m2[1] + m1[1] * m2[3];
    r[2] = m1[2] * m2[0] + m1[3] * m2[2];
    r[3] = m1[2] * m2[1] + m1[3] * m2[3];
    r[4] = m1[4] * m2[0] + m1[5] * m2[2] + m2[4];
    r[5] = m1[4] * m2[1] + m1[5] * m2[3] + m2[5];
    memcpy(out, r, sizeof r);
}

static void mat_apply(const double m[6], double x, double y, double *ox, double *oy)
{
    *ox = m[0] * x + m[2] * y + m[4];
    *oy = m[1] * x + m[3] * y + m[5];
}

static void mat_identity(double m[6])
{
    static const double id[6] = {1, 0, 0, 1, 0, 0};

    memcpy(m, id, sizeof id);
}

/* T = translate(tx, ty) x T */
static void mat_translate(double m[6], double tx, double ty)
{
    m[4] += tx * m[0] + ty * m[2];
    m[5] += tx * m[1] + ty * m[3];
}

/* ---- state ---- */

/* The graphics state parameters text extraction needs (saved by q, restored by Q). */
typedef struct gstate {
    double ctm[6];
    const lsi_pdf_font *font;
    double size, char_space, word_space, scale, leading, rise;
} gstate;

typedef struct operand {
    lsi_pdf_tok_type type; /* INT and REAL are numbers; ARRAY_OPEN stands for an array */
    double num;
    const unsigned char *bytes;
    size_t len;
    size_t first, count; /* an array: its items in interp.items */
} operand;

typedef struct font_slot {
    const lsi_pdf_obj *dict;
    lsi_pdf_font *font;
} font_slot;

/* One call of lsi_pdf_page_glyphs(): what all streams of the page share. */
typedef struct text_run {
    lsi_pdf_doc *doc;
    uint64_t budget; /* bytes still allowed to decode */
    unsigned max_stack;
    lsi_pdf_glyph *glyphs;
    size_t count, cap;
    font_slot fonts[FONT_SLOTS];
    size_t nfonts;
    const lsi_pdf_obj *forms[LSI_PDF_TEXT_MAX_FORMS]; /* forms being run, against cycles */
    size_t nforms;
    /* The last glyph's pen end, direction and em, to see word breaks and new lines. */
    int have_last;
    double last_x, last_y, dir_x, dir_y, em_h, em_v;
} text_run;

/* One content stream being run. */
typedef struct interp {
    text_run *run;
    const lsi_pdf_obj *resources;
    gstate gs;
    gstate *stack;
    size_t depth, cap, excess; /* excess: q beyond the bound, whose Q are ignored */
    double tm[6], tlm[6];
    operand ops[MAX_OPERANDS];
    size_t nops;
    int overflow;       /* operands were dropped: the next operator is skipped */
    int in_image;       /* after BI: ID starts the image data */
    int in_array;       /* nesting of [ ] */
    size_t array_first; /* where the items of the array being read start */
    size_t nitems;
    operand *items;
    size_t items_cap;
    lsi_pdf_tokens toks;
} interp;

/* ---- glyphs ---- */

static int push_glyph(text_run *run, uint32_t cp, const double box[4])
{
    if (run->count >= LSI_PDF_MAX_GLYPHS)
        return lsi_error(LSIGN_E_LIMIT, "PDF text: more than %u glyphs on a page",
                         LSI_PDF_MAX_GLYPHS);
    if (LSI_RESERVE(run->glyphs, run->cap, run->count) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    run->glyphs[run->count++] = (lsi_pdf_glyph){cp, box[0], box[1], box[2], box[3]};
    return LSIGN_OK;
}

static int is_space(uint32_t cp)
{
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x3000 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F;
}

/* A glyph starting at (x, y) after the last one: is there a word break or a new line between? */
static int breaks(const text_run *run, double x, double y)
{
    double dx = x - run->last_x, dy = y - run->last_y;
    double along = dx * run->dir_x + dy * run->dir_y, across = dy * run->dir_x - dx * run->dir_y;

    return fabs(across) > LINE_SHIFT_EM * run->em_v || along > WORD_GAP_EM * run->em_h ||
           along < -BACKWARD_EM * run->em_h;
}

static int virtual_space(text_run *run, uint32_t next_cp, double x, double y)
{
    static const double none[4] = {0, 0, 0, 0};

    if (!run->have_last || run->count == 0 || is_space(run->glyphs[run->count - 1].cp) ||
        is_space(next_cp) || !breaks(run, x, y))
        return LSIGN_OK;
    return push_glyph(run, ' ', none);
}

/* The box of glyph space [0, w] x [descent, ascent] through `m`, in user space. */
static void glyph_box(const double m[6], double w, double ascent, double descent, double box[4])
{
    const double gx[4] = {0, w, 0, w}, gy[4] = {descent, descent, ascent, ascent};

    for (size_t i = 0; i < 4; i++) {
        double x, y;
        mat_apply(m, gx[i], gy[i], &x, &y);
        if (i == 0 || x < box[0])
            box[0] = x;
        if (i == 0 || y < box[1])
            box[1] = y;
        if (i == 0 || x > box[2])
            box[2] = x;
        if (i == 0 || y > box[3])
            box[3] = y;
    }
}

/* Trm = [Tfs*Th 0 0 Tfs 0 Trise] x Tm x CTM (ISO 32000-2 9.4.4). */
static void render_matrix(const interp *in, double trm[6])
{
    const gstate *g = &in->gs;
    const double params[6] = {g->size * g->scale, 0, 0, g->size, 0, g->rise};

    mat_mul(params, in->tm, trm);
    mat_mul(trm, g->ctm, trm);
}

static void remember_pen(text_run *run, const double trm[6], double advance)
{
    double x, y, len_h = hypot(trm[0], trm[1]);

    mat_apply(trm, advance, 0, &x, &y);
    run->have_last = 1;
    run->last_x = x;
    run->last_y = y;
    run->dir_x = len_h > 0 ? trm[0] / len_h : 1;
    run->dir_y = len_h > 0 ? trm[1] / len_h : 0;
    run->em_h = len_h;
    run->em_v = hypot(trm[2], trm[3]);
}

/* Adds one code's glyph(s) and moves the pen past it. */
static int show_char(interp *in, const lsi_pdf_char *ch)
{
    text_run *run = in->run;
    const gstate *g = &in->gs;
    const double *fm = lsi_pdf_font_matrix(g->font);
    double trm[6], m[6], box[4], ascent, descent, x, y;
    double w0 = ch->width * fm[0]; /* text space, per unit of font size */
    double tx = (w0 * g->size + g->char_space + (ch->word_space ? g->word_space : 0)) * g->scale;
    int rc = LSIGN_OK;

    render_matrix(in, trm);
    mat_mul(fm, trm, m);
    lsi_pdf_font_extent(g->font, &ascent, &descent);
    glyph_box(m, ch->width, ascent, descent, box);
    mat_apply(trm, 0, 0, &x, &y);
    if (isfinite(box[0]) && isfinite(box[1]) && isfinite(box[2]) && isfinite(box[3])) {
        rc = virtual_space(run, ch->ncp > 0 ? ch->cp[0] : 0xFFFD, x, y);
        for (size_t i = 0; rc == LSIGN_OK && i < (ch->ncp > 0 ? ch->ncp : 1); i++)
            rc = push_glyph(run, ch->ncp > 0 ? ch->cp[i] : 0xFFFD, box);
        /* The pen end in text space units of this glyph's matrix (Trm includes Tfs*Th). */
        if (g->size != 0 && g->scale != 0)
            remember_pen(run, trm, tx / (g->size * g->scale));
    }
    mat_translate(in->tm, tx, 0);
    return rc;
}

static int show_string(interp *in, const unsigned char *s, size_t len)
{
    int rc = LSIGN_OK;

    if (in->gs.font == NULL) /* no font, nothing to decode with (readers show nothing) */
        return LSIGN_OK;
    for (size_t i = 0; i < len && rc == LSIGN_OK;) {
        lsi_pdf_char ch;
        lsi_pdf_font_char(in->gs.font, s + i, len - i, &ch);
        i += ch.len;
        rc = show_char(in, &ch);
    }
    return rc;
}

/* ---- operators ---- */

static int is_number(const operand *op)
{
    return op->type == LSI_TOK_INT || op->type == LSI_TOK_REAL;
}

static int is_string(const operand *op)
{
    return op->type == LSI_TOK_STRING || op->type == LSI_TOK_HEX_STRING;
}

static void next_line(interp *in, double tx, double ty)
{
    mat_translate(in->tlm, tx, ty);
    memcpy(in->tm, in->tlm, sizeof in->tm);
}

static int op_q(interp *in, const operand *a)
{
    (void)a;
    if (in->depth >= in->run->max_stack) {
        in->excess++;
        return LSIGN_OK;
    }
    if (LSI_RESERVE(in->stack, in->cap, in->depth) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    in->stack[in->depth++] = in->gs;
    return LSIGN_OK;
}

static int op_Q(interp *in, const operand *a)
{
    (void)a;
    if (in->excess > 0)
        in->excess--;
    else if (in->depth > 0)
        in->gs = in->stack[--in->depth];
    return LSIGN_OK;
}

static int op_cm(interp *in, const operand *a)
{
    const double m[6] = {a[0].num, a[1].num, a[2].num, a[3].num, a[4].num, a[5].num};

    mat_mul(m, in->gs.ctm, in->gs.ctm);
    return LSIGN_OK;
}

static int op_BT(interp *in, const operand *a)
{
    (void)a;
    mat_identity(in->tm);
    mat_identity(in->tlm);
    return LSIGN_OK;
}

static int op_Tm(interp *in, const operand *a)
{
    for (size_t i = 0; i < 6; i++)
        in->tm[i] = in->tlm[i] = a[i].num;
    return LSIGN_OK;
}

static int op_Td(interp *in, const operand *a)
{
    next_line(in, a[0].num, a[1].num);
    return LSIGN_OK;
}

static int op_TD(interp *in, const operand *a)
{
    in->gs.leading = -a[1].num;
    return op_Td(in, a);
}

static int op_Tstar(interp *in, const operand *a)
{
    (void)a;
    next_line(in, 0, -in->gs.leading);
    return LSIGN_OK;
}

static int op_Tc(interp *in, const operand *a)
{
    in->gs.char_space = a[0].num;
    return LSIGN_OK;
}

static int op_Tw(interp *in, const operand *a)
{
    in->gs.word_space = a[0].num;
    return LSIGN_OK;
}

static int op_Tz(interp *in, const operand *a)
{
    in->gs.scale = a[0].num / 100;
    return LSIGN_OK;
}

static int op_TL(interp *in, const operand *a)
{
    in->gs.leading = a[0].num;
    return LSIGN_OK;
}

static int op_Ts(interp *in, const operand *a)
{
    in->gs.rise = a[0].num;
    return LSIGN_OK;
}

static int op_Tj(interp *in, const operand *a)
{
    return show_string(in, a[0].bytes, a[0].len);
}

static int op_quote(interp *in, const operand *a)
{
    (void)op_Tstar(in, a);
    return op_Tj(in, a);
}

static int op_dquote(interp *in, const operand *a)
{
    in->gs.word_space = a[0].num;
    in->gs.char_space = a[1].num;
    return op_quote(in, a + 2);
}

static int op_TJ(interp *in, const operand *a)
{
    int rc = LSIGN_OK;

    for (size_t i = 0; i < a[0].count && rc == LSIGN_OK; i++) {
        const operand *item = &in->items[a[0].first + i];
        if (is_string(item))
            rc = show_string(in, item->bytes, item->len);
        else if (is_number(item))
            mat_translate(in->tm, -item->num / 1000 * in->gs.size * in->gs.scale, 0);
    }
    return rc;
}

/*
 * Resources[category][name], resolved; the null object when absent or
 * damaged. Dictionaries are searched entry by entry, so each lookup is
 * charged to the budget: a huge /Font dictionary named a million times
 * would otherwise cost hours.
 */
static int resource(interp *in, const char *category, const operand *name, const lsi_pdf_obj **out)
{
    const lsi_pdf_obj *dict;
    int rc = lsi_pdf_soft_get(in->run->doc, in->resources, category, &dict);
    uint64_t cost = lsi_pdf_count(in->resources) + lsi_pdf_count(dict);

    if (rc != LSIGN_OK)
        return rc;
    if (cost > in->run->budget)
        return lsi_error(LSIGN_E_LIMIT, LSI_PDF_TEXT_BUDGET_MESSAGE);
    in->run->budget -= cost;
    return lsi_pdf_soft_get(in->run->doc, dict, (const char *)name->bytes, out);
}

static size_t font_hash(const lsi_pdf_obj *dict)
{
    uintptr_t p = (uintptr_t)dict;

    return (size_t)((p >> 4) ^ (p >> 13)) & (FONT_SLOTS - 1);
}

/* The loaded font of `dict`, cached by its object (NULL: unusable, or too many fonts). */
static int font_of(text_run *run, const lsi_pdf_obj *dict, const lsi_pdf_font **out)
{
    size_t i = font_hash(dict);
    int rc;

    *out = NULL;
    while (run->fonts[i].dict != NULL && run->fonts[i].dict != dict)
        i = (i + 1) & (FONT_SLOTS - 1);
    if (run->fonts[i].dict == dict) {
        *out = run->fonts[i].font;
        return LSIGN_OK;
    }
    if (run->nfonts == MAX_FONTS)
        return LSIGN_OK;
    if ((rc = lsi_pdf_font_load(run->doc, dict, &run->budget, &run->fonts[i].font)) != LSIGN_OK)
        return rc;
    run->fonts[i].dict = dict;
    run->nfonts++;
    *out = run->fonts[i].font;
    return LSIGN_OK;
}

static int op_Tf(interp *in, const operand *a)
{
    const lsi_pdf_obj *dict;
    int rc = resource(in, "Font", &a[0], &dict);

    in->gs.font = NULL;
    in->gs.size = a[1].num;
    if (rc != LSIGN_OK || dict->type != LSI_PDF_DICT)
        return rc;
    return font_of(in->run, dict, &in->gs.font);
}

static int run_stream(text_run *run, const unsigned char *data, size_t len,
                      const lsi_pdf_obj *resources, const gstate *gs);

/* A form's /Matrix: six numbers, else the identity. */
static int form_matrix(lsi_pdf_doc *doc, const lsi_pdf_obj *form, double m[6])
{
    const lsi_pdf_obj *matrix;
    double v[6];
    int rc = lsi_pdf_soft_get(doc, form, "Matrix", &matrix);

    mat_identity(m);
    if (rc != LSIGN_OK || lsi_pdf_count(matrix) != 6)
        return rc;
    for (size_t i = 0; i < 6; i++)
        if (!lsi_pdf_get_number(lsi_pdf_array_get(matrix, i), &v[i]))
            return LSIGN_OK;
    memcpy(m, v, sizeof v);
    return LSIGN_OK;
}

/* Runs form XObject `form` (ISO 32000-2 8.10): its /Matrix, its /Resources or the current ones. */
static int run_form(interp *in, const lsi_pdf_obj *form)
{
    text_run *run = in->run;
    const lsi_pdf_obj *res;
    gstate gs = in->gs;
    double m[6];
    unsigned char *data;
    size_t len;
    int rc;

    if ((rc = form_matrix(run->doc, form, m)) != LSIGN_OK)
        return rc;
    mat_mul(m, gs.ctm, gs.ctm);
    if ((rc = lsi_pdf_soft_get(run->doc, form, "Resources", &res)) != LSIGN_OK ||
        (rc = lsi_pdf_soft_stream(run->doc, form, &run->budget, &data, &len)) != LSIGN_OK ||
        data == NULL)
        return rc;
    run->forms[run->nforms++] = form;
    rc = run_stream(run, data, len, res->type == LSI_PDF_DICT ? res : in->resources, &gs);
    run->nforms--;
    free(data);
    return rc;
}

static int op_Do(interp *in, const operand *a)
{
    text_run *run = in->run;
    const lsi_pdf_obj *xobj;
    int rc = resource(in, "XObject", &a[0], &xobj);

    if (rc != LSIGN_OK || xobj->type != LSI_PDF_STREAM ||
        !lsi_pdf_name_is(lsi_pdf_dict_get(xobj, "Subtype"), "Form"))
        return rc;
    /* Deeper nesting or a form drawing itself: not drawn (readers give up too). */
    if (run->nforms >= LSI_PDF_TEXT_MAX_FORMS)
        return LSIGN_OK;
    for (size_t i = 0; i < run->nforms; i++)
        if (run->forms[i] == xobj)
            return LSIGN_OK;
    return run_form(in, xobj);
}

typedef int (*op_fn)(interp *in, const operand *args);

/* Operand kinds: n number, s string, N name, a array. */
static const struct {
    const char *name;
    const char *args;
    op_fn fn;
} operators[] = {
    {"q", "", op_q},          {"Q", "", op_Q},     {"cm", "nnnnnn", op_cm}, {"BT", "", op_BT},
    {"Tm", "nnnnnn", op_Tm},  {"Td", "nn", op_Td}, {"TD", "nn", op_TD},     {"T*", "", op_Tstar},
    {"Tc", "n", op_Tc},       {"Tw", "n", op_Tw},  {"Tz", "n", op_Tz},      {"TL", "n", op_TL},
    {"Ts", "n", op_Ts},       {"Tf", "Nn", op_Tf}, {"Tj", "s", op_Tj},      {"'", "s", op_quote},
    {"\"", "nns", op_dquote}, {"TJ", "a", op_TJ},  {"Do", "N", op_Do},
};

static int kind_is(const operand *op, char kind)
{
    switch (kind) {
    case 'n': return is_number(op);
    case 's': return is_string(op);
    case 'N': return op->type == LSI_TOK_NAME;
    default: return op->type == LSI_TOK_ARRAY_OPEN;
    }
}

/* Runs `word` on its last operands; unknown operators and wrong operands are ignored. */
static int execute(interp *in, const lsi_pdf_token *word)
{
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        size_t n = strlen(operators[i].args);
        const operand *args;
        if (!lsi_pdf_tok_is(word, operators[i].name))
            continue;
        if (in->nops < n)
            return LSIGN_OK;
        args = in->ops + in->nops - n;
        for (size_t k = 0; k < n; k++)
            if (!kind_is(&args[k], operators[i].args[k]))
                return LSIGN_OK;
        return operators[i].fn(in, args);
    }
    return LSIGN_OK;
}

/* ---- the token loop ---- */

/* Inline image data: from after ID to whitespace, EI, and whitespace or the end. */
static void skip_inline_image(interp *in)
{
    lsi_pdf_lexer *lx = &in->toks.lx;
    size_t i = lx->pos + 1; /* one whitespace byte follows ID */

    for (; i + 1 < lx->len; i++)
        if (lx->data[i] == 'E' && lx->data[i + 1] == 'I' &&
            lsi_pdf_is_whitespace(lx->data[i - 1]) &&
            (i + 2 == lx->len || !lsi_pdf_is_regular(lx->data[i + 2])))
            break;
    lsi_pdf_lexer_seek(lx, i + 2);
}

static int push_operand(interp *in, const lsi_pdf_token *t)
{
    operand op = {
        t->type, t->type == LSI_TOK_INT ? (double)t->integer : t->real, t->bytes, t->len, 0, 0};

    if (in->in_array > 0) { /* an item of the TJ array (nested arrays are not) */
        if (in->in_array == 1 && in->nitems < MAX_ITEMS) {
            if (LSI_RESERVE(in->items, in->items_cap, in->nitems) != LSIGN_OK)
                return LSIGN_E_NOMEM;
            in->items[in->nitems++] = op;
        }
        return LSIGN_OK;
    }
    if (in->nops == MAX_OPERANDS) {
        in->overflow = 1;
        return LSIGN_OK;
    }
    in->ops[in->nops++] = op;
    return LSIGN_OK;
}

static void clear_operands(interp *in)
{
    in->nops = 0;
    in->nitems = 0;
    in->in_array = 0;
    in->overflow = 0;
    lsi_pdf_tokens_recycle(&in->toks);
}

static int on_keyword(interp *in, const lsi_pdf_token *t)
{
    int rc = LSIGN_OK;

    if (in->in_array > 0) /* an operator inside [ ]: the array is malformed */
        in->in_array = 0;
    if (lsi_pdf_tok_is(t, "BI")) {
        in->in_image = 1;
    } else if (in->in_image && lsi_pdf_tok_is(t, "ID")) {
        in->in_image = 0;
        skip_inline_image(in);
    } else if (in->in_image && (lsi_pdf_tok_is(t, "true") || lsi_pdf_tok_is(t, "false") ||
                                lsi_pdf_tok_is(t, "null"))) {
        /* a value of the image's dictionary */
    } else {
        in->in_image = 0; /* any other operator: the image was malformed, go on */
        if (!in->overflow)
            rc = execute(in, t);
    }
    clear_operands(in);
    return rc;
}

static int on_array(interp *in, const lsi_pdf_token *t)
{
    if (t->type == LSI_TOK_ARRAY_OPEN) {
        if (in->in_array++ == 0)
            in->array_first = in->nitems;
        return LSIGN_OK;
    }
    if (in->in_array == 0 || --in->in_array > 0)
        return LSIGN_OK;
    if (in->nops == MAX_OPERANDS) {
        in->overflow = 1;
        return LSIGN_OK;
    }
    in->ops[in->nops++] =
        (operand){LSI_TOK_ARRAY_OPEN, 0, NULL, 0, in->array_first, in->nitems - in->array_first};
    return LSIGN_OK;
}

static int on_token(interp *in, const lsi_pdf_token *t)
{
    switch (t->type) {
    case LSI_TOK_KEYWORD: return on_keyword(in, t);
    case LSI_TOK_ARRAY_OPEN:
    case LSI_TOK_ARRAY_CLOSE: return on_array(in, t);
    default: return push_operand(in, t);
    }
}

static int run_stream(text_run *run, const unsigned char *data, size_t len,
                      const lsi_pdf_obj *resources, const gstate *gs)
{
    interp *in = calloc(1, sizeof *in);
    lsi_pdf_token tok;
    int rc;

    if (in == NULL)
        return lsi_error_nomem();
    in->run = run;
    in->resources = resources;
    in->gs = *gs;
    mat_identity(in->tm);
    mat_identity(in->tlm);
    lsi_pdf_tokens_init(&in->toks, data, len);
    while ((rc = lsi_pdf_tokens_next(&in->toks, &tok)) == LSIGN_OK && tok.type != LSI_TOK_EOF)
        if ((rc = on_token(in, &tok)) != LSIGN_OK)
            break;
    lsi_pdf_tokens_cleanup(&in->toks);
    free(in->stack);
    free(in->items);
    free(in);
    return rc;
}

/* ---- pages ---- */

static int append_stream(text_run *run, const lsi_pdf_obj *ref, unsigned char **all, size_t *len)
{
    const lsi_pdf_obj *stream;
    unsigned char *data, *grown;
    size_t n;
    int rc;

    if ((rc = lsi_pdf_soft_deref(run->doc, ref, &stream)) != LSIGN_OK ||
        (rc = lsi_pdf_soft_stream(run->doc, stream, &run->budget, &data, &n)) != LSIGN_OK ||
        data == NULL)
        return rc;
    /* Streams of one page split only between tokens (7.8.2): a newline joins them. */
    grown = n < SIZE_MAX - *len - 1 ? realloc(*all, *len + n + 1) : NULL;
    if (grown == NULL) {
        free(data);
        return lsi_error_nomem();
    }
    memcpy(grown + *len, data, n);
    grown[*len + n] = '\n';
    *all = grown;
    *len += n + 1;
    free(data);
    return LSIGN_OK;
}

/* /Contents: a stream or an array of streams, as one program. */
static int page_content(text_run *run, const lsi_pdf_page *page, unsigned char **all, size_t *len)
{
    const lsi_pdf_obj *contents;
    int rc = lsi_pdf_soft_get(run->doc, page->dict, "Contents", &contents);

    *all = NULL;
    *len = 0;
    if (rc != LSIGN_OK)
        return rc;
    if (contents->type != LSI_PDF_ARRAY)
        return append_stream(run, contents, all, len);
    for (size_t i = 0; i < lsi_pdf_count(contents) && rc == LSIGN_OK; i++)
        rc = append_stream(run, lsi_pdf_array_get(contents, i), all, len);
    return rc;
}

static void run_init(text_run *run, lsi_pdf_doc *doc)
{
    const lsign_ctx_options *o = lsi_ctx_options(lsi_pdf_doc_ctx(doc));

    memset(run, 0, sizeof *run);
    run->doc = doc;
    run->max_stack = o->max_depth;
    run->budget = o->max_stream_bytes <= UINT64_MAX / 4 ? 4 * o->max_stream_bytes : UINT64_MAX;
}

static void run_cleanup(text_run *run)
{
    for (size_t i = 0; i < FONT_SLOTS; i++)
        lsi_pdf_font_free(run->fonts[i].font);
}

int lsi_pdf_page_glyphs(lsi_pdf_doc *doc, const lsi_pdf_page *page, lsi_pdf_glyph **glyphs,
                        size_t *count)
{
    text_run *run = malloc(sizeof *run);
    const lsi_pdf_obj *resources;
    unsigned char *data = NULL;
    size_t len = 0;
    gstate gs;
    int rc;

    *glyphs = NULL;
    *count = 0;
    if (run == NULL)
        return lsi_error_nomem();
    run_init(run, doc);
    memset(&gs, 0, sizeof gs);
    mat_identity(gs.ctm);
    gs.scale = 1;
    rc = lsi_pdf_soft_deref(doc, page->resources, &resources);
    if (rc == LSIGN_OK)
        rc = page_content(run, page, &data, &len);
    if (rc == LSIGN_OK && data != NULL)
        rc = run_stream(run, data, len, resources, &gs);
    free(data);
    run_cleanup(run);
    if (rc == LSIGN_OK) {
        *glyphs = run->glyphs;
        *count = run->count;
    } else {
        free(run->glyphs);
    }
    free(run);
    return rc;
}

/* ---- search ---- */

/* Text as matched: decomposed code points, whitespace runs as one ' ', each from a glyph. */
typedef struct seq {
    uint32_t *cp;
    size_t *glyph;
    size_t n, cap, gcap;
} seq;

static void seq_free(seq *s)
{
    free(s->cp);
    free(s->glyph);
}

static int seq_push(seq *s, uint32_t cp, size_t glyph)
{
    if (LSI_RESERVE(s->cp, s->cap, s->n) != LSIGN_OK ||
        LSI_RESERVE(s->glyph, s->gcap, s->n) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    s->cp[s->n] = cp;
    s->glyph[s->n++] = glyph;
    return LSIGN_OK;
}

static int decomposition_cmp(const void *key, const void *item)
{
    uint32_t cp = *(const uint32_t *)key, other = ((const lsi_text_decomposition *)item)->cp;

    return cp < other ? -1 : cp > other;
}

/* Canonical combining classes of the Vietnamese marks (and of the accents below); else 0. */
static int combining_class(uint32_t cp)
{
    switch (cp) {
    case 0x031B: return 216; /* horn */
    case 0x0323: return 220; /* dot below */
    case 0x0327: return 202; /* cedilla, from a spacing accent */
    case 0x0300:
    case 0x0301:
    case 0x0302:
    case 0x0303:
    case 0x0306:
    case 0x0307:
    case 0x0308:
    case 0x0309:
    case 0x030A:
    case 0x030B:
    case 0x030C: return 230;
    default: return 0;
    }
}

/* Appends `cp` decomposed: Vietnamese letters into base and marks, ligatures into letters. */
static int seq_add(seq *s, uint32_t cp, size_t glyph)
{
    static const char *const ligatures[] = {"ff", "fi", "fl", "ffi", "ffl"};
    const lsi_text_decomposition *d;
    int rc = LSIGN_OK;

    if (is_space(cp))
        return s->n > 0 && s->cp[s->n - 1] == ' ' ? LSIGN_OK : seq_push(s, ' ', glyph);
    if (cp >= 0xFB00 && cp <= 0xFB04) {
        for (const char *c = ligatures[cp - 0xFB00]; *c != '\0' && rc == LSIGN_OK; c++)
            rc = seq_push(s, (uint32_t)*c, glyph);
        return rc;
    }
    d = bsearch(&cp, lsi_text_decompositions, lsi_text_decomposition_count,
                sizeof lsi_text_decompositions[0], decomposition_cmp);
    if (d == NULL)
        return seq_push(s, cp, glyph);
    for (size_t i = 0; i < 3 && d->to[i] != 0 && rc == LSIGN_OK; i++)
        rc = seq_push(s, d->to[i], glyph);
    return rc;
}

/*
 * Puts each run of marks in canonical order (stable insertion sort by
 * combining class). A mark moves back at most MAX_REORDER places, so a
 * hostile run of a million marks stays linear (Unicode's Stream-Safe Text
 * Format allows 30 marks in a row).
 */
static void seq_reorder(seq *s)
{
    for (size_t i = 1; i < s->n; i++) {
        uint32_t cp = s->cp[i];
        size_t glyph = s->glyph[i], j = i;
        int cc = combining_class(cp);
        if (cc == 0)
            continue;
        while (j > 0 && i - j < MAX_REORDER && combining_class(s->cp[j - 1]) > cc) {
            s->cp[j] = s->cp[j - 1];
            s->glyph[j] = s->glyph[j - 1];
            j--;
        }
        s->cp[j] = cp;
        s->glyph[j] = glyph;
    }
}

static int needle_seq(const char *needle, seq *s)
{
    const unsigned char *p = (const unsigned char *)needle;
    size_t len = strlen(needle), i = 0;
    int rc = LSIGN_OK;

    while (i < len && rc == LSIGN_OK) {
        uint32_t cp = 0;
        if (!lsi_utf8_next(p, len, &i, &cp))
            return lsi_error(LSIGN_E_INVALID_ARG, "text to find is not UTF-8");
        rc = seq_add(s, cp, 0);
    }
    if (rc != LSIGN_OK)
        return rc;
    while (s->n > 0 && s->cp[s->n - 1] == ' ')
        s->n--;
    if (s->n > 0 && s->cp[0] == ' ') {
        memmove(s->cp, s->cp + 1, (s->n - 1) * sizeof *s->cp);
        s->n--;
    }
    if (s->n == 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "text to find is empty");
    seq_reorder(s);
    return LSIGN_OK;
}

/* The combining mark a spacing accent stands for (TeX draws accents as glyphs), or 0. */
static uint32_t accent_mark(uint32_t cp)
{
    static const uint32_t pairs[][2] = {
        {0x0060, 0x0300}, {0x00B4, 0x0301}, {0x005E, 0x0302}, {0x02C6, 0x0302}, {0x007E, 0x0303},
        {0x02DC, 0x0303}, {0x02D8, 0x0306}, {0x02D9, 0x0307}, {0x00A8, 0x0308}, {0x02DA, 0x030A},
        {0x02DD, 0x030B}, {0x02C7, 0x030C}, {0x00B8, 0x0327},
    };

    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i][0] == cp)
            return pairs[i][1];
    return 0;
}

/* Is accent `a` drawn over letter `base` (its middle within the letter's width)? */
static int accent_over(const lsi_pdf_glyph *a, const lsi_pdf_glyph *base)
{
    double mid = (a->x0 + a->x1) / 2;

    return !is_space(base->cp) && accent_mark(base->cp) == 0 && base->x1 > base->x0 &&
           mid >= base->x0 && mid <= base->x1;
}

/*
 * The page as matched. A spacing accent drawn over a letter becomes its
 * combining mark, after it: "˜a" drawn over one another reads "ã", as
 * poppler reads it.
 */
static int page_seq(const lsi_pdf_glyph *glyphs, size_t count, seq *s)
{
    int rc = LSIGN_OK;

    for (size_t i = 0; i < count && rc == LSIGN_OK; i++) {
        uint32_t mark = accent_mark(glyphs[i].cp);
        if (mark != 0 && i + 1 < count && accent_over(&glyphs[i], &glyphs[i + 1])) {
            rc = seq_add(s, glyphs[i + 1].cp, i + 1);
            if (rc == LSIGN_OK)
                rc = seq_push(s, mark, i);
            i++;
        } else if (mark != 0 && i > 0 && accent_over(&glyphs[i], &glyphs[i - 1])) {
            rc = seq_push(s, mark, i);
        } else {
            rc = seq_add(s, glyphs[i].cp, i);
        }
    }
    seq_reorder(s);
    return rc;
}

/* A match at `at` that does not end inside a letter (before one of its marks). */
static int matches_at(const seq *hay, const seq *needle, size_t at)
{
    if (memcmp(hay->cp + at, needle->cp, needle->n * sizeof *needle->cp) != 0)
        return 0;
    return at + needle->n == hay->n || combining_class(hay->cp[at + needle->n]) == 0;
}

static void match_box(const seq *hay, size_t at, size_t n, const lsi_pdf_glyph *glyphs,
                      double box[4])
{
    int first = 1;

    for (size_t i = at; i < at + n; i++) {
        const lsi_pdf_glyph *g = &glyphs[hay->glyph[i]];
        if (hay->cp[i] == ' ')
            continue;
        if (first || g->x0 < box[0])
            box[0] = g->x0;
        if (first || g->y0 < box[1])
            box[1] = g->y0;
        if (first || g->x1 > box[2])
            box[2] = g->x1;
        if (first || g->y1 > box[3])
            box[3] = g->y1;
        first = 0;
    }
}

/* 1-based page number for messages (0 when the page tree cannot tell). */
static size_t page_number(lsi_pdf_doc *doc, const lsi_pdf_page *page)
{
    lsi_pdf_page *pages;
    size_t count, number = 0;

    if (lsi_pdf_doc_pages(doc, &pages, &count) != LSIGN_OK)
        return 0;
    for (size_t i = 0; i < count && number == 0; i++)
        if (pages[i].num == page->num)
            number = i + 1;
    free(pages);
    return number;
}

static int not_found(lsi_pdf_doc *doc, const lsi_pdf_page *page, const char *needle,
                     unsigned occurrence, size_t found)
{
    size_t number = page_number(doc, page);
    char where[64];

    if (number > 0)
        snprintf(where, sizeof where, "page %zu", number);
    else
        snprintf(where, sizeof where, "page object %u", (unsigned)page->num);
    if (found == 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "text '%.200s' not found on %s", needle, where);
    return lsi_error(LSIGN_E_INVALID_ARG, "text '%.200s' occurs %zu time(s) on %s, not %u", needle,
                     found, where, occurrence);
}

static int search(lsi_pdf_doc *doc, const lsi_pdf_page *page, const char *needle,
                  unsigned occurrence, double box[4], const seq *hay, const seq *nd,
                  const lsi_pdf_glyph *glyphs)
{
    size_t found = 0;

    for (size_t at = 0; at + nd->n <= hay->n;) {
        if (!matches_at(hay, nd, at)) {
            at++;
            continue;
        }
        if (++found == occurrence) {
            match_box(hay, at, nd->n, glyphs, box);
            return LSIGN_OK;
        }
        at += nd->n;
    }
    return not_found(doc, page, needle, occurrence, found);
}

int lsi_pdf_find_text(lsi_pdf_doc *doc, const lsi_pdf_page *page, const char *needle,
                      unsigned occurrence, double box[4])
{
    lsi_pdf_glyph *glyphs = NULL;
    size_t count = 0;
    seq hay = {0}, nd = {0};
    int rc;

    if (needle == NULL || occurrence == 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "text to find: %s",
                         needle == NULL ? "no text" : "occurrences count from 1");
    rc = needle_seq(needle, &nd);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_page_glyphs(doc, page, &glyphs, &count);
    if (rc == LSIGN_OK)
        rc = page_seq(glyphs, count, &hay);
    if (rc == LSIGN_OK)
        rc = search(doc, page, needle, occurrence, box, &hay, &nd, glyphs);
    seq_free(&hay);
    seq_free(&nd);
    free(glyphs);
    return rc;
}
