/* The Win32 edge of file transfer: settings, the target folder, and the files.
 * The portable session (agent/file_xfer_session) decides; this module creates
 * each temporary file (CREATE_NEW, in the target folder) on the agent's thread
 * and leaves every write, the final flush and the rename to one writer thread,
 * so the thread that answers WM_RENDERFORMAT never waits for the disk. Results
 * come back through an event the main loop waits on (vdg_xfer_event). The bytes
 * queued for the writer are bounded (VDG_XFER_QUEUE_MAX): above it the main
 * loop stops reading the pipe, and vdservice's back-pressure holds the rest. */
#ifndef VDAGENT_FILE_XFER_WIN_H
#define VDAGENT_FILE_XFER_WIN_H

#include <windows.h>
#include <stdint.h>

#include "agent/agent_core.h"
#include "base/vda_log.h"

#define VDG_XFER_QUEUE_MAX (8u << 20)
/* Where the settings live (the service's Parameters key, read by the agent as the
 * user: HKLM is readable by users and writable only by administrators). */
#define VDG_XFER_PARAMS_KEY L"SYSTEM\\CurrentControlSet\\Services\\spice-agent\\Parameters"

typedef struct vdg_xfer_job vdg_xfer_job;
typedef struct vdg_xfer_file vdg_xfer_file;

typedef struct vdg_xfer {
    const vda_logger *log;
    vda_agent *agent;
    wchar_t dir[MAX_PATH];      /* the target folder, with a trailing backslash */
    int enabled;
    int open_folder;            /* open the folder in Explorer once per batch */
    int no_launch;              /* tests: log the Explorer launch, do not run it */
    unsigned seq;               /* for temporary names */
    HANDLE thread;
    HANDLE wake;                /* auto-reset: work for the writer */
    HANDLE done;                /* manual-reset: results for the main loop, or room again */
    CRITICAL_SECTION lock;
    vdg_xfer_job *head, *tail;  /* work, in order */
    vdg_xfer_job *results;      /* finished work the main loop has to report */
    uint64_t queued;            /* data bytes in the work queue */
    int stopping;
    int started;
} vdg_xfer;

typedef struct vdg_xfer_options {
    const wchar_t *settings_key;  /* NULL: HKLM VDG_XFER_PARAMS_KEY; else a key under HKCU (tests) */
    int no_launch;
} vdg_xfer_options;

/* Reads the settings, resolves the folder and starts the writer; then installs
 * the file operations in the agent core (FILE_XFER_DISABLED when off or when the
 * folder cannot be used). 0, or -1 when the writer cannot start (disabled). */
int vdg_xfer_init(vdg_xfer *x, vda_agent *agent, const vdg_xfer_options *o,
                  const vda_logger *log);
/* Waits for the writer to finish what is queued (aborts included: call after
 * vda_agent_free so no partial file is left), then stops it. */
void vdg_xfer_shutdown(vdg_xfer *x);

/* The event the main loop waits on (NULL when not started). */
HANDLE vdg_xfer_event(const vdg_xfer *x);
/* The event fired: report finished work to the core. */
void vdg_xfer_poll(vdg_xfer *x);
/* 0 while the writer's queue is full: do not read the pipe. */
int vdg_xfer_can_read(vdg_xfer *x);

/* The user's session was locked / unlocked (WM_WTSSESSION_CHANGE). */
void vdg_xfer_set_locked(vdg_xfer *x, int locked);

#endif
