#include "service/launch_policy.h"

void vda_policy_init(vda_policy *p, const vda_logger *log)
{
    p->state = VDA_AGENT_IDLE;
    p->deadline = VDA_POLICY_NO_DEADLINE;
    p->launched_at = 0;
    p->agent_alive = 0;
    p->relaunch_when_gone = 0;
    p->service_stopping = 0;
    p->hello_timeout_ms = 15000;
    p->grace_ms = 3000;
    vda_backoff_init(&p->backoff, 1, 500, 10000, 30000);
    p->name = "agent";
    p->waits_for = "a logon";
    p->log = log;
}

void vda_policy_set_names(vda_policy *p, const char *name, const char *waits_for)
{
    p->name = name;
    p->waits_for = waits_for;
}

const char *vda_agent_state_name(vda_agent_state s)
{
    switch (s) {
    case VDA_AGENT_IDLE: return "idle";
    case VDA_AGENT_WAITING: return "waiting";
    case VDA_AGENT_STARTING: return "starting";
    case VDA_AGENT_READY: return "ready";
    case VDA_AGENT_STOPPING: return "stopping";
    case VDA_AGENT_KILLED: return "killed";
    case VDA_AGENT_DONE: return "done";
    }
    return "?";
}

const char *vda_session_event_name(vda_session_event ev)
{
    static const char *const names[] = { "?", "console connect", "console disconnect",
                                         "remote connect", "remote disconnect", "logon",
                                         "logoff", "lock", "unlock" };
    return (unsigned)ev < sizeof names / sizeof names[0] ? names[ev] : "?";
}

static void set_state(vda_policy *p, vda_agent_state s, uint64_t deadline)
{
    if (p->state != s)
        vda_debug(p->log, "%s state %s -> %s", p->name, vda_agent_state_name(p->state),
                  vda_agent_state_name(s));
    p->state = s;
    p->deadline = deadline;
}

static vda_policy_action launch_now(vda_policy *p)
{
    set_state(p, VDA_AGENT_STARTING, VDA_POLICY_NO_DEADLINE);
    return VDA_ACT_LAUNCH;
}

/* No agent process any more: decide what comes next. */
static vda_policy_action after_gone(vda_policy *p, uint64_t now, int failed)
{
    p->agent_alive = 0;
    if (p->service_stopping) {
        set_state(p, VDA_AGENT_DONE, VDA_POLICY_NO_DEADLINE);
        return VDA_ACT_EXIT;
    }
    if (p->relaunch_when_gone) {
        p->relaunch_when_gone = 0;
        vda_backoff_reset(&p->backoff);
        return launch_now(p);
    }
    uint32_t delay = 0;
    if (failed)
        delay = vda_backoff_failed(&p->backoff, now - p->launched_at);
    if (delay == 0)
        return launch_now(p);
    vda_info(p->log, "%s relaunch in %u ms (%u short runs in a row)", p->name, delay,
             p->backoff.failures);
    set_state(p, VDA_AGENT_WAITING, now + delay);
    return VDA_ACT_NONE;
}

vda_policy_action vda_policy_start(vda_policy *p, uint64_t now, int user_logged_on)
{
    (void)now;
    if (!user_logged_on) {
        vda_info(p->log, "%s cannot run now: waiting for %s", p->name, p->waits_for);
        set_state(p, VDA_AGENT_IDLE, VDA_POLICY_NO_DEADLINE);
        return VDA_ACT_NONE;
    }
    return launch_now(p);
}

vda_policy_action vda_policy_launched(vda_policy *p, uint64_t now)
{
    p->agent_alive = 1;
    p->launched_at = now;
    set_state(p, VDA_AGENT_STARTING, now + p->hello_timeout_ms);
    return VDA_ACT_NONE;
}

vda_policy_action vda_policy_launch_failed(vda_policy *p, uint64_t now, int no_user)
{
    p->agent_alive = 0;
    if (p->service_stopping) {
        set_state(p, VDA_AGENT_DONE, VDA_POLICY_NO_DEADLINE);
        return VDA_ACT_EXIT;
    }
    if (no_user) {
        vda_info(p->log, "%s cannot run now: waiting for %s", p->name, p->waits_for);
        set_state(p, VDA_AGENT_IDLE, VDA_POLICY_NO_DEADLINE);
        return VDA_ACT_NONE;
    }
    p->launched_at = now;
    return after_gone(p, now, 1);
}

vda_policy_action vda_policy_hello(vda_policy *p, uint64_t now)
{
    (void)now;
    if (p->state != VDA_AGENT_STARTING)
        return VDA_ACT_NONE; /* a second HELLO, or one while stopping: nothing changes */
    set_state(p, VDA_AGENT_READY, VDA_POLICY_NO_DEADLINE);
    return VDA_ACT_NONE;
}

vda_policy_action vda_policy_agent_lost(vda_policy *p, uint64_t now)
{
    p->stop_keeps_port = 0; /* no link left to keep */
    if (!p->agent_alive || p->state == VDA_AGENT_STOPPING || p->state == VDA_AGENT_KILLED)
        return VDA_ACT_NONE;
    /* Without its pipe the agent is useless and should be exiting by itself (its
     * exit code is worth logging): give it the grace period, then end it. Its
     * exit drives the rest, as a failure. */
    set_state(p, VDA_AGENT_STOPPING, now + p->grace_ms);
    return VDA_ACT_NONE;
}

vda_policy_action vda_policy_agent_exited(vda_policy *p, uint64_t now)
{
    if (!p->agent_alive)
        return VDA_ACT_NONE;
    /* Leaving on request is not a failure; anything else is. */
    int failed = !(p->state == VDA_AGENT_STOPPING && (p->relaunch_when_gone || p->service_stopping));
    return after_gone(p, now, failed);
}

static vda_policy_action stop_agent(vda_policy *p, uint64_t now)
{
    if (p->state == VDA_AGENT_STOPPING || p->state == VDA_AGENT_KILLED)
        return VDA_ACT_NONE;
    /* A ready agent shuts down through its link (exit-time clipboard rendering). */
    p->stop_keeps_port = p->state == VDA_AGENT_READY;
    set_state(p, VDA_AGENT_STOPPING, now + p->grace_ms);
    return VDA_ACT_STOP_AGENT;
}

vda_policy_action vda_policy_session(vda_policy *p, uint64_t now, vda_session_event ev,
                                     int agent_in_console, int event_in_agent_session)
{
    vda_info(p->log, "session change: %s (%s %s)", vda_session_event_name(ev), p->name,
             vda_agent_state_name(p->state));
    if (p->service_stopping)
        return VDA_ACT_NONE;
    switch (ev) {
    case VDA_SESSION_LOGON:
    case VDA_SESSION_CONSOLE_CONNECT:
    case VDA_SESSION_UNLOCK:
        if (!p->agent_alive) {
            if (p->state == VDA_AGENT_IDLE || p->state == VDA_AGENT_WAITING) {
                vda_backoff_reset(&p->backoff);
                return launch_now(p);
            }
            return VDA_ACT_NONE;
        }
        if (!agent_in_console) {
            p->relaunch_when_gone = 1;
            return stop_agent(p, now);
        }
        return VDA_ACT_NONE;
    case VDA_SESSION_LOGOFF:
    case VDA_SESSION_CONSOLE_DISCONNECT:
        if (p->agent_alive && event_in_agent_session) {
            p->relaunch_when_gone = 1;
            return stop_agent(p, now);
        }
        return VDA_ACT_NONE;
    default:
        return VDA_ACT_NONE;
    }
}

vda_policy_action vda_policy_timeout(vda_policy *p, uint64_t now)
{
    if (p->deadline == VDA_POLICY_NO_DEADLINE || now < p->deadline)
        return VDA_ACT_NONE;
    switch (p->state) {
    case VDA_AGENT_WAITING:
        return launch_now(p);
    case VDA_AGENT_STARTING:
        vda_warn(p->log, "%s did not say hello within %u ms: terminating it", p->name,
                 p->hello_timeout_ms);
        set_state(p, VDA_AGENT_KILLED, VDA_POLICY_NO_DEADLINE);
        return VDA_ACT_KILL_AGENT;
    case VDA_AGENT_STOPPING:
        vda_warn(p->log, "%s still running %u ms after stop: terminating it", p->name,
                 p->grace_ms);
        set_state(p, VDA_AGENT_KILLED, VDA_POLICY_NO_DEADLINE);
        return VDA_ACT_KILL_AGENT;
    default:
        p->deadline = VDA_POLICY_NO_DEADLINE;
        return VDA_ACT_NONE;
    }
}

vda_policy_action vda_policy_stop_service(vda_policy *p, uint64_t now)
{
    p->service_stopping = 1;
    if (!p->agent_alive) {
        set_state(p, VDA_AGENT_DONE, VDA_POLICY_NO_DEADLINE);
        return VDA_ACT_EXIT;
    }
    return stop_agent(p, now);
}

int vda_policy_port_wanted(const vda_policy *p)
{
    return p->state == VDA_AGENT_READY || (p->state == VDA_AGENT_STOPPING && p->stop_keeps_port);
}
