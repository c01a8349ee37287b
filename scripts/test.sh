#!/usr/bin/env bash
# Runs every test: native unit tests, the same under ASan+UBSan, the fuzzers for a
# short fixed time, and the Windows tests under Wine. Brings the build up to date
# first. Extra arguments go to ctest (e.g. -R unit.test_chunk_reader, -L fuzz).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/build.sh >build.log 2>&1 || { tail -50 build.log; echo "test: build failed (build.log)" >&2; exit 1; }
exec ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
