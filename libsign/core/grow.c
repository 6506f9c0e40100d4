#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"

int lsi_reserve(void **array, size_t *cap, size_t len, size_t elem)
{
    size_t new_cap;
    void *grown;

    if (len < *cap)
        return LSIGN_OK;
    new_cap = *cap < 16 ? 16 : *cap * 2;
    if (new_cap > SIZE_MAX / elem)
        return lsi_error_nomem();
    grown = realloc(*array, new_cap * elem);
    if (grown == NULL)
        return lsi_error_nomem();
    *array = grown;
    *cap = new_cap;
    return LSIGN_OK;
}
