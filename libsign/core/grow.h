/* Growing malloc'd arrays: one implementation of "make room for one more". */
#ifndef LSI_CORE_GROW_H
#define LSI_CORE_GROW_H

#include <stddef.h>

/*
 * Makes room for element `len` of a malloc'd array of `elem`-byte elements
 * holding *cap: doubles the capacity (at least 16) when full.
 * LSIGN_OK, or LSIGN_E_NOMEM (also on size overflow); the array is kept then.
 */
int lsi_reserve(void **array, size_t *cap, size_t len, size_t elem);

/* lsi_reserve() for a typed pointer: LSI_RESERVE(list->items, list->cap, list->count). */
#define LSI_RESERVE(array, cap, len) lsi_reserve((void **)&(array), &(cap), (len), sizeof *(array))

#endif
