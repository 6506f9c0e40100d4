/*
 * A strict JSON checker for the fuzz targets: whatever hostile data went into
 * a report, what libsign prints must be one valid JSON value (RFC 8259) in
 * valid UTF-8, with no raw control character. A target calls
 * fuzz_require_json() and aborts on a violation, which libFuzzer reports.
 */
#ifndef LSIGN_FUZZ_JSON_CHECK_H
#define LSIGN_FUZZ_JSON_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *p, *end;
} fuzz_json;

static int fj_value(fuzz_json *j, int depth);

static void fj_space(fuzz_json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

/* One UTF-8 sequence (shortest form, no surrogates, at most U+10FFFF). */
static int fj_utf8(fuzz_json *j)
{
    unsigned char c = *j->p;
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    unsigned long cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);

    if (n == 0 || (size_t)(j->end - j->p) < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((j->p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (j->p[k] & 0x3Fu);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    j->p += n;
    return 1;
}

static int fj_string(fuzz_json *j)
{
    if (j->p >= j->end || *j->p != '"')
        return 0;
    j->p++;
    while (j->p < j->end && *j->p != '"') {
        if (*j->p < 0x20)
            return 0;
        if (*j->p == '\\') {
            if (++j->p >= j->end)
                return 0;
            if (*j->p == 'u') {
                if (j->end - j->p < 5)
                    return 0;
                for (int k = 1; k <= 4; k++)
                    if (!strchr("0123456789abcdefABCDEF", j->p[k]) || j->p[k] == 0)
                        return 0;
                j->p += 5;
            } else if (strchr("\"\\/bfnrt", *j->p) && *j->p != 0) {
                j->p++;
            } else {
                return 0;
            }
        } else if (!fj_utf8(j)) {
            return 0;
        }
    }
    if (j->p >= j->end)
        return 0;
    j->p++;
    return 1;
}

static int fj_number(fuzz_json *j)
{
    const unsigned char *start = j->p;

    if (j->p < j->end && *j->p == '-')
        j->p++;
    while (j->p < j->end && ((*j->p >= '0' && *j->p <= '9') || *j->p == '.' || *j->p == 'e' ||
                             *j->p == 'E' || *j->p == '+' || *j->p == '-'))
        j->p++;
    return j->p > start && start[start[0] == '-'] >= '0' && start[start[0] == '-'] <= '9';
}

static int fj_word(fuzz_json *j, const char *w)
{
    size_t n = strlen(w);

    if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
        return 0;
    j->p += n;
    return 1;
}

/* The members of an object (`close` '}') or the elements of an array (']'). */
static int fj_members(fuzz_json *j, int depth, unsigned char close)
{
    j->p++;
    fj_space(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return 1;
    }
    for (;;) {
        if (close == '}') {
            if (!fj_string(j))
                return 0;
            fj_space(j);
            if (j->p >= j->end || *j->p++ != ':')
                return 0;
        }
        if (!fj_value(j, depth + 1))
            return 0;
        fj_space(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            fj_space(j);
            continue;
        }
        if (j->p < j->end && *j->p == close) {
            j->p++;
            return 1;
        }
        return 0;
    }
}

static int fj_value(fuzz_json *j, int depth)
{
    fj_space(j);
    if (depth > 64 || j->p >= j->end)
        return 0;
    switch (*j->p) {
    case '{': return fj_members(j, depth, '}');
    case '[': return fj_members(j, depth, ']');
    case '"': return fj_string(j);
    case 't': return fj_word(j, "true");
    case 'f': return fj_word(j, "false");
    case 'n': return fj_word(j, "null");
    default: return fj_number(j);
    }
}

/* Aborts unless `text` (NUL-terminated) is exactly one JSON value. */
static inline void fuzz_require_json(const char *text, const char *what)
{
    fuzz_json j = {(const unsigned char *)text, (const unsigned char *)text + strlen(text)};

    if (!fj_value(&j, 0) || (fj_space(&j), j.p != j.end)) {
        fprintf(stderr, "%s: invalid JSON at byte %zu:\n%s\n", what,
                (size_t)(j.p - (const unsigned char *)text), text);
        abort();
    }
}

#endif
