/*
 * Cross-reference data, the parts that need no object parser: reading a
 * classic xref table, decoding xref-stream rows, finding where a revision
 * ends (%%EOF), and rebuilding a table by scanning for "N G obj" when the
 * file's own is damaged. Every count is bounded by `max_entries`.
 */
#ifndef LSI_PDF_XREF_H
#define LSI_PDF_XREF_H

#include <stddef.h>
#include <stdint.h>

typedef enum lsi_xref_kind {
    LSI_XREF_FREE = 0,
    LSI_XREF_OFFSET = 1,    /* an object at a byte offset */
    LSI_XREF_COMPRESSED = 2 /* object number `index` inside object stream `offset` */
} lsi_xref_kind;

typedef struct lsi_xref_entry {
    uint32_t num;
    uint8_t kind;    /* lsi_xref_kind */
    uint16_t gen;    /* OFFSET: generation; FREE: generation for reuse */
    uint64_t offset; /* OFFSET: byte offset; COMPRESSED: object stream number; FREE: next free */
    uint32_t index;  /* COMPRESSED: index in the object stream */
} lsi_xref_entry;

/* The entries of one cross-reference section, in the order read. */
typedef struct lsi_xref_section {
    lsi_xref_entry *entries;
    size_t count, capacity;
} lsi_xref_section;

void lsi_xref_section_free(lsi_xref_section *sec);

/*
 * Reads the classic table that starts with the keyword "xref" at `offset`.
 * *trailer_offset receives the offset of the "trailer" keyword after it.
 * Entries may be 19, 20 or 21 bytes (writers differ in their end of line).
 */
int lsi_xref_read_table(const unsigned char *data, size_t len, size_t offset, uint64_t max_entries,
                        lsi_xref_section *sec, size_t *trailer_offset);

/*
 * Decodes xref-stream rows (already inflated and unpredicted): /W widths
 * `w`, /Index pairs `index` (NULL for [0 size]). Field 1 defaults to type 1
 * when its width is 0, as the standard says.
 */
int lsi_xref_decode_stream(const unsigned char *rows, size_t len, const int64_t w[3],
                           const int64_t *index, size_t index_count, int64_t size,
                           uint64_t max_entries, lsi_xref_section *sec);

/*
 * End of the revision whose cross-reference section starts at `from`: just
 * after the first "%%EOF" (and its end of line) at or after `from`, or `len`
 * when there is none.
 */
size_t lsi_pdf_revision_end(const unsigned char *data, size_t len, size_t from);

/*
 * Damaged files: lists every "N G obj" at the start of a line, in file
 * order; the caller lets a later definition of a number replace an earlier
 * one, as an incremental update would.
 */
int lsi_xref_scan_objects(const unsigned char *data, size_t len, uint64_t max_entries,
                          lsi_xref_section *sec);

/*
 * The offset after the last "startxref" in the file's final `window` bytes
 * (1024 is what readers commonly search). LSIGN_E_PARSE when there is none
 * or its number is missing.
 */
int lsi_pdf_find_startxref(const unsigned char *data, size_t len, size_t window, uint64_t *offset);

/*
 * Finds "%PDF-M.m" in the first 1024 bytes. *header_offset is where it
 * starts (bytes before it shift every offset in the file, a known quirk),
 * *version is M*10+m. LSIGN_E_PARSE when it is not a PDF.
 */
int lsi_pdf_find_header(const unsigned char *data, size_t len, size_t *header_offset, int *version);

#endif
