/* Raising signed PDFs to B-T (document timestamp), B-LT (/DSS) and B-LTA (both). */
#ifndef LSI_PADES_EXTEND_H
#define LSI_PADES_EXTEND_H

#include "core/io.h"
#include "libsign/context.h"

/* Appends to `in` what `level` needs, writing `out` (not committed). */
int lsi_pades_extend(const lsign_ctx *ctx, const lsi_input *in, lsi_output *out, int level,
                     int digest, int allow_revoked);

#endif
