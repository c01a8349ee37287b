/* vdagent/input_features.c on the agent's real protocol core (no pipe): the
 * caps are announced, MONITORS_CONFIG and DISPLAY_CONFIG are applied and
 * answered with VD_AGENT_REPLY, MOUSE_STATE moves the pointer after the
 * batch ends, and a client disconnect restores the display settings. */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <spice/vd_agent.h>

#include "agent/agent_core.h"
#include "input_features.h"
#include "base/le_bytes.h"
#include "input_support.h"

typedef struct sent {
    uint32_t type, size;
    uint8_t data[64];
} sent;

static sent outbox[32];
static int n_out;

static int op_send(void *ctx, uint32_t type, uint8_t *payload, uint32_t size)
{
    (void)ctx;
    if (n_out < 32) {
        outbox[n_out].type = type;
        outbox[n_out].size = size;
        memcpy(outbox[n_out].data, payload, size < 64 ? size : 64);
        n_out++;
    }
    free(payload);
    return 0;
}
static void op_take(void *ctx, const uint32_t *types, uint32_t n) { (void)ctx; (void)types; (void)n; }
static void op_drop(void *ctx) { (void)ctx; }
static int op_read(void *ctx, uint32_t type, uint8_t **buf, size_t *size)
{
    (void)ctx; (void)type; *buf = NULL; *size = 0;
    return -1;
}
static void op_stop(void *ctx) { (void)ctx; }

static vdg_input_features features;
static void op_reset(void *ctx) { (void)ctx; vdg_input_features_client_reset(&features); }

static void dispatch(vda_agent *a, uint32_t port, uint32_t type, const uint8_t *p, uint32_t size)
{
    vda_message m = {0};
    m.port = port;
    m.type = type;
    m.size = size;
    if (size) {
        m.data = malloc(size);
        memcpy(m.data, p, size);
    }
    vda_agent_dispatch(a, &m);
}

/* The last REPLY sent: 1 if found, with its fields. */
static int last_reply(uint32_t *type, uint32_t *result)
{
    for (int i = n_out - 1; i >= 0; i--) {
        if (outbox[i].type == VD_AGENT_REPLY && outbox[i].size == 8) {
            *type = vda_le32(outbox[i].data);
            *result = vda_le32(outbox[i].data + 4);
            return 1;
        }
    }
    return 0;
}

int main(void)
{
    wtest t = {0};
    vda_logger lg = wtest_logger();
    vda_agent_ops ops = {0};
    ops.send = op_send;
    ops.take_clipboard = op_take;
    ops.drop_clipboard = op_drop;
    ops.read_guest = op_read;
    ops.stop = op_stop;
    ops.client_reset = op_reset;
    vda_agent agent;
    vda_agent_init(&agent, &ops, 1u << 20, &lg);
    vdg_input_features_init(&features, &agent, &lg);
    vda_agent_start(&agent);

    /* Caps: announced in our ANNOUNCE_CAPABILITIES. */
    const uint32_t caps[] = {VD_AGENT_CAP_MOUSE_STATE, VD_AGENT_CAP_MONITORS_CONFIG,
                             VD_AGENT_CAP_SPARSE_MONITORS_CONFIG, VD_AGENT_CAP_REPLY,
                             VD_AGENT_CAP_DISPLAY_CONFIG};
    int announced = -1;
    for (int i = 0; i < n_out; i++) {
        if (outbox[i].type == VD_AGENT_ANNOUNCE_CAPABILITIES) announced = i;
    }
    WCHECK(&t, announced >= 0, "capabilities announced");
    if (announced >= 0) {
        vda_caps c;
        uint32_t req;
        vda_caps_parse(outbox[announced].data, outbox[announced].size, &req, &c);
        for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
            WCHECK(&t, vda_caps_has(&c, caps[i]), "cap %u announced", (unsigned)caps[i]);
        }
    }

    /* A client with caps (MONITORS_CONFIG_POSITION among them). */
    uint8_t cc[8];
    vda_put_le32(cc, 0);
    vda_put_le32(cc + 4, 1u << VD_AGENT_CAP_MONITORS_CONFIG_POSITION | 1u << VD_AGENT_CAP_REPLY);
    dispatch(&agent, VDP_CLIENT_PORT, VD_AGENT_ANNOUNCE_CAPABILITIES, cc, sizeof cc);

    /* MONITORS_CONFIG -> resolution + REPLY. */
    DEVMODEW dm = {0};
    dm.dmSize = sizeof dm;
    EnumDisplaySettingsW(NULL, ENUM_CURRENT_SETTINGS, &dm);
    uint32_t w0 = dm.dmPelsWidth, h0 = dm.dmPelsHeight;
    uint8_t mc[28];
    uint32_t rt = 0, rr = 0;
    n_out = 0;
    dispatch(&agent, VDP_CLIENT_PORT, VD_AGENT_MONITORS_CONFIG,
             mc, (uint32_t)wtest_monitors_config(mc, 1, 1024, 768));
    WCHECK(&t, last_reply(&rt, &rr) && rt == VD_AGENT_MONITORS_CONFIG, "MONITORS_CONFIG answered");
    WCHECK(&t, rr == VD_AGENT_SUCCESS && GetSystemMetrics(SM_CXSCREEN) == 1024,
           "reply says success, screen is %d wide (fixture's Xvfb offers 1024x768)",
           GetSystemMetrics(SM_CXSCREEN));
    n_out = 0;
    dispatch(&agent, VDP_CLIENT_PORT, VD_AGENT_MONITORS_CONFIG,
             mc, (uint32_t)wtest_monitors_config(mc, 9, 1024, 768));
    WCHECK(&t, last_reply(&rt, &rr) && rt == VD_AGENT_MONITORS_CONFIG && rr == VD_AGENT_ERROR,
           "malformed MONITORS_CONFIG: REPLY error");

    /* MOUSE_STATE (server port): pending until the batch ends. */
    uint8_t ms[13] = {0};
    vda_put_le32(ms, 321);
    vda_put_le32(ms + 4, 123);
    dispatch(&agent, VDP_SERVER_PORT, VD_AGENT_MOUSE_STATE, ms, sizeof ms);
    vdg_input_features_batch_done(&features);
    vdg_mouse_wait_idle(&features.mouse, 2000);
    Sleep(50);
    POINT p = {0, 0};
    GetCursorPos(&p);
    WCHECK(&t, p.x == 321 && p.y == 123, "MOUSE_STATE moved the pointer to %ld,%ld", p.x, p.y);

    /* DISPLAY_CONFIG -> REPLY; client disconnect restores. */
    SystemParametersInfoW(SPI_SETFONTSMOOTHING, TRUE, NULL, SPIF_SENDCHANGE);
    if (!wtest_font_smoothing()) {
        WNOT_RUN(&t, "Wine does not keep font smoothing: DISPLAY_CONFIG round trip unchecked");
    } else {
        uint8_t dc[8] = {0};
        vda_put_le32(dc, VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_FONT_SMOOTH);
        n_out = 0;
        dispatch(&agent, VDP_CLIENT_PORT, VD_AGENT_DISPLAY_CONFIG, dc, sizeof dc);
        WCHECK(&t, last_reply(&rt, &rr) && rt == VD_AGENT_DISPLAY_CONFIG && rr == VD_AGENT_SUCCESS,
               "DISPLAY_CONFIG: REPLY success");
        WCHECK(&t, !wtest_font_smoothing(), "font smoothing off");
        dispatch(&agent, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0);
        WCHECK(&t, wtest_font_smoothing(), "client disconnected: font smoothing restored");
    }

    /* Leave the display as we found it. */
    dispatch(&agent, VDP_CLIENT_PORT, VD_AGENT_MONITORS_CONFIG,
             mc, (uint32_t)wtest_monitors_config(mc, 1, w0, h0));
    vdg_input_features_cleanup(&features);
    vda_agent_free(&agent);
    return wtest_exit(&t);
}
