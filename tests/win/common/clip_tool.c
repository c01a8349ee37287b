#include "clip_tool.h"

#include <stdlib.h>

BOOL clip_tool_open(int tries)
{
    for (int i = 0; i < tries; i++) {
        if (OpenClipboard(NULL))
            return TRUE;
        Sleep(10);
    }
    return FALSE;
}

clip_tool_put_result clip_tool_put(UINT fmt, HGLOBAL mem, int open_tries)
{
    if (!clip_tool_open(open_tries)) {
        DWORD e = GetLastError();
        GlobalFree(mem);
        SetLastError(e);
        return CLIP_TOOL_PUT_NO_OPEN;
    }
    EmptyClipboard();
    if (!SetClipboardData(fmt, mem)) {
        DWORD e = GetLastError();
        CloseClipboard();
        GlobalFree(mem);
        SetLastError(e);
        return CLIP_TOOL_PUT_NO_SET;
    }
    CloseClipboard();
    return CLIP_TOOL_PUT_OK;
}

size_t clip_tool_text_units(const WCHAR *w, size_t bytes)
{
    size_t units = 0, max = bytes / sizeof(WCHAR);
    while (units < max && w[units])
        units++;
    return units;
}

void *clip_tool_read_file(FILE *f, size_t *size)
{
    if (fseek(f, 0, SEEK_END) != 0)
        return NULL;
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0)
        return NULL;
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    *size = (size_t)n;
    return buf;
}
