#include "pdf/arena.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define ARENA_ALIGN        ((size_t)8)
#define ARENA_FIRST_BLOCK  ((size_t)64 * 1024)
#define ARENA_MAX_BLOCK    ((size_t)16 * 1024 * 1024)
#define ARENA_HEADER_BYTES ((sizeof(struct arena_block) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1))

struct arena_block {
    struct arena_block *prev;
    size_t capacity; /* bytes of data after the header */
    size_t used;
};

struct lsi_arena {
    struct arena_block *current;
    size_t next_block_size;
    uint64_t max_bytes; /* 0: unlimited */
    uint64_t used;
};

lsi_arena *lsi_arena_new(uint64_t max_bytes)
{
    lsi_arena *arena = calloc(1, sizeof *arena);

    if (arena == NULL) {
        lsi_error_nomem();
        return NULL;
    }
    arena->next_block_size = ARENA_FIRST_BLOCK;
    arena->max_bytes = max_bytes;
    return arena;
}

/* Adds a block with room for at least `need` bytes; 0 on success. */
static int arena_grow(lsi_arena *arena, size_t need)
{
    size_t capacity = arena->next_block_size;
    struct arena_block *block;

    if (need > capacity)
        capacity = need;
    if (capacity > SIZE_MAX - ARENA_HEADER_BYTES)
        return lsi_error_nomem();
    block = malloc(ARENA_HEADER_BYTES + capacity);
    if (block == NULL)
        return lsi_error_nomem();
    block->capacity = capacity;
    block->used = 0;
    if (need > arena->next_block_size && arena->current != NULL) {
        /* A large request gets a block of its own behind the current one, so the free room
         * of the current block is not wasted: memory stays close to what is counted. */
        block->prev = arena->current->prev;
        arena->current->prev = block;
        return 0;
    }
    block->prev = arena->current;
    arena->current = block;
    if (arena->next_block_size < ARENA_MAX_BLOCK)
        arena->next_block_size *= 2;
    return 0;
}

void *lsi_arena_alloc(lsi_arena *arena, size_t size)
{
    struct arena_block *block;
    size_t rounded;
    void *p;

    if (size > SIZE_MAX - ARENA_ALIGN) {
        lsi_error_nomem();
        return NULL;
    }
    rounded = size == 0 ? ARENA_ALIGN : (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (arena->max_bytes != 0 &&
        (rounded > arena->max_bytes || arena->used > arena->max_bytes - rounded)) {
        lsi_error(LSIGN_E_LIMIT, "PDF: more than %llu bytes of objects",
                  (unsigned long long)arena->max_bytes);
        return NULL;
    }
    block = arena->current;
    if (block == NULL || block->capacity - block->used < rounded) {
        if (arena_grow(arena, rounded) != 0)
            return NULL;
        block = arena->current;
        if (block->capacity - block->used < rounded)
            block = block->prev; /* the large block just put behind the current one */
    }
    p = (unsigned char *)block + ARENA_HEADER_BYTES + block->used;
    block->used += rounded;
    arena->used += rounded;
    return p;
}

void *lsi_arena_calloc(lsi_arena *arena, size_t count, size_t size)
{
    void *p;

    if (size != 0 && count > SIZE_MAX / size) {
        lsi_error_nomem();
        return NULL;
    }
    p = lsi_arena_alloc(arena, count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

unsigned char *lsi_arena_memdup(lsi_arena *arena, const void *data, size_t len)
{
    unsigned char *p;

    if (len == SIZE_MAX) {
        lsi_error_nomem();
        return NULL;
    }
    p = lsi_arena_alloc(arena, len + 1);
    if (p == NULL)
        return NULL;
    if (len > 0)
        memcpy(p, data, len);
    p[len] = '\0';
    return p;
}

uint64_t lsi_arena_used(const lsi_arena *arena)
{
    return arena == NULL ? 0 : arena->used;
}

void lsi_arena_free(lsi_arena *arena)
{
    struct arena_block *block, *prev;

    if (arena == NULL)
        return;
    for (block = arena->current; block != NULL; block = prev) {
        prev = block->prev;
        free(block);
    }
    free(arena);
}
