/* The virtio-serial port. */
#ifndef VDS_PORT_H
#define VDS_PORT_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"
#include "vdw_overlapped.h"

/* 256 KiB reads: each read/write is a round trip through the I/O stack (under
 * Wine through wineserver); 64 KiB ones made a 16 MiB paste measurably slower. */
#define VDS_PORT_READ_SIZE 262144u

typedef struct vds_port {
    HANDLE h;                  /* INVALID_HANDLE_VALUE: closed */
    vdw_ovio rd, wr;
    DWORD write_len;
    uint8_t *rbuf;             /* VDS_PORT_READ_SIZE; stable while a read is pending */
    const wchar_t *path;
    DWORD last_open_error;     /* logged once per change, not once per retry */
    uint64_t opened_at;
    const vda_logger *log;
} vds_port;

int vds_port_init(vds_port *p, const wchar_t *path, const vda_logger *log);
void vds_port_free(vds_port *p);
DWORD vds_port_open(vds_port *p, uint64_t now);
void vds_port_close(vds_port *p, const char *why);
static inline int vds_port_is_open(const vds_port *p) { return p->h != INVALID_HANDLE_VALUE; }

#endif
