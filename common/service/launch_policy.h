/* When vdservice launches, stops and relaunches the session agent, and when the
 * virtio port must be open: pure decisions, no Win32, so they are tested natively
 * (Wine never delivers SERVICE_CONTROL_SESSIONCHANGE).
 *
 * The caller feeds events with the current time (ms, monotonic) and carries out
 * the action each call returns; it calls vda_policy_timeout() once `deadline`
 * has passed. The port is to be open exactly while vda_policy_port_wanted():
 * from the agent's HELLO until the agent goes away, INCLUDING the grace period
 * after a STOP asked of a ready agent: an agent that owns the client's clipboard
 * renders it at exit (WM_RENDERALLFORMATS) by asking the client through the
 * port, so the link must outlive the STOP (see vdagent/app.h's
 * RENDER_ALL_BUDGET_MS + EXIT_FLUSH_MS, below the grace period). An agent that
 * lost its pipe, or is killed, has no use for the port.
 *
 * Agent lifetime: launched at start (if a user is logged on), on logon and
 * console switches; relaunched when it exits: at once the first time, then with
 * a growing delay (capped) while it keeps dying young. A session change that
 * moves the console away from the agent's session stops it (STOP message, grace
 * period, then terminate) and launches a new one when it has gone. */
#ifndef VDA_AGENT_POLICY_H
#define VDA_AGENT_POLICY_H

#include <stdint.h>

#include "base/backoff.h"
#include "base/vda_log.h"

#define VDA_POLICY_NO_DEADLINE UINT64_MAX

typedef enum vda_agent_state {
    VDA_AGENT_IDLE = 0,   /* no agent and no user to run one for: wait for a logon */
    VDA_AGENT_WAITING,    /* relaunch scheduled at `deadline` */
    VDA_AGENT_STARTING,   /* launched, no HELLO yet (deadline: HELLO timeout) */
    VDA_AGENT_READY,      /* HELLO received: the port is open in this state only */
    VDA_AGENT_STOPPING,   /* asked to stop (deadline: grace period, then kill) */
    VDA_AGENT_KILLED,     /* terminated; waiting for its exit */
    VDA_AGENT_DONE,       /* the service is stopping and the agent is gone */
} vda_agent_state;

typedef enum vda_policy_action {
    VDA_ACT_NONE = 0,
    VDA_ACT_LAUNCH,       /* launch an agent now (report back with launched/launch_failed) */
    VDA_ACT_STOP_AGENT,   /* send STOP to the agent; its exit is awaited */
    VDA_ACT_KILL_AGENT,   /* terminate the agent process now */
    VDA_ACT_EXIT,         /* service stop complete: leave the loop */
} vda_policy_action;

typedef enum vda_session_event {
    VDA_SESSION_CONSOLE_CONNECT = 1,  /* values as WTS_CONSOLE_CONNECT ... WTS_SESSION_UNLOCK */
    VDA_SESSION_CONSOLE_DISCONNECT = 2,
    VDA_SESSION_REMOTE_CONNECT = 3,
    VDA_SESSION_REMOTE_DISCONNECT = 4,
    VDA_SESSION_LOGON = 5,
    VDA_SESSION_LOGOFF = 6,
    VDA_SESSION_LOCK = 7,
    VDA_SESSION_UNLOCK = 8,
} vda_session_event;

typedef struct vda_policy {
    vda_agent_state state;
    uint64_t deadline;        /* VDA_POLICY_NO_DEADLINE: nothing pending */
    uint64_t launched_at;
    int agent_alive;          /* a process exists (STARTING..KILLED) */
    int relaunch_when_gone;   /* stopped for a session switch: relaunch at once */
    int service_stopping;
    int stop_keeps_port;      /* STOPPING after a request to a ready agent: port stays */
    uint32_t hello_timeout_ms;
    uint32_t grace_ms;
    vda_backoff backoff;
    const char *name;         /* in log lines: "agent", "system role", "user role" */
    const char *waits_for;    /* what IDLE waits for: "a logon", "a console session" */
    const vda_logger *log;
} vda_policy;

/* Defaults: relaunch at once, then 500 ms doubling to 10 s; a 30 s life resets;
 * 15 s to say HELLO; 3 s grace after STOP. */
void vda_policy_init(vda_policy *p, const vda_logger *log);

/* Log lines name the process `name` and say IDLE waits for `waits_for`
 * (defaults: "agent", "a logon"). */
void vda_policy_set_names(vda_policy *p, const char *name, const char *waits_for);

/* user_logged_on: the agent can run now (for a role: its "can launch"). */
vda_policy_action vda_policy_start(vda_policy *p, uint64_t now, int user_logged_on);
vda_policy_action vda_policy_launched(vda_policy *p, uint64_t now);
/* no_user: nobody is logged on to the console (wait for a logon), or for a
 * role: what it needs to run is not there (wait for `waits_for`). */
vda_policy_action vda_policy_launch_failed(vda_policy *p, uint64_t now, int no_user);
vda_policy_action vda_policy_hello(vda_policy *p, uint64_t now);
/* The agent's pipe broke or its stream is unusable while the process lives:
 * the port closes; the agent gets the grace period to exit, then is killed. */
vda_policy_action vda_policy_agent_lost(vda_policy *p, uint64_t now);
vda_policy_action vda_policy_agent_exited(vda_policy *p, uint64_t now);
/* agent_in_console: the running agent's session is the active console session
 * (after the event); event_in_agent_session: the event is about that session. */
vda_policy_action vda_policy_session(vda_policy *p, uint64_t now, vda_session_event ev,
                                     int agent_in_console, int event_in_agent_session);
vda_policy_action vda_policy_timeout(vda_policy *p, uint64_t now);
vda_policy_action vda_policy_stop_service(vda_policy *p, uint64_t now);

int vda_policy_port_wanted(const vda_policy *p);
const char *vda_agent_state_name(vda_agent_state s);
const char *vda_session_event_name(vda_session_event ev);

#endif
