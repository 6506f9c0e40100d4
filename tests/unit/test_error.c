/* lsign_last_error(): a message per thread, never NULL, naming the cause. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/error.h"
#include "libsign/libsign.h"

static void test_no_error_initially(void **state)
{
    (void)state;
    lsign_error_clear();
    assert_int_equal(lsign_last_error_code(), LSIGN_OK);
    assert_non_null(lsign_last_error());
    assert_string_equal(lsign_last_error(), "no error");
}

static void test_failing_call_sets_message(void **state)
{
    lsign_ctx *ctx = NULL;
    int rc;

    (void)state;
    assert_int_equal(lsign_ctx_new(&ctx, NULL), LSIGN_OK);
    rc = lsign_ctx_add_trust_file(ctx, "/nonexistent/dir/root.pem");
    assert_int_equal(rc, LSIGN_E_IO);
    assert_int_equal(lsign_last_error_code(), LSIGN_E_IO);
    assert_string_equal(lsign_last_error(),
                        "trust anchors: cannot open '/nonexistent/dir/root.pem': "
                        "No such file or directory");
    /* A later successful call keeps the message of the last failure. */
    assert_int_equal(lsign_ctx_set_log(ctx, LSIGN_LOG_INFO, NULL, NULL), LSIGN_OK);
    assert_int_equal(lsign_last_error_code(), LSIGN_E_IO);
    lsign_ctx_free(ctx);
}

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    for (int code = LSIGN_E_LIMIT; code <= LSIGN_OK; code++)
        assert_string_not_equal(lsign_strerror(code), "unknown error");
    assert_string_equal(lsign_strerror(-1000), "unknown error");
    assert_string_equal(lsign_strerror(LSIGN_E_PIN), "PIN error");
}

static void test_wrap_prefixes_context(void **state)
{
    (void)state;
    lsi_error(LSIGN_E_PARSE, "object %d 0: unterminated string", 12);
    assert_int_equal(lsi_error_wrap("page %d", 3), LSIGN_E_PARSE);
    assert_string_equal(lsign_last_error(), "page 3: object 12 0: unterminated string");
}

static void test_long_message_truncated_safely(void **state)
{
    char big[4000];

    (void)state;
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    lsi_error(LSIGN_E_PARSE, "%s", big);
    assert_true(strlen(lsign_last_error()) < sizeof big);
    lsi_error_wrap("%s", big);
    assert_true(strlen(lsign_last_error()) < sizeof big);
}

/* Two threads fail differently at the same time; each reads its own error. */
static pthread_barrier_t barrier;

struct thread_result {
    int code;
    char message[256];
};

static void *fail_with_io(void *arg)
{
    struct thread_result *r = arg;
    lsign_ctx *ctx = NULL;

    lsign_ctx_new(&ctx, NULL);
    lsign_ctx_add_trust_file(ctx, "/nonexistent/thread-a.pem");
    pthread_barrier_wait(&barrier); /* both threads have failed now */
    r->code = lsign_last_error_code();
    snprintf(r->message, sizeof r->message, "%s", lsign_last_error());
    lsign_ctx_free(ctx);
    return NULL;
}

static void *fail_with_bad_options(void *arg)
{
    struct thread_result *r = arg;
    lsign_ctx *ctx = NULL;
    lsign_ctx_options opts = LSIGN_CTX_OPTIONS_INIT;

    opts.version = 99;
    lsign_ctx_new(&ctx, &opts);
    pthread_barrier_wait(&barrier);
    r->code = lsign_last_error_code();
    snprintf(r->message, sizeof r->message, "%s", lsign_last_error());
    return NULL;
}

static void test_error_is_per_thread(void **state)
{
    pthread_t a, b;
    struct thread_result ra, rb;

    (void)state;
    lsign_error_clear();
    assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
    assert_int_equal(pthread_create(&a, NULL, fail_with_io, &ra), 0);
    assert_int_equal(pthread_create(&b, NULL, fail_with_bad_options, &rb), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_barrier_destroy(&barrier);

    assert_int_equal(ra.code, LSIGN_E_IO);
    assert_non_null(strstr(ra.message, "/nonexistent/thread-a.pem"));
    assert_int_equal(rb.code, LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(rb.message, "options version 99 is not supported"));
    /* The main thread made no failing call. */
    assert_int_equal(lsign_last_error_code(), LSIGN_OK);
    assert_string_equal(lsign_last_error(), "no error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_error_initially),
        cmocka_unit_test(test_failing_call_sets_message),
        cmocka_unit_test(test_strerror_names_every_code),
        cmocka_unit_test(test_wrap_prefixes_context),
        cmocka_unit_test(test_long_message_truncated_safely),
        cmocka_unit_test(test_error_is_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
