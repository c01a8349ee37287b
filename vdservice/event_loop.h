/* The one wait loop: forwarding, back-pressure, the agent's lifecycle. */
#ifndef VDS_EVENT_LOOP_H
#define VDS_EVENT_LOOP_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"
#include "config.h"

/* Session changes arrive on the SCM handler thread: queued here, drained by the loop. */
typedef struct vds_session_queue {
    CRITICAL_SECTION lock;
    HANDLE event;              /* set when something is queued */
    struct { DWORD type, session; } items[32];
    unsigned count;
    unsigned dropped;          /* oldest events dropped while full; the loop logs it */
} vds_session_queue;

struct vds_port_ops;

typedef struct vds_loop_ctl {
    HANDLE stop_event;         /* manual reset: stop the service */
    vds_session_queue sessions;
    HANDLE resume_event;       /* auto reset: resumed from sleep/hibernation (scm.c, tests) */
    HANDLE device_event;       /* auto reset: PnP says a virtio-serial port arrived */
    int device_notify;         /* device_event is fed (PnP registered): no polling for the device */
    const struct vds_port_ops *port_ops; /* NULL: the real port; tests: the port model */
    void *port_ctx;
} vds_loop_ctl;

int vds_loop_ctl_init(vds_loop_ctl *c);
void vds_loop_ctl_free(vds_loop_ctl *c);
void vds_session_queue_push(vds_session_queue *q, DWORD type, DWORD session);

/* Service-specific exit codes (dwServiceSpecificExitCode; also run mode's exit
 * status). Non-zero makes the SCM apply the restart actions (scm.c sets
 * fFailureActionsOnNonCrashFailures). */
#define VDS_EXIT_START_FAILED 1 /* out of memory at start */
#define VDS_EXIT_WAIT_FAILED 3  /* the wait loop itself failed */

/* Runs until stopped; returns the process exit code (0 ok, else VDS_EXIT_*). */
int vds_run(const vds_config *cfg, vds_loop_ctl *ctl, const vda_logger *log);

#endif
