#!/usr/bin/env bash
# Starts the whole stack for a person to try: an Xvfb display, a Wine prefix,
# vdservice (run mode) with vdagent, the e2e bridge and a real spice-server host
# on 127.0.0.1; prints the spice:// URI for remote-viewer and how to copy, paste and
# drop files into Windows (they land in the Wine user's Downloads folder).
# Ctrl+C stops all of it.
# Needs a finished ./scripts/build.sh.   Usage: scripts/try-it.sh [--port N]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
state="$top/build/try-it/wine"
for f in build/native/tests/e2e/host/e2e_host build/win64/vdservice/vdservice.exe; do
  [ -e "$top/$f" ] || { echo "try-it: $f is missing: run ./scripts/build.sh first" >&2; exit 1; }
done
mkdir -p "$state"
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
