/* Strings the library owns or hands to callers. */
#include "core/memory.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

void lsign_free_string(char *s)
{
    free(s);
}

int lsi_string_replace(char **slot, const char *value)
{
    char *copy = NULL;

    if (value != NULL && (copy = strdup(value)) == NULL)
        return lsi_error_nomem();
    free(*slot);
    *slot = copy;
    return LSIGN_OK;
}
