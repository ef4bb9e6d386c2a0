#!/usr/bin/env bash
# A local-GPU sweep on the GPU machine (after prepare-device.sh; one GPU is the same code path as
# eight): a compile-only sweep that fills a cold JIT cache with the candidates, then a tune sweep
# of the same shapes and --top on every local GPU, its rankings merged into a fresh tuning store,
# which `fp8lab tuning show` then lists. Checks that every shape has a record, that collecting again
# adds none, and prints the measured cost per candidate (cold compile, warm tune).
#   bash test/gpu/sweep-pass.sh LOGDIR [TOP] [SHAPES...]     (default: 8 candidates, three DeepSeek shapes)
# Writes into LOGDIR: compile.txt tune.txt status.json tuning-show.txt tuning.jsonl summary.txt.
set -uo pipefail
LOG=${1:?usage: sweep-pass.sh LOGDIR [TOP] [SHAPES...]}; shift
TOP=${1:-8}; [ $# -gt 0 ] && shift
SHAPES=("$@"); [ ${#SHAPES[@]} -gt 0 ] || SHAPES=(64,2112,7168 128,7168,2048 4096,7168,2048)
mkdir -p "$LOG"; LOG=$(cd "$LOG" && pwd)
cd "$(dirname "$0")/../.."
source test/gpu/device-env.sh
WORK=$(mktemp -d /tmp/fp8lab-sweep-pass.XXXXXX)
export FP8LAB_JIT_CACHE_DIR=$WORK/jit FP8LAB_TUNING_DB=$WORK/tuning
CLI=(/tmp/node extension/dist/cli.js)
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN { printf "%.2f", (b - a) / d }'; }
fail=0

nvidia-smi --query-gpu=index,name,power.limit --format=csv,noheader | tee "$LOG/summary.txt"
echo "shapes: ${SHAPES[*]}; top $TOP; JIT cache $FP8LAB_JIT_CACHE_DIR (cold); tuning store $FP8LAB_TUNING_DB (empty)" | tee -a "$LOG/summary.txt"

t0=$(now)
timeout 300 "${CLI[@]}" sweep compile "${SHAPES[@]}" --top "$TOP" --dir "$WORK/compile" > "$LOG/compile.txt" 2>&1
rc_compile=$?
t1=$(now)
timeout 400 "${CLI[@]}" sweep tune "${SHAPES[@]}" --top "$TOP" --dir "$WORK/tune" > "$LOG/tune.txt" 2>&1
rc_tune=$?
t2=$(now)
"${CLI[@]}" sweep status "$WORK/tune" --json > "$LOG/status.json" 2>&1
"${CLI[@]}" tuning show > "$LOG/tuning-show.txt" 2>&1
cat "$FP8LAB_TUNING_DB"/*.jsonl > "$LOG/tuning.jsonl" 2>/dev/null
again=$("${CLI[@]}" sweep collect "$WORK/tune" 2>&1 | grep -o 'tuning store .*')

records=$(grep -c . "$LOG/tuning.jsonl" 2>/dev/null); records=${records:-0}
here=$(grep -c ' this GPU ' "$LOG/tuning-show.txt"); here=${here:-0}
n=${#SHAPES[@]}
{
  echo "compile sweep (cold cache, $n shape(s) x top $TOP): exit $rc_compile, $(secs "$t0" "$t1") s"
  echo "tune sweep (warm cache, $n shape(s) x top $TOP): exit $rc_tune, $(secs "$t1" "$t2") s, $(secs "$t1" "$t2" $((n * TOP))) s per candidate (all in: task start, inputs, checks, timing)"
  grep -E '^[0-9]+ task\(s\):' "$LOG/tune.txt" | head -1
  echo "tuning store: $records record(s) written, $here listed as 'this GPU' by tuning show; collect again: $again"
} | tee -a "$LOG/summary.txt"
[ "$rc_compile" -eq 0 ] || { echo "FAIL: the compile sweep exited $rc_compile" | tee -a "$LOG/summary.txt"; fail=1; }
[ "$rc_tune" -eq 0 ] || { echo "FAIL: the tune sweep exited $rc_tune" | tee -a "$LOG/summary.txt"; fail=1; }
[ "$records" -eq "$n" ] && [ "$here" -eq "$n" ] || { echo "FAIL: expected $n tuning record(s) for this GPU" | tee -a "$LOG/summary.txt"; fail=1; }
case "$again" in *"0 record(s) added, $n already there"*) ;; *) echo "FAIL: a second collect added records: $again" | tee -a "$LOG/summary.txt"; fail=1 ;; esac
echo; cat "$LOG/tuning-show.txt"
echo; tail -n +1 "$LOG/summary.txt" | tail -6
rm -rf "$WORK"
exit $fail
