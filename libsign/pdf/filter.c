#include "pdf/filter.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/error.h"
#include "pdf/lexer.h"

#define INFLATE_CHUNK ((size_t)64 * 1024)

/* Grows *buf so that at least `need` bytes fit, never beyond `max`. */
static int grow(unsigned char **buf, size_t *cap, size_t need, uint64_t max)
{
    size_t cap2 = *cap ? *cap : INFLATE_CHUNK;
    unsigned char *bigger;

    if (need > max)
        return lsi_error(LSIGN_E_LIMIT,
                         "FlateDecode: stream inflates to more than %llu bytes (limit)",
                         (unsigned long long)max);
    while (cap2 < need)
        cap2 = cap2 > SIZE_MAX / 2 ? SIZE_MAX : cap2 * 2;
    if (cap2 > max)
        cap2 = (size_t)max;
    bigger = realloc(*buf, cap2);
    if (bigger == NULL)
        return lsi_error_nomem();
    *buf = bigger;
    *cap = cap2;
    return LSIGN_OK;
}

static int inflate_all(z_stream *zs, uint64_t max_out, unsigned char **out, size_t *out_len,
                       int *truncated)
{
    size_t cap = 0, used = 0;
    int zrc = Z_OK, rc = LSIGN_OK;

    while (zrc != Z_STREAM_END) {
        if (used == cap && (rc = grow(out, &cap, used + 1, max_out)) != LSIGN_OK)
            break;
        zs->next_out = *out + used;
        zs->avail_out = (uInt)(cap - used > UINT32_MAX ? UINT32_MAX : cap - used);
        zrc = inflate(zs, Z_NO_FLUSH);
        used = (size_t)(zs->next_out - *out);
        if (zrc == Z_BUF_ERROR && zs->avail_in == 0) {
            *truncated = 1; /* input ended early: keep what we have */
            break;
        }
        if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
            rc = lsi_error(LSIGN_E_PARSE, "FlateDecode: corrupt data after %zu output bytes (%s)",
                           used, zs->msg != NULL ? zs->msg : "zlib error");
            break;
        }
    }
    *out_len = used;
    return rc;
}

int lsi_pdf_inflate(const unsigned char *in, size_t in_len, uint64_t max_out, unsigned char **out,
                    size_t *out_len, int *truncated)
{
    z_stream zs;
    int rc;

    *out = NULL;
    *out_len = 0;
    *truncated = 0;
    if (in_len > UINT32_MAX)
        return lsi_error(LSIGN_E_LIMIT, "FlateDecode: compressed stream over 4 GiB");
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK)
        return lsi_error_nomem();
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)in_len;
    rc = inflate_all(&zs, max_out, out, out_len, truncated);
    inflateEnd(&zs);
    if (rc != LSIGN_OK) {
        free(*out);
        *out = NULL;
        *out_len = 0;
    }
    return rc;
}

static unsigned char paeth(unsigned char a, unsigned char b, unsigned char c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

    if (pa <= pb && pa <= pc)
        return a;
    return pb <= pc ? b : c;
}

/* Decodes one PNG row in place: `row` holds the filtered bytes, `prev` the previous output. */
static int png_row(int tag, unsigned char *row, const unsigned char *prev, size_t n, size_t bpp)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char left = i >= bpp ? row[i - bpp] : 0, up = prev ? prev[i] : 0;
        unsigned char upleft = prev && i >= bpp ? prev[i - bpp] : 0;

        switch (tag) {
        case 0: break;
        case 1: row[i] = (unsigned char)(row[i] + left); break;
        case 2: row[i] = (unsigned char)(row[i] + up); break;
        case 3: row[i] = (unsigned char)(row[i] + ((left + up) >> 1)); break;
        case 4: row[i] = (unsigned char)(row[i] + paeth(left, up, upleft)); break;
        default: return LSIGN_E_PARSE;
        }
    }
    return LSIGN_OK;
}

static int unpredict_png(unsigned char *data, size_t len, size_t row_bytes, size_t bpp,
                         size_t *out_len)
{
    size_t rows = len / (row_bytes + 1);

    /* Row r moves from r*(row_bytes+1)+1 down to r*row_bytes: writes never pass reads. */
    for (size_t r = 0; r < rows; r++) {
        unsigned char *dst = data + r * row_bytes;
        int tag = data[r * (row_bytes + 1)];

        memmove(dst, data + r * (row_bytes + 1) + 1, row_bytes);
        if (png_row(tag, dst, r > 0 ? dst - row_bytes : NULL, row_bytes, bpp) != LSIGN_OK)
            return lsi_error(LSIGN_E_PARSE, "PNG predictor: row %zu has unknown filter type %d", r,
                             tag);
    }
    *out_len = rows * row_bytes;
    return LSIGN_OK;
}

static int unpredict_tiff(unsigned char *data, size_t len, size_t row_bytes, size_t bpp,
                          size_t *out_len)
{
    size_t rows = len / row_bytes;

    for (size_t r = 0; r < rows; r++)
        for (size_t i = bpp; i < row_bytes; i++)
            data[r * row_bytes + i] =
                (unsigned char)(data[r * row_bytes + i] + data[r * row_bytes + i - bpp]);
    *out_len = rows * row_bytes;
    return LSIGN_OK;
}

int lsi_pdf_unpredict(const lsi_pdf_predictor *p, unsigned char *data, size_t len, size_t *out_len)
{
    int64_t predictor = p->predictor ? p->predictor : 1, colors = p->colors ? p->colors : 1;
    int64_t bpc = p->bits_per_component ? p->bits_per_component : 8;
    int64_t columns = p->columns ? p->columns : 1;
    size_t row_bytes, bpp;

    *out_len = len;
    if (predictor == 1)
        return LSIGN_OK;
    if (colors < 1 || colors > 32 || columns < 1 || columns > (1 << 24) ||
        (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16))
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "predictor parameters out of range (Colors %lld, "
                         "BitsPerComponent %lld, Columns %lld)",
                         (long long)colors, (long long)bpc, (long long)columns);
    row_bytes = (size_t)((colors * bpc * columns + 7) / 8);
    bpp = (size_t)((colors * bpc + 7) / 8);
    if (predictor >= 10 && predictor <= 15)
        return unpredict_png(data, len, row_bytes, bpp, out_len);
    if (predictor == 2 && bpc == 8)
        return unpredict_tiff(data, len, row_bytes, bpp, out_len);
    if (predictor == 2)
        return lsi_error(LSIGN_E_UNSUPPORTED, "TIFF predictor with %lld bits per component",
                         (long long)bpc);
    return lsi_error(LSIGN_E_INVALID_ARG, "unknown predictor %lld", (long long)predictor);
}

/* ---- ASCIIHexDecode, ASCII85Decode ---- */

static int is_space(unsigned char c)
{
    return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

/* A buffer for the output of an ASCII filter, of at most `max` bytes. */
typedef struct ascii_out {
    unsigned char *buf;
    size_t len, cap;
    uint64_t max;
    const char *filter;
} ascii_out;

static int out_bytes(ascii_out *o, const unsigned char *b, size_t n)
{
    if (o->len + n > o->max)
        return lsi_error(LSIGN_E_LIMIT, "%s: stream decodes to more than %llu bytes (limit)",
                         o->filter, (unsigned long long)o->max);
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        unsigned char *bigger;
        while (cap < o->len + n)
            cap *= 2;
        if ((bigger = realloc(o->buf, cap)) == NULL)
            return lsi_error_nomem();
        o->buf = bigger;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, b, n);
    o->len += n;
    return LSIGN_OK;
}

static int ascii_finish(ascii_out *o, int rc, unsigned char **out, size_t *out_len)
{
    if (rc == LSIGN_OK && o->buf == NULL && (o->buf = malloc(1)) == NULL)
        rc = lsi_error_nomem();
    if (rc != LSIGN_OK) {
        free(o->buf);
        o->buf = NULL;
        o->len = 0;
    }
    *out = o->buf;
    *out_len = o->len;
    return rc;
}

int lsi_pdf_asciihex_decode(const unsigned char *in, size_t in_len, uint64_t max_out,
                            unsigned char **out, size_t *out_len)
{
    ascii_out o = {NULL, 0, 0, max_out, "ASCIIHexDecode"};
    int high = -1, rc = LSIGN_OK;

    for (size_t i = 0; i < in_len && in[i] != '>' && rc == LSIGN_OK; i++) {
        int v = lsi_pdf_hex_value(in[i]);
        unsigned char byte;
        if (v < 0 && !is_space(in[i]))
            rc = lsi_error(LSIGN_E_PARSE, "ASCIIHexDecode: byte 0x%02x at %zu", in[i], i);
        if (v < 0)
            continue;
        if (high < 0) {
            high = v;
            continue;
        }
        byte = (unsigned char)(high << 4 | v);
        high = -1;
        rc = out_bytes(&o, &byte, 1);
    }
    if (rc == LSIGN_OK && high >= 0) { /* an odd last digit: followed by 0 */
        unsigned char byte = (unsigned char)(high << 4);
        rc = out_bytes(&o, &byte, 1);
    }
    return ascii_finish(&o, rc, out, out_len);
}

/* Writes a group of n characters (2..5, padded with 'u') as n - 1 bytes. */
static int a85_group(ascii_out *o, const unsigned char *digits, size_t n, size_t at)
{
    uint64_t v = 0;
    unsigned char b[4];

    if (n == 1)
        return lsi_error(LSIGN_E_PARSE, "ASCII85Decode: a last group of one character at %zu", at);
    for (size_t i = 0; i < 5; i++)
        v = v * 85 + (i < n ? digits[i] : 84);
    if (v > UINT32_MAX)
        return lsi_error(LSIGN_E_PARSE, "ASCII85Decode: group above 2^32 - 1 at %zu", at);
    for (size_t i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (24 - 8 * i));
    return out_bytes(o, b, n - 1);
}

int lsi_pdf_ascii85_decode(const unsigned char *in, size_t in_len, uint64_t max_out,
                           unsigned char **out, size_t *out_len)
{
    static const unsigned char zeros[4] = {0, 0, 0, 0};
    ascii_out o = {NULL, 0, 0, max_out, "ASCII85Decode"};
    unsigned char digits[5];
    size_t n = 0, i = 0;
    int rc = LSIGN_OK;

    if (in_len >= 2 && in[0] == '<' && in[1] == '~') /* PostScript's opening, seen in files */
        i = 2;
    for (; i < in_len && in[i] != '~' && rc == LSIGN_OK; i++) {
        unsigned char c = in[i];
        if (is_space(c))
            continue;
        if (c == 'z' && n == 0)
            rc = out_bytes(&o, zeros, 4);
        else if (c < '!' || c > 'u')
            rc = lsi_error(LSIGN_E_PARSE, "ASCII85Decode: byte 0x%02x at %zu", c, i);
        else
            digits[n++] = (unsigned char)(c - '!');
        if (rc == LSIGN_OK && n == 5) {
            rc = a85_group(&o, digits, 5, i);
            n = 0;
        }
    }
    if (rc == LSIGN_OK && n > 0)
        rc = a85_group(&o, digits, n, i);
    return ascii_finish(&o, rc, out, out_len);
}
