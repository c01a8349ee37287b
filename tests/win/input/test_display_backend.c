/* The display back ends under Wine: which path each kind of adapter gets, and
 * the fall back to the closest listed mode where the driver refuses the
 * exact size. Wine has no QXL driver, so both QXL escapes (D3DKMTEscape for
 * qxl-wddm, ExtEscape for qxl-xpdm) must be refused by the real gdi32 entry
 * points and the generic path used, with the one log line saying so. What
 * only a real QXL driver shows is reported NOT RUN. Also: AUDIO_VOLUME_SYNC
 * against Wine's Core Audio. */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "audio_volume_win.h"
#include "display_backend.h"
#include "monitors_win.h"
#include "wtest.h"
#include "input_support.h"

/* The lines the module logged since the last reset. */
typedef struct capture {
    char text[16][VDA_LOG_LINE_MAX];
    int n;
} capture;

static void capture_sink(void *ctx, vda_log_level level, const char *line)
{
    capture *c = ctx;
    (void)level;
    printf("  log: %s\n", line);
    if (c->n < 16) {
        snprintf(c->text[c->n++], VDA_LOG_LINE_MAX, "%s", line);
    }
}

static int logged(const capture *c, const char *a, const char *b)
{
    for (int i = 0; i < c->n; i++) {
        if (strstr(c->text[i], a) && (!b || strstr(c->text[i], b))) {
            return 1;
        }
    }
    return 0;
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

static void check_prepare(wtest *t, const vda_logger *lg, capture *cap,
                          const vdg_display_device *d, const char *case_name,
                          const char *reason, int want_ok_mode)
{
    vda_monitor m = {1, 1000, 700, 32, 0, 0};
    vdg_mode_choice c;
    cap->n = 0;
    int r = vdg_display_prepare(lg, d, 0, &m, &c);
    WCHECK(t, r == 0 && c.path == VDA_DISPLAY_PATH_GENERIC,
           "%s: prepared on the generic path (got %s)", case_name,
           r == 0 ? vda_display_path_name(c.path) : "failure");
    WCHECK(t, cap->n == 1 && logged(cap, "generic path", reason),
           "%s: one log line naming the generic path and \"%s\" (%d lines)", case_name, reason,
           cap->n);
    if (want_ok_mode) {
        WCHECK(t, r == 0 && !c.exact && c.mode.width == 800 && c.mode.height == 600 &&
                      logged(cap, "800x600, the closest listed to 1000x700", NULL),
               "%s: 1000x700 not listed: the closest listed mode 800x600 (got %ux%u)", case_name,
               (unsigned)c.mode.width, (unsigned)c.mode.height);
    }
}

static void audio_checks(wtest *t, const vda_logger *lg, capture *cap)
{
    vdg_audio_volume a;
    vdg_audio_volume_init(&a, lg);
    const uint8_t bad[] = {1, 0, 2, 0xff, 0xff};
    cap->n = 0;
    WCHECK(t, vdg_audio_volume_handle(&a, bad, sizeof bad) == VDG_AUDIO_BAD_MESSAGE &&
                  logged(cap, "discarded", "fewer volumes"),
           "audio: a truncated volume sync is discarded with a log line");
    const uint8_t half[] = {1, 0, 2, 0x00, 0x80, 0x00, 0x80};
    cap->n = 0;
    vdg_audio_result r1 = vdg_audio_volume_handle(&a, half, sizeof half);
    int lines1 = cap->n;
    vdg_audio_result r2 = vdg_audio_volume_handle(&a, half, sizeof half);
    if (r1 == VDG_AUDIO_NO_ENDPOINT) {
        WCHECK(t, r2 == VDG_AUDIO_NO_ENDPOINT && lines1 == 1 && cap->n == 1 &&
                      logged(cap, "no default playback endpoint", "ignored"),
               "audio: a guest without a playback endpoint logs once and ignores the rest"
               " (%d lines after two messages)", cap->n);
        WNOT_RUN(t, "audio: volume applied to an endpoint (Wine has no audio device here)");
    } else {
        WCHECK(t, r1 == VDG_AUDIO_APPLIED && r2 == VDG_AUDIO_APPLIED,
               "audio: playback volume applied to Wine's default endpoint (%d, %d)", (int)r1,
               (int)r2);
    }
}

int main(void)
{
    wtest t = {0};
    capture cap = {.n = 0};
    vda_logger lg = {VDA_LOG_DEBUG, capture_sink, &cap, "test"};
    SetProcessDPIAware();

    audio_checks(&t, &lg, &cap);

    vdg_display_device dev[VDA_DISPLAY_DEVICES_MAX];
    size_t ndev = vdg_display_devices_ex(dev, VDA_DISPLAY_DEVICES_MAX, 1);
    if (ndev < 1) {
        WNOT_RUN(&t, "no display device visible to Wine");
        return wtest_exit(&t);
    }
    for (size_t i = 0; i < ndev; i++) {
        char where[64] = "unknown";
        if (dev[i].pci.has_path) {
            vda_pci_path_format(&dev[i].pci.path, where, sizeof where);
        }
        printf("display %zu: %ls id \"%s\" \"%s\" driver %s wddm %d pci %s\n", i, dev[i].name,
               dev[i].hardware_id, dev[i].description, vda_display_driver_name(dev[i].driver),
               dev[i].wddm, where);
    }
    WCHECK(&t, dev[0].driver != VDA_DRIVER_QXL && !dev[0].wddm,
           "Wine's adapter is not taken for QXL (driver %s)", vda_display_driver_name(dev[0].driver));
    int modes_ok = offered(dev[0].name, 800, 600) && !offered(dev[0].name, 1000, 700);
    if (!modes_ok) {
        WNOT_RUN(&t, "Wine lists no 800x600 mode here: the closest-mode checks are skipped");
    }

    /* Wine's own adapter: generic, nothing asked of the driver. */
    check_prepare(&t, &lg, &cap, &dev[0], "Wine adapter", "not a QXL device", modes_ok);

    /* The same display taken for QXL with a WDDM driver: D3DKMTEscape is tried
     * through the real gdi32 entry points and refused (no QXL driver). */
    vdg_display_device q = dev[0];
    q.driver = VDA_DRIVER_QXL;
    q.wddm = 1;
    check_prepare(&t, &lg, &cap, &q, "QXL WDDM", "qxl-wddm refused the exact size", modes_ok);
    WCHECK(&t, logged(&cap, "D3DKMT", NULL), "QXL WDDM: the refusal names the D3DKMT call");

    /* Taken for QXL with the XPDM driver: ExtEscape is refused. */
    q.wddm = 0;
    check_prepare(&t, &lg, &cap, &q, "QXL XPDM", "qxl-xpdm refused the exact size: ExtEscape",
                  modes_ok);

    /* virtio-gpu: no QXL escape at all, even on a WDDM adapter. */
    q.driver = VDA_DRIVER_VIRTIO_GPU;
    q.wddm = 1;
    check_prepare(&t, &lg, &cap, &q, "virtio-gpu", "QXL ones are never sent", modes_ok);
    WCHECK(&t, !logged(&cap, "refused", NULL), "virtio-gpu: no escape was tried");

    /* The CCD commit through Wine's SetDisplayConfig, with the current mode. */
    if (dev[0].attached) {
        vdg_display_target tg[VDA_DISPLAY_DEVICES_MAX];
        memset(tg, 0, sizeof tg);
        tg[0] = (vdg_display_target){1, (uint32_t)dev[0].rect.width,
                                     (uint32_t)dev[0].rect.height, 32, 0, 0, 1};
        cap.n = 0;
        int r = vdg_display_qxl_wddm.commit(&lg, dev, 1, tg);
        if (r == 0) {
            /* The plan was built from Wine's QueryDisplayConfig paths, the
             * source matched to \\.\DISPLAY1 by its GDI name. */
            WCHECK(&t, logged(&cap, "DISPLAY1 (display 0) -> ", "(CCD)"),
                   "CCD: Wine's paths planned, the source found by its GDI name");
            if (offered(dev[0].name, 1024, 768) && dev[0].rect.width != 1024) {
                tg[0].width = 1024;
                tg[0].height = 768;
                r = vdg_display_qxl_wddm.commit(&lg, dev, 1, tg);
                int w = GetSystemMetrics(SM_CXSCREEN), h = GetSystemMetrics(SM_CYSCREEN);
                if (r == 0 && w == 1024 && h == 768) {
                    WCHECK(&t, 1, "CCD commit of 1024x768 applied");
                    tg[0].width = (uint32_t)dev[0].rect.width;
                    tg[0].height = (uint32_t)dev[0].rect.height;
                    r = vdg_display_qxl_wddm.commit(&lg, dev, 1, tg);
                    WCHECK(&t, r == 0 && GetSystemMetrics(SM_CXSCREEN) == dev[0].rect.width,
                           "CCD commit back to %dx%d", (int)dev[0].rect.width,
                           (int)dev[0].rect.height);
                } else {
                    WCHECK(&t, r == 0, "CCD commit of 1024x768 accepted by SetDisplayConfig");
                    WNOT_RUN(&t, "CCD layout actually applied: Wine's SetDisplayConfig answers"
                             " success and changes nothing (screen still %dx%d)", w, h);
                }
            }
        } else {
            WCHECK(&t, cap.n >= 1 && (logged(&cap, "QueryDisplayConfig", "error") ||
                                      logged(&cap, "SetDisplayConfig", "error") ||
                                      logged(&cap, "no CCD topology", NULL)),
                   "CCD commit refused by Wine, with the Win32 reason logged");
            WNOT_RUN(&t, "CCD commit (Wine's SetDisplayConfig does not apply it)");
        }
    }
    /* GRAPHICS_DEVICE_INFO naming a device Wine does not have: display id 0
     * keeps today's order, for the pointer and for MONITORS_CONFIG alike. */
    vdg_display_map map;
    memset(&map, 0, sizeof map);
    map.have_info = 1;
    map.info.count = 1;
    map.info.e[0] = (vda_devinfo_entry){0, 0, 0, 0, "pci/0000/02.0"};
    vda_screen_geom g0, g1;
    vdg_screen_geometry(&g0);
    vdg_screen_geometry_mapped(&g1, &map);
    WCHECK(&t, g1.mon_count >= 1 && memcmp(&g0.mon[0], &g1.mon[0], sizeof g0.mon[0]) == 0 &&
                   memcmp(&g0.virt, &g1.virt, sizeof g0.virt) == 0,
           "device info without a matching adapter: the pointer's display 0 is still %ls",
           dev[0].name);
    if (offered(dev[0].name, 1024, 768)) {
        uint8_t cfg[28];
        int w0 = GetSystemMetrics(SM_CXSCREEN), h0 = GetSystemMetrics(SM_CYSCREEN);
        cap.n = 0;
        uint32_t r = vdg_monitors_apply_mapped(&lg, cfg, wtest_monitors_config(cfg, 1, 1024, 768),
                                               0, &map);
        WCHECK(&t, r == VD_AGENT_SUCCESS && GetSystemMetrics(SM_CXSCREEN) == 1024 &&
                       logged(&cap, "DISPLAY1 (display 0, other): generic path", "1024x768 exact"),
               "MONITORS_CONFIG with that device info: display 0 set to 1024x768 (now %dx%d)",
               GetSystemMetrics(SM_CXSCREEN), GetSystemMetrics(SM_CYSCREEN));
        r = vdg_monitors_apply_mapped(&lg, cfg, wtest_monitors_config(cfg, 1, (uint32_t)w0,
                                                                      (uint32_t)h0), 0, &map);
        WCHECK(&t, r == VD_AGENT_SUCCESS && GetSystemMetrics(SM_CXSCREEN) == w0,
               "and back to %dx%d", w0, h0);
    }

    WNOT_RUN(&t, "exact size through QXL_ESCAPE_SET_CUSTOM_DISPLAY (needs the QXL drivers of"
             " a real VM: see vdagent/README.md's checklist)");
    if (!dev[0].pci.has_path) {
        WNOT_RUN(&t, "adapter PCI location (Wine exposes no PCI display adapter)");
    }
    return wtest_exit(&t);
}
