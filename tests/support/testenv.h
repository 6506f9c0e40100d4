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

#endif
