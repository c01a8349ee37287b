#include "base/vda_status.h"

const char *vda_status_str(vda_status s)
{
    static const char *const names[VDA_STATUS_COUNT] = {
        [VDA_OK] = "ok",
        [VDA_NEED_MORE] = "need more input",
        [VDA_MSG_READY] = "message ready",
        [VDA_ERR_CHUNK_SIZE_ZERO] = "chunk size zero",
        [VDA_ERR_CHUNK_TOO_BIG] = "chunk size above maximum (framing lost)",
        [VDA_ERR_UNKNOWN_PORT] = "chunk for unknown port",
        [VDA_ERR_FRAMING_LOST] = "chunk framing lost",
        [VDA_ERR_BAD_PROTOCOL] = "wrong protocol version",
        [VDA_ERR_SIZE_OVERFLOW] = "message size overflow",
        [VDA_ERR_MSG_TOO_BIG] = "message above size limit",
        [VDA_ERR_CHUNK_OVERRUN] = "chunk longer than rest of message",
        [VDA_ERR_MSG_TOO_SHORT] = "message shorter than its type",
        [VDA_ERR_NO_MEMORY] = "out of memory",
        [VDA_ERR_TRUNCATED_HEADER] = "message header cut by the end of its chunk",
        [VDA_ERR_ORPHAN_PIECE] = "chunk bytes outside any message",
        [VDA_ERR_BAD_CONTROL] = "malformed pipe control chunk",
    };
    if ((unsigned)s < VDA_STATUS_COUNT && names[s])
        return names[s];
    return "unknown status";
}
