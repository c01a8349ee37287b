#!/usr/bin/env bash
# End-to-end clipboard benchmark (tests/e2e/bench_e2e.py): 1, 4 and 16 MiB text
# through real spice-server + spice-gtk + vdservice/vdagent under Wine, as a ratio
# to a reference guest without our service. Run by scripts/bench.sh after a build.
# Extra arguments go to bench_e2e.py (--quick, --runs N).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Three prefixes (each with its own Xvfb, so its own clipboard): ours and the two
# references stay up side by side and their runs are interleaved.
state="$top/build/bench-e2e/wine"
ref_state="$top/build/bench-e2e/wine-ref"
eager_state="$top/build/bench-e2e/wine-ref-eager"
mkdir -p "$state" "$ref_state" "$eager_state"
cleanup() {
  for s in "$state" "$ref_state" "$eager_state"; do
    bash "$top/tests/wine/wine-env.sh" cleanup "$s" >/dev/null || true
  done
}
trap cleanup EXIT
for s in "$state" "$ref_state" "$eager_state"; do
  bash "$top/tests/wine/wine-env.sh" setup "$s" >/dev/null
done
rc=0
/usr/bin/python3 "$top/tests/e2e/bench_e2e.py" --host "$top/build/native/tests/e2e/host/e2e_host" \
  --win64 "$top/build/win64" --wine-state "$state" --ref-wine-state "$ref_state" \
  --eager-wine-state "$eager_state" --work "$top/build/bench-e2e/run" "$@" \
  >"$top/build/bench-e2e/output.log" 2>&1 || rc=$?
grep -v -e '^\[' -e '^ok: ' -e '^$' -e 'GSpice-CRITICAL' "$top/build/bench-e2e/output.log" || true
# 77: not measurable here (it said why, e.g. vdservice.exe not built): not a failure of bench.sh.
[ "$rc" = 0 ] || [ "$rc" = 77 ]
