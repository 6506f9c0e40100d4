/*
 * Versioned option structs: every public options struct starts with
 * `unsigned int version`. A later release may append fields (and raise the
 * version its _INIT macro writes); a program built against an older header
 * passes a smaller struct with an older version. So the library never reads
 * or writes more of the caller's struct than that version had: options are
 * read into a full copy in the current layout (lsi_options_read()), and
 * lsign_*_options_init() writes only the caller's version's bytes.
 */
#ifndef LSI_CORE_OPTIONS_H
#define LSI_CORE_OPTIONS_H

#include <stddef.h>

/* One public options type. When version N+1 appends fields, sizes[N - 1] becomes the offset of
 * the first of them, and sizes[N] = sizeof the struct. */
typedef struct lsi_options_type {
    const char *what;     /* "PDF signing options", for messages */
    const void *defaults; /* in the current layout */
    const size_t *sizes;  /* sizes[v - 1]: the struct's size in version v */
    unsigned int current; /* the newest version, LSIGN_*_OPTIONS_VERSION */
} lsi_options_type;

/* The body of every lsign_*_options_init(): the defaults, as `version` has them. */
int lsi_options_init(const lsi_options_type *t, void *opts, unsigned int version);

/*
 * The caller's options (NULL: the defaults) in the current layout in `full`: the defaults,
 * overlaid by the bytes that the caller's version has. LSIGN_E_INVALID_ARG for an unknown
 * version.
 */
int lsi_options_read(const lsi_options_type *t, const void *caller, void *full);

#endif
