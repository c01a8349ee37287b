/* vdservice command line: install, uninstall, run [options], or (no arguments)
 * run under the service control manager. */
#include "config.h"
#include "event_loop.h"
#include "logging.h"
#include "scm.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#ifndef VDA_VERSION
#define VDA_VERSION "0.0.0"
#endif

static const char usage[] =
    "Usage: vdservice [COMMAND [OPTIONS]]\n"
    "\n"
    "The SPICE guest agent service. It owns the virtio-serial port and starts the\n"
    "session agent (vdagent.exe) in the active console session.\n"
    "\n"
    "Commands:\n"
    "  (none)      run as the Windows service \"spice-agent\" (started by the service\n"
    "              manager; settings come from the registry, see below)\n"
    "  install     register the service (automatic start, restart on failure)\n"
    "  uninstall   stop and remove the service\n"
    "  run         run in the foreground for debugging and tests: the agent starts in\n"
    "              your own session and the log also goes to stderr; Ctrl+C stops\n"
    "  --help      show this text\n"
    "  --version   show the version\n"
    "\n"
    "Options of run:\n"
    "  --device PATH      the port to open (default \\\\.\\Global\\com.redhat.spice.0)\n"
    "  --agent PATH       the agent program (default vdagent.exe beside vdservice.exe)\n"
    "  --single-agent     one agent process with every feature (vdagent --role all)\n"
    "                     instead of the system and user roles\n"
    "  --log-level LEVEL  error, warn, info (default) or debug\n"
    "  --stop-event NAME  also stop cleanly when the named event NAME is set (for\n"
    "                     test harnesses, where Ctrl+C cannot be sent)\n"
    "\n"
    "The agent is started as: AGENT --pipe spice-vdagent-<random> (the pipe is\n"
    "\\\\.\\pipe\\spice-vdagent-<random>).\n"
    "The log file is %ProgramData%\\spice-vdagent\\vdservice.log (1 MiB, rotated once).\n"
    "Service settings: HKLM\\SYSTEM\\CurrentControlSet\\Services\\spice-agent\\Parameters,\n"
    "string values DevicePath, AgentPath and LogLevel (same meaning as the options).\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 wrong arguments.\n";

/* A clear message naming the offending argument, and exit status 2. */
static int bad_args(const char *what, const wchar_t *arg)
{
    char a[MAX_PATH * 3];
    fprintf(stderr, "vdservice: %s: '%s'\nTry 'vdservice --help'.\n", what,
            vdw_narrow(arg, a, sizeof a));
    return 2;
}

static vds_loop_ctl *console_ctl; /* the console handler gets no context */

static BOOL WINAPI on_console_ctrl(DWORD type)
{
    (void)type;
    if (console_ctl)
        SetEvent(console_ctl->stop_event);
    return TRUE;
}

static int run_foreground(const vds_config *cfg, const wchar_t *stop_event_name)
{
    vds_logging logging;
    vds_logging_open(&logging, cfg->level, 1);
    vds_loop_ctl ctl;
    if (vds_loop_ctl_init(&ctl) != 0) {
        vda_error(&logging.log, "cannot create events");
        return 1;
    }
    if (stop_event_name) {
        HANDLE ev = OpenEventW(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, stop_event_name);
        if (!ev) {
            char name[MAX_PATH * 3], msg[VDW_ERR_MAX];
            DWORD err = GetLastError();
            vda_error(&logging.log, "cannot open the stop event %s: %s",
                      vdw_narrow(stop_event_name, name, sizeof name), vdw_err_str(err, msg, sizeof msg));
            vds_loop_ctl_free(&ctl);
            vds_logging_close(&logging);
            return 1;
        }
        CloseHandle(ctl.stop_event);
        ctl.stop_event = ev; /* Ctrl+C sets it too: harmless */
    }
    console_ctl = &ctl;
    SetConsoleCtrlHandler(on_console_ctrl, TRUE);
    int rc = vds_run(cfg, &ctl, &logging.log);
    SetConsoleCtrlHandler(on_console_ctrl, FALSE);
    console_ctl = NULL;
    vds_loop_ctl_free(&ctl);
    vds_logging_close(&logging);
    return rc;
}

static int parse_run(int argc, wchar_t **argv, vds_config *cfg, const wchar_t **stop_event)
{
    for (int i = 2; i < argc; i++) {
        const wchar_t *a = argv[i];
        wchar_t *dest = NULL;
        if (wcscmp(a, L"--single-agent") == 0) {
            cfg->single_agent = 1;
            continue;
        }
        if (wcscmp(a, L"--device") == 0)
            dest = cfg->device;
        else if (wcscmp(a, L"--agent") == 0)
            dest = cfg->agent;
        else if (wcscmp(a, L"--log-level") != 0 && wcscmp(a, L"--stop-event") != 0)
            return bad_args("unknown option for run", a);
        if (i + 1 >= argc)
            return bad_args("this option needs a value", a);
        const wchar_t *v = argv[++i];
        if (wcscmp(a, L"--stop-event") == 0) {
            if (v[0] == 0 || wcslen(v) >= MAX_PATH)
                return bad_args("the event name is empty or too long", v);
            *stop_event = v;
            continue;
        }
        if (!dest) {
            char narrow[32];
            int lv = wcslen(v) < 16 ? vda_log_level_parse(vdw_narrow(v, narrow, sizeof narrow)) : -1;
            if (lv < 0)
                return bad_args("unknown log level (use error, warn, info or debug)", v);
            cfg->level = (vda_log_level)lv;
            continue;
        }
        if (v[0] == 0 || wcslen(v) >= MAX_PATH)
            return bad_args("the path is empty or too long", v);
        wcscpy(dest, v);
    }
    return 0;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    if (argc < 2)
        return vds_service_dispatch();
    const wchar_t *cmd = argv[1];
    if (wcscmp(cmd, L"--help") == 0 || wcscmp(cmd, L"-h") == 0 || wcscmp(cmd, L"/?") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (wcscmp(cmd, L"--version") == 0) {
        printf("vdservice %s\n", VDA_VERSION);
        return 0;
    }
    vds_config cfg;
    vds_config_defaults(&cfg);
    if (wcscmp(cmd, L"install") == 0 || wcscmp(cmd, L"uninstall") == 0) {
        if (argc > 2)
            return bad_args("unexpected argument", argv[2]);
        vda_logger log = { VDA_LOG_INFO, vda_log_sink_stdio, NULL, "vdservice" };
        return cmd[0] == L'i' ? vds_install(&log) : vds_uninstall(&log);
    }
    if (wcscmp(cmd, L"run") != 0)
        return bad_args("unknown command", cmd);
    cfg.run_mode = 1;
    const wchar_t *stop_event = NULL;
    int rc = parse_run(argc, argv, &cfg, &stop_event);
    if (rc)
        return rc;
    return run_foreground(&cfg, stop_event);
}
