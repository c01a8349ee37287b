/* Supervision of the two roles (roles_policy) against a small model of the
 * machine's sessions: after each sequence of session changes (logon, logoff,
 * lock, unlock, console connect and disconnect, fast user switching), the right
 * set of roles runs in the right session, and one role's death leaves the other
 * alone. The model launches what the policy asks for, where the real launcher
 * would: the system role in the console session if there is one, the user role
 * only if a user is logged on to it. */
#include "test_support.h"

#include "service/roles_policy.h"

#define NONE (-1)
#define SESSIONS 8

typedef struct world {
    vda_roles_policy rp;
    test_log log;
    int console;                  /* active console session, NONE: detached */
    int logged_on[SESSIONS];
    int session[VDA_ROLE_COUNT];  /* where the role's process runs, NONE: no process */
    int launches[VDA_ROLE_COUNT];
    int exited;                   /* the service loop was told to leave */
    uint64_t now;
} world;

static void act(world *w, vda_role r, vda_policy_action a);

static void launch(world *w, vda_role r)
{
    vda_policy *p = &w->rp.role[r];
    int can = w->console != NONE && (r == VDA_ROLE_SYSTEM || w->logged_on[w->console]);
    if (!can) {
        act(w, r, vda_roles_policy_act(&w->rp, r, vda_policy_launch_failed(p, w->now, 1)));
        return;
    }
    w->session[r] = w->console;
    w->launches[r]++;
    act(w, r, vda_roles_policy_act(&w->rp, r, vda_policy_launched(p, w->now)));
    act(w, r, vda_roles_policy_act(&w->rp, r, vda_policy_hello(p, w->now)));
}

/* The process ends (on request, killed or crashed). */
static void gone(world *w, vda_role r)
{
    w->session[r] = NONE;
    act(w, r, vda_roles_policy_act(&w->rp, r, vda_policy_agent_exited(&w->rp.role[r], w->now)));
}

static void act(world *w, vda_role r, vda_policy_action a)
{
    switch (a) {
    case VDA_ACT_NONE: break;
    case VDA_ACT_LAUNCH: launch(w, r); break;
    case VDA_ACT_STOP_AGENT:       /* the role obeys STOP at once */
    case VDA_ACT_KILL_AGENT: gone(w, r); break;
    case VDA_ACT_EXIT: w->exited = 1; break;
    }
}

/* Time passes: scheduled relaunches happen. */
static void later(world *w, uint64_t ms)
{
    w->now += ms;
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        act(w, (vda_role)r, vda_roles_policy_act(&w->rp, (vda_role)r,
                                                 vda_policy_timeout(&w->rp.role[r], w->now)));
}

static void session_event(world *w, vda_session_event ev, int session)
{
    vda_role_where where[VDA_ROLE_COUNT];
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++) {
        where[r].in_console = w->session[r] != NONE && w->session[r] == w->console;
        where[r].in_event_session = w->session[r] != NONE && w->session[r] == session;
    }
    vda_policy_action out[VDA_ROLE_COUNT];
    vda_roles_policy_session(&w->rp, w->now, ev, where, out);
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        act(w, (vda_role)r, out[r]);
}

static void start(world *w, int console, int user_in_console)
{
    memset(w, 0, sizeof *w);
    test_log_init(&w->log);
    vda_roles_policy_init(&w->rp, &w->log.logger);
    w->now = 1000;
    w->console = console;
    if (console != NONE)
        w->logged_on[console] = user_in_console;
    w->session[0] = w->session[1] = NONE;
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++) {
        int can = console != NONE && (r == VDA_ROLE_SYSTEM || user_in_console);
        act(w, (vda_role)r, vda_policy_start(&w->rp.role[r], w->now, can));
    }
}

/* One step of a sequence: the world changes, then the event is delivered. */
typedef enum { LOGON, LOGOFF, LOCK, UNLOCK, CONNECT, DISCONNECT, CRASH_SYS, CRASH_USR,
               WAIT } step_kind;

typedef struct step {
    step_kind kind;
    int session;
    int want_sys, want_usr;       /* sessions the roles run in afterwards */
} step;

static void run_step(world *w, const step *s)
{
    switch (s->kind) {
    case LOGON:
        w->logged_on[s->session] = 1;
        session_event(w, VDA_SESSION_LOGON, s->session);
        break;
    case LOGOFF:   /* the user leaves; Windows ends the session */
        w->logged_on[s->session] = 0;
        session_event(w, VDA_SESSION_LOGOFF, s->session);
        break;
    case LOCK: session_event(w, VDA_SESSION_LOCK, s->session); break;
    case UNLOCK: session_event(w, VDA_SESSION_UNLOCK, s->session); break;
    case CONNECT:
        w->console = s->session;
        session_event(w, VDA_SESSION_CONSOLE_CONNECT, s->session);
        break;
    case DISCONNECT:
        if (w->console == s->session)
            w->console = NONE;
        session_event(w, VDA_SESSION_CONSOLE_DISCONNECT, s->session);
        break;
    case CRASH_SYS: gone(w, VDA_ROLE_SYSTEM); break;
    case CRASH_USR: gone(w, VDA_ROLE_USER); break;
    case WAIT: later(w, 60000); break;
    }
}

typedef struct sequence {
    const char *name;
    int console, user;            /* at service start */
    int start_sys, start_usr;
    step steps[8];
    int n;
} sequence;

static const sequence sequences[] = {
    { "boot to the logon screen, logon, lock, unlock", 1, 0, 1, NONE,
      { { LOGON, 1, 1, 1 }, { LOCK, 1, 1, 1 }, { UNLOCK, 1, 1, 1 } }, 3 },
    /* Windows ends the session at logoff and gives the console a new one. */
    { "logoff: the logon screen of a new session", 1, 1, 1, 1,
      { { LOGOFF, 1, 1, NONE }, { DISCONNECT, 1, NONE, NONE }, { CONNECT, 2, 2, NONE },
        { LOGON, 2, 2, 2 } }, 4 },
    { "fast user switching: A's session stays, B logs on in a new one", 1, 1, 1, 1,
      { { DISCONNECT, 1, NONE, NONE }, { CONNECT, 2, 2, NONE }, { LOGON, 2, 2, 2 },
        { DISCONNECT, 2, NONE, NONE }, { CONNECT, 1, 1, 1 } }, 5 },
    { "console detached at start (remote session only)", NONE, 0, NONE, NONE,
      { { CONNECT, 3, 3, NONE }, { LOGON, 3, 3, 3 } }, 2 },
    { "a role crashes: relaunched, the other untouched", 1, 1, 1, 1,
      { { CRASH_USR, 0, 1, 1 }, { CRASH_SYS, 0, 1, 1 }, { CRASH_USR, 0, 1, NONE },
        { WAIT, 0, 1, 1 } }, 4 },
    { "events about other sessions change nothing", 1, 1, 1, 1,
      { { LOGON, 4, 1, 1 }, { LOGOFF, 4, 1, 1 }, { DISCONNECT, 4, 1, 1 },
        { LOCK, 1, 1, 1 } }, 4 },
};

static void test_session_sequences(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sequences / sizeof sequences[0]; i++) {
        const sequence *q = &sequences[i];
        world w;
        start(&w, q->console, q->user);
        printf("sequence: %s\n", q->name);
        assert_int_equal(w.session[VDA_ROLE_SYSTEM], q->start_sys);
        assert_int_equal(w.session[VDA_ROLE_USER], q->start_usr);
        for (int k = 0; k < q->n; k++) {
            const step *s = &q->steps[k];
            int sys_launches = w.launches[VDA_ROLE_SYSTEM];
            int before_sys = w.session[VDA_ROLE_SYSTEM];
            run_step(&w, s);
            printf("  step %d: system role in %d, user role in %d\n", k,
                   w.session[VDA_ROLE_SYSTEM], w.session[VDA_ROLE_USER]);
            assert_int_equal(w.session[VDA_ROLE_SYSTEM], s->want_sys);
            assert_int_equal(w.session[VDA_ROLE_USER], s->want_usr);
            /* The user role's comings and goings never restart the system role. */
            if (s->kind == CRASH_USR || s->kind == LOGON || s->kind == LOCK || s->kind == UNLOCK)
                if (before_sys != NONE)
                    assert_int_equal(w.launches[VDA_ROLE_SYSTEM], sys_launches);
            assert_false(w.exited);
        }
        /* The port follows the roles: wanted while one of them is READY. */
        assert_int_equal(vda_roles_policy_port_wanted(&w.rp),
                         w.session[0] != NONE || w.session[1] != NONE);
    }
}

/* A role that keeps dying is relaunched with its own backoff; the other's
 * stays fresh. */
static void test_backoff_per_role(void **state)
{
    (void)state;
    world w;
    start(&w, 1, 1);
    for (int i = 0; i < 3; i++) {
        gone(&w, VDA_ROLE_USER);
        later(&w, 20000);
    }
    assert_true(w.rp.role[VDA_ROLE_USER].backoff.failures >= 2);
    assert_int_equal(w.rp.role[VDA_ROLE_SYSTEM].backoff.failures, 0);
    w.log.logger.max_level = VDA_LOG_INFO;   /* the log line names the role */
    gone(&w, VDA_ROLE_USER);   /* a fourth quick death: it waits now */
    assert_int_equal(w.session[VDA_ROLE_USER], NONE);
    assert_int_equal(w.rp.role[VDA_ROLE_USER].state, VDA_AGENT_WAITING);
    assert_int_equal(w.session[VDA_ROLE_SYSTEM], 1);
    assert_true(vda_roles_policy_port_wanted(&w.rp));
    assert_true(vda_roles_policy_deadline(&w.rp) > w.now &&
                vda_roles_policy_deadline(&w.rp) != VDA_POLICY_NO_DEADLINE);
    assert_non_null(strstr(w.log.last, "user role relaunch in"));
}

/* The service stops once BOTH roles are gone. */
static void test_stop_waits_for_both(void **state)
{
    (void)state;
    world w;
    start(&w, 1, 1);
    vda_policy_action out[VDA_ROLE_COUNT];
    /* The user role takes its time to leave; the system role goes at once. */
    vda_roles_policy_stop_service(&w.rp, w.now, out);
    assert_int_equal(out[VDA_ROLE_SYSTEM], VDA_ACT_STOP_AGENT);
    assert_int_equal(out[VDA_ROLE_USER], VDA_ACT_STOP_AGENT);
    w.session[VDA_ROLE_SYSTEM] = NONE;
    assert_int_equal(vda_roles_policy_act(&w.rp, VDA_ROLE_SYSTEM,
                                          vda_policy_agent_exited(&w.rp.role[VDA_ROLE_SYSTEM],
                                                                  w.now)),
                     VDA_ACT_NONE);
    assert_int_equal(vda_roles_policy_act(&w.rp, VDA_ROLE_USER,
                                          vda_policy_agent_exited(&w.rp.role[VDA_ROLE_USER],
                                                                  w.now)),
                     VDA_ACT_EXIT);
    /* Nobody logged on: the user role is IDLE, the stop is the system role's. */
    start(&w, 1, 0);
    vda_roles_policy_stop_service(&w.rp, w.now, out);
    assert_int_equal(out[VDA_ROLE_USER], VDA_ACT_NONE);
    assert_int_equal(out[VDA_ROLE_SYSTEM], VDA_ACT_STOP_AGENT);
    assert_int_equal(vda_roles_policy_act(&w.rp, VDA_ROLE_SYSTEM,
                                          vda_policy_agent_exited(&w.rp.role[VDA_ROLE_SYSTEM],
                                                                  w.now)),
                     VDA_ACT_EXIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_sequences),
        cmocka_unit_test(test_backoff_per_role),
        cmocka_unit_test(test_stop_waits_for_both),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
