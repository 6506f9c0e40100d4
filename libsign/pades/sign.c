/* lsign_pdf_sign(): one signature added to a PDF as an incremental update. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appearance/render.h"
#include "cms/signeddata.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/options.h"
#include "core/stream.h"
#include "keys/sigformat.h"
#include "keys/signer_impl.h"
#include "libsign/pdf.h"
#include "pades/extend.h"
#include "pades/fields.h"
#include "pades/ltv.h"
#include "pades/mdp.h"
#include "pades/revision.h"
#include "pades/sigdict.h"
#include "pades/timestamps.h"
#include "pdf/build.h"
#include "pdf/document.h"
#include "pdf/pages.h"

/* Slack over the computed CMS size, and room kept for what later levels add to the CMS. */
#define CMS_MARGIN      1024
#define TIMESTAMP_ROOM  12288 /* a signature timestamp token with its TSA chain */
#define REVOCATION_ROOM 16384 /* adbe-revocationInfoArchival (adbe.pkcs7.detached only) */
#define MAX_RESERVED    ((size_t)16 << 20)
#define ARENA_BYTES     ((uint64_t)64 << 20)
#define FIELD_NAME_MAX  256

static const lsign_pdf_sign_options defaults = LSIGN_PDF_SIGN_OPTIONS_INIT;
static const size_t option_sizes[] = {sizeof(lsign_pdf_sign_options)};
static const lsi_options_type options_type = {"PDF signing options", &defaults, option_sizes,
                                              LSIGN_PDF_SIGN_OPTIONS_VERSION};

int lsign_pdf_sign_options_init(lsign_pdf_sign_options *opts, unsigned int version)
{
    return lsi_options_init(&options_type, opts, version);
}

static int check_options(const lsign_pdf_sign_options *o)
{
    size_t hash_len;

    if (o->level < LSIGN_PADES_B_B || o->level > LSIGN_PADES_B_LTA)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown PAdES level %d", o->level);
    if (lsi_digest_md(o->digest, &hash_len) == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown digest algorithm %d", o->digest);
    if (o->subfilter != LSIGN_SUBFILTER_CADES && o->subfilter != LSIGN_SUBFILTER_PKCS7)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown PDF signature subfilter %d", o->subfilter);
    if (o->certify < LSIGN_CERTIFY_NONE || o->certify > LSIGN_CERTIFY_ANNOTATIONS)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown certification level %d", o->certify);
    if (o->lock < LSIGN_LOCK_NONE || o->lock > LSIGN_LOCK_EXCLUDE)
        return lsi_error(LSIGN_E_INVALID_ARG, "unknown field lock action %d", o->lock);
    if (o->reserved_size > MAX_RESERVED)
        return lsi_error(LSIGN_E_INVALID_ARG, "reserved_size %zu is over the %zu-byte maximum",
                         o->reserved_size, MAX_RESERVED);
    return LSIGN_OK;
}

/* One signing operation: what was read, decided and written. */
typedef struct job {
    const lsign_ctx *ctx;
    lsign_signer *signer;
    const lsign_pdf_sign_options *opts;
    const lsi_input *in;
    lsi_pdf_doc *doc;
    lsi_arena *arena;
    lsi_pdf_field *fields;
    size_t nfields;
    lsi_pdf_page *pages;
    size_t npages;
    const lsi_pdf_field *fill;
    char name[FIELD_NAME_MAX];
    lsi_cms_sign_params cms;
    size_t reserved;
    int64_t when;
    lsi_sig_slots slots;
} job;

static void job_free(job *j)
{
    lsi_pdf_fields_free(j->fields, j->nfields);
    free(j->pages);
    lsi_pdf_doc_free(j->doc);
    lsi_arena_free(j->arena);
}

/* Bytes kept for the CMS: its size with the largest signature, plus what later levels add. */
static int reserve(job *j)
{
    size_t size = 0;
    int rc;

    if (j->opts->reserved_size != 0) {
        j->reserved = j->opts->reserved_size;
        rc = lsi_cms_max_size(j->signer, &j->cms, &size);
        if (rc == LSIGN_OK && size > j->reserved)
            rc = lsi_error(LSIGN_E_INVALID_ARG,
                           "reserved_size %zu is too small: this signature needs up to %zu bytes",
                           j->reserved, size);
        return rc;
    }
    if ((rc = lsi_cms_max_size(j->signer, &j->cms, &size)) != LSIGN_OK)
        return rc;
    j->reserved = size + CMS_MARGIN;
    if (j->opts->level >= LSIGN_PADES_B_T)
        j->reserved += TIMESTAMP_ROOM;
    if (j->opts->level >= LSIGN_PADES_B_LT && j->opts->subfilter == LSIGN_SUBFILTER_PKCS7)
        j->reserved += REVOCATION_ROOM;
    return LSIGN_OK;
}

/* Reads the document and decides where the signature goes and whether it may. */
static int prepare(job *j)
{
    lsi_tsa_config tsa;
    int rc = lsi_pdf_doc_open(j->in->data, j->in->len, j->ctx, &j->doc);

    if (rc != LSIGN_OK)
        return rc;
    if (lsi_pdf_doc_repaired(j->doc))
        return lsi_error(LSIGN_E_PARSE,
                         "PDF: the file is damaged (its cross-reference had to be rebuilt); "
                         "readers may disagree on what it shows, so it is not signed: repair it "
                         "first, e.g. with qpdf");
    if ((j->arena = lsi_arena_new(ARENA_BYTES)) == NULL)
        return LSIGN_E_NOMEM;
    if ((rc = lsi_pdf_doc_fields(j->doc, &j->fields, &j->nfields)) != LSIGN_OK)
        return rc;
    if ((rc = lsi_pdf_doc_pages(j->doc, &j->pages, &j->npages)) != LSIGN_OK)
        return rc;
    if (j->npages == 0)
        return lsi_error(LSIGN_E_PARSE, "PDF: the document has no pages");
    rc = lsi_fields_choose(j->fields, j->nfields, j->opts->field_name, &j->fill, j->name,
                           sizeof j->name);
    if (rc == LSIGN_OK && j->fill != NULL && j->opts->appearance != NULL)
        rc = lsi_error(LSIGN_E_UNSUPPORTED,
                       "PDF: field '%s' exists; an appearance can only be given to a new field",
                       j->fill->name);
    if (rc == LSIGN_OK)
        rc = lsi_mdp_check(j->doc, j->fields, j->nfields, j->fill, j->opts->certify);
    if (rc != LSIGN_OK)
        return rc;
    j->when = j->opts->signing_time != 0 ? j->opts->signing_time : (int64_t)time(NULL);
    if (j->opts->level >= LSIGN_PADES_B_T) {
        rc = lsi_ctx_tsa(j->ctx, &tsa); /* before the token signs anything */
        lsi_tsa_config_clear(&tsa);
        if (rc != LSIGN_OK)
            return rc;
    }
    if (j->opts->level >= LSIGN_PADES_B_LT && !lsi_signer_allows_invalid(j->signer) &&
        (rc = lsi_ltv_check_signer(j->ctx, lsi_signer_cert(j->signer),
                                   lsi_signer_chain(j->signer))) != LSIGN_OK)
        return rc;
    j->cms = (lsi_cms_sign_params){j->opts->digest, j->opts->scheme,
                                   j->opts->subfilter == LSIGN_SUBFILTER_CADES, j->when,
                                   j->opts->include_root};
    return reserve(j);
}

static lsi_pdf_obj *with_text(lsi_arena *arena, lsi_pdf_obj *dict, const char *key,
                              const char *text)
{
    lsi_pdf_obj *value;

    if (dict == NULL || text == NULL)
        return dict;
    value = lsi_pdf_new_text(arena, text);
    if (value == NULL)
        lsi_error_wrap("PDF /%s", key);
    return value != NULL ? lsi_pdf_dict_with(arena, dict, key, value) : NULL;
}

/* The signature dictionary's entries, without /ByteRange and /Contents. */
static int sig_dict(job *j, lsi_pdf_obj *references, lsi_pdf_obj **out)
{
    const lsign_pdf_sign_options *o = j->opts;
    lsi_pdf_obj *d = lsi_pdf_with_name(j->arena, lsi_pdf_new_dict(j->arena), "Type", "Sig");
    char date[32];
    int rc = lsi_pdf_date(j->when, date, sizeof date);

    if (rc != LSIGN_OK)
        return rc;
    d = lsi_pdf_with_name(j->arena, d, "Filter", "Adobe.PPKLite");
    d = lsi_pdf_with_name(j->arena, d, "SubFilter",
                          o->subfilter == LSIGN_SUBFILTER_CADES ? "ETSI.CAdES.detached"
                                                                : "adbe.pkcs7.detached");
    d = with_text(j->arena, d, "M", date);
    d = with_text(j->arena, d, "Name", o->name);
    d = with_text(j->arena, d, "Reason", o->reason);
    d = with_text(j->arena, d, "Location", o->location);
    d = with_text(j->arena, d, "ContactInfo", o->contact_info);
    if (d != NULL && references != NULL)
        d = lsi_pdf_dict_with(j->arena, d, "Reference", references);
    *out = d;
    return lsi_pdf_built(d);
}

/* One attribute of the signer certificate's subject as UTF-8 (malloc'd), or NULL. */
static char *subject_entry(lsign_signer *signer, int nid)
{
    X509_NAME *name = X509_get_subject_name(lsi_signer_cert(signer));
    int at = X509_NAME_get_index_by_NID(name, nid, -1);
    unsigned char *utf8 = NULL;
    char *copy;

    if (at < 0 ||
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at))) < 0)
        return NULL;
    copy = strdup((char *)utf8);
    OPENSSL_free(utf8);
    return copy;
}

/* The visible appearance, when there is one: written now, placed by the caller's choice. */
static int render_appearance(job *j, lsi_pdf_writer *w, lsi_field_plan *plan, lsi_rendered *shown)
{
    lsi_appearance_facts facts = {subject_entry(j->signer, NID_commonName),
                                  subject_entry(j->signer, NID_organizationName), j->when};
    int rc = lsi_appearance_render(j->opts->appearance, j->doc, j->pages, j->npages, w, j->arena,
                                   &facts, shown);

    free((char *)facts.common_name);
    free((char *)facts.organization);
    if (rc == LSIGN_OK) {
        plan->page = &j->pages[shown->page_index];
        plan->rect = shown->rect;
        plan->appearance = shown->xobject;
    }
    return rc;
}

/* Writes the signature dictionary and its field; the placeholders' places go in j->slots. */
static int write_objects(job *j, lsi_pdf_writer *w)
{
    const lsi_pdf_obj *root = lsi_pdf_dict_get(lsi_pdf_doc_trailer(j->doc), "Root");
    const lsi_pdf_obj *target_lock = NULL;
    lsi_mdp_request req = {j->opts->certify, j->opts->lock, j->opts->lock_fields,
                           j->opts->lock_field_count, NULL};
    lsi_pdf_obj *lock = NULL, *references = NULL, *dict = NULL, *catalog;
    lsi_field_plan plan;
    lsi_rendered shown;
    int rc;

    if (j->fill != NULL && lsi_pdf_doc_deref(j->doc, lsi_pdf_dict_get(j->fill->dict, "Lock"),
                                             &target_lock) == LSIGN_OK)
        req.target_lock = target_lock;
    catalog = root != NULL && root->type == LSI_PDF_REF
                  ? lsi_pdf_new_ref(j->arena, root->u.ref.num, root->u.ref.gen)
                  : NULL;
    if (catalog == NULL)
        return lsi_error(LSIGN_E_PARSE, "PDF: the trailer has no /Root reference");
    rc = lsi_mdp_lock_dict(j->arena, &req, &lock);
    if (rc == LSIGN_OK)
        rc = lsi_mdp_references(j->arena, &req, lock, catalog, &references);
    if (rc == LSIGN_OK)
        rc = sig_dict(j, references, &dict);
    if (rc != LSIGN_OK)
        return rc;
    plan = (lsi_field_plan){
        lsi_pdf_writer_new_number(w),          &j->pages[0], NULL, 0, j->fill, j->name, lock,
        j->opts->certify != LSIGN_CERTIFY_NONE};
    rc = lsi_sigdict_write(w, plan.sig_num, dict, j->reserved, &j->slots);
    if (rc == LSIGN_OK && j->opts->appearance != NULL)
        rc = render_appearance(j, w, &plan, &shown);
    return rc == LSIGN_OK ? lsi_fields_write(j->doc, w, j->arena, &plan) : rc;
}

static int objects_of(void *userdata, lsi_pdf_writer *w, lsi_sig_slots *slots)
{
    job *j = userdata;

    (void)slots; /* write_objects fills j->slots, which is `slots` */
    return write_objects(j, w);
}

/* Copies the input while hashing it (one pass), appends the update, signs into its place. */
static int write_signed(job *j, lsi_output *out)
{
    unsigned char hash[EVP_MAX_MD_SIZE], *der = NULL;
    unsigned int hash_len = 0;
    size_t der_len = 0, md_len;
    int rc = lsi_signed_revision(j->doc, j->in, out, lsi_digest_md(j->opts->digest, &md_len),
                                 objects_of, j, &j->slots, hash, &hash_len);

    if (rc == LSIGN_OK)
        rc = lsi_cms_sign_detached(j->signer, &j->cms, hash, hash_len, &der, &der_len);
    if (rc == LSIGN_OK && j->opts->level >= LSIGN_PADES_B_T)
        rc = lsi_pades_add_signature_timestamp(j->ctx, &der, &der_len);
    if (rc == LSIGN_OK)
        rc = lsi_sigdict_fill(out, &j->slots, der, der_len);
    free(der);
    return rc;
}

/* B-LT and B-LTA: the B-T signature in a scratch file, then the /DSS (and timestamp) after it. */
static int write_long_term(job *j, lsi_output *out)
{
    lsi_temp temp;
    lsi_input signed_in;
    int rc = lsi_temp_open(&temp);

    memset(&signed_in, 0, sizeof signed_in);
    if (rc == LSIGN_OK)
        rc = write_signed(j, temp.out);
    if (rc == LSIGN_OK)
        rc = lsi_temp_input(&temp, &signed_in);
    if (rc == LSIGN_OK)
        rc = lsi_pades_extend(j->ctx, &signed_in, out, j->opts->level, j->opts->digest,
                              lsi_signer_allows_invalid(j->signer));
    lsi_input_close(&signed_in);
    lsi_temp_close(&temp);
    return rc;
}

int lsign_pdf_sign(const lsign_ctx *ctx, lsign_signer *signer, const lsign_input *input,
                   lsign_output *output, const lsign_pdf_sign_options *opts)
{
    lsign_pdf_sign_options o;
    job j;
    lsi_output *out = NULL;
    int rc;

    if (signer == NULL || input == NULL || output == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_pdf_sign: NULL signer, input or output");
    memset(&j, 0, sizeof j);
    j.ctx = ctx;
    j.signer = signer;
    j.opts = &o;
    j.in = lsi_input_of(input);
    rc = lsi_options_read(&options_type, opts, &o);
    if (rc == LSIGN_OK)
        rc = check_options(j.opts);
    if (rc == LSIGN_OK)
        rc = prepare(&j);
    if (rc == LSIGN_OK)
        rc = lsi_stream_begin(output, input, &out);
    if (rc == LSIGN_OK) {
        rc = lsi_stream_finish(output, out,
                               j.opts->level >= LSIGN_PADES_B_LT ? write_long_term(&j, out)
                                                                 : write_signed(&j, out));
        if (rc == LSIGN_OK)
            lsi_log(ctx, LSIGN_LOG_INFO, "PDF signed in field '%s' (%zu bytes reserved)",
                    j.fill != NULL ? j.fill->name : j.name, j.reserved);
    }
    job_free(&j);
    return rc == LSIGN_OK ? rc : lsi_error_wrap("PDF signing");
}
