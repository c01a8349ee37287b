#include "wire/msg_sizes.h"

#include <string.h>

#include <spice/vd_agent.h>

size_t vda_msg_min_size(uint32_t type)
{
    switch (type) {
    case VD_AGENT_MOUSE_STATE: return sizeof(VDAgentMouseState);
    case VD_AGENT_MONITORS_CONFIG: return sizeof(VDAgentMonitorsConfig);
    case VD_AGENT_REPLY: return sizeof(VDAgentReply);
    case VD_AGENT_CLIPBOARD: return sizeof(VDAgentClipboard);
    case VD_AGENT_DISPLAY_CONFIG: return sizeof(VDAgentDisplayConfig);
    case VD_AGENT_ANNOUNCE_CAPABILITIES: return sizeof(VDAgentAnnounceCapabilities);
    case VD_AGENT_CLIPBOARD_GRAB: return sizeof(VDAgentClipboardGrab);
    case VD_AGENT_CLIPBOARD_REQUEST: return sizeof(VDAgentClipboardRequest);
    case VD_AGENT_CLIPBOARD_RELEASE: return sizeof(VDAgentClipboardRelease);
    case VD_AGENT_FILE_XFER_START: return sizeof(VDAgentFileXferStartMessage);
    case VD_AGENT_FILE_XFER_STATUS: return sizeof(VDAgentFileXferStatusMessage);
    case VD_AGENT_FILE_XFER_DATA: return sizeof(VDAgentFileXferDataMessage);
    case VD_AGENT_CLIENT_DISCONNECTED: return 0;
    case VD_AGENT_MAX_CLIPBOARD: return sizeof(VDAgentMaxClipboard);
    case VD_AGENT_AUDIO_VOLUME_SYNC: return sizeof(VDAgentAudioVolumeSync);
    case VD_AGENT_GRAPHICS_DEVICE_INFO: return sizeof(VDAgentGraphicsDeviceInfo);
    default: return 0;
    }
}

const char *vda_msg_type_name(uint32_t type)
{
    static const char *const names[] = {
        [VD_AGENT_MOUSE_STATE] = "mouse-state",
        [VD_AGENT_MONITORS_CONFIG] = "monitors-config",
        [VD_AGENT_REPLY] = "reply",
        [VD_AGENT_CLIPBOARD] = "clipboard",
        [VD_AGENT_DISPLAY_CONFIG] = "display-config",
        [VD_AGENT_ANNOUNCE_CAPABILITIES] = "announce-capabilities",
        [VD_AGENT_CLIPBOARD_GRAB] = "clipboard-grab",
        [VD_AGENT_CLIPBOARD_REQUEST] = "clipboard-request",
        [VD_AGENT_CLIPBOARD_RELEASE] = "clipboard-release",
        [VD_AGENT_FILE_XFER_START] = "file-xfer-start",
        [VD_AGENT_FILE_XFER_STATUS] = "file-xfer-status",
        [VD_AGENT_FILE_XFER_DATA] = "file-xfer-data",
        [VD_AGENT_CLIENT_DISCONNECTED] = "client-disconnected",
        [VD_AGENT_MAX_CLIPBOARD] = "max-clipboard",
        [VD_AGENT_AUDIO_VOLUME_SYNC] = "audio-volume-sync",
        [VD_AGENT_GRAPHICS_DEVICE_INFO] = "graphics-device-info",
    };
    if (type < sizeof names / sizeof names[0] && names[type])
        return names[type];
    return "unknown";
}

size_t vda_msg_header_fill(uint8_t *hdr, uint32_t *have, const uint8_t *data, size_t len)
{
    size_t n = sizeof(VDAgentMessage) - *have;
    if (n > len)
        n = len;
    memcpy(hdr + *have, data, n);
    *have += (uint32_t)n;
    return n;
}
