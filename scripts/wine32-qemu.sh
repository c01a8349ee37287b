#!/usr/bin/env bash
# wine32-qemu.sh [--print-root]
# 32-bit Wine for the win32 tree's tests on a kernel that runs no 32-bit x86 user
# code at all (an i386 ELF gives "Exec format error"; Wine's WoW64 mode crashes).
# scripts/deps.sh runs it as root. It makes, once, and caches under
# ~/.cache/spice-vdagent-win/wine32-qemu/:
#   qemu-i386  a static i386 user-mode emulator: Debian trixie's qemu source package
#              with one change (below), built in a throwaway amd64 trixie chroot;
#   root/      an i386 Debian bookworm chroot with wine32 (the host's Wine version),
#              made by debootstrap, whose second stage already runs through qemu.
# and every time registers qemu-i386 with binfmt_misc (flag F: the kernel opens the
# emulator once, at registration, so it also serves programs inside the chroot).
# The registration is machine-wide and lost at reboot; a cached run only checks it,
# registers again if needed and tries the chroot: well under a second.
# If the kernel runs i386 programs itself, nothing is registered.
#
# The qemu change: stock qemu-i386 puts trap number -1 into the signal context of
# every fault, so Wine reports access violations as illegal instructions (SEH,
# IsBadReadPtr and crash exit codes go wrong). The fix keeps the real trap number
# in cs->exception_index while the signal is delivered (linux-user/i386/cpu_loop.c).
#
# Mounts: /proc and /dev for the builds are made in private mount namespaces
# (unshare -m) that vanish with their last process: nothing of them is left on
# the host, even if this script is killed. The tests enter the chroot the same
# way (tests/wine/wine32-exec.sh). The one host mount is binfmt_misc itself, at
# its usual place, /proc/sys/fs/binfmt_misc (if not mounted already): the kernel
# forgets registrations when binfmt_misc is unmounted.
#
# Network: only the Debian archive this machine's apt already uses (its apt
# sources), through debootstrap and apt-get.
#
# Exit status: 0 ready, 1 failed (the win32 tests then report NOT RUN, exit 77).
set -euo pipefail

cache="${VDA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spice-vdagent-win}/wine32-qemu"
root="$cache/root"
qemu="$cache/qemu-i386"
binfmt_name=vda-qemu-i386
qemu_recipe=1   # bump when the qemu build changes
root_recipe=1   # bump when the chroot's package list or recipe changes
root_packages=(
  wine32 libwine fonts-wine
  # winex11.drv loads these with dlopen: without them no clipboard/XFixes, no RandR.
  libx11-6 libxext6 libxrender1 libxrandr2 libxi6 libxcursor1 libxfixes3
  libxinerama1 libxcomposite1 libxxf86vm1 libfreetype6 libfontconfig1 xauth
)

log() { printf 'wine32-qemu: %s\n' "$*"; }
fail() { log "$*"; exit 1; }

if [ "${1:-}" = --print-root ]; then echo "$root"; exit 0; fi

[ "$(id -u)" = 0 ] || fail "needs root (binfmt_misc, chroot, mounts)"
unshare -m true 2>/dev/null || fail "cannot create a mount namespace (unshare -m) here"
mkdir -p "$cache"
# Several worktrees may run scripts/deps.sh at once: one works, the others wait.
exec 9>"$cache/lock"
flock 9

# ---- i386 probe: a 96-byte static i386 ELF whose whole program is exit(7) ----
probe="$cache/i386-exit7"
make_probe() {
  [ -x "$probe" ] && return 0
  local hdr ph code
  # ELF header: 32-bit, little-endian, ET_EXEC, EM_386, entry 0x08048054, one phdr at 52.
  hdr='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00'
  hdr+='\x02\x00\x03\x00\x01\x00\x00\x00\x54\x80\x04\x08\x34\x00\x00\x00'
  hdr+='\x00\x00\x00\x00\x00\x00\x00\x00\x34\x00\x20\x00\x01\x00\x00\x00\x00\x00\x00\x00'
  # PT_LOAD of the whole file at 0x08048000, r-x.
  ph='\x01\x00\x00\x00\x00\x00\x00\x00\x00\x80\x04\x08\x00\x80\x04\x08'
  ph+='\x60\x00\x00\x00\x60\x00\x00\x00\x05\x00\x00\x00\x00\x10\x00\x00'
  # mov eax, 1 (exit); mov ebx, 7; int 0x80
  code='\xb8\x01\x00\x00\x00\xbb\x07\x00\x00\x00\xcd\x80'
  printf "$hdr$ph$code" >"$probe.tmp"
  chmod 755 "$probe.tmp"
  mv "$probe.tmp" "$probe"
}
runs_i386() { local rc=0; "$probe" 2>/dev/null || rc=$?; [ "$rc" = 7 ]; }

# ---- binfmt_misc ---------------------------------------------------------------
# binfmt_misc BASH-CODE [ARGS]: runs the code with $BF, binfmt_misc's usual mount
# point, mounted. This is the one mount left on the host, on purpose: this kernel
# drops every registration when the last mount of binfmt_misc goes away, so one
# made in a private namespace would vanish with it. Mounted only if it is not
# already (systemd machines mount it themselves).
binfmt_misc() {
  local code=$1; shift
  bash -euo pipefail -c '
BF=/proc/sys/fs/binfmt_misc
[ -e "$BF/status" ] || mount -t binfmt_misc binfmt_misc "$BF"
'"$code" binfmt_misc "$@"
}

# Prints "ours" (our entry, enabled, for this qemu), "other" (some other i386
# handler is registered), or "none".
binfmt_state() {
  # The usual case, without starting a process: our entry is there and right.
  local e=/proc/sys/fs/binfmt_misc/$binfmt_name
  if [ -f "$e" ] && [ "$(</proc/sys/fs/binfmt_misc/status)" = enabled ]; then
    local entry
    entry=$(<"$e")
    case $'\n'"$entry"$'\n' in
      $'\nenabled\ninterpreter '"$qemu"$'\n'*) echo ours; return 0 ;;
    esac
  fi
  binfmt_misc '
[ "$(cat "$BF/status")" = enabled ] || { echo none; exit 0; }
if [ -f "$BF/$1" ] && grep -qx enabled "$BF/$1" && grep -qx "interpreter $2" "$BF/$1"; then
  echo ours; exit 0
fi
for e in "$BF"/*; do
  case ${e##*/} in register|status|"$1") continue ;; esac
  grep -qx enabled "$e" 2>/dev/null && grep -q "^magic 7f454c46010101" "$e" && { echo other; exit 0; }
done
echo none' "$binfmt_name" "$qemu"
}

register_binfmt() {
  # Magic and mask: an ELF header of class 32, little-endian, version 1, any
  # OS/ABI, of type EXEC or DYN, for machine 3 (i386): qemu's usual i386 entry.
  local magic='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00'
  local mask='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  binfmt_misc '
[ "$(cat "$BF/status")" = enabled ] || echo 1 >"$BF/status"
[ -f "$BF/$1" ] && echo -1 >"$BF/$1"
printf "%s" ":$1:M::$2:$3:$4:F" >"$BF/register"' "$binfmt_name" "$magic" "$mask" "$qemu"
}

# ensure_i386: makes i386 programs run, natively or through our qemu.
ensure_i386() {
  make_probe
  local state
  state=$(binfmt_state)
  if [ "$state" = ours ]; then
    runs_i386 || fail "i386 programs do not run even through $qemu (binfmt entry $binfmt_name)"
    return 0
  fi
  # Native i386 (another kind of kernel) needs no emulator. Another qemu-i386
  # handler (e.g. Debian's 7.2, unusable for Wine) is outranked by ours: the
  # kernel tries the most recent registration first.
  if [ "$state" = none ] && runs_i386; then
    log "this kernel runs i386 programs itself: no emulator registered"
    return 0
  fi
  [ -x "$qemu" ] || return 1
  log "registering $qemu with binfmt_misc ($binfmt_name, flag F)"
  register_binfmt
  runs_i386 || fail "i386 programs do not run even through $qemu"
}

chroot_works() { chroot "$root" /bin/true 2>/dev/null; }

stamp_ok() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }

# ---- fast path ---------------------------------------------------------------
if stamp_ok "$cache/qemu.stamp" "$qemu_recipe" && [ -x "$qemu" ] &&
   stamp_ok "$cache/root.stamp" "$root_recipe" && [ -x "$root/usr/lib/wine/wine" ]; then
  ensure_i386
  # (tests/wine/wine-env.sh tries the chroot itself before every test run.)
  log "ready: 32-bit Wine in $root"
  exit 0
fi

# ---- set-up from nothing -----------------------------------------------------
command -v debootstrap >/dev/null || fail "debootstrap is not installed (scripts/deps.sh installs it)"

# The archive this machine's apt uses (deb822 or one-line sources), never a
# security archive. No built-in fallback: without one there is nothing to use.
mirror=$({ awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' /etc/apt/sources.list.d/*.sources
           awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' \
               /etc/apt/sources.list /etc/apt/sources.list.d/*.list; } 2>/dev/null |
         grep -v -- '-security' | head -n1 || true)
[ -n "$mirror" ] || fail "no Debian archive found in this machine's apt sources"
log "Debian archive (from apt's sources): $mirror"

NICE=(nice -n 10)
# (debootstrap mounts /proc and /sys in its target: always in a private namespace.)
t0=$(date +%s)
since() { echo "$(( $(date +%s) - $1 )) s"; }

# in_chroot DIR CMD...: CMD inside chroot DIR with /proc, /dev and the host's DNS
# set-up, all mounted in a private namespace.
in_chroot() {
  local dir=$1; shift
  cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
  unshare -m --propagation private bash -euo pipefail -c '
dir=$1; shift
mount -t proc proc "$dir/proc"
mount --rbind /dev "$dir/dev"
exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "$@"' in_chroot "$dir" "$@"
}

# The i386 chroot's first stage (download and unpack) needs no i386 code: it
# runs in the background while qemu builds.
stage1_pid=
if ! stamp_ok "$cache/root.stamp" "$root_recipe"; then
  rm -rf "$root" "$root.tmp"
  if [ ! -x "$qemu" ] || ! stamp_ok "$cache/qemu.stamp" "$qemu_recipe"; then
    log "i386 bookworm chroot, first stage, in the background (log: $cache/debootstrap.log)"
    "${NICE[@]}" unshare -m --propagation private debootstrap --foreign --arch=i386 --variant=minbase bookworm "$root.tmp" "$mirror" \
      >"$cache/debootstrap.log" 2>&1 </dev/null &
    stage1_pid=$!
  fi
fi

if [ ! -x "$qemu" ] || ! stamp_ok "$cache/qemu.stamp" "$qemu_recipe"; then
  t=$(date +%s)
  b="$cache/qemu-build.tmp"
  blog="$cache/qemu-build.log"
  rm -rf "$b"
  log "building a patched static qemu-i386 from Debian trixie's qemu source (log: $blog)"
  "${NICE[@]}" unshare -m --propagation private debootstrap --variant=minbase --arch=amd64 trixie "$b" "$mirror" >"$blog" 2>&1 </dev/null ||
    { tail -20 "$blog"; rm -rf "$b"; fail "debootstrap of the trixie build chroot failed"; }
  cat >"$b/etc/apt/sources.list" <<EOF
deb $mirror trixie main
deb-src $mirror trixie main
EOF
  cat >"$b/build-qemu.sh" <<'EOF'
set -euo pipefail
apt-get -q update
apt-get -q install -y --no-install-recommends build-essential dpkg-dev xz-utils ninja-build \
  meson python3 python3-venv pkg-config flex bison libglib2.0-dev libpcre2-dev zlib1g-dev
mkdir -p /src && cd /src
apt-get -q source qemu
cd qemu-*/
f=linux-user/i386/cpu_loop.c
# In cpu_loop(), signals for the fault just taken are delivered by the single
# "process_pending_signals(env);" line; they must see the real trap number.
n=$(grep -c '^ *process_pending_signals(env);$' "$f")
[ "$n" = 1 ] || { echo "expected one process_pending_signals(env) call in $f, found $n" >&2; exit 1; }
awk '/^ *process_pending_signals\(env\);$/ {
       ind = substr($0, 1, index($0, "p") - 1)
       print ind "cs->exception_index = trapnr;   /* vdagent-win: trapno for the signal context */"
       print
       print ind "cs->exception_index = -1;"
       next }
     { print }' "$f" >"$f.new"
mv "$f.new" "$f"
grep -n -B1 -A1 'process_pending_signals(env);' "$f"
mkdir build && cd build
../configure --static --target-list=i386-linux-user --without-default-features \
  --disable-system --enable-linux-user --disable-tools --disable-docs --disable-werror \
  --disable-plugins --disable-install-blobs
ninja qemu-i386
./qemu-i386 --version
EOF
  in_chroot "$b" "${NICE[@]}" bash /build-qemu.sh >>"$blog" 2>&1 </dev/null ||
    { tail -30 "$blog"; rm -rf "$b"; fail "building qemu-i386 failed after $(since "$t")"; }
  cp "$b"/src/qemu-*/build/qemu-i386 "$qemu.new"
  mv "$qemu.new" "$qemu"   # a registered F entry keeps its own open file
  rm -rf "$b"
  echo "$qemu_recipe" >"$cache/qemu.stamp"
  log "qemu-i386 built in $(since "$t"): $("$qemu" --version | head -n1)"
  # An entry registered for an older binary still holds that one open.
  binfmt_misc '[ ! -f "$BF/$1" ] || echo -1 >"$BF/$1"' "$binfmt_name"
fi

if [ -n "$stage1_pid" ]; then
  wait "$stage1_pid" || { tail -20 "$cache/debootstrap.log"; rm -rf "$root.tmp"; fail "debootstrap (first stage) failed"; }
fi

ensure_i386 || fail "no qemu-i386 at $qemu"

if ! stamp_ok "$cache/root.stamp" "$root_recipe"; then
  t=$(date +%s)
  rlog="$cache/chroot.log"
  if [ -z "$stage1_pid" ]; then
    log "i386 bookworm chroot: debootstrap (log: $rlog)"
    "${NICE[@]}" unshare -m --propagation private debootstrap --arch=i386 --variant=minbase bookworm "$root.tmp" "$mirror" >"$rlog" 2>&1 </dev/null ||
      { tail -20 "$rlog"; fail "debootstrap of the i386 chroot failed"; }
  else
    log "i386 bookworm chroot: second stage, through qemu (log: $rlog)"
    in_chroot "$root.tmp" "${NICE[@]}" /debootstrap/debootstrap --second-stage >"$rlog" 2>&1 </dev/null ||
      { tail -20 "$rlog"; tail -20 "$root.tmp/debootstrap/debootstrap.log" 2>/dev/null; fail "debootstrap --second-stage failed"; }
  fi
  log "debootstrap done in $(since "$t"); installing wine32"
  # bookworm-security's i386 index fails on this archive: main and updates only.
  cat >"$root.tmp/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
EOF
  in_chroot "$root.tmp" "${NICE[@]}" sh -c 'apt-get -q update && apt-get -q install -y --no-install-recommends "$@" && apt-get clean' \
    sh "${root_packages[@]}" >>"$rlog" 2>&1 </dev/null ||
    { tail -30 "$rlog"; fail "installing wine32 in the i386 chroot failed"; }
  mv "$root.tmp" "$root"
  echo "$root_recipe" >"$cache/root.stamp"
  log "i386 chroot ready in $(since "$t")"
fi

chroot_works || fail "the new i386 chroot $root does not run"
log "ready in $(since "$t0"): 32-bit Wine in $root ($(du -sh "$root" | cut -f1))"
