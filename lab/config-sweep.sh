#!/usr/bin/env bash
# A tile sweep of one grouped or BF16 kind on the GPU machine (after test/gpu/prepare-device.sh): one
# `fp8lab bench --kernel KIND` process per config, the heuristics' picks first, over the same cases;
# the peers (cuBLASLt for bf16, DeepGEMM where its Python has it) are timed beside ours in every
# process, so runs stay comparable when the clock drifts between them. A config a case cannot take
# is that case's coded error, not the run's. Then it folds the runs into one fixture.
#   config-sweep.sh OUTDIR KIND "SHAPES" CONFIG...     SHAPES "" = the kind's standard list;
#                                                       CONFIG as --config takes it (k=v,...)
#   e.g. config-sweep.sh OUT bf16 "4096,2112,7168 4096,7168,2048" block_m=128,block_n=176 block_m=256,block_n=64
# Writes OUTDIR/sweep-*.json, sweep.log and sweep.json (lab/config-sweep-fixture.mjs).
# SWEEP_BUDGET_S (default 3000): configs not started within it are skipped and named, so a sweep fits
# one device call; each bench gets at most what is left of it.
set -uo pipefail
OUT=${1:?usage: config-sweep.sh OUTDIR KIND "SHAPES" CONFIG...}; KIND=${2:?}; SHAPES=${3-}; shift 3
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/.."
source test/gpu/device-env.sh
read -r -a shape_args <<< "$SHAPES"
[ ${#shape_args[@]} -gt 0 ] && shape_args=(--shapes "${shape_args[@]}")
budget=${SWEEP_BUDGET_S:-3000}; t0=$SECONDS
n=0
for cfg in "" "$@"; do
  n=$((n + 1))
  left=$((budget - (SECONDS - t0)))
  [ $left -lt 20 ] && { echo "${cfg:-picks}: skipped (SWEEP_BUDGET_S=$budget spent)"; continue; }
  config_args=(); [ -n "$cfg" ] && config_args=(--config "$cfg")
  echo "### $n ${cfg:-heuristics picks}" >> "$OUT/sweep.log"
  timeout $((left < 300 ? left : 300)) /tmp/node extension/dist/cli.js bench --kernel "$KIND" "${shape_args[@]}" --rounds 5 \
    "${config_args[@]}" --json "$OUT/sweep-$n.json" >> "$OUT/sweep.log" 2>&1
  echo "${cfg:-picks}: exit $?"
done
/tmp/node lab/config-sweep-fixture.mjs "lab/config-sweep.sh OUT $KIND \"$SHAPES\" $*" "$OUT"/sweep-*.json > "$OUT/sweep.json"
echo "folded into $OUT/sweep.json"
