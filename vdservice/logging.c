/* The service's log: a size-capped file under %ProgramData%\spice-vdagent
 * (rotated once, by vda_log_file; the folder and the file opens are logdir.c's,
 * which follow no link), plus stderr in run mode. */
#include "logging.h"
#include "logdir.h"

#include <shlobj.h>

#include <stdio.h>
#include <string.h>

#define VDS_LOG_MAX_BYTES (1024u * 1024u)

/* %ProgramData%\spice-vdagent. The shell's folder, not the environment: a
 * service may have no ProgramData variable (Wine's services do not). */
static void log_dir(wchar_t *dir)
{
    if (SHGetFolderPathW(NULL, CSIDL_COMMON_APPDATA, NULL, SHGFP_TYPE_CURRENT, dir) != S_OK ||
        wcslen(dir) >= MAX_PATH - 40)
        wcscpy(dir, L"C:\\ProgramData");
    wcscat(dir, L"\\spice-vdagent");
}

void vds_logging_open(vds_logging *l, vda_log_level level, int to_stderr)
{
    wchar_t dir[MAX_PATH];
    log_dir(dir);
    vds_logging_open_in(l, level, to_stderr, dir);
}

void vds_logging_open_in(vds_logging *l, vda_log_level level, int to_stderr, const wchar_t *folder)
{
    memset(l, 0, sizeof *l);
    l->dir = INVALID_HANDLE_VALUE;
    l->tee.max_level = level;
    l->tee.sink = vda_log_sink_stdio;
    l->tee.ctx = NULL;
    l->tee.component = "vdservice";
    l->log = l->tee;
    if (!to_stderr)
        l->log.sink = NULL;
    wchar_t dir[MAX_PATH + 16];
    char path[MAX_PATH * 3], msg[300], note[300];
    if (wcslen(folder) >= MAX_PATH) {
        vda_warn(&l->log, "the log folder's path is too long: logging to stderr only");
        return;
    }
    wcscpy(dir, folder);
    /* The folder is made safe first (logdir.h); its lines wait for the file. */
    DWORD err = vds_logdir_prepare(dir, &l->dir, note, sizeof note);
    if (err != ERROR_SUCCESS) {
        vda_warn(&l->log, "cannot make the log folder %s safe to use: %s: logging to stderr only",
                 vdw_narrow(dir, path, sizeof path), vdw_err_str(err, msg, sizeof msg));
        return;
    }
    wcscat(dir, L"\\vdservice.log");
    vdw_narrow(dir, path, sizeof path);
    if (vda_log_file_open_ops(&l->file, path, VDS_LOG_MAX_BYTES, &vds_logdir_file_ops) == 0) {
        l->have_file = 1;
        l->file.tee = to_stderr ? &l->tee : NULL;
        l->log.sink = vda_log_file_sink;
        l->log.ctx = &l->file;
    } else {
        vda_warn(&l->log, "cannot open the log file %s: logging to stderr only", path);
    }
    if (note[0])
        vda_warn(&l->log, "%s", note);
}

void vds_logging_close(vds_logging *l)
{
    if (l->have_file)
        vda_log_file_close(&l->file);
    l->have_file = 0;
    if (l->dir != INVALID_HANDLE_VALUE)
        CloseHandle(l->dir);
    l->dir = INVALID_HANDLE_VALUE;
    l->log.sink = l->tee.sink;
    l->log.ctx = NULL;
}
