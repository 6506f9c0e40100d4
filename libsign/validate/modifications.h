/*
 * Modification analysis: what the revisions after a signed one changed,
 * judged against what a signature (and the DocMDP level in force) allows.
 * The signed revision is opened as its own document (the prefix of the file
 * that was signed) and every object number is compared, structurally,
 * between its merged table and the whole file's. Each changed object is
 * then classified: signatures, their fields, widgets and appearances, the
 * DSS, the /Info dictionary and the containers that only gained those are
 * ALLOWED (with DocMDP 2 also filling in existing fields, with 3 also new
 * annotations; with 1 only the DSS and document timestamps); anything else
 * (page contents, resources, fonts, the page tree, a replaced catalog, ...)
 * is DISALLOWED, as are bytes after the final %%EOF.
 */
#ifndef LSI_VALIDATE_MODIFICATIONS_H
#define LSI_VALIDATE_MODIFICATIONS_H

#include <stddef.h>

#include "pdf/document.h"
#include "validate/report.h"

/* lsi_mods_verdict (NONE, ALLOWED, DISALLOWED) is the report's. */

/*
 * The verdict (the worst of the changes) and one line per change, e.g.
 * "object 12 0 (page content) changed: DISALLOWED", "bytes after the last
 * %%EOF: DISALLOWED". At most LSI_MODS_MAX_DETAILS lines (the last then says
 * how many more there were).
 */
#define LSI_MODS_MAX_DETAILS 256
typedef struct lsi_mods {
    lsi_mods_verdict verdict;
    char **details;
    size_t count;
} lsi_mods;

/*
 * What the revisions after revision `signed_rev` of `doc` changed. `docmdp`
 * is the certification level in force (0 none, 1, 2, 3). `data`/`len` are
 * the whole file `doc` was opened on. Errors: LSIGN_E_INVALID_ARG,
 * LSIGN_E_NOMEM, LSIGN_E_LIMIT; a signed revision that does not open is
 * LSIGN_E_PARSE. Clear `out` afterwards (also after an error).
 */
int lsi_mods_analyse(lsi_pdf_doc *doc, const unsigned char *data, size_t len, size_t signed_rev,
                     int docmdp, lsi_mods *out);

/*
 * The same for a signed prefix data[0, signed_end) that need not be one of
 * `doc`'s revisions (a signature whose /ByteRange ends where the final
 * cross-reference chain no longer leads, as in hidden incremental updates).
 */
int lsi_mods_analyse_prefix(lsi_pdf_doc *doc, const unsigned char *data, size_t len,
                            size_t signed_end, int docmdp, lsi_mods *out);

/* The certification level (/P of a /DocMDP /Reference, default 2) of `sig`, or 0. */
int lsi_mods_docmdp_level(lsi_pdf_doc *doc, const lsi_pdf_obj *sig);

void lsi_mods_clear(lsi_mods *m);

const char *lsi_mods_verdict_name(lsi_mods_verdict v);

#endif
