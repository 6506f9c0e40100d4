/*
 * Building objects for an update: new objects, and changed copies of a
 * document's objects (the document's own are never modified). Everything is
 * allocated in the caller's arena; a NULL result carries the arena's error.
 */
#ifndef LSI_PDF_BUILD_H
#define LSI_PDF_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/object.h"

/* LSIGN_OK for a built object, else the error its builder set (for `obj == NULL` checks). */
int lsi_pdf_built(const void *obj);

lsi_pdf_obj *lsi_pdf_new_int(lsi_arena *arena, int64_t value);
lsi_pdf_obj *lsi_pdf_new_name(lsi_arena *arena, const char *name);
lsi_pdf_obj *lsi_pdf_new_string(lsi_arena *arena, const void *bytes, size_t len);
lsi_pdf_obj *lsi_pdf_new_ref(lsi_arena *arena, uint32_t num, uint16_t gen);
/* An array of `count` items (which may be NULL pointers to fill in later: fill them all). */
lsi_pdf_obj *lsi_pdf_new_array(lsi_arena *arena, size_t count);
lsi_pdf_obj *lsi_pdf_new_dict(lsi_arena *arena);

/*
 * A copy of `dict` (a dictionary, or NULL for an empty one) with `key` set
 * to `value`, or removed when `value` is NULL. Other entries keep their order;
 * a new key goes last.
 */
lsi_pdf_obj *lsi_pdf_dict_with(lsi_arena *arena, const lsi_pdf_obj *dict, const char *key,
                               lsi_pdf_obj *value);

/*
 * Null-propagating forms, for chains of builder calls: NULL (with the error
 * of the call that failed first) when `dict` or the value is NULL, else
 * lsi_pdf_dict_with() with `value`, or with a new name object `name`.
 */
lsi_pdf_obj *lsi_pdf_with(lsi_arena *arena, const lsi_pdf_obj *dict, const char *key,
                          lsi_pdf_obj *value);
lsi_pdf_obj *lsi_pdf_with_name(lsi_arena *arena, const lsi_pdf_obj *dict, const char *key,
                               const char *name);

/* A copy of `array` (an array, or NULL for an empty one) with `item` appended. */
lsi_pdf_obj *lsi_pdf_array_with(lsi_arena *arena, const lsi_pdf_obj *array, lsi_pdf_obj *item);

/*
 * A PDF text string (ISO 32000-2 7.9.2.2) of UTF-8 `text`: kept as is when
 * it is printable ASCII, else UTF-16BE with a byte-order mark. NULL with
 * LSIGN_E_INVALID_ARG when `text` is not valid UTF-8.
 */
lsi_pdf_obj *lsi_pdf_new_text(lsi_arena *arena, const char *text);

/*
 * A PDF date (7.9.4), "D:YYYYMMDDHHmmSS+HH'mm'", of `when` (seconds since
 * 1970) in the local time zone (TZ). `buf` holds at least 32 bytes.
 */
int lsi_pdf_date(int64_t when, char *buf, size_t size);

#endif
