/* The agent's input and display features, plugged into the protocol core:
 * VD_AGENT_MOUSE_STATE (mouse_input), VD_AGENT_MONITORS_CONFIG (monitors_win)
 * and VD_AGENT_DISPLAY_CONFIG (display_config), the last two answered with
 * VD_AGENT_REPLY. Announces MOUSE_STATE, MONITORS_CONFIG,
 * SPARSE_MONITORS_CONFIG, REPLY and DISPLAY_CONFIG. */
#ifndef VDA_INPUT_FEATURES_H
#define VDA_INPUT_FEATURES_H

#include "agent_core.h"
#include "display_config.h"
#include "mouse_input.h"
#include "vda_log.h"

typedef struct vda_input_features {
    vda_agent *agent;
    const vda_logger *log;
    vda_mouse mouse;
    int mouse_ok;             /* the mouse worker runs: MOUSE_STATE announced */
    vda_display_config display;
} vda_input_features;

/* Registers the handlers and sets our caps in agent->ours: call after
 * vda_agent_init, before vda_agent_start. Call from the loop's thread. */
void vda_input_features_init(vda_input_features *f, vda_agent *agent, const vda_logger *log);

/* After the loop fed a batch of pipe data: sends the last coalesced move. */
void vda_input_features_batch_done(vda_input_features *f);

/* The client is gone (vda_agent_ops.client_reset): held buttons released,
 * the user's display settings restored. */
void vda_input_features_client_reset(vda_input_features *f);

/* Agent exit: the same, then the mouse worker stopped. */
void vda_input_features_cleanup(vda_input_features *f);

#endif
