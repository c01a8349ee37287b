/* File transfer messages (client -> guest), portable: the strict parser of
 * FILE_XFER_START's key file, the DATA and STATUS parsers, and the STATUS the
 * agent sends back (plain, or with FILE_XFER_DETAILED_ERRORS its detail). */
#ifndef VDA_FILE_XFER_PROTO_H
#define VDA_FILE_XFER_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* Longest name (UTF-8 bytes, after unescaping) START may carry; Windows names are
 * at most 255 UTF-16 units, which is at most 765 UTF-8 bytes. */
#define VDA_XFER_NAME_MAX 1024
/* Largest START payload accepted (id + key file). */
#define VDA_XFER_START_MAX 4096
/* Largest size a START may announce (GLib's gint64 range). */
#define VDA_XFER_SIZE_MAX INT64_MAX
/* Bytes of a DATA message before its data (id, size). */
#define VDA_XFER_DATA_HDR 12
/* Longest STATUS message (id, result, the largest detail). */
#define VDA_XFER_STATUS_MAX 16

/* GIO error codes the detailed ERROR carries (G_IO_ERROR_*: stable values). */
enum {
    VDA_GIO_FAILED = 0,
    VDA_GIO_NOT_FOUND = 1,
    VDA_GIO_EXISTS = 2,
    VDA_GIO_FILENAME_TOO_LONG = 9,
    VDA_GIO_INVALID_FILENAME = 10,
    VDA_GIO_NO_SPACE = 12,
    VDA_GIO_INVALID_ARGUMENT = 13,
    VDA_GIO_PERMISSION_DENIED = 14,
    VDA_GIO_CANCELLED = 19,
    VDA_GIO_BUSY = 26,
    VDA_GIO_TOO_MANY_OPEN_FILES = 31,
    VDA_GIO_PARTIAL_INPUT = 34,
};

typedef enum vda_xp_status {
    VDA_XP_OK = 0,
    VDA_XP_SHORT,          /* shorter than its fixed header */
    VDA_XP_TOO_LONG,       /* START above VDA_XFER_START_MAX */
    VDA_XP_NUL,            /* a NUL byte inside the key file (one at the very end is allowed) */
    VDA_XP_NO_GROUP,       /* no [vdagent-file-xfer] group */
    VDA_XP_BAD_LINE,       /* a line that is neither group, key=value, comment nor blank */
    VDA_XP_BAD_ESCAPE,     /* a backslash escape GKeyFile does not write */
    VDA_XP_DUP_KEY,        /* name or size twice */
    VDA_XP_NO_NAME,
    VDA_XP_NO_SIZE,
    VDA_XP_BAD_SIZE,       /* not a plain decimal, or above VDA_XFER_SIZE_MAX */
    VDA_XP_BAD_UTF8,       /* name not valid UTF-8 */
    VDA_XP_NAME_TOO_LONG,
    VDA_XP_SIZE_MISMATCH,  /* DATA whose size field is not its data's length */
} vda_xp_status;

const char *vda_xp_status_str(vda_xp_status st);

typedef struct vda_xfer_start {
    uint32_t id;
    uint64_t size;
    char name[VDA_XFER_NAME_MAX + 1];  /* UTF-8, NUL-terminated, unescaped, untrusted */
} vda_xfer_start;

/* FILE_XFER_START: id, then a GLib key file (group vdagent-file-xfer, keys name and
 * size, each exactly once; other keys and groups are ignored). out->id is set as
 * soon as the payload holds one, even when the rest is refused (so the refusal
 * can be answered). */
vda_xp_status vda_xfer_parse_start(const uint8_t *p, size_t n, vda_xfer_start *out);

/* FILE_XFER_DATA: id, size, then exactly size bytes. */
vda_xp_status vda_xfer_parse_data(const uint8_t *p, size_t n, uint32_t *id,
                                  const uint8_t **data, uint32_t *len);

/* FILE_XFER_STATUS from the client (CANCELLED, mostly): id, result; detail ignored. */
vda_xp_status vda_xfer_parse_status(const uint8_t *p, size_t n, uint32_t *id, uint32_t *result);

/* Writes a STATUS into out (VDA_XFER_STATUS_MAX bytes); returns its size. With
 * detailed set, NOT_ENOUGH_SPACE carries free_bytes and ERROR carries
 * {GLIB_IO, gio_code}; otherwise only id and result. */
size_t vda_xfer_status_write(uint8_t *out, uint32_t id, uint32_t result, int detailed,
                             uint64_t free_bytes, uint32_t gio_code);

/* "can-send-data", "cancelled", ... for logs. */
const char *vda_xfer_result_name(uint32_t result);

/* 1 if s[0..n) is valid UTF-8 (no overlong forms, surrogates or values above
 * U+10FFFF) and holds no NUL. */
int vda_utf8_valid(const char *s, size_t n);

#endif
