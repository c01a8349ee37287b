#!/usr/bin/python3
"""File-transfer benchmark through the real stack (issue 14), one run, one stack:
  - a 256 MiB file by spice-gtk file_copy_async (what a drop does), MiB/s, next to
    the same bytes (ASCII text) moved as clipboard text (client grab -> the guest
    application holding it), and their ratio;
  - the agent's peak memory during a 1 GiB transfer above its idle footprint
    (Linux VmHWM of the wine process = its working set; target: at most 16 MiB
    above idle, whatever the file size).
Figures only: nothing here fails on a slow machine. --quick (the ctest smoke run):
16 MiB and 64 MiB.

    bench_xfer.py --host E2E_HOST --win64 TREE --wine-state DIR --work DIR [--quick]
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack                                                   # noqa: E402
import xfer_scenarios as xs                                    # noqa: E402
from bench_e2e import reset_peak, rss_kib                      # noqa: E402
from scenarios import MiB, TEXT, to_crlf                       # noqa: E402


def ascii_file(path, size):
    line = (b"spice file transfer benchmark line of plain text 0123456789" * 2)[:99] + b"\n"
    data = (line * (size // len(line) + 1))[:size]
    with open(path, "wb") as f:
        f.write(data)
    return data


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    if quick:
        args.remove("--quick")
    cfg = stack.Config(args)
    cfg.require()
    size = (16 if quick else 256) * MiB
    big = (64 if quick else 1024) * MiB
    folder, win, src = xs.setup(cfg, "bench")
    path = os.path.join(src, "bench.txt")
    try:
        data = ascii_file(path, size)
        with xs.XferStack(cfg, folder, win) as s:
            c = s.client()
            c.pump(1.0)
            pids = s.guest.agent_pids("user")
            stack.check(len(pids) == 1, "one vdagent.exe --role user to measure")
            agent = pids[0]
            # file
            t0 = time.monotonic()
            cp = xs.Copy(c, [path]).wait(c, 1800, "the file copy")
            t_file = cp.done_at - t0
            stack.check(cp.ok, "the %d MiB file arrived" % (size // MiB))
            with open(os.path.join(folder, "bench.txt"), "rb") as f:
                stack.check(f.read() == data, "its content is exact")
            os.unlink(os.path.join(folder, "bench.txt"))
            # the same bytes as clipboard text
            g = s.guest
            g.run_clip(c.pump, "clear")
            out = os.path.join(s.procs.work, "got.txt")
            before = g.procs.log_text("clip").count("waiting for text")
            p = g.start_clip("get-text", stack.winpath(out), 1800000)
            c.wait(lambda: g.procs.log_text("clip").count("waiting for text") > before or
                   p.poll() is not None, 60, "e2e_clip get-text waiting")
            t0 = time.monotonic()
            c.grab({TEXT: data})
            c.wait(lambda: p.poll() is not None, 1800, "e2e_clip get-text done")
            t_clip = time.monotonic() - t0
            stack.check(p.returncode == 0, "the clipboard text arrived")
            with open(out, "rb") as f:
                stack.check(f.read() == to_crlf(data), "its content is exact (CRLF)")
            os.unlink(out)
            # memory during a big transfer
            c.pump(1.0)
            idle = rss_kib(agent, "VmRSS")
            reset_peak(agent)
            bigpath = os.path.join(src, "big.bin")
            xs.make_file(bigpath, big)
            t0 = time.monotonic()
            cp = xs.Copy(c, [bigpath]).wait(c, 3600, "the big copy")
            t_big = cp.done_at - t0
            stack.check(cp.ok, "the %d MiB file arrived" % (big // MiB))
            peak = rss_kib(agent, "VmHWM")
            os.unlink(os.path.join(folder, "big.bin"))
            os.unlink(bigpath)
            c.disconnect()
        mib = size / MiB
        print("file transfer %d MiB: %.1f s, %.1f MiB/s" % (mib, t_file, mib / t_file))
        print("same bytes as clipboard text: %.1f s, %.1f MiB/s" % (t_clip, mib / t_clip))
        print("file / clipboard throughput ratio: %.2f" % (t_clip / t_file))
        print("file transfer %d MiB: %.1f s, %.1f MiB/s" % (big // MiB, t_big, big / MiB / t_big))
        above = (peak - idle) / 1024.0
        print("agent memory: idle %.1f MiB, peak during the %d MiB transfer %.1f MiB, above idle "
              "%.1f MiB (target <= 16 MiB: %s); peak above idle / file size: %.4f"
              % (idle / 1024.0, big // MiB, peak / 1024.0, above,
                 "met" if above <= 16 else "NOT met", above * MiB / big))
    finally:
        for f in os.listdir(src):
            os.unlink(os.path.join(src, f))
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
