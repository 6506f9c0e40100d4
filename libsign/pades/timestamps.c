#include "pades/timestamps.h"

#include <stdlib.h>
#include <string.h>

#include "cms/timestamp.h"
#include "core/ctx.h"
#include "core/error.h"
#include "keys/sigformat.h"
#include "pades/fields.h"
#include "pades/revision.h"
#include "pdf/build.h"

/* Room for a timestamp token with the TSA's chain. */
#define TOKEN_ROOM 16384

int lsi_pades_add_signature_timestamp(const lsign_ctx *ctx, unsigned char **der, size_t *len)
{
    lsi_tsa_session s;
    unsigned char *sig = NULL, *token = NULL, *stamped = NULL;
    size_t sig_len = 0, token_len = 0, stamped_len = 0;
    int64_t when = 0;
    int rc = lsi_tsa_open(ctx, LSIGN_DIGEST_SHA256, &s);

    if (rc == LSIGN_OK)
        rc = lsi_cms_signature_value(*der, *len, &sig, &sig_len);
    if (rc == LSIGN_OK)
        rc = lsi_ts_fetch(ctx, &s.tsa, sig, sig_len, &token, &token_len, &when);
    if (rc == LSIGN_OK)
        rc = lsi_cms_add_signature_timestamp(*der, *len, token, token_len, &stamped, &stamped_len);
    if (rc == LSIGN_OK) {
        free(*der);
        *der = stamped;
        *len = stamped_len;
    }
    lsi_tsa_release(&s);
    free(sig);
    free(token);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("signature timestamp");
}

/* What the document timestamp revision writes, and where its placeholder is. */
typedef struct docts {
    lsi_pdf_doc *doc;
    lsi_arena *arena;
    lsi_pdf_page *pages;
    char name[64];
} docts;

/* A /DocTimeStamp dictionary (ISO 32000-2 12.8.5) in a new invisible field. */
static int docts_objects(void *userdata, lsi_pdf_writer *w, lsi_sig_slots *slots)
{
    docts *d = userdata;
    lsi_pdf_obj *dict =
        lsi_pdf_with_name(d->arena, lsi_pdf_new_dict(d->arena), "Type", "DocTimeStamp");
    lsi_field_plan plan = {
        lsi_pdf_writer_new_number(w), &d->pages[0], NULL, 0, NULL, d->name, NULL, 0};
    int rc;

    dict = lsi_pdf_with_name(d->arena, lsi_pdf_with_name(d->arena, dict, "Filter", "Adobe.PPKLite"),
                             "SubFilter", "ETSI.RFC3161");
    if (dict == NULL)
        return lsi_pdf_built(dict);
    rc = lsi_sigdict_write(w, plan.sig_num, dict, TOKEN_ROOM, slots);
    return rc == LSIGN_OK ? lsi_fields_write(d->doc, w, d->arena, &plan) : rc;
}

static int docts_prepare(lsi_pdf_doc *doc, docts *d)
{
    lsi_pdf_field *fields = NULL;
    const lsi_pdf_field *fill = NULL;
    size_t nfields = 0, npages = 0;
    int rc = lsi_pdf_doc_pages(doc, &d->pages, &npages);

    if (rc == LSIGN_OK && npages == 0)
        rc = lsi_error(LSIGN_E_PARSE, "PDF: the document has no pages");
    if (rc == LSIGN_OK)
        rc = lsi_pdf_doc_fields(doc, &fields, &nfields);
    if (rc == LSIGN_OK)
        rc = lsi_fields_choose(fields, nfields, NULL, &fill, d->name, sizeof d->name);
    lsi_pdf_fields_free(fields, nfields);
    if (rc == LSIGN_OK && (d->arena = lsi_arena_new((uint64_t)16 << 20)) == NULL)
        rc = LSIGN_E_NOMEM;
    return rc;
}

int lsi_pades_document_timestamp(const lsign_ctx *ctx, lsi_pdf_doc *doc, const lsi_input *in,
                                 lsi_output *out, int digest)
{
    docts d = {doc, NULL, NULL, {0}};
    lsi_tsa_session s;
    lsi_sig_slots slots;
    unsigned char hash[EVP_MAX_MD_SIZE], *token = NULL;
    unsigned int hash_len = 0;
    size_t token_len = 0, md_len;
    int64_t when = 0;
    int rc = lsi_tsa_open(ctx, digest, &s);

    if (rc == LSIGN_OK)
        rc = docts_prepare(doc, &d);
    if (rc == LSIGN_OK)
        rc = lsi_signed_revision(doc, in, out, lsi_digest_md(digest, &md_len), docts_objects, &d,
                                 &slots, hash, &hash_len);
    if (rc == LSIGN_OK)
        rc = lsi_ts_fetch_hash(ctx, &s.tsa, hash, hash_len, &token, &token_len, &when);
    if (rc == LSIGN_OK)
        rc = lsi_sigdict_fill(out, &slots, token, token_len);
    lsi_tsa_release(&s);
    free(token);
    free(d.pages);
    lsi_arena_free(d.arena);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("document timestamp");
}
