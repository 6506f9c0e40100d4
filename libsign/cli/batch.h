/*
 * Batches of `libsign sign`: the files are taken by --jobs worker threads
 * from one queue, each output written atomically by the library (temp file
 * and rename), every event appended to a journal in the output folder, a
 * progress line on a terminal, and a summary (text, or JSON with --json).
 * With --resume a file whose output exists is skipped: an output exists
 * only once it is complete, so a batch killed at any moment is finished by
 * running it again, and nothing is signed twice.
 */
#ifndef LSIGN_CLI_BATCH_H
#define LSIGN_CLI_BATCH_H

#include <stddef.h>

/* What happened to one file. */
typedef enum { CLI_PENDING = 0, CLI_SIGNED, CLI_FAILED, CLI_SKIPPED } cli_result;

typedef struct cli_batch_item {
    const char *input; /* as given */
    char *output;      /* owned by the caller */
    cli_result result;
    int status;  /* the lsign status of a failure */
    char *error; /* its message (malloc'd, freed by cli_batch_free_errors()) */
} cli_batch_item;

typedef struct cli_batch_options {
    unsigned int jobs;   /* worker threads, >= 1 */
    int resume;          /* skip files whose output exists */
    int force;           /* overwrite existing outputs */
    int quiet;           /* errors only */
    int json;            /* the summary as JSON on stdout */
    const char *journal; /* the journal's path, or NULL for none */
} cli_batch_options;

/*
 * Does one file: returns an lsign status; on failure lsign_last_error()
 * (thread-local) says why. Called from worker threads.
 */
typedef int (*cli_batch_fn)(void *userdata, size_t index);

/*
 * Runs the batch and prints its summary. Returns the exit status
 * (cli_batch_exit()); CLI_EXIT_INPUT when the journal cannot be opened.
 */
int cli_batch_run(cli_batch_item *items, size_t count, const cli_batch_options *o, cli_batch_fn fn,
                  void *userdata);

void cli_batch_free_errors(cli_batch_item *items, size_t count);

#endif
