/* A fixed-capacity FIFO of bytes. Fixed, because overlapped I/O reads from and
 * writes into it in place: its memory must never move while a transfer is
 * pending. Readers and writers get the largest contiguous span, so queued chunks
 * leave in few, large writes. */
#ifndef VDA_BYTE_RING_H
#define VDA_BYTE_RING_H

#include <stddef.h>
#include <stdint.h>

typedef struct vda_ring {
    uint8_t *buf;
    size_t cap;
    size_t head;  /* first queued byte */
    size_t len;   /* queued bytes */
} vda_ring;

int vda_ring_init(vda_ring *r, size_t cap);  /* 0, or -1 when out of memory */
void vda_ring_free(vda_ring *r);
void vda_ring_clear(vda_ring *r);

static inline size_t vda_ring_len(const vda_ring *r) { return r->len; }
static inline size_t vda_ring_space(const vda_ring *r) { return r->cap - r->len; }

/* Appends all n bytes, or nothing (returns -1) when they do not fit. */
int vda_ring_push(vda_ring *r, const void *data, size_t n);

/* The contiguous queued bytes at the head; returns their count. */
size_t vda_ring_peek(const vda_ring *r, const uint8_t **p);
void vda_ring_consume(vda_ring *r, size_t n);

/* The contiguous free span at the tail (to read or encode into); returns its size.
 * vda_ring_commit(n) then appends the n bytes written there. */
size_t vda_ring_reserve(vda_ring *r, uint8_t **p);
void vda_ring_commit(vda_ring *r, size_t n);

#endif
