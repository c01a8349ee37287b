/* UTF-8 <-> UTF-16 for clipboard text; see text_convert.h for the contract.
 *
 * Each direction has one core loop, instantiated twice (measure / write) through
 * an always-inlined function with a constant `write` argument, so the two passes
 * cannot disagree on a length. Each round copies a run of plain ASCII (no CR/LF
 * when line ends are converted) in blocks -- 16 units with SSE2, else 8 bytes /
 * 4 units through a 64-bit word -- which is where clipboard text spends its time,
 * then handles the one line end or the run of non-ASCII characters that stopped
 * it with the scalar code. */
#include "base/text_convert.h"

#include <string.h>

/* VDA_TEXT_NO_SIMD builds the portable paths only (what non-SSE2 targets such as
 * the i686 build run); the fuzzers compile a second copy that way to compare. */
#if defined(__SSE2__) && !defined(VDA_TEXT_NO_SIMD)
#define VDA_TEXT_SSE2 1
#include <emmintrin.h>
#endif

#if defined(__GNUC__)
#define VDA_INLINE static inline __attribute__((always_inline))
#else
#define VDA_INLINE static inline
#endif

#define CR 0x0D
#define LF 0x0A
#define REPLACEMENT 0xFFFDu

unsigned vda_text_flags_for(int client_has_crlf_cap, int to_guest)
{
    if (client_has_crlf_cap) {
        return 0;
    }
    return to_guest ? VDA_TEXT_LF_TO_CRLF : VDA_TEXT_CRLF_TO_LF;
}

/* Both flags at once would undo each other: documented as "no conversion". */
static unsigned effective_flags(unsigned flags)
{
    flags &= VDA_TEXT_LF_TO_CRLF | VDA_TEXT_CRLF_TO_LF;
    return flags == (VDA_TEXT_LF_TO_CRLF | VDA_TEXT_CRLF_TO_LF) ? 0 : flags;
}

/* ---- 64-bit word tests: nonzero iff some byte / 16-bit lane matches ---- */
#define ONES8 0x0101010101010101ull
#define HIGH8 0x8080808080808080ull
#define ONES16 0x0001000100010001ull
#define HIGH16 0x8000800080008000ull

static inline uint64_t has_zero_byte(uint64_t v)
{
    return (v - ONES8) & ~v & HIGH8;
}

static inline uint64_t has_zero_lane16(uint64_t v)
{
    return (v - ONES16) & ~v & HIGH16;
}

static inline uint64_t load64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* ---- UTF-8 -> UTF-16 ---------------------------------------------------- */

/* Decodes the sequence at s[0] (a non-ASCII byte), n >= 1 bytes available.
 * Returns the bytes consumed: a whole valid sequence, or the maximal subpart of
 * an invalid one (>= 1), in which case *cp is U+FFFD. The accepted second-byte
 * ranges are those of Unicode Table 3-7 (well-formed UTF-8 byte sequences). */
VDA_INLINE size_t decode_utf8(const uint8_t *s, size_t n, uint32_t *cp)
{
    const uint8_t b0 = s[0];
    uint32_t c;
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;

    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        c = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        c = b0 & 0x0Fu;
        if (b0 == 0xE0) {
            lo = 0xA0;          /* overlong below U+0800 */
        } else if (b0 == 0xED) {
            hi = 0x9F;          /* surrogates D800..DFFF */
        }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        c = b0 & 0x07u;
        if (b0 == 0xF0) {
            lo = 0x90;          /* overlong below U+10000 */
        } else if (b0 == 0xF4) {
            hi = 0x8F;          /* past U+10FFFF */
        }
    } else {
        *cp = REPLACEMENT;      /* stray continuation, C0/C1, F5..FF */
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = REPLACEMENT;  /* s[i] is not consumed: it starts afresh */
            return i;
        }
        c = (c << 6) | (s[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = c;
    return need + 1;
}

/* Plain = copied as is: ASCII, and not CR/LF when line ends are converted. */
static inline int plain_byte(uint8_t b, int lines)
{
    return b < 0x80 && !(lines && (b == CR || b == LF));
}

static inline unsigned first_set_bit(unsigned mask)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(mask);
#else
    unsigned n = 0;
    while (!(mask & 1u)) {
        mask >>= 1;
        n++;
    }
    return n;
#endif
}

VDA_INLINE size_t utf8_to_utf16_core(const uint8_t *src, size_t len, uint16_t *dst,
                                     unsigned flags, const int write)
{
    const int lines = flags != 0;
    size_t i = 0, o = 0;

    while (i < len) {
        /* 1. A run of plain bytes: 16 (SSE2) or 8 at a time, then one by one. */
#if defined(VDA_TEXT_SSE2)
        const __m128i cr = _mm_set1_epi8(CR), lf = _mm_set1_epi8(LF);
        const __m128i zero = _mm_setzero_si128();
        while (len - i >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
            unsigned stop = (unsigned)_mm_movemask_epi8(v);
            if (lines) {
                stop |= (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr),
                                                                 _mm_cmpeq_epi8(v, lf)));
            }
            if (stop != 0) {
                size_t n = first_set_bit(stop);
                if (write) {
                    for (size_t k = 0; k < n; k++) {
                        dst[o + k] = src[i + k];
                    }
                }
                i += n;
                o += n;
                break;
            }
            if (write) {
                _mm_storeu_si128((__m128i *)(void *)(dst + o), _mm_unpacklo_epi8(v, zero));
                _mm_storeu_si128((__m128i *)(void *)(dst + o + 8), _mm_unpackhi_epi8(v, zero));
            }
            i += 16;
            o += 16;
        }
#endif
        while (len - i >= 8) {
            uint64_t v = load64(src + i);
            if ((v & HIGH8) ||
                (lines && (has_zero_byte(v ^ (ONES8 * CR)) | has_zero_byte(v ^ (ONES8 * LF))))) {
                break;
            }
            if (write) {
                for (int k = 0; k < 8; k++) {
                    dst[o + k] = src[i + k];
                }
            }
            i += 8;
            o += 8;
        }
        while (i < len && plain_byte(src[i], lines)) {
            if (write) {
                dst[o] = src[i];
            }
            i++;
            o++;
        }
        if (i >= len) {
            break;
        }

        /* 2. One line-end byte, or a run of non-ASCII sequences. */
        const uint8_t b = src[i];
        if (b < 0x80) {
            if (b == LF && (flags & VDA_TEXT_LF_TO_CRLF) && (i == 0 || src[i - 1] != CR)) {
                if (write) {
                    dst[o] = CR;
                }
                o++;
            } else if (b == CR && (flags & VDA_TEXT_CRLF_TO_LF) && i + 1 < len &&
                       src[i + 1] == LF) {
                i++;            /* drop the CR; the LF is copied next round */
                continue;
            }
            if (write) {
                dst[o] = b;
            }
            o++;
            i++;
            continue;
        }
        do {
            uint32_t cp;
            i += decode_utf8(src + i, len - i, &cp);
            if (cp >= 0x10000) {
                if (write) {
                    cp -= 0x10000;
                    dst[o] = (uint16_t)(0xD800 | (cp >> 10));
                    dst[o + 1] = (uint16_t)(0xDC00 | (cp & 0x3FF));
                }
                o += 2;
            } else {
                if (write) {
                    dst[o] = (uint16_t)cp;
                }
                o++;
            }
        } while (i < len && src[i] >= 0x80);
    }
    if (write) {
        dst[o] = 0;
    }
    return o;
}

size_t vda_utf8_to_utf16_len(const uint8_t *src, size_t len, unsigned flags)
{
    return utf8_to_utf16_core(src, len, NULL, effective_flags(flags), 0);
}

size_t vda_utf8_to_utf16(const uint8_t *src, size_t len, uint16_t *dst, unsigned flags)
{
    return utf8_to_utf16_core(src, len, dst, effective_flags(flags), 1);
}

/* ---- UTF-16 -> UTF-8 ---------------------------------------------------- */

static inline int plain_unit(uint16_t u, int lines)
{
    return u != 0 && u < 0x80 && !(lines && (u == CR || u == LF));
}

VDA_INLINE size_t utf16_to_utf8_core(const uint16_t *src, size_t units, uint8_t *dst,
                                     unsigned flags, const int write)
{
    const int lines = flags != 0;
    size_t i = 0, o = 0;

    while (i < units) {
        /* 1. A run of plain units (ASCII, not NUL, not CR/LF when converting). */
#if defined(VDA_TEXT_SSE2)
        const __m128i cr = _mm_set1_epi16(CR), lf = _mm_set1_epi16(LF);
        const __m128i zero = _mm_setzero_si128(), limit = _mm_set1_epi16(0x80);
        while (units - i >= 16) {
            __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
            __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 8));
            /* Signed compares: 1..0x7F is plain; 0x8000..0xFFFF reads negative. */
            __m128i p0 = _mm_and_si128(_mm_cmpgt_epi16(v0, zero), _mm_cmplt_epi16(v0, limit));
            __m128i p1 = _mm_and_si128(_mm_cmpgt_epi16(v1, zero), _mm_cmplt_epi16(v1, limit));
            if (lines) {
                p0 = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi16(v0, cr),
                                                   _mm_cmpeq_epi16(v0, lf)), p0);
                p1 = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi16(v1, cr),
                                                   _mm_cmpeq_epi16(v1, lf)), p1);
            }
            unsigned plain = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(p0, p1));
            if (plain != 0xFFFFu) {
                size_t n = first_set_bit(~plain);
                if (write) {
                    for (size_t k = 0; k < n; k++) {
                        dst[o + k] = (uint8_t)src[i + k];
                    }
                }
                i += n;
                o += n;
                break;
            }
            if (write) {
                _mm_storeu_si128((__m128i *)(void *)(dst + o), _mm_packus_epi16(v0, v1));
            }
            i += 16;
            o += 16;
        }
#endif
        while (units - i >= 4) {
            uint64_t v = load64(src + i);
            if ((v & (ONES16 * 0xFF80u)) || has_zero_lane16(v) ||
                (lines && (has_zero_lane16(v ^ (ONES16 * CR)) | has_zero_lane16(v ^ (ONES16 * LF))))) {
                break;
            }
            if (write) {
                for (int k = 0; k < 4; k++) {
                    dst[o + k] = (uint8_t)src[i + k];
                }
            }
            i += 4;
            o += 4;
        }
        while (i < units && plain_unit(src[i], lines)) {
            if (write) {
                dst[o] = (uint8_t)src[i];
            }
            i++;
            o++;
        }
        if (i >= units) {
            break;
        }

        /* 2. The NUL, one line-end unit, or a run of non-ASCII characters. */
        const uint16_t c = src[i];
        if (c == 0) {
            return o;           /* CF_UNICODETEXT ends at its NUL */
        }
        if (c < 0x80) {
            if (c == LF && (flags & VDA_TEXT_LF_TO_CRLF) && (i == 0 || src[i - 1] != CR)) {
                if (write) {
                    dst[o] = CR;
                }
                o++;
            } else if (c == CR && (flags & VDA_TEXT_CRLF_TO_LF) && i + 1 < units &&
                       src[i + 1] == LF) {
                i++;
                continue;
            }
            if (write) {
                dst[o] = (uint8_t)c;
            }
            o++;
            i++;
            continue;
        }
        do {
            uint32_t u = src[i++];
            if ((u & 0xFC00) == 0xD800 && i < units && (src[i] & 0xFC00) == 0xDC00) {
                u = 0x10000 + ((u - 0xD800) << 10) + (src[i] - 0xDC00u);
                i++;
            } else if ((u & 0xF800) == 0xD800) {
                u = REPLACEMENT;        /* unpaired high or low surrogate */
            }
            if (u < 0x800) {
                if (write) {
                    dst[o] = (uint8_t)(0xC0 | (u >> 6));
                    dst[o + 1] = (uint8_t)(0x80 | (u & 0x3F));
                }
                o += 2;
            } else if (u < 0x10000) {
                if (write) {
                    dst[o] = (uint8_t)(0xE0 | (u >> 12));
                    dst[o + 1] = (uint8_t)(0x80 | ((u >> 6) & 0x3F));
                    dst[o + 2] = (uint8_t)(0x80 | (u & 0x3F));
                }
                o += 3;
            } else {
                if (write) {
                    dst[o] = (uint8_t)(0xF0 | (u >> 18));
                    dst[o + 1] = (uint8_t)(0x80 | ((u >> 12) & 0x3F));
                    dst[o + 2] = (uint8_t)(0x80 | ((u >> 6) & 0x3F));
                    dst[o + 3] = (uint8_t)(0x80 | (u & 0x3F));
                }
                o += 4;
            }
        } while (i < units && src[i] >= 0x80);
    }
    return o;
}

size_t vda_utf16_to_utf8_len(const uint16_t *src, size_t units, unsigned flags)
{
    return utf16_to_utf8_core(src, units, NULL, effective_flags(flags), 0);
}

size_t vda_utf16_to_utf8(const uint16_t *src, size_t units, uint8_t *dst, unsigned flags)
{
    return utf16_to_utf8_core(src, units, dst, effective_flags(flags), 1);
}
