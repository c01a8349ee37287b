/* The service log: a file under %ProgramData% (+ stderr in run mode), and
 * Win32 text for log lines. */
#ifndef VDS_LOGGING_H
#define VDS_LOGGING_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"

typedef struct vds_logging {
    vda_logger log;            /* what everyone logs through */
    vda_logger tee;            /* stderr, run mode */
    vda_log_file file;
    int have_file;
    HANDLE dir;                /* the log folder, held open while logging (logdir.h) */
} vds_logging;

/* The log in %ProgramData%\spice-vdagent (made safe first: logdir.h). */
void vds_logging_open(vds_logging *l, vda_log_level level, int to_stderr);
/* The same in another folder (tests). */
void vds_logging_open_in(vds_logging *l, vda_log_level level, int to_stderr, const wchar_t *folder);
void vds_logging_close(vds_logging *l);
/* "text (error N)" for a Win32 error code, in a static-per-call buffer of the caller. */
const char *vds_err_str(DWORD err, char *buf, size_t len);
/* UTF-16 -> UTF-8 for log lines. */
const char *vds_narrow(const wchar_t *w, char *buf, size_t len);

#endif
