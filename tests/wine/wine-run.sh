#!/usr/bin/env bash
# wine-run.sh EXE [ARGS...]: runs a Windows test program under Wine, in the prefix
# and display that wine-env.sh set up (VDA_WINE_STATE).
#
# A 32-bit exe run through wine64 exits 0 WITHOUT RUNNING. So this script looks at
# the PE machine type and, for an i386 exe, runs it only through a real 32-bit Wine
# (VDA_WINE32: a command that runs 32-bit exes, e.g. in a chroot); without one it
# says so loudly and exits 77, which ctest reports as "not run", never as passed.
set -euo pipefail
exe=$1; shift
state=${VDA_WINE_STATE:?VDA_WINE_STATE is not set: run this through ctest}
export WINEPREFIX="$state/prefix" WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="mscoree,mshtml="
[ -f "$state/display" ] && export DISPLAY=$(cat "$state/display")

pe_machine() {
  local off
  off=$(od -An -tu4 -j60 -N4 "$1" | tr -d ' ')
  od -An -tx2 -j$((off + 4)) -N2 "$1" | tr -d ' '
}
case "$(pe_machine "$exe")" in
  8664) exec /usr/lib/wine/wine64 "$exe" "$@" ;;
  014c)
    if [ -n "${VDA_WINE32:-}" ]; then exec $VDA_WINE32 "$exe" "$@"; fi
    echo "NOT RUN: $(basename "$exe") is a 32-bit Windows program and this machine has no"
    echo "NOT RUN: 32-bit Wine (wine64 would exit 0 without running it). Set VDA_WINE32."
    exit 77 ;;
  *) echo "wine-run: $exe is not a PE executable I know" >&2; exit 1 ;;
esac
