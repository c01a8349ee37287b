/* agent_host.exe: the harness (see harness.h) and the dispatch of the scenarios
 * of scenarios.def.
 *
 *   agent_host AGENT_EXE CBTOOL_EXE SCENARIO [ARG...]
 * Images are made and checked with libpng's own simplified API, not the agent's code.
 * Expected data is computed independently (MultiByteToWideChar/WideCharToMultiByte),
 * not with the agent's converter. Exit 0 pass, 1 fail, 77 not run here. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "base/le_bytes.h"
#include "wire/caps.h"
#include "wire/chunk_writer.h"
#include "wire/pipe_proto.h"
#include "win_path.h"

static void dump_agent_log(host *h)
{
    wchar_t path[MAX_PATH];
    tmp_file(h, L"agent.log", path);
    char *log = wtest_read_file(path, NULL);
    if (!log)
        return;
    printf("---- agent log ----\n%s---- end ----\n", log);
    free(log);
}

/* Sends a message; with max_chunks > 0 only its first max_chunks chunks. */
static int send_msg_part(host *h, uint32_t port, uint32_t type, const void *data, uint32_t size,
                         int max_chunks)
{
    static uint8_t buf[64 * VDA_CHUNK_MAX_WIRE];
    vda_msg_writer w;
    vda_msg_writer_init(&w, port, type, 0, data, size);
    int chunks = 0;
    while (!vda_msg_writer_done(&w)) {
        size_t cap = sizeof buf;
        if (max_chunks > 0) {
            if (chunks >= max_chunks)
                break;
            size_t left = (size_t)(max_chunks - chunks);
            if (left < 64)
                cap = left * VDA_CHUNK_MAX_WIRE;
        }
        size_t n = vda_msg_writer_next(&w, buf, cap);
        chunks += (int)((n + VDA_CHUNK_MAX_WIRE - 1) / VDA_CHUNK_MAX_WIRE);
        if (!pipe_host_write_all(&h->io, buf, n, WRITE_TIMEOUT_MS))
            return 0;
    }
    return 1;
}

int send_msg(host *h, uint32_t type, const void *data, uint32_t size)
{
    return send_msg_part(h, VDP_CLIENT_PORT, type, data, size, 0);
}

/* Waits for a message of `type` (others are reported and skipped). */
int expect(host *h, uint32_t type, DWORD timeout_ms, vda_message *m)
{
    DWORD start = GetTickCount();
    for (;;) {
        DWORD spent = GetTickCount() - start;
        if (spent >= timeout_ms || !pipe_host_next_msg(&h->io, timeout_ms - spent, m)) {
            printf("host: no message of type %u within %lu ms\n", type,
                   (unsigned long)timeout_ms);
            return 0;
        }
        if (m->type == type)
            return 1;
        if (m->type == VD_AGENT_CLIPBOARD_GRAB && m->size >= 4)
            h->next_serial = vda_le32(m->data) + 1;  /* the agent's grab advanced it */
        printf("host: (skipping message type %u, %u bytes)\n", m->type, m->size);
        free(m->data);
    }
}

/* Reads and drops messages until none came for quiet_ms. When caps arrive the
 * agent may offer what is already on the guest clipboard (an earlier test's data);
 * a test that is about to copy something new drains that first, so the GRAB it
 * then waits for is the one its own copy caused. */
void drain_quiet(host *h, DWORD quiet_ms)
{
    vda_message m;
    while (pipe_host_next_msg(&h->io, quiet_ms, &m)) {
        if (m.type == VD_AGENT_CLIPBOARD_GRAB && m.size >= 4)
            h->next_serial = vda_le32(m.data) + 1;
        printf("host: (draining message type %u, %u bytes)\n", m.type, m.size);
        free(m.data);
    }
}

size_t client_caps(uint8_t *buf, uint32_t request, int crlf)
{
    vda_caps c;
    vda_caps_clear(&c);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB);
    vda_caps_set(&c, VD_AGENT_CAP_MAX_CLIPBOARD);
    if (crlf)
        vda_caps_set(&c, VD_AGENT_CAP_GUEST_LINEEND_CRLF);
    return vda_caps_write(&c, request, buf);
}

int send_caps(host *h, uint32_t request, int crlf)
{
    uint8_t buf[64];
    size_t n = client_caps(buf, request, crlf);
    return send_msg(h, VD_AGENT_ANNOUNCE_CAPABILITIES, buf, (uint32_t)n);
}

int send_grab(host *h, uint32_t type)
{
    h->last_grab = type;
    uint8_t buf[8];
    vda_put_le32(buf, h->next_serial++);
    vda_put_le32(buf + 4, type);
    return send_msg(h, VD_AGENT_CLIPBOARD_GRAB, buf, 8);
}

int send_data(host *h, uint32_t type, const uint8_t *data, size_t len, int max_chunks)
{
    uint8_t *p = malloc(len + 4);
    if (!p)
        return 0;
    vda_put_le32(p, type);
    memcpy(p + 4, data, len);
    int ok = send_msg_part(h, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, p, (uint32_t)(len + 4),
                           max_chunks);
    free(p);
    return ok;
}

int send_disconnected(host *h)
{
    return send_msg_part(h, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0, 0);
}

/* Starts cbtool.exe VERB "FILE"[EXTRA] (EXTRA: more options, with a leading space).
 * Returns its process handle, or NULL (logged). */
HANDLE cbtool(const host *h, const wchar_t *verb, const wchar_t *file,
                     const wchar_t *extra)
{
    wchar_t args[MAX_PATH + 40];
    _snwprintf(args, MAX_PATH + 39, L"%ls \"%ls\"%ls", verb, file, extra ? extra : L"");
    args[MAX_PATH + 39] = 0;
    PROCESS_INFORMATION pi;
    if (!pipe_host_start_process(h->cbtool_exe, args, &pi))
        return NULL;
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

/* Exit code, or -1 on timeout (then it is killed). */
int wait_exit(HANDLE p, DWORD timeout_ms)
{
    if (WaitForSingleObject(p, timeout_ms) != WAIT_OBJECT_0) {
        TerminateProcess(p, 99);
        CloseHandle(p);
        return -1;
    }
    DWORD code = 1;
    GetExitCodeProcess(p, &code);
    CloseHandle(p);
    return (int)code;
}

/* Waits until the agent owns the clipboard (its window, after the client's grab)
 * and offers cf. Checking the owner matters: the clipboard may still hold an
 * earlier test's data in the same format. */
static int agent_offers(const host *h, UINT cf)
{
    HWND owner = GetClipboardOwner();
    DWORD pid = 0;
    if (owner)
        GetWindowThreadProcessId(owner, &pid);
    return pid == h->io.agent.dwProcessId && IsClipboardFormatAvailable(cf);
}

int wait_format_of(host *h, UINT cf, DWORD timeout_ms)
{
    DWORD start = GetTickCount();
    int regrabs = 0;
    while (GetTickCount() - start < timeout_ms) {
        if (agent_offers(h, cf))
            return 1;
        Sleep(20);
        /* Under Wine, the X11 clipboard sync can take the clipboard back right after
         * the agent took it (the agent then sees a guest change, as it should). A
         * client would grab again on its next copy; so does this host, twice at most. */
        if (GetTickCount() - start > 1000u * (regrabs + 1) && regrabs < 2 && h->last_grab) {
            regrabs++;
            printf("host: note: the agent does not own the clipboard 1 s after the grab "
                   "(Wine's X11 clipboard sync took it); grabbing again\n");
            send_grab(h, h->last_grab);
        }
    }
    return 0;
}

void tmp_file(host *h, const wchar_t *name, wchar_t *out)
{
    _snwprintf(out, MAX_PATH - 1, L"%ls%ls", h->dir, name);
    out[MAX_PATH - 1] = 0;
}

int spit(const wchar_t *path, const void *data, size_t size)
{
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return 0;
    DWORD put = 0;
    int ok = WriteFile(f, data, (DWORD)size, &put, NULL) && put == size;
    CloseHandle(f);
    return ok;
}

/* Mixed text: ASCII words, CJK, emoji outside the BMP, LF line ends; exactly n bytes
 * of valid UTF-8. */
uint8_t *make_text(size_t n, uint32_t seed)
{
    static const char *const parts[] = {
        "hello ", "SPICE ", "clipboard ", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e ",
        "\xf0\x9f\x98\x80 ", "caf\xc3\xa9 ", "\n", "0123456789 ", "\xe2\x82\xac ",
    };
    uint8_t *p = malloc(n + 1);
    size_t o = 0;
    uint32_t x = seed * 2654435761u + 7;
    while (p && o < n) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        const char *s = parts[x % (sizeof parts / sizeof parts[0])];
        size_t k = strlen(s);
        if (o + k > n) {
            memset(p + o, 'x', n - o);
            o = n;
            break;
        }
        memcpy(p + o, s, k);
        o += k;
    }
    return p;
}

/* UTF-16 of UTF-8 text, computed by Windows itself; with crlf, LF -> CRLF. */
WCHAR *expected_utf16(const uint8_t *t, size_t n, int crlf, size_t *units)
{
    int k = n ? MultiByteToWideChar(CP_UTF8, 0, (const char *)t, (int)n, NULL, 0) : 0;
    WCHAR *w = malloc(((size_t)k + 1) * sizeof(WCHAR) * (crlf ? 2 : 1));
    if (!w)
        return NULL;
    if (k)
        MultiByteToWideChar(CP_UTF8, 0, (const char *)t, (int)n, w, k);
    if (crlf) {
        WCHAR *o = w + k;  /* second half as scratch, then expand from the back */
        memcpy(o, w, (size_t)k * sizeof(WCHAR));
        size_t j = 0;
        for (int i = 0; i < k; i++) {
            if (o[i] == L'\n' && (i == 0 || o[i - 1] != L'\r'))
                w[j++] = L'\r';
            w[j++] = o[i];
        }
        *units = j;
    } else {
        *units = (size_t)k;
    }
    return w;
}

/* The client grabs text and cbtool starts a guest paste into out (a temp file
 * named out_name): 1 once the agent's REQUEST for it came; *cb is cbtool, still
 * waiting for the data. On failure cbtool is gone. */
int start_text_paste(host *h, const wchar_t *out_name, wchar_t *out, HANDLE *cb)
{
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("no CF_UNICODETEXT offered");
    tmp_file(h, out_name, out);
    *cb = cbtool(h, L"get-text", out, NULL);
    vda_message m;
    if (!*cb || !expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m)) {
        if (*cb)
            wait_exit(*cb, 0);
        FAIL("no REQUEST for the paste");
    }
    free(m.data);
    return 1;
}

/* Pastes in cbtool while serving the agent's REQUEST with data; checks the result. */
int paste_and_check(host *h, const uint8_t *text, size_t n, int crlf_cap,
                           const wchar_t *out_name)
{
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("the agent did not offer CF_UNICODETEXT after the client's grab");
    wchar_t out[MAX_PATH];
    tmp_file(h, out_name, out);
    DeleteFileW(out);
    DWORD t0 = GetTickCount();
    HANDLE cb = cbtool(h, L"get-text", out, NULL);
    if (!cb)
        return 0;
    vda_message m;
    if (!expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m)) {
        wait_exit(cb, 0);
        FAIL("no REQUEST from the agent for the paste");
    }
    uint32_t type = m.size == 4 ? vda_le32(m.data) : 0;
    free(m.data);
    if (type != VD_AGENT_CLIPBOARD_UTF8_TEXT)
        FAIL("REQUEST for type %u, not UTF8_TEXT", type);
    if (!send_data(h, VD_AGENT_CLIPBOARD_UTF8_TEXT, text, n, 0))
        FAIL("cannot send the data");
    int code = wait_exit(cb, 60000);
    DWORD ms = GetTickCount() - t0;
    if (code != 0)
        FAIL("cbtool get-text exit %d", code);
    size_t got_size = 0;
    uint8_t *got = wtest_read_file(out, &got_size);
    size_t units;
    WCHAR *exp = expected_utf16(text, n, !crlf_cap, &units);
    int ok = got && exp && got_size == units * 2 && memcmp(got, exp, got_size) == 0;
    if (!ok) {
        size_t i = 0;
        while (got && exp && i * 2 < got_size && i < units && ((WCHAR *)got)[i] == exp[i])
            i++;
        printf("FAIL: pasted text differs: %zu bytes, expected %zu; first difference at unit %zu\n",
               got_size, units * 2, i);
    } else {
        printf("ok: paste of %zu bytes UTF-8 -> %zu UTF-16 units exact, %lu ms\n", n, units,
               (unsigned long)ms);
    }
    free(got);
    free(exp);
    return ok;
}

static int start(host *h, const char *name_suffix)
{
    wchar_t name[128], args[1024];
    _snwprintf(name, 127, L"vda-agent-test-%lu-%hs", (unsigned long)GetCurrentProcessId(),
               name_suffix);
    name[127] = 0;
    if (!pipe_host_create(&h->io, name, 1 << 20))
        FAIL("CreateNamedPipe (%lu)", (unsigned long)GetLastError());
    wchar_t logw[MAX_PATH];
    tmp_file(h, L"agent.log", logw);
    DeleteFileW(logw);
    _snwprintf(args, 1023, L"--pipe %ls --log-level debug --log-file \"%ls\"", name, logw);
    args[1023] = 0;
    printf("host: starting vdagent.exe %ls\n", args);
    if (!pipe_host_start_process(h->agent_exe, args, &h->io.agent))
        FAIL("cannot start the agent");
    DWORD e = pipe_host_connect(&h->io, 15000);
    if (e == WAIT_TIMEOUT)
        FAIL("the agent did not connect");
    if (e != 0)
        FAIL("ConnectNamedPipe (%lu)", (unsigned long)e);
    vda_message m;
    if (!expect(h, VD_AGENT_ANNOUNCE_CAPABILITIES, 10000, &m))
        FAIL("no capabilities from the agent");
    uint32_t req = 0;
    vda_caps c;
    vda_caps_parse(m.data, m.size, &req, &c);
    free(m.data);
    if (h->io.hello_pid != h->io.agent.dwProcessId)
        FAIL("HELLO pid %u, agent pid %lu", h->io.hello_pid, (unsigned long)h->io.agent.dwProcessId);
    if (req != 1 || !vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND) ||
        !vda_caps_has(&c, VD_AGENT_CAP_GUEST_LINEEND_CRLF))
        FAIL("agent caps: request %u, words %u", req, c.count);
    printf("host: agent pid %u said HELLO and announced caps word0=0x%08x (request=1)\n",
           h->io.hello_pid, c.words[0]);
    return 1;
}

static void stop(host *h)
{
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    if (WaitForSingleObject(h->io.agent.hProcess, 15000) != WAIT_OBJECT_0) {
        printf("host: the agent did not exit on STOP: killing it\n");
        TerminateProcess(h->io.agent.hProcess, 99);
    }
    CloseHandle(h->io.pipe);
}

/* ---- the scenarios of scenarios.def ---- */

/* The command's i-th word (0: the scenario word) as a number; def when it is
 * missing or 0. */
#define ARG(i, def) (argc > (i) && strtoul(argv[i], NULL, 10) ? strtoul(argv[i], NULL, 10) : (def))
#define WORD(i, w) (argc > (i) && !strcmp(argv[i], (w)))

#define SCENARIO(name, label, fixture, start, command, call)                             \
    static int run_##name(host *h, int argc, char **argv)                                 \
    {                                                                                     \
        (void)argc;                                                                       \
        (void)argv;                                                                       \
        return call;                                                                      \
    }
#include "scenarios.def"
#undef SCENARIO

typedef struct scenario {
    const char *command;   /* scenario word and arguments */
    int start_agent;
    int (*run)(host *h, int argc, char **argv);
} scenario;

#define START_agent 1
#define START_none 0
#define SCENARIO(name, label, fixture, start, command, call) { command, START_##start, run_##name },
static const scenario scenarios[] = {
#include "scenarios.def"
};
#undef SCENARIO

/* The line whose command is exactly argv[0..argc-1], else the first with the
 * same scenario word; NULL if none. */
static const scenario *find_scenario(int argc, char **argv)
{
    char cmd[256] = "";
    for (int i = 0; i < argc; i++)
        snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), "%s%s", i ? " " : "", argv[i]);
    const scenario *same_word = NULL;
    size_t n = strlen(argv[0]);
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const char *c = scenarios[i].command;
        if (!strcmp(c, cmd))
            return &scenarios[i];
        if (!same_word && !strncmp(c, argv[0], n) && (c[n] == ' ' || c[n] == 0))
            same_word = &scenarios[i];
    }
    return same_word;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 4) {
        printf("usage: agent_host AGENT_EXE CBTOOL_EXE SCENARIO [ARG]\n");
        return 1;
    }
    const char *sc = argv[3];
    const scenario *s = find_scenario(argc - 3, argv + 3);
    if (!s) {
        printf("unknown scenario %s\n", sc);
        return 1;
    }
    host *h = calloc(1, sizeof *h);
    vda_logger log = { 0 };
    log.max_level = VDA_LOG_WARN;
    log.sink = vda_log_sink_stdio;
    log.component = "host";
    pipe_host_init(&h->io, &log, 512u << 20);
    win_path_from_unix(argv[1], h->agent_exe);
    win_path_from_unix(argv[2], h->cbtool_exe);
    wchar_t tmp[MAX_PATH];
    GetTempPathW(MAX_PATH, tmp);
    _snwprintf(h->dir, MAX_PATH - 1, L"%lsvda-agent-%lu-", tmp, (unsigned long)GetCurrentProcessId());
    if (!s->start_agent) {  /* no agent to start: the scenario runs it itself */
        int ok = s->run(h, argc - 3, argv + 3);
        printf("%s: %s\n", sc, ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }
    if (!start(h, sc)) {
        dump_agent_log(h);
        return 1;
    }
    int ok = s->run(h, argc - 3, argv + 3);
    stop(h);
    if (ok == 77) {
        printf("%s: NOT RUN here (skipped)\n", sc);
        return 77;
    }
    if (!ok)
        dump_agent_log(h);
    printf("%s: %s\n", sc, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
