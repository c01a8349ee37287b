/* A test double of the virtio-serial port behind vdservice's port seam
 * (vds_port_ops), following the vioserial driver's rules (vdservice/README.md):
 *  - writes: while the host side is not connected or the output queue is full
 *    a write is refused at once, ERROR_CANT_WAIT (current driver) or
 *    ERROR_NO_SYSTEM_RESOURCES (older drivers); otherwise it completes once the
 *    host has consumed it (here: at once, parsed into whole messages);
 *  - reads: data waiting completes at once; no data: refused at once with
 *    ERROR_NO_SYSTEM_RESOURCES while the host is not connected, pending while
 *    it is;
 *  - "host connected" turns true connect_lag_ms after the open, not at it;
 *  - a second open fails (ERROR_ALREADY_EXISTS), as does an open while another
 *    opener holds the port; an absent device: ERROR_FILE_NOT_FOUND;
 *  - I/O on a removed port fails with ERROR_OBJECT_NO_LONGER_EXISTS (current
 *    driver) or ERROR_BAD_COMMAND (STATUS_INVALID_DEVICE_STATE);
 *  - suspend discards buffered input and drops a pending write.
 * The test thread plays the host through the model_* calls; the service's loop
 * thread makes the vds_port_ops calls. One lock guards everything. */
#ifndef PORT_MODEL_H
#define PORT_MODEL_H

#include <windows.h>
#include <stdint.h>

#include "port.h"
#include "wire/chunk_reader.h"
#include "wire/reassembly.h"

typedef struct model_msg {
    uint32_t port, type, size;
    uint8_t *data;
} model_msg;

typedef struct model_xfer {
    vdw_ovio *io;              /* the service's transfer, NULL when none */
    uint8_t *buf;
    DWORD len;
    int done;                  /* completed: result and n are its outcome */
    DWORD result, n;
} model_xfer;

typedef struct port_model {
    CRITICAL_SECTION lock;
    HANDLE changed;            /* auto reset: a message arrived or the port opened/closed */
    int old_driver;            /* blocked writes: NO_SYSTEM_RESOURCES, not CANT_WAIT */
    int present;               /* the device exists */
    int removed;               /* removed under an open handle */
    int host_present;          /* the host side is there (connects after the lag) */
    int queue_full;            /* the output queue is full */
    int other_opener;          /* someone else holds the port */
    DWORD connect_lag_ms;
    ULONGLONG opened_at;
    HANDLE handle;             /* the open handle, NULL when closed */
    unsigned generation;
    model_xfer rd, wr;
    uint8_t *in;               /* host -> guest bytes not read yet */
    size_t in_len, in_cap;
    vda_chunk_reader cr;       /* guest -> host: parsed into whole messages */
    vda_reasm ra;
    model_msg q[64];
    int qn;
    /* counters, for the scenarios */
    unsigned open_attempts, opens, closes, refused_reads, refused_writes, io_calls, errors;
} port_model;

extern const vds_port_ops port_model_ops;

int model_init(port_model *m, int old_driver);
void model_free(port_model *m);
/* Host side: queue a whole message for the guest (completes a pending read). */
void model_host_send(port_model *m, uint32_t port, uint32_t type, const void *data, uint32_t size);
/* Next whole message the guest wrote, of `type` (others are dropped), within timeout. */
int model_next_msg(port_model *m, uint32_t type, DWORD timeout_ms, model_msg *out);
/* State changes, under the lock. */
void model_set(port_model *m, int *field, int value);
void model_remove(port_model *m);     /* device unplugged under the open handle */
void model_suspend(port_model *m);    /* drops buffered input and a pending write */
/* A counter, read under the lock. */
unsigned model_get(port_model *m, const unsigned *counter);
int model_is_open(port_model *m);

#endif
