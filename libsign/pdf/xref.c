#include "pdf/xref.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/grow.h"

void lsi_xref_section_free(lsi_xref_section *sec)
{
    free(sec->entries);
    memset(sec, 0, sizeof *sec);
}

static int add_entry(lsi_xref_section *sec, const lsi_xref_entry *e, uint64_t max_entries)
{
    if (sec->count >= max_entries)
        return lsi_error(LSIGN_E_LIMIT, "PDF cross-reference: more than %llu entries",
                         (unsigned long long)max_entries);
    if (LSI_RESERVE(sec->entries, sec->capacity, sec->count) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    sec->entries[sec->count++] = *e;
    return LSIGN_OK;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static size_t skip_space(const unsigned char *d, size_t len, size_t pos)
{
    while (pos < len && is_space(d[pos]))
        pos++;
    return pos;
}

/* Reads an unsigned decimal of at most `max_digits` digits; 0 when there is none. */
static size_t read_number(const unsigned char *d, size_t len, size_t pos, int max_digits,
                          uint64_t *value)
{
    size_t start = pos;

    *value = 0;
    while (pos < len && is_digit(d[pos]) && (int)(pos - start) < max_digits)
        *value = *value * 10 + (uint64_t)(d[pos++] - '0');
    if (pos < len && is_digit(d[pos]))
        return 0; /* too many digits */
    return pos - start;
}

static int has_keyword(const unsigned char *d, size_t len, size_t pos, const char *kw)
{
    size_t n = strlen(kw);

    return pos + n <= len && memcmp(d + pos, kw, n) == 0 &&
           (pos + n == len || !(d[pos + n] >= 'a' && d[pos + n] <= 'z'));
}

static int table_error(size_t pos, const char *what)
{
    return lsi_error(LSIGN_E_PARSE, "PDF cross-reference table at offset %zu: %s", pos, what);
}

/* One "oooooooooo ggggg n" entry at *pos. */
static int read_table_entry(const unsigned char *d, size_t len, size_t *pos, uint32_t num,
                            lsi_xref_entry *e)
{
    uint64_t offset, gen;
    size_t p = skip_space(d, len, *pos), n;

    if ((n = read_number(d, len, p, 10, &offset)) == 0)
        return table_error(p, "entry without an offset");
    p = skip_space(d, len, p + n);
    if ((n = read_number(d, len, p, 5, &gen)) == 0)
        return table_error(p, "entry without a generation");
    p = skip_space(d, len, p + n);
    if (p >= len || (d[p] != 'n' && d[p] != 'f'))
        return table_error(p, "entry is neither 'n' nor 'f'");
    /* mutool writes 65536 on object 0's free entry; only an in-use entry needs a real one. */
    if (gen > 65535 && d[p] == 'n')
        return table_error(p, "in-use entry with a generation above 65535");
    if (gen > 65535)
        gen = 65535;
    e->num = num;
    e->kind = d[p] == 'n' ? LSI_XREF_OFFSET : LSI_XREF_FREE;
    e->gen = (uint16_t)gen;
    e->offset = offset;
    e->index = 0;
    *pos = p + 1;
    return LSIGN_OK;
}

/* One subsection: "start count" and its entries. */
static int read_subsection(const unsigned char *d, size_t len, size_t *pos, uint64_t max_entries,
                           lsi_xref_section *sec)
{
    uint64_t start, count;
    size_t p = *pos, n;
    int rc = LSIGN_OK;

    if ((n = read_number(d, len, p, 10, &start)) == 0)
        return table_error(p, "expected a subsection \"first count\"");
    p = skip_space(d, len, p + n);
    if ((n = read_number(d, len, p, 10, &count)) == 0)
        return table_error(p, "subsection without an entry count");
    if (start + count > UINT32_MAX || count > max_entries)
        return lsi_error(LSIGN_E_LIMIT,
                         "PDF cross-reference table at offset %zu: subsection of "
                         "%llu entries from object %llu",
                         p, (unsigned long long)count, (unsigned long long)start);
    p += n;
    for (uint64_t i = 0; i < count && rc == LSIGN_OK; i++) {
        lsi_xref_entry e;
        rc = read_table_entry(d, len, &p, (uint32_t)(start + i), &e);
        if (rc == LSIGN_OK)
            rc = add_entry(sec, &e, max_entries);
    }
    *pos = p;
    return rc;
}

int lsi_xref_read_table(const unsigned char *data, size_t len, size_t offset, uint64_t max_entries,
                        lsi_xref_section *sec, size_t *trailer_offset)
{
    size_t pos = offset;
    int rc = LSIGN_OK;

    memset(sec, 0, sizeof *sec);
    if (!has_keyword(data, len, pos, "xref"))
        return table_error(offset, "no \"xref\" keyword");
    pos = skip_space(data, len, pos + 4);
    while (rc == LSIGN_OK && pos < len && is_digit(data[pos])) {
        rc = read_subsection(data, len, &pos, max_entries, sec);
        pos = skip_space(data, len, pos);
    }
    if (rc == LSIGN_OK && !has_keyword(data, len, pos, "trailer"))
        rc = table_error(pos, "no \"trailer\" after the entries");
    if (rc != LSIGN_OK) {
        lsi_xref_section_free(sec);
        return rc;
    }
    *trailer_offset = pos;
    return LSIGN_OK;
}

static uint64_t read_field(const unsigned char *p, int64_t width)
{
    uint64_t v = 0;

    for (int64_t i = 0; i < width; i++)
        v = v << 8 | p[i];
    return v;
}

static int stream_entry(const unsigned char *row, const int64_t w[3], uint32_t num,
                        lsi_xref_entry *e)
{
    uint64_t type = w[0] == 0 ? 1 : read_field(row, w[0]);
    uint64_t f2 = read_field(row + w[0], w[1]), f3 = read_field(row + w[0] + w[1], w[2]);

    e->num = num;
    e->offset = f2;
    e->gen = 0;
    e->index = 0;
    switch (type) {
    case 0:
        e->kind = LSI_XREF_FREE;
        e->gen = (uint16_t)(f3 > 65535 ? 65535 : f3);
        break;
    case 1:
        e->kind = LSI_XREF_OFFSET;
        e->gen = (uint16_t)(f3 > 65535 ? 65535 : f3);
        break;
    case 2:
        e->kind = LSI_XREF_COMPRESSED;
        if (f3 > UINT32_MAX)
            return LSIGN_E_PARSE;
        e->index = (uint32_t)f3;
        break;
    default: e->kind = LSI_XREF_FREE; break; /* unknown types are null references */
    }
    return LSIGN_OK;
}

int lsi_xref_decode_stream(const unsigned char *rows, size_t len, const int64_t w[3],
                           const int64_t *index, size_t index_count, int64_t size,
                           uint64_t max_entries, lsi_xref_section *sec)
{
    int64_t whole[2] = {0, size};
    size_t row_len, row = 0;
    int rc = LSIGN_OK;

    memset(sec, 0, sizeof *sec);
    if (w[0] < 0 || w[1] < 0 || w[2] < 0 || w[0] > 8 || w[1] > 8 || w[2] > 8 ||
        w[0] + w[1] + w[2] == 0)
        return lsi_error(LSIGN_E_PARSE, "PDF xref stream: bad /W [%lld %lld %lld]", (long long)w[0],
                         (long long)w[1], (long long)w[2]);
    if (index == NULL) {
        index = whole;
        index_count = 2;
    }
    row_len = (size_t)(w[0] + w[1] + w[2]);
    for (size_t i = 0; i + 1 < index_count && rc == LSIGN_OK; i += 2) {
        int64_t first = index[i], count = index[i + 1];
        if (first < 0 || count < 0 || first > (int64_t)UINT32_MAX ||
            count > (int64_t)UINT32_MAX - first)
            rc = lsi_error(LSIGN_E_PARSE, "PDF xref stream: bad /Index pair [%lld %lld]",
                           (long long)first, (long long)count);
        for (int64_t k = 0; k < count && rc == LSIGN_OK; k++, row++) {
            lsi_xref_entry e;
            if ((row + 1) * row_len > len) {
                rc = lsi_error(LSIGN_E_PARSE,
                               "PDF xref stream: %zu bytes hold fewer than the "
                               "entries /Index announces",
                               len);
                break;
            }
            if (stream_entry(rows + row * row_len, w, (uint32_t)(first + k), &e) != LSIGN_OK)
                rc = lsi_error(LSIGN_E_PARSE, "PDF xref stream: entry %lld out of range",
                               (long long)(first + k));
            else
                rc = add_entry(sec, &e, max_entries);
        }
    }
    if (rc != LSIGN_OK)
        lsi_xref_section_free(sec);
    return rc;
}

size_t lsi_pdf_revision_end(const unsigned char *data, size_t len, size_t from)
{
    static const char eof[] = "%%EOF";

    for (size_t p = from; p + 5 <= len; p++) {
        if (data[p] == '%' && memcmp(data + p, eof, 5) == 0) {
            size_t end = p + 5;
            if (end < len && data[end] == '\r')
                end++;
            if (end < len && data[end] == '\n')
                end++;
            return end;
        }
    }
    return len;
}

int lsi_pdf_find_startxref(const unsigned char *data, size_t len, size_t window, uint64_t *offset)
{
    static const char kw[] = "startxref";
    size_t start = len > window ? len - window : 0;

    for (size_t p = len >= sizeof kw - 1 ? len - (sizeof kw - 1) + 1 : 0; p-- > start;) {
        size_t q, n;

        if (memcmp(data + p, kw, sizeof kw - 1) != 0)
            continue;
        q = skip_space(data, len, p + sizeof kw - 1);
        n = read_number(data, len, q, 19, offset);
        if (n == 0)
            return lsi_error(LSIGN_E_PARSE, "PDF: \"startxref\" at offset %zu has no number", p);
        return LSIGN_OK;
    }
    return lsi_error(LSIGN_E_PARSE, "PDF: no \"startxref\" in the last %zu bytes", len - start);
}

int lsi_pdf_find_header(const unsigned char *data, size_t len, size_t *header_offset, int *version)
{
    size_t limit = len < 1024 ? len : 1024;

    for (size_t p = 0; p + 8 <= limit; p++) {
        if (memcmp(data + p, "%PDF-", 5) == 0 && is_digit(data[p + 5]) && data[p + 6] == '.' &&
            is_digit(data[p + 7])) {
            *header_offset = p;
            *version = (data[p + 5] - '0') * 10 + (data[p + 7] - '0');
            return LSIGN_OK;
        }
    }
    return lsi_error(LSIGN_E_PARSE, "not a PDF: no %%PDF-n.m header in the first %zu bytes", limit);
}

/* "N G obj" starting at p (p is a line start); fills num/gen. */
static int object_header_at(const unsigned char *d, size_t len, size_t p, uint64_t *num,
                            uint64_t *gen)
{
    size_t n = read_number(d, len, p, 10, num);

    if (n == 0 || p + n >= len || !is_space(d[p + n]))
        return 0;
    p = skip_space(d, len, p + n);
    n = read_number(d, len, p, 5, gen);
    if (n == 0 || p + n >= len || !is_space(d[p + n]))
        return 0;
    p = skip_space(d, len, p + n);
    return has_keyword(d, len, p, "obj") && *num <= UINT32_MAX && *gen <= 65535;
}

int lsi_xref_scan_objects(const unsigned char *data, size_t len, uint64_t max_entries,
                          lsi_xref_section *sec)
{
    int rc = LSIGN_OK;

    memset(sec, 0, sizeof *sec);
    for (size_t p = 0; p < len && rc == LSIGN_OK; p++) {
        uint64_t num, gen;
        lsi_xref_entry e;

        if ((p > 0 && data[p - 1] != '\n' && data[p - 1] != '\r') || !is_digit(data[p]))
            continue;
        if (!object_header_at(data, len, p, &num, &gen))
            continue;
        e = (lsi_xref_entry){(uint32_t)num, LSI_XREF_OFFSET, (uint16_t)gen, p, 0};
        rc = add_entry(sec, &e, max_entries);
    }
    if (rc != LSIGN_OK)
        lsi_xref_section_free(sec);
    return rc;
}
