#!/usr/bin/env bash
# run-fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
# Runs one libFuzzer target for a fixed time. Seeds are read from SEED_DIR (in the
# repo, never written); new inputs go to WORK_DIR. Any finding fails the test and
# leaves the crashing input in WORK_DIR/artifacts/.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
mkdir -p "$work/new" "$work/artifacts"
[ -d "$seeds" ] || { echo "run-fuzzer: no seed corpus at $seeds"; exit 1; }
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/new" "$seeds"
