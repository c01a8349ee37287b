/* A second copy of common/text_convert.c built without SIMD (the code non-SSE2
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
#include "text_convert.c"
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

#endif
