/* Split by privilege: which agent role handles each client message, and which
 * capabilities each role may announce.
 *
 * The system role runs as SYSTEM in the console session, also with nobody logged
 * on: it injects the pointer on every input desktop (default, Winlogon, the UAC
 * secure desktop) and applies the monitor layout. It parses only those small,
 * fixed-size messages. The user role runs with the logged-on user's token: the
 * clipboard, file transfer and per-user display settings, so that nothing a user
 * can put on the clipboard or name a file is ever parsed as SYSTEM.
 *
 * The service routes by message type (vda_role_route), composes the announcement
 * the client sees from the roles that are up (vda_role_compose_caps), and lets a
 * role send only the messages it owns (vda_role_may_send). */
#ifndef VDA_ROLE_ROUTE_H
#define VDA_ROLE_ROUTE_H

#include <stdint.h>

#include "wire/caps.h"

typedef enum vda_role {
    VDA_ROLE_SYSTEM = 0,
    VDA_ROLE_USER = 1,
} vda_role;

#define VDA_ROLE_COUNT 2
#define VDA_ROLE_BIT(r) (1u << (unsigned)(r))
#define VDA_ROLES_ALL (VDA_ROLE_BIT(VDA_ROLE_SYSTEM) | VDA_ROLE_BIT(VDA_ROLE_USER))

const char *vda_role_name(vda_role r);

/* The roles (a mask of VDA_ROLE_BIT) that get a message of `type` from the
 * client or the server: one role for a feature's messages, both for the
 * client's capabilities and CLIENT_DISCONNECTED, none (0) for types no role
 * takes from that side (REPLY, FILE_XFER_STATUS from the client...) or unknown
 * ones: the service logs and drops those. */
unsigned vda_role_route(uint32_t type);

/* Whether role r may send a message of `type` to the client. The roles'
 * ANNOUNCE_CAPABILITIES are for the service (it composes one announcement),
 * never forwarded as they are. */
int vda_role_may_send(vda_role r, uint32_t type);

/* Whether role r implements capability `cap` (only then may it announce it). */
int vda_role_owns_cap(vda_role r, uint32_t cap);

/* The announcement the client gets: for each role that is up (up[r] != NULL),
 * the capabilities it announced that it owns. A role that is not up adds
 * nothing, so the client falls back (e.g. server mouse mode without the system
 * role, no clipboard at the logon screen). */
void vda_role_compose_caps(const vda_caps *const up[VDA_ROLE_COUNT], vda_caps *out);

#endif
