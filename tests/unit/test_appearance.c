/* Appearances: the public setters' checks and the placement maths (display <-> user space). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "appearance/place.h"
#include "libsign/libsign.h"

static void test_setters_refuse_bad_values(void **state)
{
    lsign_appearance *ap = NULL;

    (void)state;
    assert_int_equal(lsign_appearance_new(&ap, "seal-only"), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "seal-only"));
    assert_null(ap);
    assert_int_equal(lsign_appearance_new(&ap, "person"), LSIGN_OK);
    assert_int_equal(lsign_appearance_set_text(ap, "title", "CHỦ TỊCH"), LSIGN_OK);
    assert_int_equal(lsign_appearance_set_text(ap, "title", NULL), LSIGN_OK);
    assert_int_equal(lsign_appearance_set_text(ap, "subtitle", "x"), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_set_text(ap, "name", "bad \xc3"), LSIGN_E_INVALID_ARG);
    assert_non_null(strstr(lsign_last_error(), "UTF-8"));
    assert_int_equal(lsign_appearance_set_image(ap, "stamp", "x.png"), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_set_image(ap, "seal", "/nonexistent/seal.png"), LSIGN_E_IO);
    assert_int_equal(lsign_appearance_set_font(ap, "/nonexistent/font.ttf"), LSIGN_E_IO);
    assert_int_equal(lsign_appearance_set_font_size(ap, 1000), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_set_utc_offset(ap, 420), LSIGN_OK);
    assert_int_equal(lsign_appearance_set_utc_offset(ap, 24 * 60), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_place(ap, 0, 0, 0, 10, 10, LSIGN_UNIT_MM),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_place(ap, 1, 0, 0, 10, 10, 7), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_place(ap, 1, 0, 0, -10, 10, LSIGN_UNIT_MM),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_place(ap, -1, 10, 10, 60, 30, LSIGN_UNIT_MM), LSIGN_OK);
    assert_int_equal(lsign_appearance_place_preset(ap, "middle", 60, 30, 10, LSIGN_UNIT_MM),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_place_at_text(ap, 0, "", 0, 0, 60, 30, LSIGN_UNIT_MM),
                     LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_appearance_place_at_text(ap, 0, "CHỦ TỊCH", 0, 0, 60, 30, LSIGN_UNIT_MM),
                     LSIGN_OK);
    lsign_appearance_free(ap);
    lsign_appearance_free(NULL);
}

/* An A4 page with a crop box that does not start at the origin. */
static lsi_view view_turned(int rotate)
{
    lsi_view v = {{10, 20, 605, 862}, rotate, 0, 0};

    v.width = rotate % 180 ? 842 : 595;
    v.height = rotate % 180 ? 595 : 842;
    return v;
}

static void assert_box(const double *got, double x, double y, double w, double h)
{
    const double want[4] = {x, y, w, h};

    for (size_t i = 0; i < 4; i++)
        if (got[i] < want[i] - 1e-9 || got[i] > want[i] + 1e-9)
            fail_msg("box[%zu] = %g, wanted %g", i, got[i], want[i]);
}

static void test_display_box_to_user_space(void **state)
{
    const double box[4] = {30, 40, 100, 50}; /* x, y, w, h on the displayed page */
    double rect[4], back[4], m[6];

    (void)state;
    for (int rotate = 0; rotate < 360; rotate += 90) {
        lsi_view v = view_turned(rotate);
        lsi_view_to_user(&v, box, rect);
        lsi_view_from_user(&v, rect, back);
        assert_box(back, 30, 40, 100, 50);
    }
    /* Rotate 0: shifted by the crop box. */
    lsi_view v0 = view_turned(0);
    lsi_view_to_user(&v0, box, rect);
    assert_box(rect, 40, 60, 140, 110);
    /* Rotate 90 (shown turned clockwise): the displayed lower left is the user's lower right. */
    lsi_view v90 = view_turned(90);
    lsi_view_to_user(&v90, box, rect);
    assert_box(rect, 10 + 595 - 40 - 50, 20 + 30, 10 + 595 - 40, 20 + 30 + 100);
    lsi_view_matrix(&v90, m);
    assert_true(m[0] == 0 && m[1] == 1 && m[2] == -1 && m[3] == 0);
    /* Rotate 180: mirrored in both axes. */
    lsi_view v180 = view_turned(180);
    lsi_view_to_user(&v180, box, rect);
    assert_box(rect, 10 + 595 - 130, 20 + 842 - 90, 10 + 595 - 30, 20 + 842 - 40);
    lsi_view v270 = view_turned(270);
    lsi_view_to_user(&v270, box, rect);
    assert_box(rect, 10 + 40, 20 + 842 - 130, 10 + 90, 20 + 842 - 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setters_refuse_bad_values),
        cmocka_unit_test(test_display_box_to_user_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
