/* tm_gmtoff (the local time zone's offset) is outside POSIX.1-2008. */
#define _DEFAULT_SOURCE
#include "pdf/build.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/utf8.h"

int lsi_pdf_built(const void *obj)
{
    if (obj != NULL)
        return LSIGN_OK;
    return lsign_last_error_code() != LSIGN_OK ? lsign_last_error_code() : lsi_error_nomem();
}

lsi_pdf_obj *lsi_pdf_new_int(lsi_arena *arena, int64_t value)
{
    lsi_pdf_obj *obj = lsi_pdf_obj_new(arena, LSI_PDF_INT);

    if (obj != NULL)
        obj->u.integer = value;
    return obj;
}

lsi_pdf_obj *lsi_pdf_new_name(lsi_arena *arena, const char *name)
{
    lsi_pdf_obj *obj = lsi_pdf_obj_new(arena, LSI_PDF_NAME);
    size_t len = strlen(name);

    if (obj == NULL || (obj->u.name.bytes = (char *)lsi_arena_memdup(arena, name, len)) == NULL)
        return NULL;
    obj->u.name.len = len;
    return obj;
}

lsi_pdf_obj *lsi_pdf_new_string(lsi_arena *arena, const void *bytes, size_t len)
{
    lsi_pdf_obj *obj = lsi_pdf_obj_new(arena, LSI_PDF_STRING);

    if (obj == NULL || (obj->u.string.bytes = lsi_arena_memdup(arena, bytes, len)) == NULL)
        return NULL;
    obj->u.string.len = len;
    return obj;
}

lsi_pdf_obj *lsi_pdf_new_ref(lsi_arena *arena, uint32_t num, uint16_t gen)
{
    lsi_pdf_obj *obj = lsi_pdf_obj_new(arena, LSI_PDF_REF);

    if (obj != NULL) {
        obj->u.ref.num = num;
        obj->u.ref.gen = gen;
    }
    return obj;
}

lsi_pdf_obj *lsi_pdf_new_array(lsi_arena *arena, size_t count)
{
    lsi_pdf_obj *obj = lsi_pdf_obj_new(arena, LSI_PDF_ARRAY);

    if (obj == NULL || (obj->u.array.items =
                            lsi_arena_calloc(arena, count + 1, sizeof *obj->u.array.items)) == NULL)
        return NULL;
    obj->u.array.count = count;
    return obj;
}

lsi_pdf_obj *lsi_pdf_new_dict(lsi_arena *arena)
{
    return lsi_pdf_obj_new(arena, LSI_PDF_DICT);
}

static int key_is(const lsi_pdf_name *name, const char *key, size_t key_len)
{
    return name->len == key_len && memcmp(name->bytes, key, key_len) == 0;
}

lsi_pdf_obj *lsi_pdf_dict_with(lsi_arena *arena, const lsi_pdf_obj *dict, const char *key,
                               lsi_pdf_obj *value)
{
    size_t n = dict != NULL && dict->type == LSI_PDF_DICT ? dict->u.dict.count : 0;
    size_t key_len = strlen(key), out_n = 0;
    lsi_pdf_obj *copy = lsi_pdf_new_dict(arena);
    int replaced = 0;

    if (copy == NULL ||
        (copy->u.dict.keys = lsi_arena_calloc(arena, n + 1, sizeof *copy->u.dict.keys)) == NULL ||
        (copy->u.dict.values = lsi_arena_calloc(arena, n + 1, sizeof *copy->u.dict.values)) == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        lsi_pdf_obj *v = dict->u.dict.values[i];
        if (key_is(&dict->u.dict.keys[i], key, key_len)) {
            replaced = 1;
            if ((v = value) == NULL)
                continue;
        }
        copy->u.dict.keys[out_n] = dict->u.dict.keys[i];
        copy->u.dict.values[out_n++] = v;
    }
    if (!replaced && value != NULL) {
        copy->u.dict.keys[out_n].bytes = (const char *)lsi_arena_memdup(arena, key, key_len);
        if (copy->u.dict.keys[out_n].bytes == NULL)
            return NULL;
        copy->u.dict.keys[out_n].len = key_len;
        copy->u.dict.values[out_n++] = value;
    }
    copy->u.dict.count = out_n;
    return copy;
}

lsi_pdf_obj *lsi_pdf_with(lsi_arena *arena, const lsi_pdf_obj *dict, const char *key,
                          lsi_pdf_obj *value)
{
    return dict != NULL && value != NULL ? lsi_pdf_dict_with(arena, dict, key, value) : NULL;
}

lsi_pdf_obj *lsi_pdf_with_name(lsi_arena *arena, const lsi_pdf_obj *dict, const char *key,
                               const char *name)
{
    return dict != NULL ? lsi_pdf_with(arena, dict, key, lsi_pdf_new_name(arena, name)) : NULL;
}

lsi_pdf_obj *lsi_pdf_array_with(lsi_arena *arena, const lsi_pdf_obj *array, lsi_pdf_obj *item)
{
    size_t n = array != NULL && array->type == LSI_PDF_ARRAY ? array->u.array.count : 0;
    lsi_pdf_obj *copy = lsi_pdf_new_array(arena, n + 1);

    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        copy->u.array.items[i] = array->u.array.items[i];
    copy->u.array.items[n] = item;
    return copy;
}

static int printable_ascii(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p > 0x7E)
            return 0;
    return 1;
}

lsi_pdf_obj *lsi_pdf_new_text(lsi_arena *arena, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strlen(text), out_len = 2;
    unsigned char *utf16;
    uint32_t cp;

    if (printable_ascii(text))
        return lsi_pdf_new_string(arena, text, len);
    /* At most 4 bytes of UTF-16 per input byte, plus the BOM. */
    if ((utf16 = lsi_arena_alloc(arena, 4 * len + 2)) == NULL)
        return NULL;
    utf16[0] = 0xFE;
    utf16[1] = 0xFF;
    for (size_t i = 0; i < len;) {
        if (!lsi_utf8_next(s, len, &i, &cp)) {
            lsi_error(LSIGN_E_INVALID_ARG, "text is not valid UTF-8 (byte %zu): \"%.40s\"", i,
                      text);
            return NULL;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            utf16[out_len++] = (unsigned char)(0xD8 | cp >> 18);
            utf16[out_len++] = (unsigned char)(cp >> 10);
            cp = 0xDC00 | (cp & 0x3FF);
        }
        utf16[out_len++] = (unsigned char)(cp >> 8);
        utf16[out_len++] = (unsigned char)cp;
    }
    return lsi_pdf_new_string(arena, utf16, out_len);
}

int lsi_pdf_date(int64_t when, char *buf, size_t size)
{
    time_t t = (time_t)when;
    struct tm tm;
    long off;

    if (size < 32 || localtime_r(&t, &tm) == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "time %lld cannot be written as a PDF date",
                         (long long)when);
    off = tm.tm_gmtoff / 60;
    snprintf(buf, size, "D:%04d%02d%02d%02d%02d%02d%c%02ld'%02ld'", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
             (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
    return LSIGN_OK;
}
