#include "service/roles_policy.h"

void vda_roles_policy_init(vda_roles_policy *rp, const vda_logger *log)
{
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        vda_policy_init(&rp->role[r], log);
    vda_policy_set_names(&rp->role[VDA_ROLE_SYSTEM], "system role", "a console session");
    vda_policy_set_names(&rp->role[VDA_ROLE_USER], "user role", "a logon");
}

vda_policy_action vda_roles_policy_act(const vda_roles_policy *rp, vda_role r,
                                       vda_policy_action a)
{
    if (a != VDA_ACT_EXIT)
        return a;
    for (unsigned o = 0; o < VDA_ROLE_COUNT; o++)
        if (o != (unsigned)r && rp->role[o].state != VDA_AGENT_DONE)
            return VDA_ACT_NONE;
    return VDA_ACT_EXIT;
}

void vda_roles_policy_session(vda_roles_policy *rp, uint64_t now, vda_session_event ev,
                              const vda_role_where where[VDA_ROLE_COUNT],
                              vda_policy_action out[VDA_ROLE_COUNT])
{
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        out[r] = vda_roles_policy_act(rp, (vda_role)r,
                                      vda_policy_session(&rp->role[r], now, ev,
                                                         where[r].in_console,
                                                         where[r].in_event_session));
}

void vda_roles_policy_stop_service(vda_roles_policy *rp, uint64_t now,
                                   vda_policy_action out[VDA_ROLE_COUNT])
{
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        out[r] = vda_policy_stop_service(&rp->role[r], now);
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        out[r] = vda_roles_policy_act(rp, (vda_role)r, out[r]);
}

int vda_roles_policy_port_wanted(const vda_roles_policy *rp)
{
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        if (vda_policy_port_wanted(&rp->role[r]))
            return 1;
    return 0;
}

uint64_t vda_roles_policy_deadline(const vda_roles_policy *rp)
{
    uint64_t d = VDA_POLICY_NO_DEADLINE;
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        if (rp->role[r].deadline < d)
            d = rp->role[r].deadline;
    return d;
}
