#include "agent/clipboard_proto.h"

#include <spice/vd_agent.h>

#include "base/le_bytes.h"

const char *vda_cb_status_str(vda_cb_status s)
{
    switch (s) {
    case VDA_CB_OK: return "ok";
    case VDA_CB_ERR_SHORT: return "too short";
    case VDA_CB_ERR_SIZE: return "bad size";
    case VDA_CB_ERR_NO_TYPES: return "empty type list";
    case VDA_CB_ERR_TOO_MANY: return "too many types";
    case VDA_CB_ERR_DUPLICATE: return "duplicate type";
    case VDA_CB_ERR_BAD_TYPE: return "bad type";
    }
    return "?";
}

int vda_cb_type_known(uint32_t type)
{
    return type >= VD_AGENT_CLIPBOARD_UTF8_TEXT && type <= VD_AGENT_CLIPBOARD_FILE_LIST;
}

const char *vda_cb_type_name(uint32_t type)
{
    switch (type) {
    case VD_AGENT_CLIPBOARD_NONE: return "none";
    case VD_AGENT_CLIPBOARD_UTF8_TEXT: return "utf8-text";
    case VD_AGENT_CLIPBOARD_IMAGE_PNG: return "png";
    case VD_AGENT_CLIPBOARD_IMAGE_BMP: return "bmp";
    case VD_AGENT_CLIPBOARD_IMAGE_TIFF: return "tiff";
    case VD_AGENT_CLIPBOARD_IMAGE_JPG: return "jpg";
    case VD_AGENT_CLIPBOARD_FILE_LIST: return "file-list";
    default: return "unknown";
    }
}

vda_cb_status vda_cb_parse_grab(const uint8_t *p, size_t size, int with_serial,
                                vda_cb_grab *out)
{
    out->serial = 0;
    out->count = 0;
    if (with_serial) {
        if (size < 4)
            return VDA_CB_ERR_SHORT;
        out->serial = vda_le32(p);
        p += 4;
        size -= 4;
    }
    if (size % 4)
        return VDA_CB_ERR_SIZE;
    size_t n = size / 4;
    if (n == 0)
        return VDA_CB_ERR_NO_TYPES;
    if (n > VDA_CB_MAX_TYPES)
        return VDA_CB_ERR_TOO_MANY;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = vda_le32(p + 4 * i);
        if (t == VD_AGENT_CLIPBOARD_NONE)
            return VDA_CB_ERR_BAD_TYPE;
        for (size_t j = 0; j < i; j++)
            if (out->types[j] == t) {
                out->count = 0;
                return VDA_CB_ERR_DUPLICATE;
            }
        out->types[i] = t;
        out->count = (uint32_t)(i + 1);
    }
    return VDA_CB_OK;
}

size_t vda_cb_grab_size(uint32_t count, int with_serial)
{
    return (with_serial ? 4u : 0u) + 4u * (size_t)count;
}

size_t vda_cb_write_grab(uint8_t *out, const uint32_t *types, uint32_t count, int with_serial,
                         uint32_t serial)
{
    size_t o = 0;
    if (with_serial) {
        vda_put_le32(out, serial);
        o = 4;
    }
    for (uint32_t i = 0; i < count; i++, o += 4)
        vda_put_le32(out + o, types[i]);
    return o;
}

vda_cb_status vda_cb_parse_request(const uint8_t *p, size_t size, uint32_t *type)
{
    if (size < 4)
        return VDA_CB_ERR_SHORT;
    if (size != 4)
        return VDA_CB_ERR_SIZE;
    *type = vda_le32(p);
    return vda_cb_type_known(*type) ? VDA_CB_OK : VDA_CB_ERR_BAD_TYPE;
}

size_t vda_cb_write_request(uint8_t *out, uint32_t type)
{
    vda_put_le32(out, type);
    return 4;
}

vda_cb_status vda_cb_parse_data(const uint8_t *p, size_t size, uint32_t *type,
                                const uint8_t **data, size_t *len)
{
    if (size < VDA_CB_DATA_HDR)
        return VDA_CB_ERR_SHORT;
    *type = vda_le32(p);
    *data = p + VDA_CB_DATA_HDR;
    *len = size - VDA_CB_DATA_HDR;
    if (*type == VD_AGENT_CLIPBOARD_NONE)
        return *len == 0 ? VDA_CB_OK : VDA_CB_ERR_SIZE;
    return vda_cb_type_known(*type) ? VDA_CB_OK : VDA_CB_ERR_BAD_TYPE;
}

void vda_cb_write_data_hdr(uint8_t *out, uint32_t type)
{
    vda_put_le32(out, type);
}

vda_cb_status vda_cb_parse_release(size_t size)
{
    return size == 0 ? VDA_CB_OK : VDA_CB_ERR_SIZE;
}

vda_cb_status vda_cb_parse_max(const uint8_t *p, size_t size, int32_t *max)
{
    if (size < 4)
        return VDA_CB_ERR_SHORT;
    if (size != 4)
        return VDA_CB_ERR_SIZE;
    *max = (int32_t)vda_le32(p);
    return VDA_CB_OK;
}
