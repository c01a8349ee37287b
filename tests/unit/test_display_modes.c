/* Closest display mode: exact, fits-inside, oversized; aspect and depth ties. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "agent/display_modes.h"

static const vda_display_mode modes[] = {
    {640, 480, 32},   /* 0 */
    {800, 600, 16},   /* 1 */
    {800, 600, 32},   /* 2 */
    {1024, 768, 32},  /* 3 */
    {1280, 720, 32},  /* 4: same area class as 1024x960 below, wider */
    {1280, 1024, 32}, /* 5 */
    {1920, 1080, 32}, /* 6 */
    {1920, 1200, 32}, /* 7 */
    {960, 960, 32},   /* 8: 921600 px, like 1280x720 */
    {0, 0, 32},       /* 9: junk the driver may list */
};
#define N (sizeof modes / sizeof modes[0])

static void test_exact(void **state)
{
    (void)state;
    assert_int_equal(vda_display_mode_choose(modes, N, 1024, 768, 32), 3);
    assert_int_equal(vda_display_mode_choose(modes, N, 1920, 1200, 0), 7);
    /* Depth: asked for and offered, or the deepest. */
    assert_int_equal(vda_display_mode_choose(modes, N, 800, 600, 16), 1);
    assert_int_equal(vda_display_mode_choose(modes, N, 800, 600, 32), 2);
    assert_int_equal(vda_display_mode_choose(modes, N, 800, 600, 0), 2);
    assert_int_equal(vda_display_mode_choose(modes, N, 800, 600, 24), 2);
}

static void test_largest_that_fits(void **state)
{
    (void)state;
    /* A client window of 1400x1000 (1.4): 1280x720 (1.78) and 960x960 (1.0) both
     * fit and tie on area; 1280x720 is closer. 1280x1024 does not fit. */
    assert_int_equal(vda_display_mode_choose(modes, N, 1400, 1000, 32), 4);
    /* 1300x1000 (1.3): now the square one is closer. */
    assert_int_equal(vda_display_mode_choose(modes, N, 1300, 1000, 32), 8);
    /* 1000x1000: 960x960 fits, same area as nothing else that fits -> largest. */
    assert_int_equal(vda_display_mode_choose(modes, N, 1000, 1000, 32), 8);
    /* 1910x1190: 1280x1024 is the largest fitting (1310720 > 1280x720, 960x960). */
    assert_int_equal(vda_display_mode_choose(modes, N, 1910, 1190, 32), 5);
    /* Huge: the biggest mode. */
    assert_int_equal(vda_display_mode_choose(modes, N, 8000, 8000, 32), 7);
}

static void test_nothing_fits(void **state)
{
    (void)state;
    /* Smaller than every mode: the least oversized. */
    assert_int_equal(vda_display_mode_choose(modes, N, 320, 200, 32), 0);
    /* Tall and thin: only modes taller than 2000 would fit; none -> smallest area. */
    assert_int_equal(vda_display_mode_choose(modes, N, 700, 2000, 32), 0);
    static const vda_display_mode wide_only[] = {{1920, 1080, 32}, {1600, 1200, 32},
                                                 {1920, 1000, 32}};
    /* 1920000 px each: 1600x1200 (4:3) is closer to 800x600 than 16:9 and 1.92. */
    assert_int_equal(vda_display_mode_choose(wide_only, 3, 800, 600, 32), 1);
}

static void test_no_modes(void **state)
{
    (void)state;
    assert_int_equal(vda_display_mode_choose(modes, 0, 800, 600, 32), -1);
    assert_int_equal(vda_display_mode_choose(&modes[9], 1, 800, 600, 32), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_largest_that_fits),
        cmocka_unit_test(test_nothing_fits),
        cmocka_unit_test(test_no_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
