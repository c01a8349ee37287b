/* The agent lifecycle decisions of vdservice: launch, relaunch with backoff,
 * session changes (which Wine never delivers), stop, and when the port is open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/launch_policy.h"

static void test_start_hello_port(void **state)
{
    (void)state;
    vda_policy p;
    vda_policy_init(&p, NULL);
    assert_int_equal(vda_policy_start(&p, 0, 1), VDA_ACT_LAUNCH);
    assert_false(vda_policy_port_wanted(&p));
    vda_policy_launched(&p, 10);
    assert_int_equal(p.deadline, 10 + p.hello_timeout_ms);
    assert_false(vda_policy_port_wanted(&p));
    vda_policy_hello(&p, 20);
    assert_true(vda_policy_port_wanted(&p)); /* port open exactly from HELLO */
    assert_int_equal(p.deadline, VDA_POLICY_NO_DEADLINE);
    /* The agent dies: port no longer wanted, relaunched at once the first time. */
    assert_int_equal(vda_policy_agent_exited(&p, 1000), VDA_ACT_LAUNCH);
    assert_false(vda_policy_port_wanted(&p));
}

static void test_crash_loop_backs_off_and_resets(void **state)
{
    (void)state;
    vda_policy p;
    vda_policy_init(&p, NULL);
    uint64_t now = 0;
    assert_int_equal(vda_policy_start(&p, now, 1), VDA_ACT_LAUNCH);
    uint64_t delays[8];
    for (int i = 0; i < 8; i++) {
        vda_policy_launched(&p, now);
        now += 50; /* dies young */
        vda_policy_action a = vda_policy_agent_exited(&p, now);
        if (a == VDA_ACT_LAUNCH) {
            delays[i] = 0;
            continue;
        }
        assert_int_equal(a, VDA_ACT_NONE);
        assert_int_equal(p.state, VDA_AGENT_WAITING);
        delays[i] = p.deadline - now;
        assert_int_equal(vda_policy_timeout(&p, now + delays[i] - 1), VDA_ACT_NONE);
        now += delays[i];
        assert_int_equal(vda_policy_timeout(&p, now), VDA_ACT_LAUNCH);
    }
    const uint64_t want[] = { 0, 500, 1000, 2000, 4000, 8000, 10000, 10000 };
    assert_memory_equal(delays, want, sizeof want);
    /* It lives 30 s: the next death relaunches at once. */
    vda_policy_launched(&p, now);
    vda_policy_hello(&p, now + 10);
    assert_int_equal(vda_policy_agent_exited(&p, now + 30000), VDA_ACT_LAUNCH);
}

static void test_no_user_waits_for_logon(void **state)
{
    (void)state;
    vda_policy p;
    vda_policy_init(&p, NULL);
    assert_int_equal(vda_policy_start(&p, 0, 0), VDA_ACT_NONE);
    assert_int_equal(p.state, VDA_AGENT_IDLE);
    assert_int_equal(p.deadline, VDA_POLICY_NO_DEADLINE); /* idle: no timer at all */
    assert_int_equal(vda_policy_session(&p, 5, VDA_SESSION_LOCK, 0, 0), VDA_ACT_NONE);
    assert_int_equal(vda_policy_session(&p, 5, VDA_SESSION_LOGON, 0, 0), VDA_ACT_LAUNCH);
    /* The token could not be had after all: back to waiting, no retry timer. */
    assert_int_equal(vda_policy_launch_failed(&p, 6, 1), VDA_ACT_NONE);
    assert_int_equal(p.state, VDA_AGENT_IDLE);
    assert_int_equal(p.deadline, VDA_POLICY_NO_DEADLINE);
}

static void test_launch_failure_backs_off(void **state)
{
    (void)state;
    vda_policy p;
    vda_policy_init(&p, NULL);
    assert_int_equal(vda_policy_start(&p, 0, 1), VDA_ACT_LAUNCH);
    assert_int_equal(vda_policy_launch_failed(&p, 0, 0), VDA_ACT_LAUNCH); /* first: at once */
    assert_int_equal(vda_policy_launch_failed(&p, 1, 0), VDA_ACT_NONE);
    assert_int_equal(p.state, VDA_AGENT_WAITING);
    assert_int_equal(p.deadline, 501);
}

static void test_console_switch_stops_and_relaunches(void **state)
{
    (void)state;
    vda_policy p;
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launched(&p, 0);
    vda_policy_hello(&p, 1);
    /* Lock/unlock in the agent's own session: nothing happens. */
    assert_int_equal(vda_policy_session(&p, 2, VDA_SESSION_LOCK, 1, 1), VDA_ACT_NONE);
    assert_int_equal(vda_policy_session(&p, 3, VDA_SESSION_UNLOCK, 1, 1), VDA_ACT_NONE);
    assert_true(vda_policy_port_wanted(&p));
    /* Another session takes the console: stop, port closed, relaunch when gone. */
    assert_int_equal(vda_policy_session(&p, 4, VDA_SESSION_CONSOLE_CONNECT, 0, 0),
                     VDA_ACT_STOP_AGENT);
    assert_true(vda_policy_port_wanted(&p)); /* open while it shuts down (exit rendering) */
    assert_int_equal(p.deadline, 4 + p.grace_ms);
    /* A second event while stopping does not stop twice. */
    assert_int_equal(vda_policy_session(&p, 5, VDA_SESSION_CONSOLE_DISCONNECT, 0, 1),
                     VDA_ACT_NONE);
    /* It exits quickly (young, but on request): relaunch at once, backoff reset. */
    assert_int_equal(vda_policy_agent_exited(&p, 6), VDA_ACT_LAUNCH);
    assert_int_equal(p.backoff.failures, 0);
}

static void test_logoff_grace_then_kill(void **state)
{
    (void)state;
    vda_policy p;
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launched(&p, 0);
    vda_policy_hello(&p, 1);
    /* Logoff of another session: not ours. */
    assert_int_equal(vda_policy_session(&p, 2, VDA_SESSION_LOGOFF, 1, 0), VDA_ACT_NONE);
    assert_int_equal(vda_policy_session(&p, 3, VDA_SESSION_LOGOFF, 1, 1), VDA_ACT_STOP_AGENT);
    assert_int_equal(vda_policy_timeout(&p, 3 + p.grace_ms - 1), VDA_ACT_NONE);
    assert_int_equal(vda_policy_timeout(&p, 3 + p.grace_ms), VDA_ACT_KILL_AGENT);
    assert_int_equal(p.deadline, VDA_POLICY_NO_DEADLINE);
    /* After logoff the relaunch finds no user: wait for a logon. */
    assert_int_equal(vda_policy_agent_exited(&p, 5000), VDA_ACT_LAUNCH);
    assert_int_equal(vda_policy_launch_failed(&p, 5000, 1), VDA_ACT_NONE);
    assert_int_equal(p.state, VDA_AGENT_IDLE);
}

static void test_hello_timeout_and_lost_pipe(void **state)
{
    (void)state;
    vda_policy p;
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launched(&p, 0);
    assert_int_equal(vda_policy_timeout(&p, p.hello_timeout_ms), VDA_ACT_KILL_AGENT);
    assert_int_equal(vda_policy_agent_exited(&p, p.hello_timeout_ms + 1), VDA_ACT_LAUNCH);
    vda_policy_launched(&p, 20000);
    vda_policy_hello(&p, 20001);
    assert_int_equal(vda_policy_agent_lost(&p, 20002), VDA_ACT_NONE);
    assert_false(vda_policy_port_wanted(&p));
    assert_int_equal(vda_policy_agent_lost(&p, 20003), VDA_ACT_NONE); /* once */
    assert_int_equal(p.deadline, 20002 + p.grace_ms);
    assert_int_equal(vda_policy_timeout(&p, 20002 + p.grace_ms), VDA_ACT_KILL_AGENT);
    /* Second short life in a row (lost, not asked to stop): delayed relaunch. */
    assert_int_equal(vda_policy_agent_exited(&p, 20002 + p.grace_ms + 1), VDA_ACT_NONE);
    assert_int_equal(p.state, VDA_AGENT_WAITING);
    /* A logon while waiting launches at once. */
    assert_int_equal(vda_policy_session(&p, 30000, VDA_SESSION_LOGON, 0, 0), VDA_ACT_LAUNCH);
}

static void test_service_stop(void **state)
{
    (void)state;
    vda_policy p;
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launched(&p, 0);
    vda_policy_hello(&p, 1);
    assert_int_equal(vda_policy_stop_service(&p, 2), VDA_ACT_STOP_AGENT);
    /* Issue 13 §2: the client link stays while the agent shuts down, so that it
     * can render the client's clipboard at exit. */
    assert_true(vda_policy_port_wanted(&p));
    assert_int_equal(vda_policy_session(&p, 3, VDA_SESSION_LOGON, 0, 0), VDA_ACT_NONE);
    assert_true(vda_policy_port_wanted(&p));
    assert_int_equal(vda_policy_agent_exited(&p, 4), VDA_ACT_EXIT);
    assert_int_equal(p.state, VDA_AGENT_DONE);
    /* Without an agent the service stops at once, also while a relaunch waits. */
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launch_failed(&p, 0, 0);
    vda_policy_launch_failed(&p, 0, 0);
    assert_int_equal(p.state, VDA_AGENT_WAITING);
    assert_int_equal(vda_policy_stop_service(&p, 1), VDA_ACT_EXIT);
    assert_int_equal(vda_policy_timeout(&p, 100000), VDA_ACT_NONE);
}

/* Issue 13 §2: after STOP the port stays wanted until the agent is gone, is
 * killed at the end of the grace period, or loses its pipe; an agent stopped
 * before its HELLO never had the port and does not get it. */
static void test_port_during_stop(void **state)
{
    (void)state;
    vda_policy p;
    /* Exits within the grace period: wanted until then. */
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launched(&p, 0);
    vda_policy_hello(&p, 1);
    assert_int_equal(vda_policy_stop_service(&p, 10), VDA_ACT_STOP_AGENT);
    assert_true(vda_policy_port_wanted(&p));
    assert_int_equal(vda_policy_timeout(&p, 10 + p.grace_ms - 1), VDA_ACT_NONE);
    assert_true(vda_policy_port_wanted(&p));
    assert_int_equal(vda_policy_agent_exited(&p, 10 + p.grace_ms - 1), VDA_ACT_EXIT);
    assert_false(vda_policy_port_wanted(&p));
    /* Overstays: killed, and the port goes with the kill. */
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launched(&p, 0);
    vda_policy_hello(&p, 1);
    vda_policy_stop_service(&p, 10);
    assert_int_equal(vda_policy_timeout(&p, 10 + p.grace_ms), VDA_ACT_KILL_AGENT);
    assert_false(vda_policy_port_wanted(&p));
    /* Its pipe breaks while it shuts down: nothing left to keep. */
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launched(&p, 0);
    vda_policy_hello(&p, 1);
    vda_policy_stop_service(&p, 10);
    vda_policy_agent_lost(&p, 11);
    assert_false(vda_policy_port_wanted(&p));
    /* Stopped before HELLO: never wanted. */
    vda_policy_init(&p, NULL);
    vda_policy_start(&p, 0, 1);
    vda_policy_launched(&p, 0);
    assert_int_equal(vda_policy_stop_service(&p, 5), VDA_ACT_STOP_AGENT);
    assert_false(vda_policy_port_wanted(&p));
    /* The grace period covers the agent's exit budget (vdagent/app.h: 1500 ms of
     * rendering + 1000 ms to flush). */
    assert_true(p.grace_ms >= 1500 + 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_hello_port),
        cmocka_unit_test(test_crash_loop_backs_off_and_resets),
        cmocka_unit_test(test_no_user_waits_for_logon),
        cmocka_unit_test(test_launch_failure_backs_off),
        cmocka_unit_test(test_console_switch_stops_and_relaunches),
        cmocka_unit_test(test_logoff_grace_then_kill),
        cmocka_unit_test(test_hello_timeout_and_lost_pipe),
        cmocka_unit_test(test_service_stop),
        cmocka_unit_test(test_port_during_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
