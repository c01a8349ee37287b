#include "win_path.h"

#include <stdio.h>

void win_path_from_unix(const char *in, wchar_t out[MAX_PATH])
{
    char buf[MAX_PATH];
    if (in[0] == '/')
        snprintf(buf, sizeof buf, "Z:%s", in);
    else
        snprintf(buf, sizeof buf, "%s", in);
    for (char *p = buf; *p; p++)
        if (*p == '/')
            *p = '\\';
    MultiByteToWideChar(CP_UTF8, 0, buf, -1, out, MAX_PATH);
}
