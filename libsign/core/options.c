#include "core/options.h"

#include <string.h>

#include "core/error.h"

static int check_version(const lsi_options_type *t, unsigned int version)
{
    if (version == 0 || version > t->current)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "%s version %u is not supported (this libsign knows 1 to %u); "
                         "initialise them with their _OPTIONS_INIT macro or _options_init()",
                         t->what, version, t->current);
    return LSIGN_OK;
}

int lsi_options_init(const lsi_options_type *t, void *opts, unsigned int version)
{
    int rc;

    if (opts == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "%s: NULL options", t->what);
    if ((rc = check_version(t, version)) != LSIGN_OK)
        return rc;
    memcpy(opts, t->defaults, t->sizes[version - 1]);
    /* `version` is the first member of every options struct. */
    memcpy(opts, &version, sizeof version);
    return LSIGN_OK;
}

int lsi_options_read(const lsi_options_type *t, const void *caller, void *full)
{
    unsigned int version;
    int rc;

    memcpy(full, t->defaults, t->sizes[t->current - 1]);
    if (caller == NULL)
        return LSIGN_OK;
    memcpy(&version, caller, sizeof version);
    if ((rc = check_version(t, version)) != LSIGN_OK)
        return rc;
    memcpy(full, caller, t->sizes[version - 1]);
    return LSIGN_OK;
}
