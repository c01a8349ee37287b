/* Independent validity checks for the text-conversion fuzzers: a plain reading of
 * Unicode Table 3-7 (well-formed UTF-8) and of UTF-16 surrogate pairing, written
 * separately from common/base/text_convert.c so a shared mistake is unlikely. */
#ifndef VDA_FUZZ_TEXT_CHECK_H
#define VDA_FUZZ_TEXT_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline int utf8_is_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        size_t more;
        uint8_t lo = 0x80, hi = 0xBF;
        if (b < 0x80) { i++; continue; }
        if (b >= 0xC2 && b <= 0xDF) more = 1;
        else if (b == 0xE0) { more = 2; lo = 0xA0; }
        else if (b == 0xED) { more = 2; hi = 0x9F; }
        else if (b >= 0xE1 && b <= 0xEF) more = 2;
        else if (b == 0xF0) { more = 3; lo = 0x90; }
        else if (b == 0xF4) { more = 3; hi = 0x8F; }
        else if (b >= 0xF1 && b <= 0xF3) more = 3;
        else return 0;
        if (n - i <= more) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (size_t k = 2; k <= more; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        }
        i += more + 1;
    }
    return 1;
}

static inline int utf16_is_valid(const uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (u[i] >= 0xD800 && u[i] <= 0xDBFF) {
            if (i + 1 >= n || u[i + 1] < 0xDC00 || u[i + 1] > 0xDFFF) return 0;
            i++;
        } else if (u[i] >= 0xDC00 && u[i] <= 0xDFFF) {
            return 0;
        }
    }
    return 1;
}

/* LF -> CRLF leaves no bare LF. (CRLF -> LF may leave a CRLF: "\r\r\n" -> "\r\n".) */
#define CHECK_NO_BARE_LF(buf, n)                                                    \
    do {                                                                            \
        for (size_t i_ = 0; i_ < (n); i_++) {                                       \
            if ((buf)[i_] == '\n' && (i_ == 0 || (buf)[i_ - 1] != '\r')) abort();   \
        }                                                                           \
    } while (0)

/* Count of value c in buf[0..n). */
#define COUNT_OF(buf, n, c, out)                                                    \
    do {                                                                            \
        (out) = 0;                                                                  \
        for (size_t i_ = 0; i_ < (n); i_++) (out) += (buf)[i_] == (c);              \
    } while (0)

#endif
