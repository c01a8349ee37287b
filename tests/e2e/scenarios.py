#!/usr/bin/python3
"""The end-to-end scenarios of issue 7 (1-7) and issue 5's client mouse mode (8),
each one a ctest test (label e2e):
real spice-server (e2e_host) + real spice-gtk (client.py) + vdservice/vdagent
under Wine behind e2e_bridge, with e2e_clip.exe as the guest application.

    scenarios.py NAME --host E2E_HOST --win64 WIN64_TREE --wine-state DIR --work DIR
"""
import os
import random
import re
import sys
import time

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png_pixels                                              # noqa: E402
import stack                                                   # noqa: E402
import vdagent_wire as w                                       # noqa: E402
from client import SpiceClient                                 # noqa: E402
from stack import check, log                                   # noqa: E402

TEXT, PNG = w.CLIPBOARD_UTF8_TEXT, w.CLIPBOARD_IMAGE_PNG
MiB = 1 << 20


def to_crlf(b):
    """What the Windows clipboard holds for text a client (which announces no
    line-end cap, like spice-gtk) sent: bare LF -> CRLF (common/base/text_convert.h)."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", b)


def to_lf(b):
    return b.replace(b"\r\n", b"\n")


def big_text(size, seed):
    """size bytes (about) of mixed ASCII, CJK and emoji lines, LF line ends."""
    rnd = random.Random(seed)
    words = ["spice", "agent", "クリップボード", "剪贴板", "클립보드", "🎉", "👍🏽", "Ünïcödé", "x" * 40]
    out, n = [], 0
    while n < size:
        line = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 12))) + "\n"
        b = line.encode()
        out.append(b)
        n += len(b)
    return b"".join(out)


class Stack:
    """The whole stack of one scenario; `with` stops everything by PID."""

    def __init__(self, cfg, production_path=False, display=None):
        self.cfg = cfg
        self.production_path = production_path
        self.display = display
        self.procs = stack.Processes(cfg.work)

    def __enter__(self):
        self.procs.__enter__()
        self.info = stack.start_host(self.procs, self.cfg.host_exe, display=self.display)
        self.guest = stack.Guest(self.procs, self.cfg, self.info["guest_port"],
                                 production_path=self.production_path)
        self.guest.start_bridge()
        self.guest.start_service()
        return self

    def __exit__(self, *exc):
        return self.procs.__exit__(*exc)

    def client(self):
        c = SpiceClient(self.info["spice_port"], log=log).connect()
        c.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND, 30)
        return c

    def client_to_guest_text(self, c, data, what):
        g = self.guest
        check(g.run_clip(c.pump, "clear") == 0, "guest clipboard cleared")
        c.pump(0.1)
        c.grab({TEXT: data})
        got = g.get_text(c.pump)
        check(got is not None, what + ": the guest application read text")
        check(got == to_crlf(data), what + ": guest clipboard holds exactly the client's text "
              "(%d bytes sent, %d read as UTF-8 with CRLF)" % (len(data), len(got)))

    def start_paste_into_guest(self, c, seed):
        """A 16 MiB text from client c, pasted by the guest application, until
        1 MiB of it reached the guest. Returns (sent, the application's output
        file, its process, the host's session number)."""
        g = self.guest
        check(g.run_clip(c.pump, "clear") == 0, "guest clipboard cleared")
        sent = big_text(16 * MiB, seed)
        c.grab({TEXT: sent})
        partial = os.path.join(self.cfg.work, "partial.txt")
        reader = g.start_clip("get-text", stack.winpath(partial), 10000)
        c.wait(lambda: c.guest_requests, 20, "the guest asking the client for its text")
        sess = stack.wait_host_bytes(self.procs, c.pump, "to_guest", 1 * MiB)
        return sent, partial, reader, sess

    def start_copy_from_guest(self, c, seed):
        """A 16 MiB text copied in the guest and requested by client c, until
        1 MiB of it left the guest. Returns (the text, the host's session number)."""
        big = to_crlf(big_text(16 * MiB, seed))
        n = len(c.guest_grabs)
        self.guest.put_text(c.pump, big)
        c.wait_guest_grab(n, TEXT)
        c.main.clipboard_selection_request(0, TEXT)
        return big, stack.wait_host_bytes(self.procs, c.pump, "from_guest", 1 * MiB)

    def guest_to_client_text(self, c, data, what):
        n = len(c.guest_grabs)
        self.guest.put_text(c.pump, data)
        c.wait_guest_grab(n, TEXT)
        got = c.request(TEXT, timeout=60)
        check(got == to_lf(data), what + ": client received exactly the guest's text "
              "(%d bytes)" % len(got))


# ---- the scenarios -----------------------------------------------------------
def s1_caps(cfg):
    # As installed: vdservice opens its default port path (aliased to the bridge).
    with Stack(cfg, production_path=True) as s:
        c = s.client()
        check(c.agent_history[-1:] == [True], "client saw the agent connect")
        word = c.agent_caps_word()
        log("agent caps word: %#x" % word)
        for cap, name in ((w.CAP_CLIPBOARD_BY_DEMAND, "CLIPBOARD_BY_DEMAND"),
                          (w.CAP_GUEST_LINEEND_CRLF, "GUEST_LINEEND_CRLF"),
                          (w.CAP_MAX_CLIPBOARD, "MAX_CLIPBOARD")):
            check(c.main.agent_test_capability(cap), "agent announced " + name)
        check(not c.main.agent_test_capability(w.CAP_GUEST_LINEEND_LF),
              "agent did not announce GUEST_LINEEND_LF")
        agent_log = s.procs.log_text("vdservice")
        check("announcing capabilities" in agent_log, "agent logged its announce")
        check("device %s opened" % stack.Guest.PRODUCTION_PORT in agent_log,
              "vdservice opened its default (production) port path")
        c.disconnect()


def s2_text(cfg):
    with Stack(cfg) as s:
        c = s.client()
        small = "Grüße, 世界! こんにちは 🎉👍🏽 — line one\nline two\n".encode()
        s.client_to_guest_text(c, small, "CJK+emoji client->guest")
        s.guest_to_client_text(c, to_crlf("guest: 你好 🌍\nsecond line ✓\n".encode()),
                               "CJK+emoji guest->client")
        big = big_text(8 * MiB, 1)
        t = time.monotonic()
        s.client_to_guest_text(c, big, "8 MiB client->guest")
        log("8 MiB client->guest took %.2fs" % (time.monotonic() - t))
        big2 = to_crlf(big_text(8 * MiB, 2))
        t = time.monotonic()
        s.guest_to_client_text(c, big2, "8 MiB guest->client")
        log("8 MiB guest->client took %.2fs" % (time.monotonic() - t))
        c.disconnect()


def _test_image(w_, h_, seed):
    rnd = random.Random(seed)
    px = bytearray()
    for y in range(h_):
        for x in range(w_):
            px += bytes(((x * 255) // w_, (y * 255) // h_, rnd.randrange(256), 255))
    return bytes(px)


def s3_png(cfg):
    with Stack(cfg) as s:
        c, g = s.client(), s.guest
        w1, h1 = 173, 91                   # odd sizes: row padding must not leak in
        px = _test_image(w1, h1, 3)
        check(g.run_clip(c.pump, "clear") == 0, "guest clipboard cleared")
        c.grab({PNG: png_pixels.encode_rgba(w1, h1, px)})
        got = g.get_image(c.pump)
        check(got is not None, "guest application read an image")
        check(got[:2] == (w1, h1), "guest image is %dx%d" % (w1, h1))
        check(got[2] == px, "guest image pixels equal the client's PNG")

        w2, h2 = 64, 257
        px2 = _test_image(w2, h2, 4)
        n = len(c.guest_grabs)
        g.put_image(c.pump, w2, h2, px2)
        c.wait_guest_grab(n, PNG)
        png = c.request(PNG)
        gw, gh, gpx = png_pixels.decode_rgba(png)
        check((gw, gh) == (w2, h2), "client's PNG is %dx%d" % (w2, h2))
        check(gpx == px2, "client's PNG pixels equal the guest image")
        c.disconnect()


def _check_interrupted_paste(reader, path, sent, pump, timeout):
    """An interrupted paste returns; it may give the application nothing (or an
    error), or, had it finished after all, everything: never a truncated or
    spliced text."""
    end = time.monotonic() + timeout
    while reader.poll() is None and time.monotonic() < end:
        pump(0.05)
    check(reader.poll() is not None, "the guest application's interrupted paste returned")
    rc = reader.returncode
    log("guest application's interrupted paste ended with status %d" % rc)
    if rc != 0 or not os.path.exists(path):
        log("the interrupted paste gave the application no text (status %d)" % rc)
        return
    with open(path, "rb") as f:
        got = f.read()
    check(got in (b"", to_crlf(sent)), "the interrupted paste gave the application nothing or "
          "all of it, not a piece (%d bytes)" % len(got))


def s4_seed1_client_drops_mid_paste(cfg):
    """Seed scenario 1: the client goes away in the middle of a large paste into
    the guest; a new client pastes something else; the guest holds exactly that."""
    with Stack(cfg) as s:
        a = s.client()
        sent, partial, reader, sess = s.start_paste_into_guest(a, 4)
        a.disconnect()
        moved = stack.host_sessions(s.procs)[sess]["to_guest"]
        log("client A disconnected in the middle of the paste (%d bytes had reached the guest)"
            % moved)
        check(moved < 16 * MiB, "the disconnect came in the middle of the 16 MiB paste")
        # Client A is gone: nothing to pump.
        _check_interrupted_paste(reader, partial, sent, time.sleep, 60)
        b = s.client()
        new = "new client's text: 新しい 🆕\n".encode()
        s.client_to_guest_text(b, new, "after seed scenario 1")
        b.disconnect()


def s5_seed3_agent_killed_mid_send(cfg):
    """Seed scenario 3: the agent dies while sending a large clipboard to the client."""
    with Stack(cfg) as s:
        g = s.guest
        c = s.client()
        r = len(c.received)
        big, sess = s.start_copy_from_guest(c, 5)
        g.kill_agent()
        c.wait(lambda: stack.host_sessions(s.procs)[sess]["ended"], 20, "the port closing")
        moved = stack.host_sessions(s.procs)[sess]["from_guest"]
        check(moved < len(big), "the agent died in the middle of sending (%d of %d bytes)"
              % (moved, len(big)))
        c.wait(lambda: c.agent_history[-2:] == [True, False] or
               (len(c.agent_history) >= 3 and c.agent_history[-3:] == [True, False, True]),
               20, "the client seeing the agent go away")
        c.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND, 30)
        check(c.agent_history[-3:] == [True, False, True], "client saw the agent go and come back")
        for t, data in c.received[r:]:
            check(t == TEXT and data == to_lf(big), "nothing partial was delivered "
                  "(got %d bytes of type %d)" % (len(data), t))
        s.guest_to_client_text(c, to_crlf("after the agent came back: ✓ 再び\n".encode()),
                               "next transfer after seed scenario 3")
        c.disconnect()


def s6_seed2_seed4(cfg):
    """Seed 2: a client reconnects while the guest is sending. Seed 4: a new agent
    starts while the client is sending. Nothing corrupt arrives on either side."""
    with Stack(cfg) as s:
        g = s.guest
        # Seed 2.
        a = s.client()
        big, sess = s.start_copy_from_guest(a, 6)
        a.disconnect()
        moved = stack.host_sessions(s.procs)[sess]["from_guest"]
        log("client A left while the guest was sending (%d bytes sent so far)" % moved)
        check(moved < len(big), "client A left in the middle of the guest's message")
        b = s.client()
        s.guest_to_client_text(b, to_crlf("seed 2: fresh ✓\n".encode()), "after seed scenario 2")
        for t, data in b.received:
            check(t == TEXT and data == to_lf(to_crlf("seed 2: fresh ✓\n".encode())),
                  "client B received nothing but the fresh text")
        # Seed 4.
        sent, partial, reader, sess = s.start_paste_into_guest(b, 7)
        # The user role (the clipboard's) dies: the service restarts the port so
        # that the client forgets the clipboard state it shared with that role.
        g.kill_agent("user")
        b.wait(lambda: stack.host_sessions(s.procs)[sess]["ended"], 20, "the port closing")
        moved = stack.host_sessions(s.procs)[sess]["to_guest"]
        check(moved < 16 * MiB, "the agent died in the middle of the client's message "
              "(%d bytes had reached the guest)" % moved)
        b.wait(lambda: b.agent_history[-1:] == [False] or len(b.agent_history) >= 3, 20,
               "the client seeing the agent go away")
        b.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND, 30)
        _check_interrupted_paste(reader, partial, sent, b.pump, 30)
        s.client_to_guest_text(b, "seed 4: after the new agent ✓\n".encode(),
                               "after seed scenario 4")
        b.disconnect()


def s7_service_restart(cfg):
    with Stack(cfg) as s:
        g = s.guest
        c = s.client()
        g.stop_service(c.pump)
        c.wait(lambda: c.agent_history[-1:] == [False], 20, "the client seeing the agent leave")
        check(c.agent_history[-2:] == [True, False], "client saw the agent leave")
        g.start_service()
        c.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND, 30)
        check(c.agent_history[-3:] == [True, False, True], "client saw the agent return")
        s.client_to_guest_text(c, "after the restart ✓\n".encode(), "after service restart")
        s.guest_to_client_text(c, "guest after the restart ✓\r\n".encode(), "after service restart")
        c.disconnect()


def s10_stop_keeps_client_clipboard(cfg):
    """Issue 13 §2: the client holds the clipboard, the service is stopped (stop,
    upgrade, logoff all do this), then a guest application pastes: it gets the
    client's text, which the agent rendered at exit (WM_RENDERALLFORMATS) by asking
    the client through the link vdservice keeps open while the agent shuts down."""
    with Stack(cfg) as s:
        g = s.guest
        c = s.client()
        check(g.run_clip(c.pump, "clear") == 0, "guest clipboard cleared")
        c.pump(0.1)
        data = "held by the client across a service stop ✓\nsecond line\n".encode()
        asked = len(c.guest_requests)
        c.grab({TEXT: data})
        c.wait(lambda: "client grabbed the clipboard" in s.procs.log_text("vdservice"), 20,
               "the agent taking the client's grab")
        c.pump(1.0)                      # the agent takes the Windows clipboard after the grab
        check(len(c.guest_requests) == asked, "nothing asked for the text before the stop")
        g.stop_service(c.pump)
        check(len(c.guest_requests) > asked, "the agent asked the client for its text while it "
              "shut down (exit-time rendering through the link that stayed open)")
        got = g.get_text(c.pump, 5000)
        check(got is not None, "after the stop the guest application read text")
        check(got == to_crlf(data), "after the stop the guest clipboard holds exactly the "
              "client's text (%d bytes read)" % len(got))
        c.disconnect()


# The e2e Wine fixture's Xvfb screen (tests/wine/wine-env.sh): Wine's primary
# monitor, onto which the agent maps the client's display 0.
GUEST_SCREEN = (1920, 1080)


def s8_client_mouse(cfg):
    """Issue 5, end to end: spice-gtk in client mouse mode moves the guest's pointer
    and clicks through the real spice-server (inputs channel -> VD_AGENT_MOUSE_STATE)
    and the agent (SendInput). The host has a blank QXL display: without one,
    spice-server never allows client mouse mode."""
    with Stack(cfg, display="%dx%d" % GUEST_SCREEN) as s:
        g = s.guest
        c = SpiceClient(s.info["spice_port"], log=log, inputs=True).connect()
        c.wait_agent_caps(w.CAP_MOUSE_STATE, 30)
        c.wait_inputs()
        check(c.request_client_mouse(10), "spice-server granted client mouse mode (mode %d)"
              % c.mouse_mode)
        pts = ((321, 213), (1500, 900), (GUEST_SCREEN[0] - 1, GUEST_SCREEN[1] - 1))
        x0, y0 = pts[0]
        check(g.run_clip(c.pump, "cursor-wait", x0, y0, 0) == 3,
              "the guest pointer is not at %d,%d before the client moves it" % (x0, y0))
        for x, y in pts:
            t = time.monotonic()
            c.move(x, y)
            rc = g.run_clip(c.pump, "cursor-wait", x, y, 5000)
            where = s.procs.log_text("clip").strip().splitlines()[-1:]
            check(rc == 0, "client position %d,%d moved the guest pointer there (%s, %.2fs)"
                  % (x, y, where, time.monotonic() - t))
        # A left click: a guest window around (cx, cy) must see the button go down
        # there and come up again.
        cx, cy = 700, 500
        c.move(cx - 150, cy - 150)                 # outside the window: the click moves in
        ready = s.procs.log_text("clip").count("window ready")
        p = g.start_clip("click-wait", cx, cy, 10000)
        c.wait(lambda: s.procs.log_text("clip").count("window ready") > ready or
               p.poll() is not None, 20, "the guest's click window")
        c.pump(0.3)                                # let the window reach the screen
        c.click(cx, cy)
        end = time.monotonic() + 15
        while p.poll() is None and time.monotonic() < end:
            c.pump(0.02)
        lines = [l for l in s.procs.log_text("clip").splitlines() if "button" in l or "click" in l]
        check(p.poll() == 0, "the guest window got a left click at %d,%d (status %s: %s)"
              % (cx, cy, p.poll(), lines[-3:]))
        c.disconnect()


def s9_display_info(cfg):
    """Issue 16 with the real stack: the agent announces GRAPHICS_DEVICE_INFO and
    AUDIO_VOLUME_SYNC (spice-gtk sees them), and spice-server's
    VD_AGENT_GRAPHICS_DEVICE_INFO for the host's QXL device (address
    pci/0000/02.0) reaches the agent, passes its validation and maps client
    display 0 to a Windows display (Wine's adapter has no PCI location: today's
    order, so DISPLAY1)."""
    with Stack(cfg, display="%dx%d" % GUEST_SCREEN) as s:
        c = SpiceClient(s.info["spice_port"], log=log).connect()
        c.wait_agent_caps(w.CAP_GRAPHICS_DEVICE_INFO, 30)
        # Two roles: the user role's caps come in a later announcement.
        c.wait_agent_caps(w.CAP_AUDIO_VOLUME_SYNC, 30)
        check(c.main.agent_test_capability(w.CAP_GRAPHICS_DEVICE_INFO),
              "agent announced GRAPHICS_DEVICE_INFO")
        check(c.main.agent_test_capability(w.CAP_AUDIO_VOLUME_SYNC),
              "agent announced AUDIO_VOLUME_SYNC")
        want = ("device-info: display id 0 (channel 0, monitor 0) = pci/0000/02.0 output 0"
                " -> \\\\.\\DISPLAY1")
        deadline = time.monotonic() + 20
        while want not in s.procs.log_text("vdservice") and time.monotonic() < deadline:
            SpiceClient.pump(0.2)
        agent_log = s.procs.log_text("vdservice")
        check(want in agent_log, "the agent mapped the server's device info: " + want)
        check("device-info: message" not in agent_log, "no device-info message was discarded")
        log("NOT RUN: AUDIO_VOLUME_SYNC from the client (the host has no playback channel)")
        c.disconnect()


SCENARIOS = {
    "1_caps": s1_caps,
    "2_text": s2_text,
    "3_png": s3_png,
    "4_seed1_client_drops_mid_paste": s4_seed1_client_drops_mid_paste,
    "5_seed3_agent_killed_mid_send": s5_seed3_agent_killed_mid_send,
    "6_seed2_seed4": s6_seed2_seed4,
    "7_service_restart": s7_service_restart,
    "8_client_mouse": s8_client_mouse,
    "9_display_info": s9_display_info,
    "10_stop_keeps_client_clipboard": s10_stop_keeps_client_clipboard,
}


def main():
    name = sys.argv[1]
    cfg = stack.Config(sys.argv[2:])
    cfg.require()
    t = time.monotonic()
    SCENARIOS[name](cfg)
    print("scenario %s: PASS (%.1fs)" % (name, time.monotonic() - t))
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
