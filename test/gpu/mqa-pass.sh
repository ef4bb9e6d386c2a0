#!/usr/bin/env bash
# The FP8 MQA-logits pass on the H100 (plain and paged kernels). Two calls, each under 9 minutes:
#
#   bash test/gpu/mqa-pass.sh LOGDIR            the kernels (needs only nvcc; no Node):
#     1. builds kernels/tools/mqa_logits_check.cu (nvcc, sm_90a; ptxas report in build.log);
#     2. correctness: ~90 cases against the FP32 reference (ragged, empty and causal windows, lengths
#        off the block sizes, partial and whole last pages, empty requests, next_n 1, 2 and 4, heads
#        32/64, dim 64/128): every element's class (value / -inf / untouched) and calc_diff < 1e-5;
#     3. compute-sanitizer memcheck, racecheck and synccheck on the small cases;
#     4. DeepGEMM's test shapes through the check program (each checked, then timed);
#     files: build.log correctness.log sanitizer.log check-bench.log summary.txt
#
#   bash test/gpu/mqa-pass.sh LOGDIR --cli      the product (after test/gpu/prepare-device.sh here and
#                                               carrying .device; source test/gpu/device-env.sh first
#                                               so that DeepGEMM is importable through PYTHONPATH):
#     5. `fp8lab bench --kernel mqa-logits` and `--kernel paged-mqa-logits` on a subset of DeepGEMM's
#        shapes (MQA_FULL=1: all of them), each checked, then timed interleaved round by round with
#        DeepGEMM's fp8_mqa_logits / fp8_paged_mqa_logits on the same windows and contexts;
#     6. test/gpu/mqa_deepgemm.py: DeepGEMM alone on DeepGEMM's shapes, checked then timed, if time is left;
#     files: bench-mqa.json bench-paged.json bench.log deepgemm.log summary.txt
set -uo pipefail
LOG=${1:?usage: mqa-pass.sh LOGDIR [--cli]}
MODE=${2:-kernels}
mkdir -p "$LOG"; LOG=$(cd "$LOG" && pwd)
cd "$(dirname "$0")/../.."
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
BUDGET_S=${MQA_PASS_BUDGET_S:-530}
PASS_START=$(date +%s)
: > "$LOG/summary.txt"

note() { echo "$*" | tee -a "$LOG/summary.txt"; }

# step NAME LIMIT_S LOGFILE CMD...: runs with a time limit (never past the pass budget), appends to
# LOGFILE, notes the exit code.
step() {
  local name=$1 limit=$2 logfile=$3; shift 3
  local start rc left
  left=$(( BUDGET_S - ($(date +%s) - PASS_START) ))
  if [ "$left" -lt 15 ]; then note "$name: skipped (the pass budget of ${BUDGET_S} s is spent)"; return 124; fi
  [ "$limit" -gt "$left" ] && limit=$left
  start=$(date +%s)
  echo "=== $name: $*" >> "$logfile"
  timeout -k 10 "$limit" "$@" >> "$logfile" 2>&1
  rc=$?
  note "$name: exit $rc ($(( $(date +%s) - start )) s)"
  return $rc
}

nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv >> "$LOG/summary.txt" 2>&1

if [ "$MODE" = "--cli" ]; then
  [ -d .device/bundle ] && cp -r .device/bundle/. ./
  NODE=/tmp/node
  if [ ! -x "$NODE" ]; then
    if command -v xz >/dev/null; then xz -dc .device/node.xz > "$NODE"
    else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(".device/node.xz"), open(sys.argv[1], "wb"))' "$NODE"; fi
    chmod +x "$NODE"
  fi
  for f in extension/dist/cli.js native/build/Release/fp8lab.node; do
    [ -f "$f" ] || { note "mqa-pass: $f missing: run test/gpu/prepare-device.sh on the development machine and carry .device"; exit 1; }
  done
  export FP8LAB_ROOT=$PWD CUDA_HOME FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-jit UV_THREADPOOL_SIZE=8
  if [ "${MQA_FULL:-0}" = 1 ]; then PLAIN=(); PAGED=()
  else
    PLAIN=(2048,8192,32,128,cp 2048,8192,64,128,cp 2048,65536,64,128,cp 8192,65536,32,128,causal 8192,65536,64,128,causal 2048,8192,64,64,causal)
    PAGED=(256,1,64,128,8192 256,2,64,128,8192 256,2,32,128,65536 4096,1,32,128,8192 4096,2,64,128,8192)
  fi
  step bench-mqa 260 "$LOG/bench.log" "$NODE" extension/dist/cli.js bench --kernel mqa-logits "${PLAIN[@]}" --json "$LOG/bench-mqa.json"
  step bench-paged 230 "$LOG/bench.log" "$NODE" extension/dist/cli.js bench --kernel paged-mqa-logits "${PAGED[@]}" --json "$LOG/bench-paged.json"
  step deepgemm-alone 150 "$LOG/deepgemm.log" python3 test/gpu/mqa_deepgemm.py
  note ""
  # The tables (stdout of each bench), then the lines that say why a column or a case is missing.
  grep -E "^(SQ=|B=|case|DeepGEMM column|ratio =)|^  .*: \[E_" "$LOG/bench.log" | tee -a "$LOG/summary.txt"
  grep -E "^(DG|SKIP)" "$LOG/deepgemm.log" | sed -E 's/ calc_diff=[^|]*//' | tee -a "$LOG/summary.txt"
  exit 0
fi

NVCC=$CUDA_HOME/bin/nvcc
SAN=$CUDA_HOME/bin/compute-sanitizer
command -v "$SAN" >/dev/null || SAN=compute-sanitizer
BIN=/tmp/fp8lab-mqa-check

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

step correctness 150 "$LOG/correctness.log" "$BIN" correctness
tail -1 "$LOG/correctness.log" | tee -a "$LOG/summary.txt"
grep -E "^FAIL" "$LOG/correctness.log" | head -20 | tee -a "$LOG/summary.txt"

for tool in memcheck racecheck synccheck; do
  step "sanitizer-$tool" 90 "$LOG/sanitizer.log" "$SAN" --tool "$tool" --error-exitcode 9 "$BIN" small
done
grep -E "ERROR SUMMARY|RACECHECK SUMMARY" "$LOG/sanitizer.log" | tee -a "$LOG/summary.txt"

step check-bench 200 "$LOG/check-bench.log" "$BIN" bench
note ""
grep -E "^(PASS|FAIL)" "$LOG/check-bench.log" | sed -E 's/ calc_diff=[^|]*//' | tee -a "$LOG/summary.txt"
