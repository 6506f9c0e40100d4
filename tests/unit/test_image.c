/*
 * Signature images: PNGs of every kind made here with libpng and JPEGs from
 * testvectors/appearance/images/, embedded in a one-page PDF, rendered by
 * poppler (pdftoppm) over the white page and checked pixel by pixel; hostile
 * files give clear errors.
 */
#define _GNU_SOURCE /* mkdtemp with glibc's feature macros */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <png.h>
#include <zlib.h>

#include "appearance/image.h"
#include "core/io.h"
#include "libsign/libsign.h"
#include "pdf/build.h"
#include "pdf/document.h"
#include "pdf/writer.h"
#include "support/minipdf.h"
#include "support/testenv.h"

static const char *vector(const char *name)
{
    static char buf[1024];
    const char *data = getenv("LIBSIGN_TEST_DATA");

    if (data == NULL)
        fail_msg("LIBSIGN_TEST_DATA is not set");
    snprintf(buf, sizeof buf, "%s/appearance/images/%s", data, name);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    return test_dir_create();
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove();
}

static int near(double a, double b, double eps)
{
    return a - b < eps && b - a < eps;
}

static void spill(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* ---- PNG files written with libpng from canonical RGBA pixels ---- */

typedef struct rgba {
    unsigned char r, g, b, a;
} rgba;

typedef struct png_case {
    const char *name;
    int color_type, depth, interlace;
    unsigned width, height;
    const rgba *pixels; /* row-major; what the file means, in 8-bit RGBA */
    uint32_t ppm;       /* pHYs pixels per metre, 0 for none */
    int trns_gray;      /* gray files: the gray value tRNS makes transparent, -1 for none */
    int smask;          /* an /SMask is expected */
    const char *space;  /* the expected /ColorSpace */
} png_case;

typedef struct membuf {
    unsigned char *data;
    size_t len;
} membuf;

static void to_memory(png_structp png, png_bytep data, size_t len)
{
    membuf *m = png_get_io_ptr(png);

    m->data = realloc(m->data, m->len + len);
    assert_non_null(m->data);
    memcpy(m->data + m->len, data, len);
    m->len += len;
}

static void no_flush(png_structp png)
{
    (void)png;
}

/* The palette index of `p`, adding it (colour and tRNS alpha) when new. */
static unsigned palette_index(png_colorp palette, png_byte *alpha, int *count, rgba p)
{
    for (int i = 0; i < *count; i++)
        if (palette[i].red == p.r && palette[i].green == p.g && palette[i].blue == p.b &&
            alpha[i] == p.a)
            return (unsigned)i;
    assert_true(*count < 256);
    palette[*count] = (png_color){p.r, p.g, p.b};
    alpha[*count] = p.a;
    return (unsigned)(*count)++;
}

/* Packs `n` samples of `depth` bits (1 to 16) into `out`, big-endian, MSB first. */
static void pack(const unsigned *samples, size_t n, int depth, unsigned char *out)
{
    size_t bit = 0;

    if (depth == 16) {
        for (size_t i = 0; i < n; i++) {
            out[2 * i] = (unsigned char)(samples[i] >> 8);
            out[2 * i + 1] = (unsigned char)samples[i];
        }
        return;
    }
    memset(out, 0, (n * (size_t)depth + 7) / 8);
    for (size_t i = 0; i < n; i++, bit += (size_t)depth)
        out[bit / 8] |= (unsigned char)(samples[i] << (8 - depth - (int)(bit % 8)));
}

/* The samples of pixel `p` in the case's format (palette indices added as needed). */
static size_t samples_of(const png_case *c, rgba p, unsigned *s, png_colorp palette,
                         png_byte *alpha, int *count)
{
    unsigned wide = c->depth == 16 ? 257u : 1u;

    switch (c->color_type) {
    case PNG_COLOR_TYPE_GRAY:
        s[0] = c->depth == 16 ? p.r * wide : (unsigned)p.r >> (8 - c->depth);
        return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        s[0] = p.r * wide;
        s[1] = p.a * wide;
        return 2;
    case PNG_COLOR_TYPE_PALETTE: s[0] = palette_index(palette, alpha, count, p); return 1;
    default:
        s[0] = p.r * wide;
        s[1] = p.g * wide;
        s[2] = p.b * wide;
        s[3] = p.a * wide;
        return c->color_type == PNG_COLOR_TYPE_RGB ? 3 : 4;
    }
}

static unsigned char *encode_png(const png_case *c, size_t *len)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    png_color palette[256];
    png_byte alpha[256];
    int count = 0;
    size_t row_samples = (size_t)c->width * 4, row_bytes = row_samples * 2;
    unsigned *samples = malloc(row_samples * sizeof *samples);
    unsigned char *rows = calloc(c->height, row_bytes);
    png_bytep *ptrs = malloc(c->height * sizeof *ptrs);
    membuf m = {NULL, 0};

    assert_true(png != NULL && info != NULL && samples && rows && ptrs);
    for (unsigned y = 0; y < c->height; y++) {
        size_t n = 0;
        for (unsigned x = 0; x < c->width; x++)
            n += samples_of(c, c->pixels[y * c->width + x], samples + n, palette, alpha, &count);
        ptrs[y] = rows + y * row_bytes;
        pack(samples, n, c->depth, ptrs[y]);
    }
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not write %s", c->name);
    png_set_write_fn(png, &m, to_memory, no_flush);
    png_set_IHDR(png, info, c->width, c->height, c->depth, c->color_type,
                 c->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (c->color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_PLTE(png, info, palette, count);
        png_set_tRNS(png, info, alpha, count, NULL);
    }
    if (c->trns_gray >= 0) {
        png_color_16 key = {.gray = (png_uint_16)c->trns_gray};
        png_set_tRNS(png, info, NULL, 0, &key);
    }
    if (c->ppm != 0)
        png_set_pHYs(png, info, c->ppm, c->ppm, PNG_RESOLUTION_METER);
    png_set_rows(png, info, ptrs);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    png_destroy_write_struct(&png, &info);
    free(samples);
    free(rows);
    free(ptrs);
    *len = m.len;
    return m.data;
}

/* ---- a one-page PDF showing images, rendered by poppler ---- */

typedef struct page {
    int width, height;
    const char *content; /* draws /Im1, /Im2... */
} page;

/* Writes `pdf_path`: a 300x200 (or the page's size) page with the images as /Im1, /Im2... */
static void make_pdf(const char *pdf_path, const page *pg, lsi_image *const *images, size_t n,
                     uint32_t *nums)
{
    char box[128];
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", box};
    size_t len;
    char *base;
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_writer *w = NULL;
    lsi_output *out = NULL;
    lsi_input in;
    lsi_arena *arena = lsi_arena_new(0);
    const lsi_pdf_obj *old_page = NULL;
    lsi_pdf_obj *xobjects = lsi_pdf_new_dict(arena), *resources, *new_page;
    uint32_t content;

    snprintf(box, sizeof box, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] >>", pg->width,
             pg->height);
    base = mini_pdf(objs, 3, &len);
    lsi_input_from_memory(base, len, &in);
    assert_int_equal(lsi_pdf_doc_open((const unsigned char *)base, len, NULL, &doc), LSIGN_OK);
    assert_int_equal(lsi_output_to_path(pdf_path, &out), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_begin(doc, &in, out, &w), LSIGN_OK);
    for (size_t i = 0; i < n; i++) {
        char name[32];
        if (lsi_image_write(images[i], w, arena, &nums[i]) != LSIGN_OK)
            fail_msg("lsi_image_write: %s", lsign_last_error());
        snprintf(name, sizeof name, "Im%zu", i + 1);
        xobjects = lsi_pdf_dict_with(arena, xobjects, name, lsi_pdf_new_ref(arena, nums[i], 0));
    }
    content = lsi_pdf_writer_new_number(w);
    assert_int_equal(lsi_pdf_writer_put_stream(w, content, lsi_pdf_new_dict(arena),
                                               (const unsigned char *)pg->content,
                                               strlen(pg->content)),
                     LSIGN_OK);
    resources = lsi_pdf_dict_with(arena, NULL, "XObject", xobjects);
    assert_int_equal(lsi_pdf_doc_get(doc, 3, &old_page), LSIGN_OK);
    new_page = lsi_pdf_dict_with(arena, old_page, "Resources", resources);
    new_page = lsi_pdf_dict_with(arena, new_page, "Contents", lsi_pdf_new_ref(arena, content, 0));
    assert_int_equal(lsi_pdf_built(new_page), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_put(w, 3, new_page), LSIGN_OK);
    assert_int_equal(lsi_pdf_writer_finish(w), LSIGN_OK);
    assert_int_equal(lsi_output_commit(out), LSIGN_OK);
    lsi_pdf_writer_free(w);
    lsi_output_free(out);
    lsi_pdf_doc_free(doc);
    lsi_arena_free(arena);
    free(base);
}

typedef struct raster {
    int width, height;
    unsigned char *rgb;
} raster;

/* pdftoppm at 72 dpi: one pixel per point. */
static raster render(const char *pdf_path)
{
    char cmd[2048], ppm[600];
    raster r = {0, 0, NULL};
    size_t len;
    unsigned char *data;
    int maxval = 0, used = 0;

    snprintf(cmd, sizeof cmd, "pdftoppm -r 72 -singlefile '%s' '%s.render'", pdf_path, pdf_path);
    if (system(cmd) != 0)
        fail_msg("pdftoppm failed on %s", pdf_path);
    snprintf(ppm, sizeof ppm, "%s.render.ppm", pdf_path);
    data = test_read_file(ppm, &len);
    if (sscanf((const char *)data, "P6 %d %d %d%n", &r.width, &r.height, &maxval, &used) != 3 ||
        maxval != 255 || len < (size_t)used + 1 + (size_t)r.width * (size_t)r.height * 3)
        fail_msg("%s is not a PPM of 8-bit RGB", ppm);
    r.rgb = malloc((size_t)r.width * (size_t)r.height * 3);
    memcpy(r.rgb, data + used + 1, (size_t)r.width * (size_t)r.height * 3);
    free(data);
    return r;
}

static void expect_pixel(const raster *r, int x, int y, int red, int green, int blue, int tol,
                         const char *what)
{
    const unsigned char *p = r->rgb + ((size_t)y * (size_t)r->width + (size_t)x) * 3;

    if (abs(p[0] - red) > tol || abs(p[1] - green) > tol || abs(p[2] - blue) > tol)
        fail_msg("%s: pixel (%d,%d) is (%d,%d,%d), expected (%d,%d,%d) +-%d", what, x, y, p[0],
                 p[1], p[2], red, green, blue, tol);
}

static void qpdf_check(const char *pdf_path)
{
    char cmd[1024];

    snprintf(cmd, sizeof cmd, "qpdf --check '%s' > /dev/null", pdf_path);
    if (system(cmd) != 0)
        fail_msg("qpdf --check fails on %s", pdf_path);
}

/* What the written image dictionary says. */
typedef struct xobject_info {
    char space[32], filter[32];
    int64_t width, height, bits;
    int smask, decode;
} xobject_info;

static void name_of(const lsi_pdf_obj *obj, char *buf, size_t size)
{
    const char *name = "";
    size_t len = 0;

    if (!lsi_pdf_get_name(obj, &name, &len))
        len = 0;
    snprintf(buf, size, "%.*s", (int)len, name);
}

static xobject_info inspect(const char *pdf_path, uint32_t num)
{
    size_t len;
    unsigned char *pdf = test_read_file(pdf_path, &len);
    lsi_pdf_doc *doc = NULL;
    const lsi_pdf_obj *obj = NULL, *dict, *smask;
    xobject_info info;

    memset(&info, 0, sizeof info);
    assert_int_equal(lsi_pdf_doc_open(pdf, len, NULL, &doc), LSIGN_OK);
    assert_int_equal(lsi_pdf_doc_get(doc, num, &obj), LSIGN_OK);
    assert_int_equal(obj->type, LSI_PDF_STREAM);
    dict = obj->u.stream.dict;
    assert_true(lsi_pdf_name_is(lsi_pdf_dict_get(dict, "Type"), "XObject"));
    assert_true(lsi_pdf_name_is(lsi_pdf_dict_get(dict, "Subtype"), "Image"));
    name_of(lsi_pdf_dict_get(dict, "ColorSpace"), info.space, sizeof info.space);
    name_of(lsi_pdf_dict_get(dict, "Filter"), info.filter, sizeof info.filter);
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(dict, "Width"), &info.width));
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(dict, "Height"), &info.height));
    assert_true(lsi_pdf_get_int(lsi_pdf_dict_get(dict, "BitsPerComponent"), &info.bits));
    smask = lsi_pdf_dict_get(dict, "SMask");
    info.smask = smask != NULL && smask->type == LSI_PDF_REF;
    info.decode = lsi_pdf_count(lsi_pdf_dict_get(dict, "Decode")) == 8;
    lsi_pdf_doc_free(doc);
    free(pdf);
    return info;
}

/* ---- PNG cases: each shown at 200x100 pt in a 300x200 page, pixel centres checked ---- */

static const page standard_page = {300, 200, "q 200 0 0 100 50 50 cm /Im1 Do Q"};

/* Opaque red, fully transparent, half-transparent blue (light blue over white), opaque green;
 * opaque black and blue, red at a quarter, opaque gray. */
static const rgba rgba_px[] = {{255, 0, 0, 255}, {0, 0, 0, 0},        {0, 0, 255, 128},
                               {0, 255, 0, 255}, {0, 0, 0, 255},      {0, 0, 255, 255},
                               {255, 0, 0, 64},  {128, 128, 128, 255}};
static const rgba opaque_px[] = {{255, 0, 0, 255},   {0, 255, 0, 255},    {0, 0, 255, 255},
                                 {0, 0, 0, 255},     {255, 255, 0, 255},  {0, 255, 255, 255},
                                 {40, 80, 120, 255}, {255, 255, 255, 255}};
static const rgba gray_px[] = {{0, 0, 0, 255},       {255, 255, 255, 255}, {128, 128, 128, 255},
                               {64, 64, 64, 255},    {200, 200, 200, 255}, {16, 16, 16, 255},
                               {100, 100, 100, 255}, {240, 240, 240, 255}};
static const rgba gray_alpha_px[] = {{0, 0, 0, 255},       {0, 0, 0, 0},      {0, 0, 0, 128},
                                     {255, 255, 255, 255}, {80, 80, 80, 255}, {0, 0, 0, 64},
                                     {200, 200, 200, 0},   {30, 30, 30, 200}};
/* Gray 7 is made transparent by tRNS. */
static const rgba gray_trns_px[] = {{0, 0, 0, 255},       {7, 7, 7, 0},      {128, 128, 128, 255},
                                    {7, 7, 7, 0},         {64, 64, 64, 255}, {7, 7, 7, 0},
                                    {255, 255, 255, 255}, {30, 30, 30, 255}};
static const rgba bits1_px[] = {
    {0, 0, 0, 255},       {255, 255, 255, 255}, {0, 0, 0, 255},       {255, 255, 255, 255},
    {0, 0, 0, 255},       {0, 0, 0, 255},       {255, 255, 255, 255}, {0, 0, 0, 255},
    {255, 255, 255, 255}, {0, 0, 0, 255},       {255, 255, 255, 255}, {0, 0, 0, 255},
    {255, 255, 255, 255}, {255, 255, 255, 255}, {0, 0, 0, 255},       {255, 255, 255, 255}};

static rgba interlaced_px[8 * 8];

static void fill_interlaced(void)
{
    static const unsigned char alphas[] = {255, 0, 128};

    for (unsigned y = 0; y < 8; y++)
        for (unsigned x = 0; x < 8; x++)
            interlaced_px[y * 8 + x] =
                (rgba){(unsigned char)(x * 36), (unsigned char)(y * 36),
                       (unsigned char)(255 - x * 30), alphas[(x + 2 * y) % 3]};
}

static const png_case png_cases[] = {
    {"gray8", PNG_COLOR_TYPE_GRAY, 8, 0, 4, 2, gray_px, 0, -1, 0, "DeviceGray"},
    {"gray8-trns", PNG_COLOR_TYPE_GRAY, 8, 0, 4, 2, gray_trns_px, 0, 7, 1, "DeviceGray"},
    {"gray-alpha8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, 4, 2, gray_alpha_px, 0, -1, 1, "DeviceGray"},
    {"gray-alpha16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0, 4, 2, gray_alpha_px, 0, -1, 1, "DeviceGray"},
    {"gray1", PNG_COLOR_TYPE_GRAY, 1, 0, 8, 2, bits1_px, 3780, -1, 0, "DeviceGray"},
    {"rgb8", PNG_COLOR_TYPE_RGB, 8, 0, 4, 2, opaque_px, 0, -1, 0, "DeviceRGB"},
    {"rgba8", PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 4, 2, rgba_px, 2835, -1, 1, "DeviceRGB"},
    {"rgba8-opaque", PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 4, 2, opaque_px, 0, -1, 0, "DeviceRGB"},
    {"rgba16", PNG_COLOR_TYPE_RGB_ALPHA, 16, 0, 4, 2, rgba_px, 0, -1, 1, "DeviceRGB"},
    {"palette4-trns", PNG_COLOR_TYPE_PALETTE, 4, 0, 4, 2, rgba_px, 0, -1, 1, "DeviceRGB"},
    {"palette8-opaque", PNG_COLOR_TYPE_PALETTE, 8, 1, 4, 2, opaque_px, 0, -1, 0, "DeviceRGB"},
    {"rgba8-interlaced", PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 8, 8, interlaced_px, 0, -1, 1,
     "DeviceRGB"},
    {"rgb16-interlaced", PNG_COLOR_TYPE_RGB, 16, 1, 4, 2, opaque_px, 0, -1, 0, "DeviceRGB"},
};

static const png_case *find_case(const char *name)
{
    for (size_t i = 0; i < sizeof png_cases / sizeof png_cases[0]; i++)
        if (strcmp(png_cases[i].name, name) == 0)
            return &png_cases[i];
    fail_msg("no case %s", name);
    return NULL;
}

/* What a component `c` with alpha `a` looks like over a white page. */
static int over_white(unsigned char c, unsigned char a)
{
    return (c * a + 255 * (255 - a) + 127) / 255;
}

static void check_render(const png_case *c, const raster *r)
{
    double cw = 200.0 / c->width, ch = 100.0 / c->height;

    expect_pixel(r, 10, 10, 255, 255, 255, 0, "the page outside the image");
    for (unsigned y = 0; y < c->height; y++)
        for (unsigned x = 0; x < c->width; x++) {
            rgba p = c->pixels[y * c->width + x];
            char what[96];
            snprintf(what, sizeof what, "%s pixel %u,%u", c->name, x, y);
            expect_pixel(r, 50 + (int)((x + 0.5) * cw), 50 + (int)((y + 0.5) * ch),
                         over_white(p.r, p.a), over_white(p.g, p.a), over_white(p.b, p.a), 3, what);
        }
}

static void check_png_case(const png_case *c)
{
    size_t len;
    unsigned char *bytes = encode_png(c, &len);
    lsi_image *img = NULL;
    unsigned w, h;
    double wmm = -1, hmm = -1;
    uint32_t num;
    xobject_info info;
    raster r;
    const char *png_path = in_dir("case.png"), *pdf_path = in_dir("case.pdf");

    spill(png_path, bytes, len);
    if (lsi_image_read_file(png_path, &img) != LSIGN_OK)
        fail_msg("%s: %s", c->name, lsign_last_error());
    lsi_image_size(img, &w, &h, &wmm, &hmm);
    assert_int_equal(w, c->width);
    assert_int_equal(h, c->height);
    assert_true(wmm >= 0 && hmm >= 0 && (c->ppm != 0) == (wmm > 0));
    if (c->ppm != 0) {
        assert_true(near(wmm, c->width * 1000.0 / c->ppm, 1e-9));
        assert_true(near(hmm, c->height * 1000.0 / c->ppm, 1e-9));
    }
    make_pdf(pdf_path, &standard_page, &img, 1, &num);
    info = inspect(pdf_path, num);
    assert_string_equal(info.space, c->space);
    assert_string_equal(info.filter, "FlateDecode");
    assert_int_equal(info.width, c->width);
    assert_int_equal(info.bits, 8);
    if (info.smask != c->smask)
        fail_msg("%s: /SMask %s", c->name, info.smask ? "present" : "missing");
    qpdf_check(pdf_path);
    r = render(pdf_path);
    assert_int_equal(r.width, 300);
    assert_int_equal(r.height, 200);
    check_render(c, &r);
    free(r.rgb);
    lsi_image_free(img);
    free(bytes);
}

static void test_png_kinds_render(void **state)
{
    (void)state;
    fill_interlaced();
    for (size_t i = 0; i < sizeof png_cases / sizeof png_cases[0]; i++)
        check_png_case(&png_cases[i]);
}

/* From memory: the image keeps its own copy of what it needs. */
static void test_png_from_memory(void **state)
{
    size_t len;
    unsigned char *bytes = encode_png(find_case("rgba8"), &len);
    lsi_image *img = NULL;
    unsigned w = 0, h = 0;

    (void)state;
    assert_int_equal(lsi_image_read(bytes, len, &img), LSIGN_OK);
    memset(bytes, 0, len); /* the image keeps no pointer into the caller's data */
    lsi_image_size(img, &w, &h, NULL, NULL);
    assert_int_equal(w, 4);
    assert_int_equal(h, 2);
    lsi_image_free(img);
    lsi_image_free(NULL);
    free(bytes);
}

/* ---- JPEG ---- */

typedef struct jpeg_case {
    const char *file, *space;
    double mm; /* the width the JFIF density gives */
    int decode;
    int left[3], right[3]; /* the halves' colours */
} jpeg_case;

static void check_jpeg_case(const jpeg_case *c)
{
    lsi_image *img = NULL;
    unsigned w, h;
    double wmm, hmm;
    uint32_t num;
    xobject_info info;
    raster r;
    const char *pdf_path = in_dir("jpeg.pdf");
    const page pg = {300, 200, "q 200 0 0 100 50 50 cm /Im1 Do Q"};

    if (lsi_image_read_file(vector(c->file), &img) != LSIGN_OK)
        fail_msg("%s: %s", c->file, lsign_last_error());
    lsi_image_size(img, &w, &h, &wmm, &hmm);
    assert_int_equal(w, 32);
    assert_int_equal(h, 16);
    assert_true(near(wmm, c->mm, 1e-9) && near(hmm, c->mm / 2, 1e-9));
    make_pdf(pdf_path, &pg, &img, 1, &num);
    info = inspect(pdf_path, num);
    assert_string_equal(info.filter, "DCTDecode");
    assert_string_equal(info.space, c->space);
    assert_int_equal(info.smask, 0);
    assert_int_equal(info.decode, c->decode);
    qpdf_check(pdf_path);
    r = render(pdf_path);
    expect_pixel(&r, 10, 10, 255, 255, 255, 0, c->file);
    expect_pixel(&r, 100, 100, c->left[0], c->left[1], c->left[2], 40, c->file);
    expect_pixel(&r, 200, 100, c->right[0], c->right[1], c->right[2], 40, c->file);
    free(r.rgb);
    lsi_image_free(img);
}

static void test_jpeg_kinds_render(void **state)
{
    static const jpeg_case cases[] = {
        {"rgb-baseline.jpg", "DeviceRGB", 32 * 25.4 / 72, 0, {255, 0, 0}, {0, 0, 255}},
        {"rgb-progressive.jpg", "DeviceRGB", 32 * 25.4 / 72, 0, {255, 0, 0}, {0, 0, 255}},
        {"cmyk.jpg", "DeviceCMYK", 32 * 25.4 / 72, 1, {237, 28, 36}, {46, 49, 146}},
        {"gray.jpg", "DeviceGray", 32 * 10.0 / 28, 0, {40, 40, 40}, {220, 220, 220}},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_jpeg_case(&cases[i]);
}

/* ---- the images the visible-signature templates use ---- */

static void test_signature_and_seal(void **state)
{
    lsi_image *sig = NULL, *seal = NULL;
    unsigned w, h;
    double wmm, hmm;
    uint32_t nums[2];
    raster r;
    const char *pdf_path = in_dir("realistic.pdf");
    /* Each at one pixel per point; the seal 40 mm across would be 113.4 pt. */
    const page pg = {1000, 400,
                     "q 600 0 0 250 0 150 cm /Im1 Do Q q 400 0 0 400 600 0 cm /Im2 Do Q"};
    lsi_image *both[2];

    (void)state;
    assert_int_equal(lsi_image_read_file(vector("signature-blue.png"), &sig), LSIGN_OK);
    assert_int_equal(lsi_image_read_file(vector("seal-red.png"), &seal), LSIGN_OK);
    lsi_image_size(sig, &w, &h, &wmm, &hmm);
    assert_int_equal(w, 600);
    assert_int_equal(h, 250);
    assert_true(near(wmm, 600 * 25.4 / 300, 0.01)); /* 300 dpi */
    lsi_image_size(seal, &w, &h, &wmm, &hmm);
    assert_int_equal(w, 400);
    assert_int_equal(h, 400);
    assert_true(near(wmm, 40.0, 1e-9) && near(hmm, 40.0, 1e-9));
    both[0] = sig;
    both[1] = seal;
    make_pdf(pdf_path, &pg, both, 2, nums);
    assert_int_equal(inspect(pdf_path, nums[0]).smask, 1);
    assert_int_equal(inspect(pdf_path, nums[1]).smask, 1);
    qpdf_check(pdf_path);
    r = render(pdf_path);
    expect_pixel(&r, 5, 5, 255, 255, 255, 0, "signature: transparent corner");
    expect_pixel(&r, 300, 240, 255, 255, 255, 0, "signature: between strokes");
    expect_pixel(&r, 300, 207, 20, 44, 168, 30, "signature: the flourish");
    expect_pixel(&r, 605, 5, 255, 255, 255, 0, "seal: transparent corner");
    expect_pixel(&r, 700, 200, 255, 255, 255, 0, "seal: inside the ring");
    expect_pixel(&r, 800, 10, 206, 20, 32, 60, "seal: the outer ring");
    expect_pixel(&r, 800, 194, 206, 20, 32, 60, "seal: the star");
    free(r.rgb);
    lsi_image_free(sig);
    lsi_image_free(seal);
}

/* ---- hostile input ---- */

static void expect_error(const unsigned char *data, size_t len, int code, const char *needle)
{
    lsi_image *img = (lsi_image *)&img;
    int rc = lsi_image_read(data, len, &img);

    if (rc != code || img != NULL)
        fail_msg("expected %s, got %s: %s", lsign_strerror(code), lsign_strerror(rc),
                 lsign_last_error());
    if (needle != NULL && strstr(lsign_last_error(), needle) == NULL)
        fail_msg("message '%s' does not mention '%s'", lsign_last_error(), needle);
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Signature, IHDR of the given size (RGBA 8), a little IDAT and IEND, with valid CRCs. */
static size_t png_declaring(uint32_t width, uint32_t height, unsigned char *out)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char z[64];
    uLongf zlen = sizeof z;
    unsigned char zeros[16] = {0};
    size_t n = 8;

    memcpy(out, sig, 8);
    put_be32(out + n, 13);
    memcpy(out + n + 4, "IHDR", 4);
    put_be32(out + n + 8, width);
    put_be32(out + n + 12, height);
    memcpy(out + n + 16, "\x08\x06\x00\x00\x00", 5);
    put_be32(out + n + 21, (uint32_t)crc32(0, out + n + 4, 17));
    n += 25;
    assert_int_equal(compress(z, &zlen, zeros, sizeof zeros), Z_OK);
    put_be32(out + n, (uint32_t)zlen);
    memcpy(out + n + 4, "IDAT", 4);
    memcpy(out + n + 8, z, zlen);
    put_be32(out + n + 8 + zlen, (uint32_t)crc32(0, out + n + 4, (uInt)zlen + 4));
    n += 12 + zlen;
    memcpy(out + n, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
    return n + 12;
}

static void test_hostile_png(void **state)
{
    size_t len;
    unsigned char *good = encode_png(find_case("rgba8"), &len), *bad = malloc(len);
    unsigned char huge[128];

    (void)state;
    /* Every prefix of a valid file fails cleanly: nothing is read past the end. */
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *copy = malloc(cut + 1);
        memcpy(copy, good, cut);
        expect_error(copy, cut, LSIGN_E_PARSE, NULL);
        free(copy);
    }
    expect_error(good, len - 12, LSIGN_E_PARSE, "PNG: ");
    /* A bit flipped in IHDR's height, then in IDAT's CRC (checked once the image is read). */
    memcpy(bad, good, len);
    bad[20] ^= 1;
    expect_error(bad, len, LSIGN_E_PARSE, "CRC");
    memcpy(bad, good, len);
    bad[len - 13] ^= 0x40;
    expect_error(bad, len, LSIGN_E_PARSE, "CRC");
    /* Declared sizes over the limit give LSIGN_E_LIMIT before anything is allocated. */
    expect_error(huge, png_declaring(20000, 20000, huge), LSIGN_E_LIMIT, "20000x20000");
    expect_error(huge, png_declaring(10001, 1, huge), LSIGN_E_LIMIT, "limit");
    expect_error(huge, png_declaring(1, 10001, huge), LSIGN_E_LIMIT, "limit");
    expect_error(huge, png_declaring(0x7fffffff, 0x7fffffff, huge), LSIGN_E_LIMIT, "limit");
    /* At the limit it is allowed, and the missing data is the error. */
    expect_error(huge, png_declaring(10000, 10000, huge), LSIGN_E_PARSE, "PNG: ");
    expect_error(huge, png_declaring(0, 5, huge), LSIGN_E_PARSE, "PNG: ");
    free(good);
    free(bad);
}

static void test_hostile_jpeg(void **state)
{
    static const unsigned char no_sof[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',
                                           'F',  0x00, 0x01, 0x01, 0x01, 0x00, 0x48, 0x00, 0x48,
                                           0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00,
                                           0x00, 0x3F, 0x00, 0xD2, 0xCF, 0x20, 0xFF, 0xD9};
    /* SOFn (baseline, 8-bit, 3 components) declaring 20000x16. */
    unsigned char sof[] = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10,
                           0x4E, 0x20, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x00,
                           0x03, 0x11, 0x00, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9};
    size_t len;
    unsigned char *good = test_read_file(vector("rgb-baseline.jpg"), &len);

    (void)state;
    expect_error(no_sof, sizeof no_sof, LSIGN_E_PARSE, "SOF");
    expect_error(sof, sizeof sof, LSIGN_E_LIMIT, "20000x16");
    sof[9] = 0;
    sof[10] = 0x20; /* 32 wide: accepted */
    {
        lsi_image *img = NULL;
        assert_int_equal(lsi_image_read(sof, sizeof sof, &img), LSIGN_OK);
        lsi_image_free(img);
    }
    sof[6] = 12;
    expect_error(sof, sizeof sof, LSIGN_E_UNSUPPORTED, "12-bit");
    sof[6] = 8;
    sof[3] = 0xC3;
    expect_error(sof, sizeof sof, LSIGN_E_UNSUPPORTED, "lossless");
    sof[3] = 0xC0;
    sof[11] = 2;
    expect_error(sof, sizeof sof, LSIGN_E_PARSE, "components");
    sof[11] = 3;
    sof[5] = 0x40; /* the segment runs past the end */
    expect_error(sof, sizeof sof, LSIGN_E_PARSE, "past the end");
    /* Prefixes of a real JPEG: an error before the scan, never a crash or a read past the end. */
    for (size_t cut = 0; cut < len; cut++) {
        lsi_image *img = NULL;
        unsigned char *copy = malloc(cut + 1);
        int rc;
        memcpy(copy, good, cut);
        rc = lsi_image_read(copy, cut, &img);
        assert_true(rc == LSIGN_OK || rc == LSIGN_E_PARSE);
        lsi_image_free(img);
        free(copy);
    }
    free(good);
}

static void test_empty_and_unknown(void **state)
{
    lsi_image *img = NULL;
    const char *empty = in_dir("empty.png"), *missing = in_dir("missing.png");

    (void)state;
    expect_error((const unsigned char *)"", 0, LSIGN_E_PARSE, "empty");
    expect_error((const unsigned char *)"GIF89a....", 10, LSIGN_E_PARSE, "neither");
    expect_error((const unsigned char *)"\x89PNG", 4, LSIGN_E_PARSE, "neither");
    spill(empty, "", 0);
    assert_int_equal(lsi_image_read_file(empty, &img), LSIGN_E_PARSE);
    assert_null(img);
    assert_non_null(strstr(lsign_last_error(), empty));
    assert_int_equal(lsi_image_read_file(missing, &img), LSIGN_E_IO);
    assert_non_null(strstr(lsign_last_error(), missing));
    spill(empty, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(lsi_image_read_file(empty, &img), LSIGN_E_PARSE);
    assert_non_null(strstr(lsign_last_error(), empty));
    assert_non_null(strstr(lsign_last_error(), "PNG: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_kinds_render),  cmocka_unit_test(test_png_from_memory),
        cmocka_unit_test(test_jpeg_kinds_render), cmocka_unit_test(test_signature_and_seal),
        cmocka_unit_test(test_hostile_png),       cmocka_unit_test(test_hostile_jpeg),
        cmocka_unit_test(test_empty_and_unknown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
