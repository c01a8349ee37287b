#include "agent/mouse_coords.h"

uint16_t vda_mouse_norm_axis(int64_t offset, int32_t extent)
{
    if (extent <= 0 || offset <= 0) {
        return 0;
    }
    if (offset >= extent) {
        offset = extent - 1;
    }
    /* ceil(offset * 65536 / extent): the smallest n with floor(n * extent / 65536)
     * == offset, so Windows lands on exactly this pixel. */
    int64_t n = (offset * 65536 + extent - 1) / extent;
    return n > 65535 ? 65535 : (uint16_t)n;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

vda_norm_result vda_mouse_normalise(const vda_screen_geom *g, uint32_t x, uint32_t y,
                                    uint32_t display_id, vda_abs_pos *out)
{
    if (display_id >= g->mon_count || display_id >= VDA_MOUSE_MAX_MONITORS) {
        return VDA_NORM_NO_MONITOR;
    }
    const vda_rect *m = &g->mon[display_id];
    if (g->virt.width <= 0 || g->virt.height <= 0 || m->width <= 0 || m->height <= 0) {
        return VDA_NORM_BAD_GEOMETRY;
    }
    vda_norm_result r = VDA_NORM_OK;
    int64_t px = x, py = y;  /* uint32 -> int64: never negative, never overflows */
    if (px >= m->width || py >= m->height) {
        r = VDA_NORM_CLAMPED;
        px = clamp64(px, 0, (int64_t)m->width - 1);
        py = clamp64(py, 0, (int64_t)m->height - 1);
    }
    /* Monitor-relative -> virtual-desktop -> offset from the virtual origin. */
    int64_t ox = (int64_t)m->x + px - g->virt.x;
    int64_t oy = (int64_t)m->y + py - g->virt.y;
    if (ox < 0 || oy < 0 || ox >= g->virt.width || oy >= g->virt.height) {
        r = VDA_NORM_CLAMPED;
    }
    out->x = vda_mouse_norm_axis(ox, g->virt.width);
    out->y = vda_mouse_norm_axis(oy, g->virt.height);
    return r;
}

void vda_mouse_tracker_init(vda_mouse_tracker *t)
{
    *t = (vda_mouse_tracker){0};
}

/* One row per button bit: the events for its press and release. */
typedef struct button_map {
    uint32_t mask;
    vda_mouse_ev_kind down, up;
    int has_up;  /* the wheel has no "up" event */
} button_map;

static const button_map buttons_map[] = {
    {VD_AGENT_LBUTTON_MASK, VDA_MOUSE_EV_LEFT_DOWN, VDA_MOUSE_EV_LEFT_UP, 1},
    {VD_AGENT_MBUTTON_MASK, VDA_MOUSE_EV_MIDDLE_DOWN, VDA_MOUSE_EV_MIDDLE_UP, 1},
    {VD_AGENT_RBUTTON_MASK, VDA_MOUSE_EV_RIGHT_DOWN, VDA_MOUSE_EV_RIGHT_UP, 1},
    {VD_AGENT_SBUTTON_MASK, VDA_MOUSE_EV_X1_DOWN, VDA_MOUSE_EV_X1_UP, 1},
    {VD_AGENT_EBUTTON_MASK, VDA_MOUSE_EV_X2_DOWN, VDA_MOUSE_EV_X2_UP, 1},
    {VD_AGENT_UBUTTON_MASK, VDA_MOUSE_EV_WHEEL_UP, VDA_MOUSE_EV_WHEEL_UP, 0},
    {VD_AGENT_DBUTTON_MASK, VDA_MOUSE_EV_WHEEL_DOWN, VDA_MOUSE_EV_WHEEL_DOWN, 0},
};

static size_t take_pending(vda_mouse_tracker *t, vda_mouse_event *out)
{
    if (!t->have_pending) {
        return 0;
    }
    t->have_pending = 0;
    if (t->have_sent && t->sent.x == t->pending.x && t->sent.y == t->pending.y) {
        return 0;
    }
    t->sent = t->pending;
    t->have_sent = 1;
    out->kind = VDA_MOUSE_EV_MOVE;
    out->pos = t->sent;
    return 1;
}

size_t vda_mouse_tracker_feed(vda_mouse_tracker *t, int have_pos, vda_abs_pos pos,
                              uint32_t buttons, vda_mouse_event *out)
{
    if (have_pos) {
        t->pending = pos;
        t->have_pending = 1;
    }
    buttons &= VDA_MOUSE_BUTTON_BITS;
    uint32_t changed = buttons ^ t->buttons;
    if (!changed) {
        return 0;
    }
    size_t n = take_pending(t, out);
    for (size_t i = 0; i < sizeof buttons_map / sizeof buttons_map[0]; i++) {
        const button_map *b = &buttons_map[i];
        if (!(changed & b->mask)) {
            continue;
        }
        int down = (buttons & b->mask) != 0;
        if (!down && !b->has_up) {
            continue;
        }
        out[n].kind = down ? b->down : b->up;
        out[n].pos = t->sent;
        n++;
    }
    t->buttons = buttons;
    return n;
}

size_t vda_mouse_tracker_flush(vda_mouse_tracker *t, vda_mouse_event *out)
{
    return take_pending(t, out);
}

size_t vda_mouse_tracker_release_all(vda_mouse_tracker *t, vda_mouse_event *out)
{
    size_t n = 0;
    t->have_pending = 0;
    for (size_t i = 0; i < sizeof buttons_map / sizeof buttons_map[0]; i++) {
        const button_map *b = &buttons_map[i];
        if ((t->buttons & b->mask) && b->has_up) {
            out[n].kind = b->up;
            out[n].pos = t->sent;
            n++;
        }
    }
    t->buttons = 0;
    return n;
}

const char *vda_mouse_ev_name(vda_mouse_ev_kind k)
{
    switch (k) {
    case VDA_MOUSE_EV_MOVE: return "move";
    case VDA_MOUSE_EV_LEFT_DOWN: return "left-down";
    case VDA_MOUSE_EV_LEFT_UP: return "left-up";
    case VDA_MOUSE_EV_MIDDLE_DOWN: return "middle-down";
    case VDA_MOUSE_EV_MIDDLE_UP: return "middle-up";
    case VDA_MOUSE_EV_RIGHT_DOWN: return "right-down";
    case VDA_MOUSE_EV_RIGHT_UP: return "right-up";
    case VDA_MOUSE_EV_X1_DOWN: return "x1-down";
    case VDA_MOUSE_EV_X1_UP: return "x1-up";
    case VDA_MOUSE_EV_X2_DOWN: return "x2-down";
    case VDA_MOUSE_EV_X2_UP: return "x2-up";
    case VDA_MOUSE_EV_WHEEL_UP: return "wheel-up";
    case VDA_MOUSE_EV_WHEEL_DOWN: return "wheel-down";
    }
    return "unknown";
}
