/* agent_host scenarios: the agent's end (STOP with a render or a paste
 * pending, rendering on exit) and its command line. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "service/launch_policy.h"
#include "base/le_bytes.h"
#include "wire/caps.h"
#include "wire/chunk_writer.h"

/* STOP while owning delayed text and the client never answers: the agent still
 * exits within the 3 s vdservice allows. */
int sc_stop_unanswered(host *h)
{
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("no CF_UNICODETEXT offered");
    DWORD t0 = GetTickCount();
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    DWORD r = WaitForSingleObject(h->io.agent.hProcess, 10000);
    DWORD ms = GetTickCount() - t0;
    DWORD code = 99;
    GetExitCodeProcess(h->io.agent.hProcess, &code);
    if (r != WAIT_OBJECT_0 || ms > 3000 || code != 0)
        FAIL("STOP with an unanswered render: exit %lu after %lu ms (limit 3000)",
             (unsigned long)code, (unsigned long)ms);
    printf("ok: STOP with an unanswered render: exit code 0 after %lu ms\n", (unsigned long)ms);
    return 1;
}

/* STOP while a guest paste waits for the client's data (the client never
 * answers): vdservice kills the agent 3 s after STOP, so the wait must give way
 * and the agent must exit cleanly within that; the paste returns empty. */
int sc_stop_during_paste(host *h)
{
    wchar_t out[MAX_PATH];
    HANDLE cb;
    if (!start_text_paste(h, L"s.bin", out, &cb))
        return 0;
    DWORD t0 = GetTickCount();
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    DWORD r = WaitForSingleObject(h->io.agent.hProcess, 12000);
    DWORD ms = GetTickCount() - t0;
    DWORD code = 99;
    GetExitCodeProcess(h->io.agent.hProcess, &code);
    int cb_code = wait_exit(cb, 5000);
    if (r != WAIT_OBJECT_0 || ms > 3000 || code != 0)
        FAIL("STOP during a paste wait: agent exit %lu after %lu ms (vdservice kills it at"
             " 3000)", (unsigned long)code, (unsigned long)ms);
    if (cb_code != 3)
        FAIL("the waiting paste: cbtool exit %d, want 3 (empty)", cb_code);
    printf("ok: STOP during a paste wait: agent exit 0 after %lu ms, the paste returned empty\n",
           (unsigned long)ms);
    return 1;
}

/* The agent exits while owning delayed text: it renders it first (asking the
 * client), so the guest can still paste after the agent is gone. */
int sc_render_on_exit(host *h)
{
    const char *text = "still here after the agent left";
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("no CF_UNICODETEXT offered");
    /* The fake service keeps the client link after STOP exactly as vdservice
     * does: the same policy decides (vda_policy_port_wanted), fed the same
     * events (the agent said HELLO, then the service stops). */
    vda_policy pol;
    vda_policy_init(&pol, NULL);
    vda_policy_start(&pol, 0, 1);
    vda_policy_launched(&pol, 0);
    vda_policy_hello(&pol, 1);
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    vda_policy_stop_service(&pol, 2);
    if (vda_policy_port_wanted(&pol)) {
        vda_message m;
        if (!expect(h, VD_AGENT_CLIPBOARD_REQUEST, 5000, &m))
            FAIL("no REQUEST while exiting (WM_RENDERALLFORMATS)");
        free(m.data);
        send_data(h, VD_AGENT_CLIPBOARD_UTF8_TEXT, (const uint8_t *)text, strlen(text), 0);
        printf("host: the client link stayed open after STOP: REQUEST answered\n");
    } else {
        printf("host: the service closes the client link at STOP: the agent's exit-time "
               "REQUEST reaches no client\n");
    }
    if (WaitForSingleObject(h->io.agent.hProcess, 10000) != WAIT_OBJECT_0)
        FAIL("the agent did not exit");
    wchar_t out[MAX_PATH];
    tmp_file(h, L"exit.bin", out);
    int code = wait_exit(cbtool(h, L"get-text", out, NULL), 10000);
    if (code != 0)
        FAIL("paste after the agent exited: cbtool exit %d", code);
    size_t got_n;
    uint8_t *got = wtest_read_file(out, &got_n);
    size_t units;
    WCHAR *exp = expected_utf16((const uint8_t *)text, strlen(text), 0, &units);
    int ok = got && got_n == units * 2 && memcmp(got, exp, got_n) == 0;
    free(got);
    free(exp);
    if (!ok)
        FAIL("pasted text after exit differs");
    printf("ok: text rendered on exit is pasted after the agent is gone\n");
    return 1;
}

/* Bad command lines: vdagent.exe refuses each with exit code 2, before it opens
 * any pipe (an agent that accepted one would wait for the pipe "p", then exit 1). */
int sc_bad_args(host *h)
{
    static const wchar_t *const bad[] = {
        L"",                                  /* no --pipe */
        L"--pipe",                            /* --pipe without its value */
        L"--pipe p --log-level loud",
        L"--pipe p --clipboard-limit 0",
        L"--pipe p --clipboard-limit 4001",
        L"--pipe p --clipboard-limit 12x",
        L"--pipe p --no-such-option",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        PROCESS_INFORMATION pi;
        if (!pipe_host_start_process(h->agent_exe, bad[i], &pi))
            FAIL("cannot start the agent");
        CloseHandle(pi.hThread);
        int code = wait_exit(pi.hProcess, 20000);
        if (code != 2)
            FAIL("vdagent.exe %ls: exit %d, want 2", bad[i], code);
        printf("ok: vdagent.exe %ls: refused (exit 2)\n", bad[i]);
    }
    return 1;
}
