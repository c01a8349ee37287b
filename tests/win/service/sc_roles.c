/* svc_test scenarios: vdservice's two agent roles (its default), with
 * test_agent --role system|user answering each message with a REPLY that names
 * the role (test_agent.c). Under Wine both roles run as the same user in one
 * session; what needs real tokens and desktops is t_roles_not_run_here. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "base/le_bytes.h"
#include "wire/caps.h"

#define ROLE_SYSTEM 1
#define ROLE_USER 2

/* Sends a message of `type` and returns which role answered (0: none). */
static int who_takes(fake_host *h, uint32_t type, uint32_t size, int conn)
{
    uint8_t d[64] = { 0 };
    host_msg m = { 0 };
    if (host_send_msg(h, VDP_CLIENT_PORT, type, d, size) != 0)
        return 0;
    /* Announcements may come in between (a role (re)announcing). */
    do {
        free(m.data);
        m.data = NULL;
        if (host_next_msg(h, &m, 10000) != 0 || m.conn != conn) {
            printf("svc_test: no answer to type %u on connection %d\n", type, conn);
            free(m.data);
            return 0;
        }
    } while (m.type == VD_AGENT_ANNOUNCE_CAPABILITIES);
    if (m.type != VD_AGENT_REPLY) {
        printf("svc_test: got type %u instead of a REPLY\n", m.type);
        free(m.data);
        return 0;
    }
    int role = m.size == 8 && vda_le32(m.data) == type ? (int)vda_le32(m.data + 4) : 0;
    free(m.data);
    return role;
}

/* An announcement on connection conn with (has) or without (!has) cap; other
 * messages (older connections, older announcements) are skipped. */
static int wait_caps(fake_host *h, int conn, uint32_t cap, int has)
{
    ULONGLONG end = GetTickCount64() + 20000;
    while (GetTickCount64() < end) {
        host_msg m = { 0 };
        if (host_next_msg(h, &m, 1000) != 0)
            continue;
        vda_caps c;
        uint32_t request;
        int hit = m.type == VD_AGENT_ANNOUNCE_CAPABILITIES && m.conn == conn &&
                  vda_caps_parse(m.data, m.size, &request, &c) == 0 &&
                  !!vda_caps_has(&c, cap) == has;
        free(m.data);
        if (hit)
            return 0;
    }
    printf("svc_test: no announcement %s cap %u on connection %d\n", has ? "with" : "without",
           cap, conn);
    return -1;
}

/* The role's process id from the service's "agent launched: ... --role R,
 * process N" line (the last one). */
static DWORD role_pid(service *svc, const char *role)
{
    char *t = read_file(svc->log_path);
    char key[64];
    snprintf(key, sizeof key, "--role %s, process ", role);
    DWORD pid = 0;
    for (const char *p = t; (p = strstr(p, key)) != NULL; p += strlen(key))
        pid = (DWORD)strtoul(p + strlen(key), NULL, 10);
    free(t);
    return pid;
}

static int start_roles(fake_host *host, service *svc, const char *tag)
{
    wchar_t dev[128];
    device_name(dev, tag);
    service_two_roles = 1;
    if (host_start(host, dev) != 0 || service_start(svc, dev, tag) != 0)
        return -1;
    if (host_wait_count(host, &host->connects, 1, 15000) != 0)
        return -1;
    /* Both roles up: the composed announcement has both roles' caps. */
    if (wait_caps(host, 1, VD_AGENT_CAP_MOUSE_STATE, 1) != 0)
        return -1;
    return wait_log(svc, "user role process", 1, 15000) == 0 &&
           wait_log(svc, "system role process", 1, 15000) == 0 ? 0 : -1;
}

/* Two processes start, one per role, and each gets only its messages. */
int t_roles_route(void)
{
    static fake_host host;
    char err[HOST_ERROR_MAX];
    service svc = { 0 };
    CHECK(start_roles(&host, &svc, "roles-route") == 0, "the two roles did not come up");
    DWORD sys = role_pid(&svc, "system"), usr = role_pid(&svc, "user");
    CHECK(sys && usr && sys != usr, "two processes expected: system %lu, user %lu",
          (unsigned long)sys, (unsigned long)usr);
    EXPECT(who_takes(&host, VD_AGENT_MOUSE_STATE, sizeof(VDAgentMouseState), 1) == ROLE_SYSTEM,
           "MOUSE_STATE not taken by the system role");
    EXPECT(who_takes(&host, VD_AGENT_CLIPBOARD_GRAB, 8, 1) == ROLE_USER,
           "CLIPBOARD_GRAB not taken by the user role");
    EXPECT(who_takes(&host, VD_AGENT_MONITORS_CONFIG, 8, 1) == ROLE_SYSTEM,
           "MONITORS_CONFIG not taken by the system role");
    EXPECT(who_takes(&host, VD_AGENT_DISPLAY_CONFIG, 8, 1) == ROLE_USER,
           "DISPLAY_CONFIG not taken by the user role");
    /* A type no role takes gets no answer at all (and one log line). */
    host_msg late;
    while (host_next_msg(&host, &late, 300) == 0)
        free(late.data); /* late announcements */
    host_send_msg(&host, VDP_CLIENT_PORT, VD_AGENT_REPLY, "12345678", 8);
    EXPECT(no_more_msgs(&host, 500) == 0, "a REPLY from the client reached a role");
    EXPECT(log_count(&svc, "is for no agent role: dropped") == 1, "the drop was not logged");
    CHECK(host_errors(&host, err, sizeof err) == 0, "host saw errors: %s", err);
out:
    return finish(&svc, &host);
}

/* Killing either role keeps the other serving; the announcement loses the dead
 * role's caps and gets them back when it is relaunched. The user role's death
 * restarts the port (the client must forget the clipboard state it shared with
 * it); the system role's does not. */
int t_roles_one_dies(void)
{
    static fake_host host;
    char err[HOST_ERROR_MAX];
    service svc = { 0 };
    CHECK(start_roles(&host, &svc, "roles-dies") == 0, "the two roles did not come up");
    int connects = host_connects(&host);
    DWORD usr = role_pid(&svc, "user"), sys = role_pid(&svc, "system");
    HANDLE p = OpenProcess(PROCESS_TERMINATE, FALSE, usr);
    CHECK(p && TerminateProcess(p, 9), "cannot kill the user role %lu", (unsigned long)usr);
    CloseHandle(p);
    CHECK(host_wait_count(&host, &host.connects, connects + 1, 15000) == 0,
          "the port was not restarted when the user role died");
    connects++;
    CHECK(wait_caps(&host, connects, VD_AGENT_CAP_MOUSE_STATE, 1) == 0,
          "no announcement of the system role after the restart");
    EXPECT(who_takes(&host, VD_AGENT_MOUSE_STATE, sizeof(VDAgentMouseState), connects) ==
           ROLE_SYSTEM, "the system role stopped serving when the user role died");
    EXPECT(role_pid(&svc, "system") == sys, "the system role was restarted too");
    CHECK(wait_caps(&host, connects, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND, 1) == 0,
          "the relaunched user role's caps were not announced");
    CHECK(wait_log(&svc, "user role process", 2, 15000) == 0, "user role not relaunched");
    EXPECT(who_takes(&host, VD_AGENT_CLIPBOARD_GRAB, 8, connects) == ROLE_USER,
           "the relaunched user role does not serve");
    p = OpenProcess(PROCESS_TERMINATE, FALSE, sys);
    CHECK(p && TerminateProcess(p, 9), "cannot kill the system role %lu", (unsigned long)sys);
    CloseHandle(p);
    CHECK(wait_caps(&host, connects, VD_AGENT_CAP_MOUSE_STATE, 0) == 0,
          "no announcement without the system role's caps");
    EXPECT(who_takes(&host, VD_AGENT_CLIPBOARD_GRAB, 8, connects) == ROLE_USER,
           "the user role stopped serving when the system role died");
    CHECK(wait_caps(&host, connects, VD_AGENT_CAP_MOUSE_STATE, 1) == 0,
          "the relaunched system role's caps were not announced");
    /* The system role dying between messages does not cost the client its port. */
    EXPECT(host_connects(&host) == connects, "the port was reopened (%d -> %d connections)",
           connects, host_connects(&host));
    CHECK(host_errors(&host, err, sizeof err) == 0, "host saw errors: %s", err);
out:
    return finish(&svc, &host);
}

/* What Wine cannot show: it runs everything in one session as one user, with
 * no Winlogon or UAC secure desktop, no integrity levels and no UIPI. */
int t_roles_not_run_here(void)
{
    say("NOT RUN: the system role's SYSTEM token in the console session, the pointer on "
        "the Winlogon and UAC secure desktops and in elevated windows (UIPI), and session 0 "
        "isolation need a real Windows VM: vdservice/README.md has the manual checklist");
    return 77;
}
