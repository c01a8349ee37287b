/* VD_AGENT_AUDIO_VOLUME_SYNC: validation and the endpoint's channel levels. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <spice/vd_agent.h>

#include "agent/audio_volume.h"

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(sizeof(VDAgentAudioVolumeSync), VDA_AUDIO_HDR);
    const uint8_t stereo[] = {1, 0, 2, 0xff, 0xff, 0x00, 0x80, 0xAA /* extra */};
    vda_audio_volume v;
    assert_int_equal(vda_audio_volume_parse(stereo, sizeof stereo, &v), VDA_AUDIO_OK);
    assert_true(v.playback);
    assert_false(v.mute);
    assert_int_equal(v.nchannels, 2);
    assert_int_equal(v.volume[0], 0xffff);
    assert_int_equal(v.volume[1], 0x8000);
    const uint8_t rec_muted[] = {0, 1, 1, 0x34, 0x12};
    assert_int_equal(vda_audio_volume_parse(rec_muted, sizeof rec_muted, &v), VDA_AUDIO_OK);
    assert_false(v.playback);
    assert_true(v.mute);
    assert_int_equal(v.volume[0], 0x1234);
    /* 255 channels, all present. */
    uint8_t big[3 + 2 * 255];
    memset(big, 0x11, sizeof big);
    big[2] = 255;
    assert_int_equal(vda_audio_volume_parse(big, sizeof big, &v), VDA_AUDIO_OK);
    assert_int_equal(v.volume[254], 0x1111);
}

static void test_bad(void **state)
{
    (void)state;
    vda_audio_volume v;
    const uint8_t m[] = {1, 0, 2, 0xff, 0xff, 0x00};
    static const struct { size_t size; vda_audio_status want; } t[] = {
        {0, VDA_AUDIO_TOO_SHORT}, {2, VDA_AUDIO_TOO_SHORT}, {3, VDA_AUDIO_TRUNCATED},
        {4, VDA_AUDIO_TRUNCATED}, {6, VDA_AUDIO_TRUNCATED},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        v.nchannels = 9;
        assert_int_equal(vda_audio_volume_parse(m, t[i].size, &v), t[i].want);
        assert_int_equal(v.nchannels, 0);
    }
    const uint8_t zero[] = {1, 0, 0};
    assert_int_equal(vda_audio_volume_parse(zero, 3, &v), VDA_AUDIO_NO_CHANNELS);
    assert_string_equal(vda_audio_status_str(VDA_AUDIO_TRUNCATED), "fewer volumes than channels");
}

static void test_levels(void **state)
{
    (void)state;
    vda_audio_volume v;
    const uint8_t stereo[] = {1, 0, 2, 0xff, 0xff, 0x00, 0x00};
    assert_int_equal(vda_audio_volume_parse(stereo, sizeof stereo, &v), VDA_AUDIO_OK);
    float l[6];
    vda_audio_volume_levels(&v, 2, l);
    assert_float_equal(l[0], 1.0f, 1e-6);
    assert_float_equal(l[1], 0.0f, 1e-6);
    /* 5.1 endpoint, stereo client: the extra channels follow the last one. */
    vda_audio_volume_levels(&v, 6, l);
    assert_float_equal(l[5], 0.0f, 1e-6);
    /* Mono client, stereo endpoint: both channels. */
    const uint8_t mono[] = {1, 0, 1, 0x00, 0x80};
    assert_int_equal(vda_audio_volume_parse(mono, sizeof mono, &v), VDA_AUDIO_OK);
    vda_audio_volume_levels(&v, 2, l);
    assert_float_equal(l[0], 32768.0f / 65535.0f, 1e-6);
    assert_float_equal(l[1], l[0], 1e-9);
    /* Stereo client, mono endpoint: channel 0. */
    const uint8_t st2[] = {1, 0, 2, 0x00, 0x40, 0xff, 0xff};
    assert_int_equal(vda_audio_volume_parse(st2, sizeof st2, &v), VDA_AUDIO_OK);
    vda_audio_volume_levels(&v, 1, l);
    assert_float_equal(l[0], 16384.0f / 65535.0f, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
