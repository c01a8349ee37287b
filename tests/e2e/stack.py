"""Starts and stops the processes of one end-to-end test: the native host, the
Wine side (bridge, vdservice + vdagent, the clipboard tool) and fakes. Every
process is recorded by PID and stopped by PID when the `with` block ends, also
on failure; the Wine prefix's own processes end with `wineserver -k` on it.
"""
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback

WINE64 = "/usr/lib/wine/wine64"


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

    def kill(self, p):
        if p.poll() is None:
            p.kill()
        p.wait()
        self.procs = [(n, q) for n, q in self.procs if q is not p]

    def log_text(self, name):
        try:
            with open(os.path.join(self.work, name + ".log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def __exit__(self, et, ev, tb):
        for name, p in reversed(self.procs):
            self.stop(p)
        if self.wine_env:
            subprocess.run(["wineserver", "-k"], env=self.wine_env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
        if et is not None and not issubclass(et, Skip):
            for f in sorted(os.listdir(self.work)):
                if f.endswith(".log"):
                    print("---- %s (last 40 lines)" % f)
                    print("\n".join(self.log_text(f[:-4]).splitlines()[-40:]))
        return False


def start_host(procs, host_exe, timeout=10):
    info_file = os.path.join(procs.work, "host.info")
    if os.path.exists(info_file):
        os.unlink(info_file)
    p = procs.start("host", [host_exe, "--info-file", info_file])
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
