#!/usr/bin/env bash
# wine-env.sh setup|cleanup STATE_DIR
# Sets up (or tears down) what the Windows tests of one build tree share: a Wine
# prefix, a persistent wineserver and a headless X display (Xvfb). STATE_DIR holds
# the prefix, the display number and the PIDs we started; cleanup ends only those.
set -euo pipefail
cmd=$1 state=$2
export WINEPREFIX="$state/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver)

stop_all() {
  if [ -d "$WINEPREFIX" ]; then "$wineserver" -k >/dev/null 2>&1 || true; fi
  if [ -f "$state/xvfb.pid" ]; then
    kill "$(cat "$state/xvfb.pid")" 2>/dev/null || true
    rm -f "$state/xvfb.pid"
  fi
}

case "$cmd" in
setup)
  mkdir -p "$state"
  stop_all   # leftovers of an interrupted run of this tree
  # Xvfb picks a free display itself and writes its number to fd 3.
  Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp -noreset \
    3>"$state/display.tmp" >"$state/xvfb.log" 2>&1 &
  echo $! >"$state/xvfb.pid"
  for _ in $(seq 100); do [ -s "$state/display.tmp" ] && break; sleep 0.1; done
  [ -s "$state/display.tmp" ] || { echo "wine-env: Xvfb did not start"; cat "$state/xvfb.log"; exit 1; }
  echo ":$(tr -d '\n' <"$state/display.tmp")" >"$state/display"
  export DISPLAY=$(cat "$state/display")
  # A persistent wineserver keeps every test start fast; its output goes to a
  # file, since an inherited pipe would keep ctest waiting forever. It starts
  # before wineboot: once wineboot's own server runs, "-p" would fail.
  mkdir -p "$WINEPREFIX"
  "$wineserver" -p >"$state/wineserver.log" 2>&1 </dev/null
  [ -f "$WINEPREFIX/system.reg" ] || echo "wine-env: creating Wine prefix $WINEPREFIX"
  # wineboot creates the prefix if needed and starts Wine's background processes
  # (services.exe, winedevice.exe, ...) with their output in a file: otherwise
  # the first test starts them, they inherit its stdout pipe and ctest waits for
  # that pipe until the timeout.
  timeout 120 wineboot >>"$state/wineboot.log" 2>&1 </dev/null ||
    { echo "wine-env: wineboot failed"; cat "$state/wineboot.log"; exit 1; }
  echo "wine-env: prefix $WINEPREFIX, display $DISPLAY"
  ;;
cleanup)
  stop_all
  echo "wine-env: stopped wineserver and Xvfb of $state"
  ;;
*) echo "usage: $0 setup|cleanup STATE_DIR" >&2; exit 2 ;;
esac
