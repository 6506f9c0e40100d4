#include "pdf/document.h"

#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/grow.h"
#include "pdf/arena.h"
#include "pdf/filter.h"
#include "pdf/lexer.h"
#include "pdf/parse.h"

#define MAX_SECTIONS    4096 /* revisions in one file: far beyond any real one */
#define MAX_DEREF_CHAIN 32

/* A decoded object stream (/Type /ObjStm). */
typedef struct objstm {
    uint32_t num;
    unsigned char *data;
    size_t len, first;
    size_t count;
    uint32_t *nums;
    size_t *offsets;
} objstm;

struct lsi_pdf_doc {
    const unsigned char *data;
    size_t len;
    const lsign_ctx *ctx;
    lsign_ctx_options limits;
    lsi_arena *arena;
    lsi_pdf_parser parser;
    size_t header_offset;
    size_t offset_base; /* header_offset when the file's offsets count from %PDF, else 0 */
    int version;
    lsi_pdf_revision *revs;
    size_t nrevs;
    lsi_xref_entry *table; /* merged, indexed by object number */
    uint32_t size;
    const lsi_pdf_obj *trailer;
    const lsi_pdf_obj **cache;
    unsigned char *resolving; /* 1 while an object is being read: catches reference cycles */
    uint64_t parsed;
    objstm *objstms;
    size_t nobjstms;
    int repaired;
    /* "N G obj" positions found by scanning, for entries that point to the wrong place. */
    lsi_xref_section scan;
    int scanned;
};

static const lsi_pdf_obj null_object = {LSI_PDF_NULL, 0, 0, {0}};

/* One cross-reference section as read, before merging. */
typedef struct section {
    lsi_xref_section entries;
    lsi_xref_section stream_entries; /* a hybrid file's /XRefStm: fills gaps only */
    lsi_pdf_revision rev;
} section;

static void sections_free(section *secs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lsi_xref_section_free(&secs[i].entries);
        lsi_xref_section_free(&secs[i].stream_entries);
    }
    free(secs);
}

/* Whether `at` holds `keyword`, or (keyword NULL) an object header "N G obj" for `num` (< 0: any).
 */
static int looks_like(const lsi_pdf_doc *doc, size_t at, const char *keyword, int64_t num)
{
    size_t p = at, start;
    uint64_t value = 0;

    if (keyword != NULL)
        return doc->len - at >= strlen(keyword) &&
               memcmp(doc->data + at, keyword, strlen(keyword)) == 0;
    while (p < doc->len && lsi_pdf_is_whitespace(doc->data[p]) && p - at < 16)
        p++;
    for (start = p; p < doc->len && p - start < 10 && doc->data[p] >= '0' && doc->data[p] <= '9';
         p++)
        value = value * 10 + (uint64_t)(doc->data[p] - '0');
    return p > start && p < doc->len && lsi_pdf_is_whitespace(doc->data[p]) &&
           (num < 0 || value == (uint64_t)num);
}

/*
 * Where `offset` really points. Files with junk before %PDF are written with
 * offsets relative to either the file or the header: take the candidate
 * that holds what is expected, else the plain offset (the parser then says
 * what is wrong there). 0 when beyond the end.
 */
static int locate(const lsi_pdf_doc *doc, uint64_t offset, const char *keyword, int64_t num,
                  size_t *at)
{
    uint64_t shifted = offset + doc->header_offset;

    if (offset < doc->len && looks_like(doc, (size_t)offset, keyword, num))
        return *at = (size_t)offset, 1;
    if (doc->header_offset && shifted < doc->len && looks_like(doc, (size_t)shifted, keyword, num))
        return *at = (size_t)shifted, 1;
    if (keyword != NULL || offset >= doc->len)
        return 0;
    return *at = (size_t)offset, 1;
}

static int get_int(const lsi_pdf_obj *dict, const char *key, int64_t *out)
{
    return lsi_pdf_get_int(lsi_pdf_dict_get(dict, key), out);
}

/* Undoes /Filter and /DecodeParms of a stream whose data extent is known. */
static int decode_stream(lsi_pdf_doc *doc, const lsi_pdf_obj *stream, uint64_t max,
                         unsigned char **out, size_t *out_len);

/* An xref stream's /Index as integers, in a new array (free() it); NULL and 0 when absent. */
static int read_index(lsi_pdf_doc *doc, const lsi_pdf_obj *iobj, uint32_t num, int64_t **index,
                      size_t *count)
{
    size_t n = lsi_pdf_count(iobj);

    *index = NULL;
    *count = 0;
    if (iobj == NULL)
        return LSIGN_OK;
    if (n / 2 > doc->limits.max_objects)
        return lsi_error(LSIGN_E_LIMIT, "PDF: xref stream %u has %zu /Index pairs", num, n / 2);
    *index = malloc((n ? n : 1) * sizeof **index);
    if (*index == NULL)
        return lsi_error_nomem();
    for (size_t i = 0; i < n; i++) {
        if (!lsi_pdf_get_int(lsi_pdf_array_get(iobj, i), &(*index)[i])) {
            free(*index);
            *index = NULL;
            return lsi_error(LSIGN_E_PARSE, "PDF: xref stream %u has a bad /Index", num);
        }
    }
    *count = n;
    return LSIGN_OK;
}

/*
 * The most an xref stream's data can hold: its entries (from /Index, else /Size) times
 * the row width, plus a PNG predictor's tag byte per row, and a little slack. A zip bomb
 * posing as an xref stream stops there instead of at the general stream limit.
 */
static uint64_t xref_stream_bound(const lsi_pdf_doc *doc, const int64_t w[3], const int64_t *index,
                                  size_t n_index, int64_t size)
{
    uint64_t max = doc->limits.max_stream_bytes, entries = 0, row = 1;

    for (size_t i = 0; i < 3; i++) {
        if (w[i] < 0 || w[i] > 8)
            return max; /* refused later, with its own message */
        row += (uint64_t)w[i];
    }
    for (size_t i = 1; i < n_index; i += 2)
        entries += index[i] > 0 ? (uint64_t)index[i] : 0;
    if (n_index == 0)
        entries = size > 0 ? (uint64_t)size : 0;
    if (entries > doc->limits.max_objects)
        return max;
    return entries * row + 4096 < max ? entries * row + 4096 : max;
}

/* An xref stream at `offset`: entries, and its dictionary as the trailer. */
static int read_xref_stream(lsi_pdf_doc *doc, size_t offset, lsi_xref_section *sec,
                            const lsi_pdf_obj **trailer)
{
    const lsi_pdf_obj *dict, *wobj, *iobj;
    lsi_pdf_obj *obj;
    int64_t w[3], size = 0, *index = NULL;
    size_t end, n_index = 0, len;
    unsigned char *rows = NULL;
    uint32_t num;
    uint16_t gen;
    int rc = lsi_pdf_parse_indirect(&doc->parser, offset, &num, &gen, &obj, &end);

    if (rc == LSIGN_OK && obj->type != LSI_PDF_STREAM)
        rc = lsi_error(LSIGN_E_PARSE,
                       "PDF: object %u at offset %zu is not a cross-reference "
                       "stream",
                       num, offset);
    if (rc == LSIGN_OK && !obj->u.stream.length_known) /* xref streams need a direct /Length */
        rc = lsi_pdf_parse_stream_end(&doc->parser, obj, -1, &end);
    if (rc != LSIGN_OK)
        return rc;
    dict = obj->u.stream.dict;
    wobj = lsi_pdf_dict_get(dict, "W");
    iobj = lsi_pdf_dict_get(dict, "Index");
    for (size_t i = 0; i < 3; i++)
        if (!lsi_pdf_get_int(lsi_pdf_array_get(wobj, i), &w[i]))
            return lsi_error(LSIGN_E_PARSE, "PDF: xref stream %u has no valid /W", num);
    (void)get_int(dict, "Size", &size);
    rc = read_index(doc, iobj, num, &index, &n_index);
    if (rc == LSIGN_OK)
        rc = decode_stream(doc, obj, xref_stream_bound(doc, w, index, n_index, size), &rows, &len);
    if (rc == LSIGN_OK)
        rc = lsi_xref_decode_stream(rows, len, w, index, n_index, size, doc->limits.max_objects,
                                    sec);
    free(rows);
    free(index);
    *trailer = dict;
    return rc;
}

/* A classic table and its trailer; a hybrid file's /XRefStm too. */
static int read_table(lsi_pdf_doc *doc, size_t offset, section *s)
{
    size_t trailer_at, end;
    lsi_pdf_obj *trailer;
    const lsi_pdf_obj *ignored;
    int64_t xrefstm;
    size_t stm_at;
    int rc = lsi_xref_read_table(doc->data, doc->len, offset, doc->limits.max_objects, &s->entries,
                                 &trailer_at);

    if (rc == LSIGN_OK)
        rc = lsi_pdf_parse_object(&doc->parser, trailer_at + 7, &trailer, &end);
    if (rc == LSIGN_OK && trailer->type != LSI_PDF_DICT)
        rc = lsi_error(LSIGN_E_PARSE, "PDF: the trailer at offset %zu is not a dictionary",
                       trailer_at);
    if (rc != LSIGN_OK)
        return rc;
    s->rev.trailer = trailer;
    if (get_int(trailer, "XRefStm", &xrefstm) && xrefstm >= 0 &&
        locate(doc, (uint64_t)xrefstm, NULL, -1, &stm_at))
        rc = read_xref_stream(doc, stm_at, &s->stream_entries, &ignored);
    return rc;
}

static int read_section(lsi_pdf_doc *doc, uint64_t offset, section *s)
{
    size_t at;

    memset(s, 0, sizeof *s);
    if (locate(doc, offset, "xref", -1, &at)) {
        doc->offset_base = at != offset ? doc->header_offset : doc->offset_base;
        s->rev.xref_offset = at;
        s->rev.end = lsi_pdf_revision_end(doc->data, doc->len, at);
        return read_table(doc, at, s);
    }
    if (!locate(doc, offset, NULL, -1, &at))
        return lsi_error(LSIGN_E_PARSE,
                         "PDF: cross-reference offset %llu is beyond the end of "
                         "the file",
                         (unsigned long long)offset);
    doc->offset_base = at != offset ? doc->header_offset : doc->offset_base;
    s->rev.xref_offset = at;
    s->rev.xref_stream = 1;
    s->rev.end = lsi_pdf_revision_end(doc->data, doc->len, at);
    return read_xref_stream(doc, at, &s->entries, &s->rev.trailer);
}

/* Follows startxref and the /Prev chain; sections come back newest first. */
static int read_chain(lsi_pdf_doc *doc, section **out, size_t *count)
{
    section *secs = NULL; /* grown as read: most files have one or two revisions */
    uint64_t offset;
    size_t n = 0, cap = 0;
    int rc;

    rc = lsi_pdf_find_startxref(doc->data, doc->len, 1024, &offset);
    while (rc == LSIGN_OK) {
        int64_t prev;
        for (size_t i = 0; i < n; i++)
            if (secs[i].rev.xref_offset == offset ||
                secs[i].rev.xref_offset == offset + doc->header_offset)
                rc = lsi_error(LSIGN_E_PARSE, "PDF: the /Prev chain loops back to offset %llu",
                               (unsigned long long)offset);
        if (rc == LSIGN_OK && n == MAX_SECTIONS)
            rc = lsi_error(LSIGN_E_LIMIT, "PDF: more than %d revisions", MAX_SECTIONS);
        if (rc == LSIGN_OK && (rc = LSI_RESERVE(secs, cap, n)) == LSIGN_OK) {
            memset(&secs[n], 0, sizeof secs[n]);
            rc = read_section(doc, offset, &secs[n++]);
        }
        if (rc != LSIGN_OK || !get_int(secs[n - 1].rev.trailer, "Prev", &prev))
            break;
        if (prev < 0) {
            rc = lsi_error(LSIGN_E_PARSE, "PDF: negative /Prev %lld", (long long)prev);
            break;
        }
        offset = (uint64_t)prev;
    }
    if (rc != LSIGN_OK) {
        sections_free(secs, n);
        return rc;
    }
    *out = secs;
    *count = n;
    return LSIGN_OK;
}

static int table_alloc(lsi_pdf_doc *doc, uint64_t size)
{
    if (size > doc->limits.max_objects || size > UINT32_MAX)
        return lsi_error(LSIGN_E_LIMIT, "PDF: %llu objects, more than the limit of %llu",
                         (unsigned long long)size, (unsigned long long)doc->limits.max_objects);
    doc->size = (uint32_t)size;
    doc->table = calloc(size ? size : 1, sizeof *doc->table);
    doc->cache = calloc(size ? size : 1, sizeof *doc->cache);
    doc->resolving = calloc(size ? size : 1, 1);
    return doc->table && doc->cache && doc->resolving ? LSIGN_OK : lsi_error_nomem();
}

static void apply(lsi_pdf_doc *doc, const lsi_xref_section *sec)
{
    for (size_t i = 0; i < sec->count; i++)
        doc->table[sec->entries[i].num] = sec->entries[i];
}

/*
 * A hybrid revision: its table lists objects in object streams as free, for
 * old readers; its /XRefStm supplies them. So stream entries apply wherever
 * the same revision's table has no in-use entry. `mark` is zeroed scratch.
 */
static void apply_hybrid(lsi_pdf_doc *doc, const section *s, unsigned char *mark)
{
    for (size_t i = 0; i < s->entries.count; i++)
        if (s->entries.entries[i].kind != LSI_XREF_FREE)
            mark[s->entries.entries[i].num] = 1;
    for (size_t i = 0; i < s->stream_entries.count; i++)
        if (!mark[s->stream_entries.entries[i].num])
            doc->table[s->stream_entries.entries[i].num] = s->stream_entries.entries[i];
    for (size_t i = 0; i < s->entries.count; i++)
        mark[s->entries.entries[i].num] = 0;
}

static uint64_t highest(const lsi_xref_section *sec, uint64_t size)
{
    for (size_t i = 0; i < sec->count; i++)
        if ((uint64_t)sec->entries[i].num + 1 > size)
            size = (uint64_t)sec->entries[i].num + 1;
    return size;
}

/* Merges sections (newest first) into the table, oldest first so newer entries win. */
static int merge(lsi_pdf_doc *doc, section *secs, size_t n)
{
    uint64_t size = 0;
    int rc;

    for (size_t i = 0; i < n; i++)
        size = highest(&secs[i].stream_entries, highest(&secs[i].entries, size));
    if ((rc = table_alloc(doc, size)) != LSIGN_OK)
        return rc;
    doc->revs = calloc(n, sizeof *doc->revs);
    if (doc->revs == NULL)
        return lsi_error_nomem();
    for (size_t i = n; i-- > 0;) {
        apply(doc, &secs[i].entries);
        apply_hybrid(doc, &secs[i], doc->resolving);
        doc->revs[doc->nrevs++] = secs[i].rev;
    }
    doc->trailer = secs[0].rev.trailer;
    return LSIGN_OK;
}

/* The last "trailer" dictionary in the file, for a rebuilt table. */
static const lsi_pdf_obj *find_last_trailer(lsi_pdf_doc *doc)
{
    for (size_t p = doc->len >= 7 ? doc->len - 7 + 1 : 0; p-- > 0;) {
        lsi_pdf_obj *dict;
        size_t end;

        if (memcmp(doc->data + p, "trailer", 7) != 0)
            continue;
        if (lsi_pdf_parse_object(&doc->parser, p + 7, &dict, &end) == LSIGN_OK &&
            dict->type == LSI_PDF_DICT && lsi_pdf_dict_get(dict, "Root") != NULL)
            return dict;
    }
    return NULL;
}

/* An xref stream dictionary with /Root, or a trailer made from the catalog. */
static const lsi_pdf_obj *trailer_from_objects(lsi_pdf_doc *doc)
{
    for (uint32_t num = doc->size; num-- > 0;) {
        const lsi_pdf_obj *obj, *dict;
        lsi_pdf_obj *trailer, *ref;

        if (doc->table[num].kind == LSI_XREF_FREE || lsi_pdf_doc_get(doc, num, &obj) != LSIGN_OK)
            continue;
        dict = obj->type == LSI_PDF_STREAM ? obj->u.stream.dict : obj;
        if (lsi_pdf_name_is(lsi_pdf_dict_get(dict, "Type"), "XRef") &&
            lsi_pdf_dict_get(dict, "Root") != NULL)
            return dict;
        if (!lsi_pdf_name_is(lsi_pdf_dict_get(dict, "Type"), "Catalog"))
            continue;
        trailer = lsi_pdf_obj_new(doc->arena, LSI_PDF_DICT);
        ref = lsi_pdf_obj_new(doc->arena, LSI_PDF_REF);
        if (trailer == NULL || ref == NULL)
            return NULL;
        ref->u.ref.num = num;
        ref->u.ref.gen = doc->table[num].gen;
        trailer->u.dict.keys = lsi_arena_calloc(doc->arena, 1, sizeof(lsi_pdf_name));
        trailer->u.dict.values = lsi_arena_calloc(doc->arena, 1, sizeof(lsi_pdf_obj *));
        if (trailer->u.dict.keys == NULL || trailer->u.dict.values == NULL)
            return NULL;
        trailer->u.dict.keys[0] = (lsi_pdf_name){"Root", 4};
        trailer->u.dict.values[0] = ref;
        trailer->u.dict.count = 1;
        return trailer;
    }
    return NULL;
}

/* A damaged file: the table rebuilt from "N G obj" lines, the last definition winning. */
static int rebuild(lsi_pdf_doc *doc)
{
    lsi_xref_section sec;
    int rc = lsi_xref_scan_objects(doc->data, doc->len, doc->limits.max_objects, &sec);

    if (rc == LSIGN_OK)
        rc = table_alloc(doc, highest(&sec, 0));
    if (rc == LSIGN_OK)
        apply(doc, &sec);
    lsi_xref_section_free(&sec);
    if (rc != LSIGN_OK)
        return rc;
    doc->repaired = 1;
    doc->trailer = find_last_trailer(doc);
    if (doc->trailer == NULL)
        doc->trailer = trailer_from_objects(doc);
    if (doc->trailer == NULL)
        return lsi_error(LSIGN_E_PARSE,
                         "PDF: damaged beyond repair (no trailer and no catalog "
                         "found by scanning %zu objects)",
                         (size_t)doc->size);
    doc->revs = calloc(1, sizeof *doc->revs);
    if (doc->revs == NULL)
        return lsi_error_nomem();
    doc->revs[0] = (lsi_pdf_revision){0, doc->len, doc->trailer, 0};
    doc->nrevs = 1;
    return LSIGN_OK;
}

static void release_tables(lsi_pdf_doc *doc)
{
    free(doc->table);
    free(doc->cache);
    free(doc->resolving);
    free(doc->revs);
    doc->table = NULL;
    doc->cache = NULL;
    doc->resolving = NULL;
    doc->revs = NULL;
    doc->nrevs = 0;
    doc->size = 0;
}

static int read_structure(lsi_pdf_doc *doc)
{
    section *secs = NULL;
    size_t n = 0;
    int rc = read_chain(doc, &secs, &n);

    if (rc == LSIGN_OK)
        rc = merge(doc, secs, n);
    if (secs != NULL)
        sections_free(secs, n);
    if (rc == LSIGN_E_PARSE || (rc == LSIGN_OK && lsi_pdf_dict_get(doc->trailer, "Root") == NULL)) {
        lsi_log(doc->ctx, LSIGN_LOG_WARNING,
                "PDF cross-reference unusable (%s); rebuilding it by "
                "scanning the file",
                rc != LSIGN_OK ? lsign_last_error() : "trailer without /Root");
        release_tables(doc);
        doc->parser.warnings++;
        rc = rebuild(doc);
    }
    return rc;
}

int lsi_pdf_doc_open(const unsigned char *data, size_t len, const lsign_ctx *ctx, lsi_pdf_doc **out)
{
    lsi_pdf_doc *doc = calloc(1, sizeof *doc);
    int rc;

    *out = NULL;
    if (doc == NULL)
        return lsi_error_nomem();
    doc->data = data;
    doc->len = len;
    doc->ctx = ctx;
    doc->limits = *lsi_ctx_options(ctx);
    /* Objects may take at most a quarter of the decoded-stream budget, times a few. */
    doc->arena = lsi_arena_new(4 * doc->limits.max_stream_bytes);
    if (doc->arena == NULL) {
        free(doc);
        return LSIGN_E_NOMEM;
    }
    lsi_pdf_parser_init(&doc->parser, ctx, data, len, doc->arena);
    rc = lsi_pdf_find_header(data, len, &doc->header_offset, &doc->version);
    if (rc == LSIGN_OK)
        rc = read_structure(doc);
    if (rc == LSIGN_OK && lsi_pdf_dict_get(doc->trailer, "Encrypt") != NULL)
        rc = lsi_error(LSIGN_E_UNSUPPORTED, "PDF is encrypted (/Encrypt in the trailer): "
                                            "encrypted PDFs are not supported");
    if (rc != LSIGN_OK) {
        lsi_pdf_doc_free(doc);
        return rc;
    }
    *out = doc;
    return LSIGN_OK;
}

void lsi_pdf_doc_free(lsi_pdf_doc *doc)
{
    if (doc == NULL)
        return;
    for (size_t i = 0; i < doc->nobjstms; i++) {
        free(doc->objstms[i].data);
        free(doc->objstms[i].nums);
        free(doc->objstms[i].offsets);
    }
    free(doc->objstms);
    lsi_xref_section_free(&doc->scan);
    release_tables(doc);
    lsi_pdf_parser_cleanup(&doc->parser);
    lsi_arena_free(doc->arena);
    free(doc);
}

size_t lsi_pdf_doc_revision_count(const lsi_pdf_doc *doc)
{
    return doc->nrevs;
}

const lsi_pdf_revision *lsi_pdf_doc_revision(const lsi_pdf_doc *doc, size_t index)
{
    return index < doc->nrevs ? &doc->revs[index] : NULL;
}

const lsign_ctx *lsi_pdf_doc_ctx(const lsi_pdf_doc *doc)
{
    return doc->ctx;
}

const lsi_pdf_obj *lsi_pdf_doc_trailer(const lsi_pdf_doc *doc)
{
    return doc->trailer;
}

int lsi_pdf_doc_version(const lsi_pdf_doc *doc)
{
    return doc->version;
}

size_t lsi_pdf_doc_offset_base(const lsi_pdf_doc *doc)
{
    return doc->offset_base;
}

int lsi_pdf_doc_repaired(const lsi_pdf_doc *doc)
{
    return doc->repaired;
}

unsigned int lsi_pdf_doc_warnings(const lsi_pdf_doc *doc)
{
    return doc->parser.warnings;
}

uint32_t lsi_pdf_doc_size(const lsi_pdf_doc *doc)
{
    return doc->size;
}

lsi_xref_entry lsi_pdf_doc_entry(const lsi_pdf_doc *doc, uint32_t num)
{
    lsi_xref_entry none = {num, LSI_XREF_FREE, 0, 0, 0};

    return num < doc->size ? doc->table[num] : none;
}

/* Where scanning found the last definition of `num` (the scan is made once, when needed). */
static int scanned_offset(lsi_pdf_doc *doc, uint32_t num, size_t *at)
{
    if (!doc->scanned) {
        doc->scanned = 1;
        if (lsi_xref_scan_objects(doc->data, doc->len, doc->limits.max_objects, &doc->scan) !=
            LSIGN_OK)
            memset(&doc->scan, 0, sizeof doc->scan);
    }
    for (size_t i = doc->scan.count; i-- > 0;) {
        if (doc->scan.entries[i].num == num) {
            *at = (size_t)doc->scan.entries[i].offset;
            return 1;
        }
    }
    return 0;
}

static int parse_at(lsi_pdf_doc *doc, uint32_t num, size_t at, const lsi_pdf_obj **out)
{
    lsi_pdf_obj *obj;
    uint32_t found;
    uint16_t gen;
    size_t end;
    int rc = lsi_pdf_parse_indirect(&doc->parser, at, &found, &gen, &obj, &end);

    if (rc == LSIGN_OK && found != num)
        rc = lsi_error(LSIGN_E_PARSE,
                       "PDF: the cross-reference entry of object %u points at "
                       "object %u (offset %zu)",
                       num, found, at);
    if (rc == LSIGN_OK && obj->type == LSI_PDF_STREAM && !obj->u.stream.length_known) {
        const lsi_pdf_obj *length_obj;
        int64_t length = -1; /* unresolvable: the parser searches for endstream */

        if (lsi_pdf_doc_deref(doc, obj->u.stream.length_ref, &length_obj) == LSIGN_OK)
            (void)lsi_pdf_get_int(length_obj, &length);
        rc = lsi_pdf_parse_stream_end(&doc->parser, obj, length, &end);
    }
    if (rc == LSIGN_OK)
        *out = obj;
    return rc;
}

static int read_at_offset(lsi_pdf_doc *doc, uint32_t num, const lsi_xref_entry *e,
                          const lsi_pdf_obj **out)
{
    size_t at, found;
    int rc;

    if (!locate(doc, e->offset, NULL, num, &at))
        at = doc->len; /* nothing there: only the scan can help */
    rc = at < doc->len ? parse_at(doc, num, at, out)
                       : lsi_error(LSIGN_E_PARSE,
                                   "PDF object %u: offset %llu is beyond the end of "
                                   "the file",
                                   num, (unsigned long long)e->offset);
    /* A wrong offset in an otherwise sound table: use the object found by scanning. */
    if (rc == LSIGN_E_PARSE && scanned_offset(doc, num, &found) && found != at) {
        lsi_log(doc->ctx, LSIGN_LOG_WARNING,
                "PDF object %u is not where the cross-reference "
                "says (%s); using the one found at offset %zu",
                num, lsign_last_error(), found);
        doc->parser.warnings++;
        rc = parse_at(doc, num, found, out);
    }
    return rc;
}

/* Reads the "num offset" pairs that head an object stream. */
static int objstm_header(lsi_pdf_doc *doc, objstm *os)
{
    lsi_pdf_parser p;
    size_t pos = 0;
    int rc = LSIGN_OK;

    os->nums = calloc(os->count ? os->count : 1, sizeof *os->nums);
    os->offsets = calloc(os->count ? os->count : 1, sizeof *os->offsets);
    if (os->nums == NULL || os->offsets == NULL)
        return lsi_error_nomem();
    lsi_pdf_parser_init(&p, doc->ctx, os->data, os->first, doc->arena);
    for (size_t i = 0; i < os->count && rc == LSIGN_OK; i++) {
        lsi_pdf_obj *num, *off;
        int64_t n, o;
        rc = lsi_pdf_parse_object(&p, pos, &num, &pos);
        if (rc == LSIGN_OK)
            rc = lsi_pdf_parse_object(&p, pos, &off, &pos);
        if (rc == LSIGN_OK && (!lsi_pdf_get_int(num, &n) || !lsi_pdf_get_int(off, &o) || n < 0 ||
                               n > UINT32_MAX || o < 0 || (uint64_t)o > os->len - os->first))
            rc = lsi_error(LSIGN_E_PARSE, "PDF object stream %u: bad header entry %zu", os->num, i);
        if (rc == LSIGN_OK) {
            os->nums[i] = (uint32_t)n;
            os->offsets[i] = (size_t)o;
        }
    }
    lsi_pdf_parser_cleanup(&p);
    return rc;
}

static int objstm_load(lsi_pdf_doc *doc, uint32_t num, objstm **out)
{
    const lsi_pdf_obj *st;
    int64_t n, first;
    objstm os = {num, NULL, 0, 0, 0, NULL, NULL}, *grown;
    int rc = lsi_pdf_doc_get(doc, num, &st);

    if (rc != LSIGN_OK)
        return rc;
    if (st->type != LSI_PDF_STREAM || !get_int(st->u.stream.dict, "N", &n) ||
        !get_int(st->u.stream.dict, "First", &first) || n < 0 || first < 0 ||
        (uint64_t)n > doc->limits.max_objects)
        return lsi_error(LSIGN_E_PARSE, "PDF: object %u is not a valid object stream", num);
    rc = decode_stream(doc, st, doc->limits.max_stream_bytes, &os.data, &os.len);
    if (rc == LSIGN_OK && (uint64_t)first > os.len)
        rc = lsi_error(LSIGN_E_PARSE, "PDF object stream %u: /First beyond its data", num);
    os.first = (size_t)first;
    os.count = (size_t)n;
    if (rc == LSIGN_OK)
        rc = objstm_header(doc, &os);
    grown = rc == LSIGN_OK ? realloc(doc->objstms, (doc->nobjstms + 1) * sizeof *grown) : NULL;
    if (rc == LSIGN_OK && grown == NULL)
        rc = lsi_error_nomem();
    if (rc != LSIGN_OK) {
        free(os.data);
        free(os.nums);
        free(os.offsets);
        return rc;
    }
    doc->objstms = grown;
    doc->objstms[doc->nobjstms] = os;
    *out = &doc->objstms[doc->nobjstms++];
    return LSIGN_OK;
}

static int read_compressed(lsi_pdf_doc *doc, uint32_t num, const lsi_xref_entry *e,
                           const lsi_pdf_obj **out)
{
    objstm *os = NULL;
    size_t i, end;
    lsi_pdf_parser p;
    lsi_pdf_obj *obj;
    int rc = LSIGN_OK;

    for (i = 0; i < doc->nobjstms && os == NULL; i++)
        if (doc->objstms[i].num == e->offset)
            os = &doc->objstms[i];
    if (os == NULL &&
        (e->offset > UINT32_MAX || (rc = objstm_load(doc, (uint32_t)e->offset, &os)) != LSIGN_OK))
        return rc != LSIGN_OK ? rc : lsi_error(LSIGN_E_PARSE, "PDF object %u: bad stream", num);
    i = e->index < os->count && os->nums[e->index] == num ? e->index : os->count;
    for (size_t k = 0; i == os->count && k < os->count; k++)
        if (os->nums[k] == num)
            i = k;
    if (i == os->count)
        return lsi_error(LSIGN_E_PARSE, "PDF: object %u is not in object stream %u", num, os->num);
    lsi_pdf_parser_init(&p, doc->ctx, os->data, os->len, doc->arena);
    rc = lsi_pdf_parse_object(&p, os->first + os->offsets[i], &obj, &end);
    doc->parser.warnings += p.warnings;
    lsi_pdf_parser_cleanup(&p);
    if (rc == LSIGN_OK)
        *out = obj;
    return rc;
}

int lsi_pdf_doc_get(lsi_pdf_doc *doc, uint32_t num, const lsi_pdf_obj **out)
{
    lsi_xref_entry e = lsi_pdf_doc_entry(doc, num);
    int rc;

    *out = &null_object;
    if (e.kind == LSI_XREF_FREE)
        return LSIGN_OK;
    if (doc->cache[num] != NULL) {
        *out = doc->cache[num];
        return LSIGN_OK;
    }
    if (doc->resolving[num])
        return lsi_error(LSIGN_E_PARSE, "PDF: object %u refers to itself while being read", num);
    if (++doc->parsed > doc->limits.max_objects)
        return lsi_error(LSIGN_E_LIMIT, "PDF: more than %llu objects read",
                         (unsigned long long)doc->limits.max_objects);
    doc->resolving[num] = 1;
    rc = e.kind == LSI_XREF_OFFSET ? read_at_offset(doc, num, &e, out)
                                   : read_compressed(doc, num, &e, out);
    doc->resolving[num] = 0;
    if (rc != LSIGN_OK) {
        *out = &null_object;
        return rc;
    }
    doc->cache[num] = *out;
    return LSIGN_OK;
}

uint16_t lsi_pdf_doc_generation(const lsi_pdf_doc *doc, uint32_t num)
{
    lsi_xref_entry e = lsi_pdf_doc_entry(doc, num);

    return e.kind == LSI_XREF_OFFSET ? e.gen : 0;
}

int lsi_pdf_doc_deref(lsi_pdf_doc *doc, const lsi_pdf_obj *obj, const lsi_pdf_obj **out)
{
    for (int hops = 0; obj != NULL && obj->type == LSI_PDF_REF; hops++) {
        int in_use = lsi_pdf_doc_entry(doc, obj->u.ref.num).kind != LSI_XREF_FREE;
        int rc;
        if (hops == MAX_DEREF_CHAIN)
            return lsi_error(LSIGN_E_LIMIT, "PDF: more than %d references in a row",
                             MAX_DEREF_CHAIN);
        /* "4 0 R" after object 4 was freed and reused as "4 1": the old one, now null. */
        if (in_use && obj->u.ref.gen != lsi_pdf_doc_generation(doc, obj->u.ref.num)) {
            *out = &null_object;
            return LSIGN_OK;
        }
        if ((rc = lsi_pdf_doc_get(doc, obj->u.ref.num, &obj)) != LSIGN_OK)
            return rc;
    }
    *out = obj != NULL ? obj : &null_object;
    return LSIGN_OK;
}

static void predictor_of(lsi_pdf_doc *doc, const lsi_pdf_obj *parms, lsi_pdf_predictor *p)
{
    memset(p, 0, sizeof *p);
    if (lsi_pdf_doc_deref(doc, parms, &parms) != LSIGN_OK || parms->type != LSI_PDF_DICT)
        return;
    (void)get_int(parms, "Predictor", &p->predictor);
    (void)get_int(parms, "Colors", &p->colors);
    (void)get_int(parms, "BitsPerComponent", &p->bits_per_component);
    (void)get_int(parms, "Columns", &p->columns);
}

/* Decodes `in` through filter `name` into a new buffer of at most `max` bytes. */
static int decode_filter(lsi_pdf_doc *doc, const char *name, const unsigned char *in, size_t len,
                         uint64_t max, unsigned char **out, size_t *out_len)
{
    int truncated = 0, rc;

    if (strcmp(name, "ASCIIHexDecode") == 0 || strcmp(name, "AHx") == 0)
        return lsi_pdf_asciihex_decode(in, len, max, out, out_len);
    if (strcmp(name, "ASCII85Decode") == 0 || strcmp(name, "A85") == 0)
        return lsi_pdf_ascii85_decode(in, len, max, out, out_len);
    if (strcmp(name, "FlateDecode") != 0 && strcmp(name, "Fl") != 0)
        return lsi_error(LSIGN_E_UNSUPPORTED, "PDF stream filter /%s is not supported here", name);
    rc = lsi_pdf_inflate(in, len, max, out, out_len, &truncated);
    if (rc == LSIGN_OK && truncated)
        doc->parser.warnings++;
    return rc;
}

/* Applies filter `name` (with its /DecodeParms) to *buf, replacing it. */
static int apply_filter(lsi_pdf_doc *doc, const char *name, const lsi_pdf_obj *parms, uint64_t max,
                        unsigned char **buf, size_t *len)
{
    unsigned char *out;
    size_t out_len;
    lsi_pdf_predictor pred;
    int rc = decode_filter(doc, name, *buf, *len, max, &out, &out_len);

    if (rc != LSIGN_OK)
        return rc;
    free(*buf);
    *buf = out;
    *len = out_len;
    if (name[0] == 'A') /* the ASCII filters have no predictors */
        return LSIGN_OK;
    predictor_of(doc, parms, &pred);
    return lsi_pdf_unpredict(&pred, *buf, *len, len);
}

/* The decoded data of `stream`, at most `max` bytes (LSIGN_E_LIMIT beyond). */
static int decode_stream(lsi_pdf_doc *doc, const lsi_pdf_obj *stream, uint64_t max,
                         unsigned char **out, size_t *out_len)
{
    const lsi_pdf_obj *filter, *parms, *dict = stream->u.stream.dict;
    size_t len = stream->u.stream.data_length, nfilters;
    unsigned char *buf;
    int rc = LSIGN_OK;

    *out = NULL;
    if (!stream->u.stream.length_known || len > doc->len - stream->u.stream.data_offset)
        return lsi_error(LSIGN_E_PARSE, "PDF stream %u: data extent unknown", stream->u.stream.num);
    if (len > doc->limits.max_stream_bytes)
        return lsi_error(LSIGN_E_LIMIT, "PDF stream %u: %zu bytes, more than the limit",
                         stream->u.stream.num, len);
    if ((rc = lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(dict, "Filter"), &filter)) != LSIGN_OK ||
        (rc = lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(dict, "DecodeParms"), &parms)) != LSIGN_OK)
        return rc;
    buf = malloc(len ? len : 1);
    if (buf == NULL)
        return lsi_error_nomem();
    memcpy(buf, doc->data + stream->u.stream.data_offset, len);
    nfilters = filter->type == LSI_PDF_NAME ? 1 : lsi_pdf_count(filter);
    for (size_t i = 0; i < nfilters && rc == LSIGN_OK; i++) {
        const lsi_pdf_obj *f = filter->type == LSI_PDF_NAME ? filter : lsi_pdf_array_get(filter, i);
        const lsi_pdf_obj *pm = filter->type == LSI_PDF_NAME ? parms : lsi_pdf_array_get(parms, i);
        const char *name;
        size_t name_len;
        if (!lsi_pdf_get_name(f, &name, &name_len))
            rc = lsi_error(LSIGN_E_PARSE, "PDF stream %u: /Filter is not a name",
                           stream->u.stream.num);
        else
            rc = apply_filter(doc, name, pm, max, &buf, &len);
    }
    if (rc != LSIGN_OK) {
        free(buf);
        return lsi_error_wrap("PDF stream %u", stream->u.stream.num);
    }
    *out = buf;
    *out_len = len;
    return LSIGN_OK;
}

int lsi_pdf_doc_stream_data(lsi_pdf_doc *doc, const lsi_pdf_obj *stream, unsigned char **data,
                            size_t *len)
{
    if (stream == NULL || stream->type != LSI_PDF_STREAM)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF: not a stream");
    return decode_stream(doc, stream, doc->limits.max_stream_bytes, data, len);
}

const lsi_pdf_obj *lsi_pdf_doc_resolve(lsi_pdf_doc *doc, const lsi_pdf_obj *obj, lsi_pdf_type type)
{
    const lsi_pdf_obj *out = NULL;

    if (obj == NULL || lsi_pdf_doc_deref(doc, obj, &out) != LSIGN_OK || out->type != type)
        return NULL;
    return out;
}
