/* What the two clipboard tools share: agent/cbtool.exe (the Wine agent tests'
 * "other application") and e2e/guest/e2e_clip.exe (the e2e tests' guest
 * application). Each keeps its own command line, file formats and messages. */
#ifndef VDA_CLIP_TOOL_H
#define VDA_CLIP_TOOL_H

#include <windows.h>
#include <stddef.h>

/* OpenClipboard(NULL), tried up to `tries` times 10 ms apart: another process
 * (the agent) may hold the clipboard open for a moment. */
BOOL clip_tool_open(int tries);

typedef enum clip_tool_put_result {
    CLIP_TOOL_PUT_OK,
    CLIP_TOOL_PUT_NO_OPEN,     /* the clipboard could not be opened */
    CLIP_TOOL_PUT_NO_SET,      /* SetClipboardData failed */
} clip_tool_put_result;

/* A user's copy: empties the clipboard and puts mem on it as fmt (opening as
 * clip_tool_open(open_tries)). On success the clipboard owns mem, else it is
 * freed; GetLastError() is then that of the call that failed. */
clip_tool_put_result clip_tool_put(UINT fmt, HGLOBAL mem, int open_tries);

/* CF_UNICODETEXT data of `bytes` bytes: its UTF-16 units before the first NUL. */
size_t clip_tool_text_units(const WCHAR *w, size_t bytes);

#endif
