/* vdservice settings: the defaults, then the registry's Parameters over them. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "logging.h"

void vds_config_defaults(vds_config *c)
{
    ZeroMemory(c, sizeof *c);
    wcscpy(c->device, VDS_DEFAULT_DEVICE);
    DWORD n = GetModuleFileNameW(NULL, c->agent, MAX_PATH);
    wchar_t *slash = n > 0 && n < MAX_PATH ? wcsrchr(c->agent, L'\\') : NULL;
    if (slash && (size_t)(slash - c->agent) + 13 < MAX_PATH)
        wcscpy(slash + 1, L"vdagent.exe");
    else
        wcscpy(c->agent, L"vdagent.exe");
    c->level = VDA_LOG_INFO;
}

static void bad_setting(vds_config *c, const wchar_t *name, const char *fmt, ...)
    VDA_PRINTF(3, 4);
static void bad_setting(vds_config *c, const wchar_t *name, const char *fmt, ...)
{
    if (c->n_bad_settings >= sizeof c->bad_settings / sizeof c->bad_settings[0])
        return;
    char n[64], why[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(c->bad_settings[c->n_bad_settings++], sizeof c->bad_settings[0],
             "registry value %s ignored: %s; the default stays", vdw_narrow(name, n, sizeof n),
             why);
}

/* Returns 1 when `out` was set, 0 when the value is absent, -1 when it is there
 * but unusable (noted in c->bad_settings). */
static int reg_string(vds_config *c, HKEY key, const wchar_t *name, wchar_t *out, DWORD cap)
{
    wchar_t buf[MAX_PATH + 1]; /* + 1: a terminator the value may lack */
    DWORD type = 0, size = sizeof buf - sizeof(wchar_t);
    LONG err = RegQueryValueExW(key, name, NULL, &type, (BYTE *)buf, &size);
    if (err == ERROR_FILE_NOT_FOUND)
        return 0;
    if (err == ERROR_MORE_DATA) {
        bad_setting(c, name, "longer than %u characters", (unsigned)cap - 1);
        return -1;
    }
    if (err != ERROR_SUCCESS) {
        bad_setting(c, name, "unreadable (error %ld)", (long)err);
        return -1;
    }
    if (type != REG_SZ && type != REG_EXPAND_SZ) {
        bad_setting(c, name, "type %lu is not a string", (unsigned long)type);
        return -1;
    }
    buf[size / sizeof(wchar_t)] = 0;
    if (type == REG_EXPAND_SZ) {
        wchar_t exp[MAX_PATH];
        DWORD n = ExpandEnvironmentStringsW(buf, exp, MAX_PATH);
        if (n == 0 || n > MAX_PATH) {
            bad_setting(c, name, "too long once expanded");
            return -1;
        }
        wcscpy(buf, exp);
    }
    if (!buf[0]) {
        bad_setting(c, name, "empty");
        return -1;
    }
    if (wcslen(buf) >= cap) {
        bad_setting(c, name, "longer than %u characters", (unsigned)cap - 1);
        return -1;
    }
    wcscpy(out, buf);
    return 1;
}

void vds_config_from_registry(vds_config *c)
{
    HKEY key;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, VDS_PARAMS_KEY, 0, KEY_READ, &key) != ERROR_SUCCESS)
        return;
    reg_string(c, key, L"DevicePath", c->device, MAX_PATH);
    reg_string(c, key, L"AgentPath", c->agent, MAX_PATH);
    wchar_t level[16] = L"";
    if (reg_string(c, key, L"LogLevel", level, 16) == 1) {
        char narrow[64];
        int lv = vda_log_level_parse(vdw_narrow(level, narrow, sizeof narrow));
        if (lv >= 0)
            c->level = (vda_log_level)lv;
        else
            bad_setting(c, L"LogLevel", "'%s' is not error, warn, info or debug", narrow);
    }
    wchar_t roles[16] = L"";
    if (reg_string(c, key, L"AgentRoles", roles, 16) == 1) {
        if (wcscmp(roles, L"single") == 0)
            c->single_agent = 1;
        else if (wcscmp(roles, L"split") != 0)
            bad_setting(c, L"AgentRoles", "is neither 'split' (default) nor 'single'");
    }
    RegCloseKey(key);
}
