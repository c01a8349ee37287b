/* The CCD plan for 1-4 monitors: positions, detaches, newly attached displays,
 * targets used once, and the refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "agent/display_ccd.h"

/* QDC_ALL_PATHS-like list for n single-output adapters (QXL: one device per
 * monitor): each display has exactly one path, to its own target. */
static size_t own_paths(vda_ccd_path *p, size_t n, int active_mask)
{
    for (size_t d = 0; d < n; d++) {
        p[d] = (vda_ccd_path){(uint32_t)d, 100 + (uint32_t)d, (active_mask >> d) & 1, 1};
    }
    return n;
}

static void check_use(const vda_ccd_plan *pl, size_t k, size_t path, uint32_t disp, uint32_t w,
                      uint32_t h, int32_t x, int32_t y)
{
    assert_true(k < pl->count);
    assert_int_equal(pl->use[k].path, path);
    assert_int_equal(pl->use[k].display, disp);
    assert_int_equal(pl->use[k].width, w);
    assert_int_equal(pl->use[k].height, h);
    assert_int_equal(pl->use[k].x, x);
    assert_int_equal(pl->use[k].y, y);
}

static void test_one_to_four(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 4; n++) {
        vda_ccd_path p[4];
        vda_ccd_want w[4];
        size_t np = own_paths(p, n, 0xf);
        for (size_t d = 0; d < n; d++) {
            /* Left to right, the second one lower (client positions). */
            w[d] = (vda_ccd_want){1, 1000 + (uint32_t)d, 700, (int32_t)(1000 * d), d == 1 ? 50 : 0};
        }
        vda_ccd_plan pl;
        assert_int_equal(vda_ccd_plan_build(p, np, w, n, &pl, NULL), VDA_CCD_OK);
        assert_int_equal(pl.count, n);
        for (size_t d = 0; d < n; d++) {
            check_use(&pl, d, d, (uint32_t)d, 1000 + (uint32_t)d, 700, (int32_t)(1000 * d),
                      d == 1 ? 50 : 0);
        }
    }
}

static void test_detach_and_attach(void **state)
{
    (void)state;
    vda_ccd_path p[4];
    size_t np = own_paths(p, 4, 0x7);  /* 0,1,2 on; 3 detached */
    /* Detach 1, keep 0 and 2, attach 3 to the left of the primary. */
    vda_ccd_want w[4] = {{1, 800, 600, 0, 0}, {0, 0, 0, 0, 0}, {1, 1024, 768, 800, 0},
                         {1, 640, 480, -640, 0}};
    vda_ccd_plan pl;
    assert_int_equal(vda_ccd_plan_build(p, np, w, 4, &pl, NULL), VDA_CCD_OK);
    assert_int_equal(pl.count, 3);
    check_use(&pl, 0, 0, 0, 800, 600, 0, 0);
    check_use(&pl, 1, 2, 2, 1024, 768, 800, 0);
    check_use(&pl, 2, 3, 3, 640, 480, -640, 0);
    for (size_t k = 0; k < pl.count; k++) {
        assert_int_not_equal(pl.use[k].display, 1);  /* detached: not in the array */
    }
}

static void test_shared_targets(void **state)
{
    (void)state;
    /* One adapter, two sources x two targets (a multi-head device): display 0
     * is active on target B; display 1 must not take B, and target A has no
     * monitor at first. */
    vda_ccd_path p[] = {
        {0, 'A', 0, 1}, {0, 'B', 1, 1}, {1, 'A', 0, 0}, {1, 'B', 0, 1}, {VDA_CCD_NONE, 'C', 0, 1},
    };
    vda_ccd_want w[2] = {{1, 800, 600, 0, 0}, {1, 800, 600, 800, 0}};
    vda_ccd_plan pl;
    uint32_t bad = 9;
    assert_int_equal(vda_ccd_plan_build(p, 5, w, 2, &pl, &bad), VDA_CCD_NO_PATH);
    assert_int_equal(bad, 1);
    assert_int_equal(pl.count, 0);
    p[2].target_available = 1;
    assert_int_equal(vda_ccd_plan_build(p, 5, w, 2, &pl, &bad), VDA_CCD_OK);
    check_use(&pl, 0, 1, 0, 800, 600, 0, 0);
    check_use(&pl, 1, 2, 1, 800, 600, 800, 0);
    /* Display 1 active on B takes precedence; display 0 then gets A. */
    p[1].active = 0;
    p[3].active = 1;
    assert_int_equal(vda_ccd_plan_build(p, 5, w, 2, &pl, &bad), VDA_CCD_OK);
    check_use(&pl, 0, 0, 0, 800, 600, 0, 0);
    check_use(&pl, 1, 3, 1, 800, 600, 800, 0);
    /* Both displays reported active on B (found by the fuzzer): B is kept by
     * display 0, display 1 moves to A. */
    p[1].active = 1;
    assert_int_equal(vda_ccd_plan_build(p, 5, w, 2, &pl, &bad), VDA_CCD_OK);
    check_use(&pl, 0, 1, 0, 800, 600, 0, 0);
    check_use(&pl, 1, 2, 1, 800, 600, 800, 0);
}

static void test_refusals(void **state)
{
    (void)state;
    vda_ccd_path p[2];
    own_paths(p, 2, 1);
    vda_ccd_plan pl;
    vda_ccd_want none[2] = {{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}};
    assert_int_equal(vda_ccd_plan_build(p, 2, none, 2, &pl, NULL), VDA_CCD_NOTHING_ENABLED);
    vda_ccd_want off[2] = {{1, 800, 600, 10, 0}, {1, 800, 600, 810, 0}};
    assert_int_equal(vda_ccd_plan_build(p, 2, off, 2, &pl, NULL), VDA_CCD_NO_PRIMARY);
    /* A display with no path at all. */
    vda_ccd_want w3[3] = {{1, 800, 600, 0, 0}, {0, 0, 0, 0, 0}, {1, 800, 600, 800, 0}};
    uint32_t bad = 0;
    assert_int_equal(vda_ccd_plan_build(p, 2, w3, 3, &pl, &bad), VDA_CCD_NO_PATH);
    assert_int_equal(bad, 2);
    assert_string_equal(vda_ccd_status_str(VDA_CCD_NO_PATH), "no free path to a monitor");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_to_four),
        cmocka_unit_test(test_detach_and_attach),
        cmocka_unit_test(test_shared_targets),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
