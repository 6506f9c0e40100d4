/*
 * Adds a /DSS revision to hostile bytes: the merge with whatever DSS, VRI
 * and catalog the file already has (arrays of odd objects, streams that do
 * not decode, references in loops) must stay safe.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/io.h"
#include "fuzz_ctx.h"
#include "libsign/libsign.h"
#include "pades/dss.h"
#include "pdf/document.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char cert[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    lsi_dss_blob blob = {cert, sizeof cert};
    lsi_dss_vri vri = {{0}, {&blob, NULL, &blob}, {1, 0, 1}};
    lsi_pdf_doc *doc = NULL;
    lsi_output *out = NULL;
    lsi_input in;

    lsi_input_from_memory(data, size, &in);
    if (lsi_pdf_doc_open(data, size, fuzz_ctx(4u << 20), &doc) != LSIGN_OK)
        return 0;
    if (lsi_output_to_memory(&out) == LSIGN_OK)
        (void)lsi_dss_write(doc, &in, out, &vri, 1);
    lsi_output_free(out);
    lsi_pdf_doc_free(doc);
    return 0;
}
