#!/usr/bin/env bash
# Runs every benchmark and prints its figures (after bringing the build up to date).
# Benchmarks measure; they never fail on a slow machine.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/build.sh >build.log 2>&1 || { tail -50 build.log; exit 1; }
for b in build/native/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
  echo
done
for s in bench/*.sh; do
  [ -f "$s" ] || continue
  echo "== $(basename "$s")"
  bash "$s"
  echo
done
