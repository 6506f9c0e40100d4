#include "core/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

#define PIPE_INPUT_MAX ((uint64_t)4 << 30)

struct lsign_input {
    lsi_input in;
    int has_file; /* dev/ino identify the file read */
    dev_t dev;
    ino_t ino;
};

enum { TO_PATH, TO_FD, TO_MEMORY };

struct lsign_output {
    int kind;
    char *path;
    int fd;
    unsigned char *result; /* TO_MEMORY: the last result */
    size_t result_len;
};

static lsign_input *input_new(void)
{
    lsign_input *in = calloc(1, sizeof *in);

    if (in == NULL)
        lsi_error_nomem();
    return in;
}

static void remember_file(lsign_input *in, const struct stat *st)
{
    if (S_ISREG(st->st_mode)) {
        in->has_file = 1;
        in->dev = st->st_dev;
        in->ino = st->st_ino;
    }
}

int lsign_input_from_path(lsign_input **out, const char *path)
{
    lsign_input *in;
    struct stat st;
    int rc;

    if (out == NULL || path == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_input_from_path: NULL argument");
    *out = NULL;
    if ((in = input_new()) == NULL)
        return LSIGN_E_NOMEM;
    if ((rc = lsi_input_open_file(path, &in->in, &st)) != LSIGN_OK) {
        free(in);
        return rc;
    }
    remember_file(in, &st);
    *out = in;
    return LSIGN_OK;
}

int lsign_input_from_fd(lsign_input **out, int fd)
{
    lsign_input *in;
    struct stat st;
    int rc;

    if (out == NULL || fd < 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_input_from_fd: NULL or negative argument");
    *out = NULL;
    if ((in = input_new()) == NULL)
        return LSIGN_E_NOMEM;
    if ((rc = lsi_input_open_fd(fd, PIPE_INPUT_MAX, &in->in)) != LSIGN_OK) {
        free(in);
        return rc;
    }
    if (fstat(fd, &st) == 0)
        remember_file(in, &st);
    *out = in;
    return LSIGN_OK;
}

int lsign_input_from_memory(lsign_input **out, const void *data, size_t len)
{
    lsign_input *in;

    if (out == NULL || (data == NULL && len > 0))
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_input_from_memory: NULL argument");
    *out = NULL;
    if (len == 0)
        return lsi_error(LSIGN_E_PARSE, "the input is empty");
    if ((in = input_new()) == NULL)
        return LSIGN_E_NOMEM;
    lsi_input_from_memory(data, len, &in->in);
    *out = in;
    return LSIGN_OK;
}

void lsign_input_free(lsign_input *in)
{
    if (in == NULL)
        return;
    lsi_input_close(&in->in);
    free(in);
}

const lsi_input *lsi_input_of(const lsign_input *in)
{
    return &in->in;
}

int lsi_input_is_xml(const lsi_input *in)
{
    size_t i = in->len >= 3 && memcmp(in->data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

    while (i < in->len && (in->data[i] == ' ' || in->data[i] == '\t' || in->data[i] == '\r' ||
                           in->data[i] == '\n'))
        i++;
    return i < in->len && in->data[i] == '<';
}

int lsign_input_is_xml(const lsign_input *in)
{
    return in != NULL && lsi_input_is_xml(&in->in);
}

static int output_new(lsign_output **out, int kind)
{
    if (out == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_output: NULL argument");
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return lsi_error_nomem();
    (*out)->kind = kind;
    (*out)->fd = -1;
    return LSIGN_OK;
}

int lsign_output_to_path(lsign_output **out, const char *path)
{
    int rc;

    if (path == NULL || *path == '\0')
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_output_to_path: no path");
    if ((rc = output_new(out, TO_PATH)) != LSIGN_OK)
        return rc;
    if (((*out)->path = strdup(path)) == NULL) {
        lsign_output_free(*out);
        *out = NULL;
        return lsi_error_nomem();
    }
    return LSIGN_OK;
}

int lsign_output_to_fd(lsign_output **out, int fd)
{
    int rc, fl;

    if (out != NULL)
        *out = NULL;
    if (fd < 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_output_to_fd: negative descriptor");
    if ((fl = fcntl(fd, F_GETFL)) < 0)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_output_to_fd: descriptor %d: %s", fd,
                         strerror(errno));
    /* pwrite() on an O_APPEND file appends: filling in the signature would corrupt it. */
    if (fl & O_APPEND)
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "lsign_output_to_fd: descriptor %d is open for appending (O_APPEND); "
                         "open the output without it",
                         fd);
    if ((rc = output_new(out, TO_FD)) == LSIGN_OK)
        (*out)->fd = fd;
    return rc;
}

int lsign_output_to_memory(lsign_output **out)
{
    return output_new(out, TO_MEMORY);
}

int lsign_output_memory(const lsign_output *out, const unsigned char **data, size_t *len)
{
    if (out == NULL || data == NULL || len == NULL || out->kind != TO_MEMORY)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_output_memory: not a memory output");
    if (out->result == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_output_memory: no result yet");
    *data = out->result;
    *len = out->result_len;
    return LSIGN_OK;
}

void lsign_output_free(lsign_output *out)
{
    if (out == NULL)
        return;
    free(out->path);
    free(out->result);
    free(out);
}

/* 1 when the output would overwrite the file the input reads. */
static int is_input_file(const lsign_output *out, const lsign_input *in)
{
    struct stat st;
    int found;

    if (!in->has_file || out->kind == TO_MEMORY)
        return 0;
    found = out->kind == TO_PATH ? stat(out->path, &st) == 0 : fstat(out->fd, &st) == 0;
    return found && st.st_dev == in->dev && st.st_ino == in->ino;
}

static int is_pipe(int fd)
{
    return lseek(fd, 0, SEEK_CUR) < 0 && errno == ESPIPE;
}

int lsi_stream_begin(lsign_output *out, const lsign_input *in, lsi_output **o)
{
    *o = NULL;
    if (out == NULL || in == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "no input or no output");
    if (is_input_file(out, in))
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "the output is the input file; write to another file (the input is "
                         "never changed)");
    if (out->kind == TO_PATH)
        return lsi_output_to_path(out->path, o);
    if (out->kind == TO_FD && !is_pipe(out->fd))
        return lsi_output_to_fd(out->fd, o);
    return lsi_output_to_memory(o);
}

/* Writes a memory result to the pipe it was meant for. */
static int drain_to_pipe(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return lsi_error(LSIGN_E_IO, "cannot write the output: %s",
                             n < 0 ? strerror(errno) : "no space");
        p += n;
        len -= (size_t)n;
    }
    return LSIGN_OK;
}

int lsi_stream_finish(lsign_output *out, lsi_output *o, int rc)
{
    unsigned char *mem;
    size_t len;

    if (rc == LSIGN_OK)
        rc = lsi_output_commit(o);
    if (rc == LSIGN_OK && (out->kind == TO_MEMORY || (out->kind == TO_FD && is_pipe(out->fd)))) {
        mem = lsi_output_take_memory(o, &len);
        if (out->kind == TO_FD) {
            rc = drain_to_pipe(out->fd, mem, len);
            free(mem);
        } else {
            free(out->result);
            out->result = mem;
            out->result_len = len;
        }
    }
    lsi_output_free(o);
    return rc;
}
