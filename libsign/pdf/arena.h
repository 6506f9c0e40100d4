/*
 * A bump allocator for the objects of one PDF document.
 *
 * Everything parsed from one document (objects, decoded strings and names) lives in one arena
 * and is released at once with lsi_arena_free(). Memory comes in blocks of 64 KiB that grow
 * (doubling, up to 16 MiB); a larger request gets a block of its own. The total handed out is
 * bounded by max_bytes, so a hostile file cannot make the parser allocate without limit.
 */
#ifndef LSI_PDF_ARENA_H
#define LSI_PDF_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct lsi_arena lsi_arena;

/* A new empty arena allowing `max_bytes` in all (0: no limit); NULL with LSIGN_E_NOMEM set. */
lsi_arena *lsi_arena_new(uint64_t max_bytes);

/*
 * `size` bytes, 8-byte aligned, uninitialised (size 0 gives a valid unique pointer).
 * NULL with LSIGN_E_LIMIT ("PDF: more than N bytes of objects") when the arena would exceed
 * its max_bytes, or with LSIGN_E_NOMEM.
 */
void *lsi_arena_alloc(lsi_arena *arena, size_t size);

/* As lsi_arena_alloc(), zero-filled. */
void *lsi_arena_calloc(lsi_arena *arena, size_t count, size_t size);

/* A copy of `len` bytes followed by a NUL byte, in the arena. */
unsigned char *lsi_arena_memdup(lsi_arena *arena, const void *data, size_t len);

/* Bytes handed out so far (rounded up to the alignment), as counted against max_bytes. */
uint64_t lsi_arena_used(const lsi_arena *arena);

/* Releases the arena and everything allocated in it; NULL is accepted. */
void lsi_arena_free(lsi_arena *arena);

#endif
