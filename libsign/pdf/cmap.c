#include "pdf/cmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/grow.h"
#include "pdf/content.h"

#define MAX_SPACES     64
#define MAX_POOL       ((size_t)1 << 22)
#define MAX_DST_BYTES  (4 * LSI_CMAP_MAX_CPS)
#define BACKWARD_STEPS 64 /* entries a lookup looks back over for an enclosing range */

typedef struct map_entry {
    uint32_t lo, hi;
    uint32_t dst;  /* the CID of lo, or the index of its first code point in the pool */
    uint32_t ncps; /* code points of a Unicode destination */
    size_t order;  /* definition order: of two entries starting at one code, the later wins */
} map_entry;

typedef struct map {
    map_entry *e;
    size_t n, cap;
} map;

typedef struct space_range {
    size_t nbytes;
    unsigned char lo[4], hi[4];
} space_range;

struct lsi_cmap {
    space_range spaces[MAX_SPACES];
    size_t nspaces;
    map uni, cid;
    uint32_t *pool;
    size_t pool_len, pool_cap;
};

enum { BLOCK_NONE, BLOCK_SPACE, BLOCK_BFCHAR, BLOCK_BFRANGE, BLOCK_CIDCHAR, BLOCK_CIDRANGE };

/* An operand of a mapping: a code or destination string, or a CID. */
typedef struct operand {
    int is_int;
    int64_t integer;
    unsigned char bytes[MAX_DST_BYTES];
    size_t len; /* of the string (bytes holds at most MAX_DST_BYTES of it) */
} operand;

typedef struct parser {
    lsi_cmap *cm;
    int block;
    operand ops[2]; /* the operands of the mapping being read */
    size_t nops;
    int in_array; /* inside bfrange's [ ... ] destination */
    uint32_t next, last;
    size_t order;
} parser;

void lsi_cmap_free(lsi_cmap *cmap)
{
    if (cmap == NULL)
        return;
    free(cmap->uni.e);
    free(cmap->cid.e);
    free(cmap->pool);
    free(cmap);
}

/* A code is a string of 1 to 4 bytes, read as a big-endian number. */
static int code_of(const operand *op, uint32_t *code)
{
    if (op->is_int || op->len == 0 || op->len > 4)
        return 0;
    *code = 0;
    for (size_t i = 0; i < op->len; i++)
        *code = *code << 8 | op->bytes[i];
    return 1;
}

static int add_entry(parser *p, map *m, uint32_t lo, uint32_t hi, uint32_t dst, uint32_t ncps)
{
    if (hi < lo || m->n >= LSI_CMAP_MAX_ENTRIES)
        return LSIGN_OK;
    if (LSI_RESERVE(m->e, m->cap, m->n) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    m->e[m->n++] = (map_entry){lo, hi, dst, ncps, p->order++};
    return LSIGN_OK;
}

/* UTF-16BE (or a single byte, which broken CMaps use for ASCII) into code points. */
static size_t utf16_decode(const operand *op, uint32_t *cps)
{
    size_t n = 0, len = op->len < MAX_DST_BYTES ? op->len : MAX_DST_BYTES;

    if (len == 1) {
        cps[0] = op->bytes[0];
        return 1;
    }
    for (size_t i = 0; i + 1 < len && n < LSI_CMAP_MAX_CPS; i += 2) {
        uint32_t u = (uint32_t)op->bytes[i] << 8 | op->bytes[i + 1];

        if (u >= 0xD800 && u < 0xDC00 && i + 3 < len) {
            uint32_t low = (uint32_t)op->bytes[i + 2] << 8 | op->bytes[i + 3];
            if (low >= 0xDC00 && low < 0xE000) {
                u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
                i += 2;
            }
        }
        cps[n++] = u >= 0xD800 && u < 0xE000 ? 0xFFFD : u;
    }
    return n;
}

static int add_unicode(parser *p, uint32_t lo, uint32_t hi, const operand *dst)
{
    lsi_cmap *cm = p->cm;
    uint32_t cps[LSI_CMAP_MAX_CPS];
    size_t n = dst->is_int ? 0 : utf16_decode(dst, cps);

    if (n == 0 || cm->pool_len + n > MAX_POOL)
        return LSIGN_OK;
    for (size_t i = 0; i < n; i++) {
        if (LSI_RESERVE(cm->pool, cm->pool_cap, cm->pool_len) != LSIGN_OK)
            return LSIGN_E_NOMEM;
        cm->pool[cm->pool_len++] = cps[i];
    }
    return add_entry(p, &cm->uni, lo, hi, (uint32_t)(cm->pool_len - n), (uint32_t)n);
}

static void add_space(parser *p, const operand *lo, const operand *hi)
{
    space_range *r;

    if (lo->is_int || hi->is_int || lo->len != hi->len || lo->len == 0 || lo->len > 4 ||
        p->cm->nspaces == MAX_SPACES)
        return;
    r = &p->cm->spaces[p->cm->nspaces++];
    r->nbytes = lo->len;
    memcpy(r->lo, lo->bytes, lo->len);
    memcpy(r->hi, hi->bytes, hi->len);
}

/* A complete mapping: the stored operands and `last`. */
static int apply(parser *p, const operand *last)
{
    const operand *a = &p->ops[0], *b = &p->ops[1];
    uint32_t lo, hi;

    switch (p->block) {
    case BLOCK_SPACE: add_space(p, a, last); return LSIGN_OK;
    case BLOCK_BFCHAR: return code_of(a, &lo) ? add_unicode(p, lo, lo, last) : LSIGN_OK;
    case BLOCK_BFRANGE:
        return code_of(a, &lo) && code_of(b, &hi) ? add_unicode(p, lo, hi, last) : LSIGN_OK;
    case BLOCK_CIDCHAR:
        if (!code_of(a, &lo) || !last->is_int || last->integer < 0 || last->integer > UINT32_MAX)
            return LSIGN_OK;
        return add_entry(p, &p->cm->cid, lo, lo, (uint32_t)last->integer, 0);
    case BLOCK_CIDRANGE:
        if (!code_of(a, &lo) || !code_of(b, &hi) || !last->is_int || last->integer < 0 ||
            last->integer > UINT32_MAX)
            return LSIGN_OK;
        return add_entry(p, &p->cm->cid, lo, hi, (uint32_t)last->integer, 0);
    default: return LSIGN_OK;
    }
}

static size_t operands_needed(int block)
{
    return block == BLOCK_BFRANGE || block == BLOCK_CIDRANGE ? 3 : block == BLOCK_NONE ? 0 : 2;
}

/* One string of a bfrange destination array maps the next code of the range. */
static int on_array_item(parser *p, const operand *op)
{
    if (op->is_int || p->next > p->last)
        return LSIGN_OK;
    int rc = add_unicode(p, p->next, p->next, op);
    if (p->next == p->last)
        p->in_array = 0; /* the range is done; also keeps next from wrapping */
    p->next++;
    return rc;
}

static int on_operand(parser *p, const lsi_pdf_token *t)
{
    operand op;

    memset(&op, 0, sizeof op);
    op.is_int = t->type == LSI_TOK_INT;
    op.integer = t->integer;
    if (!op.is_int) {
        op.len = t->len;
        memcpy(op.bytes, t->bytes, t->len < MAX_DST_BYTES ? t->len : MAX_DST_BYTES);
    }
    if (p->in_array)
        return on_array_item(p, &op);
    if (p->nops + 1 < operands_needed(p->block)) {
        p->ops[p->nops++] = op;
        return LSIGN_OK;
    }
    p->nops = 0;
    return apply(p, &op);
}

static void on_keyword(parser *p, const lsi_pdf_token *t)
{
    static const struct {
        const char *word;
        int block;
    } begins[] = {{"begincodespacerange", BLOCK_SPACE},
                  {"beginbfchar", BLOCK_BFCHAR},
                  {"beginbfrange", BLOCK_BFRANGE},
                  {"begincidchar", BLOCK_CIDCHAR},
                  {"begincidrange", BLOCK_CIDRANGE}};

    p->nops = 0;
    p->in_array = 0;
    p->block = BLOCK_NONE;
    for (size_t i = 0; i < sizeof begins / sizeof begins[0]; i++)
        if (lsi_pdf_tok_is(t, begins[i].word))
            p->block = begins[i].block;
}

static int on_array_open(parser *p)
{
    uint32_t lo, hi;

    if (p->block == BLOCK_BFRANGE && p->nops == 2 && code_of(&p->ops[0], &lo) &&
        code_of(&p->ops[1], &hi) && lo <= hi) {
        p->in_array = 1;
        p->next = lo;
        p->last = hi;
    }
    p->nops = 0;
    return LSIGN_OK;
}

static int on_token(parser *p, const lsi_pdf_token *t)
{
    switch (t->type) {
    case LSI_TOK_KEYWORD: on_keyword(p, t); return LSIGN_OK;
    case LSI_TOK_STRING:
    case LSI_TOK_HEX_STRING:
    case LSI_TOK_INT: return on_operand(p, t);
    case LSI_TOK_ARRAY_OPEN: return on_array_open(p);
    default:
        /* Names (a bfchar to a glyph name), reals, dictionaries: not mappings we read. */
        p->nops = 0;
        p->in_array = 0;
        return LSIGN_OK;
    }
}

static int entry_cmp(const void *a, const void *b)
{
    const map_entry *x = a, *y = b;

    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

int lsi_cmap_parse(const unsigned char *data, size_t len, lsi_cmap **out)
{
    parser p;
    lsi_pdf_tokens toks;
    lsi_pdf_token tok;
    int rc;

    *out = NULL;
    memset(&p, 0, sizeof p);
    if ((p.cm = calloc(1, sizeof *p.cm)) == NULL)
        return lsi_error_nomem();
    lsi_pdf_tokens_init(&toks, data, len);
    while ((rc = lsi_pdf_tokens_next(&toks, &tok)) == LSIGN_OK && tok.type != LSI_TOK_EOF) {
        if ((rc = on_token(&p, &tok)) != LSIGN_OK)
            break;
        lsi_pdf_tokens_recycle(&toks); /* operands are copies: the token is no longer needed */
    }
    lsi_pdf_tokens_cleanup(&toks);
    if (rc != LSIGN_OK) {
        lsi_cmap_free(p.cm);
        return rc;
    }
    if (p.cm->uni.n > 1)
        qsort(p.cm->uni.e, p.cm->uni.n, sizeof *p.cm->uni.e, entry_cmp);
    if (p.cm->cid.n > 1)
        qsort(p.cm->cid.e, p.cm->cid.n, sizeof *p.cm->cid.e, entry_cmp);
    *out = p.cm;
    return LSIGN_OK;
}

/* The entry covering `code`: the latest defined of those starting nearest below it. */
static const map_entry *map_find(const map *m, uint32_t code)
{
    size_t lo = 0, hi = m->n;

    while (lo < hi) { /* first entry starting above code */
        size_t mid = lo + (hi - lo) / 2;
        if (m->e[mid].lo <= code)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Ranges rarely nest; when they do, the enclosing one is a few entries back. */
    for (size_t i = lo, steps = 0; i > 0 && steps < BACKWARD_STEPS; i--, steps++)
        if (m->e[i - 1].hi >= code)
            return &m->e[i - 1];
    return NULL;
}

size_t lsi_cmap_unicode(const lsi_cmap *cmap, uint32_t code, uint32_t *cps)
{
    const map_entry *e = cmap != NULL ? map_find(&cmap->uni, code) : NULL;
    uint32_t last;

    if (e == NULL)
        return 0;
    memcpy(cps, cmap->pool + e->dst, e->ncps * sizeof *cps);
    /* A range increments the last code point of its destination (ISO 32000-2 9.10.3). */
    last = cps[e->ncps - 1] + (code - e->lo);
    cps[e->ncps - 1] = last >= cps[e->ncps - 1] && last <= 0x10FFFF ? last : 0xFFFD;
    return e->ncps;
}

int lsi_cmap_cid(const lsi_cmap *cmap, uint32_t code, uint32_t *cid)
{
    const map_entry *e = cmap != NULL ? map_find(&cmap->cid, code) : NULL;

    if (e == NULL)
        return 0;
    *cid = e->dst + (code - e->lo);
    return 1;
}

static int in_space(const space_range *r, const unsigned char *s)
{
    for (size_t i = 0; i < r->nbytes; i++)
        if (s[i] < r->lo[i] || s[i] > r->hi[i])
            return 0;
    return 1;
}

size_t lsi_cmap_code_length(const lsi_cmap *cmap, const unsigned char *s, size_t len)
{
    size_t shortest = 0;

    if (cmap == NULL)
        return 0;
    for (size_t n = 1; n <= 4 && n <= len; n++)
        for (size_t i = 0; i < cmap->nspaces; i++)
            if (cmap->spaces[i].nbytes == n && in_space(&cmap->spaces[i], s))
                return n;
    for (size_t i = 0; i < cmap->nspaces; i++)
        if (shortest == 0 || cmap->spaces[i].nbytes < shortest)
            shortest = cmap->spaces[i].nbytes;
    return shortest;
}
