/* Fuzzes vdservice's data path (common/service_fwd) with an interleaving of
 * device reads, agent reads, port closes/opens, drains, control chunks and agent
 * resets, all chosen by the input. Checks that whatever leaves towards the agent
 * is a well-framed pipe stream (whole chunks, control chunks on boundaries) and
 * whatever leaves towards the device is a well-framed chunk stream, per opening. */
#include <stdint.h>
#include <stdlib.h>

#include "service/service_fwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Drains a ring through a checker that must never see a framing error. */
static void drain_agent(vda_ring *r, vda_pipe_reader *chk)
{
    const uint8_t *p;
    size_t n;
    while ((n = vda_ring_peek(r, &p)) > 0) {
        const uint8_t *q = p;
        size_t len = n;
        vda_pipe_event ev;
        vda_status st;
        while ((st = vda_pipe_reader_next(chk, &q, &len, &ev)) != VDA_NEED_MORE)
            if (st != VDA_OK)
                abort(); /* the service emitted a broken stream to the agent */
        vda_ring_consume(r, n);
    }
}

static void drain_device(vda_ring *r, vda_chunk_reader *chk)
{
    const uint8_t *p;
    size_t n;
    while ((n = vda_ring_peek(r, &p)) > 0) {
        const uint8_t *q = p;
        size_t len = n;
        vda_chunk_piece pc;
        vda_status st;
        while ((st = vda_chunk_reader_next(chk, &q, &len, &pc)) != VDA_NEED_MORE)
            if (st != VDA_OK)
                abort(); /* the service emitted a broken stream to the device */
        vda_ring_consume(r, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vda_fwd f;
    if (vda_fwd_init(&f, NULL, 64 * 1024, 64 * 1024) != 0)
        return 0;
    vda_pipe_reader to_agent_chk;
    vda_chunk_reader to_device_chk;
    vda_pipe_reader_init(&to_agent_chk, NULL, "check");
    vda_chunk_reader_init(&to_device_chk, NULL, "check", 0);
    int open = 0;
    size_t i = 0;
    while (i + 2 <= size) {
        uint8_t op = data[i] & 7;
        size_t len = data[i + 1] * 8u + (data[i] >> 3);
        i += 2;
        if (len > size - i)
            len = size - i;
        const uint8_t *buf = data + i;
        switch (op) {
        case 0: /* a device read */
            if (!open)
                break;
            i += len;
            if (vda_ring_space(&f.to_agent) < VDA_FWD_ROOM(len))
                drain_agent(&f.to_agent, &to_agent_chk);
            if (vda_fwd_from_device(&f, buf, len) == VDA_ERR_FRAMING_LOST) {
                drain_device(&f.to_device, &to_device_chk);
                vda_fwd_port_closed(&f);
                vda_chunk_reader_reset(&to_device_chk);
                open = 0;
            }
            break;
        case 1: { /* an agent read */
            i += len;
            if (vda_ring_space(&f.to_device) < VDA_FWD_ROOM(len))
                drain_device(&f.to_device, &to_device_chk);
            uint32_t cmd, arg;
            vda_status st;
            while ((st = vda_fwd_from_agent(&f, &buf, &len, open, &cmd, &arg)) == VDA_OK)
                if (cmd == VDA_PIPE_HELLO)
                    open = 1;
            if (st == VDA_ERR_FRAMING_LOST) { /* the agent is dropped */
                drain_agent(&f.to_agent, &to_agent_chk);
                vda_fwd_reset(&f);
                vda_pipe_reader_reset(&to_agent_chk);
                vda_chunk_reader_reset(&to_device_chk);
                open = 0;
            }
            break;
        }
        case 2: /* the port closes (and what was queued for it is gone) */
            vda_fwd_port_closed(&f);
            vda_chunk_reader_reset(&to_device_chk);
            open = 0;
            break;
        case 3:
            open = 1;
            break;
        case 4:
            drain_device(&f.to_device, &to_device_chk);
            break;
        case 5:
            drain_agent(&f.to_agent, &to_agent_chk);
            break;
        case 6:
            vda_fwd_control(&f, VDA_PIPE_RESET, 0);
            break;
        case 7: /* a new agent */
            vda_fwd_reset(&f);
            vda_pipe_reader_reset(&to_agent_chk);
            vda_chunk_reader_reset(&to_device_chk);
            open = 0;
            break;
        }
    }
    drain_agent(&f.to_agent, &to_agent_chk);
    drain_device(&f.to_device, &to_device_chk);
    vda_fwd_free(&f);
    return 0;
}
