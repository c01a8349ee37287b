#!/usr/bin/env bash
# The e2e host's display channel (tests/e2e/bench_display.py): whole-screen frames
# per second and host CPU per frame at 1024x768 while the screen changes, host
# CPU while it does not; no Wine. Run by scripts/bench.sh after a build. Extra
# arguments go to bench_display.py (--seconds S, --size WxH, --image-compression NAME).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/bench-display"
mkdir -p "$out"
rc=0
for content in desktop noise; do
  /usr/bin/python3 "$top/tests/e2e/bench_display.py" --host "$top/build/native/tests/e2e/host/e2e_host" \
    --work "$out/$content" --content "$content" "$@" >"$out/$content.log" 2>&1 || rc=$?
  grep -v -e '^\[' -e '^ok: ' -e '^$' -e 'GSpice-' "$out/$content.log" || true
  [ "$rc" = 0 ] || [ "$rc" = 77 ] || exit "$rc"
done
