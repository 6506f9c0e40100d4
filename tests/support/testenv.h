/* Shared helpers for C tests: where the fixtures are, temporary files. */
#ifndef LSIGN_TEST_TESTENV_H
#define LSIGN_TEST_TESTENV_H

#include <stdio.h>
#include <stdlib.h>

/*
 * Path of `name` under the directory named by environment variable `var`
 * (set by ctest). Returns one of a few rotating static buffers, so several
 * paths can be used in one call. Aborts if the variable is missing: a
 * fixture that is not there must fail the test, not skip it.
 */
static inline const char *test_path(const char *var, const char *name)
{
    static char bufs[8][4096];
    static unsigned next;
    const char *dir = getenv(var);
    char *buf = bufs[next++ % 8];

    if (dir == NULL) {
        fprintf(stderr, "%s is not set: run this test through ctest\n", var);
        abort();
    }
    snprintf(buf, sizeof bufs[0], "%s/%s", dir, name);
    return buf;
}

#define PKI(name) test_path("LIBSIGN_TEST_PKI", name)

/* Writes `len` bytes to a new file at `path`; aborts on failure. */
static inline void test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        abort();
    }
}

/* The whole file at `path`, malloc'd and NUL-terminated (not counted in *len); aborts on failure.
 */
static inline unsigned char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n = -1;

    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0) {
        rewind(f);
        buf = malloc((size_t)n + 1);
    }
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        abort();
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/*
 * One temporary directory per test program: made by test_dir_create() (a
 * group setup), removed with its contents by test_dir_remove() (teardown).
 */
static char test_dir[] = "/tmp/lsign-test-XXXXXX";

static inline int test_dir_create(void)
{
    return mkdtemp(test_dir) == NULL;
}

static inline int test_dir_remove(void)
{
    char cmd[sizeof test_dir + 16];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
    return system(cmd);
}

/* `name` inside the test directory; a few rotating buffers, as test_path(). */
static inline const char *in_dir(const char *name)
{
    static char bufs[8][512];
    static unsigned next;
    char *buf = bufs[next++ % 8];

    snprintf(buf, sizeof bufs[0], "%s/%s", test_dir, name);
    return buf;
}

#endif
