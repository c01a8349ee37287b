#!/usr/bin/env bash
# wine-env.sh setup|cleanup STATE_DIR
# Sets up (or tears down) what the Windows tests of one build tree share: a Wine
# prefix, a persistent wineserver and a headless X display (Xvfb). STATE_DIR holds
# the prefix, the display number and the PIDs we started; cleanup ends only those.
#
# VDA_WINE_ARCH=win32 (set by cmake/VdaTesting.cmake for the i686 tree): Wine is
# the 32-bit one in the i386 chroot that scripts/wine32-qemu.sh builds (wine64
# cannot run i686 programs: it exits 0 without running them; on a kernel without
# 32-bit user mode the chroot's programs run through qemu-i386). The prefix, the
# wineserver and Wine's background processes then live in that chroot, started
# through tests/wine/wine32-exec.sh, whose mounts exist only in private mount
# namespaces: nothing to unmount, nothing left mounted on the host. Without the
# chroot, setup still succeeds and records why, and every 32-bit test says
# NOT RUN (exit 77).
set -euo pipefail
cmd=$1 state=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-common.sh"
arch=${VDA_WINE_ARCH:-win64}
vda_wine_env "$state"
export WINEPREFIX="$state/prefix"
root=
if [ "$arch" = win32 ]; then
  root=$(vda_wine32_chroot)
fi
vda_wine_commands "$arch" "$root"

# PIDs of processes still running in our chroot for our prefix (win32 only).
chroot_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
    tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX" || continue
    echo "${p#/proc/}"
  done
}

stop_wine() {
  [ -d "$WINEPREFIX" ] || return 0
  if [ "$arch" = win32 ]; then
    [ -x "$root/usr/lib/wine/wine" ] || return 0
    "${VDA_WINESERVER[@]}" -k >/dev/null 2>&1 || true
    # wineserver -k ends every Wine process of the prefix; make sure, by PID, so
    # no process (and so no mount namespace) outlives the run.
    local pids
    for _ in $(seq 50); do
      pids=$(chroot_pids)
      [ -z "$pids" ] && return 0
      sleep 0.1
    done
    echo "wine-env: killing leftover 32-bit Wine processes: $pids"
    kill -9 $pids 2>/dev/null || true
  else
    "${VDA_WINESERVER[@]}" -k >/dev/null 2>&1 || true
  fi
}

stop_all() {
  stop_wine
  if [ -f "$state/xvfb.pid" ]; then
    kill "$(cat "$state/xvfb.pid")" 2>/dev/null || true
    rm -f "$state/xvfb.pid"
  fi
}

case "$cmd" in
setup)
  mkdir -p "$state"
  stop_all   # leftovers of an interrupted run of this tree
  rm -f "$state/wine32-root" "$state/wine32-missing"
  # Xvfb picks a free display itself and writes its number to fd 3. The old
  # file goes first: the background shell truncates it only when it gets to run,
  # and the wait below must not read the previous run's number.
  rm -f "$state/display.tmp"
  Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp -noreset \
    3>"$state/display.tmp" >"$state/xvfb.log" 2>&1 &
  echo $! >"$state/xvfb.pid"
  for _ in $(seq 100); do [ -s "$state/display.tmp" ] && break; sleep 0.1; done
  [ -s "$state/display.tmp" ] || { echo "wine-env: Xvfb did not start"; cat "$state/xvfb.log"; exit 1; }
  echo ":$(tr -d '\n' <"$state/display.tmp")" >"$state/display"
  export DISPLAY=$(cat "$state/display")
  # VDA_XVFB_MODES="1024x768 800x600 ...": extra RandR modes for tests that
  # change the resolution. Added before Wine starts: Wine reads the mode list once.
  for mode in ${VDA_XVFB_MODES:-}; do
    w=${mode%x*} h=${mode#*x}
    xrandr --newmode "$mode" 60 "$w" $((w + 8)) $((w + 16)) $((w + 24)) \
      "$h" $((h + 3)) $((h + 6)) $((h + 9)) >>"$state/xvfb.log" 2>&1 &&
      xrandr --addmode screen "$mode" >>"$state/xvfb.log" 2>&1 ||
      { echo "wine-env: could not add Xvfb mode $mode"; cat "$state/xvfb.log"; exit 1; }
  done

  if [ "$arch" = win32 ]; then
    why=
    if [ ! -x "$root/usr/lib/wine/wine" ]; then
      why="no 32-bit Wine chroot at $root (scripts/deps.sh creates it)"
    elif ! unshare -m true 2>/dev/null; then
      why="cannot create a mount namespace here (unshare -m needs root/CAP_SYS_ADMIN)"
    elif ! chroot "$root" /bin/true 2>/dev/null; then
      # After a reboot the qemu-i386 binfmt_misc entry is gone until deps.sh runs.
      why="the i386 chroot's programs do not run here (no qemu-i386 binfmt_misc entry? scripts/deps.sh registers it)"
    fi
    if [ -n "$why" ]; then
      echo "$why" >"$state/wine32-missing"
      echo "wine-env: NOT RUN: 32-bit Windows tests will be skipped: $why"
      exit 0
    fi
  fi

  # A persistent wineserver keeps every test start fast; its output goes to a
  # file, since an inherited pipe would keep ctest waiting forever. It is started
  # before wineboot, which then uses it (a second server would refuse to start).
  mkdir -p "$WINEPREFIX"
  "${VDA_WINESERVER[@]}" -p >"$state/wineserver.log" 2>&1 </dev/null ||
    { echo "wine-env: wineserver did not start"; cat "$state/wineserver.log"; exit 1; }
  # wineboot creates the prefix if needed and, every time, starts Wine's
  # background processes (services.exe, explorer.exe, ...) here, with their output
  # going to a file. Otherwise the first test would start them, they would inherit
  # its stdout, and ctest would wait for them until its timeout.
  [ -f "$WINEPREFIX/system.reg" ] || echo "wine-env: creating $arch Wine prefix $WINEPREFIX"
  timeout 120 "$here/wine-env.sh" _wineboot "$state" >"$state/wineboot.log" 2>&1 </dev/null ||
    { echo "wine-env: wineboot failed"; cat "$state/wineboot.log"; exit 1; }
  [ "$arch" = win32 ] && echo "$root" >"$state/wine32-root"
  echo "wine-env: $arch prefix $WINEPREFIX, display $DISPLAY${root:+, 32-bit Wine in $root}"
  ;;
_wineboot)   # internal: so that `timeout` wraps the chroot entry as well
  "${VDA_WINE[@]}" wineboot
  ;;
cleanup)
  stop_all
  rm -f "$state/wine32-root"
  echo "wine-env: stopped wineserver and Xvfb of $state"
  ;;
*) echo "usage: $0 setup|cleanup STATE_DIR" >&2; exit 2 ;;
esac
