/* vdagent.exe: the per-session SPICE agent. vdservice starts it as
 *   vdagent.exe --pipe NAME [--log-level LEVEL] [--log-file PATH] [--clipboard-limit MIB]
 *               [--settings-key KEY] [--test-no-explorer] [--role system|user|all]
 * It connects to \\.\pipe\NAME, says HELLO, announces its capabilities and runs
 * one event loop until the service says STOP or the pipe goes away. */
#include "app.h"
#include "vda_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CLIPBOARD_LIMIT_MIB 256u

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vdagent.exe --pipe NAME [options]\n"
            "  --pipe NAME             connect to \\\\.\\pipe\\NAME (vdservice passes it)\n"
            "  --role ROLE             system: pointer and monitors only (vdservice runs it\n"
            "                          as SYSTEM); user: clipboard, files, display settings,\n"
            "                          audio; all (default): everything in one process\n"
            "  --log-level LEVEL       error, warn, info (default) or debug\n"
            "  --log-file PATH         also log to PATH (rotated at 4 MiB); %%VARS%% are\n"
            "                          expanded (vdservice passes %%TEMP%%\\vdagent.log)\n"
            "  --clipboard-limit MIB   largest clipboard data accepted from the client\n"
            "                          (default %u)\n"
            "  --settings-key KEY      read the file-transfer settings from HKCU\\KEY instead\n"
            "                          of the service's Parameters key (tests)\n"
            "  --test-no-explorer      log, but do not start, the Explorer window that\n"
            "                          shows received files (tests)\n"
            "  --version               print the version\n"
            "  --help                  this text\n",
            DEFAULT_CLIPBOARD_LIMIT_MIB);
}

/* --role: which part of the agent this process is (README: the two roles). */
enum { ROLE_ALL, ROLE_SYSTEM, ROLE_USER };
static const char *const role_names[] = { "all", "system", "user" };

typedef struct options {
    const char *pipe;
    int level;
    const char *log_file;
    unsigned long limit_mib;
    const char *settings_key;
    int no_explorer;
    int role;                 /* ROLE_* */
} options;

/* 0: run; 1: exit 0 (help); 2: bad usage. */
static int parse_args(int argc, char **argv, options *o)
{
    o->pipe = NULL;
    o->level = VDA_LOG_INFO;
    o->log_file = NULL;
    o->limit_mib = DEFAULT_CLIPBOARD_LIMIT_MIB;
    o->settings_key = NULL;
    o->no_explorer = 0;
    o->role = ROLE_ALL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "--version")) {
            printf("vdagent %s\n", VDA_VERSION_STRING);
            return 1;
        } else if (!strcmp(a, "--pipe") && v) {
            o->pipe = v;
            i++;
        } else if (!strcmp(a, "--log-level") && v) {
            o->level = vda_log_level_parse(v);
            if (o->level < 0) {
                fprintf(stderr, "vdagent: unknown log level '%s'\n", v);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--settings-key") && v && *v && strlen(v) < 200) {
            o->settings_key = v;
            i++;
        } else if (!strcmp(a, "--role") && v) {
            if (!strcmp(v, "all"))
                o->role = ROLE_ALL;
            else if (!strcmp(v, "system"))
                o->role = ROLE_SYSTEM;
            else if (!strcmp(v, "user"))
                o->role = ROLE_USER;
            else {
                fprintf(stderr, "vdagent: unknown --role '%s' (system, user or all)\n", v);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--test-no-explorer")) {
            o->no_explorer = 1;
        } else if (!strcmp(a, "--log-file") && v) {
            o->log_file = v;
            i++;
        } else if (!strcmp(a, "--clipboard-limit") && v) {
            char *end;
            o->limit_mib = strtoul(v, &end, 10);
            if (*end || o->limit_mib == 0 || o->limit_mib > 4000) {
                fprintf(stderr, "vdagent: bad --clipboard-limit '%s' (1..4000 MiB)\n", v);
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "vdagent: unknown or incomplete argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!o->pipe || !*o->pipe || strlen(o->pipe) > 200) {
        fprintf(stderr, "vdagent: --pipe NAME is required\n");
        usage(stderr);
        return 2;
    }
    return 0;
}

/* --log-file with %VARS% expanded, as UTF-8 (what vda_log_file takes): the
 * service names the user's %TEMP%, which only the agent's environment knows. */
static int log_file_path(const char *arg, char *out, int cap)
{
    wchar_t raw[MAX_PATH], full[MAX_PATH];
    if (!MultiByteToWideChar(CP_ACP, 0, arg, -1, raw, MAX_PATH))
        return -1;
    DWORD n = ExpandEnvironmentStringsW(raw, full, MAX_PATH);
    if (n == 0 || n > MAX_PATH)
        return -1;
    return WideCharToMultiByte(CP_UTF8, 0, full, -1, out, cap, NULL, NULL) > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    options o;
    int r = parse_args(argc, argv, &o);
    if (r)
        return r == 1 ? 0 : 2;

    vdg_app *app = calloc(1, sizeof *app);  /* big (pipe buffers): not on the stack */
    if (!app)
        return 1;
    vda_logger err_log = { (vda_log_level)o.level, vda_log_sink_stdio, stderr, "vdagent" };
    vda_log_file lf;
    app->log = err_log;
    char log_path[MAX_PATH * 3];
    if (o.log_file) {
        if (log_file_path(o.log_file, log_path, sizeof log_path) == 0 &&
            vda_log_file_open(&lf, log_path, 4u << 20) == 0) {
            lf.tee = &err_log;
            app->log.sink = vda_log_file_sink;
            app->log.ctx = &lf;
        } else {
            vda_warn(&err_log, "cannot open log file %s: logging to stderr only", o.log_file);
            o.log_file = NULL;
        }
    }
    app->clip_max = (uint64_t)o.limit_mib << 20;

    wchar_t name[256];
    MultiByteToWideChar(CP_UTF8, 0, o.pipe, -1, name, 256);
    name[255] = 0;
    vda_info(&app->log, "vdagent starting (pid %lu, pipe %s, role %s, clipboard limit %lu MiB)",
             (unsigned long)GetCurrentProcessId(), o.pipe, role_names[o.role], o.limit_mib);
    int sys = o.role == ROLE_SYSTEM;
    if (sys)
        app->clip_max = SYSTEM_ROLE_MAX_MSG;  /* only small fixed-size messages */

    int rc = 1;
    /* The system role runs as SYSTEM: no clipboard window, no file transfer. */
    if (!sys && vdg_clipboard_init(app) != 0)
        goto out;
    if (vdg_pipe_open(&app->pipe, name, 10000, &app->log) != 0)
        goto out_window;
    vda_agent_ops ops;
    vdg_app_ops(app, &ops);
    if (sys)
        ops.client_attached = NULL;   /* no clipboard to offer */
    vda_agent_init(&app->agent, &ops, app->clip_max, &app->log);
    if (sys)
        vda_agent_system_role(&app->agent);
    /* before the caps go out */
    vdg_input_features_init_parts(&app->input, &app->agent, &app->log,
                                  o.role == ROLE_ALL ? VDG_FEAT_ALL
                                  : sys ? VDG_FEAT_POINTER_DISPLAY : VDG_FEAT_USER_SETTINGS);
    wchar_t settings_key[256];
    vdg_xfer_options xo = { NULL, o.no_explorer };
    if (o.settings_key) {
        MultiByteToWideChar(CP_UTF8, 0, o.settings_key, -1, settings_key, 256);
        settings_key[255] = 0;
        xo.settings_key = settings_key;
    }
    if (!sys)
        vdg_xfer_init(&app->xfer, &app->agent, &xo, &app->log);  /* logged; off on failure */
    vda_agent_start(&app->agent);

    vdg_loop_wait(app, NULL, INFINITE);
    vda_info(&app->log, "leaving (%s)", app->pipe.broken ? "pipe closed" : "stop");

    vdg_clipboard_destroy(app);   /* renders delayed formats while the pipe still works */
    vdg_input_features_cleanup(&app->input);  /* the user's display settings back */
    vdg_pipe_flush(&app->pipe, EXIT_FLUSH_MS);
    vda_agent_free(&app->agent);   /* ends transfers: their partial files are deleted */
    vdg_xfer_shutdown(&app->xfer);
    vdg_pipe_close(&app->pipe);
    rc = 0;
    goto out;
out_window:
    vdg_clipboard_destroy(app);
out:
    if (o.log_file)
        vda_log_file_close(&lf);
    free(app);
    return rc;
}
