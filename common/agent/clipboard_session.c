#include "agent/clipboard_session.h"

#include <string.h>

#include <spice/vd_agent.h>

void vda_cb_session_init(vda_cb_session *s, uint64_t own_max)
{
    memset(s, 0, sizeof *s);
    s->client_max = -1;
    s->own_max = own_max;
}

int vda_cb_session_forget_client(vda_cb_session *s)
{
    int was_waiting = s->want_pending;
    uint64_t own_max = s->own_max;
    uint64_t epoch = s->epoch;
    vda_cb_session_init(s, own_max);
    s->epoch = epoch + 1;
    return was_waiting;
}

vda_cb_grab_result vda_cb_session_client_grab(vda_cb_session *s, const vda_cb_grab *g,
                                              int serial_on)
{
    if (serial_on) {
        if (g->serial == s->serial)
            s->serial++;
        else if (s->serial == 0 || g->serial != s->serial - 1) /* counter-1: race, client wins */
            return VDA_CB_GRAB_STALE;
    }
    s->owner = VDA_CB_OWNER_CLIENT;
    s->n_guest_types = 0;
    s->n_client_types = 0;
    for (uint32_t i = 0; i < g->count && i < VDA_CB_MAX_TYPES; i++)
        if (vda_cb_type_known(g->types[i]))
            s->client_types[s->n_client_types++] = g->types[i];
    return VDA_CB_GRAB_TAKEN;
}

int vda_cb_session_client_release(vda_cb_session *s)
{
    if (s->owner != VDA_CB_OWNER_CLIENT)
        return 0;
    s->owner = VDA_CB_OWNER_NONE;
    s->n_client_types = 0;
    return 1;
}

void vda_cb_session_guest_changed(vda_cb_session *s, const uint32_t *types, uint32_t n,
                                  int serial_on, int no_release_on_regrab,
                                  vda_cb_guest_change *out)
{
    memset(out, 0, sizeof *out);
    if (n > VDA_CB_MAX_TYPES)
        n = VDA_CB_MAX_TYPES;
    if (n == 0) {
        /* Nothing the client could use: give up our grab if we hold it. If the
         * client held it, a guest program has replaced its data: its types are no
         * longer on offer here (nothing to tell it: it keeps its own clipboard). */
        if (s->owner == VDA_CB_OWNER_GUEST)
            out->send_release = 1;
        s->owner = VDA_CB_OWNER_NONE;
        s->n_guest_types = 0;
        s->n_client_types = 0;
        return;
    }
    if (s->owner == VDA_CB_OWNER_GUEST && !no_release_on_regrab)
        out->send_release = 1;
    out->send_grab = 1;
    if (serial_on)
        out->serial = s->serial++;
    s->owner = VDA_CB_OWNER_GUEST;
    s->n_client_types = 0;
    memcpy(s->guest_types, types, n * sizeof *types);
    s->n_guest_types = n;
}

static int has_type(const uint32_t *types, uint32_t n, uint32_t t)
{
    for (uint32_t i = 0; i < n; i++)
        if (types[i] == t)
            return 1;
    return 0;
}

int vda_cb_session_want(vda_cb_session *s, uint32_t type)
{
    if (s->owner != VDA_CB_OWNER_CLIENT || s->want_pending ||
        !has_type(s->client_types, s->n_client_types, type))
        return -1;
    s->want_pending = 1;
    s->want_type = type;
    return 0;
}

void vda_cb_session_want_cancel(vda_cb_session *s)
{
    s->want_pending = 0;
    s->want_type = 0;
}

vda_cb_data_result vda_cb_session_client_data(vda_cb_session *s, uint32_t type, size_t len)
{
    if (!s->want_pending)
        return VDA_CB_DATA_UNSOLICITED;
    if (type == VD_AGENT_CLIPBOARD_NONE) {
        vda_cb_session_want_cancel(s);
        return VDA_CB_DATA_EMPTY;
    }
    if (type != s->want_type)
        return VDA_CB_DATA_UNSOLICITED;
    vda_cb_session_want_cancel(s);
    if (len > s->own_max)
        return VDA_CB_DATA_TOO_BIG;
    return VDA_CB_DATA_DELIVER;
}

vda_cb_request_result vda_cb_session_client_request(vda_cb_session *s, uint32_t type)
{
    s->client_requests++;
    if (s->owner != VDA_CB_OWNER_GUEST || !has_type(s->guest_types, s->n_guest_types, type))
        return VDA_CB_REQ_NONE;
    return VDA_CB_REQ_ANSWER;
}

void vda_cb_session_request_answered(vda_cb_session *s)
{
    if (s->client_requests > 0)
        s->client_requests--;
}

void vda_cb_session_set_client_max(vda_cb_session *s, int32_t max)
{
    s->client_max = max < 0 ? -1 : max;
}

int vda_cb_session_fits_client(const vda_cb_session *s, size_t len)
{
    return s->client_max < 0 || (uint64_t)len <= (uint64_t)s->client_max;
}

const char *vda_cb_owner_name(vda_cb_owner o)
{
    switch (o) {
    case VDA_CB_OWNER_NONE: return "none";
    case VDA_CB_OWNER_CLIENT: return "client";
    case VDA_CB_OWNER_GUEST: return "guest";
    }
    return "?";
}
