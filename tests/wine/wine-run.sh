#!/usr/bin/env bash
# wine-run.sh EXE [ARGS...]: runs a Windows test program under Wine, in the prefix
# and display that wine-env.sh set up (VDA_WINE_STATE).
# wine-run.sh --wine PROGRAM [ARGS...]: runs a Wine program (msiexec, sc, reg, ...)
# with this tree's Wine (the 32-bit one for the win32 tree), for test scripts.
#
# A 32-bit exe run through wine64 exits 0 WITHOUT RUNNING. So this script looks at
# the PE machine type and runs an i386 exe only through a real 32-bit Wine: the one
# in the i386 chroot the win32 fixture found (tests/wine/wine32-exec.sh), or
# VDA_WINE32 (a command that runs 32-bit exes) if set. Without one it says so
# loudly and exits 77, which ctest reports as "not run", never as passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-common.sh"
state=${VDA_WINE_STATE:?VDA_WINE_STATE is not set: run this through ctest}
vda_wine_env "$state"
export WINEPREFIX="$state/prefix"

not_run_32() {
  echo "NOT RUN: $1 needs 32-bit Wine and this machine has none:"
  echo "NOT RUN: $(vda_wine32_missing "$state")"
  exit 77
}

# run32 ARGS...: 32-bit Wine with ARGS (an exe and its arguments, or a program).
run32() {
  if [ -n "${VDA_WINE32:-}" ]; then exec $VDA_WINE32 "$@"; fi
  local root
  root=$(vda_wine32_root "$state") || not_run_32 "$(basename "$1")"
  vda_wine_commands win32 "$root"
  exec "${VDA_WINE[@]}" "$@"
}

if [ "$1" = --wine ]; then
  shift
  if [ "${VDA_WINE_ARCH:-win64}" = win32 ]; then run32 "$@"; fi
  vda_wine_commands win64
  exec "${VDA_WINE[@]}" "$@"
fi

exe=$1; shift
pe_machine() {
  local off
  off=$(od -An -tu4 -j60 -N4 "$1" | tr -d ' ')
  od -An -tx2 -j$((off + 4)) -N2 "$1" | tr -d ' '
}
# A test program always prints before it can fail (cmocka's header, an "ok:" or a
# FAIL line). One that exits non-zero having printed nothing was not started by
# Wine (seen under load: status 1 within a tenth of a second, no output): that is
# said, and it is tried once more; a real failure fails again the same way.
run_test() {
  local out rc try
  for try in 1 2; do
    out=$(mktemp)
    rc=0
    # tee: the output still streams to ctest (pipefail gives the program's status).
    "$@" </dev/null 2>&1 | tee "$out" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ ! -s "$out" ] && [ "$try" = 1 ]; then
      echo "wine-run: $(basename "$exe") exited with status $rc and printed nothing:" \
           "Wine did not start it; trying once more" >&2
      rm -f "$out"
      continue
    fi
    rm -f "$out"
    [ "$rc" = 0 ] || echo "wine-run: $(basename "$exe") exited with status $rc" >&2
    return "$rc"
  done
}
case "$(pe_machine "$exe")" in
  8664)
    vda_wine_commands win64
    run_test "${VDA_WINE[@]}" "$exe" "$@" ;;
  014c)
    if [ -n "${VDA_WINE32:-}" ]; then run_test $VDA_WINE32 "$exe" "$@"; exit $?; fi
    root=$(vda_wine32_root "$state") || not_run_32 "$(basename "$exe")"
    vda_wine_commands win32 "$root"
    run_test "${VDA_WINE[@]}" "$exe" "$@" ;;
  *) echo "wine-run: $exe is not a PE executable I know" >&2; exit 1 ;;
esac
