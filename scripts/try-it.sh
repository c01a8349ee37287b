#!/usr/bin/env bash
# Starts the whole stack for a person to try: an Xvfb display, a Wine prefix,
# vdservice (run mode) with vdagent, the e2e bridge, Wine's notepad and a real
# spice-server host on 127.0.0.1 whose display channel shows the Xvfb screen;
# prints the spice:// URI for remote-viewer and what to try: pointer, clipboard,
# resize and dropping files (they land in the Wine user's Downloads folder, or in
# --drop-folder). Ctrl+C stops all of it.
# Needs a finished ./scripts/build.sh.
# Usage: scripts/try-it.sh [--port N] [--drop-folder WINDOWS_DIR] [--no-notepad]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
state="$top/build/try-it/wine"
for f in build/native/tests/e2e/host/e2e_host build/win64/vdservice/vdservice.exe; do
  [ -e "$top/$f" ] || { echo "try-it: $f is missing: run ./scripts/build.sh first" >&2; exit 1; }
done
mkdir -p "$state"
# Display modes the agent can switch Xvfb to when the viewer window is resized
# (the screen starts, and tops out, at 1920x1080: Xvfb cannot grow past it).
export VDA_XVFB_MODES="${VDA_XVFB_MODES:-800x600 1024x768 1152x864 1280x720 1280x800 1280x960 \
1280x1024 1360x768 1366x768 1440x900 1600x900 1680x1050}"
bash "$top/tests/wine/wine-env.sh" setup "$state"
trap 'bash "$top/tests/wine/wine-env.sh" cleanup "$state" >/dev/null' EXIT
# In the background so that Ctrl+C / SIGTERM reach it through our trap; it then
# stops every process it started, by PID, before this script tears Wine down.
/usr/bin/python3 "$top/tests/e2e/try_it.py" --host "$top/build/native/tests/e2e/host/e2e_host" \
  --win64 "$top/build/win64" --wine-state "$state" --work "$top/build/try-it/run" "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' INT TERM
rc=0
wait $pid || rc=$?
# A trapped signal interrupts the first wait: wait again for the real end.
if kill -0 $pid 2>/dev/null; then wait $pid || rc=$?; fi
exit $rc
