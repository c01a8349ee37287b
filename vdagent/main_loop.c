/* The agent's single event loop: the pipe's overlapped read and write events, the
 * file-transfer writer's event and the clipboard window's messages, in one
 * MsgWaitForMultipleObjectsEx. While the writer's queue is full no read starts. Nothing in
 * it blocks on the pipe; a paste waiting for the client's data runs this same loop
 * nested (vdg_loop_wait with a done flag). */
#include "app.h"
#include "vdw_error.h"

static void on_read(vdg_app *app)
{
    DWORD n = vdg_pipe_finish_read(&app->pipe);
    if (n > 0) {
        vda_agent_feed(&app->agent, app->pipe.rbuf, n);
        /* End of a batch: the last of the moves it held goes out now. */
        vdg_input_features_batch_done(&app->input);
    }
    if (vdg_xfer_can_read(&app->xfer))
        vdg_pipe_start_read(&app->pipe);
}

static void pump_messages(vdg_app *app)
{
    MSG msg;
    while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) {
        if (msg.message == WM_QUIT) {
            app->quit = 1;
            continue;
        }
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
}

int vdg_loop_wait(vdg_app *app, const int *done, DWORD timeout_ms)
{
    DWORD start = GetTickCount();
    for (;;) {
        if (done && *done)
            return 1;
        if (app->pipe.broken || (app->quit && !done))
            return 0;
        if (vda_agent_unparsed(&app->agent) > 0) {
            /* Nested inside a handler of the last read (a paste from inside a
             * broadcast that handler's system call sent): the rest of that read
             * first; a new read would overwrite it in rbuf. */
            vda_agent_feed_rest(&app->agent);
            vdg_input_features_batch_done(&app->input);  /* as on_read does */
            continue;
        }
        if (vdg_xfer_can_read(&app->xfer))
            vdg_pipe_start_read(&app->pipe);
        HANDLE hs[3];
        DWORD n = 0;
        int read_slot = -1, write_slot = -1, xfer_slot = -1;
        /* Only events of pending I/O: a completed one stays signalled. */
        if (app->pipe.rd.pending) {
            read_slot = (int)n;
            hs[n++] = app->pipe.rd.ov.hEvent;
        }
        if (app->pipe.wr.pending) {
            write_slot = (int)n;
            hs[n++] = app->pipe.wr.ov.hEvent;
        }
        if (vdg_xfer_event(&app->xfer)) {
            xfer_slot = (int)n;
            hs[n++] = vdg_xfer_event(&app->xfer);
        }
        DWORD wait = INFINITE;
        if (timeout_ms != INFINITE) {
            DWORD spent = GetTickCount() - start;
            if (spent >= timeout_ms)
                return 0;
            wait = timeout_ms - spent;
        }
        if (app->quit) {
            /* STOP came while a render waits, or renders run on exit: vdservice
             * kills the agent a few seconds after STOP, so all of them together
             * get one budget from the moment quit was first seen. */
            if (!app->quit_seen) {
                app->quit_seen = 1;
                app->quit_tick = GetTickCount();
            }
            DWORD since = GetTickCount() - app->quit_tick;
            if (since >= RENDER_ALL_BUDGET_MS)
                return 0;
            if (wait > RENDER_ALL_BUDGET_MS - since)
                wait = RENDER_ALL_BUDGET_MS - since;
        }
        DWORD r = MsgWaitForMultipleObjectsEx(n, hs, wait, QS_ALLINPUT, MWMO_INPUTAVAILABLE);
        if (r == WAIT_TIMEOUT)
            return 0;
        if (r == WAIT_FAILED) {
            char msg[VDW_ERR_MAX];
            vda_error(&app->log, "MsgWaitForMultipleObjectsEx failed: %s",
                      vdw_last_err_str(msg, sizeof msg));
            app->quit = 1;
            return 0;
        }
        DWORD i = r - WAIT_OBJECT_0;
        if ((int)i == read_slot)
            on_read(app);
        else if ((int)i == write_slot)
            vdg_pipe_finish_write(&app->pipe);
        else if ((int)i == xfer_slot)
            vdg_xfer_poll(&app->xfer);
        else
            pump_messages(app);
    }
}

static int op_send(void *ctx, uint32_t type, uint8_t *payload, uint32_t size)
{
    vdg_app *app = ctx;
    return vdg_pipe_send(&app->pipe, VDP_CLIENT_PORT, type, payload, size);
}

static size_t op_queued(void *ctx)
{
    vdg_app *app = ctx;
    return vdg_pipe_queued(&app->pipe);
}

static uint32_t op_guest_seq(void *ctx)
{
    (void)ctx;
    return (uint32_t)GetClipboardSequenceNumber();
}

static void op_stop(void *ctx)
{
    vdg_app *app = ctx;
    app->quit = 1;
}

static void op_client_reset(void *ctx)
{
    vdg_app *app = ctx;
    vdg_input_features_client_reset(&app->input);
}

void vdg_app_ops(vdg_app *app, vda_agent_ops *ops)
{
    ops->ctx = app;
    ops->send = op_send;
    ops->take_clipboard = vdg_clipboard_take;
    ops->drop_clipboard = vdg_clipboard_drop;
    ops->read_guest = vdg_clipboard_read;
    ops->stop = op_stop;
    ops->client_reset = op_client_reset;
    ops->client_attached = vdg_clipboard_client_attached;
    ops->queued = op_queued;
    ops->guest_seq = op_guest_seq;
}
