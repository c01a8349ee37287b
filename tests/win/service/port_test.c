/* vdservice's real event loop against the port model (port_model.c): the
 * virtio-serial driver's rules, for the current and the older driver.
 *
 *   port_test SCENARIO current|old TEST_AGENT_EXE
 *
 * The loop runs in this process (vds_run on a thread, run mode), launches
 * test_agent.exe as its agent, and sees the model behind its port seam; this
 * thread plays the host. Exit 0 passed, 1 failed. */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "event_loop.h"
#include "port_model.h"
#include "service/port_retry.h"
#include "svc_test_proto.h"
#include "win_path.h"

static port_model M;
static vds_loop_ctl ctl;
static vds_config cfg;
static volatile LONG timer_wakeups;
static int failed;

static void fail_at(int line, const char *cond, const char *fmt, ...) VDA_PRINTF(3, 4);
static void fail_at(int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL port_test.c:%d: %s: ", line, cond);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failed = 1;
}

/* A failed check ends the scenario; the loop is stopped and checked after it. */
#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fail_at(__LINE__, #cond, __VA_ARGS__);                                        \
            return;                                                                       \
        }                                                                                 \
    } while (0)

static void sink(void *ctx, vda_log_level level, const char *line)
{
    (void)ctx;
    (void)level;
    if (strstr(line, "timer wakeup"))
        InterlockedIncrement(&timer_wakeups);
    else
        printf("  | %s\n", line); /* the wakeups alone would flood the output */
    fflush(stdout);
}

static vda_logger logger = { VDA_LOG_DEBUG, sink, NULL, "vdservice" };

static DWORD WINAPI loop_thread(void *arg)
{
    (void)arg;
    return (DWORD)vds_run(&cfg, &ctl, &logger);
}

static void say(const char *what)
{
    printf("port_test: %s\n", what);
    fflush(stdout);
}

/* The agent's "whoami": how many RESETs it got. -1 when no answer. */
static int agent_resets(DWORD timeout_ms)
{
    model_host_send(&M, VDP_CLIENT_PORT, SVC_TEST_CMD, "whoami", 6);
    model_msg r;
    if (model_next_msg(&M, SVC_TEST_REPORT, timeout_ms, &r) != 0)
        return -1;
    char text[128] = "";
    memcpy(text, r.data, r.size < sizeof text - 1 ? r.size : sizeof text - 1);
    free(r.data);
    const char *p = strstr(text, "resets=");
    return p ? atoi(p + 7) : -1;
}

/* The port opened and the agent's capabilities reached the host. */
static int wait_ready(DWORD timeout_ms)
{
    model_msg caps;
    if (model_next_msg(&M, VD_AGENT_ANNOUNCE_CAPABILITIES, timeout_ms, &caps) != 0)
        return -1;
    free(caps.data);
    return 0;
}

/* A big message from the host, echoed by the agent: does it come back whole? */
static int echo_big(uint32_t size, uint8_t seed, DWORD timeout_ms)
{
    uint8_t *d = malloc(size);
    svc_test_fill(d, size, seed);
    model_host_send(&M, VDP_CLIENT_PORT, SVC_TEST_BIG, d, size);
    model_msg r;
    int ok = model_next_msg(&M, SVC_TEST_BIG, timeout_ms, &r) == 0 && r.size == size &&
             memcmp(r.data, d, size) == 0;
    if (ok || r.data)
        free(r.data);
    free(d);
    return ok ? 0 : -1;
}

static void pause_ms(DWORD ms)
{
    Sleep(ms);
}

/* ------------------------------------------------------------ scenarios */

/* The host side connects 2 s after the open: the agent's first messages are
 * refused meanwhile. No flapping, no RESET, nothing lost. */
static void sc_host_late(void)
{
    M.connect_lag_ms = 2000;
    CHECK(wait_ready(10000) == 0, "the capabilities never arrived");
    unsigned refused = model_get(&M, &M.refused_writes);
    printf("port_test: %u writes refused before the host connected\n", refused);
    CHECK(refused > 0, "the model never refused a write");
    /* 20, 40, .. 500 ms over 2 s: 8 tries; 100 ms steps would be 20. */
    CHECK(refused <= 11, "%u write attempts in 2 s: not a bounded backoff", refused);
    CHECK(model_get(&M, &M.closes) == 0, "the port was closed %u times (flapping)",
          model_get(&M, &M.closes));
    CHECK(agent_resets(5000) == 0, "the agent was RESET");
    CHECK(echo_big(300000, 1, 10000) == 0, "a message after the late connect was lost");
}

/* The host goes away while a large guest->host transfer is under way, and
 * comes back 1.5 s later: the message arrives whole, the port stays open. */
static void sc_host_away(void)
{
    CHECK(wait_ready(10000) == 0, "the capabilities never arrived");
    model_set(&M, &M.queue_full, 1); /* the echo cannot go out at first... */
    uint32_t size = 2000000;
    uint8_t *d = malloc(size);
    svc_test_fill(d, size, 9);
    model_host_send(&M, VDP_CLIENT_PORT, SVC_TEST_BIG, d, size);
    pause_ms(300);
    model_set(&M, &M.queue_full, 0);
    pause_ms(30);
    model_set(&M, &M.host_present, 0); /* ...then the host leaves mid-transfer */
    pause_ms(1500);
    model_set(&M, &M.host_present, 1);
    model_msg r;
    int got = model_next_msg(&M, SVC_TEST_BIG, 15000, &r) == 0;
    int same = got && r.size == size && memcmp(r.data, d, size) == 0;
    if (got)
        free(r.data);
    free(d);
    CHECK(same, "the big message did not come back whole (got %d)", got);
    CHECK(model_get(&M, &M.closes) == 0, "the port was closed %u times", model_get(&M, &M.closes));
    CHECK(agent_resets(5000) == 0, "the agent was RESET");
}

/* The output queue stays full for 3 s: writes wait with a bounded backoff. */
static void sc_queue_full(void)
{
    CHECK(wait_ready(10000) == 0, "the capabilities never arrived");
    model_set(&M, &M.queue_full, 1);
    unsigned before = model_get(&M, &M.refused_writes);
    uint8_t *d = malloc(500000);
    svc_test_fill(d, 500000, 3);
    model_host_send(&M, VDP_CLIENT_PORT, SVC_TEST_BIG, d, 500000);
    pause_ms(3000);
    unsigned refused = model_get(&M, &M.refused_writes) - before;
    model_set(&M, &M.queue_full, 0);
    model_msg r;
    int got = model_next_msg(&M, SVC_TEST_BIG, 10000, &r) == 0;
    int same = got && r.size == 500000 && memcmp(r.data, d, 500000) == 0;
    if (got)
        free(r.data);
    free(d);
    printf("port_test: %u writes refused in 3 s\n", refused);
    CHECK(refused > 0, "no write was refused: the scenario did not happen");
    /* 20, 40, .. 500 ms: 10 attempts in 3 s; 100 ms steps would be 30. */
    CHECK(refused <= 14, "%u attempts in 3 s: not a bounded backoff", refused);
    CHECK(same, "the message did not arrive whole");
    CHECK(model_get(&M, &M.closes) == 0, "the port was closed %u times", model_get(&M, &M.closes));
    CHECK(agent_resets(5000) == 0, "the agent was RESET");
}

/* Idle and connected: no wakeups at all. Host away: a bounded read retry rate. */
static void sc_idle(void)
{
    CHECK(wait_ready(10000) == 0, "the capabilities never arrived");
    pause_ms(300);
    LONG w0 = InterlockedCompareExchange(&timer_wakeups, 0, 0);
    unsigned io0 = model_get(&M, &M.io_calls);
    pause_ms(2000);
    LONG w = InterlockedCompareExchange(&timer_wakeups, 0, 0) - w0;
    unsigned io = model_get(&M, &M.io_calls) - io0;
    printf("port_test: idle 2 s: %ld timer wakeups, %u port calls\n", (long)w, io);
    CHECK(w == 0 && io == 0, "the loop woke up while idle");
    /* The host leaves: reads are refused; they are retried at most 2/s. */
    model_set(&M, &M.host_present, 0);
    model_host_send(&M, VDP_CLIENT_PORT, SVC_TEST_CMD, "whoami", 6); /* completes the pending read */
    pause_ms(300);
    unsigned r0 = model_get(&M, &M.refused_reads);
    w0 = InterlockedCompareExchange(&timer_wakeups, 0, 0);
    pause_ms(3000);
    unsigned refused = model_get(&M, &M.refused_reads) - r0;
    w = InterlockedCompareExchange(&timer_wakeups, 0, 0) - w0;
    printf("port_test: host away 3 s: %u reads refused, %ld timer wakeups\n", refused, (long)w);
    CHECK(refused > 0, "no read was refused: the scenario did not happen");
    /* At the 500 ms cap: 6 reads and 6 writes (the whoami report waits too) in 3 s;
     * 100 ms steps would be 30 of each. */
    CHECK(refused <= 9 && w <= 18, "%u read retries / %ld wakeups in 3 s: not bounded", refused,
          (long)w);
    CHECK(model_get(&M, &M.closes) == 0, "the port was closed while the host was away");
}

/* The device is absent at start and appears 3 s later: the loop does not poll
 * for it, and PnP arrival opens it at once. */
static void sc_device_late(void)
{
    pause_ms(3000);
    unsigned tries = model_get(&M, &M.open_attempts);
    printf("port_test: %u open attempts in 3 s while absent\n", tries);
    CHECK(tries >= 1 && tries <= 2, "%u open attempts while absent: polling", tries);
    model_set(&M, &M.present, 1);
    ULONGLONG t0 = GetTickCount64();
    SetEvent(ctl.device_event); /* what SERVICE_CONTROL_DEVICEEVENT does */
    say("the arrival is the loop's device event, set here as scm.c's handler would; "
        "real PnP delivery: NOT RUN (Wine sends none)");
    CHECK(wait_ready(10000) == 0, "the capabilities never arrived");
    ULONGLONG took = GetTickCount64() - t0;
    printf("port_test: opened %llu ms after the arrival\n", (unsigned long long)took);
    CHECK(took < 1000, "the arrival was not acted on (%llu ms)", (unsigned long long)took);
    CHECK(echo_big(100000, 5, 10000) == 0, "the port does not work after arrival");
}

/* The device is removed under the open port and plugged back 1 s later. */
static void sc_removed(void)
{
    CHECK(wait_ready(10000) == 0, "the capabilities never arrived");
    model_remove(&M);
    pause_ms(1000);
    unsigned tries = model_get(&M, &M.open_attempts);
    CHECK(model_get(&M, &M.closes) == 1, "the removed port was not closed");
    CHECK(!model_is_open(&M), "open while absent?");
    model_set(&M, &M.present, 1);
    SetEvent(ctl.device_event);
    CHECK(wait_ready(5000) == 0, "the capabilities did not come again after the replug");
    CHECK(tries <= 3, "%u open attempts in 1 s while unplugged: polling", tries);
    CHECK(agent_resets(5000) == 1, "the agent was not RESET once");
    CHECK(echo_big(100000, 7, 10000) == 0, "the port does not work after the replug");
}

/* Someone else holds the port at start; released after 1 s. */
static void sc_second_opener(void)
{
    model_set(&M, &M.other_opener, 1);
    pause_ms(1000);
    CHECK(!model_is_open(&M), "opened while someone else holds it?");
    CHECK(model_get(&M, &M.open_attempts) >= 2, "the open was not retried");
    model_set(&M, &M.other_opener, 0);
    CHECK(wait_ready(8000) == 0, "never opened after the other opener left");
    /* And a second open while we hold it fails as the driver says. */
    DWORD err = 0;
    HANDLE h = port_model_ops.open(&M, L"model", &err);
    CHECK(h == INVALID_HANDLE_VALUE && err == ERROR_ALREADY_EXISTS, "second open: %lu",
          (unsigned long)err);
    CHECK(echo_big(1000, 2, 5000) == 0, "the port does not work");
}

/* Suspend drops buffered input; on resume the port is reopened and the agent RESET. */
static void sc_suspend_resume(void)
{
    CHECK(wait_ready(10000) == 0, "the capabilities never arrived");
    unsigned opens = model_get(&M, &M.opens);
    model_suspend(&M);
    SetEvent(ctl.resume_event); /* what PBT_APMRESUMEAUTOMATIC does (scm.c) */
    say("the resume is the loop's resume event, set here as scm.c's handler would; "
        "real power-event delivery: NOT RUN (Wine sends none)");
    CHECK(wait_ready(5000) == 0, "the capabilities did not come again after resume");
    CHECK(model_get(&M, &M.opens) == opens + 1, "the port was not reopened");
    CHECK(agent_resets(5000) == 1, "the agent was not RESET once");
    CHECK(echo_big(100000, 4, 10000) == 0, "the port does not work after resume");
}

static const struct {
    const char *name;
    void (*run)(void);
    int absent_at_start;
} scenarios[] = {
#define SCENARIO(name, absent) { #name, sc_##name, absent },
#include "port_scenarios.def"
#undef SCENARIO
};

int main(int argc, char **argv)
{
    if (argc != 4) {
        printf("usage: port_test SCENARIO current|old TEST_AGENT_EXE\n");
        return 2;
    }
    const char *name = argv[1];
    int old = strcmp(argv[2], "old") == 0;
    int which = -1;
    for (int i = 0; i < (int)(sizeof scenarios / sizeof scenarios[0]); i++)
        if (strcmp(scenarios[i].name, name) == 0)
            which = i;
    if (which < 0) {
        printf("port_test: unknown scenario %s\n", name);
        return 2;
    }
    if (model_init(&M, old) != 0 || vds_loop_ctl_init(&ctl) != 0)
        return 1;
    M.present = !scenarios[which].absent_at_start;
    vds_config_defaults(&cfg);
    wcscpy(cfg.device, L"model");
    win_path_from_unix(argv[3], cfg.agent);
    cfg.run_mode = 1;
    cfg.single_agent = 1;   /* the stream of one agent against the port model */
    cfg.level = VDA_LOG_DEBUG;
    ctl.port_ops = &port_model_ops;
    ctl.device_notify = 1; /* the scenarios play PnP through ctl.device_event */
    ctl.port_ctx = &M;
    printf("port_test: %s, %s driver\n", name, old ? "older" : "current");
    HANDLE t = CreateThread(NULL, 0, loop_thread, NULL, 0, NULL);
    scenarios[which].run();
    SetEvent(ctl.stop_event);
    if (WaitForSingleObject(t, 20000) != WAIT_OBJECT_0) {
        printf("FAIL: the loop did not stop\n");
        failed = 1;
    }
    if (model_get(&M, &M.errors)) {
        printf("FAIL: the host saw %u stream errors\n", model_get(&M, &M.errors));
        failed = 1;
    }
    say(failed ? "FAILED" : "passed");
    fflush(stdout);
    ExitProcess(failed ? 1 : 0); /* the loop's static state is not torn down twice */
}
