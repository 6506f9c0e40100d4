#include "pdf/font.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/grow.h"
#include "pdf/lexer.h"
#include "pdf/text_tables.h"

#define MAX_WIDTH_RANGES ((size_t)1 << 20)
#define DEFAULT_WIDTH_EM 0.5
#define DEFAULT_ASCENT   0.8
#define DEFAULT_DESCENT  -0.2
#define CHARS_PER_NAME   3

/* Widths of a CID font: CIDs lo..hi are w wide. */
typedef struct width_range {
    uint32_t lo, hi;
    double w;
} width_range;

struct lsi_pdf_font {
    int composite;
    size_t fixed_len;      /* composite: the code length when the CMap fixes it, else 0 */
    int codes_are_unicode; /* Uni*-UCS2 / UTF16 CMaps: the code is the character */
    lsi_cmap *encoding;    /* an embedded CMap (composite) */
    lsi_cmap *to_unicode;
    uint32_t enc[256][CHARS_PER_NAME]; /* simple: code -> characters by /Encoding */
    double widths[256];                /* simple, glyph space */
    width_range *w;                    /* composite, sorted by lo */
    size_t nw, wcap;
    double dw;
    double fm[6];
    double ascent, descent;
};

static int fatal(int rc)
{
    return rc == LSIGN_E_NOMEM || rc == LSIGN_E_LIMIT;
}

int lsi_pdf_soft_deref(lsi_pdf_doc *doc, const lsi_pdf_obj *obj, const lsi_pdf_obj **out)
{
    int rc = lsi_pdf_doc_deref(doc, obj, out);

    if (rc == LSIGN_OK)
        return LSIGN_OK;
    (void)lsi_pdf_doc_deref(doc, NULL, out); /* the null object */
    return fatal(rc) ? rc : LSIGN_OK;
}

int lsi_pdf_soft_get(lsi_pdf_doc *doc, const lsi_pdf_obj *dict, const char *key,
                     const lsi_pdf_obj **out)
{
    return lsi_pdf_soft_deref(doc, lsi_pdf_dict_get(dict, key), out);
}

int lsi_pdf_soft_stream(lsi_pdf_doc *doc, const lsi_pdf_obj *stream, uint64_t *budget,
                        unsigned char **data, size_t *len)
{
    int rc;

    *data = NULL;
    *len = 0;
    if (stream == NULL || stream->type != LSI_PDF_STREAM)
        return LSIGN_OK;
    rc = lsi_pdf_doc_stream_data(doc, stream, data, len);
    if (rc != LSIGN_OK)
        return fatal(rc) ? rc : LSIGN_OK;
    if (*len > *budget) {
        free(*data);
        *data = NULL;
        return lsi_error(LSIGN_E_LIMIT, LSI_PDF_TEXT_BUDGET_MESSAGE);
    }
    *budget -= *len;
    return LSIGN_OK;
}

/* ---- glyph names ---- */

static int name_cmp(const void *key, const void *item)
{
    return strcmp(key, ((const lsi_text_glyph_name *)item)->name);
}

static int hex_digits(const char *s, size_t n, uint32_t *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = lsi_pdf_hex_value((unsigned char)s[i]);
        if (d < 0)
            return 0;
        *v = *v << 4 | (uint32_t)d;
    }
    return 1;
}

static int valid_cp(uint32_t cp)
{
    return cp != 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

/* uniXXXX[XXXX...] (one character per group of four) and uXXXX to uXXXXXX. */
static size_t unicode_name(const char *name, size_t len, uint32_t *cps, size_t max)
{
    uint32_t v;
    size_t n = 0;

    if (len >= 7 && memcmp(name, "uni", 3) == 0 && (len - 3) % 4 == 0) {
        for (size_t i = 3; i < len && n < max; i += 4) {
            if (!hex_digits(name + i, 4, &v) || !valid_cp(v))
                return 0;
            cps[n++] = v;
        }
        return n;
    }
    if (len >= 5 && len <= 7 && name[0] == 'u' && hex_digits(name + 1, len - 1, &v) &&
        valid_cp(v) && max > 0) {
        cps[0] = v;
        return 1;
    }
    return 0;
}

/* One component of a glyph name (no '.' suffix, no '_'). */
static size_t component_chars(const char *name, size_t len, uint32_t *cps, size_t max)
{
    char key[64];
    const lsi_text_glyph_name *hit;
    size_t n = 0;

    if (len == 0 || len >= sizeof key)
        return 0;
    memcpy(key, name, len);
    key[len] = '\0';
    hit = bsearch(key, lsi_text_glyph_names, lsi_text_glyph_name_count,
                  sizeof lsi_text_glyph_names[0], name_cmp);
    if (hit == NULL)
        return unicode_name(key, len, cps, max);
    for (size_t i = 0; i < 3 && hit->cp[i] != 0 && n < max; i++)
        cps[n++] = hit->cp[i];
    return n;
}

/* The characters of a glyph name (Adobe Glyph List rules: suffix after '.', '_' joins). */
static size_t glyph_name_chars(const char *name, uint32_t *cps, size_t max)
{
    size_t len = strcspn(name, "."), n = 0, start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i < len && name[i] != '_')
            continue;
        n += component_chars(name + start, i - start, cps + n, max - n);
        start = i + 1;
    }
    return n;
}

/* ---- simple fonts ---- */

static const uint16_t *named_encoding(const lsi_pdf_obj *name)
{
    if (lsi_pdf_name_is(name, "WinAnsiEncoding"))
        return lsi_text_enc_winansi;
    if (lsi_pdf_name_is(name, "MacRomanEncoding"))
        return lsi_text_enc_macroman;
    if (lsi_pdf_name_is(name, "StandardEncoding"))
        return lsi_text_enc_standard;
    return NULL;
}

static void set_base_encoding(lsi_pdf_font *f, const uint16_t *table)
{
    for (size_t c = 0; c < 256; c++) {
        memset(f->enc[c], 0, sizeof f->enc[c]);
        f->enc[c][0] = table[c];
    }
}

/* /Differences [code name name ... code name ...]: each name sets the next code. */
static void apply_differences(lsi_pdf_font *f, const lsi_pdf_obj *diffs)
{
    int64_t code = -1;

    for (size_t i = 0; i < lsi_pdf_count(diffs); i++) {
        const lsi_pdf_obj *item = lsi_pdf_array_get(diffs, i);
        const char *name;
        size_t len;

        if (lsi_pdf_get_int(item, &code))
            continue;
        if (!lsi_pdf_get_name(item, &name, &len) || code < 0 || code > 255) {
            code = -1; /* a damaged list: skip until the next code */
            continue;
        }
        memset(f->enc[code], 0, sizeof f->enc[code]);
        (void)glyph_name_chars(name, f->enc[code], CHARS_PER_NAME);
        code++;
    }
}

/*
 * /Encoding: a name, or a dictionary with /BaseEncoding and /Differences.
 * Without a base, the font's built-in encoding is in its program, which is
 * not read: WinAnsi for TrueType fonts, StandardEncoding for the others.
 */
static int load_encoding(lsi_pdf_doc *doc, lsi_pdf_font *f, const lsi_pdf_obj *dict)
{
    const lsi_pdf_obj *enc, *base, *diffs;
    const uint16_t *table;
    int rc;

    if ((rc = lsi_pdf_soft_get(doc, dict, "Encoding", &enc)) != LSIGN_OK ||
        (rc = lsi_pdf_soft_get(doc, enc, "BaseEncoding", &base)) != LSIGN_OK ||
        (rc = lsi_pdf_soft_get(doc, enc, "Differences", &diffs)) != LSIGN_OK)
        return rc;
    table = named_encoding(enc->type == LSI_PDF_NAME ? enc : base);
    if (table == NULL) /* what poppler assumes too */
        table = lsi_pdf_name_is(lsi_pdf_dict_get(dict, "Subtype"), "TrueType")
                    ? lsi_text_enc_winansi
                    : lsi_text_enc_standard;
    set_base_encoding(f, table);
    if (diffs->type == LSI_PDF_ARRAY)
        apply_differences(f, diffs);
    return LSIGN_OK;
}

/* The standard font whose metrics `base_font` uses, or NULL (Courier: -1 via *mono). */
static const lsi_text_base14 *standard_metrics(const char *base_font, int *mono)
{
    const char *plus = strchr(base_font, '+');
    const char *name = plus != NULL ? plus + 1 : base_font;
    int bold = strstr(name, "Bold") != NULL, italic = strstr(name, "Italic") != NULL;
    const char *want = NULL;

    *mono = strncmp(name, "Courier", 7) == 0;
    if (strncmp(name, "Helvetica", 9) == 0 || strncmp(name, "Arial", 5) == 0)
        want = bold ? "Helvetica-Bold" : "Helvetica";
    else if (strncmp(name, "Times", 5) == 0)
        want = bold ? (italic ? "Times-BoldItalic" : "Times-Bold")
                    : (italic ? "Times-Italic" : "Times-Roman");
    for (size_t i = 0; want != NULL && i < lsi_text_base14_count; i++)
        if (strcmp(lsi_text_base14_fonts[i].name, want) == 0)
            return &lsi_text_base14_fonts[i];
    return NULL;
}

/* A standard font's width of character `cp` (0 when it has none). */
static double standard_width(const lsi_text_base14 *m, uint32_t cp)
{
    for (size_t code = 0x20; code < 0x100; code++)
        if (lsi_text_enc_winansi[code] == cp && m->width[code - 0x20] != 0)
            return m->width[code - 0x20];
    return cp == 0xA0 ? m->width[0] : 0;
}

/* Widths of codes outside /Widths, or of fonts without it. */
static void default_widths(lsi_pdf_font *f, const lsi_pdf_obj *dict, const lsi_pdf_obj *desc)
{
    const char *base_font = NULL;
    size_t len;
    double missing;
    const lsi_text_base14 *std = NULL;
    int mono = 0,
        has_missing = lsi_pdf_get_number(lsi_pdf_dict_get(desc, "MissingWidth"), &missing);
    double em = fabs(f->fm[0]) > 1e-12 ? 1 / f->fm[0] : 1000; /* glyph units per em */

    if (lsi_pdf_get_name(lsi_pdf_dict_get(dict, "BaseFont"), &base_font, &len))
        std = standard_metrics(base_font, &mono);
    for (size_t c = 0; c < 256; c++) {
        /* by its character: a ligature (two or more) is not in the metrics */
        double w = std != NULL && f->enc[c][1] == 0 ? standard_width(std, f->enc[c][0]) : 0;
        if (has_missing)
            w = missing;
        else if (mono)
            w = 600;
        else if (w == 0)
            w = DEFAULT_WIDTH_EM * em;
        f->widths[c] = w;
    }
}

static int load_widths(lsi_pdf_doc *doc, lsi_pdf_font *f, const lsi_pdf_obj *dict,
                       const lsi_pdf_obj *desc)
{
    const lsi_pdf_obj *widths;
    int64_t first = 0;
    int rc = lsi_pdf_soft_get(doc, dict, "Widths", &widths);

    if (rc != LSIGN_OK)
        return rc;
    default_widths(f, widths->type == LSI_PDF_ARRAY ? NULL : dict, desc);
    (void)lsi_pdf_get_int(lsi_pdf_dict_get(dict, "FirstChar"), &first);
    for (size_t i = 0; i < lsi_pdf_count(widths) && first >= 0 && first + (int64_t)i < 256; i++) {
        const lsi_pdf_obj *w;
        double v;
        if ((rc = lsi_pdf_soft_deref(doc, lsi_pdf_array_get(widths, i), &w)) != LSIGN_OK)
            return rc;
        if (lsi_pdf_get_number(w, &v) && isfinite(v))
            f->widths[first + (int64_t)i] = v;
    }
    return LSIGN_OK;
}

/* ---- composite fonts ---- */

static int add_width(lsi_pdf_font *f, uint32_t lo, uint32_t hi, double w)
{
    if (hi < lo || f->nw >= MAX_WIDTH_RANGES || !isfinite(w))
        return LSIGN_OK;
    if (LSI_RESERVE(f->w, f->wcap, f->nw) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    f->w[f->nw++] = (width_range){lo, hi, w};
    return LSIGN_OK;
}

static int cid_of(const lsi_pdf_obj *obj, uint32_t *cid)
{
    int64_t v;

    if (!lsi_pdf_get_int(obj, &v) || v < 0 || v > UINT32_MAX)
        return 0;
    *cid = (uint32_t)v;
    return 1;
}

/* c [w1 w2 ...]: consecutive CIDs from c. */
static int add_width_list(lsi_pdf_doc *doc, lsi_pdf_font *f, uint32_t first,
                          const lsi_pdf_obj *list)
{
    for (size_t k = 0; k < lsi_pdf_count(list) && (uint64_t)first + k <= UINT32_MAX; k++) {
        const lsi_pdf_obj *w;
        double v;
        int rc = lsi_pdf_soft_deref(doc, lsi_pdf_array_get(list, k), &w);
        if (rc != LSIGN_OK)
            return rc;
        if (lsi_pdf_get_number(w, &v) &&
            (rc = add_width(f, first + (uint32_t)k, first + (uint32_t)k, v)) != LSIGN_OK)
            return rc;
    }
    return LSIGN_OK;
}

static int width_cmp(const void *a, const void *b)
{
    const width_range *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* /W [c [w1 w2 ...] c_first c_last w ...] of a CIDFont. */
static int load_cid_widths(lsi_pdf_doc *doc, lsi_pdf_font *f, const lsi_pdf_obj *cidfont)
{
    const lsi_pdf_obj *w, *next, *third;
    size_t i = 0, n;
    int rc = lsi_pdf_soft_get(doc, cidfont, "W", &w);

    f->dw = 1000;
    (void)lsi_pdf_get_number(lsi_pdf_dict_get(cidfont, "DW"), &f->dw);
    for (n = lsi_pdf_count(w); rc == LSIGN_OK && i + 1 < n;) {
        uint32_t lo, hi;
        double v;
        if ((rc = lsi_pdf_soft_deref(doc, lsi_pdf_array_get(w, i + 1), &next)) != LSIGN_OK)
            break;
        if (next->type == LSI_PDF_ARRAY) {
            if (cid_of(lsi_pdf_array_get(w, i), &lo))
                rc = add_width_list(doc, f, lo, next);
            i += 2;
            continue;
        }
        third = lsi_pdf_array_get(w, i + 2);
        if (cid_of(lsi_pdf_array_get(w, i), &lo) && cid_of(next, &hi) &&
            lsi_pdf_get_number(third, &v))
            rc = add_width(f, lo, hi, v);
        i += 3;
    }
    if (f->nw > 1)
        qsort(f->w, f->nw, sizeof *f->w, width_cmp);
    return rc;
}

static double cid_width(const lsi_pdf_font *f, uint32_t cid)
{
    size_t lo = 0, hi = f->nw;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->w[mid].lo <= cid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && f->w[lo - 1].hi >= cid ? f->w[lo - 1].w : f->dw;
}

static int load_cmap(lsi_pdf_doc *doc, const lsi_pdf_obj *stream, uint64_t *budget, lsi_cmap **out)
{
    unsigned char *data;
    size_t len;
    int rc = lsi_pdf_soft_stream(doc, stream, budget, &data, &len);

    if (rc != LSIGN_OK || data == NULL)
        return rc;
    rc = lsi_cmap_parse(data, len, out);
    free(data);
    return rc;
}

/* A predefined CMap name: Identity-H/V, Uni*-UCS2-*, Uni*-UTF16-*; others are unknown. */
static void predefined_cmap(lsi_pdf_font *f, const lsi_pdf_obj *name)
{
    const char *s;
    size_t len;

    if (!lsi_pdf_get_name(name, &s, &len))
        return;
    if (strcmp(s, "Identity-H") == 0 || strcmp(s, "Identity-V") == 0) {
        f->fixed_len = 2;
    } else if (strncmp(s, "Uni", 3) == 0 && strstr(s, "-UCS2-") != NULL) {
        f->fixed_len = 2;
        f->codes_are_unicode = 1;
    } else if (strncmp(s, "Uni", 3) == 0 && strstr(s, "-UTF16-") != NULL) {
        f->codes_are_unicode = 1;
    }
}

static int load_composite(lsi_pdf_doc *doc, lsi_pdf_font *f, const lsi_pdf_obj *dict,
                          uint64_t *budget, const lsi_pdf_obj **desc)
{
    const lsi_pdf_obj *enc, *descendants, *cidfont;
    int rc;

    f->composite = 1;
    if ((rc = lsi_pdf_soft_get(doc, dict, "Encoding", &enc)) != LSIGN_OK)
        return rc;
    if (enc->type == LSI_PDF_STREAM)
        rc = load_cmap(doc, enc, budget, &f->encoding);
    else
        predefined_cmap(f, enc);
    if (rc != LSIGN_OK ||
        (rc = lsi_pdf_soft_get(doc, dict, "DescendantFonts", &descendants)) != LSIGN_OK ||
        (rc = lsi_pdf_soft_deref(doc, lsi_pdf_array_get(descendants, 0), &cidfont)) != LSIGN_OK ||
        (rc = lsi_pdf_soft_get(doc, cidfont, "FontDescriptor", desc)) != LSIGN_OK)
        return rc;
    return load_cid_widths(doc, f, cidfont);
}

/* ---- common ---- */

static void load_font_matrix(lsi_pdf_font *f, const lsi_pdf_obj *dict)
{
    const lsi_pdf_obj *m = lsi_pdf_dict_get(dict, "FontMatrix");
    double v[6];

    f->fm[0] = f->fm[3] = 0.001;
    if (lsi_pdf_count(m) != 6 || !lsi_pdf_name_is(lsi_pdf_dict_get(dict, "Subtype"), "Type3"))
        return;
    for (size_t i = 0; i < 6; i++)
        if (!lsi_pdf_get_number(lsi_pdf_array_get(m, i), &v[i]) || !isfinite(v[i]) ||
            fabs(v[i]) > 1e6)
            return;
    memcpy(f->fm, v, sizeof v);
}

/* /Ascent and /Descent, with poppler's guards against broken descriptors (0, wrong sign). */
static void load_extent(lsi_pdf_font *f, const lsi_pdf_obj *desc)
{
    double a = 0, d = 0, em = fabs(f->fm[3]) > 1e-12 ? 1 / f->fm[3] : 0;

    (void)lsi_pdf_get_number(lsi_pdf_dict_get(desc, "Ascent"), &a);
    (void)lsi_pdf_get_number(lsi_pdf_dict_get(desc, "Descent"), &d);
    a = fabs(a);
    d = -fabs(d);
    f->ascent = a != 0 && a * fabs(f->fm[3]) < 3 ? a : DEFAULT_ASCENT * em;
    f->descent = d != 0 && -d * fabs(f->fm[3]) < 3 ? d : DEFAULT_DESCENT * em;
}

static int load(lsi_pdf_doc *doc, lsi_pdf_font *f, const lsi_pdf_obj *dict, uint64_t *budget)
{
    const lsi_pdf_obj *desc = NULL, *tu;
    int rc;

    load_font_matrix(f, dict);
    if ((rc = lsi_pdf_soft_get(doc, dict, "ToUnicode", &tu)) != LSIGN_OK ||
        (rc = load_cmap(doc, tu, budget, &f->to_unicode)) != LSIGN_OK)
        return rc;
    if (lsi_pdf_name_is(lsi_pdf_dict_get(dict, "Subtype"), "Type0"))
        rc = load_composite(doc, f, dict, budget, &desc);
    else if ((rc = lsi_pdf_soft_get(doc, dict, "FontDescriptor", &desc)) == LSIGN_OK &&
             (rc = load_encoding(doc, f, dict)) == LSIGN_OK)
        rc = load_widths(doc, f, dict, desc);
    if (rc == LSIGN_OK)
        load_extent(f, desc);
    return rc;
}

int lsi_pdf_font_load(lsi_pdf_doc *doc, const lsi_pdf_obj *dict, uint64_t *budget,
                      lsi_pdf_font **out)
{
    lsi_pdf_font *f = calloc(1, sizeof *f);
    int rc;

    *out = NULL;
    if (f == NULL)
        return lsi_error_nomem();
    if ((rc = load(doc, f, dict, budget)) != LSIGN_OK) {
        lsi_pdf_font_free(f);
        return rc;
    }
    *out = f;
    return LSIGN_OK;
}

void lsi_pdf_font_free(lsi_pdf_font *font)
{
    if (font == NULL)
        return;
    lsi_cmap_free(font->encoding);
    lsi_cmap_free(font->to_unicode);
    free(font->w);
    free(font);
}

const double *lsi_pdf_font_matrix(const lsi_pdf_font *font)
{
    return font->fm;
}

void lsi_pdf_font_extent(const lsi_pdf_font *font, double *ascent, double *descent)
{
    *ascent = font->ascent;
    *descent = font->descent;
}

/* ---- decoding ---- */

static size_t composite_code_length(const lsi_pdf_font *f, const unsigned char *s, size_t len)
{
    size_t n = f->fixed_len;

    if (n == 0 && f->codes_are_unicode) /* UTF-16: a high surrogate starts a 4-byte code */
        n = len >= 4 && s[0] >= 0xD8 && s[0] <= 0xDB ? 4 : 2;
    if (n == 0)
        n = lsi_cmap_code_length(f->encoding, s, len);
    if (n == 0)
        n = lsi_cmap_code_length(f->to_unicode, s, len);
    if (n == 0)
        n = 2;
    return n < len ? n : len;
}

static void composite_char(const lsi_pdf_font *f, uint32_t code, lsi_pdf_char *ch)
{
    uint32_t cid = code;

    if (f->codes_are_unicode && ch->ncp == 0) {
        uint32_t cp = code;
        if (ch->len == 4) /* a surrogate pair */
            cp = 0x10000 + (((code >> 16) - 0xD800) << 10) + ((code & 0xFFFF) - 0xDC00);
        if (valid_cp(cp))
            ch->cp[ch->ncp++] = cp;
    }
    if (f->encoding != NULL)
        (void)lsi_cmap_cid(f->encoding, code, &cid);
    ch->width = f->codes_are_unicode ? f->dw : cid_width(f, cid);
}

void lsi_pdf_font_char(const lsi_pdf_font *font, const unsigned char *s, size_t len,
                       lsi_pdf_char *ch)
{
    uint32_t code = 0;

    memset(ch, 0, sizeof *ch);
    ch->len = font->composite ? composite_code_length(font, s, len) : 1;
    for (size_t i = 0; i < ch->len; i++)
        code = code << 8 | s[i];
    ch->word_space = ch->len == 1 && code == 32;
    ch->ncp = lsi_cmap_unicode(font->to_unicode, code, ch->cp);
    if (font->composite) {
        composite_char(font, code, ch);
        return;
    }
    if (ch->ncp == 0)
        for (size_t i = 0; i < CHARS_PER_NAME && font->enc[code][i] != 0; i++)
            ch->cp[ch->ncp++] = font->enc[code][i];
    ch->width = font->widths[code];
}
