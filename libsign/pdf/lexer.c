#include "pdf/lexer.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lsi_pdf_lexer_init(lsi_pdf_lexer *lx, const unsigned char *data, size_t len, lsi_arena *arena)
{
    memset(lx, 0, sizeof *lx);
    lx->data = data;
    lx->len = data == NULL ? 0 : len;
    lx->arena = arena;
    lx->max_depth = LSI_PDF_DEFAULT_DEPTH;
}

void lsi_pdf_lexer_seek(lsi_pdf_lexer *lx, size_t offset)
{
    lx->pos = offset > lx->len ? lx->len : offset;
}

int lsi_pdf_lex_error(const lsi_pdf_lexer *lx, int code, size_t offset, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (lx->in_object)
        return lsi_error(code, "PDF object %lu %u at offset %zu: %s", (unsigned long)lx->obj_num,
                         (unsigned)lx->obj_gen, offset, text);
    return lsi_error(code, "PDF: %s at offset %zu", text, offset);
}

/* Character classes (ISO 32000-1 7.2.2, tables 1 and 2), looked up: the lexer asks for every
 * byte, and a signature's /Contents alone is tens of thousands of hex digits. */
enum { SPACE = 1, DELIMITER = 2 };

static const unsigned char char_class[256] = {
    [0x00] = SPACE,    [0x09] = SPACE,    [0x0a] = SPACE,    [0x0c] = SPACE,
    [0x0d] = SPACE,    [0x20] = SPACE,    ['('] = DELIMITER, [')'] = DELIMITER,
    ['<'] = DELIMITER, ['>'] = DELIMITER, ['['] = DELIMITER, [']'] = DELIMITER,
    ['{'] = DELIMITER, ['}'] = DELIMITER, ['/'] = DELIMITER, ['%'] = DELIMITER};

/* A hex digit's value plus one; 0 for a byte that is not one. */
static const unsigned char hex_plus_one[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16};

int lsi_pdf_is_whitespace(unsigned char c)
{
    return char_class[c] == SPACE;
}

int lsi_pdf_is_delimiter(unsigned char c)
{
    return char_class[c] == DELIMITER;
}

int lsi_pdf_is_regular(unsigned char c)
{
    return char_class[c] == 0;
}

int lsi_pdf_tok_is(const lsi_pdf_token *tok, const char *word)
{
    size_t n = strlen(word);

    return tok->type == LSI_TOK_KEYWORD && tok->len == n && memcmp(tok->bytes, word, n) == 0;
}

int lsi_pdf_hex_value(unsigned char c)
{
    return hex_plus_one[c] - 1;
}

/* Skips whitespace and comments (a comment runs from % to the end of the line). */
static void skip_space(lsi_pdf_lexer *lx)
{
    while (lx->pos < lx->len) {
        unsigned char c = lx->data[lx->pos];

        if (c == '%') {
            while (lx->pos < lx->len && lx->data[lx->pos] != '\n' && lx->data[lx->pos] != '\r')
                lx->pos++;
        } else if (lsi_pdf_is_whitespace(c)) {
            lx->pos++;
        } else {
            return;
        }
    }
}

static size_t regular_run_end(const lsi_pdf_lexer *lx, size_t i)
{
    while (i < lx->len && lsi_pdf_is_regular(lx->data[i]))
        i++;
    return i;
}

/* ---- numbers ---- */

/* Integer digits of [i, end) into a value within int64 (limit: 2^63 - 1 or 2^63). */
static int lex_integer(lsi_pdf_lexer *lx, lsi_pdf_token *tok, size_t i, int negative)
{
    const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;

    for (; i < tok->end; i++) {
        unsigned d = (unsigned)(lx->data[i] - '0');

        if (v > (limit - d) / 10)
            return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, tok->start, "integer out of range");
        v = v * 10 + d;
    }
    tok->type = LSI_TOK_INT;
    /* -(2^63) is computed without overflowing: -(v - 1) - 1. */
    tok->integer = negative ? (v == 0 ? 0 : -(int64_t)(v - 1) - 1) : (int64_t)v;
    return LSIGN_OK;
}

/* A real [sign]digits.digits without exponent. Digits beyond double precision only scale the
 * integer part (or are dropped after the point), so long fractions cannot overflow. */
static int lex_real(lsi_pdf_lexer *lx, lsi_pdf_token *tok, size_t i, int negative)
{
    double mantissa = 0, scale = 1, divisor = 1;
    int after_point = 0;

    for (; i < tok->end; i++) {
        unsigned char c = lx->data[i];

        if (c == '.') {
            after_point = 1;
        } else if (mantissa < 1e18) {
            mantissa = mantissa * 10 + (c - '0');
            if (after_point && divisor < DBL_MAX / 10)
                divisor *= 10;
        } else if (!after_point) {
            scale *= 10;
        }
    }
    if (scale > DBL_MAX / 1e19)
        return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, tok->start, "real number out of range");
    tok->type = LSI_TOK_REAL;
    tok->real = (negative ? -mantissa : mantissa) * scale / divisor;
    return LSIGN_OK;
}

/* [+-]digits, [+-]digits.digits*, [+-].digits: anything else in the run is malformed. */
static int lex_number(lsi_pdf_lexer *lx, lsi_pdf_token *tok)
{
    const unsigned char *d = lx->data;
    size_t i = tok->start, digits = 0, points = 0, first;
    int negative = 0;

    tok->end = regular_run_end(lx, tok->start);
    if (d[i] == '+' || d[i] == '-')
        negative = d[i++] == '-';
    first = i;
    for (; i < tok->end; i++) {
        if (d[i] >= '0' && d[i] <= '9')
            digits++;
        else if (d[i] == '.')
            points++;
        else
            break;
    }
    if (i != tok->end || digits == 0 || points > 1)
        return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, tok->start, "malformed number");
    lx->pos = tok->end;
    if (points == 0)
        return lex_integer(lx, tok, first, negative);
    return lex_real(lx, tok, first, negative);
}

/* ---- literal strings ---- */

/* Finds the ')' closing the string opened at `open`, honouring escapes and nesting. */
static int literal_string_end(lsi_pdf_lexer *lx, size_t open, size_t *close)
{
    const unsigned max_depth = lx->max_depth != 0 ? lx->max_depth : LSI_PDF_DEFAULT_DEPTH;
    size_t depth = 1, i = open + 1;

    while (i < lx->len) {
        unsigned char c = lx->data[i];

        if (c == '\\') {
            i += 2; /* the escaped byte cannot open or close anything */
            continue;
        }
        if (c == '(' && ++depth > max_depth)
            return lsi_pdf_lex_error(lx, LSIGN_E_LIMIT, i,
                                     "parentheses in a string nested deeper than %u", max_depth);
        if (c == ')' && --depth == 0) {
            *close = i;
            return LSIGN_OK;
        }
        i++;
    }
    return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, open, "unterminated string");
}

/* Decodes the escape after a backslash at d[i - 1]; returns the index after it. */
static size_t decode_escape(const unsigned char *d, size_t i, size_t end, unsigned char *out,
                            size_t *n)
{
    static const char from[] = "nrtbf()\\", to[] = "\n\r\t\b\f()\\";
    const char *hit;
    unsigned v = 0;
    size_t k;

    if (i >= end)
        return i;
    if (d[i] == '\r') /* backslash-EOL: a line continuation, both are dropped */
        return i + 1 < end && d[i + 1] == '\n' ? i + 2 : i + 1;
    if (d[i] == '\n')
        return i + 1;
    if (d[i] >= '0' && d[i] <= '7') {
        for (k = 0; k < 3 && i < end && d[i] >= '0' && d[i] <= '7'; k++, i++)
            v = v * 8 + (unsigned)(d[i] - '0');
        out[(*n)++] = (unsigned char)(v & 0xff); /* high-order overflow is ignored (7.3.4.2) */
        return i;
    }
    hit = d[i] != 0 ? strchr(from, d[i]) : NULL;
    /* An unknown escape: the backslash is ignored, the byte kept. */
    out[(*n)++] = hit != NULL ? (unsigned char)to[hit - from] : d[i];
    return i + 1;
}

/* Decodes the bytes of a literal string between its parentheses (open, close). */
static int decode_literal(lsi_pdf_lexer *lx, lsi_pdf_token *tok, size_t open, size_t close)
{
    const unsigned char *d = lx->data;
    unsigned char *out = lsi_arena_alloc(lx->arena, close - open);
    size_t i = open + 1, n = 0;

    if (out == NULL)
        return lsign_last_error_code();
    while (i < close) {
        if (d[i] == '\\') {
            i = decode_escape(d, i + 1, close, out, &n);
        } else if (d[i] == '\r') { /* any bare EOL reads as one LF (7.3.4.2) */
            out[n++] = '\n';
            i += i + 1 < close && d[i + 1] == '\n' ? 2 : 1;
        } else {
            out[n++] = d[i++];
        }
    }
    out[n] = '\0';
    tok->type = LSI_TOK_STRING;
    tok->bytes = out;
    tok->len = n;
    return LSIGN_OK;
}

static int lex_literal_string(lsi_pdf_lexer *lx, lsi_pdf_token *tok)
{
    size_t close = 0;
    int rc = literal_string_end(lx, tok->start, &close);

    if (rc != LSIGN_OK)
        return rc;
    tok->end = lx->pos = close + 1;
    return decode_literal(lx, tok, tok->start, close);
}

/* ---- hex strings ---- */

/* <...> decoded in one pass: whitespace is skipped, anything else but hex digits refused. */
static int lex_hex_string(lsi_pdf_lexer *lx, lsi_pdf_token *tok)
{
    const unsigned char *d = lx->data,
                        *gt = memchr(d + tok->start + 1, '>', lx->len - tok->start - 1);
    size_t close, i, n = 0;
    unsigned char *out;
    int high = -1;

    if (gt == NULL)
        return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, tok->start, "unterminated hex string");
    close = (size_t)(gt - d);
    if ((out = lsi_arena_alloc(lx->arena, (close - tok->start) / 2 + 2)) == NULL)
        return lsign_last_error_code();
    for (i = tok->start + 1; i < close; i++) {
        int v = hex_plus_one[d[i]] - 1;

        if (v < 0 && !lsi_pdf_is_whitespace(d[i]))
            return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, i, "invalid character in hex string");
        if (v < 0)
            continue;
        if (high >= 0) {
            out[n++] = (unsigned char)(high << 4 | v);
            high = -1;
        } else if (i + 1 < close && hex_plus_one[d[i + 1]] != 0) { /* the usual pair */
            out[n++] = (unsigned char)(v << 4 | (hex_plus_one[d[++i]] - 1));
        } else {
            high = v;
        }
    }
    if (high >= 0) /* an odd final digit is followed by an implicit 0 */
        out[n++] = (unsigned char)(high << 4);
    out[n] = '\0';
    tok->type = LSI_TOK_HEX_STRING;
    tok->bytes = out;
    tok->len = n;
    tok->end = lx->pos = close + 1;
    return LSIGN_OK;
}

/* ---- names and keywords ---- */

static int lex_name(lsi_pdf_lexer *lx, lsi_pdf_token *tok)
{
    const unsigned char *d = lx->data;
    size_t end = regular_run_end(lx, tok->start + 1), i, n = 0;
    unsigned char *out = lsi_arena_alloc(lx->arena, end - tok->start);

    if (out == NULL)
        return lsign_last_error_code();
    for (i = tok->start + 1; i < end; i++) {
        if (d[i] != '#') {
            out[n++] = d[i];
            continue;
        }
        if (end - i < 3 || lsi_pdf_hex_value(d[i + 1]) < 0 || lsi_pdf_hex_value(d[i + 2]) < 0)
            return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, i,
                                     "'#' in a name not followed by two hex digits");
        out[n++] = (unsigned char)(lsi_pdf_hex_value(d[i + 1]) << 4 | lsi_pdf_hex_value(d[i + 2]));
        i += 2;
    }
    out[n] = '\0';
    tok->type = LSI_TOK_NAME;
    tok->bytes = out;
    tok->len = n;
    tok->end = lx->pos = end;
    return LSIGN_OK;
}

static int lex_keyword(lsi_pdf_lexer *lx, lsi_pdf_token *tok)
{
    tok->end = lx->pos = regular_run_end(lx, tok->start);
    tok->type = LSI_TOK_KEYWORD;
    tok->bytes = lx->data + tok->start;
    tok->len = tok->end - tok->start;
    return LSIGN_OK;
}

/* ---- dispatch ---- */

static int single(lsi_pdf_lexer *lx, lsi_pdf_token *tok, lsi_pdf_tok_type type, size_t width)
{
    tok->type = type;
    tok->end = lx->pos = tok->start + width;
    return LSIGN_OK;
}

static int lex_angle(lsi_pdf_lexer *lx, lsi_pdf_token *tok)
{
    int doubled = tok->start + 1 < lx->len && lx->data[tok->start + 1] == lx->data[tok->start];

    if (lx->data[tok->start] == '<')
        return doubled ? single(lx, tok, LSI_TOK_DICT_OPEN, 2) : lex_hex_string(lx, tok);
    if (doubled)
        return single(lx, tok, LSI_TOK_DICT_CLOSE, 2);
    return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, tok->start, "unexpected '>'");
}

int lsi_pdf_lexer_next(lsi_pdf_lexer *lx, lsi_pdf_token *tok)
{
    unsigned char c;

    memset(tok, 0, sizeof *tok);
    skip_space(lx);
    tok->start = tok->end = lx->pos;
    if (lx->pos >= lx->len) {
        tok->type = LSI_TOK_EOF;
        return LSIGN_OK;
    }
    c = lx->data[lx->pos];
    switch (c) {
    case '[': return single(lx, tok, LSI_TOK_ARRAY_OPEN, 1);
    case ']': return single(lx, tok, LSI_TOK_ARRAY_CLOSE, 1);
    case '{': return single(lx, tok, LSI_TOK_BRACE_OPEN, 1);
    case '}': return single(lx, tok, LSI_TOK_BRACE_CLOSE, 1);
    case '<':
    case '>': return lex_angle(lx, tok);
    case '(': return lex_literal_string(lx, tok);
    case ')': return lsi_pdf_lex_error(lx, LSIGN_E_PARSE, tok->start, "unbalanced ')'");
    case '/': return lex_name(lx, tok);
    default: break;
    }
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')
        return lex_number(lx, tok);
    return lex_keyword(lx, tok);
}
