/* The agent's input, display and audio-volume features, plugged into the
 * protocol core: VD_AGENT_MOUSE_STATE (mouse_input), VD_AGENT_MONITORS_CONFIG
 * (monitors_win) and VD_AGENT_DISPLAY_CONFIG (display_config), the last two
 * answered with VD_AGENT_REPLY; VD_AGENT_GRAPHICS_DEVICE_INFO (which display a
 * client display id means, for both MONITORS_CONFIG and the mouse) and
 * VD_AGENT_AUDIO_VOLUME_SYNC (audio_volume_win). Announces MOUSE_STATE,
 * MONITORS_CONFIG, SPARSE_MONITORS_CONFIG, REPLY, DISPLAY_CONFIG,
 * GRAPHICS_DEVICE_INFO and AUDIO_VOLUME_SYNC. */
#ifndef VDG_INPUT_FEATURES_H
#define VDG_INPUT_FEATURES_H

#include "agent/agent_core.h"
#include "audio_volume_win.h"
#include "display_config.h"
#include "monitors_win.h"
#include "mouse_input.h"
#include "base/vda_log.h"

/* Which features an agent role runs (vdagent --role). */
#define VDG_FEAT_POINTER_DISPLAY 1u  /* system role: MOUSE_STATE, MONITORS_CONFIG,
                                        GRAPHICS_DEVICE_INFO */
#define VDG_FEAT_USER_SETTINGS 2u    /* user role: DISPLAY_CONFIG, AUDIO_VOLUME_SYNC */
#define VDG_FEAT_ALL (VDG_FEAT_POINTER_DISPLAY | VDG_FEAT_USER_SETTINGS)

typedef struct vdg_input_features {
    vda_agent *agent;
    const vda_logger *log;
    vdg_mouse mouse;
    int mouse_ok;             /* the mouse worker runs: MOUSE_STATE announced */
    vdg_display_config display;
    vdg_display_map map;      /* from GRAPHICS_DEVICE_INFO; kept across clients
                                 (the server sends it when the agent connects) */
    vdg_audio_volume audio;
} vdg_input_features;

/* Registers the handlers and sets our caps in agent->ours: call after
 * vda_agent_init, before vda_agent_start. Call from the loop's thread. */
void vdg_input_features_init(vdg_input_features *f, vda_agent *agent, const vda_logger *log);
/* The same, for the features in `parts` only (VDG_FEAT_*). */
void vdg_input_features_init_parts(vdg_input_features *f, vda_agent *agent,
                                   const vda_logger *log, unsigned parts);

/* After the loop fed a batch of pipe data: sends the last coalesced move. */
void vdg_input_features_batch_done(vdg_input_features *f);

/* The client is gone (vda_agent_ops.client_reset): held buttons released,
 * the user's display settings restored. */
void vdg_input_features_client_reset(vdg_input_features *f);

/* Agent exit: the same, then the mouse worker stopped. */
void vdg_input_features_cleanup(vdg_input_features *f);

#endif
