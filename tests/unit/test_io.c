/* Inputs (mmap, memory) and outputs (atomic path, fd, memory, patching). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/io.h"
#include "libsign/libsign.h"
#include "support/testenv.h"

static int setup(void **state)
{
    (void)state;
    return test_dir_create();
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove();
}

/* Number of entries in the test folder: a failed output must leave no temporary file. */
static int files_in_dir(void)
{
    DIR *d = opendir(test_dir);
    struct dirent *e;
    int n = 0;

    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void test_input_file_and_errors(void **state)
{
    lsi_input in;

    (void)state;
    test_write_file(in_dir("a.pdf"), "%PDF-1.7\n", 9);
    assert_int_equal(lsi_input_open_file(in_dir("a.pdf"), &in, NULL), LSIGN_OK);
    assert_int_equal(in.len, 9);
    assert_memory_equal(in.data, "%PDF-1.7\n", 9);
    lsi_input_close(&in);
    assert_null(in.data);

    assert_int_equal(lsi_input_open_file(in_dir("missing.pdf"), &in, NULL), LSIGN_E_IO);
    assert_non_null(strstr(lsign_last_error(), "missing.pdf"));
    assert_int_equal(lsi_input_open_file(test_dir, &in, NULL), LSIGN_E_IO);
    assert_non_null(strstr(lsign_last_error(), "not a regular file"));
    test_write_file(in_dir("empty.pdf"), "", 0);
    assert_int_equal(lsi_input_open_file(in_dir("empty.pdf"), &in, NULL), LSIGN_E_PARSE);
}

/* Small files are read into memory, large ones mapped; both give the same bytes and status. */
static void test_input_read_or_mapped(void **state)
{
    const size_t sizes[] = {1u << 20, (1u << 20) + 1};
    struct stat st, expected;
    lsi_input in;

    (void)state;
    for (size_t k = 0; k < 2; k++) {
        unsigned char *bytes = malloc(sizes[k]);
        assert_non_null(bytes);
        for (size_t i = 0; i < sizes[k]; i++)
            bytes[i] = (unsigned char)(i * 7 + k);
        test_write_file(in_dir("sized.pdf"), (const char *)bytes, sizes[k]);
        assert_int_equal(stat(in_dir("sized.pdf"), &expected), 0);
        assert_int_equal(lsi_input_open_file(in_dir("sized.pdf"), &in, &st), LSIGN_OK);
        assert_int_equal(in.len, sizes[k]);
        assert_memory_equal(in.data, bytes, sizes[k]);
        assert_true(st.st_ino == expected.st_ino && st.st_dev == expected.st_dev);
        if (k == 0)
            assert_true(in.owned != NULL && in.mapping == NULL);
        else
            assert_true(in.mapping != NULL && in.owned == NULL);
        lsi_input_close(&in);
        free(bytes);
    }
}

/* lsign_input_is_xml: the first byte that is not blank, after a UTF-8 BOM, is '<'. */
static void test_input_is_xml(void **state)
{
    static const struct {
        const char *bytes;
        int xml;
    } cases[] = {
        {"<?xml version=\"1.0\"?><a/>", 1},
        {"\xEF\xBB\xBF<a/>", 1},
        {" \r\n\t<a/>", 1},
        {"%PDF-1.7\n", 0},
        {"\xEF\xBB\xBF%PDF", 0},
        {"   ", 0},
        {"-<a/>", 0},
        {"\xEF\xBB", 0},
    };
    lsign_input *in;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(lsign_input_from_memory(&in, cases[i].bytes, strlen(cases[i].bytes)),
                         LSIGN_OK);
        assert_int_equal(lsign_input_is_xml(in), cases[i].xml);
        lsign_input_free(in);
    }
    test_write_file(in_dir("doc.xml"), "\n<HDon/>", 8);
    assert_int_equal(lsign_input_from_path(&in, in_dir("doc.xml")), LSIGN_OK);
    assert_int_equal(lsign_input_is_xml(in), 1);
    lsign_input_free(in);
    assert_int_equal(lsign_input_is_xml(NULL), 0);
}

static void read_back(const char *path, char *buf, size_t size, size_t *len)
{
    FILE *f = fopen(path, "rb");

    assert_non_null(f);
    *len = fread(buf, 1, size, f);
    fclose(f);
}

static void test_path_output_is_atomic(void **state)
{
    lsi_output *out;
    char buf[64];
    size_t len;
    struct stat st;

    (void)state;
    test_write_file(in_dir("out.pdf"), "old contents", 12);
    assert_int_equal(lsi_output_to_path(in_dir("out.pdf"), &out), LSIGN_OK);
    assert_int_equal(lsi_output_write(out, "new [.......] end", 17), LSIGN_OK);
    assert_int_equal(lsi_output_patch(out, 5, "patched", 7), LSIGN_OK);
    /* Until commit, the target keeps its old contents. */
    read_back(in_dir("out.pdf"), buf, sizeof buf, &len);
    assert_int_equal(len, 12);
    assert_int_equal(lsi_output_size(out), 17);
    assert_int_equal(lsi_output_commit(out), LSIGN_OK);
    lsi_output_free(out);
    read_back(in_dir("out.pdf"), buf, sizeof buf, &len);
    assert_int_equal(len, 17);
    assert_memory_equal(buf, "new [patched] end", 17);
    assert_int_equal(stat(in_dir("out.pdf"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666 & ~(mode_t)022); /* ctest's umask is 022 */
}

/* Patches land right whether their bytes were already written, are still buffered, or both. */
static void test_path_output_patches_flushed_and_buffered(void **state)
{
    const size_t chunk = 700000, total = 3 * chunk;
    unsigned char *data = malloc(total), *back = malloc(total + 1);
    lsi_output *out;
    FILE *f;
    size_t len;

    (void)state;
    assert_non_null(data);
    assert_non_null(back);
    for (size_t i = 0; i < total; i++)
        data[i] = (unsigned char)('a' + i % 26);
    assert_int_equal(lsi_output_to_path(in_dir("big.pdf"), &out), LSIGN_OK);
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(lsi_output_write(out, data + k * chunk, chunk), LSIGN_OK);
    /* At the end (still buffered), at the start (written), and across the two. */
    const size_t at[] = {total - 8, 10, 2 * chunk - 3};
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(lsi_output_patch(out, at[k], "PATCHED!", 8), LSIGN_OK);
        memcpy(data + at[k], "PATCHED!", 8);
    }
    assert_int_equal(lsi_output_commit(out), LSIGN_OK);
    lsi_output_free(out);
    f = fopen(in_dir("big.pdf"), "rb");
    assert_non_null(f);
    len = fread(back, 1, total + 1, f);
    fclose(f);
    assert_int_equal(len, total);
    assert_memory_equal(back, data, total);
    free(data);
    free(back);
}

static void test_path_output_abandoned_leaves_nothing(void **state)
{
    lsi_output *out;
    int before;

    (void)state;
    before = files_in_dir();
    assert_int_equal(lsi_output_to_path(in_dir("never.pdf"), &out), LSIGN_OK);
    assert_int_equal(lsi_output_write(out, "half", 4), LSIGN_OK);
    assert_int_equal(files_in_dir(), before + 1); /* the temporary file */
    lsi_output_free(out);                         /* e.g. signing failed */
    assert_int_equal(files_in_dir(), before);
    assert_int_equal(access(in_dir("never.pdf"), F_OK), -1);

    assert_int_equal(lsi_output_to_path("/nonexistent-dir/x.pdf", &out), LSIGN_E_IO);
    assert_non_null(strstr(lsign_last_error(), "/nonexistent-dir/x.pdf"));
}

static void test_memory_and_fd_outputs(void **state)
{
    lsi_output *out;
    unsigned char *mem;
    size_t len;
    char buf[64];
    int fd, pipefd[2];

    (void)state;
    assert_int_equal(lsi_output_to_memory(&out), LSIGN_OK);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(lsi_output_write(out, "0123456789", 10), LSIGN_OK);
    assert_int_equal(lsi_output_patch(out, 99990, "abcdefghij", 10), LSIGN_OK);
    assert_int_equal(lsi_output_patch(out, 99995, "abcdefghij", 10), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_output_commit(out), LSIGN_OK);
    mem = lsi_output_take_memory(out, &len);
    lsi_output_free(out);
    assert_int_equal(len, 100000);
    assert_memory_equal(mem + 99990, "abcdefghij", 10);
    free(mem);

    /* An fd output starts where the descriptor stands. */
    fd = open(in_dir("fd.pdf"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(write(fd, "HEAD", 4), 4);
    assert_int_equal(lsi_output_to_fd(fd, &out), LSIGN_OK);
    assert_int_equal(lsi_output_write(out, "body", 4), LSIGN_OK);
    assert_int_equal(lsi_output_patch(out, 0, "BO", 2), LSIGN_OK);
    assert_int_equal(lsi_output_commit(out), LSIGN_OK);
    lsi_output_free(out);
    close(fd);
    read_back(in_dir("fd.pdf"), buf, sizeof buf, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(buf, "HEADBOdy", 8);

    /* A pipe cannot be patched: a clear error, not corruption. */
    assert_int_equal(pipe(pipefd), 0);
    assert_int_equal(lsi_output_to_fd(pipefd[1], &out), LSIGN_OK);
    assert_int_equal(lsi_output_write(out, "x", 1), LSIGN_OK);
    assert_int_equal(lsi_output_patch(out, 0, "y", 1), LSIGN_E_UNSUPPORTED);
    assert_int_equal(lsi_output_commit(out), LSIGN_OK);
    lsi_output_free(out);
    close(pipefd[0]);
    close(pipefd[1]);
}

/* The public fd output refuses what it cannot write correctly. */
static void test_fd_output_refusals(void **state)
{
    lsign_output *out = NULL;
    int fd;

    (void)state;
    /* pwrite() on O_APPEND appends: the signature could not be filled in. */
    fd = open(in_dir("append.pdf"), O_WRONLY | O_CREAT | O_APPEND, 0644);
    assert_true(fd >= 0);
    assert_int_equal(lsign_output_to_fd(&out, fd), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "O_APPEND"));
    assert_null(out);
    close(fd);
    /* A closed descriptor. */
    assert_int_equal(lsign_output_to_fd(&out, fd), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "Bad file descriptor"));
    assert_int_equal(lsign_output_to_fd(&out, -1), LSIGN_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_file_and_errors),
        cmocka_unit_test(test_input_read_or_mapped),
        cmocka_unit_test(test_input_is_xml),
        cmocka_unit_test(test_path_output_is_atomic),
        cmocka_unit_test(test_path_output_patches_flushed_and_buffered),
        cmocka_unit_test(test_path_output_abandoned_leaves_nothing),
        cmocka_unit_test(test_memory_and_fd_outputs),
        cmocka_unit_test(test_fd_output_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
