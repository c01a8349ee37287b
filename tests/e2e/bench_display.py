#!/usr/bin/python3
"""Benchmark of e2e_host's display channel (the X screen mirror, --x11): frames
per second and host CPU per frame while the whole screen changes, and host CPU
while nothing changes. No Wine: its own Xvfb at WxH, a painter process putting
whole-screen images on the root window as fast as the X server takes them, and
a real spice-gtk client on the display channel. Prints figures and ratios to
the targets of issue 17 (>= 15 frames/s at 1024x768, < 5% of a core idle); it
measures, it never fails on a slow machine.

    bench_display.py --host E2E_HOST --work DIR [--size 1024x768] [--seconds S]
                     [--image-compression NAME]... [--content noise|desktop]
"""
import os
import random
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack                                                   # noqa: E402
from client import SpiceClient                                 # noqa: E402
from xscreen import XScreen                                    # noqa: E402

TARGET_FPS, TARGET_IDLE = 15.0, 0.05
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK     # utime + stime


def frames_for(w, h, content, n=6):
    """n whole-screen pictures, B, G, R, x. noise: random pixels, the worst case
    for any compression; desktop: flat areas, gradients and text-like stripes."""
    rnd = random.Random(17)
    out = []
    for k in range(n):
        if content == "noise":
            base = rnd.randbytes(w * 4 * 2)
            out.append(b"".join(base[(y * 52 + k * 400) % (w * 4):][:w * 4] for y in range(h)))
        else:
            rows = []
            for y in range(h):
                if (y // 16 + k) % 5 == 0:        # a "text" line: short dark runs
                    row = bytes([30, 30, 30, 0, 240, 240, 240, 0] * (w // 2))
                else:
                    c = (y + k * 40) % 256
                    row = bytes([c, 255 - c, 128, 0]) * w
                rows.append(row)
            out.append(b"".join(rows))
    return out


def painter_main(display, seconds, content):
    xs = XScreen(display)
    w, h = xs.size()
    paint = xs.painter(frames_for(w, h, content))
    print("painter ready", flush=True)
    end, i = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        paint(i)
        i += 1
    print("painted %d frames (%.1f/s)" % (i, i / seconds), flush=True)
    return 0


def start_xvfb(procs, size):
    r, wfd = os.pipe()
    p = subprocess.Popen(["Xvfb", "-displayfd", str(wfd), "-screen", "0", size + "x24",
                          "-nolisten", "tcp"], pass_fds=(wfd,), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    os.close(wfd)
    procs.procs.append(("xvfb", p))
    with os.fdopen(r) as f:
        num = f.readline().strip()
    if not num:
        raise stack.Skip("Xvfb did not start")
    return ":" + num


def measure(procs, host_exe, display, compression, seconds, content):
    info = stack.start_host(procs, host_exe, x11=display)
    if compression:
        # start_host has no option for it: restart the host with one.
        procs.stop(info["proc"])
        info_file = os.path.join(procs.work, "host.info")
        os.unlink(info_file)
        p = procs.start("host-" + compression, [host_exe, "--info-file", info_file, "--x11",
                                                display, "--image-compression", compression])
        while not os.path.exists(info_file):
            if p.poll() is not None:
                raise AssertionError("e2e_host did not start: " + procs.log_text("host-" +
                                                                               compression))
            time.sleep(0.02)
        with open(info_file) as f:
            info = dict(line.strip().split("=") for line in f if "=" in line)
        info = {k: int(v) for k, v in info.items()}
        info["proc"] = p
    host = info["proc"].pid
    c = SpiceClient(info["spice_port"], log=lambda m: None, display=True).connect()
    c.wait(lambda: c.primary_creates, 10, "primary surface")
    w, h = c.primary_creates[-1]
    c.pump(0.5)
    painter = procs.start("painter-%s" % (compression or "default"),
                          [sys.executable, os.path.abspath(__file__), "--paint", display,
                           str(seconds + 1), content])
    procs.wait_log("painter-%s" % (compression or "default"), "painter ready", painter,
                   "the painter did not start", timeout=60)
    c.pump(0.5)                                   # past the first frames
    px0, cpu0, t0 = c.invalidated_px, cpu_seconds(host), time.monotonic()
    c.pump(seconds)
    px1, cpu1, t1 = c.invalidated_px, cpu_seconds(host), time.monotonic()
    fps = (px1 - px0) / float(w * h) / (t1 - t0)
    busy_cpu = (cpu1 - cpu0) / (t1 - t0)
    while painter.poll() is None:
        c.pump(0.1)
    c.pump(1.0)                                   # the last frames drain
    cpu0, t0 = cpu_seconds(host), time.monotonic()
    c.pump(seconds)
    idle_cpu = (cpu_seconds(host) - cpu0) / (time.monotonic() - t0)
    c.disconnect()
    procs.stop(info["proc"])
    return w, h, fps, busy_cpu, idle_cpu


def main():
    args = sys.argv[1:]
    if args[:1] == ["--paint"]:
        return painter_main(args[1], float(args[2]), args[3])
    opts, comps = {}, []
    while args:
        k, v = args[0], args[1]
        del args[:2]
        if k == "--image-compression":
            comps.append(v)
        else:
            opts[k] = v
    size = opts.get("--size", "1024x768")
    seconds = float(opts.get("--seconds", "5"))
    content = opts.get("--content", "desktop")
    with stack.Processes(opts["--work"]) as procs:
        display = start_xvfb(procs, size)
        print("display pump at %s, %s content, %.0f s per figure (host: e2e_host --x11)"
              % (size, content, seconds))
        for comp in comps or [None]:
            w, h, fps, busy, idle = measure(procs, opts["--host"], display, comp, seconds,
                                            content)
            per_frame = busy / fps * 1000 if fps else float("inf")
            print("  image compression %-9s %5.1f whole-screen frames/s (%.2fx the %g target),"
                  " host CPU %4.0f%% of a core while changing = %5.1f ms per frame;"
                  " idle %.2f%% of a core (%.2fx the %g%% limit)"
                  % (comp or "default", fps, fps / TARGET_FPS, TARGET_FPS, busy * 100, per_frame,
                     idle * 100, idle / TARGET_IDLE, TARGET_IDLE * 100), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
