/* MADV_DONTNEED is outside POSIX.1-2008. */
#define _DEFAULT_SOURCE
#include "core/io.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/error.h"

/* The inputs mapped now, so that lsi_input_release() only ever touches our own mappings. */
#define MAX_MAPPINGS 64
static struct mapping {
    const unsigned char *base;
    size_t len;
} mappings[MAX_MAPPINGS];
static pthread_mutex_t mappings_lock = PTHREAD_MUTEX_INITIALIZER;

static void mapping_track(const void *base, size_t len, int add)
{
    pthread_mutex_lock(&mappings_lock);
    for (size_t i = 0; i < MAX_MAPPINGS; i++) {
        if (add && mappings[i].base == NULL) {
            mappings[i].base = base;
            mappings[i].len = len;
            break;
        }
        if (!add && mappings[i].base == base) {
            mappings[i].base = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&mappings_lock);
}

void lsi_input_release(const void *p, size_t len)
{
    const unsigned char *q = p;
    long page = sysconf(_SC_PAGESIZE);
    int ours = 0;

    pthread_mutex_lock(&mappings_lock);
    for (size_t i = 0; i < MAX_MAPPINGS && !ours; i++)
        ours = mappings[i].base != NULL && q >= mappings[i].base && len <= mappings[i].len &&
               q - mappings[i].base <= (ptrdiff_t)(mappings[i].len - len);
    pthread_mutex_unlock(&mappings_lock);
    if (ours && page > 0) {
        /* Whole pages inside the range only: a read-only private mapping refills them on demand. */
        uintptr_t start = ((uintptr_t)q + (uintptr_t)page - 1) / (uintptr_t)page * (uintptr_t)page;
        uintptr_t end = ((uintptr_t)q + len) / (uintptr_t)page * (uintptr_t)page;
        if (end > start)
            (void)madvise((void *)start, end - start, MADV_DONTNEED);
    }
}

/* Files up to this size are read rather than mapped: for a small file, mmap, its page faults
 * and munmap (a TLB shootdown across the cores of a multi-threaded batch) cost more than the
 * copy. Larger files are mapped, so that their size does not become resident memory. */
#define READ_NOT_MAP_MAX (1u << 20)

/* Reads or maps the `len` bytes of the regular file `fd`; errors name `path`, or else `fd`. */
static int load_regular(int fd, size_t len, const char *path, lsi_input *in)
{
    unsigned char *buf;
    void *map;
    size_t got = 0;

    if (len > READ_NOT_MAP_MAX) {
        if ((map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
            return path
                       ? lsi_error(LSIGN_E_IO, "cannot map '%s': %s", path, strerror(errno))
                       : lsi_error(LSIGN_E_IO, "cannot map descriptor %d: %s", fd, strerror(errno));
        in->data = in->mapping = map;
        in->len = len;
        mapping_track(map, len, 1);
        return LSIGN_OK;
    }
    if ((buf = malloc(len)) == NULL)
        return lsi_error_nomem();
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? errno : 0;
            free(buf);
            if (path)
                return lsi_error(LSIGN_E_IO, "cannot read '%s': %s", path,
                                 err ? strerror(err) : "it shrank while being read");
            return lsi_error(LSIGN_E_IO, "cannot read descriptor %d: %s", fd,
                             err ? strerror(err) : "the file shrank while being read");
        }
        got += (size_t)n;
    }
    in->data = in->owned = buf;
    in->len = len;
    return LSIGN_OK;
}

int lsi_input_open_file(const char *path, lsi_input *in, struct stat *st_out)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

    memset(in, 0, sizeof *in);
    if (fd < 0)
        return lsi_error(LSIGN_E_IO, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return lsi_error(LSIGN_E_IO, "'%s' is not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return lsi_error(LSIGN_E_PARSE, "'%s' is empty", path);
    }
    rc = load_regular(fd, (size_t)st.st_size, path, in);
    close(fd);
    if (rc == LSIGN_OK && st_out != NULL)
        *st_out = st;
    return rc;
}

/* Reads a pipe or socket to its end into in->owned, at most `max_bytes`. */
static int read_stream(int fd, uint64_t max_bytes, lsi_input *in)
{
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;

    for (;;) {
        ssize_t n;
        if (len == cap) {
            size_t grown_cap = cap ? cap * 2 : 65536;
            unsigned char *grown;
            if (cap > max_bytes) {
                free(buf);
                return lsi_error(LSIGN_E_LIMIT, "input larger than %llu bytes",
                                 (unsigned long long)max_bytes);
            }
            if ((grown = realloc(buf, grown_cap)) == NULL) {
                free(buf);
                return lsi_error_nomem();
            }
            buf = grown;
            cap = grown_cap;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            return lsi_error(LSIGN_E_IO, "cannot read the input: %s", strerror(errno));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > max_bytes || len == 0) {
        free(buf);
        return len == 0 ? lsi_error(LSIGN_E_PARSE, "the input is empty")
                        : lsi_error(LSIGN_E_LIMIT, "input larger than %llu bytes",
                                    (unsigned long long)max_bytes);
    }
    in->data = in->owned = buf;
    in->len = len;
    return LSIGN_OK;
}

int lsi_input_open_fd(int fd, uint64_t max_bytes, lsi_input *in)
{
    struct stat st;

    memset(in, 0, sizeof *in);
    if (fstat(fd, &st) != 0)
        return lsi_error(LSIGN_E_IO, "bad input descriptor %d: %s", fd, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return read_stream(fd, max_bytes, in);
    if (st.st_size == 0)
        return lsi_error(LSIGN_E_PARSE, "the input file (descriptor %d) is empty", fd);
    return load_regular(fd, (size_t)st.st_size, NULL, in);
}

void lsi_input_from_memory(const void *data, size_t len, lsi_input *in)
{
    memset(in, 0, sizeof *in);
    in->data = data;
    in->len = len;
}

void lsi_input_close(lsi_input *in)
{
    if (in->mapping != NULL) {
        mapping_track(in->mapping, in->len, 0);
        munmap(in->mapping, in->len);
    }
    free(in->owned);
    memset(in, 0, sizeof *in);
}

enum output_kind { OUT_PATH, OUT_FD, OUT_MEMORY };

struct lsi_output {
    enum output_kind kind;
    int fd;
    off_t base;   /* fd position of the first byte written */
    char *target; /* OUT_PATH: final path */
    char *temp;   /* OUT_PATH: temporary file, removed unless committed */
    unsigned char *mem;
    size_t mem_cap;
    uint64_t size;
    int committed;
    lsi_output_tap_fn tap;
    void *tap_data;
    int capturing;
    uint64_t capture_start;
    unsigned char *captured; /* not for OUT_MEMORY, whose buffer is the copy */
    size_t captured_len, captured_cap;
    unsigned char *wbuf; /* files: bytes written but not yet given to the descriptor */
    size_t wbuf_len;
};

static lsi_output *output_new(enum output_kind kind, int fd)
{
    lsi_output *out = calloc(1, sizeof *out);

    if (out == NULL) {
        lsi_error_nomem();
        return NULL;
    }
    out->kind = kind;
    out->fd = fd;
    return out;
}

/* "<dir>/.<name>.lsign-<random>" beside the target, so that rename() stays in one file system. */
static char *temp_name_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    size_t size = strlen(path) + 32;
    unsigned char rnd[6];
    char *temp = malloc(size);

    if (temp != NULL && RAND_bytes(rnd, sizeof rnd) == 1)
        snprintf(temp, size, "%.*s.%s.lsign-%02x%02x%02x%02x%02x%02x", (int)dir_len, path,
                 path + dir_len, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
    else if (temp != NULL)
        snprintf(temp, size, "%.*s.%s.lsign-%ld", (int)dir_len, path, path + dir_len,
                 (long)getpid());
    return temp;
}

/* Creates the temporary file: O_EXCL against collisions, mode 0666 so the umask applies. */
static int create_temp(lsi_output *o)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        free(o->temp);
        o->temp = temp_name_for(o->target);
        if (o->temp == NULL)
            return lsi_error_nomem();
        o->fd = open(o->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (o->fd >= 0)
            return LSIGN_OK;
        if (errno != EEXIST)
            break;
    }
    free(o->temp);
    o->temp = NULL;
    return lsi_error(LSIGN_E_IO, "cannot create a file beside '%s': %s", o->target,
                     strerror(errno));
}

int lsi_output_to_path(const char *path, lsi_output **out)
{
    lsi_output *o = output_new(OUT_PATH, -1);
    int rc;

    *out = NULL;
    if (o == NULL)
        return LSIGN_E_NOMEM;
    o->target = strdup(path);
    rc = o->target != NULL ? create_temp(o) : lsi_error_nomem();
    if (rc != LSIGN_OK) {
        lsi_output_free(o);
        return rc;
    }
    *out = o;
    return LSIGN_OK;
}

int lsi_output_to_fd(int fd, lsi_output **out)
{
    lsi_output *o = output_new(OUT_FD, fd);

    *out = o;
    if (o == NULL)
        return LSIGN_E_NOMEM;
    o->base = lseek(fd, 0, SEEK_CUR); /* -1 for pipes: then patching is refused */
    return LSIGN_OK;
}

int lsi_output_to_memory(lsi_output **out)
{
    *out = output_new(OUT_MEMORY, -1);
    return *out != NULL ? LSIGN_OK : LSIGN_E_NOMEM;
}

/* Writes everything, at `at` (pwrite) or, when `at` < 0, at the current position. */
static int write_all(int fd, const unsigned char *p, size_t len, off_t at)
{
    while (len > 0) {
        ssize_t n = at >= 0 ? pwrite(fd, p, len, at) : write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return lsi_error(LSIGN_E_IO, "write failed: %s", n < 0 ? strerror(errno) : "no space");
        p += n;
        len -= (size_t)n;
        if (at >= 0)
            at += n;
    }
    return LSIGN_OK;
}

static int write_memory(lsi_output *o, const void *data, size_t len)
{
    if (len > SIZE_MAX - o->size)
        return lsi_error(LSIGN_E_LIMIT, "output larger than memory can address");
    if (o->size + len > o->mem_cap) {
        size_t cap = o->mem_cap ? o->mem_cap : 65536;
        unsigned char *grown;
        while (cap < o->size + len)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        grown = realloc(o->mem, cap);
        if (grown == NULL)
            return lsi_error_nomem();
        o->mem = grown;
        o->mem_cap = cap;
    }
    memcpy(o->mem + o->size, data, len);
    return LSIGN_OK;
}

static int capture_append(lsi_output *o, const void *data, size_t len)
{
    if (!o->capturing || o->kind == OUT_MEMORY)
        return LSIGN_OK;
    if (len > SIZE_MAX - o->captured_len)
        return lsi_error(LSIGN_E_LIMIT, "captured output larger than memory can address");
    while (o->captured_len + len > o->captured_cap) {
        size_t cap = o->captured_cap ? o->captured_cap * 2 : 65536;
        unsigned char *grown = realloc(o->captured, cap);
        if (grown == NULL)
            return lsi_error_nomem();
        o->captured = grown;
        o->captured_cap = cap;
    }
    memcpy(o->captured + o->captured_len, data, len);
    o->captured_len += len;
    return LSIGN_OK;
}

/* Writes to files go through one buffer: a PDF update is written as many small pieces, and a
 * signature's patches (/ByteRange, /Contents) land in the buffer when it still holds their
 * bytes, so that a small signed file is written with a single write. */
#define WRITE_BUFFER ((size_t)1 << 20)

int lsi_output_flush(lsi_output *o)
{
    size_t n = o->wbuf_len;

    o->wbuf_len = 0;
    return n > 0 ? write_all(o->fd, o->wbuf, n, -1) : LSIGN_OK;
}

static int write_file(lsi_output *o, const unsigned char *data, size_t len)
{
    if (o->wbuf_len + len > WRITE_BUFFER) {
        int rc = lsi_output_flush(o);
        if (rc != LSIGN_OK || len >= WRITE_BUFFER)
            return rc != LSIGN_OK ? rc : write_all(o->fd, data, len, -1);
    }
    if (o->wbuf == NULL && (o->wbuf = malloc(WRITE_BUFFER)) == NULL)
        return lsi_error_nomem();
    memcpy(o->wbuf + o->wbuf_len, data, len);
    o->wbuf_len += len;
    return LSIGN_OK;
}

int lsi_output_write(lsi_output *o, const void *data, size_t len)
{
    int rc = o->tap != NULL ? o->tap(o->tap_data, data, len) : LSIGN_OK;

    if (rc == LSIGN_OK)
        rc = capture_append(o, data, len);
    if (rc == LSIGN_OK)
        rc = o->kind == OUT_MEMORY ? write_memory(o, data, len) : write_file(o, data, len);
    if (rc == LSIGN_OK)
        o->size += len;
    return rc;
}

void lsi_output_set_tap(lsi_output *o, lsi_output_tap_fn tap, void *userdata)
{
    o->tap = tap;
    o->tap_data = userdata;
}

int lsi_output_capture(lsi_output *o)
{
    o->capturing = 1;
    o->capture_start = o->size;
    o->captured_len = 0;
    return LSIGN_OK;
}

const unsigned char *lsi_output_captured(const lsi_output *o, uint64_t *offset, size_t *len)
{
    *offset = o->capture_start;
    if (!o->capturing) {
        *len = 0;
        return NULL;
    }
    if (o->kind == OUT_MEMORY) {
        *len = (size_t)(o->size - o->capture_start);
        return o->mem + o->capture_start;
    }
    *len = o->captured_len;
    return o->captured;
}

int lsi_output_can_patch(const lsi_output *o)
{
    return o->kind != OUT_FD || o->base >= 0;
}

#define COPY_CHUNK ((size_t)4 << 20)

int lsi_output_copy_input(lsi_output *o, const lsi_input *in, size_t offset, size_t len)
{
    if (offset > in->len || len > in->len - offset)
        return lsi_error(LSIGN_E_INVALID_ARG, "copy beyond the end of the input");
    while (len > 0) {
        size_t n = len < COPY_CHUNK ? len : COPY_CHUNK;
        int rc = lsi_output_write(o, in->data + offset, n);

        if (rc != LSIGN_OK)
            return rc;
        lsi_input_release(in->data + offset, n);
        offset += n;
        len -= n;
    }
    return LSIGN_OK;
}

uint64_t lsi_output_size(const lsi_output *o)
{
    return o->size;
}

int lsi_output_patch(lsi_output *o, uint64_t offset, const void *data, size_t len)
{
    int rc;

    if (offset > o->size || len > o->size - offset)
        return lsi_error(LSIGN_E_INVALID_ARG, "patch beyond the %llu bytes written",
                         (unsigned long long)o->size);
    if (o->kind == OUT_MEMORY) {
        memcpy(o->mem + offset, data, len);
        return LSIGN_OK;
    }
    if (o->capturing && offset + len > o->capture_start) {
        /* Keep the copy in step (only the part written since the capture started). */
        uint64_t from = offset > o->capture_start ? offset : o->capture_start;
        size_t skip = (size_t)(from - offset);
        memcpy(o->captured + (from - o->capture_start), (const unsigned char *)data + skip,
               len - skip);
    }
    if (o->base < 0)
        return lsi_error(LSIGN_E_UNSUPPORTED, "the output cannot seek (a pipe?): write to a file");
    if (offset >= o->size - o->wbuf_len) { /* still in the buffer */
        memcpy(o->wbuf + (offset - (o->size - o->wbuf_len)), data, len);
        return LSIGN_OK;
    }
    rc = lsi_output_flush(o);
    return rc != LSIGN_OK ? rc : write_all(o->fd, data, len, o->base + (off_t)offset);
}

int lsi_output_commit(lsi_output *o)
{
    if (o->kind == OUT_MEMORY)
        return LSIGN_OK;
    if (lsi_output_flush(o) != LSIGN_OK)
        return lsign_last_error_code();
    /* Pipes and terminals cannot fsync (EINVAL); that is not a failure to report. */
    if (fsync(o->fd) != 0 && errno != EINVAL && errno != EROFS)
        return lsi_error(LSIGN_E_IO, "cannot flush the output to disk: %s", strerror(errno));
    if (o->kind == OUT_PATH) {
        if (close(o->fd) != 0) {
            o->fd = -1;
            return lsi_error(LSIGN_E_IO, "cannot write '%s': %s", o->target, strerror(errno));
        }
        o->fd = -1;
        if (rename(o->temp, o->target) != 0)
            return lsi_error(LSIGN_E_IO, "cannot create '%s': %s", o->target, strerror(errno));
    }
    o->committed = 1;
    return LSIGN_OK;
}

unsigned char *lsi_output_take_memory(lsi_output *o, size_t *len)
{
    unsigned char *mem = o->mem;

    *len = (size_t)o->size;
    o->mem = NULL;
    o->mem_cap = 0;
    o->size = 0;
    return mem;
}

/* An abandoned output to a regular file's descriptor is cut back to where it started. */
static void truncate_abandoned_fd(const lsi_output *o)
{
    struct stat st;

    if (o->base < 0 || o->size == 0 || fstat(o->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    if (ftruncate(o->fd, o->base) == 0)
        (void)lseek(o->fd, o->base, SEEK_SET);
}

void lsi_output_free(lsi_output *o)
{
    if (o == NULL)
        return;
    if (o->kind == OUT_FD && !o->committed)
        truncate_abandoned_fd(o);
    if (o->kind == OUT_PATH) {
        if (o->fd >= 0)
            close(o->fd);
        if (!o->committed && o->temp != NULL)
            unlink(o->temp);
    }
    free(o->target);
    free(o->temp);
    free(o->mem);
    free(o->captured);
    free(o->wbuf);
    free(o);
}

int lsi_temp_open(lsi_temp *t)
{
    memset(t, 0, sizeof *t);
    if ((t->file = tmpfile()) == NULL)
        return lsi_error(LSIGN_E_IO, "cannot create a temporary file: %s", strerror(errno));
    return lsi_output_to_fd(fileno(t->file), &t->out);
}

int lsi_temp_input(lsi_temp *t, lsi_input *in)
{
    /* The bytes went to the descriptor, not through stdio: flushed, they can be mapped. */
    int rc = lsi_output_flush(t->out);

    return rc != LSIGN_OK ? rc : lsi_input_open_fd(fileno(t->file), UINT64_MAX, in);
}

void lsi_temp_close(lsi_temp *t)
{
    if (t->out != NULL) {
        t->out->committed = 1; /* a scratch file is never cut back: it is about to vanish */
        lsi_output_free(t->out);
    }
    if (t->file != NULL)
        fclose(t->file);
    memset(t, 0, sizeof *t);
}
