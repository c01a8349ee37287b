#!/usr/bin/env bash
# wine32-exec.sh ROOT CMD [ARGS...]
# Runs CMD inside the i386 chroot ROOT (scripts/wine32-qemu.sh), in the current
# directory, with the environment as it is (WINEPREFIX, DISPLAY, ...). On a kernel
# without 32-bit user mode its programs run through qemu-i386, which that script
# registers with binfmt_misc: nothing here changes for that.
#
# Needs root (mount namespaces, chroot). The chroot sees: the host /dev, /proc
# and /sys, the X server sockets (/tmp/.X11-unix,
# for Xvfb), and every directory in VDA_WINE32_BINDS (colon-separated; the source
# and build trees) at the same path as on the host, so exe paths, the Wine prefix
# and working directories need no translation. Host /tmp is NOT visible: put
# files a Windows program must read into the build tree.
#
# All those mounts are made in a private mount namespace (unshare -m) that exists
# only as long as a process runs in it: the kernel drops the mounts when the last
# one exits, so nothing is ever mounted on the host, whatever way the test ends.
# The exit status is CMD's.
set -euo pipefail
root=$1; shift
[ -x "$root/usr/lib/wine/wine" ] || { echo "wine32-exec: no 32-bit Wine chroot at $root" >&2; exit 1; }

exec unshare -m --propagation private bash -euo pipefail -c '
root=$1; cwd=$2; shift 2
bind() {  # bind HOST_DIR: same path inside the chroot
  mkdir -p "$root$1"
  mount --bind "$1" "$root$1"
}
mount --rbind /dev "$root/dev"
mount --bind /proc "$root/proc"
mount --rbind /sys "$root/sys"   # CPU topology (GetLogicalProcessorInformation)
mkdir -p /tmp/.X11-unix
bind /tmp/.X11-unix
IFS=: read -r -a dirs <<<"${VDA_WINE32_BINDS:-}"
for d in "${dirs[@]}"; do
  [ -n "$d" ] && [ -d "$d" ] && bind "$d"
done
# Into the chroot and the working directory (/ if it is not visible there), with
# no program started in between: every i386 process costs an emulator start where
# the kernel runs no 32-bit code (a shell here used to add ~0.1 s of CPU per run).
[ -d "$root$cwd" ] || cwd=/
exec unshare --root="$root" --wd="$cwd" "$@"
' wine32-exec "$root" "$PWD" "$@"
