/* Small hand-made PDFs for tests: objects 1..n given as text, object 1 the catalog. */
#ifndef LSIGN_TEST_MINIPDF_H
#define LSIGN_TEST_MINIPDF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd PDF 1.7 file of `count` objects with a classic cross-reference table. */
static inline char *mini_pdf(const char *const *objects, size_t count, size_t *len)
{
    size_t cap = 4096 + 64 * count, n = 0;
    size_t *offsets = calloc(count + 1, sizeof *offsets);
    char *pdf;

    for (size_t i = 0; i < count; i++)
        cap += strlen(objects[i]);
    pdf = malloc(cap);
    if (pdf == NULL || offsets == NULL)
        abort();
    n += (size_t)snprintf(pdf + n, cap - n, "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n");
    for (size_t i = 0; i < count; i++) {
        offsets[i] = n;
        n += (size_t)snprintf(pdf + n, cap - n, "%zu 0 obj\n%s\nendobj\n", i + 1, objects[i]);
    }
    size_t xref = n;
    n += (size_t)snprintf(pdf + n, cap - n, "xref\n0 %zu\n0000000000 65535 f \n", count + 1);
    for (size_t i = 0; i < count; i++)
        n += (size_t)snprintf(pdf + n, cap - n, "%010zu 00000 n \n", offsets[i]);
    n += (size_t)snprintf(pdf + n, cap - n,
                          "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                          count + 1, xref);
    free(offsets);
    *len = n;
    return pdf;
}

#endif
