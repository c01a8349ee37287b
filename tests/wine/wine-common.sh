# wine-common.sh: sourced (never run) by tests/wine/wine-env.sh, tests/wine/wine-run.sh
# and tests/win/installer/msi-test.sh. How a build tree reaches its Wine, in one place:
# the environment every Wine process of the tree gets, and which Wine runs it
# (host wine64, or the 32-bit Wine in the i386 chroot for the win32 tree: that
# chroot's programs run through qemu-i386, see scripts/wine32-qemu.sh).
#
# The tree's Wine fixture (wine-env.sh) writes into its STATE directory:
#   display        the Xvfb display (":N")
#   prefix/        the tree's shared Wine prefix (the MSI tests use their own copies)
#   wine32-root    the i386 chroot holding 32-bit Wine (win32 tree, when usable)
#   wine32-missing why there is none (win32 tree, when not)
# Defines only functions and variables prefixed vda_/VDA_; sets no shell options.

vda_wine_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vda_wine_top=$(cd "$vda_wine_dir/../.." && pwd)

# vda_wine_env STATE: exports what every Wine run of the tree shares. Quiet Wine
# (a caller's own WINEDEBUG wins, for debugging), no Mono/Gecko install prompts,
# the fixture's display, and the directories the i386 chroot must see at their
# host paths (source and build trees: exes, prefix, working directories). It
# does not set WINEPREFIX: the shared prefix is STATE/prefix, the MSI tests
# use their own.
vda_wine_env() {
  local state=$1
  export WINEDEBUG=${WINEDEBUG:--all} WINEDLLOVERRIDES="mscoree,mshtml="
  export VDA_WINE32_BINDS="${VDA_SOURCE_DIR:-$vda_wine_top}:${VDA_BINARY_DIR:-$(dirname "$state")}"
  if [ -f "$state/display" ]; then
    DISPLAY=$(cat "$state/display")
    export DISPLAY
  fi
}

# vda_wine_commands win64|win32 [ROOT]: sets the arrays VDA_WINE and
# VDA_WINESERVER to the command prefixes of that Wine: host wine64, or the
# 32-bit Wine inside the i386 chroot ROOT entered through wine32-exec.sh (never
# wine64 for 32-bit programs: it exits 0 without running them).
vda_wine_commands() {
  if [ "$1" = win32 ]; then
    # Tests that measure a process (its memory) must know when every 32-bit
    # process is qemu-i386 as well (scripts/wine32-qemu.sh registers it).
    if [ -e /proc/sys/fs/binfmt_misc/vda-qemu-i386 ]; then export VDA_WINE_EMULATOR=qemu-i386; fi
    VDA_WINE=("$vda_wine_dir/wine32-exec.sh" "$2" /usr/lib/wine/wine)
    VDA_WINESERVER=("$vda_wine_dir/wine32-exec.sh" "$2" /usr/lib/wine/wineserver)
  else
    VDA_WINE=(/usr/lib/wine/wine64)
    VDA_WINESERVER=("$(command -v wineserver || echo /usr/lib/wine/wineserver)")
  fi
}

# vda_wine32_chroot: the i386 chroot scripts/wine32-qemu.sh builds (it may not
# exist yet); the fixture checks it and records it in STATE/wine32-root.
vda_wine32_chroot() { bash "$vda_wine_top/scripts/wine32-qemu.sh" --print-root; }

# vda_wine32_root STATE: prints the chroot the fixture found usable; fails if none.
vda_wine32_root() { [ -f "$1/wine32-root" ] && cat "$1/wine32-root"; }

# vda_wine32_missing STATE: why this tree has no 32-bit Wine.
vda_wine32_missing() {
  if [ -f "$1/wine32-missing" ]; then
    cat "$1/wine32-missing"
  else
    echo "no 32-bit Wine (wine64 would exit 0 without running it)"
  fi
}
