/*
 * The libsign command line: what main.c shares with the subcommands.
 * Internal to the program; it calls only the exported lsign_* functions.
 */
#ifndef LSIGN_CLI_H
#define LSIGN_CLI_H

#include <stdarg.h>

#include <stddef.h>
#include <stdio.h>

/* Exit statuses, the same for every subcommand (the man page and README list them). */
#define CLI_EXIT_OK         0 /* everything succeeded; verify: every FILE is TOTAL-PASSED */
#define CLI_EXIT_NOT_PASSED 1 /* verify ran and some FILE is not TOTAL-PASSED */
#define CLI_EXIT_USAGE      2 /* bad command line: unknown flag, missing or bad value */
#define CLI_EXIT_INPUT      3 /* an input file (or --trust) is unreadable, damaged or refused */
#define CLI_EXIT_KEY        4 /* the key, token or PIN */
#define CLI_EXIT_NETWORK    5 /* the TSA, an OCSP responder or a CRL server */
#define CLI_EXIT_PARTIAL    6 /* a batch where some files succeeded and some failed */

/* Writes `s` (UTF-8, may be NULL: null) to `f` as a JSON string. */
void cli_json_string(FILE *f, const char *s);

/* Writes {"file": NAME, "error": ERROR} to stdout: a FILE that could not be read. */
void cli_json_file_error(const char *name, const char *error);

/* The exit status for an operation that failed with the lsign_status `code`. */
int cli_exit_for(int code);

/*
 * A batch's exit status: OK when nothing failed, PARTIAL when some files
 * succeeded, else the status of the first failure (`first`, a CLI_EXIT_*).
 */
int cli_batch_exit(size_t succeeded, size_t failed, int first);

/* The program's name in messages. */
#define CLI_NAME "libsign"

/* One accepted value of a flag: its spelling and what it stands for. */
typedef struct cli_choice {
    const char *name;
    int value;
} cli_choice;

/*
 * Looks `arg` up in `choices` (terminated by a NULL name). On a miss prints
 * "libsign: FLAG: 'ARG' is not accepted; use one of a, b or c" and a pointer
 * to 'libsign HELP_FOR --help', and returns CLI_EXIT_USAGE; else stores the
 * value and returns CLI_EXIT_OK.
 */
int cli_parse_choice(const char *help_for, const char *flag, const char *arg,
                     const cli_choice *choices, int *value);

/* --jobs N: 1 to CLI_MAX_JOBS, else a usage error (CLI_EXIT_USAGE). */
#define CLI_MAX_JOBS 64
int cli_parse_jobs(const char *help_for, const char *arg, unsigned int *jobs);

/* Prints "libsign: MESSAGE" and a newline to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* As cli_error(), with "libsign: warning: " in front. */
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Prints "libsign: MESSAGE" and "Try 'libsign HELP_FOR --help'." to stderr;
 * returns CLI_EXIT_USAGE.
 */
int cli_usage_error(const char *help_for, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Reports the option getopt_long() just refused: `ret` is what it returned
 * ('?' unknown, ':' missing value; the optstring starts with ':') and `opt`
 * the optopt it set. Never echoes an "=VALUE" part, which could be a PIN.
 * Returns CLI_EXIT_USAGE.
 */
int cli_bad_option(const char *help_for, char *const argv[], int ret, int opt);

/* An lsign_log_fn printing "libsign: LEVEL: MESSAGE" to stderr. */
void cli_log_to_stderr(int level, const char *message, void *userdata);

/* Options of the visible signature (appearance_args.c), numbered after the subcommand's. */
enum {
    CLI_OPT_APPEARANCE = 512,
    CLI_OPT_TEXT,
    CLI_OPT_IMAGE,
    CLI_OPT_SEAL_SIZE,
    CLI_OPT_FONT,
    CLI_OPT_FONT_SIZE,
    CLI_OPT_UNITS,
    CLI_OPT_PAGE,
    CLI_OPT_BOX,
    CLI_OPT_BOX_SIZE,
    CLI_OPT_PRESET,
    CLI_OPT_ANCHOR,
    CLI_OPT_ANCHOR_OFFSET,
    CLI_OPT_VISIBLE
};

#define CLI_MAX_PAIRS 32

/* What the appearance flags said; strings point into argv. Zero-initialise. */
typedef struct cli_appearance_args {
    const char *template_name, *font, *preset, *anchor;
    struct {
        const char *arg; /* NAME=VALUE */
        int is_image;
    } pairs[CLI_MAX_PAIRS];
    size_t pair_count;
    double seal[2], font_size, box[4], size[2], offset[2];
    int unit, page, has_box;
} cli_appearance_args;

/* Takes one appearance flag; CLI_EXIT_OK or CLI_EXIT_USAGE (reported). */
int cli_appearance_option(cli_appearance_args *a, int option, const char *arg);

/* 1 when any appearance flag was given. */
int cli_appearance_used(const cli_appearance_args *a);

/* The appearance the flags describe (NULL when none); CLI_EXIT_USAGE (reported) on a bad value. */
struct lsign_appearance;
int cli_appearance_build(const cli_appearance_args *a, struct lsign_appearance **out);

/* The PAdES levels as the flag --level spells them. */
extern const cli_choice cli_pades_levels[];

struct lsign_ctx;

/* The time-stamping authority flags (--tsa, --tsa-user, --tsa-password-source). */
typedef struct cli_tsa_args {
    const char *url, *user, *password_source;
} cli_tsa_args;

/* Loads --trust (a PEM file or a directory) into the context; CLI_EXIT_SETUP (reported) on failure.
 */
int cli_load_trust(struct lsign_ctx *ctx, const char *trust);

/* Gives the TSA to the context; CLI_EXIT_OK, or CLI_EXIT_USAGE (reported) naming `cmd`. */
int cli_apply_tsa(const char *cmd, const cli_tsa_args *tsa, struct lsign_ctx *ctx);

/* The subcommand "verify"; argv[0] is "verify". */
int cli_cmd_verify(int argc, char *argv[]);
void cli_verify_help(void);

/* The subcommand "inspect"; argv[0] is "inspect". */
int cli_cmd_inspect(int argc, char *argv[]);
void cli_inspect_help(void);

/* The subcommand "keys"; argv[0] is "keys". */
int cli_cmd_keys(int argc, char *argv[]);
void cli_keys_help(void);

/* The subcommand "extend"; argv[0] is "extend". */
int cli_cmd_extend(int argc, char *argv[]);
void cli_extend_help(void);

/* The subcommand "sign"; argv[0] is "sign". Returns an exit status. */
int cli_cmd_sign(int argc, char *argv[]);

/* Prints the help of "sign" to stdout. */
void cli_sign_help(void);

#endif
