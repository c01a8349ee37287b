#include "agent/agent_caps.h"

#include <stdio.h>
#include <stdlib.h>

#include <spice/vd_agent.h>

void vda_agent_caps_default(vda_caps *ours)
{
    vda_caps_clear(ours);
    vda_caps_set(ours, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    vda_caps_set(ours, VD_AGENT_CAP_GUEST_LINEEND_CRLF);
    vda_caps_set(ours, VD_AGENT_CAP_MAX_CLIPBOARD);
    vda_caps_set(ours, VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB);
    vda_caps_set(ours, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    /* File transfer (file_xfer_session): statuses carry their detail when the
     * client has it too. FILE_XFER_DISABLED is the agent core's to set. */
    vda_caps_set(ours, VD_AGENT_CAP_FILE_XFER_DETAILED_ERRORS);
}

int vda_agent_caps_on_announce(const uint8_t *p, size_t size, vda_caps *client, int *reply)
{
    uint32_t request = 0;
    *reply = 0;
    if (vda_caps_parse(p, size, &request, client) != 0)
        return -1;
    *reply = request != 0;
    return 0;
}

uint8_t *vda_agent_caps_build(const vda_caps *ours, uint32_t request, uint32_t *size)
{
    size_t n = vda_caps_payload_size(ours);
    uint8_t *p = malloc(n);
    if (!p)
        return NULL;
    vda_caps_write(ours, request, p);
    *size = (uint32_t)n;
    return p;
}

char *vda_agent_caps_describe(const vda_caps *c, char *buf, size_t len)
{
    static const char *const names[] = {
        "mouse-state", "monitors-config", "reply", "clipboard", "display-config",
        "clipboard-by-demand", "clipboard-selection", "sparse-monitors-config",
        "guest-lineend-lf", "guest-lineend-crlf", "max-clipboard", "audio-volume-sync",
        "monitors-config-position", "file-xfer-disabled", "file-xfer-detailed-errors",
        "graphics-device-info", "clipboard-no-release-on-regrab", "clipboard-grab-serial",
    };
    size_t o = 0;
    buf[0] = 0;
    for (uint32_t cap = 0; cap < 32 * VDA_CAPS_MAX_WORDS && o < len; cap++) {
        if (!vda_caps_has(c, cap))
            continue;
        int k;
        if (cap < sizeof names / sizeof names[0])
            k = snprintf(buf + o, len - o, "%s%s", o ? "," : "", names[cap]);
        else
            k = snprintf(buf + o, len - o, "%scap%u", o ? "," : "", cap);
        if (k < 0)
            break;
        o += (size_t)k;
    }
    return buf;
}
