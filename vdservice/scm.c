/* The service control manager side: install/uninstall, the service entry
 * point, honest status reports, control requests, and registry settings. */
#include "scm.h"
#include "config.h"
#include "event_loop.h"
#include "logging.h"

#include <dbt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ install */

static int report(const vda_logger *log, const char *what, DWORD err)
{
    char msg[300];
    vda_error(log, "%s: %s", what, vdw_err_str(err, msg, sizeof msg));
    return 1;
}

/* Restart on failure: after 1 s, 5 s, then 30 s; the count resets after a day.
 * svc needs SERVICE_CHANGE_CONFIG and SERVICE_START (restart actions need both). */
static void set_failure_actions(SC_HANDLE svc, const vda_logger *log)
{
    SC_ACTION actions[3] = { { SC_ACTION_RESTART, 1000 }, { SC_ACTION_RESTART, 5000 },
                             { SC_ACTION_RESTART, 30000 } };
    SERVICE_FAILURE_ACTIONSW fa = { 86400, NULL, NULL, 3, actions };
    char msg[VDW_ERR_MAX];
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &fa))
        vda_warn(log, "could not set the restart-on-failure actions: %s",
                 vdw_last_err_str(msg, sizeof msg));
    /* Without this flag the actions apply only when the process dies: a stop with
     * SERVICE_STOPPED + a service-specific error (the wait loop failed) would not
     * restart the service. */
    SERVICE_FAILURE_ACTIONS_FLAG flag = { TRUE };
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag))
        vda_warn(log, "could not make failures without a crash restart the service: %s",
                 vdw_last_err_str(msg, sizeof msg));
}

/* An MSI (wixl has no ServiceConfig) registers the service without failure
 * actions, so the service sets them on itself each time it starts. */
static void ensure_failure_actions(const vda_logger *log)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm)
        return;
    SC_HANDLE svc = OpenServiceW(scm, VDS_SERVICE_NAME, SERVICE_CHANGE_CONFIG | SERVICE_START);
    if (svc) {
        set_failure_actions(svc, log);
        CloseServiceHandle(svc);
    } else {
        char msg[VDW_ERR_MAX];
        vda_warn(log, "cannot open my own service to set restart-on-failure: %s",
                 vdw_last_err_str(msg, sizeof msg));
    }
    CloseServiceHandle(scm);
}

int vds_install(const vda_logger *log)
{
    wchar_t exe[MAX_PATH], cmd[MAX_PATH + 4];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return report(log, "cannot find my own path", GetLastError());
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\"", exe);
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CREATE_SERVICE);
    if (!scm)
        return report(log, "cannot open the service manager", GetLastError());
    SC_HANDLE svc = CreateServiceW(scm, VDS_SERVICE_NAME, VDS_DISPLAY_NAME, SERVICE_ALL_ACCESS,
                                   SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                   SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL, NULL, NULL);
    if (!svc) {
        DWORD err = GetLastError();
        CloseServiceHandle(scm);
        return report(log, "cannot create the service spice-agent", err);
    }
    SERVICE_DESCRIPTIONW desc = { L"Shares the clipboard and display settings with SPICE "
                                  L"clients; starts the SPICE agent in the user's session." };
    ChangeServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, &desc);
    set_failure_actions(svc, log);
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    char path[MAX_PATH * 3];
    vda_info(log, "service spice-agent installed: %s", vdw_narrow(exe, path, sizeof path));
    return 0;
}

int vds_uninstall(const vda_logger *log)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm)
        return report(log, "cannot open the service manager", GetLastError());
    SC_HANDLE svc = OpenServiceW(scm, VDS_SERVICE_NAME, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
    if (!svc) {
        DWORD err = GetLastError();
        CloseServiceHandle(scm);
        return report(log, "cannot open the service spice-agent", err);
    }
    SERVICE_STATUS st;
    if (ControlService(svc, SERVICE_CONTROL_STOP, &st)) {
        /* Wait (bounded) for it to stop, so the exe is free to be removed. */
        for (int i = 0; i < 100 && QueryServiceStatus(svc, &st) &&
                        st.dwCurrentState != SERVICE_STOPPED; i++)
            Sleep(100);
    }
    int rc = 0;
    if (!DeleteService(svc))
        rc = report(log, "cannot delete the service spice-agent", GetLastError());
    else
        vda_info(log, "service spice-agent removed");
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

/* ------------------------------------------------------------ running */

typedef struct vds_service {
    SERVICE_STATUS_HANDLE handle;
    SERVICE_STATUS status;
    CRITICAL_SECTION lock;     /* status is set from the handler and the main thread */
    vds_loop_ctl ctl;
    int exit_code;
} vds_service;

static void set_status(vds_service *s, DWORD state, DWORD exit_code)
{
    EnterCriticalSection(&s->lock);
    /* Once STOP_PENDING, only STOPPED may follow: no going back to RUNNING. */
    if (!(s->status.dwCurrentState == SERVICE_STOP_PENDING && state == SERVICE_RUNNING)) {
        s->status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
        s->status.dwCurrentState = state;
        s->status.dwControlsAccepted =
            state == SERVICE_RUNNING
                ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_SESSIONCHANGE |
                      SERVICE_ACCEPT_POWEREVENT
                : 0;
        s->status.dwWin32ExitCode = exit_code;
        s->status.dwServiceSpecificExitCode =
            exit_code == ERROR_SERVICE_SPECIFIC_ERROR ? (DWORD)s->exit_code : 0;
        s->status.dwWaitHint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : 10000;
        s->status.dwCheckPoint =
            state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : s->status.dwCheckPoint + 1;
        SetServiceStatus(s->handle, &s->status);
    }
    LeaveCriticalSection(&s->lock);
}

static DWORD WINAPI handler(DWORD control, DWORD type, void *data, void *ctx)
{
    vds_service *s = ctx;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        set_status(s, SERVICE_STOP_PENDING, NO_ERROR);
        SetEvent(s->ctl.stop_event);
        return NO_ERROR;
    case SERVICE_CONTROL_SESSIONCHANGE: {
        const WTSSESSION_NOTIFICATION *n = data;
        vds_session_queue_push(&s->ctl.sessions, type, n ? n->dwSessionId : 0);
        return NO_ERROR;
    }
    case SERVICE_CONTROL_POWEREVENT:
        /* After sleep or hibernation the driver has dropped its buffers. */
        if (type == PBT_APMRESUMEAUTOMATIC || type == PBT_APMRESUMESUSPEND)
            SetEvent(s->ctl.resume_event);
        return NO_ERROR;
    case SERVICE_CONTROL_DEVICEEVENT:
        if (type == DBT_DEVICEARRIVAL)
            SetEvent(s->ctl.device_event);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

/* The virtio-serial port's device interface (vioserial's GUID_VIOSERIAL_PORT):
 * its arrival reaches the handler as SERVICE_CONTROL_DEVICEEVENT, so a device
 * that appears after the service started is opened at once. Without it the
 * loop's slow fallback timer still finds the device. */
static const GUID vioserial_port_guid = { 0x6fde7521, 0x1b65, 0x48ae,
                                          { 0xb6, 0x28, 0x80, 0xbe, 0x62, 0x01, 0x60, 0x26 } };

static HDEVNOTIFY register_port_arrival(SERVICE_STATUS_HANDLE h, const vda_logger *log)
{
    DEV_BROADCAST_DEVICEINTERFACE_W filter;
    ZeroMemory(&filter, sizeof filter);
    filter.dbcc_size = sizeof filter;
    filter.dbcc_devicetype = DBT_DEVTYP_DEVICEINTERFACE;
    filter.dbcc_classguid = vioserial_port_guid;
    HDEVNOTIFY n = RegisterDeviceNotificationW(h, &filter, DEVICE_NOTIFY_SERVICE_HANDLE);
    if (!n) {
        char msg[VDW_ERR_MAX];
        vda_warn(log, "no PnP notification for the virtio-serial port (%s): a late device "
                      "is found by the fallback timer only", vdw_last_err_str(msg, sizeof msg));
    }
    return n;
}

/* The dispatcher gives service_main no context: this is its one way in. */
static vds_service *the_service;

static void WINAPI service_main(DWORD argc, wchar_t **argv)
{
    (void)argc;
    (void)argv;
    vds_service *s = the_service;
    s->handle = RegisterServiceCtrlHandlerExW(VDS_SERVICE_NAME, handler, s);
    if (!s->handle) {
        s->exit_code = 1;
        return;
    }
    set_status(s, SERVICE_START_PENDING, NO_ERROR);
    vds_config cfg;
    vds_config_defaults(&cfg);
    vds_config_from_registry(&cfg);
    vds_logging logging;
    vds_logging_open(&logging, cfg.level, 0);
    for (unsigned i = 0; i < cfg.n_bad_settings; i++)
        vda_warn(&logging.log, "%s", cfg.bad_settings[i]);
    if (vds_loop_ctl_init(&s->ctl) != 0) {
        vda_error(&logging.log, "cannot create events");
        vds_logging_close(&logging);
        set_status(s, SERVICE_STOPPED, ERROR_NOT_ENOUGH_MEMORY);
        return;
    }
    ensure_failure_actions(&logging.log);
    HDEVNOTIFY pnp = register_port_arrival(s->handle, &logging.log);
    s->ctl.device_notify = pnp != NULL;
    set_status(s, SERVICE_RUNNING, NO_ERROR);
    s->exit_code = vds_run(&cfg, &s->ctl, &logging.log);
    if (pnp)
        UnregisterDeviceNotification(pnp);
    vds_logging_close(&logging);
    set_status(s, SERVICE_STOPPED, s->exit_code ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR);
    /* ctl is left to the process exit: the handler may still be called. */
}

int vds_service_dispatch(void)
{
    static vds_service service;
    ZeroMemory(&service, sizeof service);
    InitializeCriticalSection(&service.lock);
    the_service = &service;
    SERVICE_TABLE_ENTRYW table[] = { { (wchar_t *)VDS_SERVICE_NAME, service_main }, { NULL, NULL } };
    if (!StartServiceCtrlDispatcherW(table)) {
        DWORD err = GetLastError();
        char msg[VDW_ERR_MAX];
        if (err == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
            fprintf(stderr, "vdservice: not started by the service manager; "
                            "use 'vdservice run' to run in the foreground, or --help\n");
        else
            fprintf(stderr, "vdservice: cannot start the service dispatcher: %s\n",
                    vdw_err_str(err, msg, sizeof msg));
        return 1;
    }
    return service.exit_code;
}
