/* The agent's capabilities: what it announces (only what it implements) and the
 * request/reply rule of VD_AGENT_ANNOUNCE_CAPABILITIES. spice-server drops what the
 * agent sends while no client is attached, so a caps message with request = 1 is
 * how a (new) client asks for them: it is always answered with request = 0. */
#ifndef VDA_AGENT_CAPS_H
#define VDA_AGENT_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "wire/caps.h"

/* The clipboard caps this agent implements: CLIPBOARD_BY_DEMAND,
 * GUEST_LINEEND_CRLF, MAX_CLIPBOARD, CLIPBOARD_NO_RELEASE_ON_REGRAB,
 * CLIPBOARD_GRAB_SERIAL; and FILE_XFER_DETAILED_ERRORS. Other modules add theirs
 * with vda_caps_set. */
void vda_agent_caps_default(vda_caps *ours);

/* A client's ANNOUNCE_CAPABILITIES: stores its caps in *client. Returns -1 if the
 * payload is malformed (client caps left cleared), else 0 with *reply set when
 * the client asked for ours. */
int vda_agent_caps_on_announce(const uint8_t *p, size_t size, vda_caps *client, int *reply);

/* The payload of our announcement (malloc'd; *size set), or NULL when out of memory. */
uint8_t *vda_agent_caps_build(const vda_caps *ours, uint32_t request, uint32_t *size);

/* "clipboard-by-demand,max-clipboard,..." for logs; returns buf. */
char *vda_agent_caps_describe(const vda_caps *c, char *buf, size_t len);

#endif
