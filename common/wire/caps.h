/* Capability bitsets as VD_AGENT_ANNOUNCE_CAPABILITIES carries them: any number
 * of little-endian 32-bit words, bit n of the set = bit (n % 32) of word n / 32.
 * A peer may send fewer or more words than we know; unknown bits are kept and
 * missing words read as zero. */
#ifndef VDA_CAPS_H
#define VDA_CAPS_H

#include <stddef.h>
#include <stdint.h>

/* Enough words for caps up to 32 * VDA_CAPS_MAX_WORDS - 1; more are ignored. */
#define VDA_CAPS_MAX_WORDS 8

typedef struct vda_caps {
    uint32_t words[VDA_CAPS_MAX_WORDS];
    uint32_t count;  /* words the peer sent (capped), or that we set */
} vda_caps;

void vda_caps_clear(vda_caps *c);
void vda_caps_set(vda_caps *c, uint32_t cap);
int vda_caps_has(const vda_caps *c, uint32_t cap);

/* Both sides have it. */
int vda_caps_both(const vda_caps *a, const vda_caps *b, uint32_t cap);

/* Parses a VDAgentAnnounceCapabilities payload. Returns -1 if it is too short to
 * hold the request field (then *caps is cleared); otherwise 0 and sets *request. */
int vda_caps_parse(const uint8_t *payload, size_t size, uint32_t *request, vda_caps *caps);

/* Writes a VDAgentAnnounceCapabilities payload (request + words) into out, which
 * must hold vda_caps_payload_size(c) bytes; returns that size. */
size_t vda_caps_payload_size(const vda_caps *c);
size_t vda_caps_write(const vda_caps *c, uint32_t request, uint8_t *out);

#endif
