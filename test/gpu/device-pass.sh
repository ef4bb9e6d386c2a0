#!/usr/bin/env bash
# The whole GPU pass, in one command on the H100 machine (no Node there: it unpacks .device/node.xz).
#   bash test/gpu/device-pass.sh LOGDIR        (e.g. "$OUT"; test/gpu/prepare-device.sh ran first, here)
# Steps: environment check, cold-compile and cache-hit timing, GPU tests, compute-sanitizer
# (memcheck, racecheck, synccheck) on a few shapes, the deepseek benchmark and 8192³ with JSON.
# Writes 8 files into LOGDIR (check.json compile.log gpu-tests.log sanitizer.log bench.log
# bench.json bench-8192.json summary.txt) and prints the summary table last. Every step has a
# time limit; the whole pass stays inside 9 minutes (DEVICE_PASS_BUDGET_S=540).
#
#   bash test/gpu/device-pass.sh LOGDIR --timeline --accuracy      (either flag or both)
# The study pass instead: environment check, then `fp8lab timeline 4096 7168 2048` writing
# LOGDIR/timeline.json (the Perfetto trace; timeline.json.gz when it is over 15 MiB: the device
# returns files of at most 16 MiB, and ui.perfetto.dev opens .json.gz) and LOGDIR/timeline-capture.json
# (the raw capture: the UI fixture), and `fp8lab accuracy 4096 7168 2048` for the three input kinds
# folded into LOGDIR/accuracy.json ({ reports: [normal, outliers, tiny] }); logs in studies.log,
# summary.txt last. It runs apart from the full pass because at most 8 files come back.
set -uo pipefail
LOG=${1:?usage: device-pass.sh LOGDIR [--timeline] [--accuracy]}
shift
STUDY_TIMELINE=0; STUDY_ACCURACY=0
for a in "$@"; do
  case "$a" in
    --timeline) STUDY_TIMELINE=1 ;;
    --accuracy) STUDY_ACCURACY=1 ;;
    *) echo "device-pass: unknown option $a (use --timeline and/or --accuracy)"; exit 1 ;;
  esac
done
mkdir -p "$LOG"
LOG=$(cd "$LOG" && pwd)
cd "$(dirname "$0")/../.."
ROOT=$PWD
STEPS=/tmp/fp8lab-steps.tsv
: > "$STEPS"

# --- the build from the development machine -------------------------------------------------
if [ -d .device/bundle ]; then cp -r .device/bundle/. "$ROOT"/; fi
NODE=/tmp/node
if [ ! -x "$NODE" ]; then
  if command -v xz >/dev/null; then xz -dc .device/node.xz > "$NODE"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(".device/node.xz"), open(sys.argv[1], "wb"))' "$NODE"; fi
  chmod +x "$NODE"
fi
"$NODE" --version >/dev/null || { echo "device-pass: $NODE does not run"; exit 1; }
for f in extension/dist/cli.js test/dist/gpu/correctness.js native/build/Release/fp8lab.node; do
  [ -f "$f" ] || { echo "device-pass: $f missing: run test/gpu/prepare-device.sh on the development machine and carry .device"; exit 1; }
done

export FP8LAB_ROOT=$ROOT
export CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
export UV_THREADPOOL_SIZE=8                 # compiles overlap GPU work without starving synchronize
export FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-jit # shared by every step after the cold-compile one
FP8LAB=("$NODE" "$ROOT/extension/dist/cli.js")

# The whole pass must end inside the GPU machine's 10-minute command limit: each step gets at most
# its own limit and never more than what is left of the budget (a step that cannot start is skipped).
BUDGET_S=${DEVICE_PASS_BUDGET_S:-580}
PASS_START=$(date +%s)

# step NAME LIMIT_S LOGFILE CMD...: runs with a time limit, appends output to LOGFILE, records a row.
step() {
  local name=$1 limit=$2 logfile=$3; shift 3
  local start ms rc left
  left=$(( BUDGET_S - ($(date +%s) - PASS_START) ))
  if [ "$left" -lt 15 ]; then
    printf '%s\t%s\t%s\n' "$name" "skipped" "0" >> "$STEPS"
    echo "[$(date +%H:%M:%S)] $name: skipped (the pass budget of ${BUDGET_S} s is spent)"
    return 124
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  start=$(date +%s%N)
  echo "=== $name: $*" >> "$logfile"
  timeout -k 10 "$limit" "$@" >> "$logfile" 2>&1
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  printf '%s\t%s\t%s\n' "$name" "$rc" "$ms" >> "$STEPS"
  echo "[$(date +%H:%M:%S)] $name: exit $rc ($ms ms)"
  return $rc
}

nvidia-smi --query-gpu=name,driver_version,clocks.sm,power.draw,temperature.gpu --format=csv > "$LOG/bench.log" 2>&1
rm -f "$LOG/check.json" "$LOG/compile.log" "$LOG/gpu-tests.log" "$LOG/sanitizer.log" "$LOG/bench.json" "$LOG/bench-8192.json"

# 1. The environment report (exit 0 = Hopper GPU + toolkit).
# stdout (the JSON) goes to check.json; stderr to the bench log.
step check 30 "$LOG/bench.log" bash -c '"$1" "$2" check --json > "$3"' check "$NODE" "$ROOT/extension/dist/cli.js" "$LOG/check.json"

# The study pass: see the header. Ends here.
if [ "$STUDY_TIMELINE" = 1 ] || [ "$STUDY_ACCURACY" = 1 ]; then
  SLOG="$LOG/studies.log"
  rm -f "$LOG/timeline.json" "$LOG/timeline.json.gz" "$LOG/timeline-capture.json" "$LOG/accuracy.json" /tmp/fp8lab-timeline.json /tmp/fp8lab-accuracy-*.json
  if [ "$STUDY_TIMELINE" = 1 ]; then
    step timeline 180 "$SLOG" "${FP8LAB[@]}" timeline 4096 7168 2048 --trace /tmp/fp8lab-timeline.json --capture "$LOG/timeline-capture.json"
    if [ -f /tmp/fp8lab-timeline.json ]; then
      if [ "$(stat -c %s /tmp/fp8lab-timeline.json)" -gt $((15 * 1024 * 1024)) ]; then
        gzip -c /tmp/fp8lab-timeline.json > "$LOG/timeline.json.gz"
        echo "timeline.json is $(stat -c %s /tmp/fp8lab-timeline.json) bytes: returned gzipped as timeline.json.gz" >> "$SLOG"
      else
        cp /tmp/fp8lab-timeline.json "$LOG/timeline.json"
      fi
    fi
  fi
  if [ "$STUDY_ACCURACY" = 1 ]; then
    for input in normal outliers tiny; do
      step "accuracy-$input" 120 "$SLOG" "${FP8LAB[@]}" accuracy 4096 7168 2048 --input "$input" --seed 1 --json "/tmp/fp8lab-accuracy-$input.json"
    done
    # One file for the three (at most 8 files come back from the device).
    OUTFILE="$LOG/accuracy.json" "$NODE" -e 'const fs = require("fs"); const reports = process.argv.slice(1).filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
      fs.writeFileSync(process.env.OUTFILE, JSON.stringify({ reports }) + "\n"); console.log(`accuracy.json: ${reports.length} report(s)`);' \
      /tmp/fp8lab-accuracy-normal.json /tmp/fp8lab-accuracy-outliers.json /tmp/fp8lab-accuracy-tiny.json >> "$SLOG" 2>&1
  fi
  { echo "study pass:"; cat "$STEPS"; echo; grep -E '^(shape|check|timing|trace|events|tiles|tail|ring|producer|math|variant|fine|per-tensor|no promotion|against)' "$SLOG"; } | tee "$LOG/summary.txt"
  exit 0
fi

# DEVICE_PASS_MAIN=0 skips steps 2-4 and 5b (compiles, GPU tests, benchmarks, NVRTC) to run only
# the sanitizers in a call of their own.
if [ "${DEVICE_PASS_MAIN:-1}" = 1 ]; then
# 2. Cold compile (empty cache) then a disk-cache hit of the same kernel, twice for two shapes.
for shape in "4096 7168 2048" "64 2112 7168"; do
  rm -rf /tmp/fp8lab-cold
  step "compile-cold $shape" 60 "$LOG/compile.log" env FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-cold "${FP8LAB[@]}" compile $shape
  step "compile-hit $shape" 30 "$LOG/compile.log" env FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-cold "${FP8LAB[@]}" compile $shape
done

# 3. GPU tests (correctness generator, forced configs, distributions, rejections, fault recovery).
#    DEVICE_PASS_TESTS="name ..." runs only those tests of run.mjs (e.g. the FP8 ones when a call is short).
step gpu-tests 260 "$LOG/gpu-tests.log" "$NODE" test/gpu/run.mjs ${DEVICE_PASS_TESTS:-}

# 4. The benchmark: deepseek shapes next to cuBLASLt, then 8192³ (the device ceilings are measured
#    once and cached at the end of the first run).
#    DEVICE_PASS_BENCH=0 skips them (lab/record-fixtures.sh records the same runs with every peer).
if [ "${DEVICE_PASS_BENCH:-1}" = 1 ]; then
step bench-deepseek 150 "$LOG/bench.log" "${FP8LAB[@]}" bench --shapes deepseek --json "$LOG/bench.json"
step bench-8192 60 "$LOG/bench.log" "${FP8LAB[@]}" bench --shapes 8192,8192,8192 --json "$LOG/bench-8192.json"
fi

fi

# 5. compute-sanitizer on a few shapes, correctness only (kernels are cached by now: no compiles).
#    DEVICE_PASS_SANITIZER=0 skips them (to split a pass over two device calls).
if [ "${DEVICE_PASS_SANITIZER:-1}" = 1 ]; then
SAN=${CUDA_HOME}/bin/compute-sanitizer
command -v "$SAN" >/dev/null || SAN=compute-sanitizer
# 1000x576x7168 has a partial M tile, 4096x576x2048 two math warpgroups; both give CTAs several
# tiles (the overlap across tiles). Split-K (cluster pair, DSMEM hand-over) is forced on 64x576x2048.
# racecheck is slow on TMA/mbarrier kernels: it gets small K.
for tool in memcheck synccheck; do
  step "sanitizer-$tool" 90 "$LOG/sanitizer.log" "$SAN" --tool "$tool" --target-processes application-only --error-exitcode 9 \
    "${FP8LAB[@]}" bench --shapes 128,2112,7168 1000,576,7168 4096,576,2048 --check-only --no-peer
  step "sanitizer-$tool-splitk" 90 "$LOG/sanitizer.log" "$SAN" --tool "$tool" --target-processes application-only --error-exitcode 9 \
    "${FP8LAB[@]}" bench --shapes 64,576,2048 --config block_m=64,block_n=32,split_k=2,cluster_m=1,cluster_n=1 --check-only --no-peer
done
step "sanitizer-racecheck" 150 "$LOG/sanitizer.log" "$SAN" --tool racecheck --target-processes application-only --error-exitcode 9 \
  "${FP8LAB[@]}" bench --shapes 128,576,1024 1000,576,512 --check-only --no-peer
step "sanitizer-racecheck-splitk" 150 "$LOG/sanitizer.log" "$SAN" --tool racecheck --target-processes application-only --error-exitcode 9 \
  "${FP8LAB[@]}" bench --shapes 64,576,2048 --config block_m=64,block_n=32,split_k=2,cluster_m=1,cluster_n=1 --check-only --no-peer
fi

if [ "${DEVICE_PASS_MAIN:-1}" = 1 ]; then
# 5b. NVRTC instead of nvcc (libnvrtc is on this machine): compile and check one shape with it.
step "nvrtc-compile" 90 "$LOG/compile.log" env FP8LAB_JIT_USE_NVRTC=1 FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-nvrtc "${FP8LAB[@]}" compile 128,2112,7168
step "nvrtc-bench" 90 "$LOG/compile.log" env FP8LAB_JIT_USE_NVRTC=1 FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-nvrtc "${FP8LAB[@]}" bench --shapes 128,2112,7168 --no-peer
step "dump-sass" 60 "$LOG/compile.log" env FP8LAB_JIT_DUMP_SASS=1 FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-sass "${FP8LAB[@]}" compile 64,2112,7168
fi

# 6. The short table, last.
"$NODE" "$ROOT/test/gpu/summary.mjs" "$LOG" "$STEPS" | tee "$LOG/summary.txt"
