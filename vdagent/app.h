/* The agent process: its one event loop, the pipe, the portable core and the
 * clipboard window, tied together. */
#ifndef VDAGENT_APP_H
#define VDAGENT_APP_H

#include <windows.h>
#include <stdint.h>

#include "agent/agent_core.h"
#include "agent/clipboard_proto.h"
#include "file_xfer_win.h"
#include "input_features.h"
#include "pipe_client.h"
#include "base/vda_log.h"

/* How long a guest paste waits for the client's data. */
#define RENDER_TIMEOUT_MS 10000
/* On exit (WM_RENDERALLFORMATS), for all formats still delayed together: vdservice
 * gives the agent 3 s after STOP, and the pipe still has to be flushed. */
#define RENDER_ALL_BUDGET_MS 1500
#define EXIT_FLUSH_MS 1000
/* The system role takes only small fixed-size messages (mouse, monitors,
 * device info): its reassembly limit. */
#define SYSTEM_ROLE_MAX_MSG 65536u

typedef struct vdg_app {
    vda_logger log;
    vdg_pipe pipe;
    vda_agent agent;
    int quit;              /* leave the main loop (STOP, pipe gone, WM_QUIT) */
    int quit_seen;         /* a wait saw quit: renders share one exit budget from */
    DWORD quit_tick;       /* then (RENDER_ALL_BUDGET_MS) */
    /* clipboard window */
    HWND hwnd;
    uint32_t take_types[VDA_CB_MAX_TYPES];  /* a client grab not applied yet */
    uint32_t take_n;
    int take_pending;
    int rendering;         /* inside WM_RENDERFORMAT / WM_RENDERALLFORMATS */
    unsigned rendered;     /* formats of the current grab already rendered (bits) */
    uint64_t clip_max;
    vdg_input_features input;  /* mouse, monitors, display settings */
    vdg_xfer xfer;             /* file transfer into the guest */
} vdg_app;

/* Runs the loop until *done becomes nonzero (returns 1), or timeout_ms passes, the
 * pipe breaks or quit is set (returns 0). done may be NULL (run until quit);
 * timeout_ms INFINITE for no timeout. Re-entrant: WM_RENDERFORMAT runs it nested.
 * With done, quit does not end the wait at once (renders on exit still wait), but
 * every wait after quit ends RENDER_ALL_BUDGET_MS after quit was first seen. */
int vdg_loop_wait(vdg_app *app, const int *done, DWORD timeout_ms);

/* Binds the core's platform hooks to this app (pipe + clipboard). */
void vdg_app_ops(vdg_app *app, vda_agent_ops *ops);

/* clipboard_win.c */
int vdg_clipboard_init(vdg_app *app);
void vdg_clipboard_destroy(vdg_app *app);
void vdg_clipboard_take(void *ctx, const uint32_t *types, uint32_t n);
void vdg_clipboard_drop(void *ctx);
int vdg_clipboard_read(void *ctx, uint32_t type, uint8_t **buf, size_t *size);
void vdg_clipboard_client_attached(void *ctx);

#endif
