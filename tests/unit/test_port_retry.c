/* vdservice's port retry decisions (common/service/port_retry): which driver
 * answers keep the port open and the data queued, how fast refused transfers
 * are retried, and how opens are retried. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/port_retry.h"

static void test_refusals_keep_the_port(void **state)
{
    (void)state;
    /* Current driver: CANT_WAIT while the host is away or the queue is full;
     * reads and older drivers' writes: NO_SYSTEM_RESOURCES. */
    assert_int_equal(vda_port_io_classify(VDA_WERR_CANT_WAIT), VDA_PORT_IO_WAIT);
    assert_int_equal(vda_port_io_classify(VDA_WERR_NO_SYSTEM_RESOURCES), VDA_PORT_IO_WAIT);
    assert_int_equal(vda_port_io_classify(0), VDA_PORT_IO_OK);
    /* A removed port or a restarted driver: reopen. */
    assert_int_equal(vda_port_io_classify(VDA_WERR_OBJECT_NO_LONGER_EXISTS), VDA_PORT_IO_GONE);
    assert_int_equal(vda_port_io_classify(VDA_WERR_BAD_COMMAND), VDA_PORT_IO_GONE);
    assert_int_equal(vda_port_io_classify(995 /* operation aborted */), VDA_PORT_IO_GONE);
}

static void test_retry_rate_is_bounded(void **state)
{
    (void)state;
    vda_port_retry r;
    vda_port_retry_init(&r);
    /* The host stays away for 60 s: count the attempts the delays allow. */
    uint64_t t = 0;
    unsigned attempts = 0;
    uint32_t d = 0;
    while (t < 60000) {
        assert_int_equal(vda_port_io_result(&r.wr, VDA_WERR_CANT_WAIT, 0, &d), VDA_PORT_IO_WAIT);
        assert_true(d >= VDA_PORT_IO_FIRST_MS && d <= VDA_PORT_IO_MAX_MS);
        t += d;
        attempts++;
    }
    /* 2 a second once the backoff is at its cap, plus the short first ones. */
    assert_true(attempts <= 60000 / VDA_PORT_IO_MAX_MS + 6);
    assert_int_equal(d, VDA_PORT_IO_MAX_MS);
    /* Success: the next refusal starts short again. */
    assert_int_equal(vda_port_io_result(&r.wr, 0, 100, &d), VDA_PORT_IO_OK);
    assert_int_equal(d, 0);
    assert_int_equal(r.wr.waiting, 0);
    vda_port_io_result(&r.wr, VDA_WERR_CANT_WAIT, 0, &d);
    assert_int_equal(d, VDA_PORT_IO_FIRST_MS);
}

static void test_directions_are_independent(void **state)
{
    (void)state;
    vda_port_retry r;
    vda_port_retry_init(&r);
    uint32_t d;
    for (int i = 0; i < 10; i++)
        vda_port_io_result(&r.wr, VDA_WERR_CANT_WAIT, 0, &d);
    /* A full output queue does not slow the reads down. */
    assert_int_equal(vda_port_io_result(&r.rd, VDA_WERR_NO_SYSTEM_RESOURCES, 0, &d),
                     VDA_PORT_IO_WAIT);
    assert_int_equal(d, VDA_PORT_IO_FIRST_MS);
}

static void test_empty_read_waits(void **state)
{
    (void)state;
    vda_port_retry r;
    vda_port_retry_init(&r);
    uint32_t d;
    assert_int_equal(vda_port_io_result(&r.rd, 0, 0, &d), VDA_PORT_IO_WAIT);
    assert_true(d > 0);
}

static void test_opens(void **state)
{
    (void)state;
    vda_port_retry r;
    vda_port_retry_init(&r);
    /* Absent: PnP arrival says when; the timer is only a slow fallback. */
    assert_int_equal(vda_port_open_classify(VDA_WERR_FILE_NOT_FOUND), VDA_PORT_OPEN_ABSENT);
    assert_int_equal(vda_port_open_failed(&r, VDA_WERR_FILE_NOT_FOUND, 1), VDA_PORT_ABSENT_FALLBACK_MS);
    assert_int_equal(vda_port_open_failed(&r, VDA_WERR_PATH_NOT_FOUND, 1), VDA_PORT_ABSENT_FALLBACK_MS);
    /* No notification (run mode, or registering failed): the timer is all there is. */
    assert_int_equal(vda_port_open_failed(&r, VDA_WERR_FILE_NOT_FOUND, 0), 0);
    assert_int_equal(vda_port_open_failed(&r, VDA_WERR_FILE_NOT_FOUND, 0), VDA_PORT_OPEN_FIRST_MS);
    vda_port_retry_opened(&r);
    /* Another opener holds it: back off, once at once then doubling to the cap. */
    assert_int_equal(vda_port_open_classify(VDA_WERR_ALREADY_EXISTS), VDA_PORT_OPEN_BUSY);
    assert_int_equal(vda_port_open_failed(&r, VDA_WERR_ALREADY_EXISTS, 1), 0);
    assert_int_equal(vda_port_open_failed(&r, VDA_WERR_ALREADY_EXISTS, 1), VDA_PORT_OPEN_FIRST_MS);
    for (int i = 0; i < 20; i++)
        assert_true(vda_port_open_failed(&r, VDA_WERR_ACCESS_DENIED, 1) <= VDA_PORT_OPEN_MAX_MS);
    assert_int_equal(vda_port_open_failed(&r, 31, 1), VDA_PORT_OPEN_MAX_MS);
    vda_port_retry_opened(&r);
    assert_int_equal(vda_port_open_failed(&r, 31, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals_keep_the_port),
        cmocka_unit_test(test_retry_rate_is_bounded),
        cmocka_unit_test(test_directions_are_independent),
        cmocka_unit_test(test_empty_read_waits),
        cmocka_unit_test(test_opens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
