#include "pades/revision.h"

#include "core/error.h"

static int hash_tap(void *md, const unsigned char *data, size_t len)
{
    if (EVP_DigestUpdate(md, data, len) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "PDF: hashing the document failed");
    return LSIGN_OK;
}

/* Copies the input through the hashing tap, then keeps a copy of what follows. */
static int copy_hashed(lsi_pdf_doc *doc, const lsi_input *in, lsi_output *out, EVP_MD_CTX *md,
                       lsi_pdf_writer **w)
{
    int rc;

    lsi_output_set_tap(out, hash_tap, md);
    rc = lsi_pdf_writer_begin(doc, in, out, w);
    lsi_output_set_tap(out, NULL, NULL);
    return rc == LSIGN_OK ? lsi_output_capture(out) : rc;
}

int lsi_signed_revision(lsi_pdf_doc *doc, const lsi_input *in, lsi_output *out, const EVP_MD *md,
                        lsi_revision_objects_fn objects, void *userdata, lsi_sig_slots *slots,
                        unsigned char hash[EVP_MAX_MD_SIZE], unsigned int *hash_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    lsi_pdf_writer *w = NULL;
    int rc;

    if (ctx == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return lsi_error_openssl(LSIGN_E_CRYPTO, "PDF: cannot start the document hash");
    }
    rc = copy_hashed(doc, in, out, ctx, &w);
    if (rc == LSIGN_OK)
        rc = objects(userdata, w, slots);
    if (rc == LSIGN_OK)
        rc = lsi_pdf_writer_finish(w);
    if (rc == LSIGN_OK)
        rc = lsi_sigdict_close_range(out, slots, ctx);
    if (rc == LSIGN_OK && EVP_DigestFinal_ex(ctx, hash, hash_len) != 1)
        rc = lsi_error_openssl(LSIGN_E_CRYPTO, "PDF: hashing the document failed");
    lsi_pdf_writer_free(w);
    EVP_MD_CTX_free(ctx);
    return rc;
}
