/*
 * libsign verify: the validation report of each PDF (ETSI EN 319 102-1
 * statuses), as text in the chosen language or as JSON.
 */
#include <getopt.h>
#include <pthread.h>
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
    OPT_XML_ANY_REFERENCE,
    OPT_JOBS
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
    {"jobs", required_argument, NULL, OPT_JOBS},
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
    unsigned int jobs; /* files verified at a time; reports still print in FILE order */
    char *const *files;
    size_t nfiles;
} verify_args;

void cli_verify_help(void)
{
    fputs(
        "Usage: libsign verify [--trust PEM|DIR]... [--revocation offline|online|none]\n"
        "                      [--json] [--lang vi|en] [--jobs N] FILE...\n"
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
        "  --jobs N             verify N files at a time (1 to 64; default 1); the\n"
        "                       reports still come in the order of the FILEs\n"
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
        case OPT_JOBS: rc = cli_parse_jobs("verify", optarg, &a->jobs); break;
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

/* The outcome of one FILE, made by a worker and printed, in order, by the main thread. */
typedef struct outcome {
    int rc;               /* LSIGN_OK, or why the FILE could not be verified */
    char *error;          /* then the worker's lsign_last_error() */
    lsign_report *report; /* when rc is LSIGN_OK */
    char *json;           /* its JSON, with --json (made by the worker too) */
    int done;
} outcome;

static void verify_file(const verify_args *a, lsign_ctx *ctx, const char *name, outcome *o)
{
    lsign_input *in = NULL;
    size_t len = 0;

    o->rc = lsign_input_from_path(&in, name);
    if (o->rc == LSIGN_OK)
        o->rc = lsign_input_is_xml(in) ? verify_xml(a, ctx, in, name, &o->report)
                                       : lsign_pdf_verify(ctx, in, name, &o->report);
    if (o->rc != LSIGN_OK)
        o->error = strdup(lsign_last_error());
    /* The report's text or JSON is made here, in the worker, not by the printing thread. */
    else if (a->json)
        (void)lsign_report_json(o->report, &o->json, &len); /* NULL when it fails */
    else
        (void)lsign_report_text(o->report); /* made once, kept by the report */
    lsign_input_free(in);
}

/*
 * Prints FILE i's report (with --json, an element of {"files": [...]}: the
 * report, or {"file", "error"} when it could not be verified) and frees the
 * outcome. Returns CLI_EXIT_OK (TOTAL-PASSED), CLI_EXIT_NOT_PASSED or the
 * status of the failure.
 */
static int print_outcome(const verify_args *a, size_t i, outcome *o)
{
    const char *name = a->files[i];
    int status;

    if (a->json)
        fputs(i == 0 ? "{\"files\": [" : ",\n", stdout);
    if (o->rc != LSIGN_OK) {
        const char *error = o->error != NULL ? o->error : "out of memory";

        cli_error("%s: %s", name, error);
        if (a->json)
            cli_json_file_error(name, error);
        status = cli_exit_for(o->rc);
    } else {
        if (a->json && o->json != NULL)
            fputs(o->json, stdout);
        else if (!a->json)
            printf("%s\n", lsign_report_text(o->report));
        status = strcmp(lsign_report_status(o->report), "TOTAL-PASSED") == 0 ? CLI_EXIT_OK
                                                                             : CLI_EXIT_NOT_PASSED;
    }
    if (a->json && i + 1 == a->nfiles)
        fputs("]}\n", stdout);
    lsign_free_string(o->json);
    lsign_report_free(o->report);
    free(o->error);
    memset(o, 0, sizeof *o);
    return status;
}

/* The worst: a failure to verify, before "not passed", before OK. */
static int worse(int rc, int one)
{
    if (one > CLI_EXIT_NOT_PASSED && (rc == CLI_EXIT_OK || rc == CLI_EXIT_NOT_PASSED))
        return one;
    return one == CLI_EXIT_NOT_PASSED && rc == CLI_EXIT_OK ? one : rc;
}

/*
 * --jobs N: N workers (the main thread and N-1 others) take FILEs in order.
 * A worker that finishes a FILE prints every outcome that is next in order
 * and done, unless another worker is printing (which then prints it), so no
 * thread has to be woken for each FILE. Workers stay within WINDOW files of
 * the last one printed: a slow file holds back at most WINDOW reports.
 */
#define WINDOW_PER_JOB 8

typedef struct pool {
    const verify_args *a;
    lsign_ctx *ctx;
    outcome *outcomes; /* one per FILE */
    size_t next, printed, window;
    int printing; /* a worker is printing */
    int rc;       /* the worst status printed so far */
    pthread_mutex_t lock;
    pthread_cond_t window_moved;
} pool;

/* With the lock held: prints the outcomes that are next in order and done, the lock released
 * around each print. */
static void print_ready(pool *p)
{
    size_t before = p->printed;

    p->printing = 1;
    while (p->printed < p->a->nfiles && p->outcomes[p->printed].done) {
        size_t i = p->printed;
        int status;
        pthread_mutex_unlock(&p->lock);
        status = print_outcome(p->a, i, &p->outcomes[i]);
        pthread_mutex_lock(&p->lock);
        p->rc = worse(p->rc, status);
        p->printed = i + 1;
    }
    p->printing = 0;
    if (p->printed != before)
        pthread_cond_broadcast(&p->window_moved);
}

static void *worker(void *arg)
{
    pool *p = arg;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        size_t i;
        while (p->next < p->a->nfiles && p->next >= p->printed + p->window)
            pthread_cond_wait(&p->window_moved, &p->lock);
        if (p->next == p->a->nfiles)
            break;
        i = p->next++;
        pthread_mutex_unlock(&p->lock);
        verify_file(p->a, p->ctx, p->a->files[i], &p->outcomes[i]);
        pthread_mutex_lock(&p->lock);
        p->outcomes[i].done = 1;
        if (!p->printing)
            print_ready(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Returns the worst status, or -1 when no worker thread could start. */
static int verify_parallel(const verify_args *a, lsign_ctx *ctx)
{
    pool p = {a,
              ctx,
              calloc(a->nfiles, sizeof(outcome)),
              0,
              0,
              (size_t)a->jobs * WINDOW_PER_JOB,
              0,
              CLI_EXIT_OK,
              PTHREAD_MUTEX_INITIALIZER,
              PTHREAD_COND_INITIALIZER};
    pthread_t threads[CLI_MAX_JOBS];
    unsigned int started = 0;

    if (p.outcomes == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_INPUT;
    }
    while (started + 1 < a->jobs && pthread_create(&threads[started], NULL, worker, &p) == 0)
        started++;
    if (started == 0) { /* no other thread: the caller verifies one by one */
        free(p.outcomes);
        return -1;
    }
    (void)worker(&p);
    for (unsigned int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    free(p.outcomes);
    return p.rc;
}

static int verify_sequential(const verify_args *a, lsign_ctx *ctx)
{
    int rc = CLI_EXIT_OK;

    for (size_t i = 0; i < a->nfiles; i++) {
        outcome o = {0};

        verify_file(a, ctx, a->files[i], &o);
        rc = worse(rc, print_outcome(a, i, &o));
    }
    return rc;
}

int cli_cmd_verify(int argc, char *argv[])
{
    verify_args a;
    lsign_ctx *ctx = NULL;
    int rc;

    memset(&a, 0, sizeof a);
    a.lang = LSIGN_LANG_VI;
    a.jobs = 1;
    rc = parse(&a, argc, argv);
    if (rc < 0) {
        cli_verify_help();
        return CLI_EXIT_OK;
    }
    if (rc == CLI_EXIT_OK)
        rc = make_ctx(&a, &ctx);
    if (rc == CLI_EXIT_OK) {
        int parallel = a.jobs > 1 && a.nfiles > 1 ? verify_parallel(&a, ctx) : -1;
        rc = parallel >= 0 ? parallel : verify_sequential(&a, ctx);
    }
    lsign_ctx_free(ctx);
    return rc;
}
