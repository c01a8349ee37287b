#include "blank_display.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* The callbacks run on spice-server's display worker thread. The device has no
 * commands ever, so none of them touches shared state. */

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
    /* One memory slot covering the whole address space: surface addresses are
     * plain pointers into this process. */
    info->num_memslots_groups = 1;
    info->num_memslots = 1;
    info->memslot_gen_bits = 1;
    info->memslot_id_bits = 1;
    info->qxl_ram_size = UINT32_MAX;
    info->internal_groupslot_id = 0;
    info->n_surfaces = 1;
}

static int on_no_command(QXLInstance *qin, struct QXLCommandExt *cmd)
{
    (void)qin;
    (void)cmd;
    return 0;
}

/* "Notify me when there are commands": there never will be. */
static int on_req_notification(QXLInstance *qin)
{
    (void)qin;
    return 1;
}

static void on_release_resource(QXLInstance *qin, struct QXLReleaseInfoExt release_info)
{
    (void)qin;
    (void)release_info;
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

/* 0: the device does not take the client's monitor layout (the agent does). */
static int on_client_monitors_config(QXLInstance *qin, VDAgentMonitorsConfig *mc)
{
    (void)qin;
    (void)mc;
    return 0;
}

static const QXLInterface blank_qxl_interface = {
    .base = {
        .type = SPICE_INTERFACE_QXL,
        .description = "e2e blank display",
        .major_version = SPICE_INTERFACE_QXL_MAJOR,
        .minor_version = SPICE_INTERFACE_QXL_MINOR,
    },
    .attached_worker = on_attached_worker,
    .set_compression_level = on_set_compression_level,
    .get_init_info = on_get_init_info,
    .get_command = on_no_command,
    .req_cmd_notification = on_req_notification,
    .release_resource = on_release_resource,
    .get_cursor_command = on_no_command,
    .req_cursor_notification = on_req_notification,
    .notify_update = on_notify_update,
    .flush_resources = on_flush_resources,
    .async_complete = on_async_complete,
    .update_area_complete = on_update_area_complete,
    .set_client_capabilities = on_set_client_capabilities,
    .client_monitors_config = on_client_monitors_config,
};

int e2e_blank_display_init(e2e_blank_display *d, SpiceServer *server, uint32_t width,
                           uint32_t height)
{
    memset(d, 0, sizeof *d);
    d->pixels = g_malloc0((gsize)width * height * 4);
    d->qxl.base.sif = &blank_qxl_interface.base;
    d->qxl.id = 0;
    if (spice_server_add_interface(server, &d->qxl.base) != 0) {
        fprintf(stderr, "e2e-host: spice-server refused the display device\n");
        return -1;
    }
    QXLDevMemSlot slot = {
        .slot_group_id = 0, .slot_id = 0, .generation = 0,
        .virt_start = 0, .virt_end = UINTPTR_MAX, .addr_delta = 0,
        .qxl_ram_size = UINT32_MAX,
    };
    spice_qxl_add_memslot(&d->qxl, &slot);
    /* Where QEMU puts a QXL device: spice-server then tells an agent that
     * announces VD_AGENT_CAP_GRAPHICS_DEVICE_INFO (channel 0, monitor 0) = this
     * address, output 0. */
    spice_qxl_set_device_info(&d->qxl, E2E_BLANK_DISPLAY_ADDRESS, 0, 1);
    QXLDevSurfaceCreate surface = {
        .width = width, .height = height, .stride = (int32_t)(width * 4),
        .format = SPICE_SURFACE_FMT_32_xRGB, .position = 0,
        /* The point of this device: the guest's pointer follows the client's. */
        .mouse_mode = SPICE_MOUSE_MODE_CLIENT,
        .flags = 0, .type = QXL_SURF_TYPE_PRIMARY,
        .mem = (uint64_t)(uintptr_t)d->pixels, .group_id = 0,
    };
    spice_qxl_create_primary_surface(&d->qxl, 0, &surface);
    fprintf(stderr, "e2e-host: blank %ux%u display with a client-mouse primary surface\n",
            width, height);
    return 0;
}

void e2e_blank_display_close(e2e_blank_display *d)
{
    spice_qxl_destroy_primary_surface(&d->qxl, 0);
}
