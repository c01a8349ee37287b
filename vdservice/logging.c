/* The service's log: a size-capped file under %ProgramData%\spice-vdagent
 * (rotated once, by vda_log_file), plus stderr in run mode. */
#include "logging.h"

#include <shlobj.h>

#include <stdio.h>
#include <string.h>

#define VDS_LOG_MAX_BYTES (1024u * 1024u)

/* %ProgramData%\spice-vdagent\vdservice.log, in UTF-8 as vda_log_file takes it.
 * The shell's folder, not the environment: a service may have no ProgramData
 * variable (Wine's services do not). */
static int log_path(char *out, size_t len)
{
    wchar_t dir[MAX_PATH];
    if (SHGetFolderPathW(NULL, CSIDL_COMMON_APPDATA, NULL, SHGFP_TYPE_CURRENT, dir) != S_OK ||
        wcslen(dir) >= MAX_PATH - 40)
        wcscpy(dir, L"C:\\ProgramData");
    wcscat(dir, L"\\spice-vdagent");
    CreateDirectoryW(dir, NULL); /* exists already: fine */
    wcscat(dir, L"\\vdservice.log");
    return WideCharToMultiByte(CP_UTF8, 0, dir, -1, out, (int)len, NULL, NULL) > 0 ? 0 : -1;
}

void vds_logging_open(vds_logging *l, vda_log_level level, int to_stderr)
{
    memset(l, 0, sizeof *l);
    l->tee.max_level = level;
    l->tee.sink = vda_log_sink_stdio;
    l->tee.ctx = NULL;
    l->tee.component = "vdservice";
    l->log = l->tee;
    if (!to_stderr)
        l->log.sink = NULL;
    char path[MAX_PATH * 3];
    if (log_path(path, sizeof path) == 0 &&
        vda_log_file_open(&l->file, path, VDS_LOG_MAX_BYTES) == 0) {
        l->have_file = 1;
        l->file.tee = to_stderr ? &l->tee : NULL;
        l->log.sink = vda_log_file_sink;
        l->log.ctx = &l->file;
    } else {
        vda_warn(&l->log, "cannot open the log file %s: logging to stderr only", path);
    }
}

void vds_logging_close(vds_logging *l)
{
    if (l->have_file)
        vda_log_file_close(&l->file);
    l->have_file = 0;
    l->log.sink = l->tee.sink;
    l->log.ctx = NULL;
}
