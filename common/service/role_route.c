#include "service/role_route.h"

#include <spice/vd_agent.h>

#define SYS VDA_ROLE_BIT(VDA_ROLE_SYSTEM)
#define USR VDA_ROLE_BIT(VDA_ROLE_USER)

const char *vda_role_name(vda_role r)
{
    switch (r) {
    case VDA_ROLE_SYSTEM: return "system role";
    case VDA_ROLE_USER: return "user role";
    }
    return "unknown role";
}

unsigned vda_role_route(uint32_t type)
{
    switch (type) {
    case VD_AGENT_MOUSE_STATE:
    case VD_AGENT_MONITORS_CONFIG:
    case VD_AGENT_GRAPHICS_DEVICE_INFO:   /* maps display ids for the two above */
        return SYS;
    case VD_AGENT_CLIPBOARD:
    case VD_AGENT_CLIPBOARD_GRAB:
    case VD_AGENT_CLIPBOARD_REQUEST:
    case VD_AGENT_CLIPBOARD_RELEASE:
    case VD_AGENT_MAX_CLIPBOARD:
    case VD_AGENT_DISPLAY_CONFIG:         /* per-user settings: wallpaper, effects */
    case VD_AGENT_FILE_XFER_START:
    case VD_AGENT_FILE_XFER_STATUS:       /* the client's CANCELLED */
    case VD_AGENT_FILE_XFER_DATA:
    case VD_AGENT_AUDIO_VOLUME_SYNC:
        return USR;
    case VD_AGENT_ANNOUNCE_CAPABILITIES:  /* each role needs the client's caps */
    case VD_AGENT_CLIENT_DISCONNECTED:    /* each role drops that client's state */
        return SYS | USR;
    default:                              /* REPLY, unknown */
        return 0;
    }
}

int vda_role_may_send(vda_role r, uint32_t type)
{
    switch (type) {
    case VD_AGENT_REPLY:                  /* from the role that handled the request */
        return 1;
    case VD_AGENT_CLIPBOARD:
    case VD_AGENT_CLIPBOARD_GRAB:
    case VD_AGENT_CLIPBOARD_REQUEST:
    case VD_AGENT_CLIPBOARD_RELEASE:
    case VD_AGENT_FILE_XFER_STATUS:
        return r == VDA_ROLE_USER;
    default:                              /* ANNOUNCE_CAPABILITIES: the service's */
        return 0;
    }
}

int vda_role_owns_cap(vda_role r, uint32_t cap)
{
    switch (cap) {
    case VD_AGENT_CAP_REPLY:
        return 1;
    case VD_AGENT_CAP_MOUSE_STATE:
    case VD_AGENT_CAP_MONITORS_CONFIG:
    case VD_AGENT_CAP_SPARSE_MONITORS_CONFIG:
    case VD_AGENT_CAP_MONITORS_CONFIG_POSITION:
    case VD_AGENT_CAP_GRAPHICS_DEVICE_INFO:
        return r == VDA_ROLE_SYSTEM;
    case VD_AGENT_CAP_CLIPBOARD:
    case VD_AGENT_CAP_DISPLAY_CONFIG:
    case VD_AGENT_CAP_CLIPBOARD_BY_DEMAND:
    case VD_AGENT_CAP_CLIPBOARD_SELECTION:
    case VD_AGENT_CAP_GUEST_LINEEND_LF:
    case VD_AGENT_CAP_GUEST_LINEEND_CRLF:
    case VD_AGENT_CAP_MAX_CLIPBOARD:
    case VD_AGENT_CAP_AUDIO_VOLUME_SYNC:
    case VD_AGENT_CAP_FILE_XFER_DISABLED:
    case VD_AGENT_CAP_FILE_XFER_DETAILED_ERRORS:
    case VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB:
    case VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL:
        return r == VDA_ROLE_USER;
    default:
        return 0;
    }
}

void vda_role_compose_caps(const vda_caps *const up[VDA_ROLE_COUNT], vda_caps *out)
{
    vda_caps_clear(out);
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++) {
        if (!up[r])
            continue;
        for (uint32_t cap = 0; cap < 32u * VDA_CAPS_MAX_WORDS; cap++)
            if (vda_caps_has(up[r], cap) && vda_role_owns_cap((vda_role)r, cap))
                vda_caps_set(out, cap);
    }
}
