/* MONITORS_CONFIG through vdagent/monitors_win.c under Wine + Xvfb (RandR
 * modes 1024x768, 1280x720 and 800x600 added by the fixture): the resolution
 * changes where a mode is offered, the closest mode is used otherwise, and the
 * result (what goes into VD_AGENT_REPLY) says whether it worked.
 *   test_monitors        one display (win.input.monitors)
 *   test_monitors multi  two displays side by side, then the second detached
 *                        (win.input.monitors_multi; NOT RUN with one display,
 *                        as under Xvfb, which offers one output) */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
#include "monitors_win.h"
#include "wtest.h"

static size_t config(uint8_t *buf, uint32_t count, uint32_t flags, const uint32_t (*m)[5],
                     size_t n)
{
    vda_put_le32(buf, count);
    vda_put_le32(buf + 4, flags);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 5; k++) {
            vda_put_le32(buf + 8 + 20 * i + 4 * (size_t)k, m[i][k]);  /* h, w, depth, x, y */
        }
    }
    return 8 + 20 * n;
}

static int current(int *w, int *h)
{
    DEVMODEW dm;
    memset(&dm, 0, sizeof dm);
    dm.dmSize = sizeof dm;
    vdg_display_device dev[4];
    if (vdg_display_devices(dev, 4) < 1 ||
        !EnumDisplaySettingsExW(dev[0].name, ENUM_CURRENT_SETTINGS, &dm, 0)) {
        return 0;
    }
    *w = (int)dm.dmPelsWidth;
    *h = (int)dm.dmPelsHeight;
    return 1;
}

static int offered(const wchar_t *dev, uint32_t w, uint32_t h)
{
    DEVMODEW dm;
    for (DWORD k = 0;; k++) {
        memset(&dm, 0, sizeof dm);
        dm.dmSize = sizeof dm;
        if (!EnumDisplaySettingsExW(dev, k, &dm, 0)) return 0;
        if (dm.dmPelsWidth == w && dm.dmPelsHeight == h) return 1;
    }
}

static uint32_t apply_one(const vda_logger *lg, uint32_t w, uint32_t h)
{
    uint8_t buf[64];
    const uint32_t m[1][5] = {{h, w, 32, 0, 0}};
    return vdg_monitors_apply(lg, buf, config(buf, 1, 0, m, 1), 0);
}

/* Where display dev is, and how big: 1, or 0 if it is not attached. */
static int placed(const wchar_t *dev, RECT *r)
{
    DEVMODEW dm;
    memset(&dm, 0, sizeof dm);
    dm.dmSize = sizeof dm;
    if (!EnumDisplaySettingsExW(dev, ENUM_CURRENT_SETTINGS, &dm, 0) || !dm.dmPelsWidth) return 0;
    r->left = dm.dmPosition.x;
    r->top = dm.dmPosition.y;
    r->right = r->left + (LONG)dm.dmPelsWidth;
    r->bottom = r->top + (LONG)dm.dmPelsHeight;
    return 1;
}

/* Two monitors with positions (the client has the position cap), then the
 * second one detached, then the layout as it was. */
static int multi(const vda_logger *lg)
{
    wtest t = {0};
    vdg_display_device dev[VDA_DISPLAY_DEVICES_MAX];
    size_t ndev = vdg_display_devices(dev, VDA_DISPLAY_DEVICES_MAX);
    if (ndev < 2) {
        printf("NOT RUN: multi-monitor positions and detaching a display: %zu display"
               " device(s) here (Xvfb offers one output, so Wine shows one)\n", ndev);
        return 77;
    }
    RECT r0, r1;
    if (!placed(dev[0].name, &r0) || !placed(dev[1].name, &r1) ||
        !offered(dev[0].name, 1024, 768) || !offered(dev[1].name, 1024, 768)) {
        printf("NOT RUN: multi-monitor: the first two displays are not both attached with a"
               " 1024x768 mode\n");
        return 77;
    }
    uint8_t buf[64];
    const uint32_t two[2][5] = {{768, 1024, 32, 0, 0}, {768, 1024, 32, 1024, 0}};
    uint32_t r = vdg_monitors_apply(lg, buf, config(buf, 2, 0, two, 2), 1);
    RECT a, b;
    WCHECK(&t, r == VD_AGENT_SUCCESS && placed(dev[0].name, &a) && placed(dev[1].name, &b) &&
                   a.left == 0 && a.top == 0 && a.right == 1024 && b.left == 1024 &&
                   b.top == 0 && b.right == 2048 && b.bottom == 768,
           "two 1024x768 monitors side by side: second at %ld,%ld", b.left, b.top);
    const uint32_t one[2][5] = {{768, 1024, 32, 0, 0}, {0, 0, 0, 0, 0}};
    r = vdg_monitors_apply(lg, buf, config(buf, 2, 0, one, 2), 1);
    WCHECK(&t, r == VD_AGENT_SUCCESS && !placed(dev[1].name, &b), "second monitor detached");
    const uint32_t back[2][5] = {
        {(uint32_t)(r0.bottom - r0.top), (uint32_t)(r0.right - r0.left), 32, (uint32_t)r0.left,
         (uint32_t)r0.top},
        {(uint32_t)(r1.bottom - r1.top), (uint32_t)(r1.right - r1.left), 32, (uint32_t)r1.left,
         (uint32_t)r1.top}};
    r = vdg_monitors_apply(lg, buf, config(buf, 2, 0, back, 2), 1);
    WCHECK(&t, r == VD_AGENT_SUCCESS && placed(dev[1].name, &b) && b.left == r1.left,
           "layout back as it was: second monitor attached at %ld,%ld", b.left, b.top);
    return wtest_exit(&t);
}

int main(int argc, char **argv)
{
    wtest t = {0};
    vda_logger lg = wtest_logger();
    SetProcessDPIAware();
    if (argc > 1 && !strcmp(argv[1], "multi")) return multi(&lg);
    vdg_display_device dev[VDA_DISPLAY_DEVICES_MAX];
    size_t ndev = vdg_display_devices(dev, VDA_DISPLAY_DEVICES_MAX);
    int w0 = 0, h0 = 0;
    if (ndev < 1 || !current(&w0, &h0)) {
        WNOT_RUN(&t, "no display device visible to Wine");
        return wtest_exit(&t);
    }
    printf("display %ls: %dx%d, %zu device(s)\n", dev[0].name, w0, h0, ndev);
    if (!offered(dev[0].name, 1024, 768) || !offered(dev[0].name, 800, 600)) {
        WNOT_RUN(&t, "Wine offers no 1024x768/800x600 mode on this X server (the fixture's"
                 " Xvfb needs RandR modes: VDA_XVFB_MODES); resolution changes not tested");
        return wtest_exit(&t);
    }

    /* 1. An offered mode: exact. */
    int w = 0, h = 0;
    uint32_t r = apply_one(&lg, 1024, 768);
    WCHECK(&t, r == VD_AGENT_SUCCESS && current(&w, &h) && w == 1024 && h == 768,
           "1024x768 requested: reply %s, now %dx%d", r == VD_AGENT_SUCCESS ? "success" : "error",
           w, h);
    WCHECK(&t, GetSystemMetrics(SM_CXSCREEN) == 1024 && GetSystemMetrics(SM_CYSCREEN) == 768,
           "GetSystemMetrics agrees: %dx%d", GetSystemMetrics(SM_CXSCREEN),
           GetSystemMetrics(SM_CYSCREEN));
    vda_screen_geom g;
    vdg_screen_geometry(&g);
    WCHECK(&t, g.virt.width == 1024 && g.virt.height == 768 && g.mon[0].width == 1024,
           "mouse geometry follows: virtual %dx%d", (int)g.virt.width, (int)g.virt.height);

    /* 2. Not offered: the largest mode that fits inside (1000x700 -> 800x600). */
    r = apply_one(&lg, 1000, 700);
    WCHECK(&t, r == VD_AGENT_SUCCESS && current(&w, &h) && w == 800 && h == 600,
           "1000x700 requested: reply %s, now %dx%d (want closest 800x600)",
           r == VD_AGENT_SUCCESS ? "success" : "error", w, h);

    /* 3. The same again: nothing to do, still success. */
    r = apply_one(&lg, 800, 600);
    WCHECK(&t, r == VD_AGENT_SUCCESS && current(&w, &h) && w == 800 && h == 600,
           "800x600 again: success, unchanged");

    /* 4. Malformed configs: error, resolution untouched. */
    uint8_t buf[256];
    const uint32_t one[1][5] = {{768, 1024, 32, 0, 0}};
    r = vdg_monitors_apply(&lg, buf, config(buf, 4, 0, one, 1), 0);
    WCHECK(&t, r == VD_AGENT_ERROR && current(&w, &h) && w == 800,
           "count 4 with 1 monitor in the payload: error, still %dx%d", w, h);
    r = vdg_monitors_apply(&lg, buf, config(buf, 0, 0, one, 0), 0);
    WCHECK(&t, r == VD_AGENT_ERROR, "zero monitors: error");
    const uint32_t huge[1][5] = {{768, 1000000, 32, 0, 0}};
    r = vdg_monitors_apply(&lg, buf, config(buf, 1, 0, huge, 1), 0);
    WCHECK(&t, r == VD_AGENT_ERROR && current(&w, &h) && w == 800, "absurd width: error");
    r = vdg_monitors_apply(&lg, buf, 5, 0);
    WCHECK(&t, r == VD_AGENT_ERROR, "5-byte payload: error");

    /* 5. Sparse: monitor 0 disabled, the only real display would be monitor 1,
     *    which this guest does not have -> error. With monitor 1 disabled instead
     *    (beyond the guest's devices), display 0 is set. */
    if (ndev == 1) {
        const uint32_t sp[2][5] = {{0, 0, 0, 0, 0}, {768, 1024, 32, 0, 0}};
        r = vdg_monitors_apply(&lg, buf, config(buf, 2, 0, sp, 2), 0);
        WCHECK(&t, r == VD_AGENT_ERROR, "sparse config whose only monitor the guest lacks: error");
        const uint32_t sp2[2][5] = {{768, 1024, 32, 0, 0}, {0, 0, 0, 0, 0}};
        r = vdg_monitors_apply(&lg, buf, config(buf, 2, 0, sp2, 2), 0);
        WCHECK(&t, r == VD_AGENT_SUCCESS && current(&w, &h) && w == 1024,
               "sparse config, second monitor 0x0: success, %dx%d", w, h);
    } else {
        WNOT_RUN(&t, "sparse checks written for a single-display guest (%zu here)", ndev);
    }

    /* Leave the display as we found it. */
    r = apply_one(&lg, (uint32_t)w0, (uint32_t)h0);
    WCHECK(&t, r == VD_AGENT_SUCCESS && current(&w, &h) && w == w0 && h == h0,
           "back to %dx%d", w0, h0);
    return wtest_exit(&t);
}
