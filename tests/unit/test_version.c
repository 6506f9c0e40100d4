#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "libsign/libsign.h"

static void test_version_matches_macros(void **state)
{
    char expected[32];

    (void)state;
    snprintf(expected, sizeof expected, "%d.%d.%d", LSIGN_VERSION_MAJOR, LSIGN_VERSION_MINOR,
             LSIGN_VERSION_PATCH);
    assert_string_equal(lsign_version(), expected);
    assert_string_equal(lsign_version(), LSIGN_VERSION_STRING);
    assert_int_equal(lsign_version_number(), LSIGN_VERSION_NUMBER);
    assert_int_equal(lsign_version_number() >> 16, LSIGN_VERSION_MAJOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_matches_macros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
