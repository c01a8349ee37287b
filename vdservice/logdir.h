/* The service's log folder (%ProgramData%\spice-vdagent) as a place no user can
 * hijack. The service runs as SYSTEM; ProgramData lets users create folders, so
 * a user could pre-create ours as a junction, or own it and plant links in it,
 * and make SYSTEM write, rotate or delete files elsewhere.
 *
 * - A folder we create gets a protected DACL: SYSTEM and Administrators full
 *   control, Users read only (VDS_LOGDIR_SDDL), nothing inherited.
 * - An existing folder that is a reparse point (junction, symbolic link) is
 *   removed (the link itself, never its target) and created anew.
 * - An existing folder owned by anyone but SYSTEM, Administrators or ourselves,
 *   or whose DACL lets anyone else write, is taken over (owner: ourselves,
 *   DACL: ours) and the log files in it are deleted: they may have been planted
 *   (hard links). If it cannot be taken over it is not used (stderr only).
 *   A sound folder whose DACL is merely inherited gets ours, silently.
 * - The folder stays open (no delete sharing) while the log is in use, so it
 *   cannot be renamed or replaced under us.
 * - Log files are opened with FILE_FLAG_OPEN_REPARSE_POINT; one that is a
 *   reparse point, a directory or has more than one link is deleted (the name
 *   only) and made anew. Rotation renames names inside the folder (a rename
 *   never follows a link). */
#ifndef VDS_LOGDIR_H
#define VDS_LOGDIR_H

#include <windows.h>
#include <stdio.h>

#include "base/vda_log.h"

#define VDS_LOGDIR_SDDL L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"

/* Makes `dir` the log folder and returns it open in *out. `note` receives one
 * line about anything repaired ("" if nothing), to be logged once the log is
 * open. Returns a Win32 error; ERROR_DIRECTORY when `dir` is a file. */
DWORD vds_logdir_prepare(const wchar_t *dir, HANDLE *out, char *note, size_t note_len);

/* vda_log_file_ops for files in a prepared folder (ctx unused). */
extern const vda_log_file_ops vds_logdir_file_ops;

#endif
