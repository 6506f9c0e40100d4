#include "pdf/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/error.h"
#include "core/grow.h"
#include "pdf/serialize.h"

#define WRITE_DEPTH 256

typedef struct written {
    uint32_t num;
    uint16_t gen;
    uint64_t offset;
} written;

struct lsi_pdf_writer {
    lsi_pdf_doc *doc;
    lsi_output *out;
    uint64_t prev;     /* the file's startxref: our /Prev */
    uint64_t base;     /* offsets count from here (lsi_pdf_doc_offset_base) */
    uint32_t next_num; /* next fresh object number */
    written *objs;
    size_t count, capacity;
    written raw; /* the object between begin_raw and end_raw */
    int raw_open;
};

static int put(lsi_output *out, const char *text)
{
    return lsi_output_write(out, text, strlen(text));
}

int lsi_pdf_writer_begin(lsi_pdf_doc *doc, const lsi_input *in, lsi_output *out, lsi_pdf_writer **w)
{
    const unsigned char *data = in->data;
    size_t len = in->len;
    lsi_pdf_writer *wr = calloc(1, sizeof *wr);
    int64_t size = 0;
    int rc;

    *w = NULL;
    if (wr == NULL)
        return lsi_error_nomem();
    wr->doc = doc;
    wr->out = out;
    wr->base = lsi_pdf_doc_offset_base(doc);
    (void)lsi_pdf_get_int(lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Size"), &size);
    wr->next_num = size > (int64_t)lsi_pdf_doc_size(doc) && size < UINT32_MAX
                       ? (uint32_t)size
                       : lsi_pdf_doc_size(doc);
    if (wr->next_num == 0)
        wr->next_num = 1;
    rc = lsi_pdf_find_startxref(data, len, 1024, &wr->prev);
    if (rc == LSIGN_OK)
        rc = lsi_output_copy_input(out, in, 0, len);
    /* New objects must start on a line of their own. */
    if (rc == LSIGN_OK && len > 0 && data[len - 1] != '\n' && data[len - 1] != '\r')
        rc = put(out, "\n");
    if (rc != LSIGN_OK) {
        lsi_pdf_writer_free(wr);
        return rc;
    }
    *w = wr;
    return LSIGN_OK;
}

uint32_t lsi_pdf_writer_new_number(lsi_pdf_writer *w)
{
    return w->next_num++;
}

static int record(lsi_pdf_writer *w, uint32_t num, uint16_t gen, uint64_t offset)
{
    if (LSI_RESERVE(w->objs, w->capacity, w->count) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    w->objs[w->count++] = (written){num, gen, offset};
    if (num >= w->next_num)
        w->next_num = num + 1;
    return LSIGN_OK;
}

/* Writes "num gen obj"; the generation stays the object's own (0 for a new one). */
static int begin_object(lsi_pdf_writer *w, uint32_t num, written *entry)
{
    char head[48];

    *entry = (written){num, lsi_pdf_doc_generation(w->doc, num), lsi_output_size(w->out) - w->base};
    snprintf(head, sizeof head, "%u %u obj\n", num, (unsigned)entry->gen);
    return put(w->out, head);
}

/* Writes `tail` and lists the object for the cross-reference section. */
static int end_object(lsi_pdf_writer *w, const written *entry, const char *tail)
{
    int rc = put(w->out, tail);

    return rc == LSIGN_OK ? record(w, entry->num, entry->gen, entry->offset) : rc;
}

int lsi_pdf_writer_put(lsi_pdf_writer *w, uint32_t num, const lsi_pdf_obj *obj)
{
    written entry;
    int rc;

    if (obj != NULL && obj->type == LSI_PDF_STREAM)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF writer: streams go through their own call");
    rc = begin_object(w, num, &entry);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_serialize(obj, w->out, WRITE_DEPTH);
    return rc == LSIGN_OK ? end_object(w, &entry, "\nendobj\n") : rc;
}

int lsi_pdf_writer_put_stream(lsi_pdf_writer *w, uint32_t num, const lsi_pdf_obj *dict,
                              const unsigned char *data, size_t len)
{
    written entry;
    int rc = begin_object(w, num, &entry);

    if (rc == LSIGN_OK)
        rc = lsi_pdf_serialize_stream_head(dict, len, w->out, WRITE_DEPTH);
    if (rc == LSIGN_OK)
        rc = lsi_output_write(w->out, data, len);
    return rc == LSIGN_OK ? end_object(w, &entry, "\nendstream\nendobj\n") : rc;
}

int lsi_pdf_writer_begin_raw(lsi_pdf_writer *w, uint32_t num)
{
    int rc;

    if (w->raw_open)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF writer: an object is already open");
    rc = begin_object(w, num, &w->raw);
    w->raw_open = rc == LSIGN_OK;
    return rc;
}

lsi_output *lsi_pdf_writer_output(lsi_pdf_writer *w)
{
    return w->out;
}

int lsi_pdf_writer_end_raw(lsi_pdf_writer *w)
{
    if (!w->raw_open)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF writer: no object is open");
    w->raw_open = 0;
    return end_object(w, &w->raw, "\nendobj\n");
}

static int by_number(const void *a, const void *b)
{
    const written *x = a, *y = b;

    return x->num < y->num ? -1 : x->num > y->num;
}

/* /ID [<first> <new>]: the first element identifies the document across updates. */
static int put_id(lsi_pdf_writer *w)
{
    const lsi_pdf_obj *id = lsi_pdf_dict_get(lsi_pdf_doc_trailer(w->doc), "ID");
    const lsi_pdf_obj *first = lsi_pdf_array_get(id, 0);
    unsigned char fresh[16];
    lsi_pdf_obj fresh_obj = {LSI_PDF_STRING, 0, 0, {0}};
    int rc;

    if (RAND_bytes(fresh, sizeof fresh) != 1)
        return lsi_error(LSIGN_E_CRYPTO, "no randomness for the document /ID");
    fresh_obj.u.string.bytes = fresh;
    fresh_obj.u.string.len = sizeof fresh;
    fresh_obj.u.string.is_hex = 1;
    rc = put(w->out, "/ID [");
    if (rc == LSIGN_OK)
        rc = lsi_pdf_serialize(first != NULL && first->type == LSI_PDF_STRING ? first : &fresh_obj,
                               w->out, WRITE_DEPTH);
    if (rc == LSIGN_OK)
        rc = put(w->out, " ");
    if (rc == LSIGN_OK)
        rc = lsi_pdf_serialize(&fresh_obj, w->out, WRITE_DEPTH);
    return rc == LSIGN_OK ? put(w->out, "]") : rc;
}

/* The trailer entries both kinds of section share, after the opening "<<". */
static int put_trailer_entries(lsi_pdf_writer *w)
{
    const lsi_pdf_obj *trailer = lsi_pdf_doc_trailer(w->doc);
    static const char *const copied[] = {"Root", "Info"};
    char text[96];
    int rc;

    snprintf(text, sizeof text, "/Size %u /Prev %llu ", w->next_num, (unsigned long long)w->prev);
    rc = put(w->out, text);
    for (size_t i = 0; i < 2 && rc == LSIGN_OK; i++) {
        const lsi_pdf_obj *value = lsi_pdf_dict_get(trailer, copied[i]);
        if (value == NULL || value->type == LSI_PDF_NULL)
            continue;
        snprintf(text, sizeof text, "/%s ", copied[i]);
        rc = put(w->out, text);
        if (rc == LSIGN_OK)
            rc = lsi_pdf_serialize(value, w->out, WRITE_DEPTH);
        if (rc == LSIGN_OK)
            rc = put(w->out, " ");
    }
    return rc == LSIGN_OK ? put_id(w) : rc;
}

/* Runs of consecutive numbers: calls `emit` with each run's first index and length. */
static int for_each_run(lsi_pdf_writer *w, int (*emit)(lsi_pdf_writer *, size_t, size_t))
{
    int rc = LSIGN_OK;

    for (size_t i = 0, j; i < w->count && rc == LSIGN_OK; i = j) {
        for (j = i + 1; j < w->count && w->objs[j].num == w->objs[j - 1].num + 1; j++)
            ;
        rc = emit(w, i, j - i);
    }
    return rc;
}

static int emit_table_run(lsi_pdf_writer *w, size_t first, size_t n)
{
    char line[32];
    int rc;

    snprintf(line, sizeof line, "%u %zu\n", w->objs[first].num, n);
    rc = put(w->out, line);
    for (size_t i = first; i < first + n && rc == LSIGN_OK; i++) {
        /* Exactly 20 bytes per entry, as ISO 32000 requires of writers. */
        snprintf(line, sizeof line, "%010llu %05u n\r\n", (unsigned long long)w->objs[i].offset,
                 (unsigned)w->objs[i].gen);
        rc = put(w->out, line);
    }
    return rc;
}

static int finish_table(lsi_pdf_writer *w, uint64_t xref_offset)
{
    char tail[64];
    int rc = put(w->out, "xref\n0 1\n0000000000 65535 f\r\n");

    if (rc == LSIGN_OK)
        rc = for_each_run(w, emit_table_run);
    if (rc == LSIGN_OK)
        rc = put(w->out, "trailer\n<<");
    if (rc == LSIGN_OK)
        rc = put_trailer_entries(w);
    snprintf(tail, sizeof tail, ">>\nstartxref\n%llu\n%%%%EOF\n", (unsigned long long)xref_offset);
    return rc == LSIGN_OK ? put(w->out, tail) : rc;
}

static int emit_index_pair(lsi_pdf_writer *w, size_t first, size_t n)
{
    char pair[32];

    snprintf(pair, sizeof pair, "%u %zu ", w->objs[first].num, n);
    return put(w->out, pair);
}

/* Rows of /W [1 8 2]: type 1, 8-byte offset, 2-byte generation. */
static int put_stream_rows(lsi_pdf_writer *w)
{
    int rc = LSIGN_OK;

    for (size_t i = 0; i < w->count && rc == LSIGN_OK; i++) {
        unsigned char row[11] = {1};
        for (int b = 0; b < 8; b++)
            row[1 + b] = (unsigned char)(w->objs[i].offset >> (56 - 8 * b));
        row[9] = (unsigned char)(w->objs[i].gen >> 8);
        row[10] = (unsigned char)w->objs[i].gen;
        rc = lsi_output_write(w->out, row, sizeof row);
    }
    return rc;
}

static int finish_stream(lsi_pdf_writer *w, uint64_t xref_offset)
{
    uint32_t num = lsi_pdf_writer_new_number(w);
    char text[96];
    int rc = record(w, num, 0, xref_offset); /* the stream lists itself */

    qsort(w->objs, w->count, sizeof *w->objs, by_number);
    snprintf(text, sizeof text, "%u 0 obj\n<</Type /XRef /W [1 8 2] /Length %zu /Index [", num,
             w->count * 11);
    if (rc == LSIGN_OK)
        rc = put(w->out, text);
    if (rc == LSIGN_OK)
        rc = for_each_run(w, emit_index_pair);
    if (rc == LSIGN_OK)
        rc = put(w->out, "] ");
    if (rc == LSIGN_OK)
        rc = put_trailer_entries(w);
    if (rc == LSIGN_OK)
        rc = put(w->out, ">>\nstream\n");
    if (rc == LSIGN_OK)
        rc = put_stream_rows(w);
    snprintf(text, sizeof text, "\nendstream\nendobj\nstartxref\n%llu\n%%%%EOF\n",
             (unsigned long long)xref_offset);
    return rc == LSIGN_OK ? put(w->out, text) : rc;
}

int lsi_pdf_writer_finish(lsi_pdf_writer *w)
{
    size_t nrevs = lsi_pdf_doc_revision_count(w->doc);
    const lsi_pdf_revision *last = nrevs ? lsi_pdf_doc_revision(w->doc, nrevs - 1) : NULL;
    uint64_t xref_offset = lsi_output_size(w->out) - w->base;

    qsort(w->objs, w->count, sizeof *w->objs, by_number);
    for (size_t i = 1; i < w->count; i++)
        if (w->objs[i].num == w->objs[i - 1].num)
            return lsi_error(LSIGN_E_INVALID_ARG, "PDF writer: object %u written twice",
                             w->objs[i].num);
    if (last != NULL && last->xref_stream && !lsi_pdf_doc_repaired(w->doc))
        return finish_stream(w, xref_offset);
    return finish_table(w, xref_offset);
}

void lsi_pdf_writer_free(lsi_pdf_writer *w)
{
    if (w == NULL)
        return;
    free(w->objs);
    free(w);
}
