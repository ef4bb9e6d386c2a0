#!/usr/bin/env bash
# The grouped / weight-gradient GEMM pass on the H100, after test/gpu/prepare-device.sh ran
# on the development machine (carry .device):   bash test/gpu/grouped-pass.sh LOGDIR
# 1. the grouped GPU tests (test/gpu/grouped.ts: every case of the issue's lists + edge cases,
#    calc_diff < 1e-3 over the valid rows, untouched rows, device flags, rejections);
# 2. `fp8lab bench --kernel contiguous|masked|kgrouped|wgrad` (issue lists, JSON per kind);
# 3. a short table last: per case µs, TFLOPS, TB/s and each peer measured in the same run (µs, peer/ours).
# Every step has a time limit; the whole pass stays under 6 minutes. 7 files in LOGDIR: grouped-tests.log,
# bench.log, bench-<kind>.json x 4, grouped-summary.txt.
set -uo pipefail
LOG=${1:?usage: grouped-pass.sh LOGDIR}
mkdir -p "$LOG"; LOG=$(cd "$LOG" && pwd)
cd "$(dirname "$0")/../.."
[ -d .device/bundle ] && cp -r .device/bundle/. ./
NODE=/tmp/node
if [ ! -x "$NODE" ]; then
  if command -v xz >/dev/null; then xz -dc .device/node.xz > "$NODE"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(".device/node.xz"), open(sys.argv[1], "wb"))' "$NODE"; fi
  chmod +x "$NODE"
fi
for f in extension/dist/cli.js test/dist/gpu/grouped.js native/build/Release/fp8lab.node; do
  [ -f "$f" ] || { echo "grouped-pass: $f missing: run test/gpu/prepare-device.sh here first and carry .device"; exit 1; }
done
export FP8LAB_ROOT=$PWD CUDA_HOME=${CUDA_HOME:-/usr/local/cuda} FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-jit UV_THREADPOOL_SIZE=8

start=$(date +%s)
timeout 150 "$NODE" test/gpu/run.mjs grouped > "$LOG/grouped-tests.log" 2>&1
echo "grouped GPU tests (exit $?): $(tail -1 "$LOG/grouped-tests.log")"
grep -E "^FAILED" "$LOG/grouped-tests.log" | head -12

for spec in contiguous:55 masked:70 kgrouped:40 wgrad:35; do
  kind=${spec%%:*}; limit=${spec##*:}
  echo "== bench --kernel $kind" >> "$LOG/bench.log"
  timeout "$limit" "$NODE" extension/dist/cli.js bench --kernel "$kind" --rounds 5 --json "$LOG/bench-$kind.json" >> "$LOG/bench.log" 2>&1
  echo "bench --kernel $kind: exit $? ($(($(date +%s) - start)) s so far)"
done

echo
"$NODE" -e '
  const fs = require("fs");
  const rows = [["case", "µs", "TFLOPS", "TB/s", "calc_diff", "peers (µs, peer time / ours)"]];
  for (const kind of ["contiguous", "masked", "kgrouped", "wgrad"]) {
    const file = `${process.argv[1]}/bench-${kind}.json`;
    if (!fs.existsSync(file)) { rows.push([`${kind}: no JSON (see bench.log)`, "", "", "", "", ""]); continue; }
    for (const r of JSON.parse(fs.readFileSync(file, "utf8")).results) {
      const c = r.case, t = r.timing;
      const name = c.kind === "masked" ? `masked ${c.numGroups}x m~${c.expectedM} ${c.n}x${c.k}`
        : c.kind === "wgrad" ? `wgrad ${c.m}x${c.n}x${c.k}` : `${c.kind} ${c.numGroups}x${c.m} ${c.n}x${c.k}`;
      const vs = (r.peers || []).map((p) => p.timing && t ? `${p.id} ${p.timing.medianUs.toFixed(1)} (${(p.timing.medianUs / t.medianUs).toFixed(2)}x)` : `${p.id} -`).join(", ");
      rows.push([name, t ? t.medianUs.toFixed(1) : (r.error ? r.error.code : "-"), t ? t.tflops.toFixed(0) : "-", t ? t.tbps.toFixed(2) : "-",
        r.accuracy ? r.accuracy.calcDiff.toExponential(1) : "-", vs]);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((x, i) => String(x).padEnd(w[i])).join("  ").trimEnd());
' "$LOG" | tee "$LOG/grouped-summary.txt"
echo "grouped pass: $(($(date +%s) - start)) s"
