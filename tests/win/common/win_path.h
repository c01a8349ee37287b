/* Paths handed to the Windows test programs by ctest are Unix paths; under Wine
 * drive Z: is the Unix root, so /a/b becomes Z:\a\b. */
#ifndef VDA_WIN_PATH_H
#define VDA_WIN_PATH_H

#include <windows.h>

/* /unix/path -> Z:\unix\path; any other path keeps its drive and only gets
 * backslashes. UTF-8 in, UTF-16 out; out holds MAX_PATH units, longer paths are
 * cut. */
void win_path_from_unix(const char *in, wchar_t out[MAX_PATH]);

#endif
