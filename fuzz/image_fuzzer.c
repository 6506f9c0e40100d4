/*
 * Hostile bytes as a signature image (PNG through libpng, JPEG markers),
 * then, when they read, written as XObjects into an update of a tiny PDF.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appearance/image.h"
#include "core/io.h"
#include "pdf/document.h"
#include "pdf/writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] = "%PDF-1.4\n"
                           "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                           "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                           "xref\n0 3\n"
                           "0000000000 65535 f \n"
                           "0000000009 00000 n \n"
                           "0000000058 00000 n \n"
                           "trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n";

static void write_image(const lsi_image *img)
{
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_writer *w = NULL;
    lsi_output *out = NULL;
    lsi_arena *arena = lsi_arena_new(0);
    lsi_input in;
    uint32_t num;

    lsi_input_from_memory(base, strlen(base), &in);
    if (arena != NULL &&
        lsi_pdf_doc_open((const unsigned char *)base, strlen(base), NULL, &doc) == 0 &&
        lsi_output_to_memory(&out) == 0 && lsi_pdf_writer_begin(doc, &in, out, &w) == 0 &&
        lsi_image_write(img, w, arena, &num) == 0)
        (void)lsi_pdf_writer_finish(w);
    lsi_pdf_writer_free(w);
    lsi_output_free(out);
    lsi_pdf_doc_free(doc);
    lsi_arena_free(arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsi_image *img = NULL;

    if (lsi_image_read(data, size, &img) == 0)
        write_image(img);
    lsi_image_free(img);
    return 0;
}
