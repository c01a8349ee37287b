#include "glib_core.h"

#include <glib.h>
#include <glib-unix.h>
#include <stdio.h>

struct SpiceTimer {
    GSource *src;          /* pending timeout, NULL while not started */
    SpiceTimerFunc func;
    void *opaque;
};

struct SpiceWatch {
    int fd;
    int mask;              /* SPICE_WATCH_EVENT_* */
    GSource *src;          /* NULL while mask is 0 */
    SpiceWatchFunc func;
    void *opaque;
};

/* Detaches a source we hold a reference to and drops that reference. */
static void drop_source(GSource **src)
{
    if (!*src)
        return;
    g_source_destroy(*src);
    g_source_unref(*src);
    *src = NULL;
}

static gboolean timer_fired(gpointer data)
{
    SpiceTimer *t = data;
    /* The context keeps its own reference while dispatching; drop ours first
     * because func may start (or remove) this timer again. */
    g_source_unref(t->src);
    t->src = NULL;
    t->func(t->opaque);
    return G_SOURCE_REMOVE;
}

static SpiceTimer *timer_add(SpiceTimerFunc func, void *opaque)
{
    SpiceTimer *t = g_new0(SpiceTimer, 1);
    t->func = func;
    t->opaque = opaque;
    return t;
}

static void timer_cancel(SpiceTimer *t)
{
    drop_source(&t->src);
}

static void timer_start(SpiceTimer *t, uint32_t ms)
{
    timer_cancel(t);
    t->src = g_timeout_source_new(ms);
    g_source_set_callback(t->src, timer_fired, t, NULL);
    g_source_attach(t->src, NULL);
}

static void timer_remove(SpiceTimer *t)
{
    timer_cancel(t);
    g_free(t);
}

static gboolean watch_fired(gint fd, GIOCondition cond, gpointer data)
{
    SpiceWatch *w = data;
    int ev = 0;
    /* Errors and hang-ups are reported as whatever the watcher asked for, so
     * its next read or write sees the error itself. */
    if ((w->mask & SPICE_WATCH_EVENT_READ) && (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        ev |= SPICE_WATCH_EVENT_READ;
    if ((w->mask & SPICE_WATCH_EVENT_WRITE) && (cond & (G_IO_OUT | G_IO_HUP | G_IO_ERR)))
        ev |= SPICE_WATCH_EVENT_WRITE;
    /* func may remove or change this watch: w is not touched afterwards. */
    if (ev)
        w->func(fd, ev, w->opaque);
    return G_SOURCE_CONTINUE;
}

static void watch_update_mask(SpiceWatch *w, int mask)
{
    drop_source(&w->src);
    w->mask = mask;
    GIOCondition cond = 0;
    if (mask & SPICE_WATCH_EVENT_READ)
        cond |= G_IO_IN;
    if (mask & SPICE_WATCH_EVENT_WRITE)
        cond |= G_IO_OUT;
    if (!cond)
        return;
    w->src = g_unix_fd_source_new(w->fd, cond | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(w->src, (GSourceFunc)(void (*)(void))watch_fired, w, NULL);
    g_source_attach(w->src, NULL);
}

static SpiceWatch *watch_add(int fd, int mask, SpiceWatchFunc func, void *opaque)
{
    SpiceWatch *w = g_new0(SpiceWatch, 1);
    w->fd = fd;
    w->func = func;
    w->opaque = opaque;
    watch_update_mask(w, mask);
    return w;
}

static void watch_remove(SpiceWatch *w)
{
    drop_source(&w->src);
    g_free(w);
}

static void channel_event(int event, SpiceChannelEventInfo *info)
{
    if (info->type != SPICE_CHANNEL_MAIN)
        return;
    if (event == SPICE_CHANNEL_EVENT_INITIALIZED)
        fprintf(stderr, "e2e-host: client main channel up (connection %d)\n", info->connection_id);
    else if (event == SPICE_CHANNEL_EVENT_DISCONNECTED)
        fprintf(stderr, "e2e-host: client main channel down (connection %d)\n", info->connection_id);
}

static SpiceCoreInterface core = {
    .base = {
        .type = SPICE_INTERFACE_CORE,
        .description = "e2e GLib core",
        .major_version = SPICE_INTERFACE_CORE_MAJOR,
        .minor_version = SPICE_INTERFACE_CORE_MINOR,
    },
    .timer_add = timer_add,
    .timer_start = timer_start,
    .timer_cancel = timer_cancel,
    .timer_remove = timer_remove,
    .watch_add = watch_add,
    .watch_update_mask = watch_update_mask,
    .watch_remove = watch_remove,
    .channel_event = channel_event,
};

SpiceCoreInterface *e2e_glib_core(void)
{
    return &core;
}
