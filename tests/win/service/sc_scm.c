/* svc_test scenarios: vdservice's command line, and the service installed,
 * started and stopped through Wine's service manager. */
#include <windows.h>
#include <shlobj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "base/le_bytes.h"
#include "svc_test_proto.h"

int t_cli(void)
{
    wchar_t out[MAX_PATH], tmp[MAX_PATH], cmd[1024];
    GetTempPathW(MAX_PATH, tmp);
    swprintf(out, MAX_PATH, L"%lssvc_test_cli_%lu.txt", tmp, (unsigned long)GetCurrentProcessId());
    struct { const wchar_t *args; int code; const char *text; } cases[] = {
        { L"--help", 0, "--device PATH" },
        { L"--version", 0, "vdservice " },
        { L"bogus", 2, "unknown command" },
        { L"run --bogus", 2, "unknown option" },
        { L"run --device", 2, "needs a value" },
        { L"run --log-level loud", 2, "unknown log level" },
        { L"install extra", 2, "unexpected argument" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        swprintf(cmd, 1024, L"\"%ls\" %ls", service_exe, cases[i].args);
        int code = run_wait(cmd, out, 10000);
        char *text = read_file(out);
        int ok = code == cases[i].code && strstr(text, cases[i].text) != NULL;
        printf("svc_test: vdservice %ls -> exit %d %s\n", cases[i].args, code, ok ? "ok" : "WRONG");
        if (!ok)
            printf("%s\n", text);
        free(text);
        CHECK(ok, "vdservice %ls: wanted exit %d and '%s'", cases[i].args, cases[i].code,
              cases[i].text);
    }
out:
    DeleteFileW(out);
    return failed;
}

static int set_param(HKEY key, const wchar_t *name, const wchar_t *value)
{
    return RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)value,
                          (DWORD)((wcslen(value) + 1) * sizeof(wchar_t)));
}

static DWORD service_state(void)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    SC_HANDLE s = scm ? OpenServiceW(scm, L"spice-agent", SERVICE_QUERY_STATUS) : NULL;
    SERVICE_STATUS st = { 0 };
    DWORD state = s && QueryServiceStatus(s, &st) ? st.dwCurrentState : 0;
    if (s) CloseServiceHandle(s);
    if (scm) CloseServiceHandle(scm);
    return state;
}

/* Waits (bounded) for the service to reach `state`; Wine's net/sc may return while
 * the service still honestly reports STOP_PENDING. */
static DWORD wait_state(DWORD state, DWORD timeout_ms)
{
    ULONGLONG end = GetTickCount64() + timeout_ms;
    DWORD now;
    while ((now = service_state()) != state && GetTickCount64() < end)
        Sleep(50);
    return now;
}

/* install, net start, net stop, uninstall, with the service manager of Wine. */
int t_scm(void)
{
    static fake_host host;
    wchar_t dev[128], cmd[1024], out[MAX_PATH], tmp[MAX_PATH], logfile[MAX_PATH];
    int installed = 0;
    DWORD log_start = 0;
    GetTempPathW(MAX_PATH, tmp);
    swprintf(out, MAX_PATH, L"%lssvc_test_scm_%lu.txt", tmp, (unsigned long)GetCurrentProcessId());
    {
        wchar_t pd[MAX_PATH] = L"C:\\ProgramData";
        SHGetFolderPathW(NULL, CSIDL_COMMON_APPDATA, NULL, SHGFP_TYPE_CURRENT, pd);
        swprintf(logfile, MAX_PATH, L"%ls\\spice-vdagent\\vdservice.log", pd);
        char *t = read_file(logfile);
        log_start = (DWORD)strlen(t);
        free(t);
    }
    if (service_state() != 0) {
        say("a service spice-agent exists already in this prefix: removing it first");
        swprintf(cmd, 1024, L"\"%ls\" uninstall", service_exe);
        run_wait(cmd, out, 20000);
    }
    device_name(dev, "scm");
    CHECK(host_start(&host, dev) == 0, "cannot serve %ls", dev);
    swprintf(cmd, 1024, L"\"%ls\" install", service_exe);
    CHECK(run_wait(cmd, out, 20000) == 0, "vdservice install failed");
    installed = 1;
    {
        SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
        SC_HANDLE s = OpenServiceW(scm, L"spice-agent", SERVICE_QUERY_CONFIG);
        union { QUERY_SERVICE_CONFIGW c; uint8_t b[8192]; } u;
        DWORD n;
        int ok = s && QueryServiceConfigW(s, &u.c, sizeof u, &n) &&
                 u.c.dwServiceType == SERVICE_WIN32_OWN_PROCESS &&
                 u.c.dwStartType == SERVICE_AUTO_START &&
                 wcscmp(u.c.lpDisplayName, L"SPICE Guest Agent") == 0;
        if (s) CloseServiceHandle(s);
        CloseServiceHandle(scm);
        CHECK(ok, "service not registered as an automatic own-process service named "
              "'SPICE Guest Agent'");
    }
    {
        HKEY key;
        CHECK(RegCreateKeyExW(HKEY_LOCAL_MACHINE,
                              L"SYSTEM\\CurrentControlSet\\Services\\spice-agent\\Parameters", 0,
                              NULL, 0, KEY_SET_VALUE, NULL, &key, NULL) == ERROR_SUCCESS,
              "cannot write the service's Parameters key");
        set_param(key, L"DevicePath", dev);
        set_param(key, L"AgentPath", agent_exe);
        set_param(key, L"AgentRoles", L"single");   /* one test agent, as sc_stream's */
        set_param(key, L"LogLevel", L"debug");
        RegCloseKey(key);
    }
    CHECK(service_state() == SERVICE_STOPPED, "state %lu after install", service_state());
    CHECK(run_wait(L"net start spice-agent", out, 30000) == 0, "net start failed");
    {
        DWORD st = wait_state(SERVICE_RUNNING, 10000);
        CHECK(st == SERVICE_RUNNING, "state %lu after net start", st);
    }
    CHECK(host_wait_count(&host, &host.connects, 1, 15000) == 0, "device never opened");
    CHECK(expect_caps(&host, 1) == 0, "no capabilities");
    CHECK(echo(&host, 5000, 1, 1) == 0, "echo through the service");
    {
        /* Service mode: the agent has no console, so it logs into the user's
         * %TEMP% (expanded by the agent, in the user's environment). */
        char r[256];
        int ok = ask(&host, "args", "args=", r, sizeof r, 1) == 0;
        CHECK(ok && strcmp(r, "args=log-level:debug log-file:%TEMP%\\vdagent.log") == 0,
              "agent options in service mode: %s", ok ? r : "no answer");
    }
    CHECK(run_wait(L"net stop spice-agent", out, 30000) == 0, "net stop failed");
    {
        DWORD st = wait_state(SERVICE_STOPPED, 10000);
        CHECK(st == SERVICE_STOPPED, "state %lu after net stop", st);
    }
    CHECK(host_wait_count(&host, &host.disconnects, 1, 5000) == 0, "port not closed at stop");
    {
        char *t = read_file(logfile);
        const char *mine = strlen(t) >= log_start ? t + log_start : t;
        int ok = strstr(mine, "running (service mode)") && strstr(mine, "asking the agent to stop") &&
                 strstr(mine, "exit code 0 ") && strstr(mine, "stopped");
        if (!ok)
            printf("----- service log -----\n%s\n-----\n", mine);
        free(t);
        CHECK(ok, "the service log does not show a clean start and stop");
    }
    /* The same with Wine's sc: create, start, stop, delete. */
    swprintf(cmd, 1024, L"\"%ls\" uninstall", service_exe);
    CHECK(run_wait(cmd, out, 20000) == 0, "vdservice uninstall failed");
    installed = 0;
    CHECK(service_state() == 0, "service still there after uninstall");
    swprintf(cmd, 1024, L"sc create spice-agent binPath= \"%ls\"", service_exe);
    CHECK(run_wait(cmd, out, 20000) == 0, "sc create failed");
    installed = 1;
    {
        HKEY key;
        CHECK(RegCreateKeyExW(HKEY_LOCAL_MACHINE,
                              L"SYSTEM\\CurrentControlSet\\Services\\spice-agent\\Parameters", 0,
                              NULL, 0, KEY_SET_VALUE, NULL, &key, NULL) == ERROR_SUCCESS,
              "cannot write the service's Parameters key");
        set_param(key, L"DevicePath", dev);
        set_param(key, L"AgentPath", agent_exe);
        set_param(key, L"AgentRoles", L"single");
        /* A bad value: ignored (the default level stays) with one clear line. */
        set_param(key, L"LogLevel", L"loud");
        RegCloseKey(key);
    }
    CHECK(run_wait(L"sc start spice-agent", out, 30000) == 0, "sc start failed");
    CHECK(host_wait_count(&host, &host.connects, 2, 15000) == 0, "device never opened (sc)");
    CHECK(expect_caps(&host, 2) == 0, "no capabilities (sc)");
    {
        DWORD st = wait_state(SERVICE_RUNNING, 10000);
        CHECK(st == SERVICE_RUNNING, "state %lu after sc start", st);
    }
    CHECK(run_wait(L"net stop spice-agent", out, 30000) == 0, "net stop failed (sc)");
    {
        DWORD st = wait_state(SERVICE_STOPPED, 10000);
        CHECK(st == SERVICE_STOPPED, "state %lu after net stop", st);
    }
    CHECK(host_wait_count(&host, &host.disconnects, 2, 5000) == 0, "port not closed at stop (sc)");
    {
        char *t = read_file(logfile);
        const char *mine = strlen(t) >= log_start ? t + log_start : t;
        int lines = count_in(mine, "registry value LogLevel ignored: 'loud' is not");
        int others = count_in(mine, "registry value");
        if (lines != 1 || others != 1)
            printf("----- service log -----\n%s\n-----\n", mine);
        free(t);
        CHECK(lines == 1 && others == 1, "the bad LogLevel was not logged exactly once "
              "(%d lines about it, %d about registry values in all)", lines, others);
    }
    CHECK(run_wait(L"sc delete spice-agent", out, 20000) == 0, "sc delete failed");
    installed = 0;
    CHECK(service_state() == 0, "service still there after sc delete");
out:
    if (installed) {
        swprintf(cmd, 1024, L"\"%ls\" uninstall", service_exe);
        EXPECT(run_wait(cmd, out, 20000) == 0, "vdservice uninstall failed");
        EXPECT(service_state() == 0, "service still there after uninstall");
    }
    host_stop(&host);
    DeleteFileW(out);
    return failed;
}
