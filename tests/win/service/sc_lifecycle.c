/* svc_test scenarios: the agent and the port come and go (agent killed or
 * dying mid-message, a late device, the host closing the port, crash loops and
 * an agent that cannot be launched). */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "base/le_bytes.h"
#include "svc_test_proto.h"

/* Kill the agent: the port closes; the relaunched agent reopens it with fresh state. */
int t_agent_killed(void)
{
    static fake_host host;
    char err[HOST_ERROR_MAX];
    service svc = { 0 };
    char r1[200], r2[200];
    START("killed");
    CHECK(echo(&host, 5000, 1, 1) == 0, "echo before");
    CHECK(ask(&host, "whoami", "pid=", r1, sizeof r1, 1) == 0, "whoami: %s", r1);
    DWORD pid = (DWORD)strtoul(r1 + 4, NULL, 10);
    HANDLE p = OpenProcess(PROCESS_TERMINATE, FALSE, pid);
    CHECK(p && TerminateProcess(p, 9), "cannot kill agent %lu", (unsigned long)pid);
    CloseHandle(p);
    CHECK(expect_reopened(&host, 2) == 0, "after the kill");
    CHECK(ask(&host, "whoami", "pid=", r2, sizeof r2, 2) == 0, "whoami: %s", r2);
    CHECK(strcmp(r1, r2) != 0, "same agent? %s / %s", r1, r2);
    CHECK(echo(&host, 70000, 2, 2) == 0, "echo after");
    CHECK(log_count(&svc, "exit code 9 ") == 1, "exit code of the killed agent not logged");
    CHECK(log_count(&svc, "device closed: ") >= 1, "closing not logged");
    CHECK(host_errors(&host, err, sizeof err) == 0, "host saw errors: %s", err);
out:
    return finish(&svc, &host);
}

/* Seed scenario 3: the agent dies in the middle of a multi-chunk message to the
 * client. The host sees the port close, drops the partial message, and the next
 * agent's stream starts clean. */
int t_agent_dies_sending(void)
{
    static fake_host host;
    char err[HOST_ERROR_MAX];
    service svc = { 0 };
    START("dies-sending");
    CHECK(command(&host, "send-half-and-die 40000") == 0, "command");
    CHECK(expect_reopened(&host, 2) == 0, "after the agent died sending");
    CHECK(echo(&host, 40000, 5, 2) == 0, "echo after");
    CHECK(echo(&host, 10, 6, 2) == 0, "small echo after");
    CHECK(log_count(&svc, "exit code 4 ") == 1, "agent's death not logged");
    CHECK(host_errors(&host, err, sizeof err) == 0, "host saw a corrupt stream: %s", err);
    CHECK(no_more_msgs(&host, 300) == 0, "a partial message was completed somewhere");
out:
    return finish(&svc, &host);
}

/* Seed scenario 4: the agent dies after the first chunk of a multi-chunk message
 * from the client. The next agent must not receive the rest of it. */
int t_agent_dies_receiving(void)
{
    static fake_host host;
    char err[HOST_ERROR_MAX];
    service svc = { 0 };
    START("dies-receiving");
    CHECK(command(&host, "die-on-partial") == 0, "command");
    {
        uint8_t *d = malloc(60000);
        svc_test_fill(d, 60000, 3);
        host_send_msg(&host, VDP_CLIENT_PORT, SVC_TEST_BIG, d, 60000); /* may fail midway */
        free(d);
    }
    CHECK(expect_reopened(&host, 2) == 0, "after the agent died receiving");
    /* The new agent echoes exactly what it gets: any leftover of the old message
     * would come back as an error report or a wrong echo. */
    CHECK(echo(&host, 3000, 8, 2) == 0, "echo after");
    CHECK(echo(&host, 9, 9, 2) == 0, "small echo after");
    CHECK(log_count(&svc, "exit code 5 ") == 1, "agent's death not logged");
    CHECK(no_more_msgs(&host, 300) == 0, "stray messages");
    CHECK(host_errors(&host, err, sizeof err) == 0, "host saw errors: %s", err);
out:
    return finish(&svc, &host);
}

/* The device appears only after the service started. */
int t_late_device(void)
{
    static fake_host host;
    service svc = { 0 };
    wchar_t dev[128];
    device_name(dev, "late");
    CHECK(service_start(&svc, dev, "late") == 0, "cannot start the service");
    CHECK(wait_log(&svc, "cannot open", 1, 10000) == 0, "missing device not logged");
    Sleep(1500);
    CHECK(log_count(&svc, "cannot open") == 1, "missing device logged %d times (want once)",
          log_count(&svc, "cannot open"));
    CHECK(host_start(&host, dev) == 0, "cannot serve %ls", dev);
    CHECK(host_wait_count(&host, &host.connects, 1, 10000) == 0, "device never opened");
    /* The agent's first announcement went nowhere: RESET makes it announce again. */
    CHECK(expect_caps(&host, 1) == 0, "no capabilities after the late open");
    CHECK(log_count(&svc, "sent reset") == 1, "agent not told about the reopened port");
    CHECK(echo(&host, 5000, 1, 1) == 0, "echo");
out:
    return finish(&svc, &host);
}

/* The host closes the device: the service reopens it, the same agent stays and
 * announces itself again. */
int t_host_closes(void)
{
    static fake_host host;
    service svc = { 0 };
    char r1[200], r2[200];
    START("host-closes");
    CHECK(ask(&host, "whoami", "pid=", r1, sizeof r1, 1) == 0, "whoami: %s", r1);
    host_kick(&host);
    CHECK(expect_reopened(&host, 2) == 0, "after the kick");
    CHECK(ask(&host, "whoami", "pid=", r2, sizeof r2, 2) == 0, "whoami: %s", r2);
    CHECK(strtoul(r1 + 4, NULL, 10) == strtoul(r2 + 4, NULL, 10), "agent changed: %s / %s", r1, r2);
    CHECK(strstr(r2, "resets=1") != NULL, "agent got no RESET: %s", r2);
    CHECK(echo(&host, 20000, 4, 2) == 0, "echo after");
    CHECK(service_alive(&svc), "service died");
out:
    return finish(&svc, &host);
}

/* The host closes the device while the agent is in the middle of a multi-chunk
 * message: the rest of that message must not reach the reopened port (it would
 * be read as a message header there), and the agent announces itself again. */
int t_host_closes_mid_message(void)
{
    static fake_host host;
    char err[HOST_ERROR_MAX];
    service svc = { 0 };
    char r[200];
    START("host-closes-mid");
    CHECK(command(&host, "send-slowly 200000") == 0, "command"); /* ~100 chunks, ~0.5 s+ */
    Sleep(150);
    host_kick(&host);
    CHECK(expect_reopened(&host, 2) == 0, "after the kick mid-message");
    CHECK(ask(&host, "whoami", "pid=", r, sizeof r, 2) == 0, "whoami: %s", r);
    CHECK(strstr(r, "resets=1") != NULL, "agent got no RESET: %s", r);
    CHECK(echo(&host, 20000, 4, 2) == 0, "echo after");
    CHECK(host_errors(&host, err, sizeof err) == 0,
          "the reopened port got the tail of a message: %s", err);
    CHECK(log_count(&svc, "sent reset") == 1, "reset not logged");
out:
    return finish(&svc, &host);
}

/* An agent that dies at once is relaunched with growing delays, and the port is
 * never opened for it. */
int t_crash_loop(void)
{
    static fake_host host;
    service svc = { 0 };
    wchar_t dev[128];
    SetEnvironmentVariableA("SVC_TEST_AGENT_MODE", "exit-at-once");
    device_name(dev, "crash");
    CHECK(host_start(&host, dev) == 0, "cannot serve %ls", dev);
    CHECK(service_start(&svc, dev, "crash") == 0, "cannot start the service");
    /* Launches at once, at once again, then after 0.5, 1 and 2 s: the fifth exit
     * schedules 4 s. Waiting for that line keeps the test independent of speed. */
    CHECK(wait_log(&svc, "agent relaunch in 4000 ms", 1, 20000) == 0, "no 4 s backoff reached");
    int exits = log_count(&svc, "agent exited");
    say("%d agent exits until the 4 s delay", exits);
    CHECK(exits == 5, "%d exits (want 5: 0, 0, 0.5, 1, 2 s)", exits);
    CHECK(log_count(&svc, "exit code 7 ") == exits, "exit codes not logged");
    CHECK(log_count(&svc, "agent relaunch in 500 ms") == 1 &&
              log_count(&svc, "agent relaunch in 1000 ms") == 1 &&
              log_count(&svc, "agent relaunch in 2000 ms") == 1, "no doubling backoff");
    Sleep(1500); /* the delay is real: nothing is launched meanwhile */
    CHECK(log_count(&svc, "agent launched") == 5, "launched during the 4 s delay");
    CHECK(host_connects(&host) == 0, "the port was opened without a connected agent");
out:
    SetEnvironmentVariableA("SVC_TEST_AGENT_MODE", NULL);
    return finish(&svc, &host);
}

/* An agent path that does not exist: launch failures back off like crashes, the
 * port stays closed, the service stays up. */
int t_bad_agent(void)
{
    static fake_host host;
    service svc = { 0 };
    wchar_t dev[128], saved[MAX_PATH];
    wcscpy(saved, agent_exe);
    wcscpy(agent_exe, L"C:\\no\\such\\vdagent.exe");
    device_name(dev, "bad-agent");
    CHECK(host_start(&host, dev) == 0, "cannot serve %ls", dev);
    CHECK(service_start(&svc, dev, "bad-agent") == 0, "cannot start the service");
    CHECK(wait_log(&svc, "agent relaunch in 1000 ms", 1, 20000) == 0, "no backoff");
    int fails = log_count(&svc, "cannot launch the agent");
    say("%d failed launches until the 1 s delay", fails);
    CHECK(fails == 3, "%d launch attempts (want 3: 0, 0, 0.5 s)", fails);
    Sleep(500);
    CHECK(log_count(&svc, "cannot launch the agent") == 3, "launched during the 1 s delay");
    CHECK(service_alive(&svc), "service died");
    CHECK(host_connects(&host) == 0, "port opened without an agent");
out:
    wcscpy(agent_exe, saved);
    return finish(&svc, &host);
}
