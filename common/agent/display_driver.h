/* Which display driver a Windows display adapter runs, and which way the agent
 * asks it for a mode (the display back end of vdagent/display_backend.h).
 *
 * The driver is told by the adapter's PnP hardware id (EnumDisplayDevices'
 * DeviceID, e.g. "PCI\VEN_1B36&DEV_0100&SUBSYS_11001AF4&REV_05") and, where
 * the id says nothing, its description (DeviceString):
 *   QXL        PCI 1b36:0100 (Red Hat QXL): qxl-wddm-dod "Red Hat QXL controller"
 *              (Windows 8+), the XPDM qxl driver "Red Hat QXL GPU" (Windows 7)
 *   virtio-gpu PCI 1af4:1050: viogpudo "Red Hat VirtIO GPU DOD controller"
 * Both QXL drivers sit on the same PCI id; the WDDM one is the one whose
 * display opens as a D3DKMT adapter, so that test is made at run time. */
#ifndef VDA_DISPLAY_DRIVER_H
#define VDA_DISPLAY_DRIVER_H

typedef enum vda_display_driver {
    VDA_DRIVER_OTHER = 0,     /* anything else (Wine, VGA, Basic Display) */
    VDA_DRIVER_QXL,
    VDA_DRIVER_VIRTIO_GPU,
} vda_display_driver;

typedef enum vda_display_path {
    VDA_DISPLAY_PATH_GENERIC = 0, /* the closest mode the driver lists */
    VDA_DISPLAY_PATH_QXL_XPDM,    /* ExtEscape, then ChangeDisplaySettingsEx */
    VDA_DISPLAY_PATH_QXL_WDDM,    /* D3DKMTEscape, then CCD */
} vda_display_path;

/* hardware_id and description may be NULL or empty. */
vda_display_driver vda_display_driver_classify(const char *hardware_id, const char *description);

/* The path for a driver; wddm_adapter: the display opened as a D3DKMT adapter
 * (D3DKMTOpenAdapterFromGdiDisplayName). *why (static text) says why, for the
 * log line. */
vda_display_path vda_display_path_choose(vda_display_driver drv, int wddm_adapter,
                                         const char **why);

const char *vda_display_path_name(vda_display_path p);
const char *vda_display_driver_name(vda_display_driver d);

#endif
