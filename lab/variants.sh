#!/usr/bin/env bash
# A/B of kernel build variants on the GPU machine (after prepare-device.sh). Each variant is one
# `fp8lab bench` process over the same shapes with FP8LAB_JIT_DEFINES (kernel macros) and, when given,
# NVCC_APPEND_FLAGS (nvcc reads it itself; our JIT cache key includes it) set; every process times the
# peers interleaved with our kernel (cuBLASLt, and DeepGEMM when PYTHONPATH has it), so the ratio
# column compares variants across processes even when the clocks drift between them. Variants run in
# turn, the whole list REPEAT times.
#   variants.sh LOGDIR SHAPES REPEAT "label|DEFINES[|NVCC_FLAGS[|CONFIG]]" ...
#   e.g. variants.sh "$OUT" "64,2112,7168 4096,4096,7168" 2 "base|" "rot|FP8LAB_K_ROTATION=1"
#        variants.sh "$OUT" "4096,2112,7168" 2 "base|" "l10||-Xptxas --register-usage-level=10"
# BENCH_KERNEL=bf16 (any `--kernel` of the bench) times that kernel instead of the FP8 one; SHAPES ""
# is the kind's standard list. CONFIG (as --config takes it) forces parts of every shape's config:
#        BENCH_KERNEL=kgrouped variants.sh "$OUT" "" 2 "pick|" "n152|||block_m=128,block_n=152" \
#          "n152held|FP8LAB_1D1D_SPLIT_RELEASE=0||block_m=128,block_n=152"
set -uo pipefail
LOG=${1:?usage: variants.sh LOGDIR SHAPES REPEAT "label|DEFINES" ...}; SHAPES=$2; REPEAT=$3; shift 3
mkdir -p "$LOG"; cd "$(dirname "$0")/.."
source test/gpu/device-env.sh
read -r -a shape_args <<< "$SHAPES"
for ((r = 1; r <= REPEAT; r++)); do
  for spec in "$@"; do
    IFS='|' read -r label defines nvcc_flags config <<< "$spec"
    echo "### round $r $label [$defines] [${nvcc_flags:-}] [${config:-}]" >> "$LOG/variants.log"
    # NVCC_APPEND_FLAGS only when given: set, even empty, it is part of the JIT cache key.
    env FP8LAB_JIT_DEFINES="$defines" ${nvcc_flags:+NVCC_APPEND_FLAGS="$nvcc_flags"} timeout 300 /tmp/node extension/dist/cli.js bench ${BENCH_KERNEL:+--kernel "$BENCH_KERNEL"} \
      ${SHAPES:+--shapes "${shape_args[@]}"} ${config:+--config "$config"} --rounds 10 --json "$LOG/variant-$label-$r.json" >> "$LOG/variants.log" 2>&1
    echo "round $r $label: exit $?"
  done
done
/tmp/node lab/variants-summary.mjs "$LOG"/variant-*.json
