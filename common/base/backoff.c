#include "base/backoff.h"

void vda_backoff_init(vda_backoff *b, uint32_t free_tries, uint32_t first_ms, uint32_t max_ms,
                      uint32_t healthy_ms)
{
    b->free_tries = free_tries;
    b->first_ms = first_ms ? first_ms : 1;
    b->max_ms = max_ms < b->first_ms ? b->first_ms : max_ms;
    b->healthy_ms = healthy_ms;
    b->failures = 0;
}

void vda_backoff_reset(vda_backoff *b)
{
    b->failures = 0;
}

uint32_t vda_backoff_failed(vda_backoff *b, uint64_t lived_ms)
{
    if (b->healthy_ms && lived_ms >= b->healthy_ms)
        b->failures = 0;
    if (b->failures < UINT32_MAX)
        b->failures++;
    if (b->failures <= b->free_tries)
        return 0;
    uint32_t doublings = b->failures - b->free_tries - 1;
    uint64_t d = b->first_ms;
    while (doublings-- > 0 && d < b->max_ms)
        d *= 2;
    return d > b->max_ms ? b->max_ms : (uint32_t)d;
}
