#include "clip_tool.h"


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
