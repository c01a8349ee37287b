#!/usr/bin/python3
"""The whole stack for a person (scripts/try-it.sh): e2e_host (real spice-server on
127.0.0.1), the Wine side (bridge, vdservice run + vdagent) on its own Xvfb, until
Ctrl+C; then everything it started is stopped by PID.

    try_it.py --host E2E_HOST --win64 WIN64_TREE --wine-state DIR --work DIR [--port N]
"""
import os
import pwd
import signal
import sys
import time

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack                                        # noqa: E402


def main():
    args = sys.argv[1:]
    port = 0
    if "--port" in args:
        i = args.index("--port")
        port = int(args[i + 1])
        del args[i:i + 2]
    cfg = stack.Config(args)
    cfg.require()
    stop = []
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    with stack.Processes(cfg.work) as procs:
        info = stack.start_host(procs, cfg.host_exe, spice_port=port)
        g = stack.Guest(procs, cfg, info["guest_port"], production_path=True)
        g.start_bridge()
        g.start_service()
        clip = "WINEPREFIX=%s DISPLAY=%s %s %s" % (g.env["WINEPREFIX"], g.env["DISPLAY"],
                                                   stack.WINE64, cfg.clip_exe)
        print("""
The stack is up. Connect with:

    remote-viewer spice://127.0.0.1:%d

(no display channel: the viewer window stays empty; the clipboard works).
Copy on your desktop, then read the Windows clipboard:
    %s get-text Z:\\\\tmp\\\\from-client.txt 5000 && cat /tmp/from-client.txt
Put text on the Windows clipboard, then paste on your desktop:
    echo 'hello from Windows' > /tmp/to-client.txt
    %s put-text Z:\\\\tmp\\\\to-client.txt
Send files to Windows: drag them from your file manager onto the remote-viewer
window (a drop is spice-gtk's file copy; several files go at once). They land in
the Windows user's Downloads folder, which here is
    %s
(Wine may link it to your own ~/Downloads), under a name made safe for Windows,
never over an existing file ("name (1).ext"). Explorer opening the folder when a
batch is complete happens on the invisible Xvfb display. The agent's log lines
("file transfer ...") are in the vdservice log.
Logs: %s
Ctrl+C stops everything.""" % (info["spice_port"], clip, clip,
                               os.path.join(g.env["WINEPREFIX"], "drive_c", "users",
                                            pwd.getpwuid(os.getuid()).pw_name, "Downloads"),
                               cfg.work), flush=True)
        while not stop:
            if info["proc"].poll() is not None or g.service.poll() is not None:
                print("try-it: a part of the stack exited; see the logs", flush=True)
                return 1
            time.sleep(0.2)
    print("try-it: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
