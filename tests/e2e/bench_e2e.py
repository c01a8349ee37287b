#!/usr/bin/python3
"""End-to-end clipboard benchmark through the real stack (issue 7): a 1, 4 and
16 MiB text paste, client -> guest application and guest application -> client,
content checked every run. The same bytes also go through the same bridge and
Win32 clipboard with the reference guest (e2e_ref_guest.exe: no service, no
agent; it converts line ends like our agent does for spice-gtk, LF -> CRLF in and
CRLF -> LF out), and our median is printed as a ratio to its median, with
min/median/max of both so the ratio's noise is visible. Also the agent's peak
memory per size above its idle footprint.

Two references, each a separate side:
  ref        --on-demand: offers the text with delayed rendering and requests it
             on WM_RENDERFORMAT, the same Win32 clipboard use as our agent (and
             what clipboard-by-demand asks of any agent). The targets are ratios
             to this one: the difference is our service and agent in between.
  ref-eager  requests the text at the grab, before any application asks; its
             transfer overlaps Wine's clipboard-change latency. Printed for scale
             (client -> guest only; its guest -> client path is the same code).

    bench_e2e.py --host E2E_HOST --win64 TREE --wine-state DIR
                 [--ref-wine-state DIR2 --eager-wine-state DIR3] --work DIR
                 [--quick] [--runs N]

With the extra states (bench/e2e_clipboard.sh) all stacks run at once, each in
its own Wine prefix and X display (its own clipboard), and the runs alternate
between them, the order reversing every run, so load drift on the machine hits
all alike. Without them (the ctest smoke run) one side runs after the other.

Timing: client -> guest is from the client's grab to the guest application
(e2e_clip get-text, started BEFORE the grab and already waiting on a clipboard
listener) holding the text: Wine's process start is not counted. Guest -> client
is from starting the guest application's copy (e2e_clip put-text, its start
under Wine included, the same for every side) to the client holding the text.
"""
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack                                                   # noqa: E402
import vdagent_wire as w                                       # noqa: E402
from client import SpiceClient                                 # noqa: E402
from scenarios import MiB, big_text, to_crlf, to_lf            # noqa: E402

TEXT = w.CLIPBOARD_UTF8_TEXT


def rss_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s for pid %d" % (field, pid))


def reset_peak(pid):
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


class Side:
    """One complete stack (host, bridge, guest, client) in its own Wine prefix and
    X display, so ours and the reference can both stay up and their runs can be
    interleaved: drift of the machine's load hits both alike."""

    def __init__(self, cfg, mode, wine_state, procs):
        self.mode = mode
        self.work = procs.work
        info = stack.start_host(procs, cfg.host_exe)
        self.guest = g = stack.Guest(procs, _with_state(cfg, wine_state), info["guest_port"])
        g.start_bridge()
        if mode == "ours":
            g.start_service()
        else:
            g.start_ref_guest(on_demand=(mode == "ref"))
        self.client = c = SpiceClient(info["spice_port"], log=lambda msg: None).connect()
        c.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND, 30)
        self.agent = None
        if mode == "ours":
            c.pump(1.0)                          # let the agent settle for its idle figure
            pids = g.agent_pids("user")
            stack.check(len(pids) == 1, "one vdagent.exe --role user to measure")
            self.agent = pids[0]
            self.idle = rss_kib(self.agent, "VmRSS")

    def c2g(self, data):
        """From the client's grab to the guest application holding the text. The
        application is started first and is already waiting (it says so), so its
        start under Wine is not timed and neither guest can work ahead of it."""
        g, c = self.guest, self.client
        g.run_clip(c.pump, "clear")
        path = os.path.join(self.work, "got.txt")
        if os.path.exists(path):
            os.unlink(path)
        before = g.procs.log_text("clip").count("waiting for text")
        p = g.start_clip("get-text", stack.winpath(path), 60000)
        c.wait(lambda: g.procs.log_text("clip").count("waiting for text") > before or
               p.poll() is not None, 30, "e2e_clip get-text waiting")
        t0 = time.monotonic()
        c.grab({TEXT: data})
        c.wait(lambda: p.poll() is not None, 60, "e2e_clip get-text done")
        dt = time.monotonic() - t0
        stack.check(p.returncode == 0, "%s: e2e_clip get-text succeeded" % self.mode)
        with open(path, "rb") as f:
            got = f.read()
        if got != to_crlf(data):
            raise AssertionError("%s: client->guest %d bytes: content differs" % (self.mode, len(data)))
        return dt

    def g2c(self, text):
        """From starting the guest application's copy (its start under Wine
        included, the same for both guests) to the client holding the text."""
        g, c = self.guest, self.client
        path = os.path.join(self.work, "put.txt")
        with open(path, "wb") as f:
            f.write(text)
        n, nrec = len(c.guest_grabs), len(c.received)
        t0 = time.monotonic()
        p = g.start_clip("put-text", stack.winpath(path))
        c.wait(lambda: any(TEXT in t for t in c.guest_grabs[n:]) or (p.poll() or 0) != 0, 60,
               "%s: guest grab after e2e_clip put-text" % self.mode)
        stack.check((p.poll() or 0) == 0, "%s: e2e_clip put-text succeeded" % self.mode)
        c.main.clipboard_selection_request(0, TEXT)
        c.wait(lambda: len(c.received) > nrec, 60, "guest text")
        dt = time.monotonic() - t0
        while p.poll() is None:
            c.pump(0.01)
        if c.received[nrec] != (TEXT, to_lf(text)):
            raise AssertionError("%s: guest->client %d bytes: content differs" % (self.mode, len(text)))
        return dt


def _with_state(cfg, wine_state):
    import copy
    c = copy.copy(cfg)
    c.wine_state = wine_state
    return c


def spread(xs):
    return min(xs), statistics.median(xs), max(xs)


def measure(sides, sizes, runs, times, peaks):
    ours = next((s for s in sides if s.agent), None)
    # One uncounted round first: Wine's first clipboard use in a process tree
    # is slower, for both guests alike.
    for s in sides:
        s.c2g(big_text(64 << 10, 1))
        s.g2c(to_crlf(big_text(64 << 10, 2)))
    for size in sizes:
        data = big_text(size, size)
        guest_text = to_crlf(big_text(size, size + 1))
        if ours:
            reset_peak(ours.agent)
        for r in range(runs):
            # Interleaved, and the order flips every run: neither side always
            # goes first after the other's transfer.
            for s in (sides if r % 2 == 0 else sides[::-1]):
                times.setdefault((s.mode, "c2g", size), []).append(s.c2g(data))
                if s.mode != "ref-eager":
                    times.setdefault((s.mode, "g2c", size), []).append(s.g2c(guest_text))
        if ours:
            peaks[size] = (rss_kib(ours.agent, "VmHWM") - ours.idle) * 1024
    if ours:
        peaks["idle"] = ours.idle * 1024
    for s in sides:
        s.client.disconnect()


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    if quick:
        args.remove("--quick")
    runs = 15
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    states = {}
    for opt in ("--ref-wine-state", "--eager-wine-state"):
        if opt in args:
            i = args.index(opt)
            states[opt] = args[i + 1]
            del args[i:i + 2]
    cfg = stack.Config(args)
    cfg.require()
    if not os.path.isfile(cfg.ref_guest_exe):
        raise stack.Skip("e2e_ref_guest.exe is not built")
    if states and len(states) != 2:
        raise SystemExit("bench_e2e.py: give both --ref-wine-state and --eager-wine-state, or neither")
    for st in states.values():
        _with_state(cfg, st).require_wine()
    sizes = [1 * MiB] if quick else [1 * MiB, 4 * MiB, 16 * MiB]
    runs = 1 if quick else runs
    times = {}                                   # (mode, direction, size) -> [s]
    peaks = {}
    if states:
        with stack.Processes(os.path.join(cfg.work, "ours")) as pa, \
                stack.Processes(os.path.join(cfg.work, "ref")) as pb, \
                stack.Processes(os.path.join(cfg.work, "ref-eager")) as pc:
            sides = [Side(cfg, "ours", cfg.wine_state, pa),
                     Side(cfg, "ref", states["--ref-wine-state"], pb),
                     Side(cfg, "ref-eager", states["--eager-wine-state"], pc)]
            measure(sides, sizes, runs, times, peaks)
        how = "interleaved"
    else:
        # One prefix (the ctest smoke run): one side after the other.
        for mode in ("ours", "ref", "ref-eager"):
            with stack.Processes(os.path.join(cfg.work, mode)) as procs:
                measure([Side(cfg, mode, cfg.wine_state, procs)], sizes, runs, times, peaks)
        how = "NOT interleaved (no --ref-wine-state)"
    print("e2e clipboard text, %d runs per side, %s, content checked every run" % (runs, how))
    print("times: min / median / max; ratio = median ours / median reference, "
          "range = min ours/max ref .. max ours/min ref")
    print("reference: e2e_ref_guest --on-demand (delayed rendering like the agent, no service)")
    print("%-14s %5s %-23s %-23s %6s %13s %6s" % ("direction", "size", "ours (s)", "reference (s)",
                                                 "ratio", "range", "target"))
    for d, name, target in (("c2g", "client->guest", 1.25), ("g2c", "guest->client", 1.10)):
        for size in sizes:
            o = spread(times[("ours", d, size)])
            r = spread(times[("ref", d, size)])
            ratio = o[1] / r[1]
            print("%-14s %3dMiB %.3f/%.3f/%.3f  %.3f/%.3f/%.3f  %5.2fx %5.2f..%5.2f %5.2fx%s" % (
                name, size >> 20, o[0], o[1], o[2], r[0], r[1], r[2], ratio, o[0] / r[2],
                o[2] / r[0], target, "" if ratio <= target else "  OVER TARGET"))
    print("for scale, client->guest against the eager reference (fetches at the grab, "
          "before the application asks):")
    for size in sizes:
        o = statistics.median(times[("ours", "c2g", size)])
        e = spread(times[("ref-eager", "c2g", size)])
        print("  %3dMiB ref-eager %.3f/%.3f/%.3f  ours/ref-eager %5.2fx" % (
            size >> 20, e[0], e[1], e[2], o / e[1]))
    print("vdagent.exe peak memory above idle (idle RSS %.1f MiB), target <= 3x payload:"
          % (peaks["idle"] / MiB))
    for size in sizes:
        print("  %4d MiB payload: %7.1f MiB  (%.2fx payload)" % (
            size >> 20, peaks[size] / MiB, peaks[size] / size))
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
