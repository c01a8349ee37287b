#include "x11_display.h"

#include <glib-unix.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <xcb/damage.h>
#include <xcb/randr.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>
#include <xcb/xfixes.h>

#define FRAME_MS 33        /* at most ~30 frames a second: damage in between adds up */
#define MAX_RECTS 16       /* more changed rectangles than this: send their bounding box */
#define MAX_QUEUED 64      /* drawables the worker has not taken yet: wait for it */

/* One drawable, its image and its pixels in one block. spice-server follows the
 * addresses (one memory slot spans this process) and hands the block back in
 * release_resource, which frees it. All members are packed: no padding. */
typedef struct {
    QXLDrawable drawable;
    QXLImage image;
    QXLDataChunk chunk;    /* its data[] (the pixels, top-down) follows */
} frame_cmd;

/* The X cursor's shape as a QXL cursor command, same idea: one block. */
typedef struct {
    QXLCursorCmd cmd;
    QXLCursor cursor;      /* its chunk's data[] (ARGB32 pixels) follows */
} cursor_cmd;

struct e2e_x11_display {
    QXLInstance qxl;                   /* first: the callbacks cast back from it */
    xcb_connection_t *c;
    xcb_window_t root;
    uint8_t damage_event, randr_event, xfixes_event; /* first event codes of the extensions */
    xcb_damage_damage_t damage;
    xcb_xfixes_region_t region;        /* scratch: the damage taken for one frame */
    guint x_src, frame_src;
    gint64 last_frame_us;
    /* MIT-SHM segment the server writes the changed regions into */
    xcb_shm_seg_t seg;
    uint8_t *shm;
    size_t shm_size;
    /* the primary surface (spice-server renders into this memory) */
    uint32_t width, height;
    uint8_t *surface;
    bool full_frame;                   /* next frame: the whole screen */
    uint32_t cursor_serial;            /* of the shape sent last (0: none yet) */
    uint64_t frames;
    /* shared with the display worker */
    GMutex lock;
    GQueue queue;                      /* frame_cmd * not yet taken by get_command */
    GQueue cursor_queue;               /* cursor_cmd * not yet taken */
};

/* ---- QXL callbacks (display worker thread) -------------------------------- */

static e2e_x11_display *display_of(QXLInstance *qin)
{
    return (e2e_x11_display *)qin;
}

static void on_attached_worker(QXLInstance *qin)
{
    (void)qin;
}

static void on_set_compression_level(QXLInstance *qin, int level)
{
    (void)qin;
    (void)level;
}

static void on_get_init_info(QXLInstance *qin, QXLDevInitInfo *info)
{
    (void)qin;
    memset(info, 0, sizeof *info);
    /* One memory slot covering the address space: addresses are plain pointers. */
    info->num_memslots_groups = 1;
    info->num_memslots = 1;
    info->memslot_gen_bits = 1;
    info->memslot_id_bits = 1;
    info->qxl_ram_size = UINT32_MAX;
    info->n_surfaces = 1;
}

static int on_get_command(QXLInstance *qin, struct QXLCommandExt *ext)
{
    e2e_x11_display *d = display_of(qin);
    g_mutex_lock(&d->lock);
    frame_cmd *f = g_queue_pop_head(&d->queue);
    g_mutex_unlock(&d->lock);
    if (!f)
        return 0;
    memset(ext, 0, sizeof *ext);
    ext->cmd.data = (QXLPHYSICAL)(uintptr_t)&f->drawable;
    ext->cmd.type = QXL_CMD_DRAW;
    return 1;
}

/* 1: nothing queued, the worker waits for spice_qxl_wakeup (every push calls it). */
static int on_req_cmd_notification(QXLInstance *qin)
{
    e2e_x11_display *d = display_of(qin);
    g_mutex_lock(&d->lock);
    int empty = g_queue_is_empty(&d->queue);
    g_mutex_unlock(&d->lock);
    return empty;
}

static void on_release_resource(QXLInstance *qin, struct QXLReleaseInfoExt release)
{
    (void)qin;
    g_free((void *)(uintptr_t)release.info->id);
}

static int on_get_cursor_command(QXLInstance *qin, struct QXLCommandExt *ext)
{
    e2e_x11_display *d = display_of(qin);
    g_mutex_lock(&d->lock);
    cursor_cmd *c = g_queue_pop_head(&d->cursor_queue);
    g_mutex_unlock(&d->lock);
    if (!c)
        return 0;
    memset(ext, 0, sizeof *ext);
    ext->cmd.data = (QXLPHYSICAL)(uintptr_t)&c->cmd;
    ext->cmd.type = QXL_CMD_CURSOR;
    return 1;
}

static int on_req_cursor_notification(QXLInstance *qin)
{
    e2e_x11_display *d = display_of(qin);
    g_mutex_lock(&d->lock);
    int empty = g_queue_is_empty(&d->cursor_queue);
    g_mutex_unlock(&d->lock);
    return empty;
}

static void on_notify_update(QXLInstance *qin, uint32_t update_id)
{
    (void)qin;
    (void)update_id;
}

static int on_flush_resources(QXLInstance *qin)
{
    (void)qin;
    return 0;
}

static void on_async_complete(QXLInstance *qin, uint64_t cookie)
{
    (void)qin;
    (void)cookie;
}

static void on_update_area_complete(QXLInstance *qin, uint32_t surface_id, struct QXLRect *rects,
                                    uint32_t n)
{
    (void)qin;
    (void)surface_id;
    (void)rects;
    (void)n;
}

static void on_set_client_capabilities(QXLInstance *qin, uint8_t client_present,
                                       uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
    (void)qin;
    (void)client_present;
    (void)caps;
}

/* 0: the device does not take the client's monitor layout; spice-server passes
 * it on to the agent, which changes the mode (and we follow the X screen). */
static int on_client_monitors_config(QXLInstance *qin, VDAgentMonitorsConfig *mc)
{
    (void)qin;
    (void)mc;
    return 0;
}

static const QXLInterface x11_qxl_interface = {
    .base = {
        .type = SPICE_INTERFACE_QXL,
        .description = "e2e X screen mirror",
        .major_version = SPICE_INTERFACE_QXL_MAJOR,
        .minor_version = SPICE_INTERFACE_QXL_MINOR,
    },
    .attached_worker = on_attached_worker,
    .set_compression_level = on_set_compression_level,
    .get_init_info = on_get_init_info,
    .get_command = on_get_command,
    .req_cmd_notification = on_req_cmd_notification,
    .release_resource = on_release_resource,
    .get_cursor_command = on_get_cursor_command,
    .req_cursor_notification = on_req_cursor_notification,
    .notify_update = on_notify_update,
    .flush_resources = on_flush_resources,
    .async_complete = on_async_complete,
    .update_area_complete = on_update_area_complete,
    .set_client_capabilities = on_set_client_capabilities,
    .client_monitors_config = on_client_monitors_config,
};

/* ---- main loop side ------------------------------------------------------- */

static void drop_queued(e2e_x11_display *d)
{
    g_mutex_lock(&d->lock);
    frame_cmd *f;
    while ((f = g_queue_pop_head(&d->queue)))
        g_free(f);
    while ((f = g_queue_pop_head(&d->cursor_queue)))
        g_free(f);
    g_mutex_unlock(&d->lock);
}

static void shm_release(e2e_x11_display *d)
{
    if (!d->shm)
        return;
    xcb_shm_detach(d->c, d->seg);
    xcb_flush(d->c);
    shmdt(d->shm);
    d->shm = NULL;
    d->shm_size = 0;
}

/* A segment of `size` bytes attached to the X server (which writes into it). */
static int shm_alloc(e2e_x11_display *d, size_t size)
{
    shm_release(d);
    int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
    if (id < 0) {
        perror("e2e-host: shmget");
        return -1;
    }
    void *p = shmat(id, NULL, 0);
    if (p == (void *)-1) {
        perror("e2e-host: shmat");
        shmctl(id, IPC_RMID, NULL);
        return -1;
    }
    d->seg = xcb_generate_id(d->c);
    xcb_generic_error_t *err =
        xcb_request_check(d->c, xcb_shm_attach_checked(d->c, d->seg, (uint32_t)id, 0));
    /* Both sides are attached (or failed): the segment goes when they detach. */
    shmctl(id, IPC_RMID, NULL);
    if (err) {
        fprintf(stderr, "e2e-host: the X server could not attach shared memory (error %d)\n",
                err->error_code);
        free(err);
        shmdt(p);
        return -1;
    }
    d->shm = p;
    d->shm_size = size;
    return 0;
}

static gboolean on_frame_timer(gpointer data);

static void schedule_frame(e2e_x11_display *d)
{
    if (d->frame_src)
        return;
    gint64 wait_us = d->last_frame_us + FRAME_MS * 1000 - g_get_monotonic_time();
    d->frame_src = g_timeout_add(wait_us > 0 ? (guint)(wait_us / 1000) + 1 : 0, on_frame_timer, d);
}

/* (Re)creates the primary surface at w x h; the next frame sends all of it. */
static int set_primary(e2e_x11_display *d, uint32_t w, uint32_t h)
{
    if (d->surface) {
        /* Queued drawables belong to the old size: they must not reach the new one. */
        drop_queued(d);
        spice_qxl_destroy_primary_surface(&d->qxl, 0);
        g_free(d->surface);
        d->surface = NULL;
    }
    size_t bytes = (size_t)w * h * 4;
    if (bytes > d->shm_size && shm_alloc(d, bytes) != 0)
        return -1;
    d->surface = g_malloc0(bytes);
    d->width = w;
    d->height = h;
    QXLDevSurfaceCreate s = {
        .width = w, .height = h, .stride = (int32_t)(w * 4),
        .format = SPICE_SURFACE_FMT_32_xRGB, .position = 0,
        /* The client's pointer position goes to the agent (SendInput). */
        .mouse_mode = SPICE_MOUSE_MODE_CLIENT,
        .flags = 0, .type = QXL_SURF_TYPE_PRIMARY,
        .mem = (uint64_t)(uintptr_t)d->surface, .group_id = 0,
    };
    spice_qxl_create_primary_surface(&d->qxl, 0, &s);
    d->full_frame = true;
    d->cursor_serial = 0;       /* a new surface starts without a cursor shape */
    schedule_frame(d);
    fprintf(stderr, "e2e-host: display primary surface %ux%u\n", w, h);
    return 0;
}

static frame_cmd *make_cmd(const xcb_rectangle_t *r, const uint8_t *pixels)
{
    uint32_t stride = (uint32_t)r->width * 4;
    size_t size = (size_t)stride * r->height;
    frame_cmd *f = g_malloc0(sizeof *f + size);
    memcpy((uint8_t *)(f + 1), pixels, size);
    QXLDrawable *dr = &f->drawable;
    dr->release_info.id = (uint64_t)(uintptr_t)f;
    dr->surface_id = 0;
    dr->effect = QXL_EFFECT_OPAQUE;
    dr->type = QXL_DRAW_COPY;
    dr->bbox.left = r->x;
    dr->bbox.top = r->y;
    dr->bbox.right = r->x + r->width;
    dr->bbox.bottom = r->y + r->height;
    dr->clip.type = SPICE_CLIP_TYPE_NONE;
    dr->mm_time = (uint32_t)(g_get_monotonic_time() / 1000);
    for (int i = 0; i < 3; i++)
        dr->surfaces_dest[i] = -1;
    dr->u.copy.src_bitmap = (QXLPHYSICAL)(uintptr_t)&f->image;
    dr->u.copy.src_area.right = r->width;
    dr->u.copy.src_area.bottom = r->height;
    dr->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    dr->u.copy.scale_mode = SPICE_IMAGE_SCALE_MODE_NEAREST;
    QXLImage *im = &f->image;
    im->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
    im->descriptor.width = r->width;
    im->descriptor.height = r->height;
    /* X's 24-bit depth at 32 bpp, little-endian, is B,G,R,x: SPICE's 32BIT. */
    im->bitmap.format = SPICE_BITMAP_FMT_32BIT;
    im->bitmap.flags = QXL_BITMAP_TOP_DOWN;
    im->bitmap.x = r->width;
    im->bitmap.y = r->height;
    im->bitmap.stride = stride;
    im->bitmap.data = (QXLPHYSICAL)(uintptr_t)&f->chunk;
    f->chunk.data_size = (uint32_t)size;
    return f;
}

/* The changed rectangles since the last frame (the damage is reset), clipped
 * to the screen; many of them become one bounding box. Returns their count. */
static int take_damage(e2e_x11_display *d, xcb_rectangle_t *out)
{
    xcb_generic_error_t *err = NULL;
    xcb_damage_subtract(d->c, d->damage, XCB_NONE, d->region);
    xcb_xfixes_fetch_region_reply_t *rep =
        xcb_xfixes_fetch_region_reply(d->c, xcb_xfixes_fetch_region(d->c, d->region), &err);
    if (!rep) {
        fprintf(stderr, "e2e-host: reading the X damage failed (error %d)\n",
                err ? err->error_code : -1);
        free(err);
        return 0;
    }
    int n = xcb_xfixes_fetch_region_rectangles_length(rep);
    const xcb_rectangle_t *rects = xcb_xfixes_fetch_region_rectangles(rep);
    const xcb_rectangle_t whole = { 0, 0, (uint16_t)d->width, (uint16_t)d->height };
    if (d->full_frame) {
        rects = &whole;
        n = 1;
        d->full_frame = false;
    } else if (n > MAX_RECTS) {
        rects = &rep->extents;
        n = 1;
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        int x0 = MAX(rects[i].x, 0), y0 = MAX(rects[i].y, 0);
        int x1 = MIN(rects[i].x + rects[i].width, (int)d->width);
        int y1 = MIN(rects[i].y + rects[i].height, (int)d->height);
        if (x1 > x0 && y1 > y0)
            out[k++] = (xcb_rectangle_t){ (int16_t)x0, (int16_t)y0, (uint16_t)(x1 - x0),
                                          (uint16_t)(y1 - y0) };
    }
    free(rep);
    return k;
}

static void send_frame(e2e_x11_display *d)
{
    g_mutex_lock(&d->lock);
    guint queued = g_queue_get_length(&d->queue);
    g_mutex_unlock(&d->lock);
    d->last_frame_us = g_get_monotonic_time();
    if (queued > MAX_QUEUED) {
        /* The worker is behind: the damage stays with X and adds up meanwhile. */
        schedule_frame(d);
        return;
    }
    xcb_rectangle_t rects[MAX_RECTS];
    int n = take_damage(d, rects);
    /* Ask for all of them first (one round trip), then read the replies. The
     * rectangles are disjoint, so their pixels fit the segment one after another. */
    xcb_shm_get_image_cookie_t cookies[MAX_RECTS];
    size_t offsets[MAX_RECTS], off = 0;
    for (int i = 0; i < n; i++) {
        offsets[i] = off;
        cookies[i] = xcb_shm_get_image(d->c, d->root, rects[i].x, rects[i].y, rects[i].width,
                                       rects[i].height, ~0u, XCB_IMAGE_FORMAT_Z_PIXMAP, d->seg,
                                       (uint32_t)off);
        off += (size_t)rects[i].width * rects[i].height * 4;
    }
    frame_cmd *cmds[MAX_RECTS];
    int k = 0;
    for (int i = 0; i < n; i++) {
        xcb_generic_error_t *err = NULL;
        xcb_shm_get_image_reply_t *rep = xcb_shm_get_image_reply(d->c, cookies[i], &err);
        if (!rep) {
            /* e.g. the screen shrank after the damage: the RandR event follows. */
            fprintf(stderr, "e2e-host: reading %dx%d+%d+%d of the X screen failed (error %d)\n",
                    rects[i].width, rects[i].height, rects[i].x, rects[i].y,
                    err ? err->error_code : -1);
            free(err);
            continue;
        }
        free(rep);
        cmds[k++] = make_cmd(&rects[i], d->shm + offsets[i]);
    }
    if (k == 0)
        return;
    g_mutex_lock(&d->lock);
    for (int i = 0; i < k; i++)
        g_queue_push_tail(&d->queue, cmds[i]);
    g_mutex_unlock(&d->lock);
    spice_qxl_wakeup(&d->qxl);
    d->frames++;
}

/* The shape X shows now, if it is not the one sent last: in client mouse mode
 * the viewer draws its own pointer with it (an I-beam over text, ...). */
static void send_cursor(e2e_x11_display *d)
{
    xcb_xfixes_get_cursor_image_reply_t *rep =
        xcb_xfixes_get_cursor_image_reply(d->c, xcb_xfixes_get_cursor_image(d->c), NULL);
    if (!rep)
        return;
    if ((d->cursor_serial && rep->cursor_serial == d->cursor_serial) || !rep->width ||
        !rep->height || rep->width > 512 || rep->height > 512) {
        free(rep);
        return;
    }
    d->cursor_serial = rep->cursor_serial;
    size_t n = (size_t)rep->width * rep->height;
    cursor_cmd *c = g_malloc0(sizeof *c + n * 4);
    /* XFIXES gives premultiplied ARGB; SPICE's alpha cursor is straight ARGB. */
    const uint32_t *src = xcb_xfixes_get_cursor_image_cursor_image(rep);
    uint8_t *dst = (uint8_t *)(c + 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t p = src[i], a = p >> 24, v = p;
        if (a && a < 255) {
            uint32_t r = ((p >> 16) & 255) * 255 / a, g = ((p >> 8) & 255) * 255 / a,
                     b = (p & 255) * 255 / a;
            v = a << 24 | MIN(r, 255u) << 16 | MIN(g, 255u) << 8 | MIN(b, 255u);
        }
        memcpy(dst + i * 4, &v, 4);
    }
    c->cmd.release_info.id = (uint64_t)(uintptr_t)c;
    c->cmd.type = QXL_CURSOR_SET;
    c->cmd.u.set.visible = 1;
    c->cmd.u.set.shape = (QXLPHYSICAL)(uintptr_t)&c->cursor;
    c->cursor.header.unique = 0;    /* not cached: X reuses serials across shapes */
    c->cursor.header.type = SPICE_CURSOR_TYPE_ALPHA;
    c->cursor.header.width = rep->width;
    c->cursor.header.height = rep->height;
    c->cursor.header.hot_spot_x = rep->xhot;
    c->cursor.header.hot_spot_y = rep->yhot;
    c->cursor.data_size = (uint32_t)(n * 4);
    c->cursor.chunk.data_size = (uint32_t)(n * 4);
    free(rep);
    g_mutex_lock(&d->lock);
    g_queue_push_tail(&d->cursor_queue, c);
    g_mutex_unlock(&d->lock);
    spice_qxl_wakeup(&d->qxl);
}

static void handle_events(e2e_x11_display *d)
{
    xcb_generic_event_t *ev;
    while ((ev = xcb_poll_for_event(d->c))) {
        uint8_t type = ev->response_type & 0x7f;
        if (type == d->damage_event + XCB_DAMAGE_NOTIFY) {
            schedule_frame(d);
        } else if (type == d->randr_event + XCB_RANDR_SCREEN_CHANGE_NOTIFY) {
            xcb_randr_screen_change_notify_event_t *e = (void *)ev;
            if (e->width != d->width || e->height != d->height)
                set_primary(d, e->width, e->height);
        } else if (type == d->xfixes_event + XCB_XFIXES_CURSOR_NOTIFY) {
            send_cursor(d);
        } else if (type == 0) {
            fprintf(stderr, "e2e-host: X error %d\n", ((xcb_generic_error_t *)ev)->error_code);
        }
        free(ev);
    }
}

static gboolean on_frame_timer(gpointer data)
{
    e2e_x11_display *d = data;
    d->frame_src = 0;
    send_frame(d);
    if (!d->cursor_serial)
        send_cursor(d);
    /* Replies were read: events that came with them are queued inside xcb. */
    handle_events(d);
    return G_SOURCE_REMOVE;
}

static gboolean on_x_readable(gint fd, GIOCondition cond, gpointer data)
{
    (void)fd;
    (void)cond;
    e2e_x11_display *d = data;
    handle_events(d);
    if (xcb_connection_has_error(d->c)) {
        fprintf(stderr, "e2e-host: lost the X display: the picture stops here\n");
        d->x_src = 0;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

/* The extensions we need, each with the version that has what we use. */
static int init_extensions(e2e_x11_display *d)
{
    const xcb_query_extension_reply_t *dmg = xcb_get_extension_data(d->c, &xcb_damage_id);
    const xcb_query_extension_reply_t *rr = xcb_get_extension_data(d->c, &xcb_randr_id);
    const xcb_query_extension_reply_t *shm = xcb_get_extension_data(d->c, &xcb_shm_id);
    const xcb_query_extension_reply_t *xf = xcb_get_extension_data(d->c, &xcb_xfixes_id);
    if (!dmg || !dmg->present || !rr || !rr->present || !shm || !shm->present || !xf ||
        !xf->present) {
        fprintf(stderr, "e2e-host: the X server lacks DAMAGE, RANDR, MIT-SHM or XFIXES\n");
        return -1;
    }
    d->damage_event = dmg->first_event;
    d->xfixes_event = xf->first_event;
    d->randr_event = rr->first_event;
    /* The version queries are required before the extensions may be used. */
    free(xcb_xfixes_query_version_reply(d->c, xcb_xfixes_query_version(d->c, 2, 0), NULL));
    free(xcb_damage_query_version_reply(d->c, xcb_damage_query_version(d->c, 1, 1), NULL));
    free(xcb_randr_query_version_reply(d->c, xcb_randr_query_version(d->c, 1, 2), NULL));
    return 0;
}

/* 24-bit depth stored as 32 bits per pixel: what SPICE's 32BIT bitmaps are. */
static int check_format(e2e_x11_display *d, const xcb_screen_t *scr)
{
    const xcb_setup_t *setup = xcb_get_setup(d->c);
    xcb_format_iterator_t it = xcb_setup_pixmap_formats_iterator(setup);
    for (; it.rem; xcb_format_next(&it))
        if (it.data->depth == scr->root_depth && it.data->bits_per_pixel == 32 &&
            scr->root_depth == 24 && setup->image_byte_order == XCB_IMAGE_ORDER_LSB_FIRST)
            return 0;
    fprintf(stderr, "e2e-host: the X screen has depth %d; only 24 (32 bpp, LSB) is mirrored\n",
            scr->root_depth);
    return -1;
}

e2e_x11_display *e2e_x11_display_new(SpiceServer *server, const char *name)
{
    e2e_x11_display *d = g_new0(e2e_x11_display, 1);
    g_mutex_init(&d->lock);
    g_queue_init(&d->queue);
    g_queue_init(&d->cursor_queue);
    int screen_no = 0;
    d->c = xcb_connect(name, &screen_no);
    if (xcb_connection_has_error(d->c)) {
        fprintf(stderr, "e2e-host: cannot open X display %s\n", name ? name : "$DISPLAY");
        goto fail;
    }
    xcb_screen_iterator_t si = xcb_setup_roots_iterator(xcb_get_setup(d->c));
    for (int i = 0; i < screen_no && si.rem; i++)
        xcb_screen_next(&si);
    if (!si.rem || check_format(d, si.data) != 0 || init_extensions(d) != 0)
        goto fail;
    d->root = si.data->root;
    /* The setup's size is the one at connection time; RandR events say the rest. */
    xcb_randr_select_input(d->c, d->root, XCB_RANDR_NOTIFY_MASK_SCREEN_CHANGE);
    xcb_xfixes_select_cursor_input(d->c, d->root, XCB_XFIXES_CURSOR_NOTIFY_MASK_DISPLAY_CURSOR);
    d->damage = xcb_generate_id(d->c);
    xcb_damage_create(d->c, d->damage, d->root, XCB_DAMAGE_REPORT_LEVEL_NON_EMPTY);
    d->region = xcb_generate_id(d->c);
    xcb_xfixes_create_region(d->c, d->region, 0, NULL);
    xcb_get_geometry_reply_t *geo =
        xcb_get_geometry_reply(d->c, xcb_get_geometry(d->c, d->root), NULL);
    if (!geo) {
        fprintf(stderr, "e2e-host: cannot read the X screen's size\n");
        goto fail;
    }
    uint32_t w = geo->width, h = geo->height;
    free(geo);

    d->qxl.base.sif = &x11_qxl_interface.base;
    d->qxl.id = 0;
    if (spice_server_add_interface(server, &d->qxl.base) != 0) {
        fprintf(stderr, "e2e-host: spice-server refused the display device\n");
        goto fail;
    }
    QXLDevMemSlot slot = {
        .slot_group_id = 0, .slot_id = 0, .generation = 0,
        .virt_start = 0, .virt_end = UINTPTR_MAX, .addr_delta = 0,
        .qxl_ram_size = UINT32_MAX,
    };
    spice_qxl_add_memslot(&d->qxl, &slot);
    if (set_primary(d, w, h) != 0)
        goto fail;
    d->x_src = g_unix_fd_add(xcb_get_file_descriptor(d->c), G_IO_IN | G_IO_HUP | G_IO_ERR,
                             on_x_readable, d);
    xcb_flush(d->c);
    fprintf(stderr, "e2e-host: mirroring X display %s (%ux%u)\n",
            name ? name : g_getenv("DISPLAY"), w, h);
    return d;
fail:
    /* (A device already added goes with spice_server_destroy.) */
    if (d->c)
        xcb_disconnect(d->c);
    d->c = NULL;
    return NULL;
}

void e2e_x11_display_close(e2e_x11_display *d)
{
    if (d->x_src)
        g_source_remove(d->x_src);
    if (d->frame_src)
        g_source_remove(d->frame_src);
    d->x_src = d->frame_src = 0;
    drop_queued(d);
    if (d->surface)
        spice_qxl_destroy_primary_surface(&d->qxl, 0);
    fprintf(stderr, "e2e-host: display sent %llu frames\n", (unsigned long long)d->frames);
}

void e2e_x11_display_free(e2e_x11_display *d)
{
    drop_queued(d);
    shm_release(d);
    xcb_disconnect(d->c);
    g_free(d->surface);
    g_mutex_clear(&d->lock);
    g_free(d);
}
