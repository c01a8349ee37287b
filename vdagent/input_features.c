#include "input_features.h"

#include <stdlib.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
#include "monitors_win.h"
#include "wire/msg_sizes.h"

static void send_reply(vdg_input_features *f, uint32_t type, uint32_t result)
{
    uint8_t *p = malloc(sizeof(VDAgentReply));
    if (!p) {
        vda_error(f->log, "no memory for the reply to %s", vda_msg_type_name(type));
        return;
    }
    vda_put_le32(p, type);
    vda_put_le32(p + 4, result);
    f->agent->ops.send(f->agent->ops.ctx, VD_AGENT_REPLY, p, sizeof(VDAgentReply));
}

static void on_mouse(void *ctx, const vda_message *m)
{
    vdg_input_features *f = ctx;
    vdg_mouse_handle(&f->mouse, m->data, m->size);
}

static void on_monitors(void *ctx, const vda_message *m)
{
    vdg_input_features *f = ctx;
    int pos_cap = vda_caps_has(&f->agent->client, VD_AGENT_CAP_MONITORS_CONFIG_POSITION);
    uint32_t r = vdg_monitors_apply(f->log, m->data, m->size, pos_cap);
    if (f->mouse_ok) {
        vdg_mouse_geometry_changed(&f->mouse);
    }
    send_reply(f, VD_AGENT_MONITORS_CONFIG, r);
}

static void on_display_config(void *ctx, const vda_message *m)
{
    vdg_input_features *f = ctx;
    send_reply(f, VD_AGENT_DISPLAY_CONFIG, vdg_display_config_handle(&f->display, m->data, m->size));
}

void vdg_input_features_init(vdg_input_features *f, vda_agent *agent, const vda_logger *log)
{
    f->agent = agent;
    f->log = log;
    /* Our geometry is in physical pixels, like EnumDisplaySettings. */
    SetProcessDPIAware();
    f->mouse_ok = vdg_mouse_init(&f->mouse, log) == 0;
    vdg_display_config_init(&f->display, log, NULL);
    if (f->mouse_ok) {
        vda_agent_set_handler(agent, VD_AGENT_MOUSE_STATE, on_mouse, f);
        vda_caps_set(&agent->ours, VD_AGENT_CAP_MOUSE_STATE);
    }
    vda_agent_set_handler(agent, VD_AGENT_MONITORS_CONFIG, on_monitors, f);
    vda_agent_set_handler(agent, VD_AGENT_DISPLAY_CONFIG, on_display_config, f);
    vda_caps_set(&agent->ours, VD_AGENT_CAP_MONITORS_CONFIG);
    vda_caps_set(&agent->ours, VD_AGENT_CAP_SPARSE_MONITORS_CONFIG);
    vda_caps_set(&agent->ours, VD_AGENT_CAP_REPLY);
    vda_caps_set(&agent->ours, VD_AGENT_CAP_DISPLAY_CONFIG);
}

void vdg_input_features_batch_done(vdg_input_features *f)
{
    if (f->mouse_ok) {
        vdg_mouse_flush(&f->mouse);
    }
}

void vdg_input_features_client_reset(vdg_input_features *f)
{
    if (f->mouse_ok) {
        vdg_mouse_reset(&f->mouse);
    }
    vdg_display_config_restore(&f->display);
}

void vdg_input_features_cleanup(vdg_input_features *f)
{
    vdg_display_config_restore(&f->display);
    if (f->mouse_ok) {
        vdg_mouse_cleanup(&f->mouse);
        f->mouse_ok = 0;
    }
}
