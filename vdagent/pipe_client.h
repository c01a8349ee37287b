/* The agent's end of the pipe to vdservice: overlapped reads into a fixed buffer,
 * and an outgoing queue of whole messages streamed as chunks into a fixed write
 * buffer (vda_msg_writer), so a large message is never copied whole and nothing
 * blocks while it moves. A message that started going out is always finished. */
#ifndef VDAGENT_PIPE_CLIENT_H
#define VDAGENT_PIPE_CLIENT_H

#include <windows.h>
#include <stdint.h>

#include "chunk_writer.h"
#include "vda_log.h"

/* As large as vdservice's reads and writes: fewer I/O round trips per paste. */
#define PIPE_READ_BUF (256 * 1024)
#define PIPE_WRITE_BUF (256 * 1024)

typedef struct out_msg {
    struct out_msg *next;
    vda_msg_writer w;
    uint8_t *payload;      /* owned, freed when written */
} out_msg;

typedef struct pipe_client {
    HANDLE h;
    OVERLAPPED rd, wr;
    int read_pending, write_pending;
    int broken;            /* the service is gone */
    uint8_t rbuf[PIPE_READ_BUF];
    uint8_t wbuf[PIPE_WRITE_BUF];
    DWORD wlen, woff;      /* bytes in wbuf, bytes of them written */
    out_msg *head, *tail;
    const vda_logger *log;
} pipe_client;

/* Connects to \\.\pipe\<name>, retrying while the pipe is busy (up to timeout_ms).
 * Sends HELLO(pid) first. Returns 0 or -1 (logged). */
int pipe_client_open(pipe_client *p, const wchar_t *name, DWORD timeout_ms,
                     const vda_logger *log);
void pipe_client_close(pipe_client *p);

/* Starts the next read if none is pending. */
void pipe_client_start_read(pipe_client *p);
/* The read event fired: returns the bytes read (0 when none / broken). */
DWORD pipe_client_finish_read(pipe_client *p);

/* Queues one whole message for `port`; takes ownership of payload (malloc'd). */
int pipe_client_send(pipe_client *p, uint32_t port, uint32_t type, uint8_t *payload,
                     uint32_t size);
/* The write event fired. */
void pipe_client_finish_write(pipe_client *p);
/* Waits (bounded) until everything queued is written; used on exit. */
void pipe_client_flush(pipe_client *p, DWORD timeout_ms);

#endif
