/* Batches of `libsign sign` (see batch.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libsign/libsign.h"

#include "batch.h"
#include "cli.h"

#define PROGRESS_WIDTH 20

/* What the workers share; everything below `lock` is guarded by it. */
typedef struct run {
    cli_batch_item *items;
    size_t count;
    const cli_batch_options *o;
    cli_batch_fn fn;
    void *userdata;
    int journal_fd;     /* -1: none */
    int progress;       /* draw a progress line (stderr is a terminal) */
    struct timespec t0; /* when the first file started */
    pthread_mutex_t lock;
    size_t next, done, signed_count, failed, skipped;
    int first_failure;
} run;

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One journal line: time, event, input, output, detail; tabs and newlines in them become spaces. */
static void journal(const run *r, const char *event, const char *input, const char *output,
                    const char *detail)
{
    const char *fields[4] = {event, input, output, detail != NULL ? detail : ""};
    char line[4096];
    time_t now = time(NULL);
    struct tm tm;
    size_t n;

    if (r->journal_fd < 0)
        return;
    gmtime_r(&now, &tm);
    n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ", &tm);
    for (size_t k = 0; k < 4; k++) {
        line[n++] = '\t';
        for (const char *p = fields[k]; *p != '\0' && n < sizeof line - 2; p++)
            line[n++] = *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p;
    }
    line[n++] = '\n';
    /* One write() per line on an O_APPEND descriptor: lines never interleave, and the workers
     * need no lock to write them. */
    if (write(r->journal_fd, line, n) < 0)
        return;
}

static void draw_progress(const run *r)
{
    char bar[PROGRESS_WIDTH + 1];
    double elapsed = seconds_since(&r->t0), rate = elapsed > 0 ? (double)r->done / elapsed : 0;
    size_t filled = r->count > 0 ? r->done * PROGRESS_WIDTH / r->count : PROGRESS_WIDTH;
    unsigned long eta = rate > 0 ? (unsigned long)((double)(r->count - r->done) / rate) : 0;

    for (size_t i = 0; i < PROGRESS_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[PROGRESS_WIDTH] = 0;
    fprintf(stderr, "\r[%s] %zu/%zu %.1f/s ETA %lum%02lus\033[K", bar, r->done, r->count, rate,
            eta / 60, eta % 60);
    fflush(stderr);
}

/* Records the outcome of item i and tells the user; called with the lock held. */
static const char *event_of(const cli_batch_item *it)
{
    return it->result == CLI_SIGNED ? "signed" : it->result == CLI_FAILED ? "failed" : "skipped";
}

/* With r->lock held: counts item i and tells the terminal (its journal line is written). */
static void report(run *r, size_t i)
{
    cli_batch_item *it = &r->items[i];
    const char *event = event_of(it);

    r->done++;
    if (it->result == CLI_SIGNED)
        r->signed_count++;
    else if (it->result == CLI_SKIPPED)
        r->skipped++;
    else if (r->failed++ == 0)
        r->first_failure = cli_exit_for(it->status);
    if (r->progress)
        fputs("\r\033[K", stderr);
    if (it->result == CLI_FAILED)
        cli_error("%s: %s", it->input, it->error != NULL ? it->error : "failed");
    else if (!r->o->quiet && !r->progress)
        fprintf(stderr, "%s %s -> %s\n", event, it->input, it->output);
    if (r->progress)
        draw_progress(r);
}

/*
 * --resume: the temporary files a killed run left beside `output`
 * ("<dir>/.<name>.lsign-<random>", as the library names them) are removed,
 * so nothing partial survives. A batch being resumed owns its outputs: no
 * other run may be writing them.
 */
static void remove_stale_temporaries(run *r, const cli_batch_item *it)
{
    const char *slash = strrchr(it->output, '/');
    const char *base = slash != NULL ? slash + 1 : it->output;
    char dir[4096], prefix[1024], path[8192];
    size_t prefix_len;
    DIR *d;
    struct dirent *e;

    snprintf(dir, sizeof dir, "%.*s", slash != NULL ? (int)(slash - it->output) : 1,
             slash != NULL ? it->output : ".");
    if (slash == it->output)
        snprintf(dir, sizeof dir, "/");
    prefix_len = (size_t)snprintf(prefix, sizeof prefix, ".%s.lsign-", base);
    if (prefix_len >= sizeof prefix || (d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, prefix_len) == 0 &&
            (size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path &&
            unlink(path) == 0) {
            pthread_mutex_lock(&r->lock);
            journal(r, "removed", it->input, path, "a temporary file left by an interrupted run");
            pthread_mutex_unlock(&r->lock);
        }
    closedir(d);
}

static void fail(cli_batch_item *it, int status, const char *message)
{
    it->result = CLI_FAILED;
    it->status = status;
    it->error = strdup(message);
}

/* Does item i: skipped or refused when its output exists, else the work function. */
static void one(run *r, size_t i)
{
    cli_batch_item *it = &r->items[i];
    struct stat st;
    int exists = strcmp(it->output, "-") != 0 && stat(it->output, &st) == 0;
    int rc;

    if (r->o->resume && strcmp(it->output, "-") != 0)
        remove_stale_temporaries(r, it);
    if (exists && r->o->resume) {
        it->result = CLI_SKIPPED;
        return;
    }
    if (exists && !r->o->force) {
        fail(it, LSIGN_E_IO, "the output exists (--force overwrites it, --resume skips it)");
        return;
    }
    journal(r, "start", it->input, it->output, NULL); /* needs no lock: see journal() */
    rc = r->fn(r->userdata, i);
    if (rc == LSIGN_OK)
        it->result = CLI_SIGNED;
    else
        fail(it, rc, lsign_last_error());
}

static void *worker(void *arg)
{
    run *r = arg;

    for (;;) {
        size_t i;
        pthread_mutex_lock(&r->lock);
        i = r->next < r->count ? r->next++ : SIZE_MAX;
        pthread_mutex_unlock(&r->lock);
        if (i == SIZE_MAX)
            return NULL;
        one(r, i);
        journal(r, event_of(&r->items[i]), r->items[i].input, r->items[i].output,
                r->items[i].error);
        pthread_mutex_lock(&r->lock);
        report(r, i);
        pthread_mutex_unlock(&r->lock);
    }
}

static void print_json(const run *r)
{
    printf("{\"signed\": %zu, \"failed\": %zu, \"skipped\": %zu, \"files\": [", r->signed_count,
           r->failed, r->skipped);
    for (size_t i = 0; i < r->count; i++) {
        const cli_batch_item *it = &r->items[i];
        printf("%s{\"input\": ", i > 0 ? ", " : "");
        cli_json_string(stdout, it->input);
        fputs(", \"output\": ", stdout);
        cli_json_string(stdout, it->output);
        printf(", \"result\": \"%s\", \"error\": ", it->result == CLI_SIGNED    ? "signed"
                                                    : it->result == CLI_SKIPPED ? "skipped"
                                                                                : "failed");
        cli_json_string(stdout, it->result == CLI_FAILED ? it->error : NULL);
        fputs("}", stdout);
    }
    puts("]}");
}

static void summary(run *r)
{
    char totals[128];

    snprintf(totals, sizeof totals, "signed=%zu failed=%zu skipped=%zu", r->signed_count, r->failed,
             r->skipped);
    journal(r, "end", "", "", totals);
    if (r->progress)
        fputc('\n', stderr);
    if (r->o->json)
        print_json(r);
    if (r->count > 1 && (!r->o->quiet || r->failed > 0))
        fprintf(stderr, "%s: %zu signed, %zu failed, %zu skipped\n", CLI_NAME, r->signed_count,
                r->failed, r->skipped);
}

static void start_workers(run *r)
{
    unsigned int jobs = r->o->jobs < r->count ? r->o->jobs : (unsigned int)r->count;
    pthread_t threads[64];
    unsigned int started = 0;

    for (; started + 1 < jobs && started < 64; started++)
        if (pthread_create(&threads[started], NULL, worker, r) != 0)
            break;
    worker(r); /* this thread works too */
    for (unsigned int k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
}

int cli_batch_run(cli_batch_item *items, size_t count, const cli_batch_options *o, cli_batch_fn fn,
                  void *userdata)
{
    run r;
    char files[32], detail[32];

    memset(&r, 0, sizeof r);
    r.items = items;
    r.count = count;
    r.o = o;
    r.fn = fn;
    r.userdata = userdata;
    r.journal_fd = -1;
    r.progress = !o->quiet && isatty(2);
    if (o->journal != NULL &&
        (r.journal_fd = open(o->journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        cli_error("cannot open the journal '%s': %s", o->journal, strerror(errno));
        return CLI_EXIT_INPUT;
    }
    pthread_mutex_init(&r.lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &r.t0);
    snprintf(files, sizeof files, "%zu", count);
    snprintf(detail, sizeof detail, "jobs=%u%s", o->jobs, o->resume ? " resume" : "");
    journal(&r, "batch", files, "", detail);
    if (r.progress)
        draw_progress(&r);
    start_workers(&r);
    summary(&r);
    pthread_mutex_destroy(&r.lock);
    if (r.journal_fd >= 0)
        close(r.journal_fd);
    return cli_batch_exit(r.signed_count + r.skipped, r.failed, r.first_failure);
}

void cli_batch_free_errors(cli_batch_item *items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(items[i].error);
        items[i].error = NULL;
    }
}
