/*
 * libsign: the command line. Dispatches to a subcommand and holds what they
 * share: messages, exit statuses, the parsing of enumerated flag values and
 * the log callback. Only the exported lsign_* functions are used.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "libsign/libsign.h"

#include "cli.h"

__attribute__((format(printf, 2, 0))) static void vmessage(const char *prefix, const char *fmt,
                                                           va_list ap)
{
    fprintf(stderr, "%s: %s", CLI_NAME, prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *help_for, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
    if (help_for != NULL)
        fprintf(stderr, "Try '%s %s --help'.\n", CLI_NAME, help_for);
    else
        fprintf(stderr, "Try '%s --help'.\n", CLI_NAME);
    return CLI_EXIT_USAGE;
}

int cli_parse_choice(const char *help_for, const char *flag, const char *arg,
                     const cli_choice *choices, int *value)
{
    for (const cli_choice *c = choices; c->name != NULL; c++) {
        if (strcasecmp(arg, c->name) == 0) { /* B-LT and b-lt alike */
            *value = c->value;
            return CLI_EXIT_OK;
        }
    }
    fprintf(stderr, "%s: %s: '%s' is not accepted; use one of ", CLI_NAME, flag, arg);
    for (const cli_choice *c = choices; c->name != NULL; c++)
        fprintf(stderr, "%s%s", c == choices ? "" : (c[1].name != NULL ? ", " : " or "), c->name);
    fputc('\n', stderr);
    fprintf(stderr, "Try '%s %s --help'.\n", CLI_NAME, help_for);
    return CLI_EXIT_USAGE;
}

int cli_parse_jobs(const char *help_for, const char *arg, unsigned int *jobs)
{
    char *end;
    long n = strtol(arg, &end, 10);

    if (*arg == '\0' || *end != '\0' || n < 1 || n > CLI_MAX_JOBS)
        return cli_usage_error(help_for, "--jobs: '%s' is not a number from 1 to %d", arg,
                               CLI_MAX_JOBS);
    *jobs = (unsigned int)n;
    return CLI_EXIT_OK;
}

int cli_bad_option(const char *help_for, char *const argv[], int ret, int opt)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    int name_len = (int)strcspn(arg, "=");
    int is_long = strncmp(arg, "--", 2) == 0;

    if (ret == ':' && !is_long)
        return cli_usage_error(help_for, "option '-%c' needs a value", opt);
    if (ret == ':')
        return cli_usage_error(help_for, "option '%.*s' needs a value", name_len, arg);
    if (opt != 0 || !is_long)
        return cli_usage_error(help_for, "unknown option '-%c'", opt);
    /* The value after '=' is never printed: it might be a PIN. */
    return cli_usage_error(help_for, "unknown or ambiguous option '%.*s'", name_len, arg);
}

void cli_log_to_stderr(int level, const char *message, void *userdata)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    const char *name = level >= 0 && level <= 3 ? names[level] : "log";

    (void)userdata;
    fprintf(stderr, "%s: %s: %s\n", CLI_NAME, name, message);
}

int cli_load_trust(lsign_ctx *ctx, const char *trust)
{
    struct stat st;
    int rc;

    if (trust == NULL)
        return CLI_EXIT_OK;
    rc = stat(trust, &st) == 0 && S_ISDIR(st.st_mode) ? lsign_ctx_add_trust_dir(ctx, trust)
                                                      : lsign_ctx_add_trust_file(ctx, trust);
    if (rc != LSIGN_OK) {
        cli_error("--trust: %s", lsign_last_error());
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

void cli_json_string(FILE *f, const char *s)
{
    if (s == NULL) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

void cli_json_file_error(const char *name, const char *error)
{
    fputs("{\"file\": ", stdout);
    cli_json_string(stdout, name);
    fputs(", \"error\": ", stdout);
    cli_json_string(stdout, error);
    fputs("}", stdout);
}

int cli_exit_for(int code)
{
    switch (code) {
    case LSIGN_OK: return CLI_EXIT_OK;
    case LSIGN_E_TOKEN:
    case LSIGN_E_PIN: return CLI_EXIT_KEY;
    case LSIGN_E_NETWORK: return CLI_EXIT_NETWORK;
    default: return CLI_EXIT_INPUT;
    }
}

int cli_batch_exit(size_t succeeded, size_t failed, int first)
{
    return failed == 0 ? CLI_EXIT_OK : succeeded > 0 ? CLI_EXIT_PARTIAL : first;
}

int cli_apply_tsa(const char *cmd, const cli_tsa_args *tsa, lsign_ctx *ctx)
{
    if (tsa->url == NULL) {
        if (tsa->user != NULL || tsa->password_source != NULL)
            return cli_usage_error(cmd, "--tsa-user and --tsa-password-source need --tsa URL");
        return CLI_EXIT_OK;
    }
    if (lsign_ctx_set_tsa(ctx, tsa->url, tsa->user, tsa->password_source) != LSIGN_OK)
        return cli_usage_error(cmd, "--tsa: %s", lsign_last_error());
    return CLI_EXIT_OK;
}

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: %s COMMAND [OPTION]... [FILE]...\n"
            "Signs documents with keys on PKCS#11 tokens and HSMs, in PKCS#12 files or PEM "
            "files.\n"
            "\n"
            "Commands:\n"
            "  sign        sign PDF (PAdES) and XML (XAdES, edXML, e-invoice) files, in batches\n"
            "  verify      verify the signatures of PDF and XML files\n"
            "  extend      raise signed PDFs to B-T, B-LT or B-LTA (timestamps, validation data)\n"
            "  keys        list PKCS#11 tokens, keys and certificates with their pkcs11: URIs\n"
            "  inspect     show revisions, fields, timestamps, DSS and signatures, unjudged\n"
            "  help [CMD]  show this help, or the help of CMD\n"
            "\n"
            "Options:\n"
            "  --version   print the version and exit\n"
            "  --help      show this help and exit\n"
            "\n"
            "Exit status: 0 success (verify: every file TOTAL-PASSED), 1 verify: some file\n"
            "is not TOTAL-PASSED, 2 usage error, 3 input file error, 4 key, token or PIN\n"
            "error, 5 network error (TSA, OCSP, CRL), 6 some files of a batch failed.\n"
            "'%s COMMAND --help' describes a command.\n",
            CLI_NAME, CLI_NAME);
}

static int help(int argc, char *argv[])
{
    if (argc < 2) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 2)
        return cli_usage_error(NULL, "help: one command at most");
    if (strcmp(argv[1], "sign") == 0) {
        cli_sign_help();
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "verify") == 0) {
        cli_verify_help();
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "extend") == 0) {
        cli_extend_help();
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "keys") == 0) {
        cli_keys_help();
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "inspect") == 0) {
        cli_inspect_help();
        return CLI_EXIT_OK;
    }
    return cli_usage_error(NULL, "help: unknown command '%s'", argv[1]);
}

int main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (cmd == NULL) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(cmd, "sign") == 0)
        return cli_cmd_sign(argc - 1, argv + 1);
    if (strcmp(cmd, "verify") == 0)
        return cli_cmd_verify(argc - 1, argv + 1);
    if (strcmp(cmd, "extend") == 0)
        return cli_cmd_extend(argc - 1, argv + 1);
    if (strcmp(cmd, "keys") == 0)
        return cli_cmd_keys(argc - 1, argv + 1);
    if (strcmp(cmd, "inspect") == 0)
        return cli_cmd_inspect(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0)
        return help(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return argc == 2 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (strcmp(cmd, "--version") == 0) {
        if (argc != 2)
            return cli_usage_error(NULL, "--version takes no arguments");
        /* The library's own version: the one that actually runs. */
        printf("%s %s\n", CLI_NAME, lsign_version());
        return CLI_EXIT_OK;
    }
    if (cmd[0] == '-')
        return cli_usage_error(NULL, "unknown option '%.*s'", (int)strcspn(cmd, "="), cmd);
    return cli_usage_error(NULL, "unknown command '%s'", cmd);
}
