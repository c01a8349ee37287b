/* Supervision of the two agent roles (role_route.h): one launch policy
 * (launch_policy.h) per role, each with its own backoff, fed the same session
 * changes, and the decisions that need both.
 *
 * What each role needs to run ("can launch", decided by the caller's launcher):
 * the system role a console session (it also runs at the logon screen), the user
 * role a user logged on to it. A role that cannot run waits IDLE for the
 * session change that lets it (console connect, logon). A session change that
 * moves the console away from a role's session stops that role and relaunches it
 * in the new console session; each role follows its own session, so a logoff
 * stops the user role and (its session ends) the system role, and fast user
 * switching moves both. One role dying never touches the other.
 *
 * The port is wanted while at least one role is READY; the service stops once
 * both roles are gone. */
#ifndef VDA_ROLES_POLICY_H
#define VDA_ROLES_POLICY_H

#include <stdint.h>

#include "base/vda_log.h"
#include "service/launch_policy.h"
#include "service/role_route.h"

typedef struct vda_roles_policy {
    vda_policy role[VDA_ROLE_COUNT];
} vda_roles_policy;

/* Where a role's running process stands relative to a session event. */
typedef struct vda_role_where {
    int in_console;           /* it runs in the active console session (after the event) */
    int in_event_session;     /* the event is about its session */
} vda_role_where;

void vda_roles_policy_init(vda_roles_policy *rp, const vda_logger *log);

/* What the caller does for role r after one of role r's policy calls
 * (vda_policy_* on &rp->role[r]): VDA_ACT_EXIT only once BOTH roles are done
 * (a role that is done while the other still runs asks for nothing). */
vda_policy_action vda_roles_policy_act(const vda_roles_policy *rp, vda_role r,
                                       vda_policy_action a);

/* A session change, for both roles: out[r] is role r's action. */
void vda_roles_policy_session(vda_roles_policy *rp, uint64_t now, vda_session_event ev,
                              const vda_role_where where[VDA_ROLE_COUNT],
                              vda_policy_action out[VDA_ROLE_COUNT]);

/* The service stops: both roles are asked to stop; out[r] as above. */
void vda_roles_policy_stop_service(vda_roles_policy *rp, uint64_t now,
                                   vda_policy_action out[VDA_ROLE_COUNT]);

/* The port is wanted while at least one role is READY. */
int vda_roles_policy_port_wanted(const vda_roles_policy *rp);

/* The earliest deadline of the two (VDA_POLICY_NO_DEADLINE: none). */
uint64_t vda_roles_policy_deadline(const vda_roles_policy *rp);

#endif
