#include "vdw_error.h"

#include <stdio.h>

const char *vdw_narrow(const wchar_t *w, char *buf, size_t len)
{
    if (!w || WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)len, NULL, NULL) <= 0)
        snprintf(buf, len, "?");
    return buf;
}

const char *vdw_err_str(DWORD err, char *buf, size_t len)
{
    wchar_t msg[256];
    /* English (US) first: the log is read by developers; the system's own
     * language when that text is not installed. */
    DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS;
    DWORD n = FormatMessageW(flags, NULL, err, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), msg,
                             sizeof msg / sizeof msg[0], NULL);
    if (n == 0)
        n = FormatMessageW(flags, NULL, err, 0, msg, sizeof msg / sizeof msg[0], NULL);
    while (n > 0 && (msg[n - 1] == L'\r' || msg[n - 1] == L'\n' || msg[n - 1] == L'.' ||
                     msg[n - 1] == L' '))
        msg[--n] = 0;
    char text[200];
    if (n == 0)
        snprintf(text, sizeof text, "system error");
    else
        vdw_narrow(msg, text, sizeof text);
    snprintf(buf, len, "%s (error %lu)", text, (unsigned long)err);
    return buf;
}

const char *vdw_last_err_str(char *buf, size_t len)
{
    return vdw_err_str(GetLastError(), buf, len);
}
