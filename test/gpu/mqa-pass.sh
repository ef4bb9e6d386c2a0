#!/usr/bin/env bash
# The FP8 MQA-logits pass on the H100 (plain and paged kernels; needs nvcc, no Node):
#   bash test/gpu/mqa-pass.sh LOGDIR          (e.g. "$OUT"; source test/gpu/device-env.sh first so
#                                              that DeepGEMM is importable through PYTHONPATH)
# 1. builds kernels/tools/mqa_logits_check.cu (nvcc, sm_90a; ptxas report in build.log);
# 2. correctness: ~90 cases against the FP32 reference (ragged, empty and causal windows, lengths off
#    the block sizes, partial and whole last pages, empty requests, next_n 1 and 2, heads 32/64,
#    dim 64/128): every element's class (value / -inf / untouched) and calc_diff < 1e-5;
# 3. compute-sanitizer memcheck, racecheck and synccheck on the small cases;
# 4. the bench: DeepGEMM's test shapes (each also checked), ours;
# 5. DeepGEMM's fp8_mqa_logits / fp8_paged_mqa_logits on the same shapes (test/gpu/mqa_deepgemm.py),
#    timed the same way, each output checked first; skipped when deep_gemm cannot be imported.
# Files in LOGDIR: build.log correctness.log sanitizer.log bench.log deepgemm.log summary.txt.
# Every step has a time limit; the whole pass stays under 9 minutes.
set -uo pipefail
LOG=${1:?usage: mqa-pass.sh LOGDIR}
mkdir -p "$LOG"; LOG=$(cd "$LOG" && pwd)
cd "$(dirname "$0")/../.."
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
NVCC=$CUDA_HOME/bin/nvcc
SAN=$CUDA_HOME/bin/compute-sanitizer
command -v "$SAN" >/dev/null || SAN=compute-sanitizer
BIN=/tmp/fp8lab-mqa-check
: > "$LOG/summary.txt"

note() { echo "$*" | tee -a "$LOG/summary.txt"; }

# step NAME LIMIT_S LOGFILE CMD...: runs with a time limit, appends to LOGFILE, notes the exit code.
step() {
  local name=$1 limit=$2 logfile=$3; shift 3
  local start=$(date +%s) rc
  echo "=== $name: $*" >> "$logfile"
  timeout -k 10 "$limit" "$@" >> "$logfile" 2>&1
  rc=$?
  note "$name: exit $rc ($(( $(date +%s) - start )) s)"
  return $rc
}

nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv >> "$LOG/summary.txt" 2>&1

step build 240 "$LOG/build.log" "$NVCC" -std=c++17 -O2 -gencode=arch=compute_90a,code=sm_90a -Xptxas -v \
  -I kernels/include -o "$BIN" kernels/tools/mqa_logits_check.cu || { note "build failed: see build.log"; exit 1; }
note "ptxas (kernel: registers, spills):"
name=""; spill=""
while IFS= read -r line; do
  case "$line" in
    *"Compiling entry function"*) name=${line#*function \'}; name=${name%%\'*} ;;
    *"spill stores"*) spill=$(echo "$line" | sed 's/^ *//') ;;
    *"Used "*" registers"*)
      case "$name" in *plain_kernel*|*paged_kernel*) echo "$name: $(echo "$line" | grep -oE 'Used [0-9]+ registers'), $spill" ;; esac ;;
  esac
done < "$LOG/build.log" | tee -a "$LOG/summary.txt"

step correctness 200 "$LOG/correctness.log" "$BIN" correctness
tail -1 "$LOG/correctness.log" | tee -a "$LOG/summary.txt"
grep -E "^FAIL" "$LOG/correctness.log" | head -20 | tee -a "$LOG/summary.txt"

for tool in memcheck racecheck synccheck; do
  step "sanitizer-$tool" 120 "$LOG/sanitizer.log" "$SAN" --tool "$tool" --error-exitcode 9 "$BIN" small
done
grep -E "ERROR SUMMARY|RACECHECK SUMMARY" "$LOG/sanitizer.log" | tee -a "$LOG/summary.txt"

step bench 200 "$LOG/bench.log" "$BIN" bench
step deepgemm 240 "$LOG/deepgemm.log" python3 test/gpu/mqa_deepgemm.py

note ""
note "ours (bench.log) then DeepGEMM (deepgemm.log), same shapes in the same order:"
grep -E "^(PASS|FAIL)" "$LOG/bench.log" | sed -E 's/ calc_diff=[^|]*//' | tee -a "$LOG/summary.txt"
grep -E "^(DG|SKIP)" "$LOG/deepgemm.log" | sed -E 's/ calc_diff=[^|]*//' | tee -a "$LOG/summary.txt"
