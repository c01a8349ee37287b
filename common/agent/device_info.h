/* VD_AGENT_GRAPHICS_DEVICE_INFO: which guest display a client display id means.
 *
 * spice-server sends, per (channel_id, monitor_id), the display device's
 * address ("pci/0000/02.0"; behind bridges "pci/0000/1e.0/01.0": the
 * slot.function of every hop from the root bus) and the output's index on that
 * device (device_display_id). The client's display id (MONITORS_CONFIG index,
 * VDAgentMouseState.display_id) is channel_id + monitor_id: SPICE has either
 * one display channel with several monitors or one channel per monitor.
 *
 * The guest side gives, per Windows display (GDI order), the PCI path of its
 * adapter; displays of one adapter are its outputs in GDI order. */
#ifndef VDA_DEVICE_INFO_H
#define VDA_DEVICE_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "agent/monitors_layout.h"

/* Entries accepted in one message (ids past VDA_MONITORS_MAX could not be used). */
#define VDA_DEVINFO_MAX VDA_MONITORS_MAX
/* Longest device address, terminator included ("pci/0000/" + 8 hops is ~45). */
#define VDA_DEVADDR_MAX 128
/* PCI hops (bridges + the device) we follow. */
#define VDA_PCI_PATH_MAX 8
/* A display id with no guest display. */
#define VDA_DISPLAY_UNMAPPED UINT32_MAX

typedef struct vda_pci_path {
    uint32_t domain;
    uint32_t depth;                           /* hops used */
    struct { uint8_t slot, func; } hop[VDA_PCI_PATH_MAX];
} vda_pci_path;

typedef struct vda_devinfo_entry {
    uint32_t channel_id, monitor_id, device_display_id;
    uint32_t display_id;                      /* channel_id + monitor_id */
    char address[VDA_DEVADDR_MAX];
} vda_devinfo_entry;

typedef struct vda_devinfo {
    uint32_t count;
    vda_devinfo_entry e[VDA_DEVINFO_MAX];
} vda_devinfo;

typedef enum vda_devinfo_status {
    VDA_DEVINFO_OK = 0,
    VDA_DEVINFO_TOO_SHORT,      /* no room for the count */
    VDA_DEVINFO_TOO_MANY,       /* count > VDA_DEVINFO_MAX */
    VDA_DEVINFO_TRUNCATED,      /* an entry or its address runs past the payload */
    VDA_DEVINFO_BAD_ADDRESS,    /* address empty, too long, not zero-terminated or with an inner NUL */
    VDA_DEVINFO_BAD_ID,         /* channel_id + monitor_id >= VDA_MONITORS_MAX */
    VDA_DEVINFO_DUPLICATE,      /* two entries for one display id */
} vda_devinfo_status;

/* Validates everything before trusting anything; on error *out is empty
 * (count 0) and *bad_index (may be NULL) names the entry. Bytes after the last
 * entry are ignored. */
vda_devinfo_status vda_devinfo_parse(const uint8_t *p, size_t size, vda_devinfo *out,
                                     uint32_t *bad_index);
const char *vda_devinfo_status_str(vda_devinfo_status s);

/* "pci/DDDD/SS.F[/SS.F...]" (hex; slot <= 0x1f, function <= 7). 0, or -1. */
int vda_pci_path_parse(const char *s, vda_pci_path *out);
int vda_pci_path_equal(const vda_pci_path *a, const vda_pci_path *b);
/* The same text form, for logs. */
void vda_pci_path_format(const vda_pci_path *p, char *buf, size_t len);

/* A device interface path as EnumDisplayDevices(EDD_GET_DEVICE_INTERFACE_NAME)
 * reports an adapter ("\\?\PCI#VEN_1B36&DEV_0100&...#3&267a616a&0&10#{guid}")
 * -> its PnP instance id ("PCI\VEN_1B36&DEV_0100&...\3&267a616a&0&10").
 * 0, or -1 when it is not of that form or does not fit out[len]. */
int vda_devinterface_instance(const char *iface, char *out, size_t len);

typedef struct vda_guest_display {
    int has_path;             /* the adapter's PCI location is known */
    vda_pci_path path;
} vda_guest_display;

/* map[display_id] = guest display index, for display ids 0..VDA_MONITORS_MAX-1.
 * info NULL or empty: today's order (id i = display i). Otherwise an entry's
 * id gets the device_display_id-th display (GDI order) of the adapter at its
 * address; the ids left over (not in the message, or no adapter matched) get
 * the displays nobody claimed, in order. Displays past ndisp are never named.
 * Returns how many entries matched an adapter. */
uint32_t vda_devinfo_map(const vda_devinfo *info, const vda_guest_display *disp, size_t ndisp,
                         uint32_t map[VDA_MONITORS_MAX]);

#endif
