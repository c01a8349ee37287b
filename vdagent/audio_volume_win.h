/* VD_AGENT_AUDIO_VOLUME_SYNC -> the default render (playback) or capture
 * (record) endpoint's volume and mute, through Core Audio's
 * IAudioEndpointVolume. A guest without that endpoint (no audio device, or no
 * audio service) logs it once per direction and ignores the messages. */
#ifndef VDG_AUDIO_VOLUME_WIN_H
#define VDG_AUDIO_VOLUME_WIN_H

#include <stddef.h>
#include <stdint.h>

#include "agent/audio_volume.h"
#include "base/vda_log.h"

typedef struct vdg_audio_volume {
    const vda_logger *log;
    int missing_logged[2];    /* [playback] */
} vdg_audio_volume;

typedef enum vdg_audio_result {
    VDG_AUDIO_APPLIED = 0,
    VDG_AUDIO_BAD_MESSAGE,    /* discarded (logged) */
    VDG_AUDIO_NO_ENDPOINT,    /* no such endpoint: ignored (logged once) */
    VDG_AUDIO_FAILED,         /* the endpoint refused (logged) */
} vdg_audio_result;

void vdg_audio_volume_init(vdg_audio_volume *a, const vda_logger *log);

/* One message payload. Call on a thread where COM may be initialised
 * (apartment-threaded; it is initialised and released around the call). */
vdg_audio_result vdg_audio_volume_handle(vdg_audio_volume *a, const uint8_t *payload, size_t size);

#endif
