/* Result codes shared by the protocol core. Every validation failure has its
 * own code so tests and logs can tell them apart. */
#ifndef VDA_STATUS_H
#define VDA_STATUS_H

typedef enum vda_status {
    VDA_OK = 0,
    VDA_NEED_MORE,            /* not an error: all input consumed, nothing complete yet */
    VDA_MSG_READY,            /* not an error: a whole message is in *out */

    /* chunk framing (VDIChunkHeader) */
    VDA_ERR_CHUNK_SIZE_ZERO,  /* chunk header with size 0: dropped */
    VDA_ERR_CHUNK_TOO_BIG,    /* chunk size above VD_AGENT_MAX_DATA_SIZE: framing lost */
    VDA_ERR_UNKNOWN_PORT,     /* chunk for a port we do not serve: payload skipped */
    VDA_ERR_FRAMING_LOST,     /* sticky after CHUNK_TOO_BIG, until the reader is reset */

    /* message reassembly (VDAgentMessage) */
    VDA_ERR_BAD_PROTOCOL,     /* VDAgentMessage.protocol != VD_AGENT_PROTOCOL */
    VDA_ERR_SIZE_OVERFLOW,    /* header + size does not fit in 32 bits */
    VDA_ERR_MSG_TOO_BIG,      /* size above the configured limit */
    VDA_ERR_CHUNK_OVERRUN,    /* a chunk longer than what remains of its message */
    VDA_ERR_MSG_TOO_SHORT,    /* size below the fixed struct of its type */
    VDA_ERR_NO_MEMORY,
    VDA_ERR_TRUNCATED_HEADER, /* a chunk ended inside a message header */
    VDA_ERR_ORPHAN_PIECE,     /* chunk bytes that start no message (no header before) */

    /* service <-> agent pipe */
    VDA_ERR_BAD_CONTROL,      /* malformed control chunk on the pipe */

    VDA_STATUS_COUNT
} vda_status;

/* A short, stable name for logs ("chunk size zero"). Never NULL. */
const char *vda_status_str(vda_status s);

/* True for the codes that are errors (not OK / NEED_MORE / MSG_READY). */
static inline int vda_status_is_error(vda_status s) { return s > VDA_MSG_READY; }

#endif
