/*
 * Finds the signatures of hostile bytes and checks each one: ByteRanges
 * that point anywhere, /Contents that is not DER, CMS of any shape must
 * give a verdict, never a crash, a hang or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ctx.h"
#include "libsign/libsign.h"
#include "pdf/document.h"
#include "validate/sigcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    return 0;
}
