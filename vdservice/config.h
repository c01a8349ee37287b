/* vdservice settings: defaults, then the registry's Parameters over them. */
#ifndef VDS_CONFIG_H
#define VDS_CONFIG_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"

#define VDS_SERVICE_NAME L"spice-agent"
#define VDS_DISPLAY_NAME L"SPICE Guest Agent"
#define VDS_DEFAULT_DEVICE L"\\\\.\\Global\\com.redhat.spice.0"
#define VDS_PARAMS_KEY L"SYSTEM\\CurrentControlSet\\Services\\spice-agent\\Parameters"

typedef struct vds_config {
    wchar_t device[MAX_PATH];
    wchar_t agent[MAX_PATH];
    int run_mode;              /* foreground: agent in the caller's session, log to stderr too */
    int single_agent;          /* one agent process with every feature (--role all), as
                                  before the two roles; default: the two roles */
    vda_log_level level;
    /* Registry values that are there but unusable: the default stays, and each
     * gets one log line once the log is open (it is not yet while reading). */
    char bad_settings[3][160];
    unsigned n_bad_settings;
} vds_config;

/* Fills defaults: the production device, vdagent.exe beside this exe, info level. */
void vds_config_defaults(vds_config *c);

/* Registry Parameters over defaults; missing values keep the defaults, and so
 * do unusable ones (noted in bad_settings). */
void vds_config_from_registry(vds_config *c);

#endif
