/* Fuzzes chunk framing + reassembly, the path every byte from the host takes.
 *
 * Input: byte 0 picks the read size, byte 1 when to reset / skip, the rest is the
 * stream. Invariants checked besides ASan/UBSan: messages never exceed the limit,
 * data is NULL exactly for empty messages, framing loss is sticky until reset.
 * Second oracle: the input, used as a message payload, must survive chunk_writer
 * -> chunk_reader -> reassembly byte for byte, split at the same read size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "wire/chunk_reader.h"
#include "wire/chunk_writer.h"
#include "wire/reassembly.h"

#define LIMIT (256u * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond)
        abort();
}

static void feed(vda_chunk_reader *r, vda_reasm *a, const uint8_t *d, size_t n, size_t step,
                 uint8_t ops, vda_message *last, int *got)
{
    size_t reads = 0;
    for (size_t off = 0; off < n; off += step, reads++) {
        const uint8_t *buf = d + off;
        size_t len = n - off < step ? n - off : step;
        if (ops && reads % (ops | 1u) == 0) {
            if (ops & 1)
                vda_reasm_reset_port(a, VDP_CLIENT_PORT);
            else
                vda_reasm_reset_port(a, VDP_SERVER_PORT);
        }
        for (;;) {
            vda_chunk_piece p;
            vda_status st = vda_chunk_reader_next(r, &buf, &len, &p);
            if (st == VDA_NEED_MORE)
                break;
            if (st == VDA_ERR_FRAMING_LOST) {
                const uint8_t *b2 = buf;
                size_t l2 = len;
                check(vda_chunk_reader_next(r, &b2, &l2, &p) == VDA_ERR_FRAMING_LOST);
                check(l2 == len);
                vda_chunk_reader_reset(r);
                vda_reasm_reset_port(a, VDP_CLIENT_PORT);
                vda_reasm_reset_port(a, VDP_SERVER_PORT);
                break;
            }
            if (st != VDA_OK)
                continue;
            check(p.len > 0 && p.offset + p.len <= p.chunk_size);
            check(p.chunk_size <= VD_AGENT_MAX_DATA_SIZE);
            vda_message m;
            if (vda_reasm_feed(a, &p, &m) == VDA_MSG_READY) {
                check(m.size <= LIMIT);
                check((m.data == NULL) == (m.size == 0));
                if (last) {
                    free(last->data);
                    *last = m;
                } else {
                    free(m.data);
                }
                (*got)++;
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t step = (size_t)data[0] * 37 + 1;
    uint8_t ops = data[1];
    const uint8_t *stream = data + 2;
    size_t n = size - 2;

    vda_chunk_reader r;
    vda_reasm a;
    vda_chunk_reader_init(&r, NULL, "fuzz", 0);
    vda_reasm_init(&a, LIMIT, NULL);
    int got = 0;
    feed(&r, &a, stream, n, step, ops, NULL, &got);
    vda_reasm_free(&a);

    /* Round trip of the input as a payload. */
    if (n > LIMIT)
        return 0;
    uint64_t wire = vda_msg_wire_size((uint32_t)n);
    uint8_t *out = malloc((size_t)wire);
    vda_msg_writer w;
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, 0x1000u, 7, stream, (uint32_t)n);
    size_t len = 0, k;
    while ((k = vda_msg_writer_next(&w, out + len, (size_t)wire - len)) > 0)
        len += k;
    check(len == wire && vda_msg_writer_done(&w));
    vda_chunk_reader_init(&r, NULL, "fuzz", 0);
    vda_reasm_init(&a, LIMIT, NULL);
    vda_message m = { 0 };
    got = 0;
    feed(&r, &a, out, len, step, 0, &m, &got);
    check(got == 1 && m.size == n && m.type == 0x1000u && m.opaque == 7);
    check(n == 0 || memcmp(m.data, stream, n) == 0);
    free(m.data);
    vda_reasm_free(&a);
    free(out);
    return 0;
}
