/* The service's one wait loop. It waits on events and handles only (stop,
 * session changes, the agent process, pending pipe and device transfers) with
 * a timeout only while something is scheduled (a relaunch, a port retry, a stop
 * grace period): no polling, no sleeps, no wakeups while idle.
 *
 * Data path: common/service/service_fwd.h (parsing, whole chunks towards the agent,
 * whole messages towards the device, the two fixed queues).
 *
 * THE PORT IS OPEN EXACTLY WHILE AN AGENT IS CONNECTED (port_sync below): from
 * the agent's HELLO until it exits, its pipe breaks, or it is killed. A STOP
 * (service stop, logoff, console switch) does NOT close it: the agent, if it
 * holds the client's clipboard, renders it at exit by asking the client, so the
 * link stays until the agent is gone or its grace period ends
 * (vda_policy_port_wanted); then the port is closed.
 * Opening and closing the port is how spice-server, and through it the client,
 * learns that the agent started or stopped; so when the agent goes away the port
 * is closed and every half-forwarded chunk and all framing state is discarded
 * (drop_agent_link), and the next agent gets a freshly opened port. If the port
 * itself fails under a live agent it is reopened with backoff and the agent is
 * sent RESET (drop partial messages, announce capabilities again).
 *
 * The port's refusals (common/service/port_retry.h, the vioserial driver's
 * rules): a transfer refused while the host is away or its queue is full waits
 * with a bounded backoff, its data still queued, the port open; only a port that
 * is gone is reopened. A device that is absent is opened when PnP says it
 * arrived (ctl->device_event; a slow timer is the fallback), and after a
 * resume from sleep (ctl->resume_event) the port is reopened fresh and the
 * agent RESET: the driver dropped what was buffered.
 *
 * Backpressure: the device is read only while the queue to the agent has room
 * for a whole read (about 1 MiB queued at most); the pipe is read only while the
 * queue to the device has room. Memory stays bounded whatever either side sends. */
#include "event_loop.h"
#include "launcher.h"
#include "logging.h"
#include "pipe_server.h"
#include "port.h"

#include <stdio.h>
#include <string.h>

#include "service/launch_policy.h"
#include "service/port_retry.h"
#include "service/service_fwd.h"

#define TO_AGENT_LIMIT (1024u * 1024u)
#define TO_AGENT_CAP (TO_AGENT_LIMIT + VDA_FWD_ROOM(VDS_PORT_READ_SIZE))
#define TO_DEVICE_CAP (256u * 1024u + VDA_FWD_ROOM(VDS_PIPE_READ_SIZE))

typedef struct vds_loop {
    const vds_config *cfg;
    vds_loop_ctl *ctl;
    const vda_logger *log;
    vda_policy policy;
    vds_port port;
    vds_pipe pipe;
    vds_agent agent;
    vda_fwd fwd;                /* both queues and all framing state */
    vda_backoff port_backoff;   /* reopening a port that failed while open */
    vda_port_retry retry;       /* refused transfers and failed opens */
    uint64_t port_retry_at;     /* reopen the port not before this */
    uint64_t rd_retry_at, wr_retry_at; /* a refused read / write waits until this */
    int reset_notice;           /* the agent must get RESET when the port opens */
    int pending_reset, pending_stop;
    int stop_seen;
    int done;
    int failed;                 /* the wait failed: exit with VDS_EXIT_WAIT_FAILED */
} vds_loop;

static uint64_t now_ms(void)
{
    return GetTickCount64();
}

/* ---------------------------------------------------------------- port state */

/* Everything that belongs to one opening of the port is forgotten. */
static void forget_port_state(vds_loop *L)
{
    vda_fwd_port_closed(&L->fwd);
}

/* The port broke under a live agent: close, and reopen with backoff. */
static void port_failed(vds_loop *L, const char *why)
{
    uint64_t now = now_ms();
    vds_port_close(&L->port, why);
    forget_port_state(L);
    L->reset_notice = 1;
    uint32_t delay = vda_backoff_failed(&L->port_backoff, now - L->port.opened_at);
    L->port_retry_at = now + delay;
    if (delay)
        vda_info(L->log, "device reopen in %u ms", delay);
}

/* "The port is open exactly while an agent is connected": should it be now? */
static int port_wanted(const vds_loop *L)
{
    return vda_policy_port_wanted(&L->policy) && L->pipe.connected;
}

/* Enforces port_wanted(). */
static void port_sync(vds_loop *L)
{
    if (!port_wanted(L)) {
        if (vds_port_is_open(&L->port)) {
            vds_port_close(&L->port, "no agent connected");
            forget_port_state(L);
        }
        return;
    }
    uint64_t now = now_ms();
    if (vds_port_is_open(&L->port) || now < L->port_retry_at)
        return;
    DWORD err = vds_port_open(&L->port, now);
    if (err == ERROR_SUCCESS) {
        forget_port_state(L);
        vda_port_retry_opened(&L->retry);
        L->rd_retry_at = L->wr_retry_at = 0;
        if (L->reset_notice)
            L->pending_reset = 1; /* what the agent sent meanwhile was dropped */
        L->reset_notice = 0;
        return;
    }
    L->reset_notice = 1;
    L->port_retry_at = now + vda_port_open_failed(&L->retry, err, L->ctl->device_notify);
}

/* ---------------------------------------------------------------- agent link */

static void drop_agent_link(vds_loop *L, const char *why)
{
    if (vds_port_is_open(&L->port))
        vds_port_close(&L->port, why);
    forget_port_state(L);
    vds_pipe_close(&L->pipe);
    vda_fwd_reset(&L->fwd);
    vda_backoff_reset(&L->port_backoff);
    L->port_retry_at = 0;
    L->rd_retry_at = L->wr_retry_at = 0;
    L->reset_notice = L->pending_reset = L->pending_stop = 0;
}

static void apply(vds_loop *L, vda_policy_action a);

static void launch(vds_loop *L)
{
    char msg[300];
    uint64_t now = now_ms();
    drop_agent_link(L, "new agent");
    DWORD err = vds_agent_prepare(&L->agent, L->cfg->run_mode);
    if (err == ERROR_NO_TOKEN) {
        apply(L, vda_policy_launch_failed(&L->policy, now, 1));
        return;
    }
    if (err == ERROR_SUCCESS) {
        err = vds_pipe_create(&L->pipe, L->agent.user);
        if (err != ERROR_SUCCESS)
            vda_error(L->log, "cannot create the agent pipe: %s", vdw_err_str(err, msg, sizeof msg));
    } else {
        vda_error(L->log, "cannot get the user to run the agent for: %s",
                  vdw_err_str(err, msg, sizeof msg));
    }
    if (err == ERROR_SUCCESS) {
        err = vds_pipe_listen(&L->pipe);
        if (err != ERROR_SUCCESS)
            vda_error(L->log, "cannot listen on the agent pipe: %s",
                      vdw_err_str(err, msg, sizeof msg));
    }
    if (err == ERROR_SUCCESS) {
        err = vds_agent_launch(&L->agent, L->cfg->agent, L->pipe.short_name, L->cfg->run_mode);
        if (err != ERROR_SUCCESS) {
            char path[MAX_PATH * 3];
            vda_error(L->log, "cannot launch the agent %s: %s",
                      vdw_narrow(L->cfg->agent, path, sizeof path),
                      vdw_err_str(err, msg, sizeof msg));
        }
    }
    vds_agent_release_token(&L->agent);
    if (err != ERROR_SUCCESS) {
        vds_pipe_close(&L->pipe);
        apply(L, vda_policy_launch_failed(&L->policy, now, 0));
        return;
    }
    apply(L, vda_policy_launched(&L->policy, now));
}

static void apply(vds_loop *L, vda_policy_action a)
{
    switch (a) {
    case VDA_ACT_NONE:
        break;
    case VDA_ACT_LAUNCH:
        launch(L);
        break;
    case VDA_ACT_STOP_AGENT:
        if (L->pipe.connected) {
            vda_info(L->log, "asking the agent to stop");
            L->pending_stop = 1;
        } else {
            vds_agent_kill(&L->agent); /* it cannot hear us yet */
        }
        break;
    case VDA_ACT_KILL_AGENT:
        vds_agent_kill(&L->agent);
        break;
    case VDA_ACT_EXIT:
        L->done = 1;
        break;
    }
    port_sync(L);
}

static void agent_lost(vds_loop *L, const char *why)
{
    vda_warn(L->log, "agent link lost: %s", why);
    drop_agent_link(L, "agent link lost");
    apply(L, vda_policy_agent_lost(&L->policy, now_ms()));
}

/* --------------------------------------------------------------- forwarding */

static void device_bytes(vds_loop *L, const uint8_t *buf, size_t len)
{
    if (vda_fwd_from_device(&L->fwd, buf, len) == VDA_ERR_FRAMING_LOST)
        port_failed(L, "framing lost on the incoming stream");
}

static void control_from_agent(vds_loop *L, uint32_t cmd, uint32_t arg)
{
    if (cmd != VDA_PIPE_HELLO) {
        vda_warn(L->log, "agent sent control '%s': not for the service, dropped",
                 vda_pipe_cmd_name(cmd));
        return;
    }
    if (arg != L->agent.pid)
        vda_warn(L->log, "agent hello names process %lu, the pipe client is %lu",
                 (unsigned long)arg, (unsigned long)L->agent.pid);
    vda_info(L->log, "agent process %lu is ready", (unsigned long)L->agent.pid);
    apply(L, vda_policy_hello(&L->policy, now_ms()));
    /* apply() opened the port, so the chunks following HELLO in this very read
     * (the agent's capabilities) are already forwarded. */
}

static void pipe_bytes(vds_loop *L, const uint8_t *buf, size_t len)
{
    while (L->pipe.connected) {
        uint32_t cmd, arg;
        vda_status st = vda_fwd_from_agent(&L->fwd, &buf, &len, vds_port_is_open(&L->port),
                                           &cmd, &arg);
        if (st == VDA_NEED_MORE)
            return;
        if (st != VDA_OK) {
            agent_lost(L, "framing lost on the agent's stream");
            return;
        }
        control_from_agent(L, cmd, arg);
    }
}

/* ------------------------------------------------------------ I/O completion */

/* A port transfer ended (err) or could not start: true when it moved n bytes.
 * A refusal (host away, queue full, no data) pauses that direction with a
 * bounded backoff and keeps its data; anything else means the port is gone. */
static int port_io_result(vds_loop *L, vda_port_dir *dir, uint64_t *retry_at, DWORD err,
                          DWORD n)
{
    char msg[VDW_ERR_MAX];
    uint32_t delay;
    int was_waiting = dir->waiting;
    switch (vda_port_io_result(dir, err, n, &delay)) {
    case VDA_PORT_IO_OK:
        if (was_waiting)
            vda_info(L->log, "device %s works again", dir == &L->retry.rd ? "read" : "write");
        return 1;
    case VDA_PORT_IO_WAIT:
        if (!was_waiting && err != ERROR_SUCCESS)
            vda_info(L->log, "device %s refused for now (%s): host away or queue full; retrying",
                     dir == &L->retry.rd ? "read" : "write", vdw_err_str(err, msg, sizeof msg));
        *retry_at = now_ms() + delay;
        return 0;
    case VDA_PORT_IO_GONE:
        break;
    }
    port_failed(L, vdw_err_str(err, msg, sizeof msg));
    return 0;
}

static void on_port_read(vds_loop *L)
{
    DWORD n, err = vds_port_finish(&L->port, &L->port.rd, &n);
    if (err == ERROR_IO_INCOMPLETE)
        return;
    if (port_io_result(L, &L->retry.rd, &L->rd_retry_at, err, n))
        device_bytes(L, L->port.rbuf, n);
}

static void on_port_write(vds_loop *L)
{
    DWORD n, err = vds_port_finish(&L->port, &L->port.wr, &n);
    if (err == ERROR_IO_INCOMPLETE)
        return;
    if (port_io_result(L, &L->retry.wr, &L->wr_retry_at, err, n))
        vda_ring_consume(&L->fwd.to_device, n);
}

/* The machine resumed from sleep or hibernation: the driver dropped what it
 * had buffered, so the port is reopened fresh and the agent RESET. */
static void on_resume(vds_loop *L)
{
    vda_info(L->log, "resumed from sleep: reopening the device");
    if (vds_port_is_open(&L->port)) {
        vds_port_close(&L->port, "resumed from sleep");
        forget_port_state(L);
        L->reset_notice = 1;
    }
    vda_backoff_reset(&L->port_backoff);
    L->port_retry_at = 0;
}

/* PnP: a virtio-serial port arrived. An absent device is tried now, not when
 * the fallback timer says. */
static void on_device_arrival(vds_loop *L)
{
    vda_debug(L->log, "device arrival notified");
    if (!vds_port_is_open(&L->port))
        L->port_retry_at = 0;
}

static void on_pipe_read(vds_loop *L)
{
    char msg[300];
    if (L->pipe.listening) {
        if (!vds_pipe_accept(&L->pipe, L->agent.pid)) {
            DWORD err = vds_pipe_listen(&L->pipe);
            if (err != ERROR_SUCCESS)
                agent_lost(L, vdw_err_str(err, msg, sizeof msg));
        }
        return;
    }
    DWORD n, err = vdw_ovio_finish(&L->pipe.rd, L->pipe.h, &n);
    if (err != ERROR_SUCCESS) {
        agent_lost(L, vdw_err_str(err, msg, sizeof msg));
        return;
    }
    pipe_bytes(L, L->pipe.rbuf, n);
}

static void on_pipe_write(vds_loop *L)
{
    char msg[300];
    DWORD n, err = vdw_ovio_finish(&L->pipe.wr, L->pipe.h, &n);
    if (err != ERROR_SUCCESS) {
        agent_lost(L, vdw_err_str(err, msg, sizeof msg));
        return;
    }
    vda_ring_consume(&L->fwd.to_agent, n);
}

static void on_agent_exit(vds_loop *L)
{
    uint64_t now = now_ms();
    vds_agent_reap(&L->agent, now - L->policy.launched_at);
    drop_agent_link(L, "agent exited");
    apply(L, vda_policy_agent_exited(&L->policy, now));
}

static void on_sessions(vds_loop *L)
{
    vds_session_queue *q = &L->ctl->sessions;
    for (;;) {
        DWORD type = 0, session = 0;
        int have = 0;
        EnterCriticalSection(&q->lock);
        unsigned dropped = q->dropped;
        q->dropped = 0;
        if (q->count > 0) {
            type = q->items[0].type;
            session = q->items[0].session;
            memmove(q->items, q->items + 1, --q->count * sizeof q->items[0]);
            have = 1;
        }
        if (q->count == 0)
            ResetEvent(q->event);
        LeaveCriticalSection(&q->lock);
        if (dropped)
            vda_warn(L->log, "%u session-change events dropped (queue full): acting on the newer ones",
                     dropped);
        if (!have)
            return;
        DWORD console = WTSGetActiveConsoleSessionId();
        int alive = L->agent.process != NULL;
        apply(L, vda_policy_session(&L->policy, now_ms(), (vda_session_event)type,
                                    alive && L->agent.session == console,
                                    alive && L->agent.session == session));
    }
}

/* Starts whatever transfers can start now; queues pending control chunks. */
static void pump(vds_loop *L)
{
    char msg[300];
    uint64_t now = now_ms();
    if (L->rd_retry_at && now >= L->rd_retry_at)
        L->rd_retry_at = 0; /* a stale pause must never become a zero timeout */
    if (L->wr_retry_at && now >= L->wr_retry_at)
        L->wr_retry_at = 0;
    port_sync(L);
    if (L->pipe.connected) {
        if (L->pending_reset && vda_fwd_control(&L->fwd, VDA_PIPE_RESET, 0) == 0) {
            L->pending_reset = 0;
            vda_info(L->log, "sent reset to the agent: the port was reopened under it");
        }
        if (L->pending_stop && vda_fwd_control(&L->fwd, VDA_PIPE_STOP, 0) == 0)
            L->pending_stop = 0;
    }
    vds_port *p = &L->port;
    /* A refusal can come at once (the driver completes the request before
     * returning) as well as through the event: both take port_io_result. */
    if (vds_port_is_open(p) && !p->rd.pending && !L->pending_reset && !L->rd_retry_at &&
        vda_ring_space(&L->fwd.to_agent) >= VDA_FWD_ROOM(VDS_PORT_READ_SIZE)) {
        DWORD err = vds_port_read(p);
        if (err != ERROR_SUCCESS)
            port_io_result(L, &L->retry.rd, &L->rd_retry_at, err, 0);
    }
    if (vds_port_is_open(p) && !p->wr.pending && !L->wr_retry_at &&
        vda_ring_len(&L->fwd.to_device) > 0) {
        const uint8_t *d;
        size_t n = vda_ring_peek(&L->fwd.to_device, &d); /* all queued chunks: one write */
        DWORD err = vds_port_write(p, d, (DWORD)n);
        if (err != ERROR_SUCCESS)
            port_io_result(L, &L->retry.wr, &L->wr_retry_at, err, 0);
    }
    vds_pipe *pp = &L->pipe;
    if (pp->connected && !pp->rd.pending &&
        vda_ring_space(&L->fwd.to_device) >= VDA_FWD_ROOM(VDS_PIPE_READ_SIZE)) {
        DWORD err = vdw_ovio_read(&pp->rd, pp->h, pp->rbuf, VDS_PIPE_READ_SIZE);
        if (err != ERROR_SUCCESS)
            agent_lost(L, vdw_err_str(err, msg, sizeof msg));
    }
    if (pp->connected && !pp->wr.pending && vda_ring_len(&L->fwd.to_agent) > 0) {
        const uint8_t *d;
        size_t n = vda_ring_peek(&L->fwd.to_agent, &d);
        DWORD err = vdw_ovio_write(&pp->wr, pp->h, d, (DWORD)n);
        if (err != ERROR_SUCCESS)
            agent_lost(L, vdw_err_str(err, msg, sizeof msg));
    }
}

enum wait_kind {
    W_STOP, W_SESSIONS, W_RESUME, W_DEVICE, W_AGENT, W_PIPE_RD, W_PIPE_WR, W_PORT_RD, W_PORT_WR
};

static void dispatch(vds_loop *L, enum wait_kind k)
{
    switch (k) {
    case W_STOP:
        if (!L->stop_seen) {
            L->stop_seen = 1;
            vda_info(L->log, "stop requested");
            apply(L, vda_policy_stop_service(&L->policy, now_ms()));
        }
        break;
    case W_SESSIONS: on_sessions(L); break;
    case W_RESUME: on_resume(L); break;
    case W_DEVICE: on_device_arrival(L); break;
    case W_AGENT: if (L->agent.process) on_agent_exit(L); break;
    case W_PIPE_RD: if (L->pipe.rd.pending) on_pipe_read(L); break;
    case W_PIPE_WR: if (L->pipe.wr.pending) on_pipe_write(L); break;
    case W_PORT_RD: if (L->port.rd.pending) on_port_read(L); break;
    case W_PORT_WR: if (L->port.wr.pending) on_port_write(L); break;
    }
}

static uint64_t next_deadline(const vds_loop *L)
{
    uint64_t d = L->policy.deadline;
    if (port_wanted(L) && !vds_port_is_open(&L->port) && L->port_retry_at < d)
        d = L->port_retry_at;
    /* Set only while a direction is paused, and only worth a wakeup when that
     * direction has something to do. */
    if (vds_port_is_open(&L->port) && L->rd_retry_at && L->rd_retry_at < d)
        d = L->rd_retry_at;
    if (vds_port_is_open(&L->port) && L->wr_retry_at && L->wr_retry_at < d &&
        vda_ring_len(&L->fwd.to_device) > 0)
        d = L->wr_retry_at;
    return d;
}

static void loop(vds_loop *L)
{
    while (!L->done) {
        pump(L);
        if (L->done)
            break;
        HANDLE h[10];
        enum wait_kind kind[10];
        DWORD n = 0;
        if (!L->stop_seen) { h[n] = L->ctl->stop_event; kind[n++] = W_STOP; }
        h[n] = L->ctl->sessions.event; kind[n++] = W_SESSIONS;
        h[n] = L->ctl->resume_event; kind[n++] = W_RESUME;
        h[n] = L->ctl->device_event; kind[n++] = W_DEVICE;
        if (L->agent.process) { h[n] = L->agent.process; kind[n++] = W_AGENT; }
        if (L->pipe.rd.pending) { h[n] = L->pipe.rd.ov.hEvent; kind[n++] = W_PIPE_RD; }
        if (L->pipe.wr.pending) { h[n] = L->pipe.wr.ov.hEvent; kind[n++] = W_PIPE_WR; }
        if (L->port.rd.pending) { h[n] = L->port.rd.ov.hEvent; kind[n++] = W_PORT_RD; }
        if (L->port.wr.pending) { h[n] = L->port.wr.ov.hEvent; kind[n++] = W_PORT_WR; }
        uint64_t deadline = next_deadline(L), now = now_ms();
        DWORD timeout = INFINITE;
        if (deadline != VDA_POLICY_NO_DEADLINE)
            timeout = deadline <= now ? 0 : (deadline - now > 0x7FFFFFFF ? 0x7FFFFFFF
                                                                          : (DWORD)(deadline - now));
        DWORD r = WaitForMultipleObjects(n, h, FALSE, timeout);
        if (r == WAIT_FAILED) {
            char msg[300];
            vda_error(L->log, "wait failed: %s; exiting with an error so that the service "
                      "manager restarts the service", vdw_err_str(GetLastError(), msg, sizeof msg));
            L->done = 1;
            L->failed = 1;
            break;
        }
        if (r == WAIT_TIMEOUT) /* only ever while something is scheduled; tests count these */
            vda_debug(L->log, "timer wakeup (agent %s)", vda_agent_state_name(L->policy.state));
        /* Serve every handle that is signaled, not just the first, so that a busy
         * pipe cannot starve the device (or the reverse). Each is asked again even
         * if it is the one the wait returned: an earlier dispatch in this round may
         * have started a new transfer on its event (the agent exited, the new one's
         * ConnectNamedPipe is pending on the pipe's read event), and finishing that
         * as if complete would reuse an OVERLAPPED the system still owns. The one
         * the wait returned is trusted while nothing was served before it: the
         * wait may have consumed its signal (a --stop-event given by a user may
         * be auto-reset); the others stay signaled until their owner acts. */
        int served = 0;
        for (DWORD i = 0; i < n; i++)
            if ((r == WAIT_OBJECT_0 + i && !served) || WaitForSingleObject(h[i], 0) == WAIT_OBJECT_0) {
                dispatch(L, kind[i]);
                served = 1;
            }
        apply(L, vda_policy_timeout(&L->policy, now_ms()));
    }
}

int vds_run(const vds_config *cfg, vds_loop_ctl *ctl, const vda_logger *log)
{
    static vds_loop L; /* big (staging buffer); one loop per process */
    memset(&L, 0, sizeof L);
    L.cfg = cfg;
    L.ctl = ctl;
    L.log = log;
    L.agent.log = log;
    vda_policy_init(&L.policy, log);
    /* Port retries: once at once, then 100 ms doubling to 5 s; 5 s open resets. */
    vda_backoff_init(&L.port_backoff, 1, 100, 5000, 5000);
    vda_port_retry_init(&L.retry);
    if (vds_port_init(&L.port, cfg->device, ctl->port_ops, ctl->port_ctx, log) != 0 ||
        vds_pipe_init(&L.pipe, log) != 0 ||
        vda_fwd_init(&L.fwd, log, TO_AGENT_CAP, TO_DEVICE_CAP) != 0) {
        vda_error(log, "out of memory at start");
        return VDS_EXIT_START_FAILED;
    }
    char dev[MAX_PATH * 3], agent[MAX_PATH * 3];
    vda_info(log, "running (%s mode): device %s, agent %s", cfg->run_mode ? "run" : "service",
             vdw_narrow(cfg->device, dev, sizeof dev), vdw_narrow(cfg->agent, agent, sizeof agent));
    apply(&L, vda_policy_start(&L.policy, now_ms(), 1));
    loop(&L);
    drop_agent_link(&L, "service stopping");
    if (L.agent.process) {
        vds_agent_kill(&L.agent);
        vds_agent_reap(&L.agent, now_ms() - L.policy.launched_at);
    }
    vds_port_free(&L.port);
    vds_pipe_free(&L.pipe);
    vda_fwd_free(&L.fwd);
    vda_info(log, L.failed ? "stopped after a failure" : "stopped");
    return L.failed ? VDS_EXIT_WAIT_FAILED : 0;
}

int vds_loop_ctl_init(vds_loop_ctl *c)
{
    ZeroMemory(c, sizeof *c);
    InitializeCriticalSection(&c->sessions.lock);
    c->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    c->sessions.event = CreateEventW(NULL, TRUE, FALSE, NULL);
    c->resume_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    c->device_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    return c->stop_event && c->sessions.event && c->resume_event && c->device_event ? 0 : -1;
}

void vds_loop_ctl_free(vds_loop_ctl *c)
{
    if (c->stop_event)
        CloseHandle(c->stop_event);
    if (c->sessions.event)
        CloseHandle(c->sessions.event);
    if (c->resume_event)
        CloseHandle(c->resume_event);
    if (c->device_event)
        CloseHandle(c->device_event);
    DeleteCriticalSection(&c->sessions.lock);
}

void vds_session_queue_push(vds_session_queue *q, DWORD type, DWORD session)
{
    EnterCriticalSection(&q->lock);
    if (q->count == sizeof q->items / sizeof q->items[0]) {
        /* Full (the loop is stuck): the newest event says most about the
         * sessions now, so the oldest goes. No logging on the SCM's thread. */
        memmove(q->items, q->items + 1, --q->count * sizeof q->items[0]);
        q->dropped++;
    }
    q->items[q->count].type = type;
    q->items[q->count].session = session;
    q->count++;
    SetEvent(q->event);
    LeaveCriticalSection(&q->lock);
}
