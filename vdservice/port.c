/* The virtio-serial port (or, in tests, any path given with --device, such as a
 * named pipe served by a fake host, or the port model behind vds_port_ops).
 * Opening and closing it is how spice-server learns that the agent came or
 * went; event_loop.c decides when. */
#include "port.h"
#include "logging.h"

#include <stdlib.h>

static HANDLE real_open(void *ctx, const wchar_t *path, DWORD *err)
{
    (void)ctx;
    HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, NULL);
    *err = h == INVALID_HANDLE_VALUE ? GetLastError() : ERROR_SUCCESS;
    return h;
}

static DWORD real_read(void *ctx, vdw_ovio *io, HANDLE h, void *buf, DWORD len)
{
    (void)ctx;
    return vdw_ovio_read(io, h, buf, len);
}

static DWORD real_write(void *ctx, vdw_ovio *io, HANDLE h, const void *buf, DWORD len)
{
    (void)ctx;
    return vdw_ovio_write(io, h, buf, len);
}

static DWORD real_finish(void *ctx, vdw_ovio *io, HANDLE h, DWORD *n)
{
    (void)ctx;
    return vdw_ovio_finish(io, h, n);
}

static void real_cancel(void *ctx, vdw_ovio *io, HANDLE h)
{
    (void)ctx;
    vdw_ovio_cancel(io, h);
}

static void real_close(void *ctx, HANDLE h)
{
    (void)ctx;
    CloseHandle(h);
}

const vds_port_ops vds_port_real_ops = { real_open, real_read, real_write,
                                         real_finish, real_cancel, real_close };

int vds_port_init(vds_port *p, const wchar_t *path, const vds_port_ops *ops, void *ops_ctx,
                  const vda_logger *log)
{
    ZeroMemory(p, sizeof *p);
    p->h = INVALID_HANDLE_VALUE;
    p->path = path;
    p->log = log;
    p->ops = ops ? ops : &vds_port_real_ops;
    p->ops_ctx = ops_ctx;
    p->last_open_error = ERROR_SUCCESS;
    p->rbuf = malloc(VDS_PORT_READ_SIZE);
    if (!p->rbuf || vdw_ovio_init(&p->rd) != 0 || vdw_ovio_init(&p->wr) != 0)
        return -1;
    return 0;
}

void vds_port_free(vds_port *p)
{
    vds_port_close(p, "shutting down");
    vdw_ovio_free(&p->rd);
    vdw_ovio_free(&p->wr);
    free(p->rbuf);
    p->rbuf = NULL;
}

DWORD vds_port_open(vds_port *p, uint64_t now)
{
    char path[MAX_PATH * 3], msg[VDW_ERR_MAX];
    DWORD err = ERROR_SUCCESS;
    HANDLE h = p->ops->open(p->ops_ctx, p->path, &err);
    if (h == INVALID_HANDLE_VALUE) {
        /* One line per change of state, not one per retry. */
        if (err != p->last_open_error)
            vda_warn(p->log, "device %s: cannot open: %s; retrying",
                     vdw_narrow(p->path, path, sizeof path), vdw_err_str(err, msg, sizeof msg));
        p->last_open_error = err;
        return err ? err : ERROR_GEN_FAILURE;
    }
    p->h = h;
    p->opened_at = now;
    p->last_open_error = ERROR_SUCCESS;
    vda_info(p->log, "device %s opened", vdw_narrow(p->path, path, sizeof path));
    return ERROR_SUCCESS;
}

void vds_port_close(vds_port *p, const char *why)
{
    if (p->h == INVALID_HANDLE_VALUE)
        return;
    p->ops->cancel(p->ops_ctx, &p->rd, p->h);
    p->ops->cancel(p->ops_ctx, &p->wr, p->h);
    p->ops->close(p->ops_ctx, p->h);
    p->h = INVALID_HANDLE_VALUE;
    vda_info(p->log, "device closed: %s", why);
}

DWORD vds_port_read(vds_port *p)
{
    return p->ops->read(p->ops_ctx, &p->rd, p->h, p->rbuf, VDS_PORT_READ_SIZE);
}

DWORD vds_port_write(vds_port *p, const void *buf, DWORD len)
{
    return p->ops->write(p->ops_ctx, &p->wr, p->h, buf, len);
}

DWORD vds_port_finish(vds_port *p, vdw_ovio *io, DWORD *n)
{
    return p->ops->finish(p->ops_ctx, io, p->h, n);
}
