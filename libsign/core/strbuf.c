/* A growing string, and JSON strings in it (see strbuf.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/utf8.h"

void lsi_strbuf_add(lsi_strbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 256;
        char *grown;

        while (cap < b->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                b->failed = 1;
                return;
            }
            cap *= 2;
        }
        grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void lsi_strbuf_puts(lsi_strbuf *b, const char *s)
{
    lsi_strbuf_add(b, s, strlen(s));
}

void lsi_strbuf_vprintf(lsi_strbuf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = 1;
    } else if ((size_t)n < sizeof small) {
        lsi_strbuf_add(b, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);

        if (big == NULL) {
            b->failed = 1;
            return;
        }
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        lsi_strbuf_add(b, big, (size_t)n);
        free(big);
    }
}

void lsi_strbuf_printf(lsi_strbuf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    lsi_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* The buffer's string, or NULL (and nothing to free) when it ran out of memory. */
char *lsi_strbuf_take(lsi_strbuf *b)
{
    if (b->failed || b->data == NULL) {
        free(b->data);
        return b->failed ? NULL : strdup("");
    }
    return b->data;
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Appends `s`, with each byte that is not part of valid UTF-8 replaced by U+FFFD. */
void lsi_strbuf_utf8(lsi_strbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), i = 0, start = 0;
    uint32_t cp;

    while (i < len) {
        size_t at = i;

        if (lsi_utf8_next(u, len, &i, &cp))
            continue;
        lsi_strbuf_add(b, s + start, at - start);
        lsi_strbuf_puts(b, replacement);
        i = start = at + 1;
    }
    lsi_strbuf_add(b, s + start, len - start);
}

void lsi_json_str(lsi_strbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len, i = 0;

    if (s == NULL) {
        lsi_strbuf_puts(b, "null");
        return;
    }
    len = strlen(s);
    lsi_strbuf_puts(b, "\"");
    while (i < len) {
        size_t at = i;
        uint32_t cp;

        if (!lsi_utf8_next(u, len, &i, &cp)) {
            lsi_strbuf_puts(b, replacement);
            i = at + 1;
        } else if (cp == '"') {
            lsi_strbuf_puts(b, "\\\"");
        } else if (cp == '\\') {
            lsi_strbuf_puts(b, "\\\\");
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            lsi_strbuf_printf(b, "\\u%04x", (unsigned int)cp);
        } else {
            lsi_strbuf_add(b, s + at, i - at);
        }
    }
    lsi_strbuf_puts(b, "\"");
}

void lsi_json_key(lsi_strbuf *b, const char *key, int first)
{
    if (!first)
        lsi_strbuf_puts(b, ", ");
    lsi_json_str(b, key);
    lsi_strbuf_puts(b, ": ");
}
