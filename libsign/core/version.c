#include "libsign/common.h"

const char *lsign_version(void)
{
    return LSIGN_VERSION_STRING;
}

unsigned int lsign_version_number(void)
{
    return LSIGN_VERSION_NUMBER;
}
