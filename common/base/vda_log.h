/* Logging: levels, timestamps, one line per event. A logger is a small struct
 * passed to whoever logs; where lines go (stderr, a file, a test's buffer) is its
 * sink's business. */
#ifndef VDA_LOG_H
#define VDA_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#if defined(__MINGW32__)
#define VDA_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define VDA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

typedef enum vda_log_level {
    VDA_LOG_ERROR = 0,
    VDA_LOG_WARN,
    VDA_LOG_INFO,
    VDA_LOG_DEBUG,
} vda_log_level;

/* Receives one finished line (timestamp, level, component, text; no newline). */
typedef void (*vda_log_sink)(void *ctx, vda_log_level level, const char *line);

typedef struct vda_logger {
    vda_log_level max_level;  /* lines above this level are not formatted at all */
    vda_log_sink sink;        /* NULL: discard */
    void *ctx;
    const char *component;    /* "vdservice", "vdagent", ... */
} vda_logger;

/* Longest line handed to a sink; longer text is cut with "...". */
#define VDA_LOG_LINE_MAX 1024

void vda_log(const vda_logger *lg, vda_log_level level, const char *fmt, ...) VDA_PRINTF(3, 4);
void vda_logv(const vda_logger *lg, vda_log_level level, const char *fmt, va_list ap)
    VDA_PRINTF(3, 0);

#define vda_error(lg, ...) vda_log((lg), VDA_LOG_ERROR, __VA_ARGS__)
#define vda_warn(lg, ...) vda_log((lg), VDA_LOG_WARN, __VA_ARGS__)
#define vda_info(lg, ...) vda_log((lg), VDA_LOG_INFO, __VA_ARGS__)
#define vda_debug(lg, ...) vda_log((lg), VDA_LOG_DEBUG, __VA_ARGS__)

/* "error", "warn", "info", "debug" -> level; returns -1 for anything else. */
int vda_log_level_parse(const char *name);
/* The inverse: level -> its name (info for a value out of range). */
const char *vda_log_level_name(vda_log_level level);

/* Sink that writes lines to a FILE* given as ctx (stderr if ctx is NULL). */
void vda_log_sink_stdio(void *ctx, vda_log_level level, const char *line);

/* A size-capped log file, rotated once: when a line would take the file past
 * max_bytes, it is renamed to "<path>.1" (replacing the old one) and a new file
 * is started. Use vda_log_file_sink with the struct as ctx. The path is UTF-8
 * (opened as UTF-16 on Windows, whatever the ANSI code page), of any length: the
 * struct keeps its own copies, which vda_log_file_close frees. A failed open
 * leaves nothing to close. */
/* How the file is opened and rotated, for an owner with rules of its own (the
 * service opens without following links): open(ctx, path, "ab" or "wb") and
 * replace(ctx, from, to) (0 on success). NULL members: the C library's. */
typedef struct vda_log_file_ops {
    FILE *(*open)(void *ctx, const char *path, const char *mode);
    int (*replace)(void *ctx, const char *from, const char *to);
    void *ctx;
} vda_log_file_ops;

typedef struct vda_log_file {
    vda_log_file_ops ops;
    char *path;               /* owned copy */
    char *old_path;           /* path + ".1", owned */
    size_t max_bytes;
    size_t size;
    FILE *fp;
    vda_logger *tee;          /* optional second logger (e.g. stderr in run mode) */
} vda_log_file;

int vda_log_file_open(vda_log_file *f, const char *path, size_t max_bytes);
/* The same with the owner's ops (ops may be NULL). */
int vda_log_file_open_ops(vda_log_file *f, const char *path, size_t max_bytes,
                          const vda_log_file_ops *ops);
void vda_log_file_close(vda_log_file *f);
void vda_log_file_sink(void *ctx, vda_log_level level, const char *line);

#endif
