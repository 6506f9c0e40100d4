/* Strings the library owns or hands to callers. */
#ifndef LSI_CORE_MEMORY_H
#define LSI_CORE_MEMORY_H

#include "libsign/common.h"

/* Replaces *slot by a copy of `value` (NULL clears it); *slot is kept on failure (NOMEM). */
int lsi_string_replace(char **slot, const char *value);

#endif
