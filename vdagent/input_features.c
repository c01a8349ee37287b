#include "input_features.h"

#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
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
    uint32_t r = vdg_monitors_apply_mapped(f->log, m->data, m->size, pos_cap, &f->map);
    if (f->mouse_ok) {
        vdg_mouse_geometry_changed(&f->mouse);
    }
    send_reply(f, VD_AGENT_MONITORS_CONFIG, r);
}

static void on_device_info(void *ctx, const vda_message *m)
{
    vdg_input_features *f = ctx;
    if (m->port != VDP_SERVER_PORT) {
        /* Only spice-server knows the devices; a client must not remap them. */
        vda_warn(f->log, "device-info: message from port %u (not the server's) discarded",
                 (unsigned)m->port);
        return;
    }
    vda_devinfo info;
    uint32_t bad = 0;
    vda_devinfo_status s = vda_devinfo_parse(m->data, m->size, &info, &bad);
    if (s != VDA_DEVINFO_OK) {
        vda_warn(f->log, "device-info: message of %zu bytes discarded: %s (entry %u); display"
                 " ids keep their previous meaning", (size_t)m->size, vda_devinfo_status_str(s),
                 (unsigned)bad);
        return;
    }
    f->map.info = info;
    f->map.have_info = 1;
    vdg_display_device dev[VDA_DISPLAY_DEVICES_MAX];
    size_t n = vdg_display_devices_ex(dev, VDA_DISPLAY_DEVICES_MAX, 1);
    uint32_t ids[VDA_MONITORS_MAX];
    vdg_display_ids(&f->map, dev, n, ids);
    for (uint32_t i = 0; i < info.count; i++) {
        const vda_devinfo_entry *e = &info.e[i];
        uint32_t d = ids[e->display_id];
        vda_info(f->log, "device-info: display id %u (channel %u, monitor %u) = %s output %u -> %ls",
                 (unsigned)e->display_id, (unsigned)e->channel_id, (unsigned)e->monitor_id,
                 e->address, (unsigned)e->device_display_id,
                 d == VDA_DISPLAY_UNMAPPED ? L"(none)" : dev[d].name);
    }
    if (f->mouse_ok) {
        vdg_mouse_geometry_changed(&f->mouse);
    }
}

static void on_audio_volume(void *ctx, const vda_message *m)
{
    vdg_input_features *f = ctx;
    vdg_audio_volume_handle(&f->audio, m->data, m->size);
}

static void on_display_config(void *ctx, const vda_message *m)
{
    vdg_input_features *f = ctx;
    send_reply(f, VD_AGENT_DISPLAY_CONFIG, vdg_display_config_handle(&f->display, m->data, m->size));
}

void vdg_input_features_init(vdg_input_features *f, vda_agent *agent, const vda_logger *log)
{
    vdg_input_features_init_parts(f, agent, log, VDG_FEAT_ALL);
}

void vdg_input_features_init_parts(vdg_input_features *f, vda_agent *agent,
                                   const vda_logger *log, unsigned parts)
{
    f->agent = agent;
    f->log = log;
    /* Our geometry is in physical pixels, like EnumDisplaySettings. */
    SetProcessDPIAware();
    f->mouse_ok = 0;
    vdg_display_config_init(&f->display, log, NULL);
    memset(&f->map, 0, sizeof f->map);
    vdg_audio_volume_init(&f->audio, log);
    vda_caps_set(&agent->ours, VD_AGENT_CAP_REPLY);
    if (parts & VDG_FEAT_POINTER_DISPLAY) {
        f->mouse_ok = vdg_mouse_init(&f->mouse, log) == 0;
        if (f->mouse_ok) {
            f->mouse.map = &f->map;
            vda_agent_set_handler(agent, VD_AGENT_MOUSE_STATE, on_mouse, f);
            vda_caps_set(&agent->ours, VD_AGENT_CAP_MOUSE_STATE);
        }
        vda_agent_set_handler(agent, VD_AGENT_MONITORS_CONFIG, on_monitors, f);
        vda_caps_set(&agent->ours, VD_AGENT_CAP_MONITORS_CONFIG);
        vda_caps_set(&agent->ours, VD_AGENT_CAP_SPARSE_MONITORS_CONFIG);
        vda_agent_set_handler(agent, VD_AGENT_GRAPHICS_DEVICE_INFO, on_device_info, f);
        vda_caps_set(&agent->ours, VD_AGENT_CAP_GRAPHICS_DEVICE_INFO);
    }
    if (parts & VDG_FEAT_USER_SETTINGS) {
        vda_agent_set_handler(agent, VD_AGENT_DISPLAY_CONFIG, on_display_config, f);
        vda_caps_set(&agent->ours, VD_AGENT_CAP_DISPLAY_CONFIG);
        vda_agent_set_handler(agent, VD_AGENT_AUDIO_VOLUME_SYNC, on_audio_volume, f);
        vda_caps_set(&agent->ours, VD_AGENT_CAP_AUDIO_VOLUME_SYNC);
    }
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
