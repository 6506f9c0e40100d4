/*
 * Tokens of content streams and CMap programs, read tolerantly: these are
 * programs, not object syntax, and readers skip what they do not understand,
 * so a lexer error skips the offending bytes instead of failing.
 *
 * Strings and names are decoded into an arena that is recycled whenever the
 * caller says the tokens read so far are no longer needed, so memory stays
 * bounded by what one operator holds, not by the length of the stream.
 */
#ifndef LSI_PDF_CONTENT_H
#define LSI_PDF_CONTENT_H

#include <stddef.h>

#include "pdf/arena.h"
#include "pdf/lexer.h"

typedef struct lsi_pdf_tokens {
    lsi_pdf_lexer lx;
    lsi_arena *arena;
} lsi_pdf_tokens;

void lsi_pdf_tokens_init(lsi_pdf_tokens *t, const unsigned char *data, size_t len);
void lsi_pdf_tokens_cleanup(lsi_pdf_tokens *t);

/*
 * The next token (LSI_TOK_EOF at the end), skipping malformed ones.
 * LSIGN_OK, or LSIGN_E_NOMEM.
 */
int lsi_pdf_tokens_next(lsi_pdf_tokens *t, lsi_pdf_token *tok);

/* The tokens read so far are no longer used: their memory may be reused. */
void lsi_pdf_tokens_recycle(lsi_pdf_tokens *t);

#endif
