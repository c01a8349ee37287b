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

#endif
