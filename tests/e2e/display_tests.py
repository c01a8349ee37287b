#!/usr/bin/python3
"""End-to-end tests of the picture (issue 17), each one a ctest test (label e2e):
e2e_host mirrors the Wine side's Xvfb screen on its display channel (--x11), a
real spice-gtk client connects its display channel, vdservice + vdagent run
under Wine behind e2e_bridge.

    display_tests.py NAME --host E2E_HOST --win64 WIN64_TREE --wine-state DIR --work DIR

1_pixels   the client's primary surface has the X screen's size and pixels, and
           e2e_paint.exe's known pattern sits where the guest drew it
2_resize   the client's monitor config -> the agent's mode change -> Xvfb's
           RandR size -> a new primary surface of that size on the client
3_pointer  client mouse mode: a client position ends as the X pointer position,
           and the pointer's shape over a guest window reaches the client
"""
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenarios                                               # noqa: E402
import stack                                                   # noqa: E402
import vdagent_wire as w                                       # noqa: E402
from client import SpiceClient                                 # noqa: E402
from stack import check, log                                   # noqa: E402
from xscreen import XScreen                                    # noqa: E402

# The e2e Wine fixture's Xvfb (tests/wine/wine-env.sh; the extra RandR modes
# come from VDA_XVFB_MODES in CMakeLists.txt).
FIXTURE_SCREEN = (1920, 1080)
SMALLER_MODE = (1024, 768)
PAINT = (200, 150, 512, 320)       # x, y, width, height of e2e_paint's window


def pattern_bgr(pw, ph):
    """e2e_paint.exe's picture (see e2e_paint.c) as B, G, R bytes, top row first."""
    rows = []
    for y in range(ph):
        row = bytearray(pw * 3)
        for x in range(pw):
            row[3 * x] = ((x >> 8) * 16 + (y >> 8)) ^ 0x5a
            row[3 * x + 1] = y & 255
            row[3 * x + 2] = x & 255
        rows.append(bytes(row))
    return b"".join(rows)


def bgr(data, stride, x, y, width, height):
    """The B, G, R bytes of a rectangle of a B, G, R, x picture (x dropped: X
    and spice-gtk fill the unused byte differently)."""
    out = bytearray()
    for j in range(y, y + height):
        out += data[j * stride + x * 4:j * stride + (x + width) * 4]
    del out[3::4]
    return bytes(out)


class DisplayStack(scenarios.Stack):
    """scenarios.Stack with the host mirroring the Wine side's X screen."""

    def __enter__(self):
        self.procs.__enter__()
        with open(os.path.join(self.cfg.wine_state, "display")) as f:
            self.x_display = f.read().strip()
        self.xscreen = XScreen(self.x_display)
        self.info = stack.start_host(self.procs, self.cfg.host_exe, x11=self.x_display)
        self.guest = stack.Guest(self.procs, self.cfg, self.info["guest_port"])
        self.guest.start_bridge()
        self.guest.start_service()
        return self

    def __exit__(self, *exc):
        try:
            # A mode left changed would move every later test's pointer maths.
            if self.xscreen.size() != FIXTURE_SCREEN:
                log("restoring the fixture's %dx%d screen" % FIXTURE_SCREEN)
                subprocess.run(["xrandr", "-s", "%dx%d" % FIXTURE_SCREEN],
                               env=dict(os.environ, DISPLAY=self.x_display), timeout=10)
            self.xscreen.close()
        finally:
            return super().__exit__(*exc)

    def client(self, **kw):
        return SpiceClient(self.info["spice_port"], log=log, display=True, **kw).connect()

    def wait_same_picture(self, c, timeout=15):
        """Waits until the client's primary surface equals the X screen."""
        end = time.monotonic() + timeout
        while True:
            p = c.primary()
            xw, xh, xdata = self.xscreen.pixels()
            if p and (p[0], p[1]) == (xw, xh) and \
                    bgr(p[3], p[2], 0, 0, xw, xh) == bgr(xdata, xw * 4, 0, 0, xw, xh):
                return
            if time.monotonic() > end:
                what = "none" if not p else "%dx%d" % (p[0], p[1])
                raise AssertionError("FAILED: the client's picture (%s) never matched the "
                                     "%dx%d X screen within %ds" % (what, xw, xh, timeout))
            c.pump(0.1)


def d1_pixels(cfg):
    with DisplayStack(cfg) as s:
        c = s.client()
        size = s.xscreen.size()
        c.wait(lambda: c.primary_creates, 10, "the client's primary surface")
        check(c.primary_creates[-1] == size, "the client's primary surface is %dx%d like the X "
              "screen (%dx%d)" % (c.primary_creates[-1] + size))
        x, y, pw, ph = PAINT
        start_painter(s, cfg)
        want = pattern_bgr(pw, ph)
        end = time.monotonic() + 15
        while True:
            p = c.primary()
            if p and bgr(p[3], p[2], x, y, pw, ph) == want:
                break
            if time.monotonic() > end:
                raise AssertionError("FAILED: the guest's pattern never reached the client")
            c.pump(0.1)
        check(True, "the client shows e2e_paint's %dx%d pattern at %d,%d pixel for pixel"
              % (pw, ph, x, y))
        s.wait_same_picture(c)
        check(True, "the client's whole picture equals the X screen's")
        c.disconnect()


def d2_resize(cfg):
    with DisplayStack(cfg) as s:
        c = s.client()
        c.wait_agent_caps(w.CAP_MONITORS_CONFIG, 30)
        c.wait(lambda: c.primary_creates, 10, "the client's primary surface")
        for mode in (SMALLER_MODE, FIXTURE_SCREEN):
            t = time.monotonic()
            c.set_monitor(*mode)
            c.wait_primary_size(*mode, timeout=20)
            check(s.xscreen.size() == mode, "client monitor %dx%d -> agent -> X screen %dx%d -> "
                  "client primary surface %dx%d (%.1fs)" % (mode + s.xscreen.size() + mode +
                                                            (time.monotonic() - t,)))
            s.wait_same_picture(c)
            check(True, "the %dx%d picture equals the X screen's" % mode)
        c.disconnect()


def start_painter(s, cfg):
    """e2e_paint.exe's window at PAINT, once it painted."""
    paint_exe = os.path.join(cfg.win_dir, "tests/e2e/guest/e2e_paint.exe")
    if not os.path.isfile(paint_exe):
        raise stack.Skip("e2e_paint.exe is not built (%s)" % paint_exe)
    painter = s.procs.start("paint", [stack.WINE64, paint_exe] +
                            [str(v) for v in PAINT] + ["30"], s.guest.env)
    s.procs.wait_log("paint", "painted", painter, "e2e_paint did not paint",
                     timeout=stack.WINE_START_S)
    return painter


def d3_pointer(cfg):
    with DisplayStack(cfg) as s:
        c = s.client(inputs=True, cursor=True)
        c.wait_agent_caps(w.CAP_MOUSE_STATE, 30)
        c.wait_inputs()
        check(c.request_client_mouse(10), "client mouse mode with the mirrored display (mode %d)"
              % c.mouse_mode)
        for x, y in ((321, 213), (1500, 900), (5, 1070)):
            t = time.monotonic()
            c.move(x, y)
            try:
                c.wait(lambda: s.xscreen.pointer() == (x, y), 10, "the X pointer at %d,%d"
                       % (x, y))
            except AssertionError:
                raise AssertionError("FAILED: client position %d,%d left the X pointer at %s"
                                     % (x, y, s.xscreen.pointer()))
            check(True, "client position %d,%d -> X pointer %d,%d (%.2fs)"
                  % ((x, y) + s.xscreen.pointer() + (time.monotonic() - t,)))
        # The shape: X's own over the bare screen, Wine's arrow over its window.
        start_painter(s, cfg)
        c.move(1800, 60)
        c.wait(lambda: s.xscreen.pointer() == (1800, 60), 10, "the X pointer at 1800,60")
        c.pump(0.5)
        bare = c.cursor_sets[-1:]
        x, y = PAINT[0] + 100, PAINT[1] + 100
        c.move(x, y)
        # (Wine shows a 1x1 blank shape for a moment before the window's arrow.)
        try:
            c.wait(lambda: c.cursor_sets[-1:] != bare and c.cursor_sets[-1][0] >= 8, 10,
                   "the guest window's pointer shape on the client")
        except AssertionError:
            raise AssertionError("FAILED: no new pointer shape over the guest window (shapes: "
                                 "%s)" % c.cursor_sets)
        check(bool(bare), "pointer shape over the bare screen %s, over the guest window %s"
              % (bare[0], c.cursor_sets[-1]))
        c.disconnect()


TESTS = {"1_pixels": d1_pixels, "2_resize": d2_resize, "3_pointer": d3_pointer}


def main():
    name = sys.argv[1]
    cfg = stack.Config(sys.argv[2:])
    cfg.require()
    t = time.monotonic()
    TESTS[name](cfg)
    print("display test %s: PASS (%.1fs)" % (name, time.monotonic() - t))
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
