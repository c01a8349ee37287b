#!/usr/bin/env bash
# wine32-chroot.sh [--print-root]
# Makes (once) an i386 Debian bookworm chroot with wine32 in it, cached under
# ~/.cache/spice-vdagent-win/wine32-chroot/, so the win32 tree's tests run under a
# real 32-bit Wine. Why a chroot: wine64 "runs" an i686 exe by exiting 0 without
# running it, and native i386 multiarch wine32 cannot be installed on these hosts.
#
# Only Debian packages, from the same mirror apt uses. Every mount the build needs
# (debootstrap's own /proc, /dev) lives in a private mount namespace (unshare -m),
# so the kernel drops them when the build ends, even if it is killed: nothing is
# ever left mounted on the host. A second run only checks the stamp (< 1 s).
#
# Exit status: 0 ready, 1 failed (the win32 tests then report NOT RUN, exit 77).
set -euo pipefail

cache="${VDA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spice-vdagent-win}/wine32-chroot"
root="$cache/root"
stamp_version=1   # bump when the package list or recipe changes
packages=(
  wine32 libwine fonts-wine
  # winex11.drv loads these with dlopen: without them no clipboard/XFixes, no RandR.
  libx11-6 libxext6 libxrender1 libxrandr2 libxi6 libxcursor1 libxfixes3
  libxinerama1 libxcomposite1 libxxf86vm1 libfreetype6 libfontconfig1 xauth
)

log() { printf 'wine32-chroot: %s\n' "$*"; }

if [ "${1:-}" = --print-root ]; then echo "$root"; exit 0; fi

[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot, mounts)"; exit 1; }
mkdir -p "$cache"
# Several worktrees may run scripts/deps.sh at once: one builds, the others wait.
exec 9>"$cache/lock"
flock 9

if [ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp_version" ] && [ -x "$root/usr/lib/wine/wine" ]; then
  log "cached in $root"
  exit 0
fi

command -v debootstrap >/dev/null || { log "debootstrap is not installed (scripts/deps.sh installs it)"; exit 1; }
unshare -m true 2>/dev/null || { log "cannot create a mount namespace (unshare -m) here"; exit 1; }

# The mirror apt already uses (deb822 or one-line format); never a security suite.
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

tmp="$cache/root.tmp"
logf="$cache/build.log"
rm -rf "$tmp" "$root"
log "creating an i386 bookworm chroot from $mirror (log: $logf)"
start=$(date +%s)

# Inside a private mount namespace: debootstrap mounts /proc and /sys in the
# target itself, apt's maintainer scripts want /proc and /dev.
if ! unshare -m --propagation private bash -euo pipefail -s "$tmp" "$mirror" "${packages[@]}" >"$logf" 2>&1 <<'BUILD'
target=$1 mirror=$2; shift 2
debootstrap --arch=i386 --variant=minbase bookworm "$target" "$mirror"
mount --rbind /dev "$target/dev"
mount -t proc proc "$target/proc"
cat >"$target/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
EOF
chroot "$target" apt-get update -qq
chroot "$target" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "$@"
chroot "$target" apt-get clean
BUILD
then
  tail -30 "$logf"
  log "FAILED after $(( $(date +%s) - start )) s; see $logf"
  rm -rf "$tmp"
  exit 1
fi

mv "$tmp" "$root"
echo "$stamp_version" >"$cache/stamp"
log "ready in $(( $(date +%s) - start )) s: $(du -sh "$root" | cut -f1) in $root"
