/*
 * Hostile PDFs through text extraction: the glyphs of the first pages (the
 * content-stream interpreter, fonts, CMaps, form XObjects) and a search for
 * a Vietnamese title.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ctx.h"
#include "libsign/libsign.h"
#include "pdf/document.h"
#include "pdf/pages.h"
#include "pdf/text.h"

#define PAGES 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsi_pdf_doc *doc;
    lsi_pdf_page *pages;
    size_t count;

    /* 1 MiB streams: text extraction decodes up to 4x that per page. */
    if (lsi_pdf_doc_open(data, size, fuzz_ctx(1u << 20), &doc) != LSIGN_OK)
        return 0;
    if (lsi_pdf_doc_pages(doc, &pages, &count) == LSIGN_OK) {
        for (size_t i = 0; i < count && i < PAGES; i++) {
            lsi_pdf_glyph *glyphs;
            size_t n;
            double box[4];
            if (lsi_pdf_page_glyphs(doc, &pages[i], &glyphs, &n) == LSIGN_OK)
                free(glyphs);
            (void)lsi_pdf_find_text(doc, &pages[i],
                                    "CH\xe1\xbb\xa6 T\xe1\xbb\x8a"
                                    "CH",
                                    1, box);
        }
        free(pages);
    }
    lsi_pdf_doc_free(doc);
    return 0;
}
