#define COBJMACROS
#include "audio_volume_win.h"

#include <windows.h>
#include <initguid.h>  /* the Core Audio GUIDs below are defined in this file */
#include <mmdeviceapi.h>
#include <endpointvolume.h>

void vdg_audio_volume_init(vdg_audio_volume *a, const vda_logger *log)
{
    a->log = log;
    a->missing_logged[0] = a->missing_logged[1] = 0;
}

static const char *dir_name(int playback)
{
    return playback ? "playback" : "record";
}

/* The endpoint-volume interface of the default endpoint, or NULL (*hr says why). */
static IAudioEndpointVolume *open_endpoint(int playback, HRESULT *hr)
{
    IMMDeviceEnumerator *en = NULL;
    IMMDevice *dev = NULL;
    IAudioEndpointVolume *vol = NULL;
    *hr = CoCreateInstance(&CLSID_MMDeviceEnumerator, NULL, CLSCTX_ALL, &IID_IMMDeviceEnumerator,
                           (void **)&en);
    if (FAILED(*hr)) {
        return NULL;
    }
    *hr = IMMDeviceEnumerator_GetDefaultAudioEndpoint(en, playback ? eRender : eCapture, eConsole,
                                                      &dev);
    if (SUCCEEDED(*hr)) {
        *hr = IMMDevice_Activate(dev, &IID_IAudioEndpointVolume, CLSCTX_ALL, NULL, (void **)&vol);
        IMMDevice_Release(dev);
    }
    IMMDeviceEnumerator_Release(en);
    return SUCCEEDED(*hr) ? vol : NULL;
}

static vdg_audio_result apply(vdg_audio_volume *a, const vda_audio_volume *v)
{
    HRESULT hr;
    IAudioEndpointVolume *vol = open_endpoint(v->playback, &hr);
    if (!vol) {
        if (!a->missing_logged[v->playback]) {
            a->missing_logged[v->playback] = 1;
            vda_info(a->log, "audio: no default %s endpoint (hr 0x%08lx): volume sync ignored"
                     " (logged once)", dir_name(v->playback), (unsigned long)hr);
        }
        return VDG_AUDIO_NO_ENDPOINT;
    }
    UINT channels = 0;
    hr = IAudioEndpointVolume_GetChannelCount(vol, &channels);
    if (SUCCEEDED(hr) && channels > VDA_AUDIO_CHANNELS_MAX) {
        channels = VDA_AUDIO_CHANNELS_MAX;
    }
    float levels[VDA_AUDIO_CHANNELS_MAX];
    if (SUCCEEDED(hr)) {
        vda_audio_volume_levels(v, channels, levels);
        for (UINT c = 0; c < channels && SUCCEEDED(hr); c++) {
            hr = IAudioEndpointVolume_SetChannelVolumeLevelScalar(vol, c, levels[c], NULL);
        }
    }
    if (SUCCEEDED(hr)) {
        hr = IAudioEndpointVolume_SetMute(vol, v->mute ? TRUE : FALSE, NULL);
    }
    IAudioEndpointVolume_Release(vol);
    if (FAILED(hr)) {
        vda_warn(a->log, "audio: setting the %s volume failed (hr 0x%08lx)", dir_name(v->playback),
                 (unsigned long)hr);
        return VDG_AUDIO_FAILED;
    }
    vda_debug(a->log, "audio: %s volume %u/65535 on %u channel(s)%s", dir_name(v->playback),
              (unsigned)v->volume[0], (unsigned)channels, v->mute ? ", muted" : "");
    return VDG_AUDIO_APPLIED;
}

vdg_audio_result vdg_audio_volume_handle(vdg_audio_volume *a, const uint8_t *payload, size_t size)
{
    vda_audio_volume v;
    vda_audio_status s = vda_audio_volume_parse(payload, size, &v);
    if (s != VDA_AUDIO_OK) {
        vda_warn(a->log, "audio: volume sync of %zu bytes discarded: %s", size,
                 vda_audio_status_str(s));
        return VDG_AUDIO_BAD_MESSAGE;
    }
    HRESULT init = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    vdg_audio_result r = apply(a, &v);
    if (SUCCEEDED(init)) {
        CoUninitialize();
    }
    return r;
}
