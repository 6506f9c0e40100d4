#include "pdf/object.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pdf/lexer.h"

#define PRINT_MAX_DEPTH 64

lsi_pdf_obj *lsi_pdf_obj_new(lsi_arena *arena, lsi_pdf_type type)
{
    lsi_pdf_obj *obj = lsi_arena_calloc(arena, 1, sizeof *obj);

    if (obj != NULL)
        obj->type = type;
    return obj;
}

const char *lsi_pdf_type_name(lsi_pdf_type type)
{
    static const char *const names[] = {"null", "boolean", "integer",    "real",      "string",
                                        "name", "array",   "dictionary", "reference", "stream"};

    return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "unknown";
}

/* The dictionary itself, or a stream's dictionary; NULL for anything else. */
static const lsi_pdf_obj *as_dict(const lsi_pdf_obj *obj)
{
    if (obj != NULL && obj->type == LSI_PDF_STREAM)
        obj = obj->u.stream.dict;
    return obj != NULL && obj->type == LSI_PDF_DICT ? obj : NULL;
}

const lsi_pdf_obj *lsi_pdf_dict_get(const lsi_pdf_obj *dict, const char *key)
{
    size_t n = strlen(key), i;

    dict = as_dict(dict);
    if (dict == NULL)
        return NULL;
    for (i = 0; i < dict->u.dict.count; i++) {
        const lsi_pdf_name *k = &dict->u.dict.keys[i];

        if (k->len == n && memcmp(k->bytes, key, n) == 0)
            return dict->u.dict.values[i];
    }
    return NULL;
}

const lsi_pdf_obj *lsi_pdf_array_get(const lsi_pdf_obj *array, size_t index)
{
    if (array == NULL || array->type != LSI_PDF_ARRAY || index >= array->u.array.count)
        return NULL;
    return array->u.array.items[index];
}

size_t lsi_pdf_count(const lsi_pdf_obj *obj)
{
    if (obj != NULL && obj->type == LSI_PDF_ARRAY)
        return obj->u.array.count;
    obj = as_dict(obj);
    return obj != NULL ? obj->u.dict.count : 0;
}

int lsi_pdf_get_bool(const lsi_pdf_obj *obj, int *out)
{
    if (obj == NULL || obj->type != LSI_PDF_BOOL)
        return 0;
    *out = obj->u.boolean;
    return 1;
}

int lsi_pdf_get_int(const lsi_pdf_obj *obj, int64_t *out)
{
    if (obj == NULL || obj->type != LSI_PDF_INT)
        return 0;
    *out = obj->u.integer;
    return 1;
}

int lsi_pdf_get_number(const lsi_pdf_obj *obj, double *out)
{
    if (obj != NULL && obj->type == LSI_PDF_INT) {
        *out = (double)obj->u.integer;
        return 1;
    }
    if (obj == NULL || obj->type != LSI_PDF_REAL)
        return 0;
    *out = obj->u.real;
    return 1;
}

int lsi_pdf_get_name(const lsi_pdf_obj *obj, const char **name, size_t *len)
{
    if (obj == NULL || obj->type != LSI_PDF_NAME)
        return 0;
    *name = obj->u.name.bytes;
    if (len != NULL)
        *len = obj->u.name.len;
    return 1;
}

int lsi_pdf_get_string(const lsi_pdf_obj *obj, const unsigned char **bytes, size_t *len)
{
    if (obj == NULL || obj->type != LSI_PDF_STRING)
        return 0;
    *bytes = obj->u.string.bytes;
    *len = obj->u.string.len;
    return 1;
}

int lsi_pdf_get_ref(const lsi_pdf_obj *obj, uint32_t *num, uint16_t *gen)
{
    if (obj == NULL || obj->type != LSI_PDF_REF)
        return 0;
    *num = obj->u.ref.num;
    *gen = obj->u.ref.gen;
    return 1;
}

int lsi_pdf_name_is(const lsi_pdf_obj *obj, const char *name)
{
    size_t n = strlen(name);

    return obj != NULL && obj->type == LSI_PDF_NAME && obj->u.name.len == n &&
           memcmp(obj->u.name.bytes, name, n) == 0;
}

/* ---- printing ---- */

typedef struct {
    char *buf;
    size_t size, pos;
    int truncated;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    size_t room;

    if (w->truncated || w->size == 0)
        return;
    room = w->size - 1 - w->pos;
    if (n > room) {
        n = room;
        w->truncated = 1;
    }
    memcpy(w->buf + w->pos, s, n);
    w->pos += n;
}

static void puts_w(writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void put_real(writer *w, double v)
{
    char tmp[400];
    size_t n;

    snprintf(tmp, sizeof tmp, "%.10f", v);
    n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '0' && tmp[n - 2] != '.')
        n--; /* 34.5000000000 -> 34.5, 4.0000000000 -> 4.0 */
    put(w, tmp, n);
}

static void put_literal_string(writer *w, const unsigned char *s, size_t len)
{
    static const char special[] = "()\\\n\r\t\b\f", letter[] = "()\\nrtbf";
    char tmp[5];
    size_t i;

    put(w, "(", 1);
    for (i = 0; i < len && !w->truncated; i++) {
        const char *hit = s[i] != 0 ? strchr(special, s[i]) : NULL;

        if (hit != NULL) {
            tmp[0] = '\\';
            tmp[1] = letter[hit - special];
            put(w, tmp, 2);
        } else if (s[i] < 0x20 || s[i] >= 0x7f) {
            snprintf(tmp, sizeof tmp, "\\%03o", (unsigned)s[i]);
            put(w, tmp, 4);
        } else {
            put(w, (const char *)&s[i], 1);
        }
    }
    put(w, ")", 1);
}

static void put_hex_string(writer *w, const unsigned char *s, size_t len)
{
    char tmp[3];
    size_t i;

    put(w, "<", 1);
    for (i = 0; i < len && !w->truncated; i++) {
        snprintf(tmp, sizeof tmp, "%02X", (unsigned)s[i]);
        put(w, tmp, 2);
    }
    put(w, ">", 1);
}

static void put_name(writer *w, const char *s, size_t len)
{
    char tmp[4];
    size_t i;

    put(w, "/", 1);
    for (i = 0; i < len && !w->truncated; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x21 || c > 0x7e || c == '#' || lsi_pdf_is_delimiter(c)) {
            snprintf(tmp, sizeof tmp, "#%02X", (unsigned)c);
            put(w, tmp, 3);
        } else {
            put(w, &s[i], 1);
        }
    }
}

static void put_obj(writer *w, const lsi_pdf_obj *obj, int depth);

static void put_container(writer *w, const lsi_pdf_obj *obj, int depth)
{
    size_t i;

    if (obj->type == LSI_PDF_ARRAY) {
        put(w, "[", 1);
        for (i = 0; i < obj->u.array.count && !w->truncated; i++) {
            if (i > 0)
                put(w, " ", 1);
            put_obj(w, obj->u.array.items[i], depth + 1);
        }
        put(w, "]", 1);
        return;
    }
    put(w, "<<", 2);
    for (i = 0; i < obj->u.dict.count && !w->truncated; i++) {
        if (i > 0)
            put(w, " ", 1);
        put_name(w, obj->u.dict.keys[i].bytes, obj->u.dict.keys[i].len);
        put(w, " ", 1);
        put_obj(w, obj->u.dict.values[i], depth + 1);
    }
    put(w, ">>", 2);
}

static void put_obj(writer *w, const lsi_pdf_obj *obj, int depth)
{
    char tmp[64];

    if (obj == NULL || depth > PRINT_MAX_DEPTH) {
        puts_w(w, obj == NULL ? "(NULL)" : "...");
        return;
    }
    switch (obj->type) {
    case LSI_PDF_NULL: puts_w(w, "null"); break;
    case LSI_PDF_BOOL: puts_w(w, obj->u.boolean ? "true" : "false"); break;
    case LSI_PDF_INT:
        snprintf(tmp, sizeof tmp, "%" PRId64, obj->u.integer);
        puts_w(w, tmp);
        break;
    case LSI_PDF_REAL: put_real(w, obj->u.real); break;
    case LSI_PDF_STRING:
        if (obj->u.string.is_hex)
            put_hex_string(w, obj->u.string.bytes, obj->u.string.len);
        else
            put_literal_string(w, obj->u.string.bytes, obj->u.string.len);
        break;
    case LSI_PDF_NAME: put_name(w, obj->u.name.bytes, obj->u.name.len); break;
    case LSI_PDF_ARRAY:
    case LSI_PDF_DICT: put_container(w, obj, depth); break;
    case LSI_PDF_REF:
        snprintf(tmp, sizeof tmp, "%lu %u R", (unsigned long)obj->u.ref.num,
                 (unsigned)obj->u.ref.gen);
        puts_w(w, tmp);
        break;
    case LSI_PDF_STREAM:
        put_obj(w, obj->u.stream.dict, depth + 1);
        puts_w(w, " stream");
        break;
    }
}

size_t lsi_pdf_obj_print(const lsi_pdf_obj *obj, char *buf, size_t size)
{
    writer w = {buf, size, 0, 0};
    size_t i;

    if (size == 0)
        return 0;
    put_obj(&w, obj, 0);
    if (w.truncated) /* mark the cut: the last (up to) three bytes become dots */
        for (i = w.pos >= 3 ? w.pos - 3 : 0; i < w.pos; i++)
            buf[i] = '.';
    buf[w.pos] = '\0';
    return w.pos;
}
