/* DISPLAY_CONFIG through vdagent/display_config.c under Wine: wallpaper, font
 * smoothing and UI effects are turned off and restored, and the user's values
 * survive an agent restart (a second vdg_display_config on the same key).
 *   test_display_config            all but min/max animation (win.input.display_config)
 *   test_display_config animation  min/max animation off and back
 *                                  (win.input.display_config_animation: NOT RUN
 *                                  where the system does not keep the setting,
 *                                  as Wine 8) */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "display_config.h"
#include "base/le_bytes.h"
#include "wtest.h"

#define ALL_FLAGS (VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_WALLPAPER | \
                   VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_FONT_SMOOTH | \
                   VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_ANIMATION)

typedef struct settings {
    wchar_t wallpaper[MAX_PATH + 1];
    BOOL smoothing;
    int min_animate;
    BOOL ui_effects;
} settings;

static void read_settings(settings *s)
{
    memset(s, 0, sizeof *s);
    SystemParametersInfoW(SPI_GETDESKWALLPAPER, MAX_PATH, s->wallpaper, 0);
    SystemParametersInfoW(SPI_GETFONTSMOOTHING, 0, &s->smoothing, 0);
    ANIMATIONINFO ai = {sizeof ai, 0};
    SystemParametersInfoW(SPI_GETANIMATION, sizeof ai, &ai, 0);
    s->min_animate = ai.iMinAnimate;
    SystemParametersInfoW(SPI_GETUIEFFECTS, 0, &s->ui_effects, 0);
}

static uint32_t send_flags(vdg_display_config *d, uint32_t flags)
{
    uint8_t p[8];
    vda_put_le32(p, flags);
    vda_put_le32(p + 4, 0);
    return vdg_display_config_handle(d, p, sizeof p);
}

/* A 2x2 24-bit BMP: a real file for the user's wallpaper. */
static int write_bmp(const wchar_t *path)
{
    static const uint8_t bmp[70] = {
        'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,
        40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 16, 0, 0, 0,
        0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0};
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (f == INVALID_HANDLE_VALUE) return 0;
    DWORD n = 0;
    WriteFile(f, bmp, sizeof bmp, &n, NULL);
    CloseHandle(f);
    return n == sizeof bmp;
}

static int saved_values(const wchar_t *key)
{
    HKEY k;
    if (RegOpenKeyExW(HKEY_CURRENT_USER, key, 0, KEY_READ, &k) != ERROR_SUCCESS) return 0;
    DWORD n = 0;
    RegQueryInfoKeyW(k, NULL, NULL, NULL, NULL, NULL, NULL, &n, NULL, NULL, NULL, NULL);
    RegCloseKey(k);
    return (int)n;
}

/* Min/max animation alone: off with its flag, back to the user's when cleared. */
static int animation(const vda_logger *lg, const wchar_t *key)
{
    wtest t = {0};
    ANIMATIONINFO orig = {sizeof orig, 0}, on = {sizeof on, 1}, now = {sizeof now, 0};
    SystemParametersInfoW(SPI_GETANIMATION, sizeof orig, &orig, 0);
    SystemParametersInfoW(SPI_SETANIMATION, sizeof on, &on, SPIF_SENDCHANGE);
    SystemParametersInfoW(SPI_GETANIMATION, sizeof now, &now, 0);
    if (now.iMinAnimate != 1) {
        printf("NOT RUN: min/max animation: the system does not keep SPI_SETANIMATION"
               " (iMinAnimate reads %d after setting 1)\n", now.iMinAnimate);
        return 77;
    }
    vdg_display_config d;
    vdg_display_config_init(&d, lg, key);
    uint32_t r = send_flags(&d, VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_ANIMATION);
    SystemParametersInfoW(SPI_GETANIMATION, sizeof now, &now, 0);
    WCHECK(&t, r == VD_AGENT_SUCCESS && now.iMinAnimate == 0, "min/max animation off");
    r = send_flags(&d, 0);
    SystemParametersInfoW(SPI_GETANIMATION, sizeof now, &now, 0);
    WCHECK(&t, r == VD_AGENT_SUCCESS && now.iMinAnimate == 1,
           "flag cleared: min/max animation back to the user's (on)");
    vdg_display_config_restore(&d);
    RegDeleteKeyW(HKEY_CURRENT_USER, key);
    SystemParametersInfoW(SPI_SETANIMATION, sizeof orig, &orig, SPIF_SENDCHANGE);
    return wtest_exit(&t);
}

int main(int argc, char **argv)
{
    wtest t = {0};
    vda_logger lg = wtest_logger();
    wchar_t key[128];
    swprintf(key, 128, L"Software\\spice-vdagent-win-test\\Saved%lu",
             (unsigned long)GetCurrentProcessId());
    if (argc > 1 && !strcmp(argv[1], "animation")) return animation(&lg, key);

    /* The "user's own" settings: all on, and a wallpaper file. */
    wchar_t bmp[MAX_PATH];
    GetTempPathW(MAX_PATH, bmp);
    wcscat(bmp, L"vda-wallpaper.bmp");
    settings orig;
    read_settings(&orig);
    int have_wallpaper = write_bmp(bmp) &&
                         SystemParametersInfoW(SPI_SETDESKWALLPAPER, 0, bmp, SPIF_SENDCHANGE);
    SystemParametersInfoW(SPI_SETFONTSMOOTHING, TRUE, NULL, SPIF_SENDCHANGE);
    ANIMATIONINFO on = {sizeof on, 1};
    SystemParametersInfoW(SPI_SETANIMATION, sizeof on, &on, SPIF_SENDCHANGE);
    SystemParametersInfoW(SPI_SETUIEFFECTS, 0, (void *)(INT_PTR)TRUE, SPIF_SENDCHANGE);
    settings user;
    read_settings(&user);
    if (!have_wallpaper || wcscmp(user.wallpaper, bmp) != 0) {
        WNOT_RUN(&t, "Wine did not take a wallpaper (\"%ls\"): wallpaper checks limited to"
                 " \"turned off and restored to what it was\"", user.wallpaper);
        have_wallpaper = 0;
    }
    /* Which settings this Wine keeps at all: the others cannot show anything. */
    /* Min/max animation is its own test (win.input.display_config_animation). */
    int fs_ok = user.smoothing, fx_ok = user.ui_effects;
    if (!fs_ok) WNOT_RUN(&t, "Wine does not keep SPI_SETFONTSMOOTHING: font smoothing unchecked");
    if (!fx_ok) WNOT_RUN(&t, "Wine does not keep SPI_SETUIEFFECTS: UI effects unchecked");

    /* 1. All flags: everything off. */
    vdg_display_config a;
    vdg_display_config_init(&a, &lg, key);
    uint32_t r = send_flags(&a, ALL_FLAGS);
    settings s;
    read_settings(&s);
    WCHECK(&t, r == VD_AGENT_SUCCESS, "all flags: success");
    WCHECK(&t, s.wallpaper[0] == 0, "wallpaper off (\"%ls\")", s.wallpaper);
    if (fs_ok) WCHECK(&t, !s.smoothing, "font smoothing off");
    if (fx_ok) WCHECK(&t, !s.ui_effects, "UI effects off");
    WCHECK(&t, saved_values(key) == 4, "user's values saved in HKCU (%d values)",
           saved_values(key));

    /* 2. Agent restart: a new instance gets the same flags again and must not
     *    take the overridden values for the user's. */
    vdg_display_config b;
    vdg_display_config_init(&b, &lg, key);
    r = send_flags(&b, ALL_FLAGS);
    WCHECK(&t, r == VD_AGENT_SUCCESS, "restarted agent, same flags: success");

    /* 3. Flags partly cleared: those settings come back, the wallpaper stays off. */
    r = send_flags(&b, VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_WALLPAPER);
    read_settings(&s);
    WCHECK(&t, r == VD_AGENT_SUCCESS, "flags partly cleared: success");
    if (fs_ok) WCHECK(&t, s.smoothing, "font smoothing back to the user's (on)");
    if (fx_ok) WCHECK(&t, s.ui_effects, "UI effects back to the user's (on)");
    WCHECK(&t, s.wallpaper[0] == 0, "wallpaper still off");
    WCHECK(&t, saved_values(key) == 1, "only the wallpaper still saved (%d values)",
           saved_values(key));

    /* 4. Client disconnects: everything back, nothing left saved. */
    r = vdg_display_config_restore(&b);
    read_settings(&s);
    WCHECK(&t, r == VD_AGENT_SUCCESS, "restore: success");
    if (have_wallpaper) {
        WCHECK(&t, wcscmp(s.wallpaper, bmp) == 0, "wallpaper restored (\"%ls\")", s.wallpaper);
    } else {
        WCHECK(&t, wcscmp(s.wallpaper, user.wallpaper) == 0, "wallpaper restored (\"%ls\")",
               s.wallpaper);
    }
    WCHECK(&t, saved_values(key) == 0, "no saved values left");
    r = vdg_display_config_restore(&b);
    WCHECK(&t, r == VD_AGENT_SUCCESS, "restore with nothing to restore: success, no-op");

    /* 5. The user's values are the ones from before ANY override: turning only
     *    smoothing off twice and restoring still yields "on". */
    if (fs_ok) {
        send_flags(&a, VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_FONT_SMOOTH);
        send_flags(&a, VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_FONT_SMOOTH);
        vdg_display_config_restore(&a);
        read_settings(&s);
        WCHECK(&t, s.smoothing, "smoothing on after two overrides and one restore");
    }

    /* 6. A short payload: error, nothing changed. */
    uint8_t shortp[4] = {0xff, 0xff, 0xff, 0xff};
    r = vdg_display_config_handle(&a, shortp, sizeof shortp);
    WCHECK(&t, r == VD_AGENT_ERROR && saved_values(key) == 0,
           "4-byte payload: error, nothing changed");

    /* 7. The saved values are session-scoped: the key is volatile, so an
     *    ordinary subkey under it is refused. */
    send_flags(&a, VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_WALLPAPER);
    wchar_t sub[160];
    swprintf(sub, 160, L"%ls\\probe", key);
    HKEY k;
    LONG cr = RegCreateKeyExW(HKEY_CURRENT_USER, sub, 0, NULL, REG_OPTION_NON_VOLATILE, KEY_WRITE,
                              NULL, &k, NULL);
    if (cr == ERROR_SUCCESS) {
        RegCloseKey(k);
        RegDeleteKeyW(HKEY_CURRENT_USER, sub);
    }
    WCHECK(&t, cr == ERROR_CHILD_MUST_BE_VOLATILE, "saved-values key is volatile (error %ld)",
           (long)cr);
    vdg_display_config_restore(&a);

    /* Leave the prefix as we found it. */
    RegDeleteKeyW(HKEY_CURRENT_USER, key);
    SystemParametersInfoW(SPI_SETDESKWALLPAPER, 0, orig.wallpaper, SPIF_SENDCHANGE);
    SystemParametersInfoW(SPI_SETFONTSMOOTHING, orig.smoothing, NULL, SPIF_SENDCHANGE);
    ANIMATIONINFO ao = {sizeof ao, orig.min_animate};
    SystemParametersInfoW(SPI_SETANIMATION, sizeof ao, &ao, SPIF_SENDCHANGE);
    SystemParametersInfoW(SPI_SETUIEFFECTS, 0, (void *)(INT_PTR)orig.ui_effects, SPIF_SENDCHANGE);
    DeleteFileW(bmp);
    return wtest_exit(&t);
}
