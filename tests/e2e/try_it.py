#!/usr/bin/python3
"""The whole stack for a person (scripts/try-it.sh): e2e_host (real spice-server on
127.0.0.1) with a display channel that mirrors the Wine side's Xvfb, the Wine side
(bridge, vdservice run + vdagent) and Wine's notepad to paste into, until Ctrl+C;
then everything it started is stopped by PID.

    try_it.py --host E2E_HOST --win64 WIN64_TREE --wine-state DIR --work DIR [--port N]
              [--drop-folder WINDOWS_DIR] [--no-notepad]

Files dropped on the viewer land in the Windows user's Downloads folder, or in
--drop-folder WINDOWS_DIR (or $VDA_TRY_DROP_FOLDER): try-it sets the agent's
FileXferFolder setting to it. That folder is shown in Wine's explorer.
"""
import os
import pwd
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack                                        # noqa: E402


def take_option(args, name, has_value=True):
    if name not in args:
        return None
    i = args.index(name)
    v = args[i + 1] if has_value else True
    del args[i:i + (2 if has_value else 1)]
    return v


def main():
    args = sys.argv[1:]
    port = int(take_option(args, "--port") or 0)
    drop = take_option(args, "--drop-folder") or os.environ.get("VDA_TRY_DROP_FOLDER")
    notepad = not take_option(args, "--no-notepad", has_value=False)
    cfg = stack.Config(args)
    cfg.require()
    stop = []
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    with open(os.path.join(cfg.wine_state, "display")) as f:
        x_display = f.read().strip()
    with stack.Processes(cfg.work) as procs:
        info = stack.start_host(procs, cfg.host_exe, spice_port=port, x11=x_display)
        g = stack.Guest(procs, cfg, info["guest_port"], production_path=True)
        # Where dropped files land: --drop-folder, else the agent's default (Downloads).
        params = r"HKLM\SYSTEM\CurrentControlSet\Services\spice-agent\Parameters"
        reg = [stack.WINE64, "reg"] + (["add", params, "/v", "FileXferFolder", "/t", "REG_SZ",
                                        "/d", drop, "/f"] if drop else
                                       ["delete", params, "/v", "FileXferFolder", "/f"])
        subprocess.run(reg, env=g.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        g.start_bridge()
        g.start_service()
        # Something to look at: a window to paste into and copy from, and the
        # folder dropped files land in.
        # A desktop colour instead of Xvfb's black (Wine draws no desktop itself).
        subprocess.run(["xsetroot", "-solid", "#2f6f9f"], env=dict(os.environ, DISPLAY=x_display),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
        if notepad:
            procs.start("notepad", [stack.WINE64, "notepad"], g.env)
        downloads = "C:\\users\\%s\\Downloads" % pwd.getpwuid(os.getuid()).pw_name
        procs.start("drop-folder", [stack.WINE64, "explorer", drop or downloads], g.env)
        drop_text = ("""drag files from your file manager onto the viewer window (a drop
    is spice-gtk's file copy; several files go at once). They land in %s
    (shown in explorer; Wine may link it to your own ~/Downloads) under a name
    made safe for Windows, never over an existing file ("name (1).ext").
    The agent's "file transfer ..." log lines are in the vdservice log."""
                     % (drop or downloads))
        clip = "WINEPREFIX=%s DISPLAY=%s %s %s" % (g.env["WINEPREFIX"], g.env["DISPLAY"],
                                                   stack.WINE64, cfg.clip_exe)
        print("""
The Windows desktop is up (Wine on Xvfb %s, mirrored by the host's display
channel). Connect with:

    remote-viewer spice://127.0.0.1:%d

Then try:
  - Pointer: move over the notepad window and click into it. The viewer is in
    client mouse mode: your position goes to the agent (MOUSE_STATE), which
    moves the Windows pointer (SendInput).
  - Clipboard: copy text on your desktop and paste it into notepad (Ctrl+V);
    select text in notepad, Ctrl+C, and paste it on your desktop.
  - Resize: resize the viewer window. The agent gets the new monitor size
    (MONITORS_CONFIG) and switches Windows to the largest mode that fits
    (%s); the desktop follows.
  - Files: %s
Without a viewer, read or set the Windows clipboard from this shell:
    %s get-text Z:\\\\tmp\\\\from-client.txt 5000 && cat /tmp/from-client.txt
    echo 'hello from Windows' > /tmp/to-client.txt && %s put-text Z:\\\\tmp\\\\to-client.txt
Logs: %s
Ctrl+C stops everything.""" % (
            x_display, info["spice_port"],
            os.environ.get("VDA_XVFB_MODES", "the screen's own mode only"),
            drop_text, clip, clip, cfg.work), flush=True)
        while not stop:
            if info["proc"].poll() is not None or g.service.poll() is not None:
                print("try-it: a part of the stack exited; see the logs", flush=True)
                return 1
            time.sleep(0.2)
    print("try-it: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
