#include "agent/display_driver.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

/* Case-insensitive substring test (PnP ids are ASCII, their case varies). */
static int contains(const char *s, const char *needle)
{
    if (!s) {
        return 0;
    }
    size_t n = strlen(needle);
    for (; *s; s++) {
        size_t k = 0;
        while (k < n && s[k] && tolower((unsigned char)s[k]) == tolower((unsigned char)needle[k])) {
            k++;
        }
        if (k == n) {
            return 1;
        }
    }
    return 0;
}

vda_display_driver vda_display_driver_classify(const char *hardware_id, const char *description)
{
    if (contains(hardware_id, "VEN_1B36&DEV_0100")) {
        return VDA_DRIVER_QXL;
    }
    if (contains(hardware_id, "VEN_1AF4&DEV_1050")) {
        return VDA_DRIVER_VIRTIO_GPU;
    }
    if (hardware_id && hardware_id[0] && contains(hardware_id, "VEN_")) {
        return VDA_DRIVER_OTHER;  /* a PCI id of another device: trust it over the text */
    }
    if (contains(description, "QXL")) {
        return VDA_DRIVER_QXL;
    }
    if (contains(description, "VirtIO GPU")) {
        return VDA_DRIVER_VIRTIO_GPU;
    }
    return VDA_DRIVER_OTHER;
}

vda_display_path vda_display_path_choose(vda_display_driver drv, int wddm_adapter,
                                         const char **why)
{
    switch (drv) {
    case VDA_DRIVER_QXL:
        if (wddm_adapter) {
            *why = "QXL device with a WDDM driver";
            return VDA_DISPLAY_PATH_QXL_WDDM;
        }
        *why = "QXL device, not a WDDM adapter (XPDM driver)";
        return VDA_DISPLAY_PATH_QXL_XPDM;
    case VDA_DRIVER_VIRTIO_GPU:
        *why = "virtio-gpu: it has its own escapes, QXL ones are never sent to it";
        return VDA_DISPLAY_PATH_GENERIC;
    case VDA_DRIVER_OTHER:
        break;
    }
    *why = "not a QXL device";
    return VDA_DISPLAY_PATH_GENERIC;
}

const char *vda_display_path_name(vda_display_path p)
{
    switch (p) {
    case VDA_DISPLAY_PATH_QXL_WDDM: return "qxl-wddm";
    case VDA_DISPLAY_PATH_QXL_XPDM: return "qxl-xpdm";
    case VDA_DISPLAY_PATH_GENERIC: break;
    }
    return "generic";
}

const char *vda_display_driver_name(vda_display_driver d)
{
    switch (d) {
    case VDA_DRIVER_QXL: return "qxl";
    case VDA_DRIVER_VIRTIO_GPU: return "virtio-gpu";
    case VDA_DRIVER_OTHER: break;
    }
    return "other";
}
