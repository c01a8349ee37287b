/* Clipboard messages on the wire (VD_AGENT_CLIPBOARD_GRAB, _REQUEST, VD_AGENT_CLIPBOARD,
 * _RELEASE, VD_AGENT_MAX_CLIPBOARD): parsing with validation, and building.
 *
 * The layout depends on negotiated caps: with VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL on
 * both sides a GRAB starts with a 32-bit serial. (The agent never announces
 * VD_AGENT_CAP_CLIPBOARD_SELECTION, so the selection prefix never appears.)
 * Every parser checks sizes before reading; payloads are read byte by byte. */
#ifndef VDA_CLIPBOARD_PROTO_H
#define VDA_CLIPBOARD_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* More types than SPICE defines, with room for newer ones; a longer list is bogus. */
#define VDA_CB_MAX_TYPES 16

typedef enum vda_cb_status {
    VDA_CB_OK = 0,
    VDA_CB_ERR_SHORT,         /* shorter than its fixed part */
    VDA_CB_ERR_SIZE,          /* wrong size (trailing bytes, partial type) */
    VDA_CB_ERR_NO_TYPES,      /* a grab offering nothing */
    VDA_CB_ERR_TOO_MANY,      /* more than VDA_CB_MAX_TYPES types */
    VDA_CB_ERR_DUPLICATE,     /* a type listed twice */
    VDA_CB_ERR_BAD_TYPE,      /* NONE or an unknown type where one is required */
} vda_cb_status;

const char *vda_cb_status_str(vda_cb_status s);

/* True for the clipboard data types SPICE defines (UTF8_TEXT .. FILE_LIST). */
int vda_cb_type_known(uint32_t type);
const char *vda_cb_type_name(uint32_t type);

typedef struct vda_cb_grab {
    uint32_t serial;          /* 0 when with_serial was off */
    uint32_t types[VDA_CB_MAX_TYPES];
    uint32_t count;           /* types as listed, unknown ones included */
} vda_cb_grab;

/* A grab's type list must be whole 32-bit words, 1..VDA_CB_MAX_TYPES of them,
 * without duplicates and without NONE. Unknown types are kept (the caller ignores
 * what it cannot map). */
vda_cb_status vda_cb_parse_grab(const uint8_t *p, size_t size, int with_serial,
                                vda_cb_grab *out);
/* Bytes of a grab with `count` types. */
size_t vda_cb_grab_size(uint32_t count, int with_serial);
size_t vda_cb_write_grab(uint8_t *out, const uint32_t *types, uint32_t count, int with_serial,
                         uint32_t serial);

/* REQUEST: exactly one known type (not NONE). */
vda_cb_status vda_cb_parse_request(const uint8_t *p, size_t size, uint32_t *type);
size_t vda_cb_write_request(uint8_t *out, uint32_t type);   /* 4 bytes */

/* CLIPBOARD: a type, then the data (the rest of the payload). The type may be NONE
 * (then there must be no data: "nothing to give"). */
vda_cb_status vda_cb_parse_data(const uint8_t *p, size_t size, uint32_t *type,
                                const uint8_t **data, size_t *len);
#define VDA_CB_DATA_HDR 4u
/* Writes the 4-byte header that precedes the data in a CLIPBOARD payload. */
void vda_cb_write_data_hdr(uint8_t *out, uint32_t type);

/* RELEASE: empty. */
vda_cb_status vda_cb_parse_release(size_t size);

/* MAX_CLIPBOARD: one int32; negative means "no limit". */
vda_cb_status vda_cb_parse_max(const uint8_t *p, size_t size, int32_t *max);

#endif
