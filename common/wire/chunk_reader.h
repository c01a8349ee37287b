/* Incremental parser of a chunk stream: VDIChunkHeader {port, size} (little-endian)
 * followed by `size` payload bytes, 1 <= size <= VD_AGENT_MAX_DATA_SIZE.
 *
 * It is fed reads of any size (1 byte to megabytes) and hands out the payload as
 * "pieces" pointing INTO the caller's buffer: it never copies payload, so whoever
 * consumes a piece copies each byte exactly once. A chunk split across reads comes
 * out as several pieces (first/last mark its ends).
 *
 * Errors are logged once by the reader. After VDA_ERR_UNKNOWN_PORT or
 * VDA_ERR_CHUNK_SIZE_ZERO parsing goes on at the next chunk. A size above the
 * maximum means the stream is no longer framed: the reader returns
 * VDA_ERR_FRAMING_LOST from then on, until vda_chunk_reader_reset(), and the caller
 * must reset the channel (close and reopen the port). */
#ifndef VDA_CHUNK_READER_H
#define VDA_CHUNK_READER_H

#include <stddef.h>
#include <stdint.h>
#include <spice/vd_agent.h>

#include "base/vda_log.h"
#include "base/vda_status.h"

typedef struct vda_chunk_piece {
    uint32_t port;
    uint32_t chunk_size;   /* payload size of the whole chunk */
    uint32_t offset;       /* where this piece starts within the chunk payload */
    const uint8_t *data;   /* points into the buffer given to vda_chunk_reader_next */
    size_t len;            /* > 0 */
    int first;             /* offset == 0 */
    int last;              /* offset + len == chunk_size */
} vda_chunk_piece;

typedef struct vda_chunk_reader {
    uint8_t hdr[8];
    uint32_t hdr_have;
    uint32_t port, size, offset; /* chunk being read, once hdr_have == 8 */
    int skip;                    /* payload of an unknown-port chunk: consumed unseen */
    int lost;
    uint32_t extra_port;         /* one more accepted port (the pipe's control port), 0: none */
    const vda_logger *log;
    const char *name;            /* for log lines: "device", "pipe" */
} vda_chunk_reader;

/* Accepts ports VDP_CLIENT_PORT and VDP_SERVER_PORT, plus extra_port if not 0. */
void vda_chunk_reader_init(vda_chunk_reader *r, const vda_logger *log, const char *name,
                           uint32_t extra_port);

/* Forget everything (partial header or payload, lost framing). */
void vda_chunk_reader_reset(vda_chunk_reader *r);

/* Consumes bytes from (*buf, *len), advancing both, until it can return:
 *   VDA_OK          *piece holds the next payload piece;
 *   VDA_NEED_MORE   the input is used up (a partial header/payload is remembered);
 *   an error        see above; call again to go on (except FRAMING_LOST). */
vda_status vda_chunk_reader_next(vda_chunk_reader *r, const uint8_t **buf, size_t *len,
                                 vda_chunk_piece *piece);

/* True between chunks: no partial header or payload pending. */
int vda_chunk_reader_idle(const vda_chunk_reader *r);

/* vda_chunk_reader_next for a forwarder: a chunk refused for its own fault
 * (logged by the reader) is skipped; a chunk too big means the stream cannot be
 * followed. Returns VDA_OK with a piece, VDA_NEED_MORE, or VDA_ERR_FRAMING_LOST. */
vda_status vda_chunk_reader_next_usable(vda_chunk_reader *r, const uint8_t **buf, size_t *len,
                                        vda_chunk_piece *pc);

/* Whole chunks from a stream read in pieces, for the forwarders: a chunk split
 * across reads is staged here until its last byte came. */
typedef struct vda_chunk_joiner {
    vda_chunk_reader reader;
    uint8_t stage[VD_AGENT_MAX_DATA_SIZE];   /* the reader refuses larger chunks */
    size_t stage_len;
} vda_chunk_joiner;

void vda_chunk_joiner_init(vda_chunk_joiner *j, const vda_logger *log, const char *name);
/* Forget a partial chunk and the framing (the stream restarts). */
void vda_chunk_joiner_reset(vda_chunk_joiner *j);

/* One whole chunk; data is valid during the call (in the input or the stage). */
typedef void (*vda_chunk_fn)(void *ctx, uint32_t port, const uint8_t *data, size_t n);

/* Calls fn for every whole chunk that (buf, len) completes. VDA_OK, or
 * VDA_ERR_FRAMING_LOST (as vda_chunk_reader_next_usable): the stream is unusable. */
vda_status vda_chunk_joiner_feed(vda_chunk_joiner *j, const uint8_t *buf, size_t len,
                                 vda_chunk_fn fn, void *ctx);

#endif
