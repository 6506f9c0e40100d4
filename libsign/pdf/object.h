/*
 * The PDF object model (ISO 32000-2 section 7.3). Every object lives in the arena of its
 * document and is freed with it; the parser fills them in, accessors read them.
 *
 * Strings and names keep their length because they may contain NUL bytes (<00>, /A#00B), and
 * are NUL-terminated as a convenience. Dictionary keys are unique: when a file repeats a key,
 * the last value wins (as in common readers) and the dictionary carries
 * LSI_PDF_FLAG_DUPLICATE_KEYS, because a repeated key is a classic way to make two readers
 * see different things. A null value and an absent key mean the same (7.3.7); accessors
 * return the null object, typed getters fail on it.
 */
#ifndef LSI_PDF_OBJECT_H
#define LSI_PDF_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/arena.h"

typedef enum {
    LSI_PDF_NULL,
    LSI_PDF_BOOL,
    LSI_PDF_INT,
    LSI_PDF_REAL,
    LSI_PDF_STRING,
    LSI_PDF_NAME,
    LSI_PDF_ARRAY,
    LSI_PDF_DICT,
    LSI_PDF_REF,
    LSI_PDF_STREAM
} lsi_pdf_type;

/* Warning flags on an object (lsi_pdf_obj.flags), also OR-ed into the parser's. */
#define LSI_PDF_FLAG_DUPLICATE_KEYS  0x01u /* dict: a key appeared twice, the last value kept */
#define LSI_PDF_FLAG_LENGTH_REPAIRED 0x02u /* stream: direct /Length wrong, endstream searched */
#define LSI_PDF_FLAG_STREAM_CR       0x04u /* stream: 'stream' followed by a lone CR */
#define LSI_PDF_FLAG_NO_ENDOBJ       0x08u /* indirect object without its endobj keyword */

typedef struct lsi_pdf_obj lsi_pdf_obj;

typedef struct lsi_pdf_name {
    const char *bytes; /* decoded, without the slash, NUL-terminated */
    size_t len;        /* may be less than strlen() if the name holds #00 */
} lsi_pdf_name;

struct lsi_pdf_obj {
    lsi_pdf_type type;
    unsigned int flags; /* LSI_PDF_FLAG_* */
    size_t offset;      /* where the object starts in the input (0 for built ones) */
    union {
        int boolean;
        int64_t integer;
        double real;
        struct {
            const unsigned char *bytes; /* decoded, NUL-terminated */
            size_t len;
            int is_hex; /* written as <...> */
        } string;
        lsi_pdf_name name;
        struct {
            lsi_pdf_obj **items;
            size_t count;
        } array;
        struct {
            lsi_pdf_name *keys; /* unique */
            lsi_pdf_obj **values;
            size_t count;
        } dict;
        struct {
            uint32_t num;
            uint16_t gen;
        } ref;
        struct {
            lsi_pdf_obj *dict;
            uint32_t num; /* the indirect object this stream is (streams always are) */
            uint16_t gen;
            size_t data_offset; /* absolute offset of the first data byte in the input */
            /* /Length as written: a direct integer (declared_length, -1 if none or not an
             * integer) or an indirect reference (length_ref, NULL if direct). */
            int64_t declared_length;
            const lsi_pdf_obj *length_ref;
            /* The data's extent: known when /Length was a direct integer (and then checked,
             * or repaired by finding endstream), unknown (0) when it is indirect until the
             * document layer resolves it and calls lsi_pdf_parse_stream_end(). */
            int length_known;
            size_t data_length;
        } stream;
    } u;
};

/* A new object of `type`, zeroed, in the arena; NULL with the arena's error. */
lsi_pdf_obj *lsi_pdf_obj_new(lsi_arena *arena, lsi_pdf_type type);

/* The type's name in lower case ("dictionary", "integer"...), for messages. */
const char *lsi_pdf_type_name(lsi_pdf_type type);

/*
 * The value of `key` (a name without its slash) in a dictionary, or in a stream's dictionary;
 * NULL when absent or when `dict` is neither.
 */
const lsi_pdf_obj *lsi_pdf_dict_get(const lsi_pdf_obj *dict, const char *key);

/* Item `index` of an array; NULL when out of range or not an array. */
const lsi_pdf_obj *lsi_pdf_array_get(const lsi_pdf_obj *array, size_t index);

/* Number of items of an array or entries of a dictionary (or stream dictionary); else 0. */
size_t lsi_pdf_count(const lsi_pdf_obj *obj);

/* Typed getters: 1 and the value when `obj` is of that type, else 0 (NULL obj: 0). */
int lsi_pdf_get_bool(const lsi_pdf_obj *obj, int *out);
int lsi_pdf_get_int(const lsi_pdf_obj *obj, int64_t *out);
int lsi_pdf_get_number(const lsi_pdf_obj *obj, double *out); /* integer or real */
int lsi_pdf_get_name(const lsi_pdf_obj *obj, const char **name, size_t *len);
int lsi_pdf_get_string(const lsi_pdf_obj *obj, const unsigned char **bytes, size_t *len);
int lsi_pdf_get_ref(const lsi_pdf_obj *obj, uint32_t *num, uint16_t *gen);

/* 1 if `obj` is the name `name` exactly (without the slash). */
int lsi_pdf_name_is(const lsi_pdf_obj *obj, const char *name);

/*
 * Writes `obj` in PDF syntax into buf (always NUL-terminated when size > 0): strings with
 * escapes, names with #xx, streams as their dictionary followed by "stream". Output that does
 * not fit ends with "..."; nesting beyond 64 levels prints as "...".
 * Returns the length of the text in buf.
 */
size_t lsi_pdf_obj_print(const lsi_pdf_obj *obj, char *buf, size_t size);

#endif
