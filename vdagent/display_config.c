#include "display_config.h"
#include "vdw_error.h"

#include <string.h>
#include <windows.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"

/* Broadcast the change (apps redraw) but never write it to the user profile. */
#define SPI_FLAGS SPIF_SENDCHANGE

typedef enum setting_result { SETTING_OK = 0, SETTING_FAILED = 1 } setting_result;

/* Opens (creating if asked) the volatile key; NULL if absent or on error. */
static HKEY open_key(const vdg_display_config *d, int create)
{
    HKEY k = NULL;
    if (!create) {
        if (RegOpenKeyExW(HKEY_CURRENT_USER, d->key, 0, KEY_READ | KEY_WRITE, &k) != ERROR_SUCCESS) {
            return NULL;
        }
        return k;
    }
    /* The parent as an ordinary key (a volatile parent would refuse ordinary
     * children), then the last component volatile. */
    wchar_t parent[sizeof d->key / sizeof d->key[0]];
    wcscpy(parent, d->key);
    wchar_t *slash = wcsrchr(parent, L'\\');
    if (slash) {
        *slash = 0;
        HKEY p;
        if (RegCreateKeyExW(HKEY_CURRENT_USER, parent, 0, NULL, REG_OPTION_NON_VOLATILE,
                            KEY_WRITE, NULL, &p, NULL) == ERROR_SUCCESS) {
            RegCloseKey(p);
        }
    }
    LONG r = RegCreateKeyExW(HKEY_CURRENT_USER, d->key, 0, NULL, REG_OPTION_VOLATILE,
                             KEY_READ | KEY_WRITE, NULL, &k, NULL);
    if (r != ERROR_SUCCESS) {
        vda_warn(d->log, "display-config: cannot create HKCU\\%ls (error %ld)", d->key, (long)r);
        return NULL;
    }
    return k;
}

static int saved_dword(const vdg_display_config *d, const wchar_t *name, DWORD *v)
{
    HKEY k = open_key(d, 0);
    if (!k) {
        return 0;
    }
    DWORD type, size = sizeof *v;
    LONG r = RegQueryValueExW(k, name, NULL, &type, (BYTE *)v, &size);
    RegCloseKey(k);
    return r == ERROR_SUCCESS && type == REG_DWORD && size == sizeof *v;
}

static int saved_string(const vdg_display_config *d, const wchar_t *name, wchar_t *buf,
                        DWORD chars)
{
    HKEY k = open_key(d, 0);
    if (!k) {
        return 0;
    }
    DWORD type, size = (chars - 1) * sizeof(wchar_t);
    memset(buf, 0, chars * sizeof(wchar_t));
    LONG r = RegQueryValueExW(k, name, NULL, &type, (BYTE *)buf, &size);
    RegCloseKey(k);
    return r == ERROR_SUCCESS && type == REG_SZ;
}

static int save_value(const vdg_display_config *d, const wchar_t *name, DWORD type,
                      const void *data, DWORD size)
{
    HKEY k = open_key(d, 1);
    if (!k) {
        return 0;
    }
    LONG r = RegSetValueExW(k, name, 0, type, data, size);
    RegCloseKey(k);
    if (r != ERROR_SUCCESS) {
        vda_warn(d->log, "display-config: cannot save %ls (error %ld)", name, (long)r);
        return 0;
    }
    return 1;
}

static void forget_value(const vdg_display_config *d, const wchar_t *name)
{
    HKEY k = open_key(d, 0);
    if (k) {
        RegDeleteValueW(k, name);
        RegCloseKey(k);
    }
}

static setting_result spi_failed(const vdg_display_config *d, const char *what)
{
    char msg[VDW_ERR_MAX];
    vda_warn(d->log, "display-config: %s failed: %s", what, vdw_last_err_str(msg, sizeof msg));
    return SETTING_FAILED;
}

/* ---- wallpaper ---- */

static setting_result wallpaper(const vdg_display_config *d, int disable)
{
    wchar_t path[MAX_PATH + 1];
    int saved = saved_string(d, L"Wallpaper", path, MAX_PATH + 1);
    if (disable) {
        if (!saved) {
            memset(path, 0, sizeof path);
            if (!SystemParametersInfoW(SPI_GETDESKWALLPAPER, MAX_PATH, path, 0)) {
                return spi_failed(d, "reading the wallpaper");
            }
            if (!save_value(d, L"Wallpaper", REG_SZ, path,
                            (DWORD)((wcslen(path) + 1) * sizeof(wchar_t)))) {
                return SETTING_FAILED;  /* never override what we could not save */
            }
            vda_info(d->log, "display-config: wallpaper off (was \"%ls\")", path);
        }
        if (!SystemParametersInfoW(SPI_SETDESKWALLPAPER, 0, (void *)L"", SPI_FLAGS)) {
            return spi_failed(d, "turning the wallpaper off");
        }
        return SETTING_OK;
    }
    if (!saved) {
        return SETTING_OK;
    }
    if (!SystemParametersInfoW(SPI_SETDESKWALLPAPER, 0, path, SPI_FLAGS)) {
        return spi_failed(d, "restoring the wallpaper");
    }
    vda_info(d->log, "display-config: wallpaper restored (\"%ls\")", path);
    forget_value(d, L"Wallpaper");
    return SETTING_OK;
}

/* ---- font smoothing ---- */

static setting_result font_smoothing(const vdg_display_config *d, int disable)
{
    DWORD user;
    int saved = saved_dword(d, L"FontSmoothing", &user);
    if (disable) {
        if (!saved) {
            BOOL on = FALSE;
            if (!SystemParametersInfoW(SPI_GETFONTSMOOTHING, 0, &on, 0)) {
                return spi_failed(d, "reading font smoothing");
            }
            user = on ? 1 : 0;
            if (!save_value(d, L"FontSmoothing", REG_DWORD, &user, sizeof user)) {
                return SETTING_FAILED;
            }
            vda_info(d->log, "display-config: font smoothing off (was %s)", user ? "on" : "off");
        }
        if (!SystemParametersInfoW(SPI_SETFONTSMOOTHING, FALSE, NULL, SPI_FLAGS)) {
            return spi_failed(d, "turning font smoothing off");
        }
        return SETTING_OK;
    }
    if (!saved) {
        return SETTING_OK;
    }
    if (!SystemParametersInfoW(SPI_SETFONTSMOOTHING, user ? TRUE : FALSE, NULL, SPI_FLAGS)) {
        return spi_failed(d, "restoring font smoothing");
    }
    vda_info(d->log, "display-config: font smoothing restored (%s)", user ? "on" : "off");
    forget_value(d, L"FontSmoothing");
    return SETTING_OK;
}

/* ---- animations: window min/max animation and the UI effects switch ---- */

static int set_animation(int min_animate, BOOL ui_effects)
{
    ANIMATIONINFO ai = {sizeof ai, min_animate};
    return SystemParametersInfoW(SPI_SETANIMATION, sizeof ai, &ai, SPI_FLAGS) &&
           SystemParametersInfoW(SPI_SETUIEFFECTS, 0, (void *)(INT_PTR)ui_effects, SPI_FLAGS);
}

static setting_result animation(const vdg_display_config *d, int disable)
{
    DWORD min_anim, effects;
    int saved = saved_dword(d, L"MinAnimate", &min_anim) &&
                saved_dword(d, L"UIEffects", &effects);
    if (disable) {
        if (!saved) {
            ANIMATIONINFO ai = {sizeof ai, 0};
            BOOL fx = FALSE;
            if (!SystemParametersInfoW(SPI_GETANIMATION, sizeof ai, &ai, 0) ||
                !SystemParametersInfoW(SPI_GETUIEFFECTS, 0, &fx, 0)) {
                return spi_failed(d, "reading the animation settings");
            }
            min_anim = ai.iMinAnimate ? 1 : 0;
            effects = fx ? 1 : 0;
            /* UIEffects last: it is what marks the pair as saved. */
            if (!save_value(d, L"MinAnimate", REG_DWORD, &min_anim, sizeof min_anim) ||
                !save_value(d, L"UIEffects", REG_DWORD, &effects, sizeof effects)) {
                return SETTING_FAILED;
            }
            vda_info(d->log, "display-config: animations off (were %s/%s)",
                     min_anim ? "on" : "off", effects ? "on" : "off");
        }
        if (!set_animation(0, FALSE)) {
            return spi_failed(d, "turning animations off");
        }
        return SETTING_OK;
    }
    if (!saved) {
        forget_value(d, L"MinAnimate");  /* half a pair from an interrupted save */
        return SETTING_OK;
    }
    if (!set_animation((int)min_anim, effects ? TRUE : FALSE)) {
        return spi_failed(d, "restoring animations");
    }
    vda_info(d->log, "display-config: animations restored");
    forget_value(d, L"MinAnimate");
    forget_value(d, L"UIEffects");
    return SETTING_OK;
}

void vdg_display_config_init(vdg_display_config *d, const vda_logger *log, const wchar_t *key)
{
    memset(d, 0, sizeof *d);
    d->log = log;
    wcsncpy(d->key, key ? key : VDA_DISPLAY_CONFIG_KEY, sizeof d->key / sizeof d->key[0] - 1);
}

static uint32_t apply_flags(vdg_display_config *d, uint32_t flags)
{
    setting_result r = SETTING_OK;
    r |= wallpaper(d, (flags & VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_WALLPAPER) != 0);
    r |= font_smoothing(d, (flags & VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_FONT_SMOOTH) != 0);
    r |= animation(d, (flags & VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_ANIMATION) != 0);
    return r == SETTING_OK ? VD_AGENT_SUCCESS : VD_AGENT_ERROR;
}

uint32_t vdg_display_config_handle(vdg_display_config *d, const uint8_t *payload, size_t size)
{
    if (size < sizeof(VDAgentDisplayConfig)) {
        vda_warn(d->log, "display-config: message of %zu bytes discarded (needs %zu)", size,
                 sizeof(VDAgentDisplayConfig));
        return VD_AGENT_ERROR;
    }
    uint32_t flags = vda_le32(payload);
    if (flags & VD_AGENT_DISPLAY_CONFIG_FLAG_SET_COLOR_DEPTH) {
        vda_info(d->log, "display-config: color depth %u requested; not applied (Windows"
                 " runs at 32 bpp)", (unsigned)vda_le32(payload + 4));
    }
    vda_debug(d->log, "display-config: flags 0x%x", (unsigned)flags);
    return apply_flags(d, flags);
}

uint32_t vdg_display_config_restore(vdg_display_config *d)
{
    return apply_flags(d, 0);
}
