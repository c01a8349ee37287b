#!/usr/bin/python3
"""End-to-end clipboard benchmark through the real stack (issue 7): a 1, 4 and
16 MiB text paste, client -> guest application and guest application -> client,
several runs, median, content checked every run. In the same run the same bytes
go through the same bridge and Win32 clipboard with the reference guest
(e2e_ref_guest.exe: no service, no agent) and our time is printed as a ratio to
it. Also the agent's peak memory per size above its idle footprint.

    bench_e2e.py --host E2E_HOST --win64 TREE --wine-state DIR --work DIR [--quick] [--runs N]

Timing: client -> guest is from the client's grab to the guest application
(e2e_clip get-text, which waits for text to be offered) holding the text;
guest -> client is from the guest application's copy (e2e_clip put-text) to the
client holding the text. Both include starting e2e_clip under Wine (~0.1-0.3 s),
the same for both guests.
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


def run_mode(cfg, mode, sizes, runs, quiet_log):
    """Returns {(direction, size): [seconds...]} and, for ours, peak memory."""
    times, peaks = {}, {}
    work = os.path.join(cfg.work, mode)
    with stack.Processes(work) as procs:
        info = stack.start_host(procs, cfg.host_exe)
        g = stack.Guest(procs, cfg, info["guest_port"])
        g.start_bridge()
        if mode == "ours":
            g.start_service()
        else:
            g.start_ref_guest()
        c = SpiceClient(info["spice_port"], log=quiet_log).connect()
        c.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND, 30)
        agent = None
        if mode == "ours":
            c.pump(1.0)                          # let the agent settle for its idle figure
            pids = g.agent_pids()
            stack.check(len(pids) == 1, "one vdagent.exe to measure")
            agent = pids[0]
            idle = rss_kib(agent, "VmRSS")
        def c2g(data):
            g.run_clip(c.pump, "clear")
            c.pump(0.05)
            t0 = time.monotonic()
            c.grab({TEXT: data})
            got = g.get_text(c.pump, 30000)
            dt = time.monotonic() - t0
            if got != to_crlf(data):
                raise AssertionError("%s: client->guest %d bytes: content differs" % (mode, len(data)))
            return dt

        def g2c(text):
            path = os.path.join(work, "put.txt")
            with open(path, "wb") as f:
                f.write(text)
            n, nrec = len(c.guest_grabs), len(c.received)
            t0 = time.monotonic()
            p = g.start_clip("put-text", stack.winpath(path))
            c.wait_guest_grab(n, TEXT, 60)
            c.main.clipboard_selection_request(0, TEXT)
            c.wait(lambda: len(c.received) > nrec, 60, "guest text")
            dt = time.monotonic() - t0
            while p.poll() is None:
                c.pump(0.01)
            if c.received[nrec] != (TEXT, to_lf(text)):
                raise AssertionError("%s: guest->client %d bytes: content differs" % (mode, len(text)))
            return dt

        # One uncounted round first: Wine's first clipboard use in a process tree
        # is slower, for both guests alike.
        c2g(big_text(64 << 10, 1))
        g2c(to_crlf(big_text(64 << 10, 2)))
        for size in sizes:
            data = big_text(size, size)
            guest_text = to_crlf(big_text(size, size + 1))
            if agent:
                reset_peak(agent)
            for _ in range(runs):
                times.setdefault(("c2g", size), []).append(c2g(data))
                times.setdefault(("g2c", size), []).append(g2c(guest_text))
            if agent:
                peaks[size] = (rss_kib(agent, "VmHWM") - idle) * 1024
        if agent:
            peaks["idle"] = idle * 1024
        c.disconnect()
    return times, peaks


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    if quick:
        args.remove("--quick")
    runs = 5
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    cfg = stack.Config(args)
    cfg.require()
    if not os.path.isfile(cfg.ref_guest_exe):
        raise stack.Skip("e2e_ref_guest.exe is not built")
    sizes = [1 * MiB] if quick else [1 * MiB, 4 * MiB, 16 * MiB]
    runs = 1 if quick else runs
    quiet = lambda msg: None
    ours, peaks = run_mode(cfg, "ours", sizes, runs, quiet)
    ref, _ = run_mode(cfg, "ref", sizes, runs, quiet)
    print("e2e clipboard text, median of %d runs, content checked every run" % runs)
    print("%-16s %6s %10s %10s %7s %7s" % ("direction", "size", "ours", "reference", "ratio", "target"))
    for d, name, target in (("c2g", "client->guest", 1.25), ("g2c", "guest->client", 1.10)):
        for size in sizes:
            o = statistics.median(ours[(d, size)])
            r = statistics.median(ref[(d, size)])
            print("%-16s %4dMiB %9.3fs %9.3fs %6.2fx %6.2fx%s" % (
                name, size >> 20, o, r, o / r, target, "" if o / r <= target else "  OVER TARGET"))
    print("vdagent.exe peak memory above idle (idle RSS %.1f MiB), target <= 3x payload:"
          % (peaks["idle"] / MiB))
    for size in sizes:
        print("  %4d MiB payload: %7.1f MiB  (%.2fx payload)" % (
            size >> 20, peaks[size] / MiB, peaks[size] / size))
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
