/* qxl-xpdm: the Windows 7 QXL driver takes its escapes through ExtEscape on the
 * display's DC (input: the structure alone; it answers > 0 when done), then
 * the new mode is set with the staged ChangeDisplaySettingsEx commit. */
#include "display_backend.h"

#include <stdio.h>
#include <windows.h>

#include "agent/qxl_escape.h"

static int escape(const vdg_display_device *d, vda_qxl_escape *e, char *why, size_t n)
{
    HDC dc = CreateDCW(L"DISPLAY", d->name, NULL, NULL);
    if (!dc) {
        snprintf(why, n, "CreateDC failed (error %lu)", (unsigned long)GetLastError());
        return -1;
    }
    size_t len;
    const uint8_t *in = vda_qxl_escape_struct(e, &len);
    int r = ExtEscape(dc, (int)e->code, (int)len, (LPCSTR)in, 0, NULL);
    DeleteDC(dc);
    if (r <= 0) {
        snprintf(why, n, "ExtEscape 0x%x answered %d (%s)", (unsigned)e->code, r,
                 r == 0 ? "escape not supported" : "driver error");
        return -1;
    }
    return 0;
}

const vdg_display_backend vdg_display_qxl_xpdm = {
    VDA_DISPLAY_PATH_QXL_XPDM, escape, vdg_display_commit_staged,
};
