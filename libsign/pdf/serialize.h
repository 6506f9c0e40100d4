/* Writing objects in PDF syntax (ISO 32000-2 7.3), exactly, for incremental updates. */
#ifndef LSI_PDF_SERIALIZE_H
#define LSI_PDF_SERIALIZE_H

#include "core/io.h"
#include "pdf/object.h"

/*
 * Writes `obj` to `out`. Reals never use exponents; strings are written as
 * literals with escapes when printable, else as hex; names escape with #xx
 * every byte outside the regular printable range. A stream is written as
 * its dictionary and the keyword "stream" (the caller writes the data).
 * Nesting deeper than `max_depth` is LSIGN_E_LIMIT.
 */
int lsi_pdf_serialize(const lsi_pdf_obj *obj, lsi_output *out, unsigned int max_depth);

/*
 * Writes a stream's dictionary with /Length set to `length` (any /Length in
 * `dict` is left out), followed by the keyword "stream" and an end of line.
 */
int lsi_pdf_serialize_stream_head(const lsi_pdf_obj *dict, uint64_t length, lsi_output *out,
                                  unsigned int max_depth);

#endif
