/* The virtio-serial port (or, in tests, any path given with --device, such as a
 * named pipe served by a fake host). Opening and closing it is how spice-server
 * learns that the agent came or went; event_loop.c decides when. */
#include "port.h"
#include "logging.h"

#include <stdlib.h>

int vds_port_init(vds_port *p, const wchar_t *path, const vda_logger *log)
{
    ZeroMemory(p, sizeof *p);
    p->h = INVALID_HANDLE_VALUE;
    p->path = path;
    p->log = log;
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
    char path[MAX_PATH * 3], msg[300];
    HANDLE h = CreateFileW(p->path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD err = GetLastError();
        /* One line per change of state, not one per retry. */
        if (err != p->last_open_error)
            vda_warn(p->log, "device %s: cannot open: %s; retrying with backoff",
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
    vdw_ovio_cancel(&p->rd, p->h);
    vdw_ovio_cancel(&p->wr, p->h);
    CloseHandle(p->h);
    p->h = INVALID_HANDLE_VALUE;
    vda_info(p->log, "device closed: %s", why);
}
