/* The harness of agent_host.exe (harness.c): a scripted SPICE host for
 * vdagent.exe under Wine. It plays the service's end of the pipe (HELLO, chunks
 * both ways, control chunks) and the client's side of the protocol, starts
 * vdagent.exe, and uses cbtool.exe as the separate Windows application that
 * pastes and copies. The scenarios (sc_*.c) are listed once, in scenarios.def. */
#ifndef VDA_AGENT_HOST_HARNESS_H
#define VDA_AGENT_HOST_HARNESS_H

#include <windows.h>
#include <stdint.h>
#include <stdio.h>

#include "pipe_host.h"
#include "wtest.h"
#include "wire/reassembly.h"

typedef struct host {
    pipe_host io;              /* the pipe, the agent process, message parsing */
    uint32_t next_serial;      /* for our grabs (GRAB_SERIAL) */
    uint32_t last_grab;        /* type of our last grab */
    wchar_t dir[MAX_PATH];
    wchar_t agent_exe[MAX_PATH], cbtool_exe[MAX_PATH];
} host;

/* Every write to the agent may wait this long (big pastes block on a full pipe). */
#define WRITE_TIMEOUT_MS 30000

/* ---- pipe I/O ---- */

/* Sends a client-port message. */
int send_msg(host *h, uint32_t type, const void *data, uint32_t size);
/* Waits for a message of `type` (others are reported and skipped). */
int expect(host *h, uint32_t type, DWORD timeout_ms, vda_message *m);
/* Reads and drops messages until none came for quiet_ms. */
void drain_quiet(host *h, DWORD quiet_ms);

/* ---- client side ---- */

/* The client's ANNOUNCE_CAPABILITIES payload (64 bytes at most): its size. */
size_t client_caps(uint8_t *buf, uint32_t request, int crlf);
int send_caps(host *h, uint32_t request, int crlf);
int send_grab(host *h, uint32_t type);
/* CLIPBOARD of `type`; with max_chunks > 0 only its first max_chunks chunks. */
int send_data(host *h, uint32_t type, const uint8_t *data, size_t len, int max_chunks);
int send_disconnected(host *h);

/* ---- processes and the clipboard ---- */

/* Starts cbtool.exe VERB "FILE"[EXTRA]; its process handle, or NULL (logged). */
HANDLE cbtool(const host *h, const wchar_t *verb, const wchar_t *file, const wchar_t *extra);
/* Exit code, or -1 on timeout (then it is killed). Closes p. */
int wait_exit(HANDLE p, DWORD timeout_ms);
/* 1 once the agent owns the clipboard and offers cf. */
int wait_format_of(host *h, UINT cf, DWORD timeout_ms);
#define wait_format(cf, ms) wait_format_of(h, (cf), (ms))
/* out = this run's temp folder + name. */
void tmp_file(host *h, const wchar_t *name, wchar_t *out);
int spit(const wchar_t *path, const void *data, size_t size);
/* Mixed text: exactly n bytes of valid UTF-8 (ASCII, CJK, emoji, LF). */
uint8_t *make_text(size_t n, uint32_t seed);
/* UTF-16 of UTF-8 text, computed by Windows itself; with crlf, LF -> CRLF. */
WCHAR *expected_utf16(const uint8_t *t, size_t n, int crlf, size_t *units);
/* The client grabs text and cbtool starts a guest paste into out: 1 once the
 * agent's REQUEST for it came; *cb is cbtool, still waiting for the data. */
int start_text_paste(host *h, const wchar_t *out_name, wchar_t *out, HANDLE *cb);
/* Pastes in cbtool while serving the agent's REQUEST with data; checks the result. */
int paste_and_check(host *h, const uint8_t *text, size_t n, int crlf_cap,
                    const wchar_t *out_name);

/* ---- the scenarios: 1 pass, 0 fail (FAIL of wtest.h), 77 not run here ---- */

/* sc_text.c: text both ways, disconnects and vanished owners */
int sc_paste_text(host *h, size_t n, int crlf_cap);
int sc_copy_text(host *h, size_t n);
int sc_disconnect_mid_paste(host *h);
int sc_vanished_owner(host *h);
int sc_copy_before_client(host *h);
int sc_copy_while_grab_pending(host *h);
int sc_bad_header_then_grab(host *h);
/* sc_image.c: images both ways and hostile DIBs */
int sc_paste_image(host *h, uint32_t w, uint32_t hgt, int alpha);
int sc_paste_bmp(host *h, uint32_t w, uint32_t hgt);
int sc_bad_png(host *h);
int sc_copy_image(host *h, uint32_t w, uint32_t hgt);
int sc_hostile_dib(host *h);
int sc_copy_palette_dib(host *h);
/* sc_lifecycle.c: STOP, exit and the command line */
int sc_stop_unanswered(host *h);
int sc_stop_during_paste(host *h);
int sc_render_on_exit(host *h);
int sc_bad_args(host *h);
/* sc_memory.c: the agent's memory for a big paste (a measurement) */
int sc_memory(host *h, size_t mib, int ascii);
/* sc_display.c: a paste from inside a display-change broadcast */
int sc_paste_in_broadcast(host *h);

#endif
