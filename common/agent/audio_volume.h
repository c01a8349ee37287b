/* VD_AGENT_AUDIO_VOLUME_SYNC: the client's playback or record volume and mute
 * (VDAgentAudioVolumeSync: is_playback, mute, nchannels, then nchannels 16-bit
 * volumes, 0..65535), and the per-channel levels an endpoint gets. */
#ifndef VDA_AUDIO_VOLUME_H
#define VDA_AUDIO_VOLUME_H

#include <stddef.h>
#include <stdint.h>

#define VDA_AUDIO_HDR 3u
#define VDA_AUDIO_CHANNELS_MAX 255u

typedef struct vda_audio_volume {
    int playback;             /* 1: playback (render), 0: record (capture) */
    int mute;
    uint32_t nchannels;       /* >= 1 */
    uint16_t volume[VDA_AUDIO_CHANNELS_MAX];
} vda_audio_volume;

typedef enum vda_audio_status {
    VDA_AUDIO_OK = 0,
    VDA_AUDIO_TOO_SHORT,      /* shorter than the 3-byte header */
    VDA_AUDIO_NO_CHANNELS,    /* nchannels == 0 */
    VDA_AUDIO_TRUNCATED,      /* fewer volumes than nchannels */
} vda_audio_status;

/* Bytes past the volumes are ignored. On error *out is zeroed. */
vda_audio_status vda_audio_volume_parse(const uint8_t *p, size_t size, vda_audio_volume *out);
const char *vda_audio_status_str(vda_audio_status s);

/* Levels (0.0..1.0, the endpoint-volume scalar) for an endpoint of
 * endpoint_channels channels: channel c takes the client's channel c, or its
 * last channel when the client has fewer (mono to stereo: both). */
void vda_audio_volume_levels(const vda_audio_volume *v, uint32_t endpoint_channels, float *levels);

#endif
