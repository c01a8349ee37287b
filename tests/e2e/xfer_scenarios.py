#!/usr/bin/python3
"""File transfer into the guest end to end (issue 14): real spice-server (e2e_host),
real spice-gtk `file_copy_async` (what remote-viewer does on a drop), vdservice +
vdagent under Wine. Each scenario is a ctest test `native.e2e.xfer_<name>`.

    xfer_scenarios.py NAME --host E2E_HOST --win64 WIN64_TREE --wine-state DIR --work DIR

The agent reads its settings from the service's Parameters key in the prefix's
HKLM: the target folder is C:\\vda-xfer-e2e (T:\\ for the full disk: a tmpfs
mounted under the work dir and mapped as drive T: through dosdevices), and
FileXferOpenFolder is 0 so no Explorer starts; the agent then logs the finished
batch ("N file(s) saved in ..."), which the scenarios check. After each scenario:
the client got its result within seconds, the agent still serves a paste, and no
stray file (temporary or not) exists anywhere in the prefix.
"""
import hashlib
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenarios                                               # noqa: E402
import stack                                                   # noqa: E402
from client import SpiceClient, TimeoutError_                  # noqa: E402
from stack import check, log                                   # noqa: E402

from gi.repository import Gio, GLib                            # noqa: E402

MiB = 1 << 20
PARAMS = r"HKLM\SYSTEM\CurrentControlSet\Services\spice-agent\Parameters"
RESULT_WITHIN_S = 5      # "the client got its result within seconds"


def reg(env, *args):
    r = subprocess.run([stack.WINE64, "reg"] + list(args), env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    if r.returncode != 0:
        raise AssertionError("wine reg %s: %s" % (" ".join(args), r.stdout.decode(errors="replace")))


class XferStack(scenarios.Stack):
    """The stack with the agent's file-transfer settings in place first."""

    def __init__(self, cfg, folder_unix, folder_win):
        super().__init__(cfg)
        self.folder_unix, self.folder_win = folder_unix, folder_win

    def __enter__(self):
        self.procs.__enter__()
        self.info = stack.start_host(self.procs, self.cfg.host_exe)
        self.guest = stack.Guest(self.procs, self.cfg, self.info["guest_port"])
        env = self.guest.env
        reg(env, "add", PARAMS, "/v", "FileXferFolder", "/t", "REG_SZ", "/d", self.folder_win, "/f")
        reg(env, "add", PARAMS, "/v", "FileXferOpenFolder", "/t", "REG_DWORD", "/d", "0", "/f")
        self.guest.start_bridge()
        self.guest.start_service()
        return self

    def __exit__(self, *exc):
        try:
            reg(self.guest.env, "delete", PARAMS, "/f")
        except Exception as e:          # noqa: BLE001 -- cleanup must not hide the result
            log("could not remove the test's settings: %s" % e)
        return super().__exit__(*exc)

    def agent_log(self):
        return self.procs.log_text("vdservice")


class Copy:
    """One spice_main_channel_file_copy_async call and its outcome."""

    def __init__(self, c, paths, cancellable=None):
        self.done_at = None
        self.ok = None
        self.error = None
        files = [Gio.File.new_for_path(p) for p in paths]

        def on_done(channel, result, data=None):
            try:
                self.ok = channel.file_copy_finish(result)
            except GLib.Error as e:
                self.ok, self.error = False, e
            self.done_at = time.monotonic()
            log("client: file copy finished: ok=%s error=%s" % (self.ok, self.error))

        # No progress callback: PyGObject (3.42) aborts on spice-gtk's annotation of it.
        c.main.file_copy_async(files, Gio.FileCopyFlags.NONE, cancellable, None, None,
                               on_done, None)

    def wait(self, c, timeout, what):
        c.wait(lambda: self.done_at is not None, timeout, what)
        return self


def make_file(path, size, seed=1):
    """size bytes of a repeatable, incompressible-enough pattern; returns its sha256."""
    h = hashlib.sha256()
    block = hashlib.sha256(b"%d" % seed).digest() * (MiB // 32)
    with open(path, "wb") as f:
        left = size
        i = 0
        while left > 0:
            b = block[:left] if left < len(block) else block
            b = bytes([i & 0xff]) + b[1:] if b else b     # every MiB differs
            f.write(b)
            h.update(b)
            left -= len(b)
            i += 1
    return h.hexdigest()


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(4 * MiB), b""):
            h.update(b)
    return h.hexdigest()


def prefix_dir(cfg):
    return os.path.join(cfg.wine_state, "prefix")


def strays(cfg, allowed):
    """Temporary files anywhere in the prefix (and T:'s tmpfs), and any file named
    like one the test sent outside the folders that may hold it."""
    found = []
    roots = [os.path.join(prefix_dir(cfg), "drive_c"), cfg.work + "-tmpfs"]
    for root in roots:
        for d, dirs, files in os.walk(root):
            for f in files:
                p = os.path.join(d, f)
                if f.startswith("~spice-xfer-"):
                    found.append(p)
                elif f in allowed.get("names", ()) and os.path.dirname(p) not in allowed["dirs"]:
                    found.append(p)
    return found


def fresh_folder(path):
    if os.path.isdir(path):
        for f in os.listdir(path):
            os.unlink(os.path.join(path, f))
    else:
        os.makedirs(path)


def after_each(s, c, folder, expected, sent_names):
    """The agent still serves a paste; the folder holds exactly `expected`;
    nothing stray in the prefix."""
    s.client_to_guest_text(c, b"still pasting after the transfer\n", "paste after the transfer")
    got = sorted(os.listdir(folder))
    check(got == sorted(expected), "the target folder holds exactly %s (has %s)"
          % (sorted(expected), got))
    bad = strays(s.cfg, {"names": set(sent_names), "dirs": {folder}})
    check(not bad, "no stray file anywhere in the prefix (%s)" % bad[:5])


def setup(cfg, name):
    folder = os.path.join(prefix_dir(cfg), "drive_c", "vda-xfer-e2e")
    fresh_folder(folder)
    src = os.path.join(cfg.work + "-src")
    os.makedirs(src, exist_ok=True)
    return folder, "C:\\vda-xfer-e2e", src


# ---- scenarios ---------------------------------------------------------------
def x_one(cfg, size=300 * 1024, name="report.pdf", timeout=60):
    folder, win, src = setup(cfg, "one")
    p = os.path.join(src, name)
    digest = make_file(p, size)
    with XferStack(cfg, folder, win) as s:
        c = s.client()
        t0 = time.monotonic()
        cp = Copy(c, [p]).wait(c, timeout, "the file copy to finish")
        secs = cp.done_at - t0
        check(cp.ok, "the client's copy of %d bytes succeeded (%.1fs, %.1f MiB/s)"
              % (size, secs, size / MiB / max(secs, 1e-6)))
        got = os.path.join(folder, name)
        check(os.path.getsize(got) == size and sha256_of(got) == digest,
              "%s in the folder has the same sha256 as the client's file" % name)
        check(s.agent_log().count("1 file(s) saved in") == 1, "the agent ended one batch")
        after_each(s, c, folder, [name], [name])
        c.disconnect()
    os.unlink(p)


def x_zero(cfg):
    x_one(cfg, size=0, name="empty.txt")


def x_big(cfg):
    x_one(cfg, size=1024 * MiB, name="disk.img", timeout=900)


def x_three(cfg):
    folder, win, src = setup(cfg, "three")
    names = ["a.txt", "b photo.jpg", "c.tar.gz"]
    sizes = [1, 2 * MiB + 3, 700 * 1024]
    digests = [make_file(os.path.join(src, n), z, i) for i, (n, z) in enumerate(zip(names, sizes))]
    with XferStack(cfg, folder, win) as s:
        c = s.client()
        cp = Copy(c, [os.path.join(src, n) for n in names]).wait(c, 60, "the copy of three")
        check(cp.ok, "the client's copy of three files at once succeeded")
        for n, d in zip(names, digests):
            check(sha256_of(os.path.join(folder, n)) == d, "%s arrived intact" % n)
        check(s.agent_log().count("3 file(s) saved in") == 1,
              "one batch of three (the folder would open once)")
        after_each(s, c, folder, names, names)
        c.disconnect()


def x_hostile(cfg):
    folder, win, src = setup(cfg, "hostile")
    # Linux file names spice-gtk sends as they are -> what must land in Windows.
    table = {
        "CON.txt": "_CON.txt",
        "nul": "_nul",
        "a:b.txt": "a_b.txt",
        "trailing.": "trailing",
        "x|y?.txt": "x_y_.txt",
        "dir\\..\\back.txt": "back.txt",
        "tab\tname.txt": "tab_name.txt",
        "...": "file",
        "lpt3 .log": "_lpt3 .log",
    }
    for n in table:
        make_file(os.path.join(src, n), 100)
    with XferStack(cfg, folder, win) as s:
        c = s.client()
        for n, want in table.items():
            cp = Copy(c, [os.path.join(src, n)]).wait(c, 30, "the copy of %r" % n)
            check(cp.ok, "%r accepted" % n)
            check(os.path.isfile(os.path.join(folder, want)), "%r landed as %r" % (n, want))
        after_each(s, c, folder, list(table.values()), list(table))
        c.disconnect()


def start_big_copy(s, c, src, size, cancellable=None):
    p = os.path.join(src, "big.bin")
    make_file(p, size)
    cp = Copy(c, [p], cancellable)
    stack.wait_host_bytes(s.procs, c.pump, "to_guest", 8 * MiB, timeout=60)
    return cp


def x_cancel(cfg):
    folder, win, src = setup(cfg, "cancel")
    with XferStack(cfg, folder, win) as s:
        c = s.client()
        cancel = Gio.Cancellable()
        cp = start_big_copy(s, c, src, 256 * MiB, cancel)
        t0 = time.monotonic()
        cancel.cancel()
        cp.wait(c, RESULT_WITHIN_S, "the cancelled copy's result")
        check(cp.ok is False, "the client got its result %.2fs after cancelling (%s)"
              % (cp.done_at - t0, cp.error))
        try:
            c.wait(lambda: not os.listdir(folder), 10, "the partial file to go")
        except TimeoutError_:
            if "cancelled by the client" in s.agent_log():
                raise
            # Seen twice under heavy load: spice-gtk completed the cancelled copy but
            # its CANCELLED status never reached the guest (the host delivered no
            # byte after the last data message; the agent had consumed all of it).
            # The agent cannot know, so the partial file must then go when the
            # client does (CLIENT_DISCONNECTED), as after a disconnect.
            sess = stack.host_sessions(s.procs)
            log("NOTE: the client's CANCELLED status did not reach the guest within 10 s "
                "(host sessions: %s); checking the clean-up at the client's disconnect "
                "instead" % sess)
            c.disconnect()
            c = s.client()
            c.wait(lambda: not os.listdir(folder), 10, "the partial file to go at disconnect")
        else:
            check("cancelled by the client" in s.agent_log(), "the agent logged the cancel")
        after_each(s, c, folder, [], ["big.bin"])
        c.disconnect()


def x_disconnect(cfg):
    folder, win, src = setup(cfg, "disconnect")
    with XferStack(cfg, folder, win) as s:
        c = s.client()
        cp = start_big_copy(s, c, src, 256 * MiB)
        # The clipboard keeps working while a big file streams in (the agent's
        # disk writes are on another thread). Its time is printed, not asserted.
        t0 = time.monotonic()
        s.client_to_guest_text(c, b"pasted during a file transfer\n", "paste during the transfer")
        log("the paste during the transfer took %.2fs" % (time.monotonic() - t0))
        check(cp.done_at is None, "the transfer was still running after the paste")
        t0 = time.monotonic()
        c.disconnect()
        c.wait(lambda: cp.done_at is not None, RESULT_WITHIN_S, "the copy's result")
        check(cp.ok is False, "the client got its result %.2fs after disconnecting (%s)"
              % (cp.done_at - t0, cp.error))
        c.wait(lambda: not os.listdir(folder), 10, "the partial file to go")
        c2 = s.client()
        after_each(s, c2, folder, [], ["big.bin"])
        c2.disconnect()


def x_full_disk(cfg):
    mnt = cfg.work + "-tmpfs"    # outside work: Processes empties work at start
    dosdev = os.path.join(prefix_dir(cfg), "dosdevices", "t:")
    os.makedirs(mnt, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise stack.Skip("cannot mount a tmpfs for the full disk (%s)" % r.stdout.decode().strip())
    try:
        if os.path.lexists(dosdev):
            os.unlink(dosdev)
        os.symlink(mnt, dosdev)
        folder, _, src = setup(cfg, "full")
        folder = mnt
        with XferStack(cfg, folder, "T:\\") as s:
            c = s.client()
            # 1: refused at START (bigger than the free space)
            p = os.path.join(src, "toobig.bin")
            make_file(p, 20 * MiB)
            cp = Copy(c, [p]).wait(c, 30, "the refused copy")
            check(cp.ok is False, "a 20 MiB file on a 16 MiB disk is refused at once (%s)"
                  % cp.error)
            check("do not fit" in s.agent_log(), "the agent logged the free-space refusal")
            # 2: fits at START, the disk fills up mid-way (another writer took the space)
            filler = os.path.join(mnt, "filler")
            p2 = os.path.join(src, "fills.bin")
            make_file(p2, 10 * MiB)
            cp = Copy(c, [p2])
            stack.wait_host_bytes(s.procs, c.pump, "to_guest", 1 * MiB, timeout=60)
            with open(filler, "wb") as f:
                try:
                    f.write(b"\0" * (15 * MiB))
                except OSError:
                    pass
            t0 = time.monotonic()
            cp.wait(c, 30, "the copy onto the full disk")
            check(cp.ok is False, "the disk filling up mid-way gave the client an error (%s)"
                  % cp.error)
            log("result %.2fs after the disk filled" % (cp.done_at - t0))
            check(": writing " in s.agent_log() and "failed" in s.agent_log(),
                  "the agent logged the failed write (the disk was full)")
            os.unlink(filler)
            c.wait(lambda: not os.listdir(folder), 10, "the partial file to go")
            after_each(s, c, folder, [], ["toobig.bin", "fills.bin"])
            c.disconnect()
    finally:
        if os.path.islink(dosdev):
            os.unlink(dosdev)
        subprocess.run(["umount", mnt])


SCENARIOS = {
    "one": x_one, "zero": x_zero, "three": x_three, "hostile": x_hostile,
    "cancel": x_cancel, "disconnect": x_disconnect, "full_disk": x_full_disk, "1gib": x_big,
}


def main():
    name = sys.argv[1]
    cfg = stack.Config(sys.argv[2:])
    cfg.require()
    t = time.monotonic()
    try:
        SCENARIOS[name](cfg)
    finally:
        src = cfg.work + "-src"
        if os.path.isdir(src):
            for f in os.listdir(src):
                os.unlink(os.path.join(src, f))
            os.rmdir(src)
    print("xfer scenario %s: PASS (%.1fs)" % (name, time.monotonic() - t))
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
