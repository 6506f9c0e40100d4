/*
 * Test tool over the PDF layer:
 *   pdf_tool info FILE          prints "revisions N repaired R objects M"
 *   pdf_tool noop FILE OUT      a no-op incremental update: the catalog rewritten unchanged
 * Exit status 0 on success; errors go to stderr with lsign_last_error().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io.h"
#include "libsign/libsign.h"
#include "pdf/document.h"
#include "pdf/pages.h"
#include "pdf/writer.h"

static int fail(const char *what)
{
    fprintf(stderr, "pdf_tool: %s: %s\n", what, lsign_last_error());
    return 1;
}

static int info(lsi_pdf_doc *doc)
{
    uint32_t readable = 0;

    for (uint32_t num = 1; num < lsi_pdf_doc_size(doc); num++) {
        const lsi_pdf_obj *obj;
        if (lsi_pdf_doc_get(doc, num, &obj) != LSIGN_OK)
            return fail("reading an object");
        readable += obj->type != LSI_PDF_NULL;
    }
    lsi_pdf_page *pages;
    lsi_pdf_field *fields;
    size_t npages, nfields;

    if (lsi_pdf_doc_pages(doc, &pages, &npages) != LSIGN_OK)
        return fail("page tree");
    if (lsi_pdf_doc_fields(doc, &fields, &nfields) != LSIGN_OK) {
        free(pages);
        return fail("form fields");
    }
    printf("revisions %zu repaired %d objects %u pages %zu fields %zu\n",
           lsi_pdf_doc_revision_count(doc), lsi_pdf_doc_repaired(doc), readable, npages, nfields);
    free(pages);
    lsi_pdf_fields_free(fields, nfields);
    return 0;
}

static int noop(lsi_pdf_doc *doc, const lsi_input *in, const char *path)
{
    const lsi_pdf_obj *root_ref = lsi_pdf_dict_get(lsi_pdf_doc_trailer(doc), "Root"), *root;
    lsi_output *out;
    lsi_pdf_writer *w;
    uint32_t num;
    uint16_t gen;
    int rc;

    if (!lsi_pdf_get_ref(root_ref, &num, &gen) || lsi_pdf_doc_deref(doc, root_ref, &root) != 0)
        return fail("finding the catalog");
    if (lsi_output_to_path(path, &out) != LSIGN_OK)
        return fail("output");
    rc = lsi_pdf_writer_begin(doc, in, out, &w);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_writer_put(w, num, root);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_writer_finish(w);
    if (rc == LSIGN_OK)
        rc = lsi_output_commit(out);
    lsi_pdf_writer_free(w);
    lsi_output_free(out);
    return rc == LSIGN_OK ? 0 : fail("writing the update");
}

int main(int argc, char **argv)
{
    lsi_input in;
    lsi_pdf_doc *doc;
    int rc;

    if (argc < 3 || (strcmp(argv[1], "noop") == 0 && argc != 4)) {
        fprintf(stderr, "usage: pdf_tool info FILE | pdf_tool noop FILE OUT\n");
        return 2;
    }
    if (lsi_input_open_file(argv[2], &in, NULL) != LSIGN_OK)
        return fail(argv[2]);
    if (lsi_pdf_doc_open(in.data, in.len, NULL, &doc) != LSIGN_OK) {
        lsi_input_close(&in);
        return fail(argv[2]);
    }
    rc = strcmp(argv[1], "noop") == 0 ? noop(doc, &in, argv[3]) : info(doc);
    lsi_pdf_doc_free(doc);
    lsi_input_close(&in);
    return rc;
}
