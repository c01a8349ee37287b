/* agent_host scenario: the agent's memory for a big paste, printed as
 * ratios to the payload (a measurement, label bench; it checks the paste). */
#include <windows.h>
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "base/le_bytes.h"
#include "wire/caps.h"
#include "wire/chunk_writer.h"

int sc_memory(host *h, size_t mib, int ascii)
{
    PROCESS_MEMORY_COUNTERS before, after;
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    if (!GetProcessMemoryInfo(h->io.agent.hProcess, &before, sizeof before))
        FAIL("GetProcessMemoryInfo (%lu)", (unsigned long)GetLastError());
    size_t n = mib << 20;
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    uint8_t *text = ascii ? malloc(n) : make_text(n, 5);
    if (ascii)
        for (size_t i = 0; i < n; i++)
            text[i] = i % 61 == 60 ? '\n' : (uint8_t)('a' + i % 26);
    int ok = paste_and_check(h, text, n, 1, L"mem.bin");
    free(text);
    if (!GetProcessMemoryInfo(h->io.agent.hProcess, &after, sizeof after))
        FAIL("GetProcessMemoryInfo (%lu)", (unsigned long)GetLastError());
    double mb = 1024.0 * 1024.0;
    printf("memory: payload %.1f MiB UTF-8 (%s)\n", n / mb, ascii ? "ASCII" : "mixed");
    printf("memory: agent before: working set %.1f MiB, pagefile %.1f MiB\n",
           before.WorkingSetSize / mb, before.PagefileUsage / mb);
    printf("memory: agent peak:   working set %.1f MiB, pagefile %.1f MiB\n",
           after.PeakWorkingSetSize / mb, after.PeakPagefileUsage / mb);
    double r_ws = (double)after.PeakWorkingSetSize / (double)n;
    double r_pf = (double)after.PeakPagefileUsage / (double)n;
    double r_ws_net = ((double)after.PeakWorkingSetSize - (double)before.WorkingSetSize) / (double)n;
    double r_pf_net = ((double)after.PeakPagefileUsage - (double)before.PagefileUsage) / (double)n;
    printf("memory: peak / payload: working set %.2fx, pagefile %.2fx (above idle: %.2fx, %.2fx)"
           " -- target <= 3x: %s\n", r_ws, r_pf, r_ws_net, r_pf_net,
           (r_pf <= 3.0 && r_ws <= 3.0) ? "met" : (r_pf_net <= 3.0 ? "met above idle only"
                                                                   : "NOT met"));
    return ok;
}
