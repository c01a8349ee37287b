#include "wire/chunk_writer.h"

#include <string.h>

#include "base/le_bytes.h"

#define HDR_SIZE sizeof(VDAgentMessage)

void vda_msg_writer_init(vda_msg_writer *w, uint32_t port, uint32_t type, uint64_t opaque,
                         const void *data, uint32_t size)
{
    w->port = port;
    vda_put_le32(w->hdr, VD_AGENT_PROTOCOL);
    vda_put_le32(w->hdr + 4, type);
    vda_put_le64(w->hdr + 8, opaque);
    vda_put_le32(w->hdr + 16, size);
    w->data = data;
    w->size = size;
    w->pos = 0;
}

static uint64_t total(const vda_msg_writer *w)
{
    return HDR_SIZE + (uint64_t)w->size;
}

int vda_msg_writer_done(const vda_msg_writer *w)
{
    return w->pos >= total(w);
}

size_t vda_msg_writer_next_size(const vda_msg_writer *w)
{
    uint64_t left = total(w) - w->pos;
    if (left == 0)
        return 0;
    return sizeof(VDIChunkHeader) + (size_t)(left < VD_AGENT_MAX_DATA_SIZE ? left
                                                                          : VD_AGENT_MAX_DATA_SIZE);
}

/* Copies stream bytes [pos, pos+n) (header first, then payload) to out. */
static void copy_stream(const vda_msg_writer *w, uint64_t pos, uint8_t *out, size_t n)
{
    if (pos < HDR_SIZE) {
        size_t k = HDR_SIZE - (size_t)pos;
        if (k > n)
            k = n;
        memcpy(out, w->hdr + pos, k);
        out += k;
        n -= k;
        pos += k;
    }
    if (n > 0)
        memcpy(out, w->data + (pos - HDR_SIZE), n);
}

size_t vda_msg_writer_next(vda_msg_writer *w, uint8_t *out, size_t cap)
{
    size_t written = 0;
    for (;;) {
        size_t need = vda_msg_writer_next_size(w);
        if (need == 0 || cap - written < need)
            return written;
        uint32_t payload = (uint32_t)(need - sizeof(VDIChunkHeader));
        vda_put_le32(out + written, w->port);
        vda_put_le32(out + written + 4, payload);
        copy_stream(w, w->pos, out + written + sizeof(VDIChunkHeader), payload);
        w->pos += payload;
        written += need;
    }
}

uint64_t vda_msg_wire_size(uint32_t size)
{
    uint64_t stream = HDR_SIZE + (uint64_t)size;
    uint64_t chunks = (stream + VD_AGENT_MAX_DATA_SIZE - 1) / VD_AGENT_MAX_DATA_SIZE;
    return stream + chunks * sizeof(VDIChunkHeader);
}
