#include "base/byte_ring.h"

#include <stdlib.h>
#include <string.h>

int vda_ring_init(vda_ring *r, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->buf = malloc(cap ? cap : 1);
    if (!r->buf)
        return -1;
    r->cap = cap;
    return 0;
}

void vda_ring_free(vda_ring *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

void vda_ring_clear(vda_ring *r)
{
    r->head = 0;
    r->len = 0;
}

static size_t tail(const vda_ring *r)
{
    size_t t = r->head + r->len;
    return t >= r->cap ? t - r->cap : t;
}

int vda_ring_push(vda_ring *r, const void *data, size_t n)
{
    if (n > vda_ring_space(r))
        return -1;
    const uint8_t *d = data;
    while (n > 0) {
        uint8_t *p;
        size_t k = vda_ring_reserve(r, &p);
        if (k > n)
            k = n;
        memcpy(p, d, k);
        vda_ring_commit(r, k);
        d += k;
        n -= k;
    }
    return 0;
}

size_t vda_ring_peek(const vda_ring *r, const uint8_t **p)
{
    *p = r->buf + r->head;
    size_t k = r->cap - r->head;
    return r->len < k ? r->len : k;
}

void vda_ring_consume(vda_ring *r, size_t n)
{
    if (n > r->len)
        n = r->len;
    r->head += n;
    if (r->head >= r->cap)
        r->head -= r->cap;
    r->len -= n;
    if (r->len == 0)
        r->head = 0; /* keeps the next spans as long as possible */
}

size_t vda_ring_reserve(vda_ring *r, uint8_t **p)
{
    size_t t = tail(r);
    *p = r->buf + t;
    size_t contiguous = t >= r->head && !(r->len == r->cap) ? r->cap - t : r->head - t;
    if (r->len == r->cap)
        return 0;
    return contiguous;
}

void vda_ring_commit(vda_ring *r, size_t n)
{
    size_t space = vda_ring_space(r);
    r->len += n < space ? n : space;
}
