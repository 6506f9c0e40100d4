#include "appearance/image.h"

#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>

#include "core/error.h"
#include "core/grow.h"
#include "core/io.h"
#include "pdf/build.h"

#define CHUNK_COUNT_MAX 128           /* ancillary chunks kept by libpng */
#define CHUNK_BYTES_MAX (1024 * 1024) /* largest ancillary chunk, decompressed */

struct lsi_image {
    unsigned width, height;
    double width_mm, height_mm; /* 0 when the file does not say */
    unsigned components;        /* colour components: 1, 3 or 4 */
    int jpeg;                   /* samples are a JPEG file, for /DCTDecode */
    int adobe_inverted;         /* JPEG CMYK stored inverted (Adobe APP14) */
    unsigned char *samples;     /* PNG: deflated 8-bit colour samples; JPEG: the file */
    size_t samples_len;
    unsigned char *alpha; /* PNG: deflated 8-bit alpha; NULL when fully opaque */
    size_t alpha_len;
};

static int check_size(const char *format, unsigned long width, unsigned long height)
{
    if (width == 0 || height == 0)
        return lsi_error(LSIGN_E_PARSE, "%s: the image is empty (%lux%lu pixels)", format, width,
                         height);
    if (width > LSI_IMAGE_MAX_SIDE || height > LSI_IMAGE_MAX_SIDE ||
        (unsigned long long)width * height > LSI_IMAGE_MAX_PIXELS)
        return lsi_error(LSIGN_E_LIMIT, "%s: %lux%lu pixels is over the limit of %ux%u", format,
                         width, height, LSI_IMAGE_MAX_SIDE, LSI_IMAGE_MAX_SIDE);
    return LSIGN_OK;
}

/* ---- deflating rows as they are decoded, so no raw copy of the image is kept ---- */

typedef struct deflater {
    z_stream zs;
    int open;
    unsigned char *data;
    size_t len, cap;
} deflater;

static int deflater_init(deflater *d)
{
    memset(d, 0, sizeof *d);
    if (deflateInit(&d->zs, Z_DEFAULT_COMPRESSION) != Z_OK)
        return lsi_error_nomem();
    d->open = 1;
    return LSIGN_OK;
}

/* Feeds `len` bytes (at most a row, so they fit a uInt); Z_FINISH ends the stream. */
static int deflater_put(deflater *d, const unsigned char *in, size_t len, int flush)
{
    int zrc, rc;

    d->zs.next_in = (Bytef *)(uintptr_t)in;
    d->zs.avail_in = (uInt)len;
    for (;;) {
        if ((rc = lsi_reserve((void **)&d->data, &d->cap, d->len, 1)) != LSIGN_OK)
            return rc;
        d->zs.next_out = d->data + d->len;
        d->zs.avail_out = (uInt)(d->cap - d->len > UINT_MAX ? UINT_MAX : d->cap - d->len);
        zrc = deflate(&d->zs, flush);
        d->len = (size_t)(d->zs.next_out - d->data);
        if (zrc == Z_STREAM_END)
            return LSIGN_OK;
        if (zrc != Z_OK && zrc != Z_BUF_ERROR)
            return lsi_error(LSIGN_E_NOMEM, "image: deflate failed (zlib %d)", zrc);
        if (flush == Z_NO_FLUSH && d->zs.avail_in == 0 && d->zs.avail_out > 0)
            return LSIGN_OK;
    }
}

static void deflater_end(deflater *d)
{
    if (d->open)
        deflateEnd(&d->zs);
    free(d->data);
    memset(d, 0, sizeof *d);
}

/* ---- PNG ---- */

typedef struct decode_job {
    const unsigned char *data;
    size_t len, pos;
    char message[256]; /* libpng's error */
    png_structp png;
    png_infop info;
    unsigned channels;     /* after the transformations: 1 to 4, 8 bits each */
    unsigned char *pixels; /* one row, or the whole image when interlaced */
    png_bytep *rows;       /* row pointers into `pixels` when interlaced */
    unsigned char *split;  /* one row of colour, then one row of alpha */
    deflater color, alpha;
    int translucent; /* some alpha is below 255 */
    lsi_image *img;
} decode_job;

/* libpng's errors must not return: keep the message and jump back to decode_png(). */
static void on_png_error(png_structp png, png_const_charp message)
{
    decode_job *job = png_get_error_ptr(png);

    snprintf(job->message, sizeof job->message, "%s", message);
    png_longjmp(png, 1);
}

/* Warnings are about ancillary chunks the image is read without: not worth failing over. */
static void on_png_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;
}

static void on_png_read(png_structp png, png_bytep out, size_t len)
{
    decode_job *job = png_get_io_ptr(png);

    if (len > job->len - job->pos)
        png_error(png, "the file is truncated");
    memcpy(out, job->data + job->pos, len);
    job->pos += len;
}

static void read_phys(decode_job *job)
{
    png_uint_32 x = 0, y = 0;
    int unit = PNG_RESOLUTION_UNKNOWN;

    if (!png_get_pHYs(job->png, job->info, &x, &y, &unit) || unit != PNG_RESOLUTION_METER)
        return; /* no pHYs, or only an aspect ratio */
    if (x > 0)
        job->img->width_mm = job->img->width * 1000.0 / x;
    if (y > 0)
        job->img->height_mm = job->img->height * 1000.0 / y;
}

/* Splits one decoded row into colour and alpha, and deflates both. */
static int take_row(decode_job *job, const unsigned char *row)
{
    size_t width = job->img->width, comps = job->img->components;
    unsigned char *color = job->split, *alpha = job->split + width * comps;
    int rc;

    if (job->channels == comps)
        return deflater_put(&job->color, row, width * comps, Z_NO_FLUSH);
    for (size_t x = 0; x < width; x++) {
        memcpy(color + x * comps, row + x * job->channels, comps);
        alpha[x] = row[x * job->channels + comps];
        job->translucent |= alpha[x] != 255;
    }
    rc = deflater_put(&job->color, color, width * comps, Z_NO_FLUSH);
    return rc == LSIGN_OK ? deflater_put(&job->alpha, alpha, width, Z_NO_FLUSH) : rc;
}

/* Non-interlaced images are read one row at a time. */
static int read_rows_progressive(decode_job *job, size_t rowbytes)
{
    int rc = LSIGN_OK;

    if ((job->pixels = malloc(rowbytes)) == NULL)
        return lsi_error_nomem();
    for (unsigned y = 0; y < job->img->height && rc == LSIGN_OK; y++) {
        png_read_row(job->png, job->pixels, NULL);
        rc = take_row(job, job->pixels);
    }
    return rc;
}

/* Interlaced images need the whole image: later passes fill in earlier rows. */
static int read_rows_interlaced(decode_job *job, size_t rowbytes)
{
    unsigned height = job->img->height;
    int rc = LSIGN_OK;

    /* Both live in the job: libpng may jump out of png_read_image() past any free(). */
    job->rows = malloc(height * sizeof *job->rows);
    job->pixels = calloc(height, rowbytes);
    if (job->rows == NULL || job->pixels == NULL)
        return lsi_error_nomem();
    for (unsigned y = 0; y < height; y++)
        job->rows[y] = job->pixels + y * rowbytes;
    png_read_image(job->png, job->rows);
    for (unsigned y = 0; y < height && rc == LSIGN_OK; y++)
        rc = take_row(job, job->pixels + y * rowbytes);
    return rc;
}

/* Asks libpng for 8-bit gray, gray+alpha, RGB or RGBA rows whatever the file holds. */
static int setup_transforms(decode_job *job, int *passes)
{
    size_t width = job->img->width;

    png_set_expand(job->png);   /* palette to RGB, 1/2/4-bit gray to 8, tRNS to alpha */
    png_set_scale_16(job->png); /* 16 bits to 8, rounded */
    *passes = png_set_interlace_handling(job->png);
    png_read_update_info(job->png, job->info);
    job->channels = png_get_channels(job->png, job->info);
    if (png_get_bit_depth(job->png, job->info) != 8 || job->channels < 1 || job->channels > 4)
        return lsi_error(LSIGN_E_PARSE, "PNG: unexpected layout after decoding");
    job->img->components = job->channels >= 3 ? 3 : 1;
    if ((job->split = malloc(width * 4)) == NULL)
        return lsi_error_nomem();
    return LSIGN_OK;
}

/* Everything libpng may jump out of happens below setjmp; state lives in `job`. */
static int decode_png(decode_job *job)
{
    size_t rowbytes;
    int passes = 1, rc;

    if (setjmp(png_jmpbuf(job->png)))
        return lsi_error(LSIGN_E_PARSE, "PNG: %s", job->message);
    png_set_read_fn(job->png, job, on_png_read);
    /* libpng would refuse huge sizes as a plain error; check_size() reports a limit. */
    png_set_user_limits(job->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    /* Bounds on text and profile chunks, which are decompressed but never used. */
    png_set_chunk_cache_max(job->png, CHUNK_COUNT_MAX);
    png_set_chunk_malloc_max(job->png, CHUNK_BYTES_MAX);
    png_read_info(job->png, job->info);
    job->img->width = png_get_image_width(job->png, job->info);
    job->img->height = png_get_image_height(job->png, job->info);
    if ((rc = check_size("PNG", job->img->width, job->img->height)) != LSIGN_OK)
        return rc;
    read_phys(job);
    if ((rc = setup_transforms(job, &passes)) != LSIGN_OK)
        return rc;
    rowbytes = png_get_rowbytes(job->png, job->info);
    rc = passes > 1 ? read_rows_interlaced(job, rowbytes) : read_rows_progressive(job, rowbytes);
    if (rc == LSIGN_OK)
        png_read_end(job->png, NULL); /* checks the last CRCs and IEND */
    return rc;
}

static int finish_png(decode_job *job)
{
    lsi_image *img = job->img;
    int rc = deflater_put(&job->color, NULL, 0, Z_FINISH);

    if (rc == LSIGN_OK && job->translucent)
        rc = deflater_put(&job->alpha, NULL, 0, Z_FINISH);
    if (rc != LSIGN_OK)
        return rc;
    img->samples = job->color.data;
    img->samples_len = job->color.len;
    job->color.data = NULL;
    if (job->translucent) {
        img->alpha = job->alpha.data;
        img->alpha_len = job->alpha.len;
        job->alpha.data = NULL;
    }
    return LSIGN_OK;
}

static int read_png(const unsigned char *data, size_t len, lsi_image *img)
{
    decode_job job;
    int rc;

    memset(&job, 0, sizeof job);
    job.data = data;
    job.len = len;
    job.img = img;
    job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, on_png_error, on_png_warning);
    job.info = job.png != NULL ? png_create_info_struct(job.png) : NULL;
    rc = job.info != NULL ? deflater_init(&job.color) : lsi_error_nomem();
    if (rc == LSIGN_OK)
        rc = deflater_init(&job.alpha);
    if (rc == LSIGN_OK)
        rc = decode_png(&job);
    if (rc == LSIGN_OK)
        rc = finish_png(&job);
    png_destroy_read_struct(&job.png, &job.info, NULL);
    free(job.pixels);
    free(job.rows);
    free(job.split);
    deflater_end(&job.color);
    deflater_end(&job.alpha);
    return rc;
}

/* ---- JPEG: only the markers are read; the data goes to the PDF reader as is ---- */

typedef struct jpeg_markers {
    int frame; /* a SOFn was seen */
    int adobe; /* an Adobe APP14 segment */
    int unit;  /* JFIF density unit: 1 dpi, 2 dots per cm, else unknown */
    unsigned xd, yd;
} jpeg_markers;

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static int jpeg_frame(const unsigned char *seg, size_t n, unsigned marker, lsi_image *img)
{
    unsigned comps;

    if (marker != 0xC0 && marker != 0xC1 && marker != 0xC2)
        return lsi_error(LSIGN_E_UNSUPPORTED,
                         "JPEG: coding SOF%u (lossless, hierarchical or arithmetic) is not "
                         "shown by PDF readers; save it as baseline or progressive",
                         marker - 0xC0);
    if (n < 6 || n < 6 + 3 * (size_t)seg[5])
        return lsi_error(LSIGN_E_PARSE, "JPEG: the frame header (SOF) is cut short");
    if (seg[0] != 8)
        return lsi_error(LSIGN_E_UNSUPPORTED, "JPEG: %u-bit samples (PDF readers take 8)", seg[0]);
    comps = seg[5];
    if (comps != 1 && comps != 3 && comps != 4)
        return lsi_error(LSIGN_E_PARSE, "JPEG: %u colour components (1, 3 or 4 expected)", comps);
    if (be16(seg + 1) == 0)
        return lsi_error(LSIGN_E_UNSUPPORTED, "JPEG: the height is given after the data (DNL)");
    img->height = be16(seg + 1);
    img->width = be16(seg + 3);
    img->components = comps;
    return check_size("JPEG", img->width, img->height);
}

static void jpeg_app(const unsigned char *seg, size_t n, unsigned marker, jpeg_markers *m)
{
    if (marker == 0xE0 && n >= 12 && memcmp(seg, "JFIF", 5) == 0) {
        m->unit = seg[7];
        m->xd = be16(seg + 8);
        m->yd = be16(seg + 10);
    }
    if (marker == 0xEE && n >= 12 && memcmp(seg, "Adobe", 5) == 0)
        m->adobe = 1;
}

/* One marker segment at data[*pos] (just past its marker byte); advances *pos. */
static int jpeg_segment(const unsigned char *data, size_t len, size_t *pos, unsigned marker,
                        jpeg_markers *m, lsi_image *img)
{
    size_t seglen;
    int rc = LSIGN_OK;

    if (len - *pos < 2 || (seglen = be16(data + *pos)) < 2 || seglen > len - *pos)
        return lsi_error(LSIGN_E_PARSE, "JPEG: segment FF%02X runs past the end of the file",
                         marker);
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
        if (m->frame)
            return lsi_error(LSIGN_E_UNSUPPORTED, "JPEG: more than one frame (hierarchical)");
        rc = jpeg_frame(data + *pos + 2, seglen - 2, marker, img);
        m->frame = 1;
    } else {
        jpeg_app(data + *pos + 2, seglen - 2, marker, m);
    }
    *pos += seglen;
    return rc;
}

/* Walks the marker segments from SOI up to the first scan (SOS). */
static int jpeg_scan_markers(const unsigned char *data, size_t len, jpeg_markers *m, lsi_image *img)
{
    size_t pos = 2;
    unsigned marker;
    int rc;

    for (;;) {
        if (pos >= len)
            return lsi_error(LSIGN_E_PARSE, "JPEG: the file ends before the image data%s",
                             m->frame ? "" : " (no frame header SOFn)");
        if (data[pos] != 0xFF)
            return lsi_error(LSIGN_E_PARSE, "JPEG: no marker at byte %zu", pos);
        while (pos < len && data[pos] == 0xFF)
            pos++; /* fill bytes */
        if (pos >= len)
            continue;
        marker = data[pos++];
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; /* standalone markers */
        if (marker == 0x00 || marker == 0xD8 || marker == 0xD9)
            return lsi_error(LSIGN_E_PARSE, "JPEG: marker FF%02X before the image data%s", marker,
                             m->frame ? "" : " (no frame header SOFn)");
        if (marker == 0xDA)
            return m->frame ? LSIGN_OK
                            : lsi_error(LSIGN_E_PARSE,
                                        "JPEG: no frame header (SOFn) before the image data");
        if ((rc = jpeg_segment(data, len, &pos, marker, m, img)) != LSIGN_OK)
            return rc;
    }
}

static double density_mm(unsigned pixels, int unit, unsigned density)
{
    if (density == 0 || (unit != 1 && unit != 2))
        return 0;
    return pixels * (unit == 1 ? 25.4 : 10.0) / density;
}

static int read_jpeg(const unsigned char *data, size_t len, lsi_image *img)
{
    jpeg_markers m;
    int rc;

    memset(&m, 0, sizeof m);
    if ((rc = jpeg_scan_markers(data, len, &m, img)) != LSIGN_OK)
        return rc;
    img->jpeg = 1;
    img->adobe_inverted = m.adobe && img->components == 4;
    img->width_mm = density_mm(img->width, m.unit, m.xd);
    img->height_mm = density_mm(img->height, m.unit, m.yd);
    if ((img->samples = malloc(len)) == NULL)
        return lsi_error_nomem();
    memcpy(img->samples, data, len);
    img->samples_len = len;
    return LSIGN_OK;
}

/* ---- reading ---- */

int lsi_image_read(const unsigned char *data, size_t len, lsi_image **out)
{
    static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    lsi_image *img;
    int rc;

    *out = NULL;
    if (data == NULL && len > 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "image: no data");
    if (len == 0)
        return lsi_error(LSIGN_E_PARSE, "image: the file is empty");
    if ((img = calloc(1, sizeof *img)) == NULL)
        return lsi_error_nomem();
    if (len >= 8 && memcmp(data, png_signature, 8) == 0)
        rc = read_png(data, len, img);
    else if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        rc = read_jpeg(data, len, img);
    else
        rc = lsi_error(LSIGN_E_PARSE, "image: neither a PNG nor a JPEG file");
    if (rc != LSIGN_OK) {
        lsi_image_free(img);
        return rc;
    }
    *out = img;
    return LSIGN_OK;
}

int lsi_image_read_file(const char *path, lsi_image **out)
{
    lsi_input in;
    int rc;

    *out = NULL;
    if ((rc = lsi_input_open_file(path, &in, NULL)) != LSIGN_OK)
        return rc; /* the message names the path */
    rc = lsi_image_read(in.data, in.len, out);
    lsi_input_close(&in);
    return rc != LSIGN_OK ? lsi_error_wrap("'%s'", path) : LSIGN_OK;
}

void lsi_image_free(lsi_image *img)
{
    if (img == NULL)
        return;
    free(img->samples);
    free(img->alpha);
    free(img);
}

void lsi_image_size(const lsi_image *img, unsigned *width, unsigned *height, double *width_mm,
                    double *height_mm)
{
    if (width != NULL)
        *width = img->width;
    if (height != NULL)
        *height = img->height;
    if (width_mm != NULL)
        *width_mm = img->width_mm;
    if (height_mm != NULL)
        *height_mm = img->height_mm;
}

/* ---- writing ---- */

static const char *color_space(unsigned components)
{
    return components == 1 ? "DeviceGray" : components == 3 ? "DeviceRGB" : "DeviceCMYK";
}

static lsi_pdf_obj *image_dict(lsi_arena *arena, const lsi_image *img, unsigned components,
                               const char *filter)
{
    lsi_pdf_obj *d = lsi_pdf_with_name(arena, lsi_pdf_new_dict(arena), "Type", "XObject");

    d = lsi_pdf_with_name(arena, d, "Subtype", "Image");
    d = lsi_pdf_with(arena, d, "Width", lsi_pdf_new_int(arena, img->width));
    d = lsi_pdf_with(arena, d, "Height", lsi_pdf_new_int(arena, img->height));
    d = lsi_pdf_with_name(arena, d, "ColorSpace", color_space(components));
    d = lsi_pdf_with(arena, d, "BitsPerComponent", lsi_pdf_new_int(arena, 8));
    return lsi_pdf_with_name(arena, d, "Filter", filter);
}

/* /Decode [1 0 1 0 1 0 1 0]: Adobe's CMYK JPEGs store 255 for no ink. */
static lsi_pdf_obj *inverted_decode(lsi_arena *arena)
{
    lsi_pdf_obj *decode = lsi_pdf_new_array(arena, 8);

    for (size_t i = 0; decode != NULL && i < 8; i++)
        if ((decode->u.array.items[i] = lsi_pdf_new_int(arena, i % 2 == 0)) == NULL)
            return NULL;
    return decode;
}

static int write_smask(const lsi_image *img, lsi_pdf_writer *w, lsi_arena *arena, uint32_t *num)
{
    lsi_pdf_obj *dict = image_dict(arena, img, 1, "FlateDecode");

    if (dict == NULL)
        return lsi_pdf_built(dict);
    *num = lsi_pdf_writer_new_number(w);
    return lsi_pdf_writer_put_stream(w, *num, dict, img->alpha, img->alpha_len);
}

int lsi_image_write(const lsi_image *img, lsi_pdf_writer *w, lsi_arena *arena,
                    uint32_t *xobject_num)
{
    lsi_pdf_obj *dict =
        image_dict(arena, img, img->components, img->jpeg ? "DCTDecode" : "FlateDecode");
    uint32_t smask = 0;
    int rc;

    if (img->alpha != NULL && (rc = write_smask(img, w, arena, &smask)) != LSIGN_OK)
        return rc;
    if (smask != 0)
        dict = lsi_pdf_with(arena, dict, "SMask", lsi_pdf_new_ref(arena, smask, 0));
    if (img->adobe_inverted)
        dict = lsi_pdf_with(arena, dict, "Decode", inverted_decode(arena));
    if (dict == NULL)
        return lsi_pdf_built(dict);
    *xobject_num = lsi_pdf_writer_new_number(w);
    return lsi_pdf_writer_put_stream(w, *xobject_num, dict, img->samples, img->samples_len);
}
