/* vdservice internals shared by its modules. One module owns one thing:
 *   main.c        command line
 *   scm.c         service control manager: install/uninstall, status, controls, registry
 *   overlapped.c  one overlapped transfer on a handle (used by port and pipe)
 *   port.c        the virtio-serial device
 *   agent_pipe.c  the named pipe to the session agent
 *   agent_proc.c  launching and ending the agent process
 *   event_loop.c  the one wait loop: forwarding, backpressure, lifecycle
 *   logging.c     log file under %ProgramData% (+ stderr in run mode) */
#ifndef VDS_H
#define VDS_H

#include <windows.h>
#include <stdint.h>

#include "agent_policy.h"
#include "vda_log.h"

#define VDS_SERVICE_NAME L"spice-agent"
#define VDS_DISPLAY_NAME L"SPICE Guest Agent"
#define VDS_DEFAULT_DEVICE L"\\\\.\\Global\\com.redhat.spice.0"
#define VDS_PARAMS_KEY L"SYSTEM\\CurrentControlSet\\Services\\spice-agent\\Parameters"

typedef struct vds_config {
    wchar_t device[MAX_PATH];
    wchar_t agent[MAX_PATH];
    int run_mode;              /* foreground: agent in the caller's session, log to stderr too */
    vda_log_level level;
    /* Registry values that are there but unusable: the default stays, and each
     * gets one log line once the log is open (it is not yet while reading). */
    char bad_settings[3][160];
    unsigned n_bad_settings;
} vds_config;

/* Fills defaults: the production device, vdagent.exe beside this exe, info level. */
void vds_config_defaults(vds_config *c);

/* ---- logging.c ---- */
typedef struct vds_logging {
    vda_logger log;            /* what everyone logs through */
    vda_logger tee;            /* stderr, run mode */
    vda_log_file file;
    int have_file;
} vds_logging;

void vds_logging_open(vds_logging *l, vda_log_level level, int to_stderr);
void vds_logging_close(vds_logging *l);
/* "text (error N)" for a Win32 error code, in a static-per-call buffer of the caller. */
const char *vds_err_str(DWORD err, char *buf, size_t len);
/* UTF-16 -> UTF-8 for log lines. */
const char *vds_narrow(const wchar_t *w, char *buf, size_t len);

/* ---- overlapped.c ---- */
typedef struct vds_ovio {
    OVERLAPPED ov;             /* ov.hEvent created once, manual reset */
    int pending;
} vds_ovio;

int vds_ovio_init(vds_ovio *io);
void vds_ovio_free(vds_ovio *io);
/* Starts a transfer; completion (also a synchronous one) is reported through
 * ov.hEvent. Returns ERROR_SUCCESS when started, else the error. */
DWORD vds_ovio_read(vds_ovio *io, HANDLE h, void *buf, DWORD len);
DWORD vds_ovio_write(vds_ovio *io, HANDLE h, const void *buf, DWORD len);
/* ConnectNamedPipe; a client that connected before the call completes it at once. */
DWORD vds_ovio_connect(vds_ovio *io, HANDLE pipe);
/* After ov.hEvent fired: the result of the transfer (ERROR_SUCCESS and *n). */
DWORD vds_ovio_finish(vds_ovio *io, HANDLE h, DWORD *n);
/* Cancels a pending transfer and waits until the system is done with the buffer. */
void vds_ovio_cancel(vds_ovio *io, HANDLE h);

/* ---- port.c ---- */
/* 256 KiB reads: each read/write is a round trip through the I/O stack (under
 * Wine through wineserver); 64 KiB ones made a 16 MiB paste measurably slower. */
#define VDS_PORT_READ_SIZE 262144u

typedef struct vds_port {
    HANDLE h;                  /* INVALID_HANDLE_VALUE: closed */
    vds_ovio rd, wr;
    DWORD write_len;
    uint8_t *rbuf;             /* VDS_PORT_READ_SIZE; stable while a read is pending */
    const wchar_t *path;
    DWORD last_open_error;     /* logged once per change, not once per retry */
    uint64_t opened_at;
    const vda_logger *log;
} vds_port;

int vds_port_init(vds_port *p, const wchar_t *path, const vda_logger *log);
void vds_port_free(vds_port *p);
DWORD vds_port_open(vds_port *p, uint64_t now);
void vds_port_close(vds_port *p, const char *why);
static inline int vds_port_is_open(const vds_port *p) { return p->h != INVALID_HANDLE_VALUE; }

/* ---- agent_pipe.c ---- */
typedef struct vds_pipe {
    HANDLE h;
    wchar_t name[96];          /* \\.\pipe\spice-vdagent-<32 hex digits> */
    const wchar_t *short_name; /* "spice-vdagent-<hex>": what the agent gets (--pipe) */
    vds_ovio rd, wr;           /* rd.ov also carries ConnectNamedPipe */
    int listening;             /* ConnectNamedPipe pending on rd */
    int connected;             /* the client is the agent we launched */
    DWORD write_len;
    uint8_t *rbuf;
    const vda_logger *log;
} vds_pipe;

#define VDS_PIPE_READ_SIZE 262144u  /* also the pipe's buffer sizes; see VDS_PORT_READ_SIZE */

int vds_pipe_init(vds_pipe *p, const vda_logger *log);
void vds_pipe_free(vds_pipe *p);
/* A new pipe with a fresh random name, usable only by SYSTEM and `user`. */
DWORD vds_pipe_create(vds_pipe *p, PSID user);
/* Starts waiting for a client (ConnectNamedPipe); returns ERROR_SUCCESS when waiting. */
DWORD vds_pipe_listen(vds_pipe *p);
/* The listen completed: accept the client if it is process `agent_pid`; else
 * disconnect it, log, and listen again. Returns 1 when the agent is connected. */
int vds_pipe_accept(vds_pipe *p, DWORD agent_pid);
void vds_pipe_close(vds_pipe *p);
/* SDDL of the pipe's DACL as the system reports it (for the log and tests). */
void vds_pipe_log_dacl(vds_pipe *p);

/* ---- agent_proc.c ---- */
typedef struct vds_agent {
    HANDLE process;            /* NULL: none */
    DWORD pid;
    DWORD session;
    HANDLE token;              /* user token for the next launch (service mode) */
    PSID user;                 /* the user the pipe admits (points into sid_buf) */
    uint8_t sid_buf[SECURITY_MAX_SID_SIZE];
    const vda_logger *log;
} vds_agent;

/* Finds the user to run the agent for: the console session's user (service mode)
 * or our own (run mode). ERROR_NO_TOKEN: nobody is logged on. */
DWORD vds_agent_prepare(vds_agent *a, int run_mode);
DWORD vds_agent_launch(vds_agent *a, const wchar_t *exe, const wchar_t *pipe_name, int run_mode);
void vds_agent_kill(vds_agent *a);
/* The process ended: log its exit code, release it. */
void vds_agent_reap(vds_agent *a, uint64_t lived_ms);
void vds_agent_release_token(vds_agent *a);

/* ---- event_loop.c ---- */
/* Session changes arrive on the SCM handler thread: queued here, drained by the loop. */
typedef struct vds_session_queue {
    CRITICAL_SECTION lock;
    HANDLE event;              /* set when something is queued */
    struct { DWORD type, session; } items[32];
    unsigned count;
    unsigned dropped;          /* oldest events dropped while full; the loop logs it */
} vds_session_queue;

typedef struct vds_loop_ctl {
    HANDLE stop_event;         /* manual reset: stop the service */
    vds_session_queue sessions;
} vds_loop_ctl;

int vds_loop_ctl_init(vds_loop_ctl *c);
void vds_loop_ctl_free(vds_loop_ctl *c);
void vds_session_queue_push(vds_session_queue *q, DWORD type, DWORD session);

/* Runs until stopped; returns the process exit code (0 ok). */
int vds_run(const vds_config *cfg, vds_loop_ctl *ctl, const vda_logger *log);

/* ---- scm.c ---- */
int vds_install(const vda_logger *log);
int vds_uninstall(const vda_logger *log);
/* Runs as a service under the SCM; returns the process exit code. */
int vds_service_dispatch(void);
/* Registry Parameters over defaults; missing values keep the defaults, and so
 * do unusable ones (noted in bad_settings). */
void vds_config_from_registry(vds_config *c);

#endif
