#include "pades/extend.h"

#include <string.h>

#include "core/error.h"
#include "core/options.h"
#include "core/stream.h"
#include "keys/sigformat.h"
#include "libsign/pdf.h"
#include "pades/dss.h"
#include "pades/ltv.h"
#include "pades/timestamps.h"
#include "pdf/document.h"

static const lsign_pdf_extend_options defaults = LSIGN_PDF_EXTEND_OPTIONS_INIT;
static const size_t option_sizes[] = {sizeof(lsign_pdf_extend_options)};
static const lsi_options_type options_type = {"PDF extend options", &defaults, option_sizes,
                                              LSIGN_PDF_EXTEND_OPTIONS_VERSION};

int lsign_pdf_extend_options_init(lsign_pdf_extend_options *opts, unsigned int version)
{
    return lsi_options_init(&options_type, opts, version);
}

/* The /DSS revision: validation data of every signature in `in`. */
static int add_dss(const lsign_ctx *ctx, const lsi_input *in, lsi_output *out, int allow_revoked)
{
    lsi_pdf_doc *doc = NULL;
    lsi_ltv ltv;
    int rc = lsi_pdf_doc_open(in->data, in->len, ctx, &doc);

    memset(&ltv, 0, sizeof ltv);
    if (rc == LSIGN_OK)
        rc = lsi_ltv_collect(ctx, doc, allow_revoked, &ltv);
    if (rc == LSIGN_OK)
        rc = lsi_dss_write(doc, in, out, ltv.vris, ltv.count);
    lsi_ltv_free(&ltv);
    lsi_pdf_doc_free(doc);
    return rc;
}

static int add_timestamp(const lsign_ctx *ctx, const lsi_input *in, lsi_output *out, int digest)
{
    lsi_pdf_doc *doc = NULL;
    int rc = lsi_pdf_doc_open(in->data, in->len, ctx, &doc);

    if (rc == LSIGN_OK && lsi_pdf_doc_repaired(doc))
        rc = lsi_error(LSIGN_E_PARSE, "PDF: the file is damaged (its cross-reference had to be "
                                      "rebuilt); repair it before extending its signatures");
    if (rc == LSIGN_OK)
        rc = lsi_pades_document_timestamp(ctx, doc, in, out, digest);
    lsi_pdf_doc_free(doc);
    return rc;
}

/* B-LTA: the /DSS into a scratch file, then the timestamp over it into `out`. */
static int add_dss_and_timestamp(const lsign_ctx *ctx, const lsi_input *in, lsi_output *out,
                                 int digest, int allow_revoked)
{
    lsi_temp temp;
    lsi_input middle;
    int rc = lsi_temp_open(&temp);

    memset(&middle, 0, sizeof middle);
    if (rc == LSIGN_OK)
        rc = add_dss(ctx, in, temp.out, allow_revoked);
    if (rc == LSIGN_OK)
        rc = lsi_temp_input(&temp, &middle);
    if (rc == LSIGN_OK)
        rc = add_timestamp(ctx, &middle, out, digest);
    lsi_input_close(&middle);
    lsi_temp_close(&temp);
    return rc;
}

int lsi_pades_extend(const lsign_ctx *ctx, const lsi_input *in, lsi_output *out, int level,
                     int digest, int allow_revoked)
{
    switch (level) {
    case LSIGN_PADES_B_T: return add_timestamp(ctx, in, out, digest);
    case LSIGN_PADES_B_LT: return add_dss(ctx, in, out, allow_revoked);
    case LSIGN_PADES_B_LTA: return add_dss_and_timestamp(ctx, in, out, digest, allow_revoked);
    default: return lsi_error(LSIGN_E_INVALID_ARG, "cannot extend to PAdES level %d", level);
    }
}

int lsign_pdf_extend(const lsign_ctx *ctx, const lsign_input *input, lsign_output *output,
                     const lsign_pdf_extend_options *opts)
{
    lsign_pdf_extend_options given;
    lsi_output *out = NULL;
    size_t hash_len;
    int rc;

    if (ctx == NULL || input == NULL || output == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_pdf_extend: NULL context, input or output");
    rc = lsi_options_read(&options_type, opts, &given);
    opts = &given;
    if (rc == LSIGN_OK && lsi_digest_md(opts->digest, &hash_len) == NULL)
        rc = lsi_error(LSIGN_E_INVALID_ARG, "unknown digest algorithm %d", opts->digest);
    if (rc == LSIGN_OK)
        rc = lsi_stream_begin(output, input, &out);
    if (rc == LSIGN_OK)
        rc = lsi_stream_finish(output, out,
                               lsi_pades_extend(ctx, lsi_input_of(input), out, opts->level,
                                                opts->digest, opts->allow_revoked));
    return rc == LSIGN_OK ? rc : lsi_error_wrap("PDF extend");
}
