"""Starts and stops the processes of one end-to-end test: the native host, the
Wine side (bridge, vdservice + vdagent, the clipboard tool) and fakes. Every
process is recorded by PID and stopped by PID when the `with` block ends, also
on failure; the Wine prefix's own processes end with `wineserver -k` on it.
"""
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import traceback

WINE64 = "/usr/lib/wine/wine64"
WINE_START_S = 60   # a Wine program's start on a busy 2-core machine (usually < 1 s)


class Skip(Exception):
    """This test cannot run here: reported loudly, exit 77 (ctest: not run)."""


def check(cond, what):
    if not cond:
        raise AssertionError("FAILED: " + what)
    print("ok: " + what, flush=True)


def log(msg):
    print("[%7.2f] %s" % (time.monotonic() % 10000, msg), flush=True)


class Processes:
    def __init__(self, work):
        self.work = work
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        self.procs = []                      # (name, Popen)
        self.wine_env = None                 # set by use_wine()

    def __enter__(self):
        return self

    def start(self, name, argv, env=None):
        logf = open(os.path.join(self.work, name + ".log"), "ab")
        # stdin/stdout/stderr never inherited: an inherited pipe keeps ctest waiting.
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                             env=env, start_new_session=True)
        logf.close()
        self.procs.append((name, p))
        log("started %s (pid %d)" % (name, p.pid))
        return p

    def stop(self, p, timeout=5):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = [(n, q) for n, q in self.procs if q is not p]

    def log_text(self, name):
        try:
            with open(os.path.join(self.work, name + ".log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_log(self, name, text, proc, what, timeout=20):
        """Waits until the log of `name` holds text; fails (saying what, why, with
        that log and this prefix's Wine processes) if proc ends first or after
        timeout seconds."""
        start = time.monotonic()
        while text not in self.log_text(name):
            if proc.poll() is not None:
                why = "it exited with status %d" % proc.returncode
            elif time.monotonic() > start + timeout:
                why = "still silent after %ds" % timeout
            else:
                time.sleep(0.02)
                continue
            raise AssertionError("%s (%s):\n%s\n%s" % (what, why, self.log_text(name),
                                                       self.wine_processes()))
        return time.monotonic() - start

    def wine_processes(self):
        """What runs in this test's Wine prefix (for failure reports)."""
        if not self.wine_env:
            return ""
        prefix = ("WINEPREFIX=" + self.wine_env["WINEPREFIX"]).encode()
        lines = []
        for d in sorted(os.listdir("/proc"), key=lambda x: int(x) if x.isdigit() else 0):
            try:
                with open("/proc/%s/environ" % d, "rb") as f:
                    if prefix not in f.read().split(b"\0"):
                        continue
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
                with open("/proc/%s/stat" % d) as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
                lines.append("  %s %s %s" % (d, state, cmd[:150]))
            except (OSError, IndexError):
                pass
        return "Wine processes of this prefix (pid state command):\n" + \
            ("\n".join(lines) if lines else "  none")

    def __exit__(self, et, ev, tb):
        for name, p in reversed(self.procs):
            self.stop(p)
        if self.wine_env:
            # -k, then -w: the next test must not start its processes against a
            # wineserver that is still shutting down.
            for opt in ("-k", "-w"):
                try:
                    subprocess.run(["wineserver", opt], env=self.wine_env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
                except subprocess.TimeoutExpired:
                    log("wineserver %s did not return within 30 s" % opt)
        if et is not None and not issubclass(et, Skip):
            for f in sorted(os.listdir(self.work)):
                if f.endswith(".log"):
                    print("---- %s (last 40 lines)" % f)
                    print("\n".join(self.log_text(f[:-4]).splitlines()[-40:]))
        return False


def start_host(procs, host_exe, timeout=10, spice_port=0, display=None, x11=None):
    """display: "WxH" gives the host a blank QXL display (needed for client
    mouse mode), None: no display. x11: an X display (":N") the host's display
    channel mirrors instead (the picture of the Windows desktop)."""
    info_file = os.path.join(procs.work, "host.info")
    if os.path.exists(info_file):
        os.unlink(info_file)
    # VDA_E2E_HOST_WRAPPER: e.g. "gdb -batch -ex run -ex bt --args" to debug the host.
    wrapper = os.environ.get("VDA_E2E_HOST_WRAPPER", "").split()
    p = procs.start("host", wrapper + [host_exe, "--info-file", info_file,
                                       "--spice-port", str(spice_port)] +
                    (["--display", display] if display else []) +
                    (["--x11", x11] if x11 else []))
    end = time.monotonic() + timeout
    while not os.path.exists(info_file):
        if p.poll() is not None or time.monotonic() > end:
            raise AssertionError("e2e_host did not start:\n" + procs.log_text("host"))
        time.sleep(0.02)
    info = {}
    with open(info_file) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            info[k] = int(v)
    info["proc"] = p
    return info


def run_main(fn):
    try:
        return fn()
    except Skip as e:
        print("NOT RUN: %s" % e, flush=True)
        return 77
    except Exception:
        traceback.print_exc()
        sys.stdout.flush()
        return 1


# ---- the Windows side ------------------------------------------------------
def winpath(p):
    return "Z:" + os.path.abspath(p).replace("/", "\\")


class Config:
    """Where the pieces are. Given by ctest (see CMakeLists.txt) on the command
    line; VDA_E2E_VDSERVICE / VDA_E2E_VDAGENT override the service and agent."""

    def __init__(self, argv):
        a = dict(zip(argv[::2], argv[1::2]))
        self.host_exe = a["--host"]
        self.win_dir = a["--win64"]                 # the win64 build tree
        self.wine_state = a["--wine-state"]
        self.work = a["--work"]
        self.bridge_exe = os.path.join(self.win_dir, "tests/e2e/bridge/e2e_bridge.exe")
        self.clip_exe = os.path.join(self.win_dir, "tests/e2e/guest/e2e_clip.exe")
        self.ref_guest_exe = os.path.join(self.win_dir, "tests/e2e/ref_guest/e2e_ref_guest.exe")
        self.vdservice_exe = os.environ.get("VDA_E2E_VDSERVICE") or \
            os.path.join(self.win_dir, "vdservice/vdservice.exe")
        self.vdagent_exe = os.environ.get("VDA_E2E_VDAGENT") or \
            os.path.join(self.win_dir, "vdagent/vdagent.exe")

    def require_wine(self):
        # (system.reg is written lazily by wineserver: look for what setup makes.)
        if not (os.path.isdir(os.path.join(self.wine_state, "prefix", "drive_c")) and
                os.path.isfile(os.path.join(self.wine_state, "display"))):
            raise Skip("no Wine prefix in %s (the e2e Wine fixture did not run)" % self.wine_state)

    def require(self):
        for what, p in (("e2e bridge", self.bridge_exe), ("guest clipboard tool", self.clip_exe),
                        ("vdservice.exe", self.vdservice_exe), ("vdagent.exe", self.vdagent_exe)):
            if not os.path.isfile(p):
                raise Skip("%s is not built (%s): build the win64 tree first" % (what, p))
        self.require_wine()


class Guest:
    """The Windows side: bridge (the port), vdservice run + vdagent, clipboard tool."""

    PRODUCTION_PORT = "\\\\.\\Global\\com.redhat.spice.0"

    def __init__(self, procs, cfg, guest_port, production_path=False):
        """production_path: the bridge also answers the production port path (an
        NT symbolic link in this prefix) and vdservice runs with its default
        device path, as installed."""
        self.procs, self.cfg, self.guest_port = procs, cfg, guest_port
        self.production_path = production_path
        state = cfg.wine_state
        env = dict(os.environ)
        env.update(WINEPREFIX=os.path.join(state, "prefix"), WINEDEBUG="-all",
                   WINEDLLOVERRIDES="mscoree,mshtml=")
        with open(os.path.join(state, "display")) as f:
            env["DISPLAY"] = f.read().strip()
        self.env = env
        procs.wine_env = env
        tag = "%d-%d" % (os.getpid(), guest_port)
        self.pipe = "\\\\.\\pipe\\vda-e2e-port-" + tag
        self.tag = tag
        self.bridge = None
        self.service = None
        self.event_holder = None
        self.service_runs = 0

    def start_bridge(self):
        alias = ["--alias", self.PRODUCTION_PORT] if self.production_path else []
        self.bridge = self.procs.start("bridge", [WINE64, self.cfg.bridge_exe, "--pipe", self.pipe,
                                                  "--host-port", str(self.guest_port)] + alias,
                                       self.env)

    def start_service(self):
        # vdservice only opens the stop event: a holder process creates it first.
        self.stop_event, self.event_holder = self._start_event_holder(self.service_runs + 1)
        self.service_runs += 1
        device = [] if self.production_path else ["--device", self.pipe]
        if self.production_path:
            # The alias exists once the bridge says so (it fails loudly otherwise).
            self.procs.wait_log("bridge", "now opens", self.bridge,
                                "the bridge could not alias the production port",
                                timeout=WINE_START_S)
        self.service = self.procs.start(
            "vdservice", [WINE64, self.cfg.vdservice_exe, "run"] + device + [
                          "--agent", winpath(self.cfg.vdagent_exe), "--log-level", "debug",
                          "--stop-event", self.stop_event], self.env)

    HOLDER_TRIES = 3
    HOLDER_START_S = 30

    def _start_event_holder(self, run):
        """Starts the process that creates (and holds) the service's stop event;
        returns (event name, process). Twice in CI a Wine program of the harness
        failed to start (silent for 20 s; exited 1 with no output) right when
        other Wine processes of the prefix started or ended, and it never came
        back in dozens of loops here. The holder is scaffolding, not the product:
        a failed start is logged (with Wine's own errors) and tried again."""
        env = dict(self.env, WINEDEBUG="-all,err+all")   # why Wine could not start it
        for attempt in range(1, self.HOLDER_TRIES + 1):
            # One log per holder: an earlier holder's "event ready" must not count.
            name = "event-%d" % run + ("" if attempt == 1 else "-try%d" % attempt)
            # A fresh event name per holder: a still-signalled event of the
            # previous run (a handle not closed yet) would stop the new service.
            event = "vda-e2e-stop-%s-%d-%d" % (self.tag, run, attempt)
            holder = self.procs.start(name, [WINE64, self.cfg.clip_exe, "make-event", event], env)
            try:
                took = self.procs.wait_log(name, "event ready", holder,
                                           "the stop-event holder did not start",
                                           timeout=self.HOLDER_START_S)
            except AssertionError as e:
                if attempt == self.HOLDER_TRIES:
                    raise
                log("Wine start failure, trying again: %s" % e)
                self.procs.stop(holder)
                continue
            if took > 5:
                log("slow Wine start: the stop-event holder took %.1fs" % took)
            return event, holder

    def start_ref_guest(self, on_demand=False):
        """The benchmark's reference guest in place of vdservice + vdagent
        (on_demand: delayed rendering, as an agent must do it)."""
        self.service = self.procs.start("ref-guest", [WINE64, self.cfg.ref_guest_exe, "--pipe",
                                                      self.pipe] +
                                        (["--on-demand"] if on_demand else []), self.env)

    def stop_service(self, pump, timeout=15):
        """Stops vdservice cleanly (its stop event), pumping the client meanwhile."""
        rc = self.run_clip(pump, "set-event", self.stop_event)
        if rc != 0:
            raise AssertionError("could not set the service's stop event")
        end = time.monotonic() + timeout
        while self.service.poll() is None:
            if time.monotonic() > end:
                raise AssertionError("vdservice did not stop within %ds" % timeout)
            pump(0.05)
        check(self.service.returncode == 0, "vdservice exited cleanly (status %d)"
              % self.service.returncode)
        self.procs.stop(self.service)
        self.procs.stop(self.event_holder)

    def agent_pids(self, role=None):
        """Linux PIDs of this prefix's vdagent.exe processes (started by our vdservice);
        with role ("system" or "user"), only that role's (vdservice runs both)."""
        pids = []
        prefix = ("WINEPREFIX=" + self.env["WINEPREFIX"]).encode()
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmd = f.read()
                if b"vdagent.exe" not in cmd.split(b"\0")[0]:
                    continue
                if role and b"--role\0" + role.encode() + b"\0" not in cmd + b"\0":
                    continue
                with open("/proc/%s/environ" % d, "rb") as f:
                    if prefix in f.read().split(b"\0"):
                        pids.append(int(d))
            except OSError:
                pass
        return pids

    def kill_agent(self, role="user"):
        """Kills the agent role that handles the clipboard (default) or another."""
        pids = self.agent_pids(role)
        check(len(pids) == 1, "exactly one vdagent.exe --role %s runs (%s)" % (role, pids))
        os.kill(pids[0], signal.SIGKILL)
        log("killed vdagent.exe --role %s (pid %d)" % (role, pids[0]))

    def start_clip(self, *args):
        argv = [WINE64, self.cfg.clip_exe] + [str(a) for a in args]
        logf = open(os.path.join(self.procs.work, "clip.log"), "ab")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                             env=self.env)
        logf.close()
        # Recorded like every other process: stopped by PID at the end if still running.
        self.procs.procs = [(n, q) for n, q in self.procs.procs if q.poll() is None]
        self.procs.procs.append(("clip", p))
        return p

    def run_clip(self, pump, *args, timeout=60):
        """Runs the clipboard tool to its end while the client's loop runs. The
        tool prints a line on every failure; a failure with no output at all is
        Wine failing to start it (see _start_event_holder): logged, tried again once."""
        for attempt in (1, 2):
            before = len(self.procs.log_text("clip"))
            p = self.start_clip(*args)
            end = time.monotonic() + timeout
            while p.poll() is None:
                if time.monotonic() > end:
                    p.kill()
                    p.wait()
                    raise AssertionError("e2e_clip %s did not finish in %ds" % (args[0], timeout))
                pump(0.01)
            if p.returncode == 0 or attempt == 2 or len(self.procs.log_text("clip")) != before:
                return p.returncode
            log("e2e_clip %s exited with status %d and no output (Wine did not start it): "
                "trying again" % (args[0], p.returncode))

    # Convenience wrappers over files in the work dir.
    def put_text(self, pump, data):
        path = os.path.join(self.procs.work, "put.txt")
        with open(path, "wb") as f:
            f.write(data)
        check(self.run_clip(pump, "put-text", winpath(path)) == 0, "guest app copied %d bytes of text"
              % len(data))

    def get_text(self, pump, wait_ms=10000):
        path = os.path.join(self.procs.work, "got.txt")
        if os.path.exists(path):
            os.unlink(path)
        rc = self.run_clip(pump, "get-text", winpath(path), wait_ms)
        if rc != 0:
            return None
        with open(path, "rb") as f:
            return f.read()

    def put_image(self, pump, w, h, rgba):
        path = os.path.join(self.procs.work, "put.rgba")
        with open(path, "wb") as f:
            f.write(struct.pack("<II", w, h) + rgba)
        check(self.run_clip(pump, "put-image", winpath(path)) == 0, "guest app copied a %dx%d image"
              % (w, h))

    def get_image(self, pump, wait_ms=10000):
        path = os.path.join(self.procs.work, "got.rgba")
        if os.path.exists(path):
            os.unlink(path)
        if self.run_clip(pump, "get-image", winpath(path), wait_ms) != 0:
            return None
        with open(path, "rb") as f:
            raw = f.read()
        w, h = struct.unpack_from("<II", raw)
        return w, h, raw[8:]


# ---- what e2e_host says about the guest sessions (its stderr, host.log) ---------
_HOST_LINE = re.compile(r"e2e-host: session (\d+) (progress|guest disconnected \(.*\)) "
                        r"to_guest=(\d+) from_guest=(\d+)")


def host_sessions(procs):
    """{session: {"to_guest": n, "from_guest": n, "ended": bool}} from host.log."""
    out = {}
    for m in _HOST_LINE.finditer(procs.log_text("host")):
        out[int(m.group(1))] = {"to_guest": int(m.group(3)), "from_guest": int(m.group(4)),
                                "ended": m.group(2) != "progress"}
    return out


def wait_host_bytes(procs, pump, key, at_least, timeout=30):
    """Waits until the current guest session moved at_least bytes (key: to_guest
    or from_guest); returns the session number."""
    end = time.monotonic() + timeout
    while True:
        s = host_sessions(procs)
        if s:
            n = max(s)
            if not s[n]["ended"] and s[n][key] >= at_least:
                return n
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for %d bytes %s" % (at_least, key))
        pump(0.005)
