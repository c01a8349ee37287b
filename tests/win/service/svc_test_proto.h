/* What the vdservice tests' fake host and test agent say to each other, inside
 * ordinary agent messages that vdservice forwards unchanged. */
#ifndef SVC_TEST_PROTO_H
#define SVC_TEST_PROTO_H

#include <stdint.h>

/* host -> agent, on VDP_CLIENT_PORT, payload = a command (text, no NUL):
 *   "die"                 exit at once with code 3 (a crash)
 *   "send-half-and-die N" send the first half of the chunks of an N-byte
 *                         message (type SVC_TEST_BIG), then terminate (code 4)
 *   "send-slowly N"       send an N-byte SVC_TEST_BIG message one chunk every 5 ms
 *   "die-on-partial"      terminate (code 5) after the first chunk of the next
 *                         message that spans several chunks
 *   "whoami"              answer "pid=<pid> resets=<n>"
 *   "send-stop-control"   send the service a STOP control chunk (only the
 *                         service sends those), answer "sent=stop-control"
 *   "send-bad-chunk"      send a chunk header with an impossible size
 *   "args"                answer "args=log-level:<L> log-file:<F>", the options
 *                         vdservice passed ("-" when absent)                  */
#define SVC_TEST_CMD 0x7E57u
/* agent -> host, text reports: "pid=..", "dacl=<sddl> user=<sid>",
 * "intruder=<exit code>", "error=<reassembly status>" */
#define SVC_TEST_REPORT 0x7E58u
/* a big test message; payload: svc_test_fill */
#define SVC_TEST_BIG 0x7E59u

/* The payload of an SVC_TEST_BIG message: byte i = (uint8_t)(i * 7 + seed). */
static inline void svc_test_fill(uint8_t *d, uint32_t size, uint8_t seed)
{
    for (uint32_t i = 0; i < size; i++)
        d[i] = (uint8_t)(i * 7 + seed);
}

/* Environment of the test agent (inherited through vdservice run):
 *   SVC_TEST_AGENT_MODE = normal | exit-at-once (code 7) | intruder-first
 *                         (run an intruder on the pipe first, then report) |
 *                         stall (read nothing for 3 s after HELLO)            */

#endif
