/* UTF-8 -> UTF-16 in slices, for pastes too large to hold twice: after each slice
 * the caller may release that part of the source (the agent drops it from its
 * working set), so a paste peaks near the size of its UTF-16 alone.
 *
 * Slices are cut only where cutting cannot change the result: before an ASCII byte
 * (never inside a UTF-8 sequence; a truncated sequence before it ends the same way)
 * that does not follow a CR (so CR LF is never split for the line-end flags). The
 * output is therefore identical to one vda_utf8_to_utf16 call; the unit tests
 * check that on adversarial input. */
#ifndef VDA_TEXT_SLICES_H
#define VDA_TEXT_SLICES_H

#include <stddef.h>
#include <stdint.h>

/* The first safe cut at or after `want` (want >= 1), looking at most `window`
 * bytes ahead; len if there is none. */
size_t vda_text_safe_cut(const uint8_t *s, size_t len, size_t want, size_t window);

typedef void (*vda_slice_done)(void *ctx, const uint8_t *consumed, size_t n);

/* Converts like vda_utf8_to_utf16 (flags from text_convert.h) into dst, which holds
 * dst_units units including the final NUL, in slices of about `slice` bytes;
 * calls done (may be NULL) for each slice except the last. Returns the units
 * written (NUL not counted), or (size_t)-1 if dst is too small (nothing past it is
 * written; dst is then NUL-terminated where it stopped). */
size_t vda_utf8_to_utf16_sliced(const uint8_t *src, size_t len, uint16_t *dst,
                                size_t dst_units, unsigned flags, size_t slice,
                                vda_slice_done done, void *ctx);

#endif
