/* Sliced UTF-8 -> UTF-16 gives exactly what one whole conversion gives, on input
 * made of the bytes that matter at a cut: CR, LF, ASCII, lead and continuation
 * bytes of every length, and invalid bytes; every slice size from 1 up. */
#include "test_support.h"

#include "base/text_convert.h"
#include "agent/text_slices.h"

static const uint8_t alphabet[] = { 'a', '\r', '\n', 0xC3, 0xA9, 0xE6, 0x97, 0xA5, 0xF0, 0x9F,
                                    0x98, 0x80, 0xFF, 0xC0, 0xED, 0xA0, 0x00 };

typedef struct released {
    size_t calls, bytes;
    const uint8_t *next;  /* slices come in order, back to back */
} released;

static void on_done(void *ctx, const uint8_t *p, size_t n)
{
    released *r = ctx;
    if (r->next)
        assert_ptr_equal(p, r->next);
    r->next = p + n;
    r->calls++;
    r->bytes += n;
}

static void check(const uint8_t *s, size_t n, unsigned flags, size_t slice)
{
    size_t units = vda_utf8_to_utf16_len(s, n, flags);
    uint16_t *whole = malloc((units + 1) * 2);
    uint16_t *parts = malloc((units + 1) * 2);
    assert_non_null(whole);
    assert_non_null(parts);
    assert_int_equal(vda_utf8_to_utf16(s, n, whole, flags), units);
    released r = { 0, 0, s };
    size_t got = vda_utf8_to_utf16_sliced(s, n, parts, units + 1, flags, slice, on_done, &r);
    assert_int_equal(got, units);
    assert_memory_equal(parts, whole, (units + 1) * 2);
    assert_true(r.bytes <= n);
    if (r.calls)
        assert_true(r.bytes >= slice);  /* released what was converted, in order */
    /* too small a destination is refused without writing past it */
    if (units > 0) {
        uint16_t *small = malloc(units * 2);
        assert_non_null(small);
        assert_true(vda_utf8_to_utf16_sliced(s, n, small, units, flags, slice, NULL, NULL) ==
                    (size_t)-1);
        free(small);
    }
    free(whole);
    free(parts);
}

static void test_random_inputs(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (int round = 0; round < 400; round++) {
        uint8_t s[300];
        size_t n = 1 + (size_t)(round % 299);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            s[i] = alphabet[x % sizeof alphabet];
        }
        for (unsigned flags = 0; flags <= VDA_TEXT_CRLF_TO_LF; flags++)
            for (size_t slice = 1; slice < n + 2; slice = slice * 2 + 1)
                check(s, n, flags, slice);
    }
}

static void test_cut_points(void **state)
{
    (void)state;
    const uint8_t s[] = "ab\r\ncd\xc3\xa9" "ef";
    size_t n = sizeof s - 1;
    assert_int_equal(vda_text_safe_cut(s, n, 1, 100), 1);       /* 'b' after 'a' */
    assert_int_equal(vda_text_safe_cut(s, n, 3, 100), 4);       /* not between CR and LF */
    assert_int_equal(vda_text_safe_cut(s, n, 7, 100), 8);       /* not inside the C3 A9 */
    assert_int_equal(vda_text_safe_cut(s, n, 7, 1), n);         /* window too short: no cut */
    assert_int_equal(vda_text_safe_cut(s, n, n, 100), n);
}

static void test_empty(void **state)
{
    (void)state;
    uint16_t d[1] = { 7 };
    assert_int_equal(vda_utf8_to_utf16_sliced((const uint8_t *)"", 0, d, 1, 0, 4, NULL, NULL), 0);
    assert_int_equal(d[0], 0);
    assert_true(vda_utf8_to_utf16_sliced((const uint8_t *)"", 0, d, 0, 0, 4, NULL, NULL) ==
                (size_t)-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_inputs),
        cmocka_unit_test(test_cut_points),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
