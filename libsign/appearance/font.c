#include "appearance/font.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>
#include <zlib.h>

#include "core/error.h"
#include "pdf/build.h"

#define MAX_FONT_FILE (64L << 20)
/* Glyphs out of one shaping: HarfBuzz may decompose, but not past this. */
#define MAX_RUN_GLYPHS (4 * LSI_FONT_MAX_TEXT)
/* Code points one cluster (so one glyph) may stand for in /ToUnicode. */
#define MAX_CLUSTER 16
/* The CMap format allows at most 100 entries per beginbfchar block. */
#define BFCHAR_BLOCK 100
/* Room for one TJ element: an adjustment (20 digits at most), "<", ">", 4 hex digits. */
#define SHOW_PER_GLYPH 32

/* A glyph used so far: the text it stands for is text[off, off + len), len 0 when unknown. */
typedef struct glyph_use {
    uint32_t off;
    uint8_t len;
    uint8_t used;
} glyph_use;

struct lsi_font {
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *hb;
    unsigned int upem;
    unsigned int glyph_count;
    char name[57]; /* PostScript name, safe in a PDF name; 6+1 more for the subset tag */
    glyph_use *glyphs;
    uint32_t *text; /* code points of all glyphs' texts */
    size_t text_len, text_cap;
};

/* A shaped buffer and its glyphs. */
typedef struct shaping {
    hb_buffer_t *buf;
    hb_glyph_info_t *info;
    hb_glyph_position_t *pos;
    unsigned int count;
} shaping;

/* The glyphs [first, end) of one cluster and its text utf8[start, stop). */
typedef struct cluster {
    unsigned int first, end;
    size_t start, stop;
} cluster;

/* Rounds half away from zero; values here are font units scaled, far inside a long's range. */
static long round_long(double value)
{
    return value < 0 ? -(long)(0.5 - value) : (long)(value + 0.5);
}

static double to_em(const lsi_font *font, double units)
{
    return units * 1000.0 / font->upem;
}

/* ---- Opening ---------------------------------------------------------------------------- */

static int check_file(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return lsi_error(LSIGN_E_IO, "font '%s': %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return lsi_error(LSIGN_E_IO, "font '%s' is not a regular file", path);
    if (st.st_size > MAX_FONT_FILE)
        return lsi_error(LSIGN_E_LIMIT, "font '%s' is over %ld MiB", path, MAX_FONT_FILE >> 20);
    return LSIGN_OK;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Big-endian 16-bit value at `off` of table `tag`, or `fallback` when the table is shorter. */
static int table_u16(hb_face_t *face, hb_tag_t tag, unsigned int off, int fallback)
{
    hb_blob_t *blob = hb_face_reference_table(face, tag);
    unsigned int len;
    const unsigned char *p = (const unsigned char *)hb_blob_get_data(blob, &len);
    int value = p != NULL && len >= off + 2 ? p[off] << 8 | p[off + 1] : fallback;

    hb_blob_destroy(blob);
    return value;
}

static int16_t table_s16(hb_face_t *face, hb_tag_t tag, unsigned int off)
{
    return (int16_t)(uint16_t)table_u16(face, tag, off, 0);
}

static int has_table(hb_face_t *face, hb_tag_t tag)
{
    hb_blob_t *blob = hb_face_reference_table(face, tag);
    int present = hb_blob_get_length(blob) > 0;

    hb_blob_destroy(blob);
    return present;
}

/* TrueType outlines are what a CIDFontType2 embeds; CFF would need CIDFontType0. */
static int check_format(lsi_font *font, const char *path)
{
    unsigned int len;
    const unsigned char *data = (const unsigned char *)hb_blob_get_data(font->blob, &len);
    uint32_t tag = data != NULL && len >= 4 ? be32(data) : 0;

    if (tag == HB_TAG('O', 'T', 'T', 'O') || (!has_table(font->face, HB_TAG('g', 'l', 'y', 'f')) &&
                                              (has_table(font->face, HB_TAG('C', 'F', 'F', ' ')) ||
                                               has_table(font->face, HB_TAG('C', 'F', 'F', '2')))))
        return lsi_error(LSIGN_E_UNSUPPORTED,
                         "font '%s' has PostScript (CFF) outlines; only TrueType (glyf) outlines "
                         "can be embedded",
                         path);
    if (tag != 0x00010000u && tag != HB_TAG('t', 'r', 'u', 'e') &&
        tag != HB_TAG('t', 't', 'c', 'f'))
        return lsi_error(LSIGN_E_PARSE, "'%s' is not a TrueType font", path);
    font->upem = hb_face_get_upem(font->face);
    font->glyph_count = hb_face_get_glyph_count(font->face);
    if (!has_table(font->face, HB_TAG('g', 'l', 'y', 'f')) ||
        !has_table(font->face, HB_TAG('l', 'o', 'c', 'a')) ||
        !has_table(font->face, HB_TAG('h', 'm', 't', 'x')) || font->glyph_count == 0 ||
        font->upem < 16 || font->upem > 16384)
        return lsi_error(LSIGN_E_PARSE, "font '%s' has no usable TrueType outlines", path);
    return LSIGN_OK;
}

/* The PostScript name, keeping only what a PDF name holds without escapes. */
static void read_name(lsi_font *font)
{
    char raw[sizeof font->name];
    unsigned int size = sizeof raw;
    size_t n = 0;

    if (hb_ot_name_get_utf8(font->face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &size,
                            raw) == 0)
        raw[0] = '\0';
    for (const char *p = raw; *p != '\0'; p++)
        if (*p > ' ' && *p <= '~' && strchr("()<>[]{}/%#", *p) == NULL)
            font->name[n++] = *p;
    font->name[n] = '\0';
    if (n == 0)
        strcpy(font->name, "Font");
}

static int load(lsi_font *font, const char *path)
{
    int rc = check_file(path);

    if (rc != LSIGN_OK)
        return rc;
    font->blob = hb_blob_create_from_file_or_fail(path);
    if (font->blob == NULL)
        return lsi_error(LSIGN_E_IO, "cannot read font '%s'", path);
    font->face = hb_face_create(font->blob, 0);
    if ((rc = check_format(font, path)) != LSIGN_OK)
        return rc;
    font->hb = hb_font_create(font->face);
    hb_font_set_scale(font->hb, (int)font->upem, (int)font->upem);
    font->glyphs = calloc(font->glyph_count, sizeof *font->glyphs);
    if (font->glyphs == NULL)
        return lsi_error_nomem();
    read_name(font);
    return LSIGN_OK;
}

int lsi_font_open(const char *path, lsi_font **out)
{
    lsi_font *font = calloc(1, sizeof *font);
    const char *env = getenv("LIBSIGN_DEFAULT_FONT");
    int rc;

    *out = NULL;
    if (font == NULL)
        return lsi_error_nomem();
    if (path == NULL)
        path = env != NULL && env[0] != '\0' ? env : LSI_FONT_DEFAULT_PATH;
    if ((rc = load(font, path)) != LSIGN_OK) {
        lsi_font_free(font);
        return rc;
    }
    *out = font;
    return LSIGN_OK;
}

void lsi_font_free(lsi_font *font)
{
    if (font == NULL)
        return;
    hb_font_destroy(font->hb);
    hb_face_destroy(font->face);
    hb_blob_destroy(font->blob);
    free(font->glyphs);
    free(font->text);
    free(font);
}

static double metric(const lsi_font *font, hb_ot_metrics_tag_t tag)
{
    hb_position_t value = 0;

    hb_ot_metrics_get_position_with_fallback(font->hb, tag, &value);
    return to_em(font, value);
}

void lsi_font_metrics(const lsi_font *font, double *ascent, double *descent, double *line_gap)
{
    *ascent = metric(font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER);
    *descent = metric(font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER);
    *line_gap = metric(font, HB_OT_METRICS_TAG_HORIZONTAL_LINE_GAP);
}

/* ---- Shaping ---------------------------------------------------------------------------- */

/* Decodes the code point at s[*i]; 0 when invalid (overlong, surrogate, past U+10FFFF). */
static int utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    unsigned char c = s[*i];
    size_t n = c < 0x80                ? 0
               : c >= 0xc2 && c < 0xe0 ? 1
               : c >= 0xe0 && c < 0xf0 ? 2
               : c >= 0xf0 && c < 0xf5 ? 3
                                       : 4;
    uint32_t v;

    if (n > 3 || len - *i <= n)
        return 0;
    v = n == 0 ? c : c & (0x3fu >> n);
    for (size_t k = 1; k <= n; k++) {
        if ((s[*i + k] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[*i + k] & 0x3fu);
    }
    if (v < least[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *i += n + 1;
    *cp = v;
    return 1;
}

static int check_text(const char *utf8, size_t len)
{
    uint32_t cp;

    if (utf8 == NULL && len > 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "text: NULL");
    if (len > LSI_FONT_MAX_TEXT)
        return lsi_error(LSIGN_E_LIMIT, "text of %zu bytes: at most %d can be shown at once", len,
                         LSI_FONT_MAX_TEXT);
    for (size_t i = 0; i < len;) {
        size_t at = i;
        if (!utf8_next((const unsigned char *)utf8, len, &i, &cp))
            return lsi_error(LSIGN_E_INVALID_ARG, "text: invalid UTF-8 at byte %zu", at);
    }
    return LSIGN_OK;
}

/* The cluster starting at glyph `first`; clusters are monotone (left to right, graphemes). */
static cluster next_cluster(const shaping *r, unsigned int first, size_t len)
{
    cluster c = {first, first + 1, r->info[first].cluster, len};

    while (c.end < r->count && r->info[c.end].cluster == r->info[first].cluster)
        c.end++;
    if (c.end < r->count && r->info[c.end].cluster > c.start)
        c.stop = r->info[c.end].cluster;
    return c;
}

/* The code points of a cluster's text; more than MAX_CLUSTER: LSIGN_E_LIMIT. */
static int cluster_text(const char *utf8, const cluster *c, uint32_t *cps, size_t *count)
{
    *count = 0;
    for (size_t i = c->start; i < c->stop;) {
        uint32_t cp = 0;
        if (!utf8_next((const unsigned char *)utf8, c->stop, &i, &cp))
            return lsi_error(LSIGN_E_INVALID_ARG, "text: invalid UTF-8 at byte %zu", i);
        if (*count == MAX_CLUSTER)
            return lsi_error(LSIGN_E_LIMIT,
                             "text: more than %d characters in one cluster at byte %zu",
                             MAX_CLUSTER, c->start);
        cps[(*count)++] = cp;
    }
    return LSIGN_OK;
}

/* Names the character of a cluster that the font lacks (the first without a nominal glyph). */
static int missing_glyph(const lsi_font *font, const uint32_t *cps, size_t count)
{
    uint32_t cp = count > 0 ? cps[0] : 0;
    hb_codepoint_t gid;

    for (size_t i = 0; i < count; i++)
        if (!hb_font_get_nominal_glyph(font->hb, cps[i], &gid)) {
            cp = cps[i];
            break;
        }
    return lsi_error(LSIGN_E_UNSUPPORTED, "font %s has no glyph for U+%04" PRIX32, font->name, cp);
}

/* Every cluster stands for at most MAX_CLUSTER characters, and no glyph is .notdef. */
static int check_glyphs(const lsi_font *font, const char *utf8, size_t len, const shaping *r)
{
    uint32_t cps[MAX_CLUSTER];
    size_t count;
    int rc;

    for (unsigned int i = 0; i < r->count;) {
        cluster c = next_cluster(r, i, len);
        if ((rc = cluster_text(utf8, &c, cps, &count)) != LSIGN_OK)
            return rc;
        for (unsigned int g = c.first; g < c.end; g++) {
            if (r->info[g].codepoint == 0)
                return missing_glyph(font, cps, count);
            if (r->info[g].codepoint >= font->glyph_count) /* a broken cmap or GSUB */
                return lsi_error(LSIGN_E_PARSE, "font %s maps text to glyph %u of only %u",
                                 font->name, r->info[g].codepoint, font->glyph_count);
        }
        i = c.end;
    }
    return LSIGN_OK;
}

static void run_free(shaping *r)
{
    hb_buffer_destroy(r->buf);
}

static int shape(lsi_font *font, const char *utf8, size_t len, shaping *r)
{
    int rc = check_text(utf8, len);

    memset(r, 0, sizeof *r);
    if (rc != LSIGN_OK)
        return rc;
    r->buf = hb_buffer_create();
    if (len > 0)
        hb_buffer_add_utf8(r->buf, utf8, (int)len, 0, (int)len);
    /* Left to right only (the show string keeps glyph order); "vi" picks Vietnamese forms.
     * Invisible characters (zero-width space, soft hyphen) shape, then leave no glyph. */
    hb_buffer_set_direction(r->buf, HB_DIRECTION_LTR);
    hb_buffer_set_flags(r->buf, HB_BUFFER_FLAG_REMOVE_DEFAULT_IGNORABLES);
    hb_buffer_set_language(r->buf, hb_language_from_string("vi", -1));
    hb_buffer_guess_segment_properties(r->buf);
    hb_shape(font->hb, r->buf, NULL, 0);
    if (!hb_buffer_allocation_successful(r->buf))
        return lsi_error_nomem();
    r->info = hb_buffer_get_glyph_infos(r->buf, &r->count);
    r->pos = hb_buffer_get_glyph_positions(r->buf, NULL);
    if (r->count > MAX_RUN_GLYPHS)
        return lsi_error(LSIGN_E_LIMIT, "text: more than %d glyphs", MAX_RUN_GLYPHS);
    return check_glyphs(font, utf8, len, r);
}

static double run_width(const lsi_font *font, const shaping *r)
{
    double width = 0;

    for (unsigned int i = 0; i < r->count; i++)
        width += to_em(font, r->pos[i].x_advance);
    return width;
}

/* The glyph's /W width: its advance in 1/1000 em, rounded as written. */
static long glyph_width(const lsi_font *font, hb_codepoint_t gid)
{
    return round_long(to_em(font, hb_font_get_glyph_h_advance(font->hb, gid)));
}

/*
 * "[<gid gid>adj<gid>] TJ": each glyph goes where HarfBuzz puts it (pen plus x offset) and
 * the PDF pen, advanced by /W widths, is moved there by an adjustment when they differ by
 * half a unit or more, so rounding never accumulates.
 */
static int build_show(const lsi_font *font, const shaping *r, char **show)
{
    size_t cap = 16 + (size_t)r->count * SHOW_PER_GLYPH, n = 0;
    char *buf = malloc(cap);
    double pen = 0, at = 0;
    int open = 0;

    if (buf == NULL)
        return lsi_error_nomem();
    buf[n++] = '[';
    for (unsigned int i = 0; i < r->count; i++) {
        long adjust = round_long(pen + to_em(font, r->pos[i].x_offset) - at);
        if (adjust != 0) {
            n += (size_t)snprintf(buf + n, cap - n, "%s%ld", open ? ">" : "", -adjust);
            open = 0;
            at += (double)adjust;
        }
        n += (size_t)snprintf(buf + n, cap - n, "%s%04X", open ? "" : "<",
                              (unsigned int)r->info[i].codepoint);
        open = 1;
        at += (double)glyph_width(font, r->info[i].codepoint);
        pen += to_em(font, r->pos[i].x_advance);
    }
    snprintf(buf + n, cap - n, "%s] TJ", open ? ">" : "");
    *show = buf;
    return LSIGN_OK;
}

/* Room for `count` more code points of glyph texts, so recording cannot fail half way. */
static int reserve_text(lsi_font *font, size_t count)
{
    size_t cap = font->text_cap;
    uint32_t *grown;

    if (font->text_cap - font->text_len >= count)
        return LSIGN_OK;
    while (cap - font->text_len < count)
        cap = cap < 256 ? 256 : 2 * cap;
    if (cap > UINT32_MAX || (grown = realloc(font->text, cap * sizeof *grown)) == NULL)
        return lsi_error_nomem();
    font->text = grown;
    font->text_cap = cap;
    return LSIGN_OK;
}

/* Marks `gid` used; the first text it is shown for becomes its /ToUnicode entry. */
static void record(lsi_font *font, hb_codepoint_t gid, const uint32_t *cps, size_t count)
{
    glyph_use *use = &font->glyphs[gid];

    use->used = 1;
    if (use->len != 0 || count == 0)
        return;
    use->off = (uint32_t)font->text_len;
    use->len = (uint8_t)count;
    memcpy(font->text + font->text_len, cps, count * sizeof *cps);
    font->text_len += count;
}

/* Drops format characters (zero-width space and joiners, soft hyphen, BOM): they must not
 * become the text of a visible glyph, e.g. of the space or the letter they were merged into. */
static size_t visible_text(uint32_t *cps, size_t count)
{
    hb_unicode_funcs_t *ucd = hb_unicode_funcs_get_default();
    size_t n = 0;

    for (size_t i = 0; i < count; i++)
        if (hb_unicode_general_category(ucd, cps[i]) != HB_UNICODE_GENERAL_CATEGORY_FORMAT)
            cps[n++] = cps[i];
    return n;
}

/*
 * One glyph stands for the whole cluster (a precomposed letter from NFD, a ligature); as many
 * glyphs as characters map one to one (base and marks drawn apart); otherwise the first glyph
 * stands for the text and the others for nothing.
 */
static void record_cluster(lsi_font *font, const shaping *r, const cluster *c, const uint32_t *cps,
                           size_t count)
{
    size_t glyphs = c->end - c->first;

    for (unsigned int g = c->first; g < c->end; g++) {
        size_t k = g - c->first;
        if (glyphs == count)
            record(font, r->info[g].codepoint, cps + k, 1);
        else
            record(font, r->info[g].codepoint, cps, k == 0 ? count : 0);
    }
}

static int record_run(lsi_font *font, const char *utf8, size_t len, const shaping *r)
{
    uint32_t cps[MAX_CLUSTER];
    size_t count;
    int rc = reserve_text(font, len);

    for (unsigned int i = 0; i < r->count && rc == LSIGN_OK;) {
        cluster c = next_cluster(r, i, len);
        if ((rc = cluster_text(utf8, &c, cps, &count)) == LSIGN_OK)
            record_cluster(font, r, &c, cps, visible_text(cps, count));
        i = c.end;
    }
    return rc;
}

int lsi_font_shape(lsi_font *font, const char *utf8, size_t len, lsi_shaped *out)
{
    shaping r;
    int rc = shape(font, utf8, len, &r);

    memset(out, 0, sizeof *out);
    if (rc == LSIGN_OK)
        rc = build_show(font, &r, &out->show);
    if (rc == LSIGN_OK)
        rc = record_run(font, utf8, len, &r);
    if (rc == LSIGN_OK)
        out->width = run_width(font, &r);
    else
        lsi_shaped_free(out);
    run_free(&r);
    return rc;
}

void lsi_shaped_free(lsi_shaped *run)
{
    if (run == NULL)
        return;
    free(run->show);
    run->show = NULL;
    run->width = 0;
}

int lsi_font_measure(lsi_font *font, const char *utf8, size_t len, double *width)
{
    shaping r;
    int rc = shape(font, utf8, len, &r);

    *width = rc == LSIGN_OK ? run_width(font, &r) : 0;
    run_free(&r);
    return rc;
}

/* ---- Writing ---------------------------------------------------------------------------- */

/* The objects of one written font. */
typedef struct font_objs {
    uint32_t type0, cid, descriptor, file, to_unicode;
} font_objs;

static const char cmap_head[] =
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
static const char cmap_tail[] =
    "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";

static lsi_pdf_obj *with_int(lsi_arena *arena, lsi_pdf_obj *dict, const char *key, int64_t value)
{
    return lsi_pdf_with(arena, dict, key, dict != NULL ? lsi_pdf_new_int(arena, value) : NULL);
}

static lsi_pdf_obj *with_ref(lsi_arena *arena, lsi_pdf_obj *dict, const char *key, uint32_t num)
{
    return lsi_pdf_with(arena, dict, key, dict != NULL ? lsi_pdf_new_ref(arena, num, 0) : NULL);
}

static int put_built(lsi_pdf_writer *w, uint32_t num, const lsi_pdf_obj *obj)
{
    return obj != NULL ? lsi_pdf_writer_put(w, num, obj) : lsi_pdf_built(obj);
}

/* A six-letter subset tag (ISO 32000-2 9.9.2) from the glyph set, so equal subsets share it. */
static void subset_tag(const lsi_font *font, char *tag)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */

    for (unsigned int g = 0; g < font->glyph_count; g++)
        if (font->glyphs[g].used) {
            h = (h ^ (g & 0xff)) * 1099511628211u;
            h = (h ^ (g >> 8)) * 1099511628211u;
        }
    for (int i = 0; i < 6; i++, h /= 26)
        tag[i] = (char)('A' + h % 26);
    tag[6] = '\0';
}

static int deflate_data(const unsigned char *data, size_t len, unsigned char **out, size_t *out_len)
{
    uLongf size = compressBound(len);
    unsigned char *buf = malloc(size);

    if (buf == NULL)
        return lsi_error_nomem();
    if (compress2(buf, &size, data, len, Z_BEST_COMPRESSION) != Z_OK) {
        free(buf);
        return lsi_error_nomem(); /* with a buffer of compressBound(), only memory can fail */
    }
    *out = buf;
    *out_len = size;
    return LSIGN_OK;
}

/* Writes `data` FlateDecode-compressed as stream `num` with `dict`'s entries. */
static int put_flate(lsi_pdf_writer *w, lsi_arena *arena, uint32_t num, lsi_pdf_obj *dict,
                     const unsigned char *data, size_t len)
{
    unsigned char *packed = NULL;
    size_t packed_len = 0;
    int rc = deflate_data(data, len, &packed, &packed_len);

    dict = lsi_pdf_with_name(arena, dict, "Filter", "FlateDecode");
    if (rc == LSIGN_OK)
        rc = dict != NULL ? lsi_pdf_writer_put_stream(w, num, dict, packed, packed_len)
                          : lsi_pdf_built(dict);
    free(packed);
    return rc;
}

/*
 * The glyf font cut down to the glyphs used (and .notdef, outline kept), glyph IDs retained
 * so CID == GID. Layout tables go: positioning is already in the show strings.
 */
static int subset(const lsi_font *font, hb_blob_t **out)
{
    static const hb_tag_t drop[] = {HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'),
                                    HB_TAG('G', 'D', 'E', 'F'), HB_TAG('k', 'e', 'r', 'n'),
                                    HB_TAG('B', 'A', 'S', 'E'), HB_TAG('J', 'S', 'T', 'F')};
    hb_subset_input_t *input = hb_subset_input_create_or_fail();
    hb_face_t *sub;

    *out = NULL;
    if (input == NULL)
        return lsi_error_nomem();
    hb_set_add(hb_subset_input_glyph_set(input), 0);
    for (unsigned int g = 0; g < font->glyph_count; g++)
        if (font->glyphs[g].used)
            hb_set_add(hb_subset_input_glyph_set(input), g);
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        hb_set_add(hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG), drop[i]);
    hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_RETAIN_GIDS | HB_SUBSET_FLAGS_NOTDEF_OUTLINE);
    sub = hb_subset_or_fail(font->face, input);
    hb_subset_input_destroy(input);
    if (sub != NULL)
        *out = hb_face_reference_blob(sub);
    hb_face_destroy(sub);
    if (*out == NULL || hb_blob_get_length(*out) == 0) {
        hb_blob_destroy(*out);
        return lsi_error(LSIGN_E_PARSE, "font %s: subsetting failed", font->name);
    }
    return LSIGN_OK;
}

static int write_font_file(const lsi_font *font, lsi_pdf_writer *w, lsi_arena *arena, uint32_t num)
{
    hb_blob_t *blob;
    unsigned int len;
    const char *data;
    int rc = subset(font, &blob);

    if (rc != LSIGN_OK)
        return rc;
    data = hb_blob_get_data(blob, &len);
    rc = put_flate(w, arena, num, with_int(arena, lsi_pdf_new_dict(arena), "Length1", len),
                   (const unsigned char *)data, len);
    hb_blob_destroy(blob);
    return rc;
}

/* UTF-16BE hex of one code point: a surrogate pair beyond the BMP. */
static size_t put_utf16(char *buf, size_t size, uint32_t cp)
{
    if (cp < 0x10000)
        return (size_t)snprintf(buf, size, "%04" PRIX32, cp);
    cp -= 0x10000;
    return (size_t)snprintf(buf, size, "%04" PRIX32 "%04" PRIX32, 0xd800 + (cp >> 10),
                            0xdc00 + (cp & 0x3ff));
}

static size_t mapped_count(const lsi_font *font)
{
    size_t count = 0;

    for (unsigned int g = 0; g < font->glyph_count; g++)
        count += font->glyphs[g].len > 0;
    return count;
}

/* One "<gid> <utf16>" line. */
static size_t put_mapping(const lsi_font *font, unsigned int gid, char *buf, size_t size)
{
    const glyph_use *use = &font->glyphs[gid];
    size_t n = (size_t)snprintf(buf, size, "<%04X> <", gid);

    for (size_t i = 0; i < use->len; i++)
        n += put_utf16(buf + n, size - n, font->text[use->off + i]);
    return n + (size_t)snprintf(buf + n, size - n, ">\n");
}

/* The /ToUnicode CMap text: bfchar blocks of up to 100 glyphs, in glyph order. */
static int build_cmap(const lsi_font *font, char **out, size_t *out_len)
{
    size_t count = mapped_count(font), done = 0;
    size_t cap = sizeof cmap_head + sizeof cmap_tail + count * (16 + 8 * MAX_CLUSTER) +
                 (count / BFCHAR_BLOCK + 1) * 32;
    char *buf = malloc(cap);
    size_t n = 0;

    if (buf == NULL)
        return lsi_error_nomem();
    n += (size_t)snprintf(buf, cap, "%s", cmap_head);
    for (unsigned int g = 0; g < font->glyph_count; g++) {
        if (font->glyphs[g].len == 0)
            continue;
        if (done % BFCHAR_BLOCK == 0)
            n += (size_t)snprintf(buf + n, cap - n, "%s%zu beginbfchar\n",
                                  done > 0 ? "endbfchar\n" : "",
                                  count - done < BFCHAR_BLOCK ? count - done : BFCHAR_BLOCK);
        n += put_mapping(font, g, buf + n, cap - n);
        done++;
    }
    n += (size_t)snprintf(buf + n, cap - n, "%s%s", count > 0 ? "endbfchar\n" : "", cmap_tail);
    *out = buf;
    *out_len = n;
    return LSIGN_OK;
}

static int write_to_unicode(const lsi_font *font, lsi_pdf_writer *w, lsi_arena *arena, uint32_t num)
{
    char *cmap = NULL;
    size_t len = 0;
    int rc = build_cmap(font, &cmap, &len);

    if (rc == LSIGN_OK)
        rc = put_flate(w, arena, num, lsi_pdf_new_dict(arena), (const unsigned char *)cmap, len);
    free(cmap);
    return rc;
}

/* [first [w w ...] first [w ...]] for each range of consecutive glyphs used. */
static lsi_pdf_obj *width_range(lsi_arena *arena, const lsi_font *font, unsigned int first,
                                unsigned int end)
{
    lsi_pdf_obj *list = lsi_pdf_new_array(arena, end - first);

    for (unsigned int g = first; list != NULL && g < end; g++)
        if ((list->u.array.items[g - first] = lsi_pdf_new_int(arena, glyph_width(font, g))) == NULL)
            return NULL;
    return list;
}

static unsigned int range_end(const lsi_font *font, unsigned int g)
{
    while (g < font->glyph_count && font->glyphs[g].used)
        g++;
    return g;
}

static lsi_pdf_obj *widths(lsi_arena *arena, const lsi_font *font)
{
    size_t ranges = 0, k = 0;
    lsi_pdf_obj *w;

    for (unsigned int g = 0; g < font->glyph_count; g = range_end(font, g) + 1)
        ranges += font->glyphs[g].used;
    if ((w = lsi_pdf_new_array(arena, 2 * ranges)) == NULL)
        return NULL;
    for (unsigned int g = 0; g < font->glyph_count; g = range_end(font, g) + 1) {
        if (!font->glyphs[g].used)
            continue;
        w->u.array.items[k++] = lsi_pdf_new_int(arena, g);
        w->u.array.items[k++] = width_range(arena, font, g, range_end(font, g));
        if (w->u.array.items[k - 2] == NULL || w->u.array.items[k - 1] == NULL)
            return NULL;
    }
    return w;
}

/* Serif from the OS/2 family class (1-5, 7: serif classes) or PANOSE (Latin text, serifed). */
static int is_serif(const lsi_font *font)
{
    hb_tag_t os2 = HB_TAG('O', 'S', '/', '2');
    int family_class = table_u16(font->face, os2, 30, 0) >> 8;
    int panose = table_u16(font->face, os2, 32, 0);

    return (family_class >= 1 && family_class <= 7 && family_class != 6) ||
           (panose >> 8 == 2 && (panose & 0xff) >= 2 && (panose & 0xff) <= 10);
}

static double italic_angle(const lsi_font *font)
{
    hb_tag_t post = HB_TAG('p', 'o', 's', 't');
    int32_t fixed = (int32_t)((uint32_t)table_u16(font->face, post, 4, 0) << 16 |
                              (uint32_t)table_u16(font->face, post, 6, 0));

    return (double)round_long(fixed / 65536.0 * 10) / 10;
}

/*
 * /Flags (ISO 32000-2 9.8.2): Symbolic always, since Vietnamese letters are outside the
 * standard Latin set; FixedPitch, Serif and Italic from the post and OS/2 tables.
 */
static int64_t descriptor_flags(const lsi_font *font)
{
    hb_tag_t post = HB_TAG('p', 'o', 's', 't');
    int fixed = (table_u16(font->face, post, 12, 0) | table_u16(font->face, post, 14, 0)) != 0;
    int italic = (table_u16(font->face, HB_TAG('O', 'S', '/', '2'), 62, 0) & 1) != 0 ||
                 italic_angle(font) != 0;

    return (fixed ? 1 : 0) | (is_serif(font) ? 2 : 0) | 4 | (italic ? 64 : 0);
}

/* TrueType has no stem width; estimated from the weight class. Readers only use it to
 * synthesize a substitute, which an embedded font never needs. */
static int64_t stem_v(const lsi_font *font)
{
    int weight = table_u16(font->face, HB_TAG('O', 'S', '/', '2'), 4, 400);

    return 10 + round_long(220.0 * (weight - 50) / 900);
}

static lsi_pdf_obj *font_bbox(lsi_arena *arena, const lsi_font *font)
{
    lsi_pdf_obj *box = lsi_pdf_new_array(arena, 4);

    for (unsigned int i = 0; box != NULL && i < 4; i++) {
        double v = to_em(font, table_s16(font->face, HB_TAG('h', 'e', 'a', 'd'), 36 + 2 * i));
        if ((box->u.array.items[i] = lsi_pdf_new_int(arena, round_long(v))) == NULL)
            return NULL;
    }
    return box;
}

static lsi_pdf_obj *new_number(lsi_arena *arena, double value)
{
    lsi_pdf_obj *obj;

    if (value == (double)round_long(value))
        return lsi_pdf_new_int(arena, round_long(value));
    if ((obj = lsi_pdf_obj_new(arena, LSI_PDF_REAL)) != NULL)
        obj->u.real = value;
    return obj;
}

static lsi_pdf_obj *descriptor(lsi_arena *arena, const lsi_font *font, const char *name,
                               uint32_t file)
{
    lsi_pdf_obj *d = lsi_pdf_with_name(arena, lsi_pdf_new_dict(arena), "Type", "FontDescriptor");

    d = lsi_pdf_with_name(arena, d, "FontName", name);
    d = with_int(arena, d, "Flags", descriptor_flags(font));
    d = lsi_pdf_with(arena, d, "FontBBox", font_bbox(arena, font));
    d = lsi_pdf_with(arena, d, "ItalicAngle", new_number(arena, italic_angle(font)));
    d = with_int(arena, d, "Ascent",
                 round_long(metric(font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER)));
    d = with_int(arena, d, "Descent",
                 round_long(metric(font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER)));
    d = with_int(arena, d, "CapHeight", round_long(metric(font, HB_OT_METRICS_TAG_CAP_HEIGHT)));
    d = with_int(arena, d, "StemV", stem_v(font));
    return with_ref(arena, d, "FontFile2", file);
}

static lsi_pdf_obj *cid_system_info(lsi_arena *arena)
{
    lsi_pdf_obj *d = lsi_pdf_with(arena, lsi_pdf_new_dict(arena), "Registry",
                                  lsi_pdf_new_string(arena, "Adobe", 5));

    d = lsi_pdf_with(arena, d, "Ordering", lsi_pdf_new_string(arena, "Identity", 8));
    return with_int(arena, d, "Supplement", 0);
}

static lsi_pdf_obj *cid_font(lsi_arena *arena, const lsi_font *font, const char *name,
                             const font_objs *o)
{
    lsi_pdf_obj *d = lsi_pdf_with_name(arena, lsi_pdf_new_dict(arena), "Type", "Font");

    d = lsi_pdf_with_name(arena, d, "Subtype", "CIDFontType2");
    d = lsi_pdf_with_name(arena, d, "BaseFont", name);
    d = lsi_pdf_with(arena, d, "CIDSystemInfo", cid_system_info(arena));
    d = with_ref(arena, d, "FontDescriptor", o->descriptor);
    d = with_int(arena, d, "DW", 1000);
    d = lsi_pdf_with(arena, d, "W", widths(arena, font));
    return lsi_pdf_with_name(arena, d, "CIDToGIDMap", "Identity");
}

static lsi_pdf_obj *type0_font(lsi_arena *arena, const char *name, const font_objs *o)
{
    lsi_pdf_obj *d = lsi_pdf_with_name(arena, lsi_pdf_new_dict(arena), "Type", "Font");
    lsi_pdf_obj *descendants = lsi_pdf_new_array(arena, 1);

    if (descendants != NULL &&
        (descendants->u.array.items[0] = lsi_pdf_new_ref(arena, o->cid, 0)) == NULL)
        descendants = NULL;
    d = lsi_pdf_with_name(arena, d, "Subtype", "Type0");
    /* With a CIDFontType2 descendant, the same name as the CIDFont's (9.7.6.1). */
    d = lsi_pdf_with_name(arena, d, "BaseFont", name);
    d = lsi_pdf_with_name(arena, d, "Encoding", "Identity-H");
    d = lsi_pdf_with(arena, d, "DescendantFonts", descendants);
    return with_ref(arena, d, "ToUnicode", o->to_unicode);
}

int lsi_font_write(lsi_font *font, lsi_pdf_writer *w, lsi_arena *arena, uint32_t *type0_num)
{
    font_objs o;
    char name[7 + sizeof font->name];
    int rc;

    *type0_num = 0;
    o.type0 = lsi_pdf_writer_new_number(w);
    o.cid = lsi_pdf_writer_new_number(w);
    o.descriptor = lsi_pdf_writer_new_number(w);
    o.file = lsi_pdf_writer_new_number(w);
    o.to_unicode = lsi_pdf_writer_new_number(w);
    subset_tag(font, name);
    snprintf(name + 6, sizeof name - 6, "+%s", font->name);
    rc = write_font_file(font, w, arena, o.file);
    if (rc == LSIGN_OK)
        rc = write_to_unicode(font, w, arena, o.to_unicode);
    if (rc == LSIGN_OK)
        rc = put_built(w, o.descriptor, descriptor(arena, font, name, o.file));
    if (rc == LSIGN_OK)
        rc = put_built(w, o.cid, cid_font(arena, font, name, &o));
    if (rc == LSIGN_OK)
        rc = put_built(w, o.type0, type0_font(arena, name, &o));
    if (rc == LSIGN_OK)
        *type0_num = o.type0;
    return rc;
}
