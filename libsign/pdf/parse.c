#include "pdf/parse.h"

#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/grow.h"

#define SMALL_DICT 16 /* up to this many entries, duplicates are found pairwise */

void lsi_pdf_parser_init(lsi_pdf_parser *p, const lsign_ctx *ctx, const unsigned char *data,
                         size_t len, lsi_arena *arena)
{
    memset(p, 0, sizeof *p);
    p->data = data;
    p->len = data == NULL ? 0 : len;
    p->arena = arena;
    p->max_depth = ctx != NULL ? lsi_ctx_options(ctx)->max_depth : LSI_PDF_DEFAULT_DEPTH;
    if (p->max_depth == 0)
        p->max_depth = LSI_PDF_DEFAULT_DEPTH;
    p->max_entries = LSI_PDF_DEFAULT_MAX_ENTRIES;
    p->no_endstream_from = SIZE_MAX;
    lsi_pdf_lexer_init(&p->lx, p->data, p->len, arena);
}

void lsi_pdf_parser_cleanup(lsi_pdf_parser *p)
{
    free(p->values);
    free(p->frames);
    p->values = NULL;
    p->frames = NULL;
    p->values_cap = p->frames_cap = p->values_len = p->frames_len = 0;
}

static int error_at(lsi_pdf_parser *p, int code, size_t offset, const char *text)
{
    return lsi_pdf_lex_error(&p->lx, code, offset, "%s", text);
}

static void warn(lsi_pdf_parser *p, lsi_pdf_obj *obj, unsigned int flag)
{
    obj->flags |= flag;
    p->warning_flags |= flag;
    p->warnings++;
}

/* Forgets any previous parse and moves to `offset`. */
static int reset(lsi_pdf_parser *p, size_t offset)
{
    p->n_ahead = 0;
    p->values_len = p->frames_len = 0;
    p->lx.in_object = 0;
    p->lx.max_depth = p->max_depth;
    if (offset > p->len)
        return lsi_error(LSIGN_E_PARSE, "PDF: offset %zu beyond the end of the data (%zu bytes)",
                         offset, p->len);
    lsi_pdf_lexer_seek(&p->lx, offset);
    p->last_end = offset;
    return LSIGN_OK;
}

/* ---- tokens, with two of lookahead ---- */

/* Makes ahead[k] available. A lexing error is not reported here: the lexer is put back, so
 * the error comes again, with its message, if the parser really reads that token. */
static int peek(lsi_pdf_parser *p, size_t k, const lsi_pdf_token **tok)
{
    while (p->n_ahead <= k) {
        size_t before = p->lx.pos;

        if (lsi_pdf_lexer_next(&p->lx, &p->ahead[p->n_ahead]) != LSIGN_OK) {
            lsi_pdf_lexer_seek(&p->lx, before);
            return 0;
        }
        p->n_ahead++;
    }
    *tok = &p->ahead[k];
    return 1;
}

static int next_token(lsi_pdf_parser *p, lsi_pdf_token *tok)
{
    if (p->n_ahead > 0) {
        *tok = p->ahead[0];
        p->ahead[0] = p->ahead[1];
        p->n_ahead--;
    } else {
        int rc = lsi_pdf_lexer_next(&p->lx, tok);

        if (rc != LSIGN_OK)
            return rc;
    }
    p->last_end = tok->end;
    return LSIGN_OK;
}

/* ---- scratch stacks ---- */

static int open_container(lsi_pdf_parser *p, const lsi_pdf_token *tok)
{
    lsi_pdf_frame *f;
    int rc;

    if (p->frames_len >= p->max_depth)
        return lsi_pdf_lex_error(&p->lx, LSIGN_E_LIMIT, tok->start, "nesting deeper than %u",
                                 p->max_depth);
    rc = lsi_reserve((void **)&p->frames, &p->frames_cap, p->frames_len, sizeof *p->frames);
    if (rc != LSIGN_OK)
        return rc;
    f = &p->frames[p->frames_len++];
    f->is_dict = tok->type == LSI_TOK_DICT_OPEN;
    f->base = p->values_len;
    f->offset = tok->start;
    return LSIGN_OK;
}

/* Adds a finished value to the innermost open container. */
static int push_value(lsi_pdf_parser *p, lsi_pdf_obj *value)
{
    const lsi_pdf_frame *f = &p->frames[p->frames_len - 1];
    size_t used = p->values_len - f->base;
    int rc;

    if (f->is_dict && used % 2 == 0 && value->type != LSI_PDF_NAME)
        return error_at(p, LSIGN_E_PARSE, value->offset, "dictionary key is not a name");
    if (used / (f->is_dict ? 2 : 1) >= p->max_entries)
        return lsi_pdf_lex_error(&p->lx, LSIGN_E_LIMIT, value->offset,
                                 "%s with more than %zu entries",
                                 f->is_dict ? "dictionary" : "array", p->max_entries);
    rc = lsi_reserve((void **)&p->values, &p->values_cap, p->values_len, sizeof *p->values);
    if (rc != LSIGN_OK)
        return rc;
    p->values[p->values_len++] = value;
    return LSIGN_OK;
}

/* ---- containers ---- */

static int build_array(lsi_pdf_parser *p, const lsi_pdf_frame *f, lsi_pdf_obj *array)
{
    size_t count = p->values_len - f->base;

    array->u.array.items = lsi_arena_alloc(p->arena, count * sizeof(lsi_pdf_obj *));
    if (array->u.array.items == NULL)
        return lsign_last_error_code();
    if (count > 0)
        memcpy(array->u.array.items, p->values + f->base, count * sizeof(lsi_pdf_obj *));
    array->u.array.count = count;
    return LSIGN_OK;
}

static int same_name(const lsi_pdf_obj *a, const lsi_pdf_obj *b)
{
    return a->u.name.len == b->u.name.len &&
           memcmp(a->u.name.bytes, b->u.name.bytes, a->u.name.len) == 0;
}

typedef struct {
    const lsi_pdf_obj *key;
    size_t index;
} keyed;

static int compare_keyed(const void *va, const void *vb)
{
    const keyed *a = va, *b = vb;
    size_t n = a->key->u.name.len < b->key->u.name.len ? a->key->u.name.len : b->key->u.name.len;
    int c = memcmp(a->key->u.name.bytes, b->key->u.name.bytes, n);

    if (c != 0)
        return c;
    if (a->key->u.name.len != b->key->u.name.len)
        return a->key->u.name.len < b->key->u.name.len ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Marks in drop[] every pair whose key appears again later (the last one wins); by sorting,
 * so that a dictionary of a million keys costs n log n, not n^2. */
static int mark_duplicates_sorted(lsi_pdf_obj **kv, size_t n, unsigned char *drop)
{
    keyed *sorted = malloc(n * sizeof *sorted);
    size_t i;

    if (sorted == NULL)
        return lsi_error_nomem();
    for (i = 0; i < n; i++) {
        sorted[i].key = kv[2 * i];
        sorted[i].index = i;
    }
    qsort(sorted, n, sizeof *sorted, compare_keyed);
    for (i = 0; i + 1 < n; i++)
        if (same_name(sorted[i].key, sorted[i + 1].key))
            drop[sorted[i].index] = 1;
    free(sorted);
    return LSIGN_OK;
}

static int mark_duplicates(lsi_pdf_obj **kv, size_t n, unsigned char *drop)
{
    size_t i, j;

    if (n > SMALL_DICT)
        return mark_duplicates_sorted(kv, n, drop);
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n && !drop[i]; j++)
            drop[i] = (unsigned char)same_name(kv[2 * i], kv[2 * j]);
    return LSIGN_OK;
}

/* Copies the pairs not dropped into the dictionary, in their order in the file. */
static int fill_dict(lsi_pdf_parser *p, lsi_pdf_obj **kv, size_t n, const unsigned char *drop,
                     lsi_pdf_obj *dict)
{
    size_t i, kept = 0;

    dict->u.dict.keys = lsi_arena_alloc(p->arena, n * sizeof(lsi_pdf_name));
    dict->u.dict.values = lsi_arena_alloc(p->arena, n * sizeof(lsi_pdf_obj *));
    if (dict->u.dict.keys == NULL || dict->u.dict.values == NULL)
        return lsign_last_error_code();
    for (i = 0; i < n; i++) {
        if (drop[i])
            continue;
        dict->u.dict.keys[kept] = kv[2 * i]->u.name;
        dict->u.dict.values[kept++] = kv[2 * i + 1];
    }
    dict->u.dict.count = kept;
    if (kept != n)
        warn(p, dict, LSI_PDF_FLAG_DUPLICATE_KEYS);
    return LSIGN_OK;
}

static int build_dict(lsi_pdf_parser *p, const lsi_pdf_frame *f, lsi_pdf_obj *dict,
                      size_t close_offset)
{
    lsi_pdf_obj **kv = p->values != NULL ? p->values + f->base : NULL; /* NULL: "<<>>" first */
    size_t n = (p->values_len - f->base) / 2;
    unsigned char *drop;
    int rc;

    if ((p->values_len - f->base) % 2 != 0)
        return error_at(p, LSIGN_E_PARSE, close_offset, "dictionary key without a value");
    drop = calloc(n + 1, 1);
    if (drop == NULL)
        return lsi_error_nomem();
    rc = mark_duplicates(kv, n, drop);
    if (rc == LSIGN_OK)
        rc = fill_dict(p, kv, n, drop, dict);
    free(drop);
    return rc;
}

static int close_container(lsi_pdf_parser *p, const lsi_pdf_token *tok, lsi_pdf_obj **value)
{
    int is_dict = tok->type == LSI_TOK_DICT_CLOSE;
    const lsi_pdf_frame *f;
    lsi_pdf_obj *obj;
    int rc;

    if (p->frames_len == 0 || p->frames[p->frames_len - 1].is_dict != is_dict)
        return error_at(p, LSIGN_E_PARSE, tok->start,
                        is_dict ? "'>>' without '<<'" : "']' without '['");
    f = &p->frames[p->frames_len - 1];
    obj = lsi_pdf_obj_new(p->arena, is_dict ? LSI_PDF_DICT : LSI_PDF_ARRAY);
    if (obj == NULL)
        return lsign_last_error_code();
    obj->offset = f->offset;
    rc = is_dict ? build_dict(p, f, obj, tok->start) : build_array(p, f, obj);
    if (rc != LSIGN_OK)
        return rc;
    p->values_len = f->base;
    p->frames_len--;
    *value = obj;
    return LSIGN_OK;
}

/* ---- simple values ---- */

/* A keyword for a message: at most 20 bytes, non-printable ones as '?'. */
static void keyword_text(const lsi_pdf_token *tok, char *out, size_t size)
{
    size_t i, n = tok->len < size - 1 ? tok->len : size - 1;

    for (i = 0; i < n; i++)
        out[i] = tok->bytes[i] >= 0x21 && tok->bytes[i] < 0x7f ? (char)tok->bytes[i] : '?';
    out[n] = '\0';
}

static int keyword_value(lsi_pdf_parser *p, const lsi_pdf_token *tok, lsi_pdf_obj *obj)
{
    char text[21];

    if (lsi_pdf_tok_is(tok, "null")) {
        obj->type = LSI_PDF_NULL;
    } else if (lsi_pdf_tok_is(tok, "true") || lsi_pdf_tok_is(tok, "false")) {
        obj->type = LSI_PDF_BOOL;
        obj->u.boolean = tok->bytes[0] == 't';
    } else {
        keyword_text(tok, text, sizeof text);
        return lsi_pdf_lex_error(&p->lx, LSIGN_E_PARSE, tok->start, "unexpected '%s'", text);
    }
    return LSIGN_OK;
}

static int token_value(lsi_pdf_parser *p, const lsi_pdf_token *tok, lsi_pdf_obj *obj)
{
    switch (tok->type) {
    case LSI_TOK_INT: obj->type = LSI_PDF_INT, obj->u.integer = tok->integer; break;
    case LSI_TOK_REAL: obj->type = LSI_PDF_REAL, obj->u.real = tok->real; break;
    case LSI_TOK_STRING:
    case LSI_TOK_HEX_STRING:
        obj->type = LSI_PDF_STRING;
        obj->u.string.bytes = tok->bytes;
        obj->u.string.len = tok->len;
        obj->u.string.is_hex = tok->type == LSI_TOK_HEX_STRING;
        break;
    case LSI_TOK_NAME:
        obj->type = LSI_PDF_NAME;
        obj->u.name.bytes = (const char *)tok->bytes;
        obj->u.name.len = tok->len;
        break;
    case LSI_TOK_KEYWORD: return keyword_value(p, tok, obj);
    default:
        return error_at(p, LSIGN_E_PARSE, tok->start,
                        tok->type == LSI_TOK_EOF ? "unexpected end of data"
                                                 : "unexpected '{' or '}'");
    }
    return LSIGN_OK;
}

/* After an integer N: "G R" with N < 2^32 and G < 2^16 makes a reference. */
static int is_reference(lsi_pdf_parser *p, const lsi_pdf_token *num)
{
    const lsi_pdf_token *gen, *r;

    if (num->integer < 0 || num->integer > (int64_t)UINT32_MAX)
        return 0;
    if (!peek(p, 0, &gen) || gen->type != LSI_TOK_INT || gen->integer < 0 ||
        gen->integer > UINT16_MAX)
        return 0;
    return peek(p, 1, &r) && lsi_pdf_tok_is(r, "R");
}

static int simple_value(lsi_pdf_parser *p, const lsi_pdf_token *tok, lsi_pdf_obj **value)
{
    lsi_pdf_obj *obj = lsi_pdf_obj_new(p->arena, LSI_PDF_NULL);
    lsi_pdf_token gen, r;
    int rc;

    if (obj == NULL)
        return lsign_last_error_code();
    obj->offset = tok->start;
    if (tok->type == LSI_TOK_INT && is_reference(p, tok)) {
        (void)next_token(p, &gen); /* both are in the lookahead: cannot fail */
        (void)next_token(p, &r);
        obj->type = LSI_PDF_REF;
        obj->u.ref.num = (uint32_t)tok->integer;
        obj->u.ref.gen = (uint16_t)gen.integer;
        *value = obj;
        return LSIGN_OK;
    }
    rc = token_value(p, tok, obj);
    if (rc == LSIGN_OK)
        *value = obj;
    return rc;
}

/* ---- direct objects ---- */

static int unterminated(lsi_pdf_parser *p, const lsi_pdf_token *tok)
{
    const lsi_pdf_frame *f = &p->frames[p->frames_len - 1];

    return lsi_pdf_lex_error(&p->lx, LSIGN_E_PARSE, tok->start,
                             "unterminated %s (opened at offset %zu)",
                             f->is_dict ? "dictionary" : "array", f->offset);
}

/* One token: opens or closes a container, or yields a value in *value (else NULL). */
static int step(lsi_pdf_parser *p, const lsi_pdf_token *tok, lsi_pdf_obj **value)
{
    *value = NULL;
    switch (tok->type) {
    case LSI_TOK_ARRAY_OPEN:
    case LSI_TOK_DICT_OPEN: return open_container(p, tok);
    case LSI_TOK_ARRAY_CLOSE:
    case LSI_TOK_DICT_CLOSE: return close_container(p, tok, value);
    case LSI_TOK_EOF:
        if (p->frames_len > 0)
            return unterminated(p, tok);
        /* fall through */
    default: return simple_value(p, tok, value);
    }
}

/* Parses one value at the current position, with an explicit stack instead of recursion. */
static int parse_value(lsi_pdf_parser *p, lsi_pdf_obj **out)
{
    lsi_pdf_token tok;
    lsi_pdf_obj *value;
    int rc;

    for (;;) {
        rc = next_token(p, &tok);
        if (rc == LSIGN_OK)
            rc = step(p, &tok, &value);
        if (rc != LSIGN_OK)
            return rc;
        if (value == NULL)
            continue;
        if (p->frames_len == 0) {
            *out = value;
            return LSIGN_OK;
        }
        rc = push_value(p, value);
        if (rc != LSIGN_OK)
            return rc;
    }
}

int lsi_pdf_parse_object(lsi_pdf_parser *p, size_t offset, lsi_pdf_obj **out, size_t *end)
{
    int rc;

    *out = NULL;
    rc = reset(p, offset);
    if (rc == LSIGN_OK)
        rc = parse_value(p, out);
    if (rc != LSIGN_OK) {
        *out = NULL;
        return rc;
    }
    *end = p->last_end;
    return LSIGN_OK;
}

/* ---- indirect objects and streams ---- */

/* "N G obj" with N < 2^32 and G < 2^16; names the object in later messages. */
static int parse_header(lsi_pdf_parser *p, size_t offset, uint32_t *num, uint16_t *gen)
{
    lsi_pdf_token t[3];
    size_t i;

    for (i = 0; i < 3; i++)
        if (next_token(p, &t[i]) != LSIGN_OK)
            return lsi_error_wrap("PDF: expected 'N G obj' at offset %zu", offset);
    if (t[0].type != LSI_TOK_INT || t[1].type != LSI_TOK_INT || !lsi_pdf_tok_is(&t[2], "obj"))
        return error_at(p, LSIGN_E_PARSE, t[0].start, "expected 'N G obj'");
    if (t[0].integer < 0 || t[0].integer > (int64_t)UINT32_MAX || t[1].integer < 0 ||
        t[1].integer > UINT16_MAX)
        return error_at(p, LSIGN_E_PARSE, t[0].start, "object number or generation out of range");
    *num = (uint32_t)t[0].integer;
    *gen = (uint16_t)t[1].integer;
    p->lx.in_object = 1;
    p->lx.obj_num = *num;
    p->lx.obj_gen = *gen;
    return LSIGN_OK;
}

/* 'stream' must be followed by CRLF or LF (7.3.8.1); a lone CR is tolerated with a warning. */
static int stream_data_start(lsi_pdf_parser *p, lsi_pdf_obj *stream, size_t after_keyword)
{
    const unsigned char *d = p->data;
    size_t i = after_keyword;

    if (i < p->len && d[i] == '\n') {
        stream->u.stream.data_offset = i + 1;
    } else if (i < p->len && d[i] == '\r') {
        if (i + 1 < p->len && d[i + 1] == '\n') {
            stream->u.stream.data_offset = i + 2;
        } else {
            stream->u.stream.data_offset = i + 1;
            warn(p, stream, LSI_PDF_FLAG_STREAM_CR);
        }
    } else {
        return error_at(p, LSIGN_E_PARSE, i, "'stream' not followed by an end-of-line");
    }
    return LSIGN_OK;
}

/* 1 if the keyword `word` is at `i` as a whole token (not the start of a longer run). */
static int keyword_at(const lsi_pdf_parser *p, size_t i, const char *word)
{
    size_t n = strlen(word);

    return i <= p->len && p->len - i >= n && memcmp(p->data + i, word, n) == 0 &&
           (p->len - i == n || !lsi_pdf_is_regular(p->data[i + n]));
}

/* 1 if, after optional whitespace at `i`, "endstream" follows; *after: just past it. */
static int endstream_at(const lsi_pdf_parser *p, size_t i, size_t *after)
{
    while (i < p->len && lsi_pdf_is_whitespace(p->data[i]))
        i++;
    if (!keyword_at(p, i, "endstream"))
        return 0;
    *after = i + 9;
    return 1;
}

/* Finds the first "endstream" from `from`; the data ends before it and one EOL. */
static int search_endstream(lsi_pdf_parser *p, size_t from, size_t *data_end, size_t *after)
{
    size_t limit = p->len < p->no_endstream_from ? p->len : p->no_endstream_from;
    const unsigned char *hit;
    size_t i = from, end;

    while (i < limit && (hit = memchr(p->data + i, 'e', limit - i)) != NULL) {
        i = (size_t)(hit - p->data);
        if (keyword_at(p, i, "endstream")) {
            end = i;
            if (end > from && p->data[end - 1] == '\n')
                end--;
            if (end > from && p->data[end - 1] == '\r')
                end--;
            *data_end = end;
            *after = i + 9;
            return 1;
        }
        i++;
    }
    if (from < p->no_endstream_from)
        p->no_endstream_from = from;
    return 0;
}

/* Reads endobj after a stream, tolerating its absence; *end: past endobj or endstream. */
static int finish_after_endstream(lsi_pdf_parser *p, lsi_pdf_obj *stream, size_t after, size_t *end)
{
    lsi_pdf_token tok;
    int rc;

    p->n_ahead = 0;
    lsi_pdf_lexer_seek(&p->lx, after);
    rc = lsi_pdf_lexer_next(&p->lx, &tok);
    if (rc == LSIGN_OK && lsi_pdf_tok_is(&tok, "endobj")) {
        *end = tok.end;
        return LSIGN_OK;
    }
    warn(p, stream, LSI_PDF_FLAG_NO_ENDOBJ);
    *end = after;
    return LSIGN_OK;
}

int lsi_pdf_parse_stream_end(lsi_pdf_parser *p, lsi_pdf_obj *stream, int64_t length, size_t *end)
{
    size_t start, after, data_end;
    int rc;

    if (stream == NULL || stream->type != LSI_PDF_STREAM)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF: lsi_pdf_parse_stream_end on a non-stream");
    start = stream->u.stream.data_offset;
    p->lx.in_object = 1;
    p->lx.obj_num = stream->u.stream.num;
    p->lx.obj_gen = stream->u.stream.gen;
    if (start > p->len)
        return error_at(p, LSIGN_E_PARSE, start, "stream data beyond the end of the data");
    if (length >= 0 && (uint64_t)length <= p->len - start &&
        endstream_at(p, start + (size_t)length, &after)) {
        stream->u.stream.data_length = (size_t)length;
    } else if (search_endstream(p, start, &data_end, &after)) {
        stream->u.stream.data_length = data_end - start;
        warn(p, stream, LSI_PDF_FLAG_LENGTH_REPAIRED);
    } else {
        return error_at(p, LSIGN_E_PARSE, start, "stream without endstream");
    }
    stream->u.stream.length_known = 1;
    rc = finish_after_endstream(p, stream, after, end);
    p->lx.in_object = 0;
    return rc;
}

static int parse_stream(lsi_pdf_parser *p, lsi_pdf_obj *dict, const lsi_pdf_token *keyword,
                        lsi_pdf_obj **out, size_t *end)
{
    lsi_pdf_obj *stream;
    const lsi_pdf_obj *length;
    int64_t declared = -1;
    int rc;

    if (dict->type != LSI_PDF_DICT)
        return error_at(p, LSIGN_E_PARSE, keyword->start, "stream without a dictionary");
    stream = lsi_pdf_obj_new(p->arena, LSI_PDF_STREAM);
    if (stream == NULL)
        return lsign_last_error_code();
    stream->offset = dict->offset;
    stream->u.stream.dict = dict;
    stream->u.stream.num = p->lx.obj_num;
    stream->u.stream.gen = p->lx.obj_gen;
    rc = stream_data_start(p, stream, keyword->end);
    if (rc != LSIGN_OK)
        return rc;
    *out = stream;
    length = lsi_pdf_dict_get(dict, "Length");
    if (length != NULL && length->type == LSI_PDF_REF) {
        /* Not trusted nor resolved here: the document layer knows where object N is. */
        stream->u.stream.declared_length = -1;
        stream->u.stream.length_ref = length;
        *end = stream->u.stream.data_offset;
        return LSIGN_OK;
    }
    if (lsi_pdf_get_int(length, &declared) && declared < 0)
        declared = -1;
    stream->u.stream.declared_length = declared;
    return lsi_pdf_parse_stream_end(p, stream, declared, end);
}

static int parse_indirect_body(lsi_pdf_parser *p, lsi_pdf_obj **out, size_t *end)
{
    lsi_pdf_obj *value;
    lsi_pdf_token tok;
    size_t value_end;
    int rc = parse_value(p, &value);

    if (rc != LSIGN_OK)
        return rc;
    value_end = p->last_end;
    rc = next_token(p, &tok);
    if (rc != LSIGN_OK)
        return rc;
    if (lsi_pdf_tok_is(&tok, "stream"))
        return parse_stream(p, value, &tok, out, end);
    *out = value;
    if (lsi_pdf_tok_is(&tok, "endobj")) {
        *end = tok.end;
    } else {
        warn(p, value, LSI_PDF_FLAG_NO_ENDOBJ);
        *end = value_end;
    }
    return LSIGN_OK;
}

int lsi_pdf_parse_indirect(lsi_pdf_parser *p, size_t offset, uint32_t *num, uint16_t *gen,
                           lsi_pdf_obj **out, size_t *end)
{
    int rc;

    *out = NULL;
    rc = reset(p, offset);
    if (rc == LSIGN_OK)
        rc = parse_header(p, offset, num, gen);
    if (rc == LSIGN_OK)
        rc = parse_indirect_body(p, out, end);
    p->lx.in_object = 0;
    if (rc != LSIGN_OK)
        *out = NULL;
    return rc;
}
