/* Retry delays: free tries, doubling, cap, reset after a healthy run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/backoff.h"

static void test_agent_series(void **state)
{
    (void)state;
    vda_backoff b;
    vda_backoff_init(&b, 1, 500, 10000, 30000);
    const uint32_t want[] = { 0, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(vda_backoff_failed(&b, 100), want[i]);
    /* A run of 30 s counts as healthy: the next failure retries at once again. */
    assert_int_equal(vda_backoff_failed(&b, 30000), 0);
    assert_int_equal(vda_backoff_failed(&b, 29999), 500);
    vda_backoff_reset(&b);
    assert_int_equal(vda_backoff_failed(&b, 0), 0);
}

static void test_no_free_tries(void **state)
{
    (void)state;
    vda_backoff b;
    vda_backoff_init(&b, 0, 100, 1000, 0); /* healthy 0: never resets by itself */
    assert_int_equal(vda_backoff_failed(&b, 0), 100);
    assert_int_equal(vda_backoff_failed(&b, 0), 200);
    assert_int_equal(vda_backoff_failed(&b, 1000000), 400);
    assert_int_equal(vda_backoff_failed(&b, 0), 800);
    assert_int_equal(vda_backoff_failed(&b, 0), 1000);
}

static void test_many_failures_do_not_overflow(void **state)
{
    (void)state;
    vda_backoff b;
    vda_backoff_init(&b, 1, 3000, 4000000000u, 0);
    uint32_t last = 0;
    for (int i = 0; i < 100000; i++) {
        uint32_t d = vda_backoff_failed(&b, 0);
        assert_true(d >= last);
        assert_true(d <= 4000000000u);
        last = d;
    }
    assert_int_equal(last, 4000000000u);
    b.failures = UINT32_MAX;
    assert_int_equal(vda_backoff_failed(&b, 0), 4000000000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_series),
        cmocka_unit_test(test_no_free_tries),
        cmocka_unit_test(test_many_failures_do_not_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
