#include "wtest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

void wtest_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s:%d: ", file, line);
    if (cond)
        printf("%s: ", cond);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

int wtest_exit(const wtest *t)
{
    printf("%d passed, %d failed, %d not run\n", t->passed, t->failed, t->not_run);
    if (t->failed)
        return 1;
    if (t->passed == 0)
        return 77;
    return 0;
}

vda_logger wtest_logger(void)
{
    vda_logger lg = { VDA_LOG_DEBUG, vda_log_sink_stdio, NULL, "test" };
    lg.ctx = stdout;
    return lg;
}

void *wtest_read_file(const wchar_t *path, size_t *size)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return NULL;
    LARGE_INTEGER sz;
    uint8_t *p = NULL;
    size_t off = 0;
    if (GetFileSizeEx(f, &sz) && (uint64_t)sz.QuadPart < SIZE_MAX &&
        (p = malloc((size_t)sz.QuadPart + 1)) != NULL) {
        DWORD got = 0;
        while (off < (size_t)sz.QuadPart &&
               ReadFile(f, p + off, (DWORD)((size_t)sz.QuadPart - off > 1u << 30
                                                ? 1u << 30 : (size_t)sz.QuadPart - off),
                        &got, NULL) && got)
            off += got;
        p[off] = 0;
    }
    CloseHandle(f);
    if (size)
        *size = off;
    return p;
}
