/* Reassembling one 64 MiB message from 2048-byte chunks, fed in 64 KiB reads as the
 * agent gets them from its pipe, against one plain memcpy of the same payload into
 * a fresh buffer (both pay for a new 64 MiB allocation and its page faults).
 * Target: at most 1.5x the memcpy time. Prints figures; not a timed test. */
#include <stdio.h>
#include <stdint.h>

#include <spice/vd_agent.h>

#include "bench_support.h"
#include "wire/chunk_reader.h"
#include "wire/chunk_writer.h"
#include "wire/reassembly.h"

#define READ_SIZE (64 * 1024)

static double time_reassembly(const uint8_t *wire, size_t wire_len, uint32_t size,
                              const uint8_t *expect)
{
    vda_chunk_reader r;
    vda_reasm a;
    vda_chunk_reader_init(&r, NULL, "bench", 0);
    vda_reasm_init(&a, UINT32_MAX - 64, NULL);
    vda_message m = { 0 };
    int got = 0;
    double t0 = bench_now();
    for (size_t off = 0; off < wire_len; off += READ_SIZE) {
        const uint8_t *buf = wire + off;
        size_t len = wire_len - off < READ_SIZE ? wire_len - off : READ_SIZE;
        vda_chunk_piece p;
        while (vda_chunk_reader_next(&r, &buf, &len, &p) == VDA_OK)
            if (vda_reasm_feed(&a, &p, &m) == VDA_MSG_READY)
                got++;
    }
    double t = bench_now() - t0;
    if (got != 1 || m.size != size || memcmp(m.data, expect, size) != 0) {
        fprintf(stderr, "bench_reassembly: wrong result\n");
        exit(1);
    }
    free(m.data);
    vda_reasm_free(&a);
    return t;
}

static double time_memcpy(const uint8_t *src, size_t size)
{
    double t0 = bench_now();
    uint8_t *dst = malloc(size);
    memcpy(dst, src, size);
    bench_consume(dst);
    double t = bench_now() - t0;
    free(dst);
    return t;
}

int main(int argc, char **argv)
{
    int quick = bench_quick(argc, argv);
    uint32_t size = quick ? 1u << 20 : 64u << 20;
    int runs = quick ? 3 : 9;
    uint8_t *payload = malloc(size);
    for (uint32_t i = 0; i < size; i++)
        payload[i] = (uint8_t)(i * 2654435761u >> 24);
    size_t wire_len = (size_t)vda_msg_wire_size(size);
    uint8_t *wire = malloc(wire_len);
    vda_msg_writer w;
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, payload, size);
    size_t n = vda_msg_writer_next(&w, wire, wire_len);
    if (n != wire_len) {
        fprintf(stderr, "bench_reassembly: writer produced %zu of %zu bytes\n", n, wire_len);
        return 1;
    }
    double tr[16], tm[16];
    for (int i = 0; i < runs; i++) { /* interleaved, so both see the same machine state */
        tm[i] = time_memcpy(payload, size);
        tr[i] = time_reassembly(wire, wire_len, size, payload);
    }
    double mr = bench_median(tr, runs), mm = bench_median(tm, runs);
    double mib = size / (1024.0 * 1024.0);
    printf("reassembly of a %.0f MiB message from %d-byte chunks, %d KiB reads, median of %d:\n",
           mib, VD_AGENT_MAX_DATA_SIZE, READ_SIZE / 1024, runs);
    printf("  reassembly  %8.2f ms  %8.0f MiB/s\n", mr * 1e3, mib / mr);
    printf("  memcpy      %8.2f ms  %8.0f MiB/s\n", mm * 1e3, mib / mm);
    printf("  ratio reassembly/memcpy: %.2fx (target <= 1.5x): %s\n", mr / mm,
           mr / mm <= 1.5 ? "MET" : "MISSED");
    free(wire);
    free(payload);
    return 0;
}
