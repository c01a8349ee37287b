/* Fuzzes the service <-> agent pipe decoder (chunks + control chunks).
 * Byte 0 picks the read size; the rest is the stream. */
#include <stdint.h>
#include <stdlib.h>

#include "wire/pipe_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)data[0] + 1;
    vda_pipe_reader r;
    vda_pipe_reader_init(&r, NULL, "fuzz");
    for (size_t off = 1; off < size; off += step) {
        const uint8_t *buf = data + off;
        size_t len = size - off < step ? size - off : step;
        for (;;) {
            vda_pipe_event ev;
            vda_status st = vda_pipe_reader_next(&r, &buf, &len, &ev);
            if (st == VDA_NEED_MORE)
                break;
            if (st == VDA_ERR_FRAMING_LOST) {
                vda_pipe_reader_reset(&r);
                break;
            }
            if (st != VDA_OK)
                continue;
            if (ev.kind == VDA_PIPE_EV_CONTROL) {
                if (ev.cmd < VDA_PIPE_HELLO || ev.cmd > VDA_PIPE_RESET)
                    abort();
            } else if (ev.kind != VDA_PIPE_EV_PIECE || ev.piece.len == 0 ||
                       ev.piece.port == VDA_PIPE_CONTROL_PORT) {
                abort();
            }
        }
    }
    return 0;
}
