/*
 * Incremental updates (ISO 32000-2 7.5.6): the original bytes are copied
 * unchanged, then new and changed objects (never in object streams), then a
 * cross-reference section of the same kind as the file's last one (a
 * classic table after a table or a hybrid file, a stream after a stream),
 * and a trailer with /Prev, /Root, /Size, /Info and /ID (its first element
 * kept, the second new).
 */
#ifndef LSI_PDF_WRITER_H
#define LSI_PDF_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "core/io.h"
#include "pdf/document.h"

typedef struct lsi_pdf_writer lsi_pdf_writer;

/* Starts the update of `doc` (opened on in->data) by copying those bytes to `out`. */
int lsi_pdf_writer_begin(lsi_pdf_doc *doc, const lsi_input *in, lsi_output *out,
                         lsi_pdf_writer **w);

/* A fresh object number for a new object. */
uint32_t lsi_pdf_writer_new_number(lsi_pdf_writer *w);

/* Writes object `num` (new, or replacing the document's); not a stream. */
int lsi_pdf_writer_put(lsi_pdf_writer *w, uint32_t num, const lsi_pdf_obj *obj);

/* Writes stream object `num`: `dict` (its /Length is set from `len`) and the raw `data`. */
int lsi_pdf_writer_put_stream(lsi_pdf_writer *w, uint32_t num, const lsi_pdf_obj *dict,
                              const unsigned char *data, size_t len);

/*
 * Object `num` written by the caller: begin_raw writes "num gen obj", the
 * caller writes the body to lsi_pdf_writer_output() (knowing where each byte
 * lands, e.g. a signature's /Contents), end_raw writes "endobj".
 */
int lsi_pdf_writer_begin_raw(lsi_pdf_writer *w, uint32_t num);
lsi_output *lsi_pdf_writer_output(lsi_pdf_writer *w);
int lsi_pdf_writer_end_raw(lsi_pdf_writer *w);

/* Writes the cross-reference section and trailer; the output is then complete. */
int lsi_pdf_writer_finish(lsi_pdf_writer *w);

void lsi_pdf_writer_free(lsi_pdf_writer *w);

#endif
