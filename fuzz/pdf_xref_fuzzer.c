/* Cross-reference readers on hostile bytes: table, stream rows, revision end, scan. */
#include <stdint.h>
#include <stdlib.h>

#include "pdf/xref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsi_xref_section sec;
    size_t trailer;
    int64_t w[3], index[4];

    if (lsi_xref_read_table(data, size, 0, 100000, &sec, &trailer) == 0)
        lsi_xref_section_free(&sec);
    if (lsi_xref_scan_objects(data, size, 100000, &sec) == 0)
        lsi_xref_section_free(&sec);
    (void)lsi_pdf_revision_end(data, size, size / 2);
    {
        uint64_t startxref;
        size_t header;
        int version;
        (void)lsi_pdf_find_startxref(data, size, 1024, &startxref);
        (void)lsi_pdf_find_header(data, size, &header, &version);
    }
    if (size >= 7) {
        w[0] = data[0] % 4;
        w[1] = data[1] % 6;
        w[2] = data[2] % 4;
        index[0] = data[3];
        index[1] = data[4];
        index[2] = data[5];
        index[3] = data[6];
        if (lsi_xref_decode_stream(data + 7, size - 7, w, index, 4, 0, 100000, &sec) == 0)
            lsi_xref_section_free(&sec);
    }
    return 0;
}
