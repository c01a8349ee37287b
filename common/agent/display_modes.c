#include "agent/display_modes.h"

/* How far a mode's aspect ratio is from the request's, as a cross-multiplied
 * difference |w1*h2 - w2*h1| scaled by the mode's area: integer-only and
 * comparable between modes (smaller is closer). */
static uint64_t aspect_distance(const vda_display_mode *m, uint32_t w, uint32_t h)
{
    uint64_t a = (uint64_t)m->width * h, b = (uint64_t)w * m->height;
    uint64_t diff = a > b ? a - b : b - a;
    /* Normalise by the mode's height so big and small modes compare fairly;
     * keep 16 fractional bits. */
    return (diff << 16) / ((uint64_t)m->height * (h ? h : 1));
}

/* Is candidate c better than the current best b (same width x height class)
 * by the depth rule? */
static int better_depth(uint32_t c, uint32_t b, uint32_t want)
{
    if (want != 0 && (c == want) != (b == want)) {
        return c == want;
    }
    return c > b;
}

long vda_display_mode_choose(const vda_display_mode *modes, size_t count, uint32_t width,
                             uint32_t height, uint32_t depth)
{
    long best = -1;
    int best_class = 0;  /* 3 exact, 2 fits inside, 1 oversized */
    for (size_t i = 0; i < count; i++) {
        const vda_display_mode *m = &modes[i];
        if (m->width == 0 || m->height == 0) {
            continue;
        }
        int cls = (m->width == width && m->height == height) ? 3
                  : (m->width <= width && m->height <= height) ? 2 : 1;
        if (best < 0 || cls > best_class) {
            best = (long)i;
            best_class = cls;
            continue;
        }
        if (cls < best_class) {
            continue;
        }
        const vda_display_mode *b = &modes[best];
        if (cls != 3) {
            uint64_t area = (uint64_t)m->width * m->height;
            uint64_t barea = (uint64_t)b->width * b->height;
            if (area != barea) {
                /* fits-inside: larger wins; oversized: smaller wins */
                if ((cls == 2) == (area > barea)) {
                    best = (long)i;
                }
                continue;
            }
            uint64_t ad = aspect_distance(m, width, height);
            uint64_t bd = aspect_distance(b, width, height);
            if (ad != bd) {
                if (ad < bd) {
                    best = (long)i;
                }
                continue;
            }
            if (m->width != b->width) {
                continue;  /* same area and aspect distance, other shape: keep first */
            }
        }
        if (better_depth(m->depth, b->depth, depth)) {
            best = (long)i;
        }
    }
    return best;
}
