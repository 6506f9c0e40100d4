/*
 * One signed revision, written in one pass: the input is copied to the
 * output while it is hashed, the caller appends its objects (among them a
 * signature dictionary written with lsi_sigdict_write), the section is
 * finished, the /ByteRange filled in, and the digest of the signed bytes
 * returned; the caller then writes the signature with lsi_sigdict_fill.
 * Used for signatures and for document timestamps.
 */
#ifndef LSI_PADES_REVISION_H
#define LSI_PADES_REVISION_H

#include <openssl/evp.h>

#include "pades/sigdict.h"
#include "pdf/writer.h"

/* Appends the revision's objects; must write one signature dictionary into `slots`. */
typedef int (*lsi_revision_objects_fn)(void *userdata, lsi_pdf_writer *w, lsi_sig_slots *slots);

int lsi_signed_revision(lsi_pdf_doc *doc, const lsi_input *in, lsi_output *out, const EVP_MD *md,
                        lsi_revision_objects_fn objects, void *userdata, lsi_sig_slots *slots,
                        unsigned char hash[EVP_MAX_MD_SIZE], unsigned int *hash_len);

#endif
