/* The agent's end of the pipe to vdservice: overlapped reads into a fixed buffer,
 * and an outgoing queue of whole messages streamed as chunks into a fixed write
 * buffer (vda_msg_writer), so a large message is never copied whole and nothing
 * blocks while it moves. A message that started going out is always finished. */
#ifndef VDAGENT_PIPE_CLIENT_H
#define VDAGENT_PIPE_CLIENT_H

#include <windows.h>
#include <stdint.h>

#include "wire/chunk_writer.h"
#include "base/vda_log.h"
#include "vdw_overlapped.h"

/* As large as vdservice's reads and writes: fewer I/O round trips per paste. */
#define PIPE_READ_BUF (256 * 1024)
#define PIPE_WRITE_BUF (256 * 1024)

typedef struct vdg_out_msg {
    struct vdg_out_msg *next;
    vda_msg_writer w;
    uint8_t *payload;      /* owned, freed when written */
} vdg_out_msg;

typedef struct vdg_pipe {
    HANDLE h;
    vdw_ovio rd, wr;
    int broken;            /* the service is gone */
    uint8_t rbuf[PIPE_READ_BUF];
    uint8_t wbuf[PIPE_WRITE_BUF];
    DWORD wlen, woff;      /* bytes in wbuf, bytes of them written */
    vdg_out_msg *head, *tail;
    const vda_logger *log;
} vdg_pipe;

/* Connects to \\.\pipe\<name>, retrying while the pipe is busy (up to timeout_ms),
 * at SecurityIdentification: the service may identify us, never act as us.
 * Sends HELLO(pid) first. Returns 0 or -1 (logged). */
int vdg_pipe_open(vdg_pipe *p, const wchar_t *name, DWORD timeout_ms,
                     const vda_logger *log);
void vdg_pipe_close(vdg_pipe *p);

/* Starts the next read if none is pending. */
void vdg_pipe_start_read(vdg_pipe *p);
/* The read event fired: returns the bytes read (0 when none / broken). */
DWORD vdg_pipe_finish_read(vdg_pipe *p);

/* Queues one whole message for `port`; takes ownership of payload (malloc'd). */
int vdg_pipe_send(vdg_pipe *p, uint32_t port, uint32_t type, uint8_t *payload,
                     uint32_t size);
/* The write event fired. */
void vdg_pipe_finish_write(vdg_pipe *p);
/* Bytes queued for the service and not yet written (the agent core bounds its
 * clipboard answers with it). */
size_t vdg_pipe_queued(const vdg_pipe *p);
/* Waits (bounded) until everything queued is written; used on exit. */
void vdg_pipe_flush(vdg_pipe *p, DWORD timeout_ms);

#endif
