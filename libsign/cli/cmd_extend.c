/*
 * libsign extend: raises the signatures of signed PDFs to B-T, B-LT or
 * B-LTA by appending revisions (a /DSS, a document timestamp); earlier
 * signatures are not touched.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsign/libsign.h"

#include "cli.h"

enum {
    OPT_LEVEL = 256,
    OPT_TSA,
    OPT_TSA_USER,
    OPT_TSA_PASSWORD_SOURCE,
    OPT_TRUST,
    OPT_ALLOW_REVOKED,
    OPT_HELP
};

static const struct option long_options[] = {
    {"level", required_argument, NULL, OPT_LEVEL},
    {"tsa", required_argument, NULL, OPT_TSA},
    {"tsa-user", required_argument, NULL, OPT_TSA_USER},
    {"tsa-password-source", required_argument, NULL, OPT_TSA_PASSWORD_SOURCE},
    {"trust", required_argument, NULL, OPT_TRUST},
    {"allow-revoked", no_argument, NULL, OPT_ALLOW_REVOKED},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

void cli_extend_help(void)
{
    fputs("Usage: libsign extend [--level b-t|b-lt|b-lta] [--tsa URL] [--trust FILE] FILE -o OUT\n"
          "Raises the signatures of a signed PDF by appending revisions; the signatures\n"
          "already there are not touched and stay valid.\n"
          "\n"
          "  --level L            b-lta (default): validation data, then a document timestamp;\n"
          "                       b-lt: validation data only (certificates, OCSP responses and\n"
          "                       CRLs of every signature and timestamp, in the /DSS);\n"
          "                       b-t: a document timestamp only. Extending a b-lta file again\n"
          "                       before its last timestamp expires renews it.\n"
          "  --tsa URL            the time-stamping authority (b-t, b-lta)\n"
          "  --tsa-user USER      HTTP basic authentication at the TSA, with the password\n"
          "  --tsa-password-source SRC  from env:VAR or file:PATH\n"
          "  --trust FILE         trust anchors (PEM file or directory) the chains must reach\n"
          "  --allow-revoked      embed evidence even when a certificate is revoked\n"
          "  -o, --output OUT     the extended file ('-': standard output)\n"
          "  -q, --quiet          print nothing but errors\n"
          "\n"
          "Exit status: 0 done, 2 usage error, 3 the file (or --trust) could not be read,\n"
          "is damaged or refused, 5 the TSA, an OCSP responder or a CRL server failed; on\n"
          "failure no output is written and the message says why.\n",
          stdout);
}

typedef struct extend_args {
    lsign_pdf_extend_options opts;
    cli_tsa_args tsa;
    const char *trust, *output, *input;
    int quiet;
} extend_args;

static int parse(extend_args *a, int argc, char *argv[])
{
    int c, rc = CLI_EXIT_OK;

    opterr = 0;
    optind = 1;
    while (rc == CLI_EXIT_OK && (c = getopt_long(argc, argv, ":o:q", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_LEVEL:
            rc = cli_parse_choice("extend", "--level", optarg, cli_pades_levels, &a->opts.level);
            if (rc == CLI_EXIT_OK && a->opts.level == LSIGN_PADES_B_B)
                rc = cli_usage_error("extend", "--level: b-b is not an extension");
            break;
        case OPT_TSA: a->tsa.url = optarg; break;
        case OPT_TSA_USER: a->tsa.user = optarg; break;
        case OPT_TSA_PASSWORD_SOURCE: a->tsa.password_source = optarg; break;
        case OPT_TRUST: a->trust = optarg; break;
        case OPT_ALLOW_REVOKED: a->opts.allow_revoked = 1; break;
        case 'o': a->output = optarg; break;
        case 'q': a->quiet = 1; break;
        case OPT_HELP: return -1;
        default: rc = cli_bad_option("extend", argv, c, optopt); break;
        }
    }
    if (rc == CLI_EXIT_OK && (optind != argc - 1 || a->output == NULL))
        rc = cli_usage_error("extend", "give one FILE and -o OUT");
    if (rc == CLI_EXIT_OK)
        a->input = argv[optind];
    return rc;
}

static int make_ctx(const extend_args *a, lsign_ctx **ctx)
{
    int rc;

    if (lsign_ctx_new(ctx, NULL) != LSIGN_OK) {
        cli_error("%s", lsign_last_error());
        return CLI_EXIT_INPUT;
    }
    if (!a->quiet)
        lsign_ctx_set_log(*ctx, LSIGN_LOG_WARNING, cli_log_to_stderr, NULL);
    rc = cli_load_trust(*ctx, a->trust);
    return rc == CLI_EXIT_OK ? cli_apply_tsa("extend", &a->tsa, *ctx) : rc;
}

static int run(const extend_args *a, lsign_ctx *ctx)
{
    lsign_input *in = NULL;
    lsign_output *out = NULL;
    int rc = strcmp(a->input, "-") == 0 ? lsign_input_from_fd(&in, 0)
                                        : lsign_input_from_path(&in, a->input);

    if (rc == LSIGN_OK)
        rc = strcmp(a->output, "-") == 0 ? lsign_output_to_fd(&out, 1)
                                         : lsign_output_to_path(&out, a->output);
    if (rc == LSIGN_OK)
        rc = lsign_pdf_extend(ctx, in, out, &a->opts);
    if (rc != LSIGN_OK)
        cli_error("%s: %s", a->input, lsign_last_error());
    else if (!a->quiet)
        fprintf(stderr, "extended %s -> %s\n", a->input, a->output);
    lsign_input_free(in);
    lsign_output_free(out);
    return cli_exit_for(rc);
}

int cli_cmd_extend(int argc, char *argv[])
{
    extend_args a;
    lsign_ctx *ctx = NULL;
    int rc;

    memset(&a, 0, sizeof a);
    lsign_pdf_extend_options_init(&a.opts, LSIGN_PDF_EXTEND_OPTIONS_VERSION);
    rc = parse(&a, argc, argv);
    if (rc < 0) {
        cli_extend_help();
        return CLI_EXIT_OK;
    }
    if (rc == CLI_EXIT_OK)
        rc = make_ctx(&a, &ctx);
    if (rc == CLI_EXIT_OK)
        rc = run(&a, ctx);
    lsign_ctx_free(ctx);
    return rc;
}
