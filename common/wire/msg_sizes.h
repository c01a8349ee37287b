/* The fixed part of each VDAgentMessage type: a message shorter than this is
 * malformed and is dropped before anything reads it. */
#ifndef VDA_MSG_SIZES_H
#define VDA_MSG_SIZES_H

#include <stddef.h>
#include <stdint.h>

/* Minimum payload size for `type`; 0 for types without a fixed part and for
 * unknown types (their handler decides). */
size_t vda_msg_min_size(uint32_t type);

/* "clipboard-grab", ... or "unknown" (for logs). */
const char *vda_msg_type_name(uint32_t type);

/* Adds bytes of a VDAgentMessage header being collected (split reads or chunks)
 * to hdr, which holds *have of its sizeof(VDAgentMessage) bytes; returns how many
 * of data it took. The header is whole when *have reaches that size. */
size_t vda_msg_header_fill(uint8_t *hdr, uint32_t *have, const uint8_t *data, size_t len);

#endif
