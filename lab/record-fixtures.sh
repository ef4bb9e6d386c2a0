#!/usr/bin/env bash
# Records the files the views ship for users without a GPU (test/fixtures/h100/), from the current
# kernels and runtime, on the H100 machine:
#   bash lab/record-fixtures.sh OUTDIR       (test/gpu/prepare-device.sh ran first, here)
# Writes into OUTDIR:
#   bench-deepseek.json    `fp8lab bench --shapes deepseek --json` with every peer that can run here
#                          (cuBLASLt's best algorithm, DeepGEMM and torch._scaled_mm when the
#                          Python there has them; a missing one is recorded with its reason)
#   bench-8192.json        `fp8lab bench --shapes 8192,8192,8192 --json`, the same peers
#   timeline-capture.json  `fp8lab timeline 4096 7168 2048 --capture` (the raw capture the timeline view reads)
#   accuracy.json          `fp8lab accuracy 4096 7168 2048` for normal, outliers and tiny inputs, folded
#                          into { reports: [...] } (the accuracy view's picker offers all three)
#   record.log             every command's output, and the provenance written into each file
# Each JSON gets a `recorded` line (device, driver, date, command). Copy the four JSON files over
# test/fixtures/h100/ and look at the views (npm test runs the scenario on them).
set -uo pipefail
OUT=${1:?usage: record-fixtures.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/.."
ROOT=$PWD
LOG="$OUT/record.log"
: > "$LOG"

source test/gpu/device-env.sh   # the bundle over the tree, /tmp/node, FP8LAB_ROOT, CUDA_HOME, the JIT cache
NODE=/tmp/node
for f in extension/dist/cli.js native/build/Release/fp8lab.node; do
  [ -f "$f" ] || { echo "record-fixtures: $f missing: run test/gpu/prepare-device.sh on the development machine and carry .device"; exit 1; }
done
FP8LAB=("$NODE" "$ROOT/extension/dist/cli.js")
STAMP=$(date -u '+%Y-%m-%d %H:%M UTC')
DEVICE=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)

run() { # run LIMIT_S CMD...: output to the log, time-limited
  local limit=$1; shift
  echo "\$ $*" >> "$LOG"
  timeout --kill-after=10 "$limit" "$@" >> "$LOG" 2>&1
  local rc=$?
  echo "(exit $rc)" >> "$LOG"
  return $rc
}

# stamp FILE COMMAND: writes the provenance into the file's top-level `recorded`.
stamp() {
  [ -f "$1" ] || { echo "record-fixtures: $1 was not written (see record.log)"; return 1; }
  FILE="$1" WHAT="recorded on ${DEVICE:-an unnamed GPU}, $STAMP, by \`$2\` (lab/record-fixtures.sh)" "$NODE" -e '
    const fs = require("fs"); const f = process.env.FILE; const j = JSON.parse(fs.readFileSync(f, "utf8"));
    j.recorded = process.env.WHAT; fs.writeFileSync(f, JSON.stringify(j, null, 1) + "\n");'
  echo "$(basename "$1"): $2" >> "$LOG"
}

status=0
run 300 "${FP8LAB[@]}" bench --shapes deepseek --json "$OUT/bench-deepseek.json" || status=1
stamp "$OUT/bench-deepseek.json" "fp8lab bench --shapes deepseek --json" || status=1

run 120 "${FP8LAB[@]}" bench --shapes 8192,8192,8192 --json "$OUT/bench-8192.json" || status=1
stamp "$OUT/bench-8192.json" "fp8lab bench --shapes 8192,8192,8192 --json" || status=1

run 180 "${FP8LAB[@]}" timeline 4096 7168 2048 --trace /tmp/fp8lab-timeline-trace.json --capture "$OUT/timeline-capture.json" || status=1
stamp "$OUT/timeline-capture.json" "fp8lab timeline 4096 7168 2048 --trace TRACE --capture" || status=1

for input in normal outliers tiny; do
  run 120 "${FP8LAB[@]}" accuracy 4096 7168 2048 --input "$input" --seed 1 --json "/tmp/fp8lab-accuracy-$input.json" || status=1
done
OUTFILE="$OUT/accuracy.json" "$NODE" -e 'const fs = require("fs");
  const reports = process.argv.slice(1).filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  fs.writeFileSync(process.env.OUTFILE, JSON.stringify({ reports }) + "\n");' /tmp/fp8lab-accuracy-{normal,outliers,tiny}.json
stamp "$OUT/accuracy.json" "fp8lab accuracy 4096 7168 2048 --input normal|outliers|tiny --seed 1" || status=1

# The peers this run had, and the bench table, last in the log for the note.
"$NODE" -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const p of r.peers ?? []) console.log(`peer ${p.name}: ${p.available ? "ran" : `not run (${p.reason})`}`);' "$OUT/bench-deepseek.json" 2>/dev/null | tee -a "$LOG"
ls -l "$OUT" | tee -a "$LOG"
exit $status
