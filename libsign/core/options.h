/* Versioned option structs: every public options struct starts with `unsigned int version`. */
#ifndef LSI_CORE_OPTIONS_H
#define LSI_CORE_OPTIONS_H

#include <stddef.h>

/* LSIGN_OK when 1 <= version <= current, else LSIGN_E_INVALID_ARG naming `what`. */
int lsi_options_check(const char *what, unsigned int version, unsigned int current);

/*
 * The body of every lsign_*_options_init(): checks `version`, copies the
 * `size`-byte `defaults` into `opts` and stamps `version` into its first field.
 */
int lsi_options_init(const char *what, void *opts, const void *defaults, size_t size,
                     unsigned int version, unsigned int current);

#endif
