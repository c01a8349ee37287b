#include "agent/file_xfer_proto.h"

#include <string.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"

#define GROUP "vdagent-file-xfer"

const char *vda_xp_status_str(vda_xp_status st)
{
    switch (st) {
    case VDA_XP_OK: return "ok";
    case VDA_XP_SHORT: return "shorter than its header";
    case VDA_XP_TOO_LONG: return "key file too long";
    case VDA_XP_NUL: return "NUL byte inside the key file";
    case VDA_XP_NO_GROUP: return "no [" GROUP "] group";
    case VDA_XP_BAD_LINE: return "malformed key file line";
    case VDA_XP_BAD_ESCAPE: return "unknown escape in a value";
    case VDA_XP_DUP_KEY: return "name or size given twice";
    case VDA_XP_NO_NAME: return "no name";
    case VDA_XP_NO_SIZE: return "no size";
    case VDA_XP_BAD_SIZE: return "size is not a decimal in range";
    case VDA_XP_BAD_UTF8: return "name is not valid UTF-8";
    case VDA_XP_NAME_TOO_LONG: return "name too long";
    case VDA_XP_SIZE_MISMATCH: return "size field differs from the data's length";
    }
    return "?";
}

const char *vda_xfer_result_name(uint32_t result)
{
    switch (result) {
    case VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA: return "can-send-data";
    case VD_AGENT_FILE_XFER_STATUS_CANCELLED: return "cancelled";
    case VD_AGENT_FILE_XFER_STATUS_ERROR: return "error";
    case VD_AGENT_FILE_XFER_STATUS_SUCCESS: return "success";
    case VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE: return "not-enough-space";
    case VD_AGENT_FILE_XFER_STATUS_SESSION_LOCKED: return "session-locked";
    case VD_AGENT_FILE_XFER_STATUS_VDAGENT_NOT_CONNECTED: return "vdagent-not-connected";
    case VD_AGENT_FILE_XFER_STATUS_DISABLED: return "disabled";
    }
    return "unknown";
}

int vda_utf8_valid(const char *str, size_t n)
{
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2; cp = c & 0x1f; min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3; cp = c & 0x0f; min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4; cp = c & 0x07; min = 0x10000;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* GKeyFile's value escapes: \s \n \t \r \\ . Returns the unescaped length, or -1. */
static long unescape(const char *v, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '\\') {
            if (++i >= n)
                return -1;
            switch (v[i]) {
            case 's': c = ' '; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case '\\': c = '\\'; break;
            default: return -1;
            }
        }
        if (o >= cap)
            return -2;
        out[o++] = c;
    }
    return (long)o;
}

static int parse_size(const char *v, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');  /* 19 digits cannot overflow 64 bits */
    }
    if (x > (uint64_t)VDA_XFER_SIZE_MAX)
        return -1;
    *out = x;
    return 0;
}

vda_xp_status vda_xfer_parse_start(const uint8_t *p, size_t n, vda_xfer_start *out)
{
    memset(out, 0, sizeof *out);
    if (n < 4)
        return VDA_XP_SHORT;
    out->id = vda_le32(p);
    const char *kf = (const char *)p + 4;
    size_t len = n - 4;
    if (len > VDA_XFER_START_MAX)
        return VDA_XP_TOO_LONG;
    if (len > 0 && kf[len - 1] == 0)
        len--;  /* spice-gtk sends the terminating NUL */
    if (memchr(kf, 0, len))
        return VDA_XP_NUL;
    int in_group = 0, seen_group = 0, have_name = 0, have_size = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *line = kf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        if (ll > 0 && line[ll - 1] == '\r')
            ll--;
        size_t s = 0;
        while (s < ll && (line[s] == ' ' || line[s] == '\t'))
            s++;
        if (s == ll || line[s] == '#')
            continue;
        if (line[s] == '[') {
            if (line[ll - 1] != ']')
                return VDA_XP_BAD_LINE;
            size_t gl = ll - 1 - (s + 1);
            in_group = gl == strlen(GROUP) && memcmp(line + s + 1, GROUP, gl) == 0;
            seen_group |= in_group;
            continue;
        }
        const char *eq = memchr(line + s, '=', ll - s);
        if (!eq || eq == line + s)
            return VDA_XP_BAD_LINE;
        size_t kl = (size_t)(eq - (line + s));
        while (kl > 0 && (line[s + kl - 1] == ' ' || line[s + kl - 1] == '\t'))
            kl--;
        const char *v = eq + 1;
        size_t vl = ll - (size_t)(v - line);
        while (vl > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            vl--;
        }
        if (!in_group)
            continue;
        const char *key = line + s;
        if (kl == 4 && !memcmp(key, "name", 4)) {
            if (have_name)
                return VDA_XP_DUP_KEY;
            have_name = 1;
            long ul = unescape(v, vl, out->name, VDA_XFER_NAME_MAX);
            if (ul == -1)
                return VDA_XP_BAD_ESCAPE;
            if (ul < 0)
                return VDA_XP_NAME_TOO_LONG;
            out->name[ul] = 0;
            if (!vda_utf8_valid(out->name, (size_t)ul))
                return VDA_XP_BAD_UTF8;
        } else if (kl == 4 && !memcmp(key, "size", 4)) {
            if (have_size)
                return VDA_XP_DUP_KEY;
            have_size = 1;
            if (parse_size(v, vl, &out->size) != 0)
                return VDA_XP_BAD_SIZE;
        }
    }
    if (!seen_group)
        return VDA_XP_NO_GROUP;
    if (!have_name)
        return VDA_XP_NO_NAME;
    if (!have_size)
        return VDA_XP_NO_SIZE;
    return VDA_XP_OK;
}

vda_xp_status vda_xfer_parse_data(const uint8_t *p, size_t n, uint32_t *id,
                                  const uint8_t **data, uint32_t *len)
{
    if (n < VDA_XFER_DATA_HDR)
        return VDA_XP_SHORT;
    *id = vda_le32(p);
    uint64_t size = vda_le64(p + 4);
    if (size != n - VDA_XFER_DATA_HDR)
        return VDA_XP_SIZE_MISMATCH;
    *data = p + VDA_XFER_DATA_HDR;
    *len = (uint32_t)size;
    return VDA_XP_OK;
}

vda_xp_status vda_xfer_parse_status(const uint8_t *p, size_t n, uint32_t *id, uint32_t *result)
{
    if (n < 8)
        return VDA_XP_SHORT;
    *id = vda_le32(p);
    *result = vda_le32(p + 4);
    return VDA_XP_OK;
}

size_t vda_xfer_status_write(uint8_t *out, uint32_t id, uint32_t result, int detailed,
                             uint64_t free_bytes, uint32_t gio_code)
{
    vda_put_le32(out, id);
    vda_put_le32(out + 4, result);
    if (!detailed)
        return 8;
    if (result == VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE) {
        vda_put_le64(out + 8, free_bytes);
        return 16;
    }
    if (result == VD_AGENT_FILE_XFER_STATUS_ERROR) {
        out[8] = VD_AGENT_FILE_XFER_STATUS_ERROR_GLIB_IO;
        vda_put_le32(out + 9, gio_code);
        return 13;
    }
    return 8;
}
