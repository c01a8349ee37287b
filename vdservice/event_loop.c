/* The service's one wait loop.

TWO ROLES (README: why): by default the loop runs two agent processes, the
 * system role (vdagent --role system, SYSTEM in the console session) and the
 * user role (--role user, the logged-on user), each with its own pipe, HELLO,
 * launch policy and backoff (common/service/roles_policy.h); the device stream
 * is split between them and their streams merged by common/service/role_fwd.h.
 * The port is open while at least one role is connected and READY; a role that
 * goes away between messages leaves the port alone (its capabilities leave the
 * announcement); one that goes away mid-message restarts it (RESET to the other).
 * --single-agent (tests of the stream itself) runs one agent with everything,
 * through common/service/service_fwd.h, as below.
 *
 * The rest of this comment says "the agent" for each role. It waits on events and handles only (stop,
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
#include "service/role_fwd.h"
#include "service/roles_policy.h"
#include "service/service_fwd.h"

#define TO_AGENT_LIMIT (1024u * 1024u)
#define TO_AGENT_CAP (TO_AGENT_LIMIT + VDA_RFWD_ROOM(VDS_PORT_READ_SIZE))
#define TO_DEVICE_CAP (256u * 1024u + VDA_RFWD_ROOM(VDS_PIPE_READ_SIZE))
/* The largest message the device may announce to the roles (the split drops
 * bigger headers): clipboard data up to the agent's limit, and more. */
#define MAX_DEVICE_MSG 0x7FFFFFFFu

/* One agent process: a role, or the single agent. */
typedef struct vds_slot {
    vda_role role;
    vda_policy *policy;
    vds_pipe pipe;
    vds_agent agent;
    int pending_reset, pending_stop;
} vds_slot;

typedef struct vds_loop {
    const vds_config *cfg;
    vds_loop_ctl *ctl;
    const vda_logger *log;
    int single;                 /* --single-agent: one slot, vda_fwd */
    unsigned nslots;
    vds_slot slot[VDA_ROLE_COUNT];
    vda_roles_policy rp;        /* single: rp.role[0] only */
    vds_port port;
    vda_fwd fwd;                /* single: both queues and all framing state */
    vda_rfwd rfwd;              /* roles: the split, the merge and the queues */
    vda_backoff port_backoff;   /* reopening a port that failed while open */
    vda_port_retry retry;       /* refused transfers and failed opens */
    uint64_t port_retry_at;     /* reopen the port not before this */
    uint64_t rd_retry_at, wr_retry_at; /* a refused read / write waits until this */
    int reset_notice;           /* the agents must get RESET when the port opens */
    int stop_seen;
    int done;
    int failed;                 /* the wait failed: exit with VDS_EXIT_WAIT_FAILED */
} vds_loop;

static uint64_t now_ms(void)
{
    return GetTickCount64();
}

static vda_ring *to_agent(vds_loop *L, vds_slot *s)
{
    return L->single ? &L->fwd.to_agent : &L->rfwd.role[s->role].to_agent;
}

static vda_ring *to_device(vds_loop *L)
{
    return L->single ? &L->fwd.to_device : &L->rfwd.to_device;
}

static int send_control(vds_loop *L, vds_slot *s, uint32_t cmd)
{
    return L->single ? vda_fwd_control(&L->fwd, cmd, 0) : vda_rfwd_control(&L->rfwd, s->role, cmd, 0);
}

static const char *slot_name(const vds_slot *s)
{
    return s->policy->name;
}

/* ---------------------------------------------------------------- port state */

/* Everything that belongs to one opening of the port is forgotten. */
static void forget_port_state(vds_loop *L)
{
    if (L->single)
        vda_fwd_port_closed(&L->fwd);
    else
        vda_rfwd_port_closed(&L->rfwd);
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
    for (unsigned i = 0; i < L->nslots; i++)
        if (vda_policy_port_wanted(L->slot[i].policy) && L->slot[i].pipe.connected)
            return 1;
    return 0;
}

static int any_pending_reset(const vds_loop *L)
{
    for (unsigned i = 0; i < L->nslots; i++)
        if (L->slot[i].pending_reset)
            return 1;
    return 0;
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
        if (L->reset_notice) /* what the agents sent meanwhile was dropped */
            for (unsigned i = 0; i < L->nslots; i++)
                L->slot[i].pending_reset = L->slot[i].pipe.connected;
        L->reset_notice = 0;
        if (!L->single)
            vda_rfwd_port_opened(&L->rfwd);
        return;
    }
    L->reset_notice = 1;
    L->port_retry_at = now + vda_port_open_failed(&L->retry, err, L->ctl->device_notify);
}

/* ---------------------------------------------------------------- agent link */

static void drop_agent_link(vds_loop *L, vds_slot *s, const char *why)
{
    vds_pipe_close(&s->pipe);
    s->pending_reset = s->pending_stop = 0;
    if (!L->single) {
        /* The other role goes on. A message torn in half restarts the port; so
         * does the user role going away: the client must forget the clipboard
         * state (grabs, serials) it shared with that process, and only a port
         * restart (agent gone, agent back) tells it so. */
        int was_up = L->rfwd.role[s->role].up;
        int torn = vda_rfwd_role_down(&L->rfwd, s->role) != 0;
        if (was_up && vds_port_is_open(&L->port) && (torn || s->role == VDA_ROLE_USER)) {
            port_failed(L, why);
            vda_backoff_reset(&L->port_backoff);
            L->port_retry_at = 0;
        }
        return;
    }
    if (vds_port_is_open(&L->port))
        vds_port_close(&L->port, why);
    forget_port_state(L);
    vda_fwd_reset(&L->fwd);
    vda_backoff_reset(&L->port_backoff);
    L->port_retry_at = 0;
    L->rd_retry_at = L->wr_retry_at = 0;
    L->reset_notice = 0;
}

static void apply(vds_loop *L, vds_slot *s, vda_policy_action a);

static void launch(vds_loop *L, vds_slot *s)
{
    char msg[300];
    uint64_t now = now_ms();
    drop_agent_link(L, s, "new agent");
    DWORD err = vds_agent_prepare(&s->agent, L->cfg->run_mode);
    if (err == ERROR_NO_TOKEN) {
        apply(L, s, vda_policy_launch_failed(s->policy, now, 1));
        return;
    }
    if (err == ERROR_SUCCESS) {
        err = vds_pipe_create(&s->pipe, s->agent.user);
        if (err != ERROR_SUCCESS)
            vda_error(L->log, "cannot create the %s pipe: %s", slot_name(s),
                      vdw_err_str(err, msg, sizeof msg));
    } else {
        vda_error(L->log, "cannot get the user to run the %s for: %s", slot_name(s),
                  vdw_err_str(err, msg, sizeof msg));
    }
    if (err == ERROR_SUCCESS) {
        err = vds_pipe_listen(&s->pipe);
        if (err != ERROR_SUCCESS)
            vda_error(L->log, "cannot listen on the %s pipe: %s", slot_name(s),
                      vdw_err_str(err, msg, sizeof msg));
    }
    if (err == ERROR_SUCCESS) {
        err = vds_agent_launch(&s->agent, L->cfg->agent, s->pipe.short_name, L->cfg->run_mode);
        if (err != ERROR_SUCCESS) {
            char path[MAX_PATH * 3];
            vda_error(L->log, "cannot launch the %s %s: %s", slot_name(s),
                      vdw_narrow(L->cfg->agent, path, sizeof path),
                      vdw_err_str(err, msg, sizeof msg));
        }
    }
    vds_agent_release_token(&s->agent);
    if (err != ERROR_SUCCESS) {
        vds_pipe_close(&s->pipe);
        apply(L, s, vda_policy_launch_failed(s->policy, now, 0));
        return;
    }
    apply(L, s, vda_policy_launched(s->policy, now));
}

static void apply(vds_loop *L, vds_slot *s, vda_policy_action a)
{
    if (!L->single)
        a = vda_roles_policy_act(&L->rp, s->role, a);
    switch (a) {
    case VDA_ACT_NONE:
        break;
    case VDA_ACT_LAUNCH:
        launch(L, s);
        break;
    case VDA_ACT_STOP_AGENT:
        if (s->pipe.connected) {
            vda_info(L->log, "asking the %s to stop", slot_name(s));
            s->pending_stop = 1;
        } else {
            vds_agent_kill(&s->agent); /* it cannot hear us yet */
        }
        break;
    case VDA_ACT_KILL_AGENT:
        vds_agent_kill(&s->agent);
        break;
    case VDA_ACT_EXIT:
        L->done = 1;
        break;
    }
    port_sync(L);
}

static void agent_lost(vds_loop *L, vds_slot *s, const char *why)
{
    vda_warn(L->log, "%s link lost: %s", slot_name(s), why);
    drop_agent_link(L, s, "agent link lost");
    apply(L, s, vda_policy_agent_lost(s->policy, now_ms()));
}

/* --------------------------------------------------------------- forwarding */

static void device_bytes(vds_loop *L, const uint8_t *buf, size_t len)
{
    vda_status st = L->single ? vda_fwd_from_device(&L->fwd, buf, len)
                              : vda_rfwd_from_device(&L->rfwd, buf, len);
    if (st == VDA_ERR_FRAMING_LOST)
        port_failed(L, "framing lost on the incoming stream");
}

static void control_from_agent(vds_loop *L, vds_slot *s, uint32_t cmd, uint32_t arg)
{
    if (cmd != VDA_PIPE_HELLO) {
        vda_warn(L->log, "%s sent control '%s': not for the service, dropped", slot_name(s),
                 vda_pipe_cmd_name(cmd));
        return;
    }
    if (arg != s->agent.pid)
        vda_warn(L->log, "%s hello names process %lu, the pipe client is %lu", slot_name(s),
                 (unsigned long)arg, (unsigned long)s->agent.pid);
    vda_info(L->log, "%s process %lu is ready", slot_name(s), (unsigned long)s->agent.pid);
    apply(L, s, vda_policy_hello(s->policy, now_ms()));
    /* apply() opened the port, so the chunks following HELLO in this very read
     * (the agent's capabilities) are already forwarded. */
}

/* Roles: parses what role s delivered while the device queue has room.
 * Returns 1 when it made progress. */
static int role_drain(vds_loop *L, vds_slot *s)
{
    int progress = 0;
    while (s->pipe.connected && vda_rfwd_role_pending(&L->rfwd, s->role) &&
           vda_ring_space(&L->rfwd.to_device) >= VDA_RFWD_ROOM(VDS_PIPE_READ_SIZE)) {
        uint32_t cmd, arg;
        size_t before = vda_ring_len(&L->rfwd.to_device);
        int st = vda_rfwd_role_next(&L->rfwd, s->role, &cmd, &arg);
        if (vda_ring_len(&L->rfwd.to_device) != before)
            progress = 1;
        if (st == VDA_NEED_MORE)
            return 1;
        if (st == VDA_RFWD_BLOCKED)
            return progress;
        if (st != VDA_OK) {
            agent_lost(L, s, "framing lost on the agent's stream");
            return 1;
        }
        progress = 1;
        control_from_agent(L, s, cmd, arg);
    }
    return progress;
}

static void pipe_bytes(vds_loop *L, vds_slot *s, const uint8_t *buf, size_t len)
{
    if (!L->single) {
        vda_rfwd_role_input(&L->rfwd, s->role, buf, len);
        role_drain(L, s);
        return;
    }
    while (s->pipe.connected) {
        uint32_t cmd, arg;
        vda_status st = vda_fwd_from_agent(&L->fwd, &buf, &len, vds_port_is_open(&L->port),
                                           &cmd, &arg);
        if (st == VDA_NEED_MORE)
            return;
        if (st != VDA_OK) {
            agent_lost(L, s, "framing lost on the agent's stream");
            return;
        }
        control_from_agent(L, s, cmd, arg);
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
        vda_ring_consume(to_device(L), n);
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

static void on_pipe_read(vds_loop *L, vds_slot *s)
{
    char msg[300];
    if (s->pipe.listening) {
        if (!vds_pipe_accept(&s->pipe, s->agent.pid)) {
            DWORD err = vds_pipe_listen(&s->pipe);
            if (err != ERROR_SUCCESS)
                agent_lost(L, s, vdw_err_str(err, msg, sizeof msg));
        } else if (!L->single) {
            vda_rfwd_role_up(&L->rfwd, s->role);
        }
        return;
    }
    DWORD n, err = vdw_ovio_finish(&s->pipe.rd, s->pipe.h, &n);
    if (err != ERROR_SUCCESS) {
        agent_lost(L, s, vdw_err_str(err, msg, sizeof msg));
        return;
    }
    pipe_bytes(L, s, s->pipe.rbuf, n);
}

static void on_pipe_write(vds_loop *L, vds_slot *s)
{
    char msg[300];
    DWORD n, err = vdw_ovio_finish(&s->pipe.wr, s->pipe.h, &n);
    if (err != ERROR_SUCCESS) {
        agent_lost(L, s, vdw_err_str(err, msg, sizeof msg));
        return;
    }
    vda_ring_consume(to_agent(L, s), n);
}

static void on_agent_exit(vds_loop *L, vds_slot *s)
{
    uint64_t now = now_ms();
    vds_agent_reap(&s->agent, now - s->policy->launched_at);
    drop_agent_link(L, s, "agent exited");
    apply(L, s, vda_policy_agent_exited(s->policy, now));
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
        vda_role_where where[VDA_ROLE_COUNT];
        memset(where, 0, sizeof where);
        for (unsigned i = 0; i < L->nslots; i++) {
            vds_slot *s = &L->slot[i];
            int alive = s->agent.process != NULL;
            where[i].in_console = alive && s->agent.session == console;
            where[i].in_event_session = alive && s->agent.session == session;
        }
        if (L->single) {
            apply(L, &L->slot[0], vda_policy_session(L->slot[0].policy, now_ms(),
                                                     (vda_session_event)type,
                                                     where[0].in_console,
                                                     where[0].in_event_session));
            continue;
        }
        /* Both roles decide on the same state; then each action is carried out. */
        vda_policy_action out[VDA_ROLE_COUNT];
        vda_roles_policy_session(&L->rp, now_ms(), (vda_session_event)type, where, out);
        for (unsigned i = 0; i < L->nslots; i++)
            apply(L, &L->slot[i], out[i]);
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
    for (unsigned i = 0; i < L->nslots; i++) {
        vds_slot *s = &L->slot[i];
        if (!s->pipe.connected)
            continue;
        if (s->pending_reset && send_control(L, s, VDA_PIPE_RESET) == 0) {
            s->pending_reset = 0;
            vda_info(L->log, "sent reset to the %s: the port was reopened under it", slot_name(s));
        }
        if (s->pending_stop && send_control(L, s, VDA_PIPE_STOP) == 0)
            s->pending_stop = 0;
    }
    /* A role whose message waited for the other's goes on once that one ended. */
    if (!L->single) {
        int progress = 1;
        for (int rounds = 0; progress && rounds < 8; rounds++) {
            progress = 0;
            for (unsigned i = 0; i < L->nslots; i++)
                progress |= role_drain(L, &L->slot[i]);
        }
    }
    vds_port *p = &L->port;
    int room = 1;
    for (unsigned i = 0; i < L->nslots; i++)
        if ((L->single || L->slot[i].pipe.connected) &&
            vda_ring_space(to_agent(L, &L->slot[i])) < VDA_RFWD_ROOM(VDS_PORT_READ_SIZE))
            room = 0;
    /* A refusal can come at once (the driver completes the request before
     * returning) as well as through the event: both take port_io_result. */
    if (vds_port_is_open(p) && !p->rd.pending && !any_pending_reset(L) && !L->rd_retry_at &&
        room) {
        DWORD err = vds_port_read(p);
        if (err != ERROR_SUCCESS)
            port_io_result(L, &L->retry.rd, &L->rd_retry_at, err, 0);
    }
    if (vds_port_is_open(p) && !p->wr.pending && !L->wr_retry_at &&
        vda_ring_len(to_device(L)) > 0) {
        const uint8_t *d;
        size_t n = vda_ring_peek(to_device(L), &d); /* all queued chunks: one write */
        DWORD err = vds_port_write(p, d, (DWORD)n);
        if (err != ERROR_SUCCESS)
            port_io_result(L, &L->retry.wr, &L->wr_retry_at, err, 0);
    }
    for (unsigned i = 0; i < L->nslots; i++) {
        vds_slot *s = &L->slot[i];
        vds_pipe *pp = &s->pipe;
        if (pp->connected && !pp->rd.pending &&
            (L->single || !vda_rfwd_role_pending(&L->rfwd, s->role)) &&
            vda_ring_space(to_device(L)) >= VDA_RFWD_ROOM(VDS_PIPE_READ_SIZE)) {
            DWORD err = vdw_ovio_read(&pp->rd, pp->h, pp->rbuf, VDS_PIPE_READ_SIZE);
            if (err != ERROR_SUCCESS)
                agent_lost(L, s, vdw_err_str(err, msg, sizeof msg));
        }
        if (pp->connected && !pp->wr.pending && vda_ring_len(to_agent(L, s)) > 0) {
            const uint8_t *d;
            size_t n = vda_ring_peek(to_agent(L, s), &d);
            DWORD err = vdw_ovio_write(&pp->wr, pp->h, d, (DWORD)n);
            if (err != ERROR_SUCCESS)
                agent_lost(L, s, vdw_err_str(err, msg, sizeof msg));
        }
    }
}

enum wait_kind {
    W_STOP, W_SESSIONS, W_RESUME, W_DEVICE, W_AGENT, W_PIPE_RD, W_PIPE_WR, W_PORT_RD, W_PORT_WR
};

static void stop_service(vds_loop *L)
{
    uint64_t now = now_ms();
    if (L->single) {
        apply(L, &L->slot[0], vda_policy_stop_service(L->slot[0].policy, now));
        return;
    }
    vda_policy_action out[VDA_ROLE_COUNT];
    vda_roles_policy_stop_service(&L->rp, now, out);
    for (unsigned i = 0; i < L->nslots; i++)
        apply(L, &L->slot[i], out[i]);
}

static void dispatch(vds_loop *L, enum wait_kind k, vds_slot *s)
{
    switch (k) {
    case W_STOP:
        if (!L->stop_seen) {
            L->stop_seen = 1;
            vda_info(L->log, "stop requested");
            stop_service(L);
        }
        break;
    case W_SESSIONS: on_sessions(L); break;
    case W_RESUME: on_resume(L); break;
    case W_DEVICE: on_device_arrival(L); break;
    case W_AGENT: if (s->agent.process) on_agent_exit(L, s); break;
    case W_PIPE_RD: if (s->pipe.rd.pending) on_pipe_read(L, s); break;
    case W_PIPE_WR: if (s->pipe.wr.pending) on_pipe_write(L, s); break;
    case W_PORT_RD: if (L->port.rd.pending) on_port_read(L); break;
    case W_PORT_WR: if (L->port.wr.pending) on_port_write(L); break;
    }
}

static uint64_t next_deadline(const vds_loop *L)
{
    uint64_t d = VDA_POLICY_NO_DEADLINE;
    for (unsigned i = 0; i < L->nslots; i++)
        if (L->slot[i].policy->deadline < d)
            d = L->slot[i].policy->deadline;
    if (port_wanted(L) && !vds_port_is_open(&L->port) && L->port_retry_at < d)
        d = L->port_retry_at;
    /* Set only while a direction is paused, and only worth a wakeup when that
     * direction has something to do. */
    if (vds_port_is_open(&L->port) && L->rd_retry_at && L->rd_retry_at < d)
        d = L->rd_retry_at;
    if (vds_port_is_open(&L->port) && L->wr_retry_at && L->wr_retry_at < d &&
        vda_ring_len(L->single ? &L->fwd.to_device : &L->rfwd.to_device) > 0)
        d = L->wr_retry_at;
    return d;
}

#define MAX_WAIT (6 + 3 * VDA_ROLE_COUNT)

static void loop(vds_loop *L)
{
    while (!L->done) {
        pump(L);
        if (L->done)
            break;
        HANDLE h[MAX_WAIT];
        enum wait_kind kind[MAX_WAIT];
        vds_slot *who[MAX_WAIT];
        DWORD n = 0;
#define ADD(handle, k, s) (h[n] = (handle), kind[n] = (k), who[n++] = (s))
        if (!L->stop_seen)
            ADD(L->ctl->stop_event, W_STOP, NULL);
        ADD(L->ctl->sessions.event, W_SESSIONS, NULL);
        ADD(L->ctl->resume_event, W_RESUME, NULL);
        ADD(L->ctl->device_event, W_DEVICE, NULL);
        for (unsigned i = 0; i < L->nslots; i++) {
            vds_slot *s = &L->slot[i];
            if (s->agent.process)
                ADD(s->agent.process, W_AGENT, s);
            if (s->pipe.rd.pending)
                ADD(s->pipe.rd.ov.hEvent, W_PIPE_RD, s);
            if (s->pipe.wr.pending)
                ADD(s->pipe.wr.ov.hEvent, W_PIPE_WR, s);
        }
        if (L->port.rd.pending)
            ADD(L->port.rd.ov.hEvent, W_PORT_RD, NULL);
        if (L->port.wr.pending)
            ADD(L->port.wr.ov.hEvent, W_PORT_WR, NULL);
#undef ADD
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
            vda_debug(L->log, "timer wakeup (%s %s)", slot_name(&L->slot[0]),
                      vda_agent_state_name(L->slot[0].policy->state));
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
                dispatch(L, kind[i], who[i]);
                served = 1;
            }
        for (unsigned i = 0; i < L->nslots && !L->done; i++)
            apply(L, &L->slot[i], vda_policy_timeout(L->slot[i].policy, now_ms()));
    }
}

int vds_run(const vds_config *cfg, vds_loop_ctl *ctl, const vda_logger *log)
{
    static vds_loop L; /* big (staging buffer); one loop per process */
    memset(&L, 0, sizeof L);
    L.cfg = cfg;
    L.ctl = ctl;
    L.log = log;
    L.single = cfg->single_agent;
    L.nslots = L.single ? 1 : VDA_ROLE_COUNT;
    vda_roles_policy_init(&L.rp, log);
    /* Port retries: once at once, then 100 ms doubling to 5 s; 5 s open resets. */
    vda_backoff_init(&L.port_backoff, 1, 100, 5000, 5000);
    vda_port_retry_init(&L.retry);
    int bad = vds_port_init(&L.port, cfg->device, ctl->port_ops, ctl->port_ctx, log) != 0;
    for (unsigned i = 0; i < L.nslots; i++) {
        vds_slot *s = &L.slot[i];
        s->role = (vda_role)i;
        s->policy = &L.rp.role[i];
        s->agent.log = log;
        s->agent.role = L.single ? L"all" : i == VDA_ROLE_SYSTEM ? L"system" : L"user";
        s->agent.as_system = !L.single && i == VDA_ROLE_SYSTEM;
        bad |= vds_pipe_init(&s->pipe, log) != 0;
    }
    if (L.single) {
        vda_policy_set_names(L.slot[0].policy, "agent", "a logon");
        bad |= vda_fwd_init(&L.fwd, log, TO_AGENT_CAP, TO_DEVICE_CAP) != 0;
    } else {
        bad |= vda_rfwd_init(&L.rfwd, log, TO_AGENT_CAP, TO_DEVICE_CAP, MAX_DEVICE_MSG) != 0;
    }
    if (bad) {
        vda_error(log, "out of memory at start");
        return VDS_EXIT_START_FAILED;
    }
    char dev[MAX_PATH * 3], agent[MAX_PATH * 3];
    vda_info(log, "running (%s mode): device %s, agent %s (%s)",
             cfg->run_mode ? "run" : "service",
             vdw_narrow(cfg->device, dev, sizeof dev), vdw_narrow(cfg->agent, agent, sizeof agent),
             L.single ? "one agent" : "system and user roles");
    /* The launcher says whether a role can run (no console session, nobody
     * logged on: ERROR_NO_TOKEN), so every role starts by trying. */
    for (unsigned i = 0; i < L.nslots; i++)
        apply(&L, &L.slot[i], vda_policy_start(L.slot[i].policy, now_ms(), 1));
    loop(&L);
    for (unsigned i = 0; i < L.nslots; i++) {
        vds_slot *s = &L.slot[i];
        drop_agent_link(&L, s, "service stopping");
        if (s->agent.process) {
            vds_agent_kill(&s->agent);
            vds_agent_reap(&s->agent, now_ms() - s->policy->launched_at);
        }
        vds_pipe_free(&s->pipe);
    }
    if (vds_port_is_open(&L.port))
        vds_port_close(&L.port, "service stopping");
    vds_port_free(&L.port);
    if (L.single)
        vda_fwd_free(&L.fwd);
    else
        vda_rfwd_free(&L.rfwd);
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
