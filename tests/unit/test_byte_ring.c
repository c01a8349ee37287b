/* The fixed-capacity byte FIFO, against a simple model, across wrap-arounds. */
#include "test_support.h"

#include "base/byte_ring.h"

static void test_against_model(void **state)
{
    (void)state;
    vda_ring r;
    assert_int_equal(vda_ring_init(&r, 1000), 0);
    uint8_t model[1000];
    size_t mlen = 0;
    uint8_t in[700], seq = 0;
    uint32_t x = 12345;
    for (int round = 0; round < 20000; round++) {
        x = x * 1103515245u + 12345u;
        size_t n = (x >> 8) % 700;
        if ((x >> 4) & 1) {
            for (size_t i = 0; i < n; i++)
                in[i] = seq++;
            int ok = vda_ring_push(&r, in, n);
            if (n <= 1000 - mlen) {
                assert_int_equal(ok, 0);
                memcpy(model + mlen, in, n);
                mlen += n;
            } else {
                assert_int_equal(ok, -1); /* all or nothing */
                seq = (uint8_t)(seq - n);
            }
        } else {
            const uint8_t *p;
            size_t k = vda_ring_peek(&r, &p);
            assert_true(k <= mlen);
            assert_true(mlen == 0 || k > 0);
            if (k > n)
                k = n;
            assert_memory_equal(p, model, k);
            vda_ring_consume(&r, k);
            memmove(model, model + k, mlen - k);
            mlen -= k;
        }
        assert_int_equal(vda_ring_len(&r), mlen);
        assert_int_equal(vda_ring_space(&r), 1000 - mlen);
    }
    vda_ring_free(&r);
}

static void test_reserve_commit(void **state)
{
    (void)state;
    vda_ring r;
    assert_int_equal(vda_ring_init(&r, 10), 0);
    uint8_t *w;
    assert_int_equal(vda_ring_reserve(&r, &w), 10);
    memcpy(w, "abcdefgh", 8);
    vda_ring_commit(&r, 8);
    vda_ring_consume(&r, 6);                 /* head at 6, "gh" queued */
    assert_int_equal(vda_ring_reserve(&r, &w), 2); /* tail span up to the end */
    memcpy(w, "ij", 2);
    vda_ring_commit(&r, 2);
    assert_int_equal(vda_ring_reserve(&r, &w), 6); /* wrapped: up to the head */
    memcpy(w, "klmnop", 6);
    vda_ring_commit(&r, 6);
    assert_int_equal(vda_ring_space(&r), 0);
    assert_int_equal(vda_ring_reserve(&r, &w), 0);
    const uint8_t *p;
    assert_int_equal(vda_ring_peek(&r, &p), 4);
    assert_memory_equal(p, "ghij", 4);
    vda_ring_consume(&r, 4);
    assert_int_equal(vda_ring_peek(&r, &p), 6);
    assert_memory_equal(p, "klmnop", 6);
    vda_ring_consume(&r, 100);               /* more than queued: empties */
    assert_int_equal(vda_ring_len(&r), 0);
    vda_ring_clear(&r);
    vda_ring_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_model),
        cmocka_unit_test(test_reserve_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
