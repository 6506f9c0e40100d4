/* Opens hostile bytes as a PDF, reads every object and decodes every stream. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ctx.h"
#include "libsign/libsign.h"
#include "pdf/document.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsi_pdf_doc *doc;

    if (lsi_pdf_doc_open(data, size, fuzz_ctx(4u << 20), &doc) != LSIGN_OK)
        return 0;
    for (uint32_t num = 0; num < lsi_pdf_doc_size(doc) && num < 5000; num++) {
        const lsi_pdf_obj *obj;
        unsigned char *bytes;
        size_t len;

        if (lsi_pdf_doc_get(doc, num, &obj) != LSIGN_OK || obj->type != LSI_PDF_STREAM)
            continue;
        if (lsi_pdf_doc_stream_data(doc, obj, &bytes, &len) == LSIGN_OK)
            free(bytes);
    }
    lsi_pdf_doc_free(doc);
    return 0;
}
