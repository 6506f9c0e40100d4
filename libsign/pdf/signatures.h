/* A document's signature dictionaries, wherever the file keeps them. */
#ifndef LSI_PDF_SIGNATURES_H
#define LSI_PDF_SIGNATURES_H

#include <stddef.h>
#include <stdint.h>

#include "pdf/document.h"

/*
 * A signature found in a document: its field name (fully qualified; the
 * widget's /T, or "(not in /AcroForm)", for widgets only pages list), its
 * dictionary, and the indirect object that holds it (the object /V refers
 * to, or the field's own object when /V is direct; 0 if unknown).
 */
typedef struct lsi_pdf_sig {
    const char *field;
    const lsi_pdf_obj *dict;
    uint32_t num;
} lsi_pdf_sig;

/*
 * Every signature dictionary of `doc` reachable from /AcroForm fields or
 * page widgets (/FT /Sig with a dictionary /V), each once, in file order of
 * their /ByteRange (the gap's start; those without a usable /ByteRange last,
 * by dictionary offset). A dictionary without /ByteRange or /Contents is
 * still listed: lsi_sigcheck_run() reports it. *sigs is freed with
 * lsi_pdf_signatures_free(). LSIGN_E_LIMIT beyond LSI_PDF_MAX_SIGNATURES.
 */
#define LSI_PDF_MAX_SIGNATURES 4096
int lsi_pdf_signatures(lsi_pdf_doc *doc, lsi_pdf_sig **sigs, size_t *count);
void lsi_pdf_signatures_free(lsi_pdf_sig *sigs, size_t count);

#endif
