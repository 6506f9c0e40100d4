/*
 * libsign verify: the validation report of each PDF (ETSI EN 319 102-1
 * statuses), as text in the chosen language or as JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsign/libsign.h"

#include "cli.h"

enum {
    OPT_TRUST = 256,
    OPT_INTERMEDIATES,
    OPT_REVOCATION,
    OPT_JSON,
    OPT_LANG,
    OPT_HELP,
    OPT_DETACHED,
    OPT_XML_ANY_REFERENCE
};

static const struct option long_options[] = {
    {"trust", required_argument, NULL, OPT_TRUST},
    {"intermediates", required_argument, NULL, OPT_INTERMEDIATES},
    {"revocation", required_argument, NULL, OPT_REVOCATION},
    {"json", no_argument, NULL, OPT_JSON},
    {"lang", required_argument, NULL, OPT_LANG},
    {"help", no_argument, NULL, OPT_HELP},
    {"detached", required_argument, NULL, OPT_DETACHED},
    {"xml-allow-any-reference", no_argument, NULL, OPT_XML_ANY_REFERENCE},
    {NULL, 0, NULL, 0}};

static const cli_choice policies[] = {{"offline", LSIGN_REVOCATION_OFFLINE},
                                      {"online", LSIGN_REVOCATION_ONLINE},
                                      {"none", LSIGN_REVOCATION_NONE},
                                      {NULL, 0}};

static const cli_choice languages[] = {{"vi", LSIGN_LANG_VI}, {"en", LSIGN_LANG_EN}, {NULL, 0}};

#define MAX_TRUST 32

typedef struct verify_args {
    const char *trust[MAX_TRUST], *intermediates[MAX_TRUST];
    size_t ntrust, nintermediates;
    int revocation, json, lang;
    const char *detached; /* the data of detached XML signatures, referenced by its name */
    int any_reference;
    char *const *files;
    size_t nfiles;
} verify_args;

void cli_verify_help(void)
{
    fputs(
        "Usage: libsign verify [--trust PEM|DIR]... [--revocation offline|online|none]\n"
        "                      [--json] [--lang vi|en] FILE...\n"
        "Checks every signature of each PDF or XML file: structure, digests, signature, the chain\n"
        "to a trusted root at the best proof of existence (timestamps), revocation.\n"
        "\n"
        "  --trust F            trusted roots: a PEM file or a directory (repeatable)\n"
        "  --intermediates F    untrusted CA certificates (PEM) to complete chains of\n"
        "                       signatures that embed only their signer's (repeatable)\n"
        "  --revocation P       offline (default: only evidence in the file), online\n"
        "                       (fetch OCSP/CRL when the file has none, and missing\n"
        "                       issuers from their AIA caIssuers URL) or none\n"
        "  --json               {\"files\": [REPORT...]}: a report per FILE, or\n"
        "                       {\"file\", \"error\"} for a FILE that could not be read\n"
        "  --lang L             vi (default) or en, for the text report\n"
        "XML signatures (files starting with '<'):\n"
        "  --detached F         the data a detached signature references by F's name\n"
        "  --xml-allow-any-reference  accept signed elements anywhere in the document\n"
        "                       (then read the signed content from the report only)\n"
        "\n"
        "Exit status: 0 every FILE is TOTAL-PASSED, 1 some FILE is not, 2 usage error,\n"
        "3 a FILE (or --trust) could not be read or parsed, 5 a network error.\n",
        stdout);
}

static int parse(verify_args *a, int argc, char *argv[])
{
    int c, rc = CLI_EXIT_OK;

    opterr = 0;
    optind = 1;
    while (rc == CLI_EXIT_OK && (c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_TRUST:
            if (a->ntrust == MAX_TRUST)
                return cli_usage_error("verify", "--trust: at most %d", MAX_TRUST);
            a->trust[a->ntrust++] = optarg;
            break;
        case OPT_INTERMEDIATES:
            if (a->nintermediates == MAX_TRUST)
                return cli_usage_error("verify", "--intermediates: at most %d", MAX_TRUST);
            a->intermediates[a->nintermediates++] = optarg;
            break;
        case OPT_REVOCATION:
            rc = cli_parse_choice("verify", "--revocation", optarg, policies, &a->revocation);
            break;
        case OPT_JSON: a->json = 1; break;
        case OPT_DETACHED: a->detached = optarg; break;
        case OPT_XML_ANY_REFERENCE: a->any_reference = 1; break;
        case OPT_LANG:
            rc = cli_parse_choice("verify", "--lang", optarg, languages, &a->lang);
            break;
        case OPT_HELP: return -1;
        default: rc = cli_bad_option("verify", argv, c, optopt); break;
        }
    }
    if (rc == CLI_EXIT_OK && optind >= argc)
        rc = cli_usage_error("verify", "no FILE to verify");
    a->files = argv + optind;
    a->nfiles = (size_t)(argc - optind);
    return rc;
}

static int make_ctx(const verify_args *a, lsign_ctx **ctx)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    int rc = CLI_EXIT_OK;

    o.revocation = a->revocation;
    if (lsign_ctx_new(ctx, &o) != LSIGN_OK) {
        cli_error("%s", lsign_last_error());
        return CLI_EXIT_INPUT;
    }
    lsign_ctx_set_language(*ctx, a->lang);
    for (size_t i = 0; i < a->ntrust && rc == CLI_EXIT_OK; i++)
        rc = cli_load_trust(*ctx, a->trust[i]);
    for (size_t i = 0; i < a->nintermediates && rc == CLI_EXIT_OK; i++)
        if (lsign_ctx_add_intermediates(*ctx, a->intermediates[i]) != LSIGN_OK) {
            cli_error("--intermediates: %s", lsign_last_error());
            rc = CLI_EXIT_INPUT;
        }
    return rc;
}

/* Verifies one FILE and prints its report; 1 when it is TOTAL-PASSED. */
/* An XML document, with the detached data and reference policy of the command line. */
static int verify_xml(const verify_args *a, lsign_ctx *ctx, lsign_input *in, const char *name,
                      lsign_report **report)
{
    lsign_xml_verify_options o = LSIGN_XML_VERIFY_OPTIONS_INIT;
    lsign_input *data = NULL;
    const char *base = a->detached != NULL ? strrchr(a->detached, '/') : NULL;
    int rc = LSIGN_OK;

    o.allow_any_element_reference = a->any_reference;
    if (a->detached != NULL) {
        o.detached_uri = base != NULL ? base + 1 : a->detached;
        rc = lsign_input_from_path(&data, a->detached);
        o.detached_data = data;
    }
    if (rc == LSIGN_OK)
        rc = lsign_xml_verify(ctx, in, name, &o, report);
    lsign_input_free(data);
    return rc;
}

/*
 * Verifies one FILE and prints its report (with --json, an element of
 * {"files": [...]}: the report, or {"file", "error"} when it could not be
 * verified). Returns CLI_EXIT_OK (TOTAL-PASSED), CLI_EXIT_NOT_PASSED or the
 * status of the failure.
 */
static int verify_one(const verify_args *a, lsign_ctx *ctx, size_t i)
{
    const char *name = a->files[i];
    lsign_input *in = NULL;
    lsign_report *report = NULL;
    char *json = NULL;
    size_t len = 0;
    int status;
    int rc = lsign_input_from_path(&in, name);

    if (rc == LSIGN_OK)
        rc = cli_looks_like_xml(name) ? verify_xml(a, ctx, in, name, &report)
                                      : lsign_pdf_verify(ctx, in, name, &report);
    if (a->json)
        fputs(i == 0 ? "{\"files\": [" : ",\n", stdout);
    if (rc != LSIGN_OK) {
        cli_error("%s: %s", name, lsign_last_error());
        if (a->json)
            cli_json_file_error(name);
        status = cli_exit_for(rc);
    } else {
        if (a->json && lsign_report_json(report, &json, &len) == LSIGN_OK)
            fputs(json, stdout);
        else if (!a->json)
            printf("%s\n", lsign_report_text(report));
        status = strcmp(lsign_report_status(report), "TOTAL-PASSED") == 0 ? CLI_EXIT_OK
                                                                          : CLI_EXIT_NOT_PASSED;
    }
    if (a->json && i + 1 == a->nfiles)
        fputs("]}\n", stdout);
    lsign_free_string(json);
    lsign_report_free(report);
    lsign_input_free(in);
    return status;
}

int cli_cmd_verify(int argc, char *argv[])
{
    verify_args a;
    lsign_ctx *ctx = NULL;
    int rc;

    memset(&a, 0, sizeof a);
    a.lang = LSIGN_LANG_VI;
    rc = parse(&a, argc, argv);
    if (rc < 0) {
        cli_verify_help();
        return CLI_EXIT_OK;
    }
    if (rc == CLI_EXIT_OK)
        rc = make_ctx(&a, &ctx);
    if (rc == CLI_EXIT_OK) {
        /* The worst: a failure to verify, before "not passed", before OK. */
        for (size_t i = 0; i < a.nfiles; i++) {
            int one = verify_one(&a, ctx, i);
            if (one > CLI_EXIT_NOT_PASSED && (rc == CLI_EXIT_OK || rc == CLI_EXIT_NOT_PASSED))
                rc = one;
            else if (one == CLI_EXIT_NOT_PASSED && rc == CLI_EXIT_OK)
                rc = one;
        }
    }
    lsign_ctx_free(ctx);
    return rc;
}
