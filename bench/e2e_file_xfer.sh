#!/usr/bin/env bash
# File-transfer benchmark (tests/e2e/bench_xfer.py): a 256 MiB file through real
# spice-server + spice-gtk + vdservice/vdagent under Wine next to the same bytes
# as clipboard text, and the agent's peak memory during a 1 GiB transfer.
# Run by scripts/bench.sh after a build. Extra arguments go to bench_xfer.py (--quick).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
state="$top/build/bench-xfer/wine"
mkdir -p "$state"
trap 'bash "$top/tests/wine/wine-env.sh" cleanup "$state" >/dev/null || true' EXIT
bash "$top/tests/wine/wine-env.sh" setup "$state" >/dev/null
rc=0
/usr/bin/python3 "$top/tests/e2e/bench_xfer.py" --host "$top/build/native/tests/e2e/host/e2e_host" \
  --win64 "$top/build/win64" --wine-state "$state" --work "$top/build/bench-xfer/run" "$@" \
  >"$top/build/bench-xfer/output.log" 2>&1 || rc=$?
grep -v -e '^\[' -e '^ok: ' -e '^$' -e 'GSpice-CRITICAL' "$top/build/bench-xfer/output.log" || true
[ "$rc" = 0 ] || [ "$rc" = 77 ]
