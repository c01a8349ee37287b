#include "base/vda_log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(_WIN32)
#include <sys/timeb.h>
#include <wchar.h>
#include "base/text_convert.h"
#endif

static const char level_char[] = { 'E', 'W', 'I', 'D' };

static void format_time(char *buf, size_t len)
{
    struct tm tm;
    time_t secs;
    int ms;
#if defined(_WIN32)
    struct __timeb64 tb;
    _ftime64_s(&tb);
    secs = (time_t)tb.time;
    ms = tb.millitm;
    gmtime_s(&tm, &secs);
#else
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    secs = ts.tv_sec;
    ms = (int)(ts.tv_nsec / 1000000);
    gmtime_r(&secs, &tm);
#endif
    snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03d", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, ms % 1000);
}

void vda_logv(const vda_logger *lg, vda_log_level level, const char *fmt, va_list ap)
{
    if (!lg || !lg->sink || level > lg->max_level)
        return;
    char line[VDA_LOG_LINE_MAX];
    char stamp[64];
    format_time(stamp, sizeof stamp);
    int n = snprintf(line, sizeof line, "%s %c %s: ", stamp, level_char[level],
                     lg->component ? lg->component : "-");
    if (n < 0)
        return;
    if ((size_t)n < sizeof line) {
        int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        if (m > 0 && (size_t)(n + m) >= sizeof line)
            memcpy(line + sizeof line - 4, "...", 4);
    }
    /* One event is one line: control characters from untrusted text are masked. */
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = '?';
    lg->sink(lg->ctx, level, line);
}

void vda_log(const vda_logger *lg, vda_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vda_logv(lg, level, fmt, ap);
    va_end(ap);
}

static const char *const level_names[] = { "error", "warn", "info", "debug" };

int vda_log_level_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

const char *vda_log_level_name(vda_log_level level)
{
    return level_names[(unsigned)level <= VDA_LOG_DEBUG ? level : VDA_LOG_INFO];
}

void vda_log_sink_stdio(void *ctx, vda_log_level level, const char *line)
{
    (void)level;
    FILE *fp = ctx ? (FILE *)ctx : stderr;
    fprintf(fp, "%s\n", line);
    fflush(fp);
}

/* Log paths are UTF-8. On Windows the C library's narrow file calls use the
 * ANSI code page, so a path such as a user's %TEMP% with characters outside it
 * would not open: there the calls go through the wide (UTF-16) variants. */
#if defined(_WIN32)
/* The path as a NUL-terminated UTF-16 string, allocated (free it); NULL if out
 * of memory. */
static wchar_t *wide_path(const char *path)
{
    const uint8_t *p = (const uint8_t *)path;
    size_t len = strlen(path);
    size_t units = vda_utf8_to_utf16_len(p, len, 0);
    wchar_t *w = malloc((units + 1) * sizeof *w);
    if (w)
        vda_utf8_to_utf16(p, len, (uint16_t *)w, 0);
    return w;
}

static FILE *path_fopen(const char *path, const char *mode)
{
    wchar_t wmode[4] = { (wchar_t)mode[0], (wchar_t)mode[1], 0 };
    wchar_t *w = wide_path(path);
    FILE *fp = w ? _wfopen(w, wmode) : NULL;
    free(w);
    return fp;
}

static void path_replace(const char *from, const char *to)
{
    wchar_t *wf = wide_path(from), *wt = wide_path(to);
    if (wf && wt) {
        _wremove(wt); /* rename does not replace an existing file on Windows */
        _wrename(wf, wt);
    }
    free(wf);
    free(wt);
}
#else
#define path_fopen fopen
#define path_replace rename
#endif

/* Opens f->path for appending and takes its current size. */
static FILE *file_open(vda_log_file *f, const char *path, const char *mode)
{
    return f->ops.open ? f->ops.open(f->ops.ctx, path, mode) : path_fopen(path, mode);
}

static int open_append(vda_log_file *f)
{
    f->fp = file_open(f, f->path, "ab");
    if (!f->fp)
        return -1;
    f->size = 0;
    if (fseek(f->fp, 0, SEEK_END) == 0) {
        long pos = ftell(f->fp);
        f->size = pos > 0 ? (size_t)pos : 0;
    }
    return 0;
}

int vda_log_file_open(vda_log_file *f, const char *path, size_t max_bytes)
{
    return vda_log_file_open_ops(f, path, max_bytes, NULL);
}

int vda_log_file_open_ops(vda_log_file *f, const char *path, size_t max_bytes,
                          const vda_log_file_ops *ops)
{
    memset(f, 0, sizeof *f);
    if (ops)
        f->ops = *ops;
    size_t len = strlen(path);
    f->path = malloc(len + 1);
    f->old_path = malloc(len + sizeof ".1");
    if (!f->path || !f->old_path) {
        vda_log_file_close(f);
        return -1;
    }
    memcpy(f->path, path, len + 1);
    memcpy(f->old_path, path, len);
    memcpy(f->old_path + len, ".1", sizeof ".1");
    f->max_bytes = max_bytes;
    if (open_append(f) != 0) {
        vda_log_file_close(f);
        return -1;
    }
    return 0;
}

void vda_log_file_close(vda_log_file *f)
{
    if (f->fp)
        fclose(f->fp);
    f->fp = NULL;
    free(f->path);
    free(f->old_path);
    f->path = f->old_path = NULL;
}

static void rotate(vda_log_file *f)
{
    fclose(f->fp);
    if (f->ops.replace)
        f->ops.replace(f->ops.ctx, f->path, f->old_path);
    else
        path_replace(f->path, f->old_path);
    f->fp = file_open(f, f->path, "wb");
    f->size = 0;
}

void vda_log_file_sink(void *ctx, vda_log_level level, const char *line)
{
    vda_log_file *f = ctx;
    size_t len = strlen(line) + 1;
    /* The file could not be made again at a rotation (its folder gone, the disk
     * full): try again at each line, so file logging resumes once it can. */
    if (!f->fp && f->path)
        open_append(f);
    if (f->fp) {
        if (f->max_bytes && f->size + len > f->max_bytes && f->size > 0)
            rotate(f);
        if (f->fp && fprintf(f->fp, "%s\n", line) > 0) {
            fflush(f->fp);
            f->size += len;
        }
    }
    if (f->tee && f->tee->sink)
        f->tee->sink(f->tee->ctx, level, line);
}
