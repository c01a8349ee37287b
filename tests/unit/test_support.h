/* Helpers shared by the unit tests of the protocol core (header-only: every
 * tests/unit/test_*.c is its own program). */
#ifndef VDA_TEST_SUPPORT_H
#define VDA_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "wire/chunk_writer.h"
#include "wire/reassembly.h"
#include "base/vda_log.h"

/* A logger that counts lines and keeps the last one, so tests can check that an
 * error was logged exactly once. */
typedef struct test_log {
    vda_logger logger;
    int lines;
    char last[VDA_LOG_LINE_MAX];
} test_log;

static inline void test_log_sink(void *ctx, vda_log_level level, const char *line)
{
    (void)level;
    test_log *t = ctx;
    t->lines++; if (getenv("TEST_LOG")) fprintf(stderr, "LOG: %s\n", line);
    snprintf(t->last, sizeof t->last, "%s", line);
}

static inline void test_log_init(test_log *t)
{
    memset(t, 0, sizeof *t);
    t->logger.max_level = VDA_LOG_DEBUG;
    t->logger.sink = test_log_sink;
    t->logger.ctx = t;
    t->logger.component = "test";
}

/* A growable byte buffer for building wire streams. */
typedef struct bytes {
    uint8_t *data;
    size_t len, cap;
} bytes;

static inline void bytes_add(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        b->data = realloc(b->data, cap);
        assert_non_null(b->data);
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* The unit tests' one file reader: the whole file at path (a UTF-8/ANSI path as
 * fopen takes it), with a NUL after its *len bytes (len may be NULL). NULL if it
 * cannot be opened; a read error fails the test. */
static inline uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    bytes b = { 0 };
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        bytes_add(&b, buf, n);
    assert_false(ferror(f));
    fclose(f);
    bytes_add(&b, "", 1);
    if (len)
        *len = b.len - 1;
    return b.data;
}

static inline void bytes_free(bytes *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static inline void put32(bytes *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    bytes_add(b, x, 4);
}

/* Appends a raw chunk header + payload. */
static inline void add_chunk(bytes *b, uint32_t port, const void *payload, uint32_t size)
{
    put32(b, port);
    put32(b, size);
    bytes_add(b, payload, size);
}

/* Appends the raw 20-byte message header. */
static inline void add_msg_header(bytes *b, uint32_t protocol, uint32_t type, uint64_t opaque,
                                  uint32_t size)
{
    put32(b, protocol);
    put32(b, type);
    put32(b, (uint32_t)opaque);
    put32(b, (uint32_t)(opaque >> 32));
    put32(b, size);
}

/* Appends a whole message, chunked the way a real sender does (chunk_writer). */
static inline void add_message(bytes *b, uint32_t port, uint32_t type, uint64_t opaque,
                               const void *data, uint32_t size)
{
    vda_msg_writer w;
    vda_msg_writer_init(&w, port, type, opaque, data, size);
    uint8_t buf[4 * VDA_CHUNK_MAX_WIRE];
    size_t n;
    while ((n = vda_msg_writer_next(&w, buf, sizeof buf)) > 0)
        bytes_add(b, buf, n);
    assert_true(vda_msg_writer_done(&w));
}

static inline uint32_t vda_le32_test(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Deterministic filler so a misplaced byte shows. */
static inline void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

/* A malloc'd block of n filler bytes (caller frees). */
static inline uint8_t *alloc_pattern(size_t n, uint32_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    fill_pattern(p, n, seed);
    return p;
}

/* Collected output of a chunk_reader + reassembly pipeline. */
#define MAX_GOT 64
typedef struct pipeline {
    vda_chunk_reader reader;
    vda_reasm reasm;
    vda_message got[MAX_GOT];
    int n_got;
    int errors[VDA_STATUS_COUNT];
    test_log log;
} pipeline;

static inline void pipeline_init(pipeline *p, uint32_t max_size)
{
    memset(p, 0, sizeof *p);
    test_log_init(&p->log);
    vda_chunk_reader_init(&p->reader, &p->log.logger, "test", 0);
    vda_reasm_init(&p->reasm, max_size, &p->log.logger);
}

static inline void pipeline_free(pipeline *p)
{
    for (int i = 0; i < p->n_got; i++)
        free(p->got[i].data);
    vda_reasm_free(&p->reasm);
}

/* Feeds len bytes in reads of `step` bytes (the last one may be shorter). */
static inline void pipeline_feed(pipeline *p, const uint8_t *data, size_t len, size_t step)
{
    for (size_t off = 0; off < len;) {
        size_t n = len - off < step ? len - off : step;
        const uint8_t *buf = data + off;
        size_t left = n;
        for (;;) {
            vda_chunk_piece pc;
            vda_status st = vda_chunk_reader_next(&p->reader, &buf, &left, &pc);
            if (st == VDA_NEED_MORE || st == VDA_ERR_FRAMING_LOST) {
                if (st == VDA_ERR_FRAMING_LOST)
                    p->errors[st]++;
                break;
            }
            if (st != VDA_OK) {
                p->errors[st]++;
                continue;
            }
            vda_message m;
            st = vda_reasm_feed(&p->reasm, &pc, &m);
            if (st == VDA_MSG_READY) {
                assert_true(p->n_got < MAX_GOT);
                p->got[p->n_got++] = m;
            } else if (st != VDA_NEED_MORE) {
                p->errors[st]++;
            }
        }
        if (p->reader.lost)
            break;
        off += n;
    }
}

static inline void assert_message(const vda_message *m, uint32_t port, uint32_t type,
                                  const void *data, uint32_t size)
{
    assert_int_equal(m->port, port);
    assert_int_equal(m->type, type);
    assert_int_equal(m->size, size);
    if (size)
        assert_memory_equal(m->data, data, size);
    else
        assert_null(m->data);
}

#endif
