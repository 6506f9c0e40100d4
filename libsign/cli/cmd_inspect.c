/* libsign inspect: what signed documents hold (revisions, fields, DSS, signatures), unjudged. */
#include <getopt.h>
#include <stdio.h>

#include "libsign/libsign.h"

#include "cli.h"

enum { OPT_JSON = 256, OPT_HELP };

static const struct option long_options[] = {{"json", no_argument, NULL, OPT_JSON},
                                             {"help", no_argument, NULL, OPT_HELP},
                                             {NULL, 0, NULL, 0}};

void cli_inspect_help(void)
{
    fputs("Usage: libsign inspect [--json] FILE...\n"
          "Shows what each PDF or XML FILE holds, without judging it: a PDF's revisions,\n"
          "form and signature fields (signed or not, SubFilter, ByteRange, claimed time,\n"
          "page and rectangle of the widget), document timestamps and DSS; an XML file's\n"
          "signatures (Id, XAdES, timestamp, references). 'libsign verify' judges them.\n"
          "\n"
          "  --json               {\"files\": [INSPECTION or {\"file\", \"error\"}...]}\n"
          "\n"
          "Exit status: 0 every FILE was read, 2 usage error, 3 a FILE could not be read.\n",
          stdout);
}

/* One FILE: its inspection printed; CLI_EXIT_OK or the status of the failure. */
static int inspect_one(lsign_ctx *ctx, const char *name, int json, int first)
{
    lsign_input *in = NULL;
    lsign_inspection *inspection = NULL;
    int rc = lsign_input_from_path(&in, name);

    if (rc == LSIGN_OK)
        rc = lsign_inspect(ctx, in, &inspection);
    if (json)
        fputs(first ? "{\"files\": [" : ",\n", stdout);
    if (rc != LSIGN_OK) {
        cli_error("%s: %s", name, lsign_last_error());
        if (json)
            cli_json_file_error(name, lsign_last_error());
    } else if (json) {
        fputs(lsign_inspection_json(inspection), stdout);
    } else {
        printf("%s:\n%s", name, lsign_inspection_text(inspection));
    }
    lsign_inspection_free(inspection);
    lsign_input_free(in);
    return cli_exit_for(rc);
}

int cli_cmd_inspect(int argc, char *argv[])
{
    lsign_ctx *ctx = NULL;
    int c, json = 0, rc = CLI_EXIT_OK;

    opterr = 0;
    optind = 1;
    while (rc == CLI_EXIT_OK && (c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = 1; break;
        case OPT_HELP: cli_inspect_help(); return CLI_EXIT_OK;
        default: rc = cli_bad_option("inspect", argv, c, optopt); break;
        }
    }
    if (rc == CLI_EXIT_OK && optind >= argc)
        rc = cli_usage_error("inspect", "no FILE to inspect");
    if (rc != CLI_EXIT_OK)
        return rc;
    if (lsign_ctx_new(&ctx, NULL) != LSIGN_OK) {
        cli_error("%s", lsign_last_error());
        return CLI_EXIT_INPUT;
    }
    for (int i = optind; i < argc; i++) {
        int one = inspect_one(ctx, argv[i], json, i == optind);
        if (one != CLI_EXIT_OK && rc == CLI_EXIT_OK)
            rc = one;
    }
    if (json)
        puts("]}");
    lsign_ctx_free(ctx);
    return rc;
}
