#include "core/options.h"

#include <string.h>

#include "core/error.h"

int lsi_options_check(const char *what, unsigned int version, unsigned int current)
{
    if (version == 0 || version > current)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "%s version %u is not supported (this libsign knows 1 to %u); "
                         "initialise them with their _OPTIONS_INIT macro or _options_init()",
                         what, version, current);
    return LSIGN_OK;
}

int lsi_options_init(const char *what, void *opts, const void *defaults, size_t size,
                     unsigned int version, unsigned int current)
{
    int rc;

    if (opts == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "%s: NULL options", what);
    rc = lsi_options_check(what, version, current);
    if (rc != LSIGN_OK)
        return rc;
    memcpy(opts, defaults, size);
    /* `version` is the first member of every options struct. */
    memcpy(opts, &version, sizeof version);
    return LSIGN_OK;
}
