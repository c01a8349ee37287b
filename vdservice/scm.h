/* The service control manager side: install, uninstall, the service entry point. */
#ifndef VDS_SCM_H
#define VDS_SCM_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"

int vds_install(const vda_logger *log);
int vds_uninstall(const vda_logger *log);
/* Runs as a service under the SCM; returns the process exit code. */
int vds_service_dispatch(void);

#endif
