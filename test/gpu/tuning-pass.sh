#!/usr/bin/env bash
# Tuning that sticks, on the GPU machine (after prepare-device.sh), with FP8LAB_NUM_SMS=78 standing
# in for an H20's SM count: calibrate, bench the 18 DeepSeek shapes with the H100-default model and
# with the calibrated model (no tuned records either time), tune them into a fresh store (--save),
# then bench again with the tuned configs. Each bench has DeepGEMM beside ours (set_num_sms(78))
# when PYTHONPATH has deep_gemm. Prints the comparison table last (test/gpu/tuning-summary.mjs).
#   bash test/gpu/tuning-pass.sh OUTDIR [TOP]       (TOP: the model's top candidates per shape, default 2,
#                                                    plus the best of each sweep axis)
# Writes 7 files into OUTDIR: log.txt profile.json bench-defaults.json bench-calibrated.json
# tune.json bench-tuned.json summary.txt. The whole pass stays under BUDGET seconds (default 470):
# every step's timeout is what is left of it, less what the later steps need.
set -uo pipefail
OUT=${1:?usage: tuning-pass.sh OUTDIR [TOP]}; TOP=${2:-2}
BUDGET=${BUDGET:-470}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/../.."
source test/gpu/device-env.sh
export FP8LAB_NUM_SMS=${FP8LAB_NUM_SMS:-78}
# A fresh store for this pass, so "no tuned records" holds for the first benches.
STORE=$(mktemp -d /tmp/fp8lab-tuning-pass.XXXXXX)
export FP8LAB_TUNING_DB=$STORE
CLI=(/tmp/node extension/dist/cli.js)
LOG=$OUT/log.txt
START=$(date +%s)
: > "$LOG"

# step NAME RESERVE CAP -- argv...: runs argv with a timeout of min(CAP, time left - RESERVE), logs it.
step() {
  local name=$1 reserve=$2 cap=$3; shift 4
  local left=$(( BUDGET - ($(date +%s) - START) - reserve ))
  local limit=$(( left < cap ? left : cap ))
  if [ "$limit" -lt 10 ]; then echo "== $name: skipped, ${left}s left of the budget" | tee -a "$LOG"; return 124; fi
  echo "== $name (timeout ${limit}s): ${*:2}" | tee -a "$LOG"
  local t0=$(date +%s)
  timeout "$limit" "$@" >> "$LOG" 2>&1
  local rc=$?
  echo "== $name: exit $rc after $(( $(date +%s) - t0 ))s" | tee -a "$LOG"
  return $rc
}

{ nvidia-smi --query-gpu=name,clocks.sm,power.limit --format=csv,noheader
  echo "FP8LAB_NUM_SMS=$FP8LAB_NUM_SMS PYTHONPATH=${PYTHONPATH:-} store=$STORE top=$TOP budget=${BUDGET}s"
  python3 -c 'import deep_gemm; print("deep_gemm", getattr(deep_gemm, "__version__", "?"), "from", deep_gemm.__file__)' 2>&1 | tail -1
} | tee -a "$LOG"

BENCH=(bench --shapes deepseek --peers deepgemm --rounds 5)
# Reserves: what the later steps need at least (calibrated bench 60 s, tune 150 s, tuned bench 60 s).
step calibrate 330 120 -- "${CLI[@]}" calibrate --json "$OUT/profile.json"
FP8LAB_MODEL=defaults step bench-defaults 270 150 -- "${CLI[@]}" "${BENCH[@]}" --json "$OUT/bench-defaults.json"
FP8LAB_MODEL=calibrated step bench-calibrated 210 90 -- "${CLI[@]}" "${BENCH[@]}" --json "$OUT/bench-calibrated.json"
# Prefill first: the M = 4096 shapes are where the H100-fitted picks lost most to DeepGEMM on 78 SMs.
step tune 60 400 -- "${CLI[@]}" tune --shapes prefill decode --top "$TOP" --rounds 5 --save --json "$OUT/tune.json"
"${CLI[@]}" tuning show >> "$LOG" 2>&1
step bench-tuned 0 120 -- "${CLI[@]}" "${BENCH[@]}" --json "$OUT/bench-tuned.json"

/tmp/node test/gpu/tuning-summary.mjs "$OUT" | tee "$OUT/summary.txt"
echo "total $(( $(date +%s) - START ))s" | tee -a "$OUT/summary.txt"
rm -rf "$STORE"
