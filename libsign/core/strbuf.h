/*
 * A growing NUL-terminated string for reports and JSON. A failed allocation
 * is remembered: later appends do nothing and lsi_strbuf_take() returns
 * NULL, so builders check once at the end.
 */
#ifndef LSI_CORE_STRBUF_H
#define LSI_CORE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/error.h"

typedef struct lsi_strbuf {
    char *data;
    size_t len, cap;
    int failed;
} lsi_strbuf;

void lsi_strbuf_add(lsi_strbuf *b, const char *s, size_t n);
void lsi_strbuf_puts(lsi_strbuf *b, const char *s);
void lsi_strbuf_vprintf(lsi_strbuf *b, const char *fmt, va_list ap) LSI_PRINTF(2, 0);
void lsi_strbuf_printf(lsi_strbuf *b, const char *fmt, ...) LSI_PRINTF(2, 3);
/* The string (malloc'd; "" when nothing was added), or NULL when memory ran out. */
char *lsi_strbuf_take(lsi_strbuf *b);
/* Appends `s` with each byte that is not part of valid UTF-8 replaced by U+FFFD. */
void lsi_strbuf_utf8(lsi_strbuf *b, const char *s);

/* `s` as a JSON string (UTF-8 repaired, '"', '\\' and controls escaped); null for NULL. */
void lsi_json_str(lsi_strbuf *b, const char *s);
/* ", " (unless first), the key as a JSON string, ": ". */
void lsi_json_key(lsi_strbuf *b, const char *key, int first);

#endif
