#!/usr/bin/env bash
# Installs everything the build and the tests need on Debian 12, idempotently:
#  - Debian packages (apt-get),
#  - a static libpng for x86_64- and i686-w64-mingw32, built from Debian's own
#    libpng1.6 source package against the mingw zlib, cached under .deps/.
# A second run only checks and returns within seconds.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps="${VDA_DEPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spice-vdagent-win/deps}"
stamp_version=3   # bump when the libpng build recipe changes

packages=(
  build-essential cmake pkg-config ninja-build
  gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 mingw-w64-tools binutils-mingw-w64
  libz-mingw-w64-dev libspice-protocol-dev
  wine wine64 xvfb xauth x11-utils x11-xserver-utils   # xrandr: display modes for tests/win/input
  wixl msitools
  libcmocka-dev clang libclang-rt-14-dev llvm libpng-dev zlib1g-dev
  libspice-server-dev libglib2.0-dev gir1.2-spiceclientglib-2.0 python3-gi
  libxcb-damage0-dev libxcb-shm0-dev libxcb-randr0-dev libxcb-xfixes0-dev   # e2e host's X screen mirror
  dpkg-dev
  debootstrap   # the i386 chroot with wine32 and qemu-i386 for the win32 tests (wine32-qemu.sh)
)

log() { printf 'deps: %s\n' "$*"; }

# --print-dir: where the cached mingw libraries live (the build reads it).
if [ "${1:-}" = --print-dir ]; then echo "$deps"; exit 0; fi

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  aptlog=$(mktemp)
  { sudo_ apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    >"$aptlog" 2>&1 || { tail -40 "$aptlog"; exit 1; }
  rm -f "$aptlog"
else
  log "Debian packages already installed"
fi

# ---- 32-bit Wine for the win32 tree's tests: qemu-i386 + an i386 chroot -----
# wine64 cannot run i686 programs (it exits 0 without running them) and this
# kernel runs no 32-bit code. Built once and cached; every run re-registers
# qemu-i386 with binfmt_misc if needed (after a reboot). Without it the win32
# tests report NOT RUN (exit 77); the rest of the build is fine.
if ! sudo_ env VDA_CACHE_DIR="${VDA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spice-vdagent-win}" \
     bash "$top/scripts/wine32-qemu.sh"; then
  log "WARNING: no 32-bit Wine; the win32 tests will report NOT RUN"
fi

# ---- static libraries for mingw, from Debian's source packages -------------
have_libs() {
  for t in x86_64-w64-mingw32 i686-w64-mingw32; do
    [ -f "$deps/$t/lib/libpng.a" ] && [ -f "$deps/$t/lib/libcmocka-static.a" ] || return 1
  done
  [ "$(cat "$deps/.stamp" 2>/dev/null)" = "$stamp_version" ]
}

if have_libs; then
  log "mingw libpng and cmocka cached in $deps"
  exit 0
fi

ensure_deb_src() {
  # apt-get source needs deb-src entries; add them for bookworm and
  # bookworm-updates only (bookworm-security's source index lists files
  # that answer 404 here).
  if apt-get source --print-uris -qq libpng1.6 >/dev/null 2>&1; then return 0; fi
  log "adding a deb-src entry for bookworm and bookworm-updates"
  local uri
  uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || { echo "deps: no Debian archive found in this machine's apt sources" >&2; exit 1; }
  sudo_ tee /etc/apt/sources.list.d/vdagent-deb-src.sources >/dev/null <<SRC
Types: deb-src
URIs: $uri
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  sudo_ apt-get update -qq
}

# fetch_source PKG DIR: Debian's source package, patches applied, into DIR.
fetch_source() {
  local pkg=$1 dir=$2 work="$deps/src/$1"
  rm -rf "$work"; mkdir -p "$work"
  (
    cd "$work"
    # Unpinned first; then every version apt knows, newest first, since an
    # index may list files that are no longer served.
    if ! apt-get source --download-only -qq "$pkg" >/dev/null 2>&1; then
      ok=
      for v in $(apt-cache showsrc "$pkg" | awk '/^Version:/ {print $2}' | sort -rV -u); do
        if apt-get source --download-only -qq "$pkg=$v" >/dev/null 2>&1; then ok=1; break; fi
      done
      [ -n "$ok" ] || { echo "deps: could not download the $pkg source package" >&2; exit 1; }
    fi
    dpkg-source -x "$(ls ./*.dsc | head -n1)" "$dir" >dpkg-source.log 2>&1 || { cat dpkg-source.log >&2; exit 1; }
  )
}

# cross_build NAME SRCDIR TRIPLET CMAKE-ARGS...: static build installed into $deps/TRIPLET.
cross_build() {
  local name=$1 srcdir=$2 t=$3; shift 3
  local b="$deps/build-$name-$t"
  log "building static $name for $t"
  rm -rf "$b"
  { cmake -S "$srcdir" -B "$b" -G Ninja \
      -DCMAKE_TOOLCHAIN_FILE="$top/cmake/toolchain-$t.cmake" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$deps/$t" "$@" &&
    cmake --build "$b" && cmake --install "$b"; } >"$deps/build-$name-$t.log" 2>&1 ||
    { tail -30 "$deps/build-$name-$t.log"; exit 1; }
  rm -rf "$b"
}

ensure_deb_src
mkdir -p "$deps"
fetch_source libpng1.6 libpng
fetch_source cmocka cmocka
for t in x86_64-w64-mingw32 i686-w64-mingw32; do
  cross_build libpng "$deps/src/libpng1.6/libpng" "$t" \
    -DPNG_SHARED=OFF -DPNG_STATIC=ON -DPNG_TESTS=OFF -DPNG_EXECUTABLES=OFF -DPNG_TOOLS=OFF \
    -DSKIP_INSTALL_EXECUTABLES=ON -DSKIP_INSTALL_PROGRAMS=ON \
    -DZLIB_LIBRARY="/usr/$t/lib/libz.a" -DZLIB_INCLUDE_DIR="/usr/$t/include"
  # cmocka is only for the Windows builds of the unit tests.
  cross_build cmocka "$deps/src/cmocka/cmocka" "$t" \
    -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF -DBUILD_SHARED_LIBS=OFF
done
rm -rf "$deps/src"
echo "$stamp_version" > "$deps/.stamp"
log "mingw libraries ready in $deps"
