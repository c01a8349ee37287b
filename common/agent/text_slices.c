#include "agent/text_slices.h"

#include <string.h>

#include "base/text_convert.h"

size_t vda_text_safe_cut(const uint8_t *s, size_t len, size_t want, size_t window)
{
    if (want == 0)
        want = 1;
    for (size_t i = want; i < len && i - want < window; i++)
        if (s[i] < 0x80 && s[i - 1] != '\r')
            return i;
    return len;
}

/* An upper bound of the units vda_utf8_to_utf16 writes for src[0..len): every
 * byte gives at most one unit (a 4-byte sequence gives 2, a bad byte at most 1),
 * except that LF -> CRLF may add a CR before each LF. */
static size_t units_bound(const uint8_t *src, size_t len, unsigned flags)
{
    if ((flags & (VDA_TEXT_LF_TO_CRLF | VDA_TEXT_CRLF_TO_LF)) != VDA_TEXT_LF_TO_CRLF)
        return len;
    size_t lf = 0;
    for (const uint8_t *p = src, *e = src + len; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        lf++;
    return len + lf;
}

size_t vda_utf8_to_utf16_sliced(const uint8_t *src, size_t len, uint16_t *dst,
                                size_t dst_units, unsigned flags, size_t slice,
                                vda_slice_done done, void *ctx)
{
    if (dst_units == 0)
        return (size_t)-1;
    if (slice == 0)
        slice = len ? len : 1;
    size_t pos = 0, out = 0;
    while (pos < len) {
        size_t end = len - pos > slice ? vda_text_safe_cut(src, len, pos + slice, 65536) : len;
        /* Measuring a slice is a full decoding pass: only done when the cheap
         * bound does not already prove that the slice fits. */
        size_t k = units_bound(src + pos, end - pos, flags);
        if (out + k + 1 > dst_units)
            k = vda_utf8_to_utf16_len(src + pos, end - pos, flags);
        if (out + k + 1 > dst_units) {
            dst[out] = 0;
            return (size_t)-1;
        }
        out += vda_utf8_to_utf16(src + pos, end - pos, dst + out, flags);
        if (end < len && done)
            done(ctx, src + pos, end - pos);
        pos = end;
    }
    dst[out] = 0;
    return out;
}
