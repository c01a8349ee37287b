/* A second copy of common/base/text_convert.c built without SIMD (the code non-SSE2
 * targets such as the i686 build run), under other names, so the fuzzers can check
 * that both paths give the same bytes. Include once, before anything else of
 * text_convert. */
#ifndef VDA_FUZZ_TEXT_PORTABLE_H
#define VDA_FUZZ_TEXT_PORTABLE_H

#define VDA_TEXT_NO_SIMD
#define vda_text_flags_for portable_text_flags_for
#define vda_utf8_to_utf16_len portable_utf8_to_utf16_len
#define vda_utf8_to_utf16 portable_utf8_to_utf16
#define vda_utf16_to_utf8_len portable_utf16_to_utf8_len
#define vda_utf16_to_utf8 portable_utf16_to_utf8
#include "base/text_convert.c"
#undef vda_text_flags_for
#undef vda_utf8_to_utf16_len
#undef vda_utf8_to_utf16
#undef vda_utf16_to_utf8_len
#undef vda_utf16_to_utf8

/* The SIMD build in vda_common (text_convert.h is already included, renamed). */
size_t vda_utf8_to_utf16_len(const uint8_t *src, size_t len, unsigned flags);
size_t vda_utf8_to_utf16(const uint8_t *src, size_t len, uint16_t *dst, unsigned flags);
size_t vda_utf16_to_utf8_len(const uint16_t *src, size_t units, unsigned flags);
size_t vda_utf16_to_utf8(const uint16_t *src, size_t units, uint8_t *dst, unsigned flags);

#include <stdlib.h>

/* Converts with both builds and aborts unless they agree with each other and
 * *_len agrees with what is written (and the NUL unit is there). Returns the
 * malloc'd SIMD result, its length in *out_units / *out_bytes. */
static inline uint16_t *both_utf8_to_utf16(const uint8_t *src, size_t len, unsigned flags,
                                           size_t *out_units)
{
    size_t n16 = vda_utf8_to_utf16_len(src, len, flags);
    uint16_t *u = malloc((n16 + 1) * sizeof *u);
    uint16_t *pu = malloc((n16 + 1) * sizeof *pu);
    if (!u || !pu) abort();
    if (vda_utf8_to_utf16(src, len, u, flags) != n16 || u[n16] != 0) abort();
    if (portable_utf8_to_utf16_len(src, len, flags) != n16 ||
        portable_utf8_to_utf16(src, len, pu, flags) != n16 ||
        memcmp(pu, u, (n16 + 1) * sizeof *pu) != 0) abort();
    free(pu);
    *out_units = n16;
    return u;
}

static inline uint8_t *both_utf16_to_utf8(const uint16_t *src, size_t units, unsigned flags,
                                          size_t *out_bytes)
{
    size_t n8 = vda_utf16_to_utf8_len(src, units, flags);
    uint8_t *b = malloc(n8 + 1);
    uint8_t *pb = malloc(n8 + 1);
    if (!b || !pb) abort();
    if (vda_utf16_to_utf8(src, units, b, flags) != n8) abort();
    if (portable_utf16_to_utf8_len(src, units, flags) != n8 ||
        portable_utf16_to_utf8(src, units, pb, flags) != n8 || memcmp(pb, b, n8) != 0) abort();
    free(pb);
    *out_bytes = n8;
    return b;
}

#endif
