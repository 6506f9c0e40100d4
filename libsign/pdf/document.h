/*
 * An open PDF: its revisions, its merged cross-reference table, and lazy,
 * cached access to its objects. Reads hostile files safely: every count is
 * bounded by the context's limits, /Prev loops and reference cycles are
 * detected, and a damaged cross-reference is rebuilt by scanning the file
 * (with a warning) instead of failing.
 *
 * The data (usually an mmap'd lsi_input) must outlive the document; nothing
 * of it is copied except the objects parsed.
 */
#ifndef LSI_PDF_DOCUMENT_H
#define LSI_PDF_DOCUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "libsign/context.h"
#include "pdf/object.h"
#include "pdf/xref.h"

typedef struct lsi_pdf_revision {
    size_t xref_offset;         /* where this revision's cross-reference section starts */
    size_t end;                 /* just past this revision's %%EOF: revision i is data[0, end) */
    const lsi_pdf_obj *trailer; /* its trailer (an xref stream's dictionary) */
    int xref_stream;            /* 1: a cross-reference stream, 0: a classic table */
} lsi_pdf_revision;

typedef struct lsi_pdf_doc lsi_pdf_doc;

/*
 * Opens `data`. LSIGN_E_PARSE when it is not a PDF or cannot be read even
 * by scanning, LSIGN_E_UNSUPPORTED when it is encrypted, LSIGN_E_LIMIT when
 * a limit is hit, LSIGN_E_NOMEM.
 */
int lsi_pdf_doc_open(const unsigned char *data, size_t len, const lsign_ctx *ctx,
                     lsi_pdf_doc **out);
void lsi_pdf_doc_free(lsi_pdf_doc *doc);

/* Revisions, oldest first; the last is the document as a reader shows it. */
size_t lsi_pdf_doc_revision_count(const lsi_pdf_doc *doc);
const lsi_pdf_revision *lsi_pdf_doc_revision(const lsi_pdf_doc *doc, size_t index);

const lsi_pdf_obj *lsi_pdf_doc_trailer(const lsi_pdf_doc *doc);
/* The context the document was opened with (its limits); may be NULL. */
const lsign_ctx *lsi_pdf_doc_ctx(const lsi_pdf_doc *doc);
int lsi_pdf_doc_version(const lsi_pdf_doc *doc); /* header version, e.g. 17 */
/*
 * What the file's offsets count from: 0, or the position of %PDF when junk
 * precedes it and the file counts from there (writers must do the same).
 */
size_t lsi_pdf_doc_offset_base(const lsi_pdf_doc *doc);
/* 1 when the cross-reference was rebuilt by scanning (a damaged file). */
int lsi_pdf_doc_repaired(const lsi_pdf_doc *doc);
/* Tolerated problems seen so far (repairs, duplicate keys, wrong lengths...). */
unsigned int lsi_pdf_doc_warnings(const lsi_pdf_doc *doc);
/* One more than the highest object number in the merged table. */
uint32_t lsi_pdf_doc_size(const lsi_pdf_doc *doc);
/* The merged entry of object `num` (kind FREE when absent). */
lsi_xref_entry lsi_pdf_doc_entry(const lsi_pdf_doc *doc, uint32_t num);

/* The generation object `num` has now (0 for compressed, free and new objects). */
uint16_t lsi_pdf_doc_generation(const lsi_pdf_doc *doc, uint32_t num);

/*
 * Object `num` as the newest revision defines it, parsed once and cached.
 * A free or missing object is the null object (not an error, per ISO 32000).
 */
int lsi_pdf_doc_get(lsi_pdf_doc *doc, uint32_t num, const lsi_pdf_obj **out);

/*
 * `obj` itself, or what the reference `obj` points to. A reference whose
 * generation differs from the table's points at a freed object: null.
 */
int lsi_pdf_doc_deref(lsi_pdf_doc *doc, const lsi_pdf_obj *obj, const lsi_pdf_obj **out);

/* `obj` resolved (lsi_pdf_doc_deref) when it is of `type`, else NULL (absent, broken, other type).
 */
const lsi_pdf_obj *lsi_pdf_doc_resolve(lsi_pdf_doc *doc, const lsi_pdf_obj *obj, lsi_pdf_type type);

/*
 * A stream's data with its filters undone (FlateDecode and predictors;
 * other filters: LSIGN_E_UNSUPPORTED), into a new buffer (free() it),
 * bounded by the context's max_stream_bytes.
 */
int lsi_pdf_doc_stream_data(lsi_pdf_doc *doc, const lsi_pdf_obj *stream, unsigned char **data,
                            size_t *len);

#endif
