/*
 * Verifies hostile bytes as lsign_pdf_verify() does (signatures found and
 * checked, later revisions compared with the signed ones, the report
 * written as JSON), offline: ByteRanges that point anywhere, /Contents that
 * is not DER, CMS of any shape, revisions of any shape must give a verdict,
 * never a crash, a hang or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ctx.h"
#include "json_check.h"
#include "libsign/libsign.h"
#include "pdf/document.h"
#include "validate/sigcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void verify_whole(const uint8_t *data, size_t size)
{
    lsign_input *in = NULL;
    lsign_report *report = NULL;
    char *json = NULL;
    size_t len = 0;

    if (lsign_input_from_memory(&in, data, size) == LSIGN_OK &&
        lsign_pdf_verify(fuzz_ctx(4u << 20), in, "fuzz.pdf", &report) == LSIGN_OK &&
        lsign_report_json(report, &json, &len) == LSIGN_OK) {
        fuzz_require_json(json, "lsign_report_json");
        lsign_free_string(json);
    }
    lsign_report_free(report);
    lsign_input_free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_sig *sigs = NULL;
    size_t count = 0;

    if (lsi_pdf_doc_open(data, size, fuzz_ctx(4u << 20), &doc) != LSIGN_OK)
        return 0;
    if (lsi_pdf_signatures(doc, &sigs, &count) == LSIGN_OK) {
        for (size_t i = 0; i < count; i++) {
            lsi_sigcheck c;
            (void)lsi_sigcheck_run(doc, data, size, &sigs[i], &c);
            lsi_sigcheck_clear(&c);
        }
        lsi_pdf_signatures_free(sigs, count);
    }
    lsi_pdf_doc_free(doc);
    verify_whole(data, size);
    return 0;
}
