#!/usr/bin/env bash
# A/B of kernel macro variants on the GPU machine (after prepare-device.sh). Each variant is one
# `fp8lab bench` process over the same shapes with FP8LAB_JIT_DEFINES set; every process times
# cuBLASLt interleaved with our kernel, so the ratio column compares variants across processes
# even when the clocks drift between them. Variants run in turn, the whole list REPEAT times.
#   variants.sh LOGDIR SHAPES REPEAT "label|DEFINES" ...
#   e.g. variants.sh "$OUT" "64,2112,7168 4096,4096,7168" 2 "base|" "rot|FP8LAB_K_ROTATION=1"
set -uo pipefail
LOG=${1:?usage: variants.sh LOGDIR SHAPES REPEAT "label|DEFINES" ...}; SHAPES=$2; REPEAT=$3; shift 3
mkdir -p "$LOG"; cd "$(dirname "$0")/.."
source test/gpu/device-env.sh
read -r -a shape_args <<< "$SHAPES"
for ((r = 1; r <= REPEAT; r++)); do
  for spec in "$@"; do
    label=${spec%%|*}; defines=${spec#*|}
    echo "### round $r $label [$defines]" >> "$LOG/variants.log"
    FP8LAB_JIT_DEFINES="$defines" timeout 300 /tmp/node extension/dist/cli.js bench --shapes "${shape_args[@]}" \
      --rounds 10 --json "$LOG/variant-$label-$r.json" >> "$LOG/variants.log" 2>&1
    echo "round $r $label: exit $?"
  done
done
/tmp/node lab/variants-summary.mjs "$LOG"/variant-*.json
