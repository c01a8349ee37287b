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
} vds_logging;

void vds_logging_open(vds_logging *l, vda_log_level level, int to_stderr);
void vds_logging_close(vds_logging *l);

#endif
