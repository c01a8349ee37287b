/* UTF-8 <-> UTF-16 clipboard text conversion (common/base/text_convert.c).
 * Every conversion goes through u8_to_u16() / u16_to_u8(), which also check that
 * *_len equals what the conversion wrote and that nothing is written past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <spice/vd_agent.h>

#include "base/text_convert.h"

#define CANARY 0xA5A5u
#define LF_CRLF VDA_TEXT_LF_TO_CRLF
#define CRLF_LF VDA_TEXT_CRLF_TO_LF

/* UTF-8 -> UTF-16; returns a malloc'd, NUL-terminated buffer, *units its length. */
static uint16_t *u8_to_u16(const void *src, size_t len, unsigned flags, size_t *units)
{
    size_t n = vda_utf8_to_utf16_len(src, len, flags);
    assert_true(n <= 2 * len);
    uint16_t *dst = malloc((n + 2) * sizeof *dst);
    assert_non_null(dst);
    dst[n] = CANARY;
    dst[n + 1] = CANARY;
    size_t written = vda_utf8_to_utf16(src, len, dst, flags);
    assert_int_equal(written, n);
    assert_int_equal(dst[n], 0);               /* the terminating NUL unit */
    assert_int_equal(dst[n + 1], CANARY);      /* and nothing past it */
    *units = n;
    return dst;
}

/* UTF-16 -> UTF-8; returns a malloc'd buffer (not terminated), *bytes its length. */
static uint8_t *u16_to_u8(const uint16_t *src, size_t units, unsigned flags, size_t *bytes)
{
    size_t n = vda_utf16_to_utf8_len(src, units, flags);
    assert_true(n <= 3 * units);
    uint8_t *dst = malloc(n + 1);
    assert_non_null(dst);
    dst[n] = 0xA5;
    size_t written = vda_utf16_to_utf8(src, units, dst, flags);
    assert_int_equal(written, n);
    assert_int_equal(dst[n], 0xA5);            /* no trailing NUL, nothing past */
    *bytes = n;
    return dst;
}

static void expect_u16(const char *src, size_t len, unsigned flags,
                       const uint16_t *want, size_t want_n)
{
    size_t n;
    uint16_t *got = u8_to_u16(src, len, flags, &n);
    assert_int_equal(n, want_n);
    assert_memory_equal(got, want, want_n * sizeof *want);
    free(got);
}

static void expect_u8(const uint16_t *src, size_t units, unsigned flags,
                      const char *want, size_t want_n)
{
    size_t n;
    uint8_t *got = u16_to_u8(src, units, flags, &n);
    assert_int_equal(n, want_n);
    assert_memory_equal(got, want, want_n);
    free(got);
}

#define S(lit) (lit), (sizeof(lit) - 1)
#define U(...) ((const uint16_t[]){__VA_ARGS__}), (sizeof((const uint16_t[]){__VA_ARGS__}) / 2)

/* ASCII text as UTF-16 units, for expected values. */
static uint16_t *ascii_units(const char *s, size_t n)
{
    uint16_t *u = malloc((n + 1) * sizeof *u);
    assert_non_null(u);
    for (size_t i = 0; i < n; i++) {
        u[i] = (uint8_t)s[i];
    }
    return u;
}

static void test_ascii_round_trip_all_lengths(void **state)
{
    (void)state;
    char buf[200];
    /* Every length across the 8/16-unit block boundaries, every alignment. */
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len + off < sizeof buf; len++) {
            for (size_t i = 0; i < len; i++) {
                buf[off + i] = (char)(0x20 + (i * 7 + off) % 95);
            }
            size_t n16, n8;
            uint16_t *u = u8_to_u16(buf + off, len, 0, &n16);
            assert_int_equal(n16, len);
            for (size_t i = 0; i < len; i++) {
                assert_int_equal(u[i], (uint8_t)buf[off + i]);
            }
            uint8_t *back = u16_to_u8(u, n16, 0, &n8);
            assert_int_equal(n8, len);
            assert_memory_equal(back, buf + off, len);
            free(u);
            free(back);
        }
    }
}

static void test_cjk(void **state)
{
    (void)state;
    /* 日本語 テキスト, a 2-byte é and ASCII around */
    const char s[] = "a\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9"
                     "\xE3\x83\x88\xC3\xA9z";
    expect_u16(S(s), 0, U('a', 0x65E5, 0x672C, 0x8A9E, ' ', 0x30C6, 0x30AD, 0x30B9, 0x30C8,
                          0x00E9, 'z'));
    expect_u8(U('a', 0x65E5, 0x672C, 0x8A9E, ' ', 0x30C6, 0x30AD, 0x30B9, 0x30C8, 0x00E9, 'z'),
              0, S(s));
    /* Boundaries of each length class. */
    expect_u16(S("\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF"), 0, U(0x80, 0x7FF, 0x800, 0xFFFF));
    expect_u8(U(0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF), 0,
              S("\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"));
}

static void test_emoji_surrogate_pairs(void **state)
{
    (void)state;
    /* U+1F600, U+10000, U+10FFFF, U+1F468 U+200D U+1F469 (ZWJ sequence) */
    const char s[] = "\xF0\x9F\x98\x80\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"
                     "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9";
    expect_u16(S(s), 0, U(0xD83D, 0xDE00, 0xD800, 0xDC00, 0xDBFF, 0xDFFF,
                          0xD83D, 0xDC68, 0x200D, 0xD83D, 0xDC69));
    expect_u8(U(0xD83D, 0xDE00, 0xD800, 0xDC00, 0xDBFF, 0xDFFF, 0xD83D, 0xDC68, 0x200D,
                0xD83D, 0xDC69), 0, S(s));
}

static void test_line_ends_to_crlf(void **state)
{
    (void)state;
    const char in[] = "\na\nb\r\nc\rd\r\r\ne\n\n\r";
    const char want[] = "\r\na\r\nb\r\nc\rd\r\r\ne\r\n\r\n\r";
    uint16_t *w = ascii_units(S(want));
    expect_u16(S(in), LF_CRLF, w, sizeof want - 1);
    uint16_t *i16 = ascii_units(S(in));
    expect_u8(i16, sizeof in - 1, LF_CRLF, S(want));
    /* No flags: unchanged both ways. */
    expect_u16(S(in), 0, i16, sizeof in - 1);
    expect_u8(i16, sizeof in - 1, 0, S(in));
    free(w);
    free(i16);
    expect_u16(S("\r"), LF_CRLF, U('\r'));
    expect_u16(S("\n"), LF_CRLF, U('\r', '\n'));
    expect_u8(U('\n'), LF_CRLF, S("\r\n"));
}

static void test_line_ends_to_lf(void **state)
{
    (void)state;
    const char in[] = "\r\na\r\nb\nc\rd\r\r\ne\r\n\r\r";
    const char want[] = "\na\nb\nc\rd\r\ne\n\r\r";
    uint16_t *w = ascii_units(S(want));
    expect_u16(S(in), CRLF_LF, w, sizeof want - 1);
    uint16_t *i16 = ascii_units(S(in));
    expect_u8(i16, sizeof in - 1, CRLF_LF, S(want));
    free(w);
    free(i16);
    expect_u16(S("x\r"), CRLF_LF, U('x', '\r'));
    expect_u8(U('x', '\r'), CRLF_LF, S("x\r"));
    /* A CR before the terminating NUL stays: "\r\0\n" is a CR and the end. */
    expect_u8(U('x', '\r', 0, '\n'), CRLF_LF, S("x\r"));
    /* Non-ASCII right next to the line end. */
    expect_u16(S("\xC3\xA9\r\n\xE2\x82\xAC"), CRLF_LF, U(0xE9, '\n', 0x20AC));
    expect_u8(U(0xE9, '\r', '\n', 0x20AC), CRLF_LF, S("\xC3\xA9\n\xE2\x82\xAC"));
}

static void test_line_ends_across_blocks(void **state)
{
    (void)state;
    /* CRLF / LF at every offset across the block boundaries of the fast paths. */
    char in[80], want[80];
    for (size_t pos = 0; pos < 40; pos++) {
        memset(in, 'x', pos);
        memcpy(in + pos, "\r\n", 2);
        memset(in + pos + 2, 'y', 30);
        size_t in_n = pos + 32;
        memcpy(want, in, pos);
        want[pos] = '\n';
        memcpy(want + pos + 1, in + pos + 2, 30);
        size_t want_n = pos + 31;

        uint16_t *w16 = ascii_units(want, want_n);
        uint16_t *i16 = ascii_units(in, in_n);
        expect_u16(in, in_n, CRLF_LF, w16, want_n);
        expect_u8(i16, in_n, CRLF_LF, want, want_n);
        /* and back: LF -> CRLF gives the input again */
        expect_u16(want, want_n, LF_CRLF, i16, in_n);
        expect_u8(w16, want_n, LF_CRLF, in, in_n);
        free(w16);
        free(i16);
    }
}

static void test_both_flags_and_unknown_bits(void **state)
{
    (void)state;
    const char in[] = "a\nb\r\nc";
    uint16_t *i16 = ascii_units(S(in));
    expect_u16(S(in), LF_CRLF | CRLF_LF, i16, sizeof in - 1);
    expect_u8(i16, sizeof in - 1, LF_CRLF | CRLF_LF, S(in));
    expect_u16(S(in), 0x80, i16, sizeof in - 1);
    expect_u16(S("a\n"), LF_CRLF | 0x40, U('a', '\r', '\n'));
    free(i16);
}

#define FFFD 0xFFFD
static void test_invalid_utf8_maximal_subparts(void **state)
{
    (void)state;
    /* stray continuation bytes */
    expect_u16(S("\x80"), 0, U(FFFD));
    expect_u16(S("a\x80\xBF" "b"), 0, U('a', FFFD, FFFD, 'b'));
    /* leads that never start a valid sequence: C0, C1, F5..FF */
    expect_u16(S("\xC0\xAF"), 0, U(FFFD, FFFD));
    expect_u16(S("\xC1\xBF"), 0, U(FFFD, FFFD));
    expect_u16(S("\xF5\x80\x80\x80"), 0, U(FFFD, FFFD, FFFD, FFFD));
    expect_u16(S("\xFE\xFF"), 0, U(FFFD, FFFD));
    /* overlongs */
    expect_u16(S("\xE0\x80\xAF"), 0, U(FFFD, FFFD, FFFD));
    expect_u16(S("\xE0\x9F\xBF"), 0, U(FFFD, FFFD, FFFD));
    expect_u16(S("\xF0\x80\x80\xAF"), 0, U(FFFD, FFFD, FFFD, FFFD));
    expect_u16(S("\xF0\x8F\xBF\xBF"), 0, U(FFFD, FFFD, FFFD, FFFD));
    /* surrogates D800..DFFF encoded in UTF-8 */
    expect_u16(S("\xED\xA0\x80"), 0, U(FFFD, FFFD, FFFD));
    expect_u16(S("\xED\xBF\xBF"), 0, U(FFFD, FFFD, FFFD));
    expect_u16(S("\xED\xA0\xBD\xED\xB8\x80"), 0, U(FFFD, FFFD, FFFD, FFFD, FFFD, FFFD));
    /* past U+10FFFF */
    expect_u16(S("\xF4\x90\x80\x80"), 0, U(FFFD, FFFD, FFFD, FFFD));
    /* truncated sequences: one U+FFFD for the valid prefix, the next byte restarts */
    expect_u16(S("\xC3"), 0, U(FFFD));
    expect_u16(S("\xE2\x82"), 0, U(FFFD));
    expect_u16(S("\xF0\x9F\x98"), 0, U(FFFD));
    expect_u16(S("\xE2\x82" "a"), 0, U(FFFD, 'a'));
    expect_u16(S("\xF0\x9F\x98 x"), 0, U(FFFD, ' ', 'x'));
    expect_u16(S("\xE2\x82\xE2\x82\xAC"), 0, U(FFFD, 0x20AC));
    expect_u16(S("\xF0\x9F\x98\n"), LF_CRLF, U(FFFD, '\r', '\n'));
    /* Unicode 15, Table 3-8 (U+FFFD for non-shortest form / ill-formed example) */
    expect_u16(S("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"), 0,
               U(0x61, FFFD, FFFD, FFFD, 0x62, FFFD, 0x63, FFFD, FFFD, 0x64));
    /* W3C "Encoding" examples: the bytes after an error are not lost */
    expect_u16(S("\xF0\x90\x80" "\xF0\x90\x80\x80"), 0, U(FFFD, 0xD800, 0xDC00));
    /* An error in the middle of long ASCII runs truncates nothing. */
    char buf[70];
    memset(buf, 'a', 33);
    buf[33] = (char)0xFF;
    memset(buf + 34, 'b', 36);
    size_t n;
    uint16_t *u = u8_to_u16(buf, sizeof buf, 0, &n);
    assert_int_equal(n, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++) {
        assert_int_equal(u[i], i == 33 ? FFFD : (uint8_t)buf[i]);
    }
    free(u);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    /* To UTF-16 a NUL is a character like any other (plus the terminator). */
    expect_u16(S("a\0b"), 0, U('a', 0, 'b'));
    /* From UTF-16 the first NUL ends the text. */
    expect_u8(U('a', 0, 'b'), 0, S("a"));
    expect_u8(U(0, 'a'), 0, S(""));
    /* NUL inside what would be a fast block */
    expect_u8(U('a', 'b', 'c', 'd', 'e', 'f', 'g', 0, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'), 0,
              S("abcdefg"));
    expect_u8(U('a', 'b', 'c', 0, 'x', 'x', 'x', 'x'), 0, S("abc"));
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(vda_utf8_to_utf16_len((const uint8_t *)"", 0, 0), 0);
    uint16_t one = CANARY;
    assert_int_equal(vda_utf8_to_utf16((const uint8_t *)"", 0, &one, LF_CRLF), 0);
    assert_int_equal(one, 0);
    assert_int_equal(vda_utf16_to_utf8_len(&one, 0, 0), 0);
    uint8_t b = 0xA5;
    assert_int_equal(vda_utf16_to_utf8(&one, 0, &b, CRLF_LF), 0);
    assert_int_equal(b, 0xA5);
}

static void test_unpaired_surrogates(void **state)
{
    (void)state;
    const char R[] = "\xEF\xBF\xBD";
    expect_u8(U(0xD800), 0, R, 3);
    expect_u8(U(0xDC00), 0, R, 3);
    expect_u8(U(0xDBFF, 'a'), 0, S("\xEF\xBF\xBD" "a"));
    expect_u8(U('a', 0xDFFF, 'b'), 0, S("a\xEF\xBF\xBD" "b"));
    expect_u8(U(0xDC00, 0xD800), 0, S("\xEF\xBF\xBD\xEF\xBF\xBD"));
    expect_u8(U(0xD800, 0xD800, 0xDC00), 0, S("\xEF\xBF\xBD\xF0\x90\x80\x80"));
    expect_u8(U(0xD800, 0), 0, S("\xEF\xBF\xBD"));
    expect_u8(U(0xD83D, '\n'), LF_CRLF, S("\xEF\xBF\xBD\r\n"));
    /* high surrogate as the last unit of the buffer, pair split by the count */
    expect_u8(U(0xD83D, 0xDE00), 0, S("\xF0\x9F\x98\x80"));
    expect_u8((const uint16_t[]){0xD83D, 0xDE00}, 1, 0, R, 3);
}

static void test_flags_for(void **state)
{
    (void)state;
    assert_int_equal(vda_text_flags_for(1, 1), 0);
    assert_int_equal(vda_text_flags_for(1, 0), 0);
    assert_int_equal(vda_text_flags_for(0, 1), VDA_TEXT_LF_TO_CRLF);
    assert_int_equal(vda_text_flags_for(0, 0), VDA_TEXT_CRLF_TO_LF);
    /* The cap the agent announces is the one this helper is keyed on. */
    assert_int_equal(VD_AGENT_CAP_GUEST_LINEEND_CRLF, 9);
}

/* One repetition of the big test's text: ASCII lines, CJK, an emoji, CRLF/LF. */
static const char big_unit[] =
    "The quick brown fox jumps over the lazy dog 0123456789.\n"
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E and \xF0\x9F\x98\x80 emoji\r\n"
    "caf\xC3\xA9 \xE2\x82\xAC""42\n";

static void test_32mib_both_directions(void **state)
{
    (void)state;
    const size_t unit = sizeof big_unit - 1;
    const size_t reps = (32u << 20) / unit;
    const size_t len = reps * unit;
    uint8_t *text = malloc(len);
    assert_non_null(text);
    for (size_t r = 0; r < reps; r++) {
        memcpy(text + r * unit, big_unit, unit);
    }
    size_t unit16;
    uint16_t *pattern = u8_to_u16(big_unit, unit, 0, &unit16);

    size_t n16, n8;
    uint16_t *u = u8_to_u16(text, len, 0, &n16);
    assert_int_equal(n16, reps * unit16);
    for (size_t r = 0; r < reps; r++) {
        if (memcmp(u + r * unit16, pattern, unit16 * sizeof *u) != 0) {
            fail_msg("UTF-16 differs in repetition %zu", r);
        }
    }
    uint8_t *back = u16_to_u8(u, n16, 0, &n8);
    assert_int_equal(n8, len);
    assert_true(memcmp(back, text, len) == 0);
    free(back);

    /* CRLF -> LF on the way out: one byte less per "\r\n" (one per repetition). */
    back = u16_to_u8(u, n16, CRLF_LF, &n8);
    assert_int_equal(n8, len - reps);
    free(back);
    free(u);

    /* LF -> CRLF on the way in: two bare LFs per repetition gain a CR. */
    u = u8_to_u16(text, len, LF_CRLF, &n16);
    assert_int_equal(n16, reps * (unit16 + 2));
    back = u16_to_u8(u, n16, CRLF_LF, &n8);
    /* every line end is now LF: compare with the text's own LF-only form */
    assert_int_equal(n8, len - reps);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n') {
            continue;
        }
        if (back[o++] != text[i]) {
            fail_msg("CRLF round trip differs at input byte %zu", i);
        }
    }
    assert_int_equal(o, n8);
    free(back);
    free(u);
    free(pattern);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_round_trip_all_lengths),
        cmocka_unit_test(test_cjk),
        cmocka_unit_test(test_emoji_surrogate_pairs),
        cmocka_unit_test(test_line_ends_to_crlf),
        cmocka_unit_test(test_line_ends_to_lf),
        cmocka_unit_test(test_line_ends_across_blocks),
        cmocka_unit_test(test_both_flags_and_unknown_bits),
        cmocka_unit_test(test_invalid_utf8_maximal_subparts),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_unpaired_surrogates),
        cmocka_unit_test(test_flags_for),
        cmocka_unit_test(test_32mib_both_directions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
