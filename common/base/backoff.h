/* Retry delays for something that keeps failing (an agent that dies young, a
 * device that is not there yet): the first `free_tries` failures retry at once,
 * then the delay doubles from first_ms up to max_ms. A run that lasted at least
 * healthy_ms counts as a success and starts the series again. Pure arithmetic,
 * no clock: the caller passes how long the run lived. */
#ifndef VDA_BACKOFF_H
#define VDA_BACKOFF_H

#include <stdint.h>

typedef struct vda_backoff {
    uint32_t free_tries;  /* failures in a row retried without delay */
    uint32_t first_ms;    /* the first real delay */
    uint32_t max_ms;      /* the cap */
    uint32_t healthy_ms;  /* a run this long resets the series */
    uint32_t failures;    /* failures in a row so far */
} vda_backoff;

void vda_backoff_init(vda_backoff *b, uint32_t free_tries, uint32_t first_ms, uint32_t max_ms,
                      uint32_t healthy_ms);

/* A run ended (or an attempt failed: lived_ms = 0). Returns the delay before the
 * next attempt, in milliseconds. */
uint32_t vda_backoff_failed(vda_backoff *b, uint64_t lived_ms);

/* Forget past failures (e.g. a user logged on: try at once). */
void vda_backoff_reset(vda_backoff *b);

#endif
