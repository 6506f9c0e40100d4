/* The public input and output handles (libsign/io.h) as the operations use them. */
#ifndef LSI_CORE_STREAM_H
#define LSI_CORE_STREAM_H

#include "core/io.h"
#include "libsign/io.h"

const lsi_input *lsi_input_of(const lsign_input *in);

/* Whether the input is XML: its first non-blank byte, after a UTF-8 BOM, is '<'. */
int lsi_input_is_xml(const lsi_input *in);

/*
 * Opens the output of one operation reading `in`: refuses an output that is
 * the input file. A pipe gets a memory output, copied to it by
 * lsi_stream_finish().
 */
int lsi_stream_begin(lsign_output *out, const lsign_input *in, lsi_output **o);

/*
 * Ends the operation: on success (rc == LSIGN_OK) commits `o` and keeps a
 * memory result in `out`; on failure abandons it (nothing is left behind).
 * Frees `o`. Returns rc, or the commit's failure.
 */
int lsi_stream_finish(lsign_output *out, lsi_output *o, int rc);

#endif
