/* The virtio-serial port. Every call the service makes on it goes through
 * vds_port_ops: the real handle by default, the port model of
 * tests/win/service/port_model.c in tests (a test double following the
 * vioserial driver's rules). */
#ifndef VDS_PORT_H
#define VDS_PORT_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"
#include "vdw_overlapped.h"

/* 256 KiB reads: each read/write is a round trip through the I/O stack (under
 * Wine through wineserver); 64 KiB ones made a 16 MiB paste measurably slower. */
#define VDS_PORT_READ_SIZE 262144u

/* The seam: the same meaning as CreateFileW(OPEN_EXISTING, overlapped) and the
 * vdw_ovio calls; completion is always signalled through io->ov.hEvent. */
typedef struct vds_port_ops {
    HANDLE (*open)(void *ctx, const wchar_t *path, DWORD *err);
    DWORD (*read)(void *ctx, vdw_ovio *io, HANDLE h, void *buf, DWORD len);
    DWORD (*write)(void *ctx, vdw_ovio *io, HANDLE h, const void *buf, DWORD len);
    DWORD (*finish)(void *ctx, vdw_ovio *io, HANDLE h, DWORD *n);
    void (*cancel)(void *ctx, vdw_ovio *io, HANDLE h);
    void (*close)(void *ctx, HANDLE h);
} vds_port_ops;

extern const vds_port_ops vds_port_real_ops;

typedef struct vds_port {
    HANDLE h;                  /* INVALID_HANDLE_VALUE: closed */
    vdw_ovio rd, wr;
    uint8_t *rbuf;             /* VDS_PORT_READ_SIZE; stable while a read is pending */
    const wchar_t *path;
    DWORD last_open_error;     /* logged once per change, not once per retry */
    uint64_t opened_at;
    const vda_logger *log;
    const vds_port_ops *ops;
    void *ops_ctx;
} vds_port;

/* ops NULL: the real port. */
int vds_port_init(vds_port *p, const wchar_t *path, const vds_port_ops *ops, void *ops_ctx,
                  const vda_logger *log);
void vds_port_free(vds_port *p);
DWORD vds_port_open(vds_port *p, uint64_t now);
void vds_port_close(vds_port *p, const char *why);
static inline int vds_port_is_open(const vds_port *p) { return p->h != INVALID_HANDLE_VALUE; }
/* Start a read into rbuf / a write of len bytes: ERROR_SUCCESS when started. */
DWORD vds_port_read(vds_port *p);
DWORD vds_port_write(vds_port *p, const void *buf, DWORD len);
/* After io's event fired: the transfer's result, as vdw_ovio_finish. */
DWORD vds_port_finish(vds_port *p, vdw_ovio *io, DWORD *n);

#endif
