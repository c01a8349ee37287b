/* VD_AGENT_DISPLAY_CONFIG: turn off wallpaper, font smoothing and animations
 * while a client is connected, and give the user their own settings back.
 *
 * Before a setting is first overridden, the user's value is saved in a
 * VOLATILE key under HKCU: it survives an agent restart (a new agent finds the
 * saved value and does not mistake the overridden one for the user's), and it
 * disappears with the logon session, when Windows forgets our overrides too
 * (they are set without SPIF_UPDATEINIFILE, so the user's profile is never
 * changed). A saved value exists exactly while its setting is overridden; the
 * registry, not this struct, is the state, so a restarted agent restores what
 * its predecessor changed.
 *
 * Settings per flag:
 *   DISABLE_WALLPAPER   SPI_SETDESKWALLPAPER ""        (saved: the path)
 *   DISABLE_FONT_SMOOTH SPI_SETFONTSMOOTHING FALSE     (saved: on/off)
 *   DISABLE_ANIMATION   SPI_SETANIMATION iMinAnimate=0 and SPI_SETUIEFFECTS FALSE
 *   SET_COLOR_DEPTH     not applied (Windows 8+ runs at 32 bpp only); logged. */
#ifndef VDG_DISPLAY_CONFIG_H
#define VDG_DISPLAY_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "base/vda_log.h"

/* Where the saved values live, under HKEY_CURRENT_USER (the parent key is an
 * ordinary key, the last component the volatile one). */
#define VDA_DISPLAY_CONFIG_KEY L"Software\\spice-vdagent-win\\SavedDisplaySettings"

typedef struct vdg_display_config {
    const vda_logger *log;
    wchar_t key[160];         /* HKCU subkey of the saved values */
} vdg_display_config;

/* key: NULL for VDA_DISPLAY_CONFIG_KEY (tests pass their own). Touches nothing. */
void vdg_display_config_init(vdg_display_config *d, const vda_logger *log, const wchar_t *key);

/* One VD_AGENT_DISPLAY_CONFIG payload (VDAgentDisplayConfig, 8 bytes). Applies
 * the flags that are set, restores the settings whose flag is clear. Returns
 * VD_AGENT_SUCCESS, or VD_AGENT_ERROR if the payload is short or a setting
 * could not be changed (logged). */
uint32_t vdg_display_config_handle(vdg_display_config *d, const uint8_t *payload, size_t size);

/* Client gone: every overridden setting back to the user's value. Returns
 * VD_AGENT_SUCCESS or VD_AGENT_ERROR (logged); safe to call at any time. */
uint32_t vdg_display_config_restore(vdg_display_config *d);

#endif
