#!/usr/bin/env bash
# Installs what the build needs (scripts/deps.sh) and builds everything:
#   build/native  build/asan  build/win64  build/win32   (see CMakeLists.txt)
# and puts the Windows programs and MSIs into dist/. Safe to run again: it only
# rebuilds what changed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/deps.sh
deps=$(bash scripts/deps.sh --print-dir)

trees=(native asan win64 win32)
configure() {
  local name=$1; shift
  cmake -S "$top" -B "build/$name" -G Ninja -DVDA_TEST_PREFIX="$name." "$@" >"build/$name.configure.log" 2>&1 ||
    { cat "build/$name.configure.log"; echo "build: configuring $name failed" >&2; exit 1; }
}
mkdir -p build
configure native -DCMAKE_C_COMPILER=gcc
configure asan -DCMAKE_C_COMPILER=clang -DVDA_SANITIZE=ON -DVDA_FUZZ=ON \
  ${VDA_FUZZ_SECONDS:+-DVDA_FUZZ_SECONDS=$VDA_FUZZ_SECONDS}
configure win64 -DCMAKE_TOOLCHAIN_FILE="$top/cmake/toolchain-x86_64-w64-mingw32.cmake" -DVDA_DEPS_DIR="$deps"
configure win32 -DCMAKE_TOOLCHAIN_FILE="$top/cmake/toolchain-i686-w64-mingw32.cmake" -DVDA_DEPS_DIR="$deps"

for t in "${trees[@]}"; do
  echo "build: $t"
  cmake --build "build/$t"
done

# One ctest over all four trees: scripts/test.sh runs it.
{
  echo "# Written by scripts/build.sh: runs the tests of every build tree."
  for t in "${trees[@]}"; do echo "subdirs(\"$t\")"; done
} >build/CTestTestfile.cmake

# dist/: the Windows programs (and the MSIs, once the installer builds them).
rm -rf dist && mkdir -p dist
cmake --install build/win64 --prefix dist/x64 >/dev/null
cmake --install build/win32 --prefix dist/x86 >/dev/null
find build/win64 build/win32 -maxdepth 2 -name '*.msi' -exec cp {} dist/ \; 2>/dev/null || true
echo "build: done; dist/ holds:"
(cd dist && find . -type f | sort | sed 's/^\.\//  /')
