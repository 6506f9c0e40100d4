/*
 * PDF lexer (ISO 32000-2 sections 7.2 and 7.3) over an in-memory byte range.
 *
 * The lexer never copies the input: keywords point into it; only strings and names, which need
 * decoding, are decoded into the arena (NUL-terminated, with their length, since they may
 * contain NUL bytes). It never reads past `len`, knows its byte offset and can be repositioned,
 * so the parser can look ahead and the document layer can jump to xref offsets.
 *
 * Errors are LSIGN_E_PARSE (or LSIGN_E_LIMIT / LSIGN_E_NOMEM from limits and the arena) with a
 * message naming the byte offset: "PDF: unterminated string at offset 12", or, while an
 * indirect object is being parsed, "PDF object 12 0 at offset 3456: unterminated string".
 */
#ifndef LSI_PDF_LEXER_H
#define LSI_PDF_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "pdf/arena.h"

typedef enum {
    LSI_TOK_EOF,         /* end of input */
    LSI_TOK_INT,         /* value in .integer */
    LSI_TOK_REAL,        /* value in .real */
    LSI_TOK_STRING,      /* (literal): decoded bytes in .bytes/.len */
    LSI_TOK_HEX_STRING,  /* <hex>: decoded bytes in .bytes/.len */
    LSI_TOK_NAME,        /* /Name: decoded, without the slash, in .bytes/.len */
    LSI_TOK_KEYWORD,     /* any other run of regular characters: true, obj, R...; points
                            into the input, NOT NUL-terminated */
    LSI_TOK_ARRAY_OPEN,  /* [ */
    LSI_TOK_ARRAY_CLOSE, /* ] */
    LSI_TOK_DICT_OPEN,   /* << */
    LSI_TOK_DICT_CLOSE,  /* >> */
    LSI_TOK_BRACE_OPEN,  /* { (PostScript calculator functions only) */
    LSI_TOK_BRACE_CLOSE  /* } */
} lsi_pdf_tok_type;

typedef struct lsi_pdf_token {
    lsi_pdf_tok_type type;
    size_t start, end; /* byte offsets of the token in the input: [start, end) */
    int64_t integer;
    double real;
    const unsigned char *bytes; /* strings and names: arena, NUL-terminated; keywords: input */
    size_t len;
} lsi_pdf_token;

/* Default bound on nested unescaped parentheses inside one literal string. */
#define LSI_PDF_DEFAULT_DEPTH 256u

typedef struct lsi_pdf_lexer {
    const unsigned char *data;
    size_t len;
    size_t pos; /* next byte to read */
    lsi_arena *arena;
    unsigned int max_depth; /* bound on parentheses nesting in literal strings */
    /* Set while an indirect object is parsed, so messages name it. */
    int in_object;
    uint32_t obj_num;
    uint16_t obj_gen;
} lsi_pdf_lexer;

void lsi_pdf_lexer_init(lsi_pdf_lexer *lx, const unsigned char *data, size_t len, lsi_arena *arena);

/* Moves to `offset` (clamped to len). */
void lsi_pdf_lexer_seek(lsi_pdf_lexer *lx, size_t offset);

/* Reads the next token, skipping whitespace and comments; LSI_TOK_EOF at the end. */
int lsi_pdf_lexer_next(lsi_pdf_lexer *lx, lsi_pdf_token *tok);

/* 1 if `tok` is the keyword `word` exactly. */
int lsi_pdf_tok_is(const lsi_pdf_token *tok, const char *word);

/* Character classes of ISO 32000-2 section 7.2.3. */
int lsi_pdf_is_whitespace(unsigned char c);
int lsi_pdf_is_delimiter(unsigned char c);
int lsi_pdf_is_regular(unsigned char c);

/*
 * Sets the error `code` with a message naming `offset` and, while an indirect object is being
 * parsed, the object: "PDF object N G at offset O: <text>" or "PDF: <text> at offset O".
 */
int lsi_pdf_lex_error(const lsi_pdf_lexer *lx, int code, size_t offset, const char *fmt, ...)
    LSI_PRINTF(4, 5);

/* The value of a hex digit, or -1. */
int lsi_pdf_hex_value(unsigned char c);

#endif
