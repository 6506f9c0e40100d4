#include "pdf/content.h"

#include <string.h>

#include "core/error.h"

/* Below this, recycling keeps the arena: freeing small arenas costs more than it saves. */
#define RECYCLE_BYTES ((uint64_t)1 << 20)

void lsi_pdf_tokens_init(lsi_pdf_tokens *t, const unsigned char *data, size_t len)
{
    memset(t, 0, sizeof *t);
    lsi_pdf_lexer_init(&t->lx, data, len, NULL);
}

void lsi_pdf_tokens_cleanup(lsi_pdf_tokens *t)
{
    lsi_arena_free(t->arena);
    t->arena = NULL;
}

void lsi_pdf_tokens_recycle(lsi_pdf_tokens *t)
{
    if (t->arena != NULL && lsi_arena_used(t->arena) > RECYCLE_BYTES) {
        lsi_arena_free(t->arena);
        t->arena = NULL;
    }
}

/* Moves past a token the lexer refused: its run of regular bytes, or one delimiter. */
static void skip_bad(lsi_pdf_lexer *lx)
{
    size_t pos = lx->pos;

    if (pos < lx->len && lsi_pdf_is_regular(lx->data[pos]))
        while (pos < lx->len && lsi_pdf_is_regular(lx->data[pos]))
            pos++;
    else
        pos++;
    lsi_pdf_lexer_seek(lx, pos);
}

int lsi_pdf_tokens_next(lsi_pdf_tokens *t, lsi_pdf_token *tok)
{
    for (;;) {
        int rc;

        if (t->arena == NULL && (t->arena = lsi_arena_new(0)) == NULL)
            return LSIGN_E_NOMEM;
        t->lx.arena = t->arena;
        rc = lsi_pdf_lexer_next(&t->lx, tok);
        if (rc == LSIGN_OK || rc == LSIGN_E_NOMEM)
            return rc;
        /* The lexer stops at the start of what it refused (after any whitespace). */
        skip_bad(&t->lx);
    }
}
