/* The harness of svc_test.exe (harness.c): integration tests of vdservice under
 * Wine. The program plays the host (a fake virtio port, fake_host.c), starts
 * "vdservice run" with test_agent.exe as its agent, and checks what both ends
 * see and what the service logs. The scenarios (sc_*.c) are listed once, in
 * scenarios.def. */
#ifndef VDA_SVC_TEST_HARNESS_H
#define VDA_SVC_TEST_HARNESS_H

#include <windows.h>
#include <stdint.h>
#include <stdio.h>

#include "fake_host.h"
#include "wtest.h"

/* The programs under test (Windows paths); a scenario may swap agent_exe. */
extern wchar_t service_exe[MAX_PATH], agent_exe[MAX_PATH];
/* service_start runs vdservice's two roles (default: --single-agent, one test
 * agent that echoes everything). */
extern int service_two_roles;
/* Set by a failed CHECK or EXPECT (wtest.h); what a scenario returns. */
extern int failed;

void say(const char *fmt, ...);

/* ---- the service ---- */

typedef struct service {
    PROCESS_INFORMATION pi;
    wchar_t log_path[MAX_PATH];
    wchar_t stop_name[64];
    HANDLE stop_event;
    int running;
} service;

/* Runs a program to completion, its output into `out_path`; returns its exit code. */
int run_wait(const wchar_t *cmdline, const wchar_t *out_path, DWORD timeout_ms);
/* The whole file as text ("" if it cannot be read); free() it. */
char *read_file(const wchar_t *path);
int count_in(const char *text, const char *what);
/* How often `what` is in the service's log so far. */
int log_count(service *s, const char *what);
/* Waits until `what` is in the log n times: 0, or -1 on timeout. */
int wait_log(service *s, const char *what, int n, DWORD timeout_ms);
/* "vdservice run --device DEVICE" with the test agent; its log named after tag. */
int service_start(service *s, const wchar_t *device, const char *tag);
void print_log(const wchar_t *path, const char *title);
/* Stops the service cleanly; returns its exit code (or -1 if it had to be killed). */
int service_stop(service *s);
/* CPU time the service has used so far, in ms. */
double service_cpu_ms(service *s);
int service_alive(service *s);

/* ---- the host's side ---- */

void device_name(wchar_t *out, const char *tag);
/* Next message, skipping nothing; prints what came instead on mismatch. */
int expect_msg(fake_host *h, uint32_t type, int conn, host_msg *m, DWORD timeout);
/* The capabilities announcement that opens every connection. */
int expect_caps(fake_host *h, int conn);
/* Sends `size` bytes as one message and checks the echo is exact. */
int echo(fake_host *h, uint32_t size, uint8_t seed, int conn);
/* The port closed under connection conn-1 and reopened as connection `conn`. */
int expect_reopened(fake_host *h, int conn);
int command(fake_host *h, const char *cmd);
/* Sends a command and waits for the agent's text report starting with `prefix`. */
int ask(fake_host *h, const char *cmd, const char *prefix, char *out, size_t len, int conn);
int no_more_msgs(fake_host *h, DWORD ms);
/* Common end: stop the service (cleanly), stop the host, keep the log on failure. */
int finish(service *svc, fake_host *host);

/* Common start: host up, service up, first connection with its capabilities. */
#define START(tag)                                                                        \
    wchar_t dev[128];                                                                     \
    device_name(dev, tag);                                                                \
    CHECK(host_start(&host, dev) == 0, "cannot serve %ls", dev);                          \
    CHECK(service_start(&svc, dev, tag) == 0, "cannot start %ls", service_exe);           \
    CHECK(host_wait_count(&host, &host.connects, 1, 15000) == 0, "device never opened"); \
    CHECK(expect_caps(&host, 1) == 0, "no capabilities on the first connection")

/* ---- the scenarios (scenarios.def): t_NAME returns `failed` ---- */

#define SCENARIO(name, lock) int t_##name(void);
#include "scenarios.def"
#undef SCENARIO

#endif
