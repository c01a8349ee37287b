#include "agent/audio_volume.h"

#include <string.h>

vda_audio_status vda_audio_volume_parse(const uint8_t *p, size_t size, vda_audio_volume *out)
{
    memset(out, 0, sizeof *out);
    if (size < VDA_AUDIO_HDR) {
        return VDA_AUDIO_TOO_SHORT;
    }
    uint32_t n = p[2];
    if (n == 0) {
        return VDA_AUDIO_NO_CHANNELS;
    }
    if ((size - VDA_AUDIO_HDR) / 2 < n) {
        return VDA_AUDIO_TRUNCATED;
    }
    out->playback = p[0] != 0;
    out->mute = p[1] != 0;
    out->nchannels = n;
    for (uint32_t c = 0; c < n; c++) {
        const uint8_t *v = p + VDA_AUDIO_HDR + 2 * c;
        out->volume[c] = (uint16_t)(v[0] | (v[1] << 8));
    }
    return VDA_AUDIO_OK;
}

const char *vda_audio_status_str(vda_audio_status s)
{
    switch (s) {
    case VDA_AUDIO_OK: return "ok";
    case VDA_AUDIO_TOO_SHORT: return "shorter than its header";
    case VDA_AUDIO_NO_CHANNELS: return "no channels";
    case VDA_AUDIO_TRUNCATED: return "fewer volumes than channels";
    }
    return "unknown";
}

void vda_audio_volume_levels(const vda_audio_volume *v, uint32_t endpoint_channels, float *levels)
{
    for (uint32_t c = 0; c < endpoint_channels; c++) {
        uint32_t k = c < v->nchannels ? c : v->nchannels - 1;
        levels[c] = (float)v->volume[k] / 65535.0f;
    }
}
