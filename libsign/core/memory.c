/* Releasing what the library allocated for callers. */
#include <stdlib.h>

#include "libsign/common.h"

void lsign_free_string(char *s)
{
    free(s);
}
