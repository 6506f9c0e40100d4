/*
 * libsign keys: the PKCS#11 tokens of a module with their keys and
 * certificates, each with the pkcs11: URI to pass to `libsign sign --key`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "libsign/libsign.h"

#include "cli.h"

enum { OPT_MODULE = 256, OPT_TOKEN, OPT_PIN_SOURCE, OPT_JSON, OPT_HELP };

static const struct option long_options[] = {
    {"module", required_argument, NULL, OPT_MODULE},
    {"token", required_argument, NULL, OPT_TOKEN},
    {"pin-source", required_argument, NULL, OPT_PIN_SOURCE},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

void cli_keys_help(void)
{
    fputs("Usage: libsign keys [--module PATH] [--token LABEL] [--pin-source SRC] [--json]\n"
          "Lists the tokens of a PKCS#11 module, then each token's private keys and\n"
          "certificates, with the pkcs11: URI that `libsign sign --key` takes.\n"
          "\n"
          "  --module PATH        the PKCS#11 module (else $LIBSIGN_PKCS11_MODULE, else\n"
          "                       p11-kit's proxy)\n"
          "  --token LABEL        only this token\n"
          "  --pin-source SRC     log in (env:VAR, file:PATH or prompt) to list private\n"
          "                       keys too; without it only what a token shows before login\n"
          "  --json               [{\"kind\", \"label\", \"uri\", \"details\"}...] on stdout\n"
          "\n"
          "Exit status: 0 listed, 2 usage error, 4 the module, token or PIN failed.\n",
          stdout);
}

static const char *kind_name(int kind)
{
    return kind == LSIGN_ITEM_TOKEN         ? "token"
           : kind == LSIGN_ITEM_PRIVATE_KEY ? "private-key"
                                            : "certificate";
}

static void print_list(const lsign_token_list *list, int json)
{
    size_t n = lsign_token_list_count(list);

    if (json)
        fputs("[", stdout);
    for (size_t i = 0; i < n; i++) {
        int kind = lsign_token_list_kind(list, i);
        if (json) {
            printf("%s{\"kind\": \"%s\", \"label\": ", i > 0 ? ", " : "", kind_name(kind));
            cli_json_string(stdout, lsign_token_list_label(list, i));
            fputs(", \"uri\": ", stdout);
            cli_json_string(stdout, lsign_token_list_uri(list, i));
            fputs(", \"details\": ", stdout);
            cli_json_string(stdout, lsign_token_list_details(list, i));
            fputs("}", stdout);
        } else {
            printf("%s%s \"%s\": %s\n    %s\n", kind == LSIGN_ITEM_TOKEN ? "" : "  ",
                   kind_name(kind), lsign_token_list_label(list, i),
                   lsign_token_list_details(list, i), lsign_token_list_uri(list, i));
        }
    }
    if (json)
        puts("]");
    else if (n == 0)
        puts("no token found");
}

int cli_cmd_keys(int argc, char *argv[])
{
    lsign_token_list_options o = LSIGN_TOKEN_LIST_OPTIONS_INIT;
    lsign_token_list *list = NULL;
    lsign_ctx *ctx = NULL;
    int c, json = 0, rc = CLI_EXIT_OK;

    opterr = 0;
    optind = 1;
    while (rc == CLI_EXIT_OK && (c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_MODULE: o.module = optarg; break;
        case OPT_TOKEN: o.token = optarg; break;
        case OPT_PIN_SOURCE: o.pin_source = optarg; break;
        case OPT_JSON: json = 1; break;
        case OPT_HELP: cli_keys_help(); return CLI_EXIT_OK;
        default: rc = cli_bad_option("keys", argv, c, optopt); break;
        }
    }
    if (rc == CLI_EXIT_OK && optind < argc)
        rc = cli_usage_error("keys", "unexpected operand '%s'", argv[optind]);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (lsign_ctx_new(&ctx, NULL) != LSIGN_OK) {
        cli_error("%s", lsign_last_error());
        return CLI_EXIT_INPUT;
    }
    lsign_ctx_set_log(ctx, LSIGN_LOG_WARNING, cli_log_to_stderr, NULL);
    rc = lsign_token_list_new(&list, ctx, &o);
    if (rc == LSIGN_OK)
        print_list(list, json);
    else
        cli_error("%s", lsign_last_error());
    lsign_token_list_free(list);
    lsign_ctx_free(ctx);
    return rc == LSIGN_OK ? CLI_EXIT_OK : CLI_EXIT_KEY;
}
