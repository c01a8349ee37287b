/* Win32 error text for log lines: every Win32 failure that is logged carries
 * the system's text and the number. */
#ifndef VDW_ERROR_H
#define VDW_ERROR_H

#include <windows.h>
#include <stddef.h>

/* A buffer this size always holds a whole vdw_err_str() result. */
#define VDW_ERR_MAX 300

/* "text (error N)" for a Win32 error code, written to the caller's buf; returns buf. */
const char *vdw_err_str(DWORD err, char *buf, size_t len);
/* The same for GetLastError(), read first thing. */
const char *vdw_last_err_str(char *buf, size_t len);
/* UTF-16 -> UTF-8 for log lines ("?" when it cannot be converted); returns buf. */
const char *vdw_narrow(const wchar_t *w, char *buf, size_t len);

#endif
