/*
 * The signature dictionary with its two placeholders (ISO 32000-2 12.8.1):
 * /ByteRange, filled in once the file's length is known, and /Contents,
 * the hex string that receives the CMS. Everything but /Contents is signed.
 */
#ifndef LSI_PADES_SIGDICT_H
#define LSI_PADES_SIGDICT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "pdf/writer.h"

typedef struct lsi_sig_slots {
    uint64_t byterange_at; /* the placeholder after "/ByteRange [0 " */
    uint64_t contents_at;  /* the '<' opening /Contents */
    uint64_t contents_end; /* just past its '>' */
} lsi_sig_slots;

/*
 * Writes object `num`: the entries of `dict` (a dictionary without
 * /ByteRange and /Contents), then the placeholders, /Contents holding
 * `reserved` bytes. Record where they are in `slots`.
 */
int lsi_sigdict_write(lsi_pdf_writer *w, uint32_t num, const lsi_pdf_obj *dict, size_t reserved,
                      lsi_sig_slots *slots);

/*
 * Once everything is written: fills in the /ByteRange, then feeds `md` the
 * signed bytes written since the output's capture started (which must be
 * before the dictionary), leaving out /Contents.
 */
int lsi_sigdict_close_range(lsi_output *out, const lsi_sig_slots *slots, EVP_MD_CTX *md);

/*
 * Writes `der` as hex into /Contents; the rest stays zeros, which readers
 * ignore. LSIGN_E_LIMIT when it does not fit.
 */
int lsi_sigdict_fill(lsi_output *out, const lsi_sig_slots *slots, const unsigned char *der,
                     size_t len);

#endif
