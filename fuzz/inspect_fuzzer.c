/*
 * Inspects hostile bytes as `libsign inspect` does (PDF revisions, fields,
 * widgets, DSS; XML signatures and references): any input must give an
 * inspection or a clean refusal, never a crash, a hang or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ctx.h"
#include "json_check.h"
#include "libsign/libsign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsign_input *in = NULL;
    lsign_inspection *inspection = NULL;

    if (lsign_input_from_memory(&in, data, size) == LSIGN_OK &&
        lsign_inspect(fuzz_ctx(4u << 20), in, &inspection) == LSIGN_OK)
        fuzz_require_json(lsign_inspection_json(inspection), "lsign_inspection_json");
    lsign_inspection_free(inspection);
    lsign_input_free(in);
    return 0;
}
