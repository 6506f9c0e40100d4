/*
 * Verifies hostile bytes as lsign_xml_verify() does (parse without DTDs,
 * Ids, every ds:Signature's references through xmlsec, XAdES properties,
 * the report and its covered content), offline and with no anchors: any
 * document must give a verdict or a clean refusal, never a crash, a hang,
 * a leak or a read outside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ctx.h"
#include "json_check.h"
#include "libsign/libsign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_covered(const lsign_report *report)
{
    for (size_t i = 0; i < lsign_report_signature_count(report); i++)
        for (size_t k = 0; k < lsign_report_sig_covered_count(report, i); k++) {
            const unsigned char *bytes = NULL;
            size_t len = 0;
            volatile unsigned char sum = 0;
            if (lsign_report_sig_covered_content(report, i, k, &bytes, &len) == LSIGN_OK)
                for (size_t b = 0; b < len; b++)
                    sum ^= bytes[b];
            (void)sum;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsign_input *in = NULL;
    lsign_report *report = NULL;
    char *json = NULL;
    size_t len = 0;

    if (lsign_input_from_memory(&in, data, size) == LSIGN_OK &&
        lsign_xml_verify(fuzz_ctx(4u << 20), in, "fuzz.xml", NULL, &report) == LSIGN_OK) {
        read_covered(report);
        if (lsign_report_json(report, &json, &len) == LSIGN_OK) {
            fuzz_require_json(json, "lsign_report_json");
            lsign_free_string(json);
        }
        (void)lsign_report_text(report);
    }
    lsign_report_free(report);
    lsign_input_free(in);
    return 0;
}
