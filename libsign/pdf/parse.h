/*
 * PDF object parser (ISO 32000-2 section 7.3) over an in-memory byte range.
 *
 * It parses one object at a given offset and never reads the whole file: the document layer
 * (xref, later) tells it where objects are. Stream data is located, never decoded or copied.
 *
 * Hostile input is expected: nesting is bounded by max_depth (an explicit stack, no
 * recursion), containers by max_entries, memory by the arena's limit; the parser never reads
 * past `len` and every loop consumes input. Failures are LSIGN_E_PARSE or LSIGN_E_LIMIT (or
 * LSIGN_E_NOMEM) with a message naming the byte offset and, inside an indirect object, the
 * object: "PDF object 12 0 at offset 3456: unterminated string",
 * "PDF: nesting deeper than 256 at offset 789".
 *
 * Tolerated damage is counted in `warnings` and marked on the object (LSI_PDF_FLAG_*):
 * duplicate dictionary keys, a lone CR after 'stream', a wrong direct /Length (the data then
 * ends at the first "endstream" after it), a missing endobj.
 */
#ifndef LSI_PDF_PARSE_H
#define LSI_PDF_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "libsign/context.h"
#include "pdf/arena.h"
#include "pdf/lexer.h"
#include "pdf/object.h"

/* Default bound on the items of one array or the entries of one dictionary. */
#define LSI_PDF_DEFAULT_MAX_ENTRIES ((size_t)1000000)

/* An open array or dictionary while parsing (internal). */
typedef struct lsi_pdf_frame {
    int is_dict;
    size_t base;   /* index of its first value on the value stack */
    size_t offset; /* of its opening delimiter */
} lsi_pdf_frame;

typedef struct lsi_pdf_parser {
    const unsigned char *data;
    size_t len;
    lsi_arena *arena;
    unsigned int max_depth;     /* nesting of arrays and dictionaries (ctx max_depth, 256) */
    size_t max_entries;         /* items of one array / entries of one dictionary */
    unsigned int warnings;      /* tolerated problems seen so far */
    unsigned int warning_flags; /* LSI_PDF_FLAG_* of those problems, OR-ed */
    /* internal state */
    lsi_pdf_lexer lx;
    lsi_pdf_token ahead[2]; /* tokens read ahead to recognise "N G R" */
    size_t n_ahead;
    size_t last_end;          /* end of the last token consumed */
    size_t no_endstream_from; /* no "endstream" from here to the end: repairs stop here, so
                                 many broken streams cannot each scan the rest of the file */
    lsi_pdf_obj **values;
    size_t values_len, values_cap;
    lsi_pdf_frame *frames;
    size_t frames_len, frames_cap;
} lsi_pdf_parser;

/*
 * Prepares a parser over data[0, len), allocating objects in `arena` (which bounds memory).
 * `ctx` gives max_depth; NULL means the defaults. Never fails; lsi_pdf_parser_cleanup() must
 * be called after use (it frees scratch memory, not the objects, which belong to the arena).
 */
void lsi_pdf_parser_init(lsi_pdf_parser *p, const lsign_ctx *ctx, const unsigned char *data,
                         size_t len, lsi_arena *arena);
void lsi_pdf_parser_cleanup(lsi_pdf_parser *p);

/*
 * Parses one direct object starting at `offset` (whitespace and comments first are skipped):
 * null, booleans, numbers, strings, names, arrays, dictionaries and references "N G R".
 * *end receives the offset just past the object. On failure *out is NULL.
 */
int lsi_pdf_parse_object(lsi_pdf_parser *p, size_t offset, lsi_pdf_obj **out, size_t *end);

/*
 * Parses "N G obj <object> endobj" at `offset`, where the object may be a stream. For a
 * stream, /Length decides where its data ends:
 *  - a direct integer: "endstream" must follow (after optional whitespace) at data_offset +
 *    length; if not, the data ends at the first "endstream" after data_offset
 *    (LSI_PDF_FLAG_LENGTH_REPAIRED); a missing or invalid /Length is repaired the same way;
 *  - an indirect reference: it is not resolved here; the stream comes back with length_known
 *    0 and *end at data_offset. The document layer resolves the length and calls
 *    lsi_pdf_parse_stream_end().
 * *end receives the offset just past endobj.
 */
int lsi_pdf_parse_indirect(lsi_pdf_parser *p, size_t offset, uint32_t *num, uint16_t *gen,
                           lsi_pdf_obj **out, size_t *end);

/*
 * Finishes a stream whose length was unknown: checks "endstream" at data_offset + length
 * (length < 0: unknown, search for it), repairs as above, reads endobj, sets data_length and
 * length_known, and *end to the offset just past endobj.
 */
int lsi_pdf_parse_stream_end(lsi_pdf_parser *p, lsi_pdf_obj *stream, int64_t length, size_t *end);

#endif
