/* The service log: a file under %ProgramData% (+ stderr in run mode). Win32
 * error text for its lines: vdw_err_str (win/vdw_error.h). */
#ifndef VDS_LOGGING_H
#define VDS_LOGGING_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"
#include "vdw_error.h"

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

#endif
