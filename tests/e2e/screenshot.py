#!/usr/bin/python3
"""Makes README's picture (docs/try-it.png) again: scripts/try-it.sh, then
remote-viewer (Debian package virt-viewer) on an Xvfb of its own at WxH, some
text typed into the guest's notepad, and a PNG of the viewer's window. Every
process it starts is stopped by PID at the end (try-it.sh stops its own).

    screenshot.py OUT.png [--size 1280x860]
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # nothing written into the source tree
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import png_pixels                                              # noqa: E402
from xscreen import XScreen                                    # noqa: E402

top = os.path.abspath(os.path.join(here, "..", ".."))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise SystemExit("screenshot: timed out waiting for " + what)
        time.sleep(0.2)


def xdotool(display, *args):
    r = subprocess.run(["xdotool"] + list(args), env=dict(os.environ, DISPLAY=display),
                       capture_output=True, text=True, timeout=30)
    return r.stdout.strip()


def main():
    out = sys.argv[1]
    size = sys.argv[sys.argv.index("--size") + 1] if "--size" in sys.argv else "1280x860"
    for tool in ("remote-viewer", "xdotool", "Xvfb"):
        if not shutil.which(tool):
            raise SystemExit("screenshot: %s is missing (apt-get install virt-viewer xdotool)"
                             % tool)
    work = os.path.join(top, "build", "screenshot")
    os.makedirs(work, exist_ok=True)
    procs = []

    def start(name, argv, env=None):
        with open(os.path.join(work, name + ".log"), "wb") as log:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, env=env, start_new_session=True)
        procs.append(p)
        return p

    def log_text(name):
        with open(os.path.join(work, name + ".log"), errors="replace") as f:
            return f.read()

    try:
        port = free_port()
        tryit = start("try-it", ["bash", os.path.join(top, "scripts", "try-it.sh"), "--port",
                                 str(port)])
        wait_for(lambda: "remote-viewer spice://" in log_text("try-it") or
                 tryit.poll() is not None, 240, "try-it.sh")
        if tryit.poll() is not None:
            raise SystemExit("screenshot: try-it.sh failed:\n" + log_text("try-it"))
        guest_display = open(os.path.join(top, "build", "try-it", "wine", "display")).read().strip()
        r, w = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", size + "x24",
                                 "-nolisten", "tcp"], pass_fds=(w,), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        procs.append(xvfb)
        os.close(w)
        with os.fdopen(r) as f:
            viewer_display = ":" + f.readline().strip()
        start("remote-viewer", ["remote-viewer", "spice://127.0.0.1:%d" % port],
              dict(os.environ, DISPLAY=viewer_display))
        wait_for(lambda: xdotool(viewer_display, "search", "--class", "remote-viewer"), 30,
                 "the viewer's window")
        # Notepad under Wine: type a line into it (X keyboard on the guest's screen).
        wait_for(lambda: xdotool(guest_display, "search", "--name", "Notepad"), 60,
                 "notepad")
        pad = xdotool(guest_display, "search", "--name", "Notepad").split()[0]
        xdotool(guest_display, "windowfocus", "--sync", pad)
        xdotool(guest_display, "type", "--delay", "20",
                "Hello from Windows (Wine), seen through spice-server and remote-viewer.")
        # Resize the viewer as a person would: its size goes to the agent, which
        # picks a mode (1024x768 here); the viewer window then follows the guest.
        win = xdotool(viewer_display, "search", "--class", "remote-viewer").split()[-1]
        time.sleep(2)
        xdotool(viewer_display, "windowsize", win, "1100", "860")
        time.sleep(5)
        geo = dict(line.strip().split(": ", 1) for line in
                   xdotool(viewer_display, "getwindowgeometry", win).splitlines()[1:])
        wx, wy = (int(v) for v in geo["Position"].split()[0].split(","))
        ww, wh = (int(v) for v in geo["Geometry"].split("x"))
        xs = XScreen(viewer_display)
        sw, sh, data = xs.pixels()
        xs.close()
        wx, wy = max(wx, 0), max(wy, 0)
        ww, wh = min(ww, sw - wx), min(wh, sh - wy)
        rgba = bytearray(ww * wh * 4)
        for y in range(wh):
            row = data[((wy + y) * sw + wx) * 4:((wy + y) * sw + wx + ww) * 4]
            line = bytearray(row)
            line[0::4], line[2::4] = row[2::4], row[0::4]     # B, G, R, x -> R, G, B, A
            line[3::4] = b"\xff" * ww
            rgba[y * ww * 4:(y + 1) * ww * 4] = line
        with open(out, "wb") as f:
            f.write(png_pixels.encode_rgba(ww, wh, bytes(rgba)))
        print("screenshot: wrote %s (%dx%d, viewer window at %d,%d)" % (out, ww, wh, wx, wy))
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
