#include "agent/device_info.h"

#include <stdio.h>
#include <string.h>

#include "base/le_bytes.h"

#define ENTRY_HDR 16u  /* channel_id, monitor_id, device_display_id, device_address_len */

vda_devinfo_status vda_devinfo_parse(const uint8_t *p, size_t size, vda_devinfo *out,
                                     uint32_t *bad_index)
{
    memset(out, 0, sizeof *out);
    if (bad_index) {
        *bad_index = 0;
    }
    if (size < 4) {
        return VDA_DEVINFO_TOO_SHORT;
    }
    uint32_t count = vda_le32(p);
    if (count > VDA_DEVINFO_MAX) {
        return VDA_DEVINFO_TOO_MANY;
    }
    vda_devinfo tmp;
    memset(&tmp, 0, sizeof tmp);
    size_t off = 4;
    vda_devinfo_status s = VDA_DEVINFO_OK;
    uint32_t i;
    for (i = 0; i < count; i++) {
        if (size - off < ENTRY_HDR) {
            s = VDA_DEVINFO_TRUNCATED;
            break;
        }
        vda_devinfo_entry *e = &tmp.e[i];
        e->channel_id = vda_le32(p + off);
        e->monitor_id = vda_le32(p + off + 4);
        e->device_display_id = vda_le32(p + off + 8);
        uint32_t len = vda_le32(p + off + 12);
        off += ENTRY_HDR;
        if (len > size - off) {
            s = VDA_DEVINFO_TRUNCATED;
            break;
        }
        const uint8_t *a = p + off;
        off += len;
        if (len < 2 || len > VDA_DEVADDR_MAX || a[len - 1] != 0 || memchr(a, 0, len - 1)) {
            s = VDA_DEVINFO_BAD_ADDRESS;
            break;
        }
        memcpy(e->address, a, len);
        if (e->channel_id >= VDA_MONITORS_MAX || e->monitor_id >= VDA_MONITORS_MAX ||
            e->channel_id + e->monitor_id >= VDA_MONITORS_MAX) {
            s = VDA_DEVINFO_BAD_ID;
            break;
        }
        e->display_id = e->channel_id + e->monitor_id;
        for (uint32_t k = 0; k < i; k++) {
            if (tmp.e[k].display_id == e->display_id) {
                s = VDA_DEVINFO_DUPLICATE;
            }
        }
        if (s != VDA_DEVINFO_OK) {
            break;
        }
    }
    if (s != VDA_DEVINFO_OK) {
        if (bad_index) {
            *bad_index = i;
        }
        return s;
    }
    tmp.count = count;
    *out = tmp;
    return VDA_DEVINFO_OK;
}

const char *vda_devinfo_status_str(vda_devinfo_status s)
{
    switch (s) {
    case VDA_DEVINFO_OK: return "ok";
    case VDA_DEVINFO_TOO_SHORT: return "shorter than its count";
    case VDA_DEVINFO_TOO_MANY: return "too many entries";
    case VDA_DEVINFO_TRUNCATED: return "an entry runs past the message";
    case VDA_DEVINFO_BAD_ADDRESS: return "device address not a zero-terminated string";
    case VDA_DEVINFO_BAD_ID: return "display id out of range";
    case VDA_DEVINFO_DUPLICATE: return "two entries for one display id";
    }
    return "unknown";
}

/* Reads 1..max_digits hex digits; returns the characters used, 0 if none. */
static size_t hex(const char *s, size_t max_digits, uint32_t *v)
{
    size_t n = 0;
    *v = 0;
    while (n < max_digits) {
        char c = s[n];
        uint32_t d;
        if (c >= '0' && c <= '9') d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (uint32_t)(c - 'A' + 10);
        else break;
        *v = *v * 16 + d;
        n++;
    }
    return n;
}

int vda_pci_path_parse(const char *s, vda_pci_path *out)
{
    memset(out, 0, sizeof *out);
    if (strncmp(s, "pci/", 4) != 0) {
        return -1;
    }
    s += 4;
    size_t n = hex(s, 4, &out->domain);
    if (n == 0) {
        return -1;
    }
    s += n;
    while (*s) {
        uint32_t slot, func;
        if (*s++ != '/' || out->depth == VDA_PCI_PATH_MAX) {
            return -1;
        }
        n = hex(s, 2, &slot);
        if (n == 0 || slot > 0x1f || s[n] != '.') {
            return -1;
        }
        s += n + 1;
        n = hex(s, 1, &func);
        if (n == 0 || func > 7) {
            return -1;
        }
        s += n;
        out->hop[out->depth].slot = (uint8_t)slot;
        out->hop[out->depth].func = (uint8_t)func;
        out->depth++;
    }
    return out->depth ? 0 : -1;
}

int vda_pci_path_equal(const vda_pci_path *a, const vda_pci_path *b)
{
    if (a->domain != b->domain || a->depth != b->depth) {
        return 0;
    }
    for (uint32_t i = 0; i < a->depth; i++) {
        if (a->hop[i].slot != b->hop[i].slot || a->hop[i].func != b->hop[i].func) {
            return 0;
        }
    }
    return 1;
}

void vda_pci_path_format(const vda_pci_path *p, char *buf, size_t len)
{
    int o = snprintf(buf, len, "pci/%04x", (unsigned)p->domain);
    for (uint32_t i = 0; i < p->depth && o >= 0 && (size_t)o < len; i++) {
        o += snprintf(buf + o, len - (size_t)o, "/%02x.%x", (unsigned)p->hop[i].slot,
                      (unsigned)p->hop[i].func);
    }
}

uint32_t vda_devinfo_map(const vda_devinfo *info, const vda_guest_display *disp, size_t ndisp,
                         uint32_t map[VDA_MONITORS_MAX])
{
    int claimed[VDA_MONITORS_MAX] = {0};
    uint32_t matched = 0;
    if (ndisp > VDA_MONITORS_MAX) {
        ndisp = VDA_MONITORS_MAX;
    }
    for (uint32_t id = 0; id < VDA_MONITORS_MAX; id++) {
        map[id] = VDA_DISPLAY_UNMAPPED;
    }
    for (uint32_t i = 0; info && i < info->count; i++) {
        const vda_devinfo_entry *e = &info->e[i];
        vda_pci_path want;
        if (vda_pci_path_parse(e->address, &want) != 0) {
            continue;
        }
        uint32_t nth = 0;
        for (size_t d = 0; d < ndisp; d++) {
            if (!disp[d].has_path || !vda_pci_path_equal(&disp[d].path, &want)) {
                continue;
            }
            if (nth++ == e->device_display_id) {
                if (!claimed[d]) {
                    map[e->display_id] = (uint32_t)d;
                    claimed[d] = 1;
                    matched++;
                }
                break;
            }
        }
    }
    /* The rest in today's order, over the displays left. */
    size_t next = 0;
    for (uint32_t id = 0; id < VDA_MONITORS_MAX; id++) {
        if (map[id] != VDA_DISPLAY_UNMAPPED) {
            continue;
        }
        while (next < ndisp && claimed[next]) {
            next++;
        }
        if (next == ndisp) {
            break;
        }
        map[id] = (uint32_t)next;
        claimed[next] = 1;
    }
    return matched;
}

int vda_devinterface_instance(const char *iface, char *out, size_t len)
{
    if (strncmp(iface, "\\\\?\\", 4) != 0 && strncmp(iface, "\\\\.\\", 4) != 0) {
        return -1;
    }
    iface += 4;
    const char *end = strrchr(iface, '#');
    if (!end || end[1] != '{' || end == iface) {
        return -1;
    }
    size_t n = (size_t)(end - iface);
    if (n + 1 > len) {
        return -1;
    }
    int hashes = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = iface[i] == '#' ? '\\' : iface[i];
        hashes += iface[i] == '#';
    }
    out[n] = 0;
    return hashes == 2 ? 0 : -1;  /* enumerator#device id#instance */
}
