/* Coordinate normalisation on 1, 2 and 4 monitors (negative origins), and the
 * button/motion tracker. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "agent/mouse_coords.h"

/* The pixel Windows lands on for a normalised coordinate (its documented
 * mapping: n * extent / 65536, rounded down). */
static int32_t windows_pixel(uint16_t n, int32_t origin, int32_t extent)
{
    return origin + (int32_t)(((int64_t)n * extent) >> 16);
}

static vda_screen_geom geom(const vda_rect *mons, uint32_t count)
{
    vda_screen_geom g = {0};
    int32_t l = mons[0].x, t = mons[0].y, r = l + mons[0].width, b = t + mons[0].height;
    for (uint32_t i = 0; i < count; i++) {
        g.mon[i] = mons[i];
        if (mons[i].x < l) l = mons[i].x;
        if (mons[i].y < t) t = mons[i].y;
        if (mons[i].x + mons[i].width > r) r = mons[i].x + mons[i].width;
        if (mons[i].y + mons[i].height > b) b = mons[i].y + mons[i].height;
    }
    g.mon_count = count;
    g.virt = (vda_rect){l, t, r - l, b - t};
    return g;
}

/* Every corner and a few inner points of every monitor land on exactly that
 * guest pixel. */
static void check_round_trip(const vda_screen_geom *g)
{
    for (uint32_t d = 0; d < g->mon_count; d++) {
        const vda_rect *m = &g->mon[d];
        uint32_t xs[] = {0, 1, (uint32_t)m->width / 2, (uint32_t)m->width - 2,
                         (uint32_t)m->width - 1};
        uint32_t ys[] = {0, 1, (uint32_t)m->height / 3, (uint32_t)m->height - 1};
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            for (size_t j = 0; j < sizeof ys / sizeof ys[0]; j++) {
                vda_abs_pos p;
                assert_int_equal(vda_mouse_normalise(g, xs[i], ys[j], d, &p), VDA_NORM_OK);
                assert_int_equal(windows_pixel(p.x, g->virt.x, g->virt.width),
                                 m->x + (int32_t)xs[i]);
                assert_int_equal(windows_pixel(p.y, g->virt.y, g->virt.height),
                                 m->y + (int32_t)ys[j]);
            }
        }
    }
}

static void test_one_monitor(void **state)
{
    (void)state;
    vda_rect m[] = {{0, 0, 1920, 1080}};
    vda_screen_geom g = geom(m, 1);
    vda_abs_pos p;
    assert_int_equal(vda_mouse_normalise(&g, 0, 0, 0, &p), VDA_NORM_OK);
    assert_int_equal(p.x, 0);
    assert_int_equal(p.y, 0);
    assert_int_equal(vda_mouse_normalise(&g, 1919, 1079, 0, &p), VDA_NORM_OK);
    assert_true(p.x <= 65535 && p.x > 65500);
    check_round_trip(&g);
}

static void test_two_monitors_negative_origin(void **state)
{
    (void)state;
    /* Primary at 0,0; a second monitor left of it and higher. */
    vda_rect m[] = {{0, 0, 1920, 1080}, {-1280, -200, 1280, 1024}};
    vda_screen_geom g = geom(m, 2);
    assert_int_equal(g.virt.x, -1280);
    assert_int_equal(g.virt.y, -200);
    vda_abs_pos p;
    /* The second monitor's origin is the virtual screen's origin. */
    assert_int_equal(vda_mouse_normalise(&g, 0, 0, 1, &p), VDA_NORM_OK);
    assert_int_equal(p.x, 0);
    assert_int_equal(p.y, 0);
    /* The primary's origin is 1280 px right, 200 px down. */
    assert_int_equal(vda_mouse_normalise(&g, 0, 0, 0, &p), VDA_NORM_OK);
    assert_int_equal(windows_pixel(p.x, g.virt.x, g.virt.width), 0);
    assert_int_equal(windows_pixel(p.y, g.virt.y, g.virt.height), 0);
    check_round_trip(&g);
}

static void test_four_monitors(void **state)
{
    (void)state;
    vda_rect m[] = {{0, 0, 1024, 768},
                    {-1920, 0, 1920, 1080},
                    {1024, -768, 800, 600},
                    {-640, -1200, 640, 1200}};
    vda_screen_geom g = geom(m, 4);
    check_round_trip(&g);
    vda_abs_pos p;
    assert_int_equal(vda_mouse_normalise(&g, 799, 599, 2, &p), VDA_NORM_OK);
    assert_int_equal(windows_pixel(p.x, g.virt.x, g.virt.width), 1823);
    assert_int_equal(windows_pixel(p.y, g.virt.y, g.virt.height), -169);
}

static void test_clamping_and_bad_ids(void **state)
{
    (void)state;
    vda_rect m[] = {{0, 0, 800, 600}, {800, 0, 800, 600}};
    vda_screen_geom g = geom(m, 2);
    vda_abs_pos p = {7, 7};
    /* Past the right edge of monitor 0: its last pixel, not monitor 1. */
    assert_int_equal(vda_mouse_normalise(&g, 5000, 10, 0, &p), VDA_NORM_CLAMPED);
    assert_int_equal(windows_pixel(p.x, g.virt.x, g.virt.width), 799);
    assert_int_equal(vda_mouse_normalise(&g, UINT32_MAX, UINT32_MAX, 1, &p), VDA_NORM_CLAMPED);
    assert_int_equal(windows_pixel(p.x, g.virt.x, g.virt.width), 1599);
    assert_int_equal(windows_pixel(p.y, g.virt.y, g.virt.height), 599);
    p = (vda_abs_pos){7, 7};
    assert_int_equal(vda_mouse_normalise(&g, 1, 1, 2, &p), VDA_NORM_NO_MONITOR);
    assert_int_equal(vda_mouse_normalise(&g, 1, 1, 255, &p), VDA_NORM_NO_MONITOR);
    assert_int_equal(p.x, 7);
    g.mon[1].width = 0;
    assert_int_equal(vda_mouse_normalise(&g, 1, 1, 1, &p), VDA_NORM_BAD_GEOMETRY);
    /* Axis helper at its limits. */
    assert_int_equal(vda_mouse_norm_axis(-5, 100), 0);
    assert_int_equal(vda_mouse_norm_axis(1000, 100), vda_mouse_norm_axis(99, 100));
    assert_int_equal(vda_mouse_norm_axis(0, 0), 0);
    assert_int_equal(vda_mouse_norm_axis(65535, 65536), 65535);
}

/* ---- tracker ---- */

static vda_abs_pos at(uint16_t x, uint16_t y)
{
    return (vda_abs_pos){x, y};
}

static void test_moves_coalesce(void **state)
{
    (void)state;
    vda_mouse_tracker t;
    vda_mouse_tracker_init(&t);
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    for (uint16_t i = 0; i < 100; i++) {
        assert_int_equal(vda_mouse_tracker_feed(&t, 1, at(i, (uint16_t)(2 * i)), 0, ev), 0);
    }
    assert_int_equal(vda_mouse_tracker_flush(&t, ev), 1);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_MOVE);
    assert_int_equal(ev[0].pos.x, 99);
    assert_int_equal(ev[0].pos.y, 198);
    /* Nothing pending any more; the same position again sends nothing. */
    assert_int_equal(vda_mouse_tracker_flush(&t, ev), 0);
    assert_int_equal(vda_mouse_tracker_feed(&t, 1, at(99, 198), 0, ev), 0);
    assert_int_equal(vda_mouse_tracker_flush(&t, ev), 0);
}

static void test_button_flushes_move_first(void **state)
{
    (void)state;
    vda_mouse_tracker t;
    vda_mouse_tracker_init(&t);
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    vda_mouse_tracker_feed(&t, 1, at(10, 10), 0, ev);
    vda_mouse_tracker_feed(&t, 1, at(20, 20), 0, ev);
    size_t n = vda_mouse_tracker_feed(&t, 1, at(30, 40), VD_AGENT_LBUTTON_MASK, ev);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_MOVE);
    assert_int_equal(ev[0].pos.x, 30);
    assert_int_equal(ev[0].pos.y, 40);
    assert_int_equal(ev[1].kind, VDA_MOUSE_EV_LEFT_DOWN);
    assert_int_equal(ev[1].pos.x, 30);
    /* Release at the same place: no move. */
    n = vda_mouse_tracker_feed(&t, 1, at(30, 40), 0, ev);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_LEFT_UP);
    assert_int_equal(vda_mouse_tracker_flush(&t, ev), 0);
}

static void test_quick_click_never_lost(void **state)
{
    (void)state;
    /* down and up inside one batch: both edges go out, in order. */
    vda_mouse_tracker t;
    vda_mouse_tracker_init(&t);
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    const vda_mouse_ev_kind want[] = {VDA_MOUSE_EV_MOVE, VDA_MOUSE_EV_RIGHT_DOWN,
                                      VDA_MOUSE_EV_RIGHT_UP, VDA_MOUSE_EV_MIDDLE_DOWN,
                                      VDA_MOUSE_EV_MIDDLE_UP};
    vda_mouse_ev_kind got[16];
    size_t total = 0;
    uint32_t states[] = {VD_AGENT_RBUTTON_MASK, 0, VD_AGENT_MBUTTON_MASK, 0};
    for (size_t i = 0; i < 4; i++) {
        size_t n = vda_mouse_tracker_feed(&t, 1, at(5, 5), states[i], ev);
        for (size_t k = 0; k < n; k++) got[total++] = ev[k].kind;
    }
    total += vda_mouse_tracker_flush(&t, ev);
    assert_int_equal(total, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(got[i], want[i]);
    }
}

static void test_wheel_and_side_buttons(void **state)
{
    (void)state;
    vda_mouse_tracker t;
    vda_mouse_tracker_init(&t);
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    /* Wheel: press = one notch, release = nothing. */
    assert_int_equal(vda_mouse_tracker_feed(&t, 0, at(0, 0), VD_AGENT_UBUTTON_MASK, ev), 1);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_WHEEL_UP);
    assert_int_equal(vda_mouse_tracker_feed(&t, 0, at(0, 0), 0, ev), 0);
    assert_int_equal(vda_mouse_tracker_feed(&t, 0, at(0, 0), VD_AGENT_DBUTTON_MASK, ev), 1);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_WHEEL_DOWN);
    assert_int_equal(vda_mouse_tracker_feed(&t, 0, at(0, 0), 0, ev), 0);
    /* Two wheel notches in a row need a release between them, like the client sends. */
    assert_int_equal(vda_mouse_tracker_feed(&t, 0, at(0, 0), VD_AGENT_DBUTTON_MASK, ev), 1);
    assert_int_equal(vda_mouse_tracker_feed(&t, 0, at(0, 0), VD_AGENT_DBUTTON_MASK, ev), 0);
    vda_mouse_tracker_feed(&t, 0, at(0, 0), 0, ev);
    /* Side buttons and unknown bits. */
    size_t n = vda_mouse_tracker_feed(&t, 0, at(0, 0),
                                      VD_AGENT_SBUTTON_MASK | VD_AGENT_EBUTTON_MASK | 1u | 0x100u,
                                      ev);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_X1_DOWN);
    assert_int_equal(ev[1].kind, VDA_MOUSE_EV_X2_DOWN);
    assert_int_equal(vda_mouse_tracker_feed(&t, 0, at(0, 0), 0x100u, ev), 2);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_X1_UP);
    assert_int_equal(ev[1].kind, VDA_MOUSE_EV_X2_UP);
}

static void test_all_buttons_at_once_fit(void **state)
{
    (void)state;
    vda_mouse_tracker t;
    vda_mouse_tracker_init(&t);
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    size_t n = vda_mouse_tracker_feed(&t, 1, at(1, 2), 0xffffffffu, ev);
    assert_int_equal(n, VDA_MOUSE_MAX_EVENTS);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_MOVE);
    n = vda_mouse_tracker_release_all(&t, ev);
    assert_int_equal(n, 5);  /* L M R X1 X2; the wheel has no release */
    assert_int_equal(vda_mouse_tracker_release_all(&t, ev), 0);
    assert_string_equal(vda_mouse_ev_name(VDA_MOUSE_EV_LEFT_DOWN), "left-down");
}

static void test_unknown_display_keeps_buttons(void **state)
{
    (void)state;
    vda_mouse_tracker t;
    vda_mouse_tracker_init(&t);
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    vda_mouse_tracker_feed(&t, 1, at(100, 100), 0, ev);
    vda_mouse_tracker_flush(&t, ev);
    /* No position (display_id unknown): the click happens where the pointer is. */
    size_t n = vda_mouse_tracker_feed(&t, 0, at(0, 0), VD_AGENT_LBUTTON_MASK, ev);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].kind, VDA_MOUSE_EV_LEFT_DOWN);
    assert_int_equal(ev[0].pos.x, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_monitor),
        cmocka_unit_test(test_two_monitors_negative_origin),
        cmocka_unit_test(test_four_monitors),
        cmocka_unit_test(test_clamping_and_bad_ids),
        cmocka_unit_test(test_moves_coalesce),
        cmocka_unit_test(test_button_flushes_move_first),
        cmocka_unit_test(test_quick_click_never_lost),
        cmocka_unit_test(test_wheel_and_side_buttons),
        cmocka_unit_test(test_all_buttons_at_once_fit),
        cmocka_unit_test(test_unknown_display_keeps_buttons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
