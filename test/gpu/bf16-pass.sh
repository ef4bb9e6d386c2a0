#!/usr/bin/env bash
# The BF16 GEMM pass on the H100, after test/gpu/prepare-device.sh ran on the development machine
# (carry .device):   bash test/gpu/bf16-pass.sh LOGDIR
# 1. the BF16 GPU tests (test/gpu/bf16.ts: rejections; the standard list, ragged M/N/K, every tile
#    family and multicast direction forced, fp32 and fp32-accumulate outputs; calc_diff < 1e-5 on
#    every element of NaN-poisoned D);
# 2. compute-sanitizer memcheck on two small ragged shapes (bf16 D; fp32 accumulated into C), correctness only;
# 3. `fp8lab bench --kernel bf16` (DeepSeek shapes + 8192³) with DeepGEMM's bf16_gemm_nt beside it
#    when the peers' Python has deep_gemm (source test/gpu/device-env.sh first for PYTHONPATH), JSON;
# 4. a summary table: per shape µs, TFLOPS, calc_diff, DeepGEMM µs and ours / DeepGEMM.
# Every step has a time limit; the whole pass stays under 7 minutes. Files in LOGDIR: bf16-tests.log,
# sanitizer.log, bench.log, bench-bf16.json, bf16-summary.txt.
set -uo pipefail
LOG=${1:?usage: bf16-pass.sh LOGDIR}
mkdir -p "$LOG"; LOG=$(cd "$LOG" && pwd)
cd "$(dirname "$0")/../.."
source test/gpu/device-env.sh
for f in extension/dist/cli.js test/dist/gpu/bf16.js native/build/Release/fp8lab.node; do
  [ -f "$f" ] || { echo "bf16-pass: $f missing: run test/gpu/prepare-device.sh here first and carry .device"; exit 1; }
done
NODE=/tmp/node
start=$(date +%s)

# 1. correctness (each part in its own process; a lost context resumes after the failing case)
timeout 200 "$NODE" test/gpu/run.mjs bf16 > "$LOG/bf16-tests.log" 2>&1
echo "bf16 GPU tests (exit $?): $(tail -1 "$LOG/bf16-tests.log")"
grep -E "^FAILED" "$LOG/bf16-tests.log" | head -12

# 2. memcheck on two small shapes (kernels are in the JIT cache by now)
SAN=${CUDA_HOME}/bin/compute-sanitizer
command -v "$SAN" >/dev/null || SAN=compute-sanitizer
: > "$LOG/sanitizer.log"
for args in "bench --kernel bf16 --check-only --no-peer 100,200,72" \
            "bench --kernel bf16 --check-only --no-peer --output fp32-accumulate 513,4104,2056"; do
  echo "== $SAN --tool memcheck node cli.js $args" >> "$LOG/sanitizer.log"
  timeout 120 "$SAN" --tool memcheck --target-processes application-only --error-exitcode 9 \
    "$NODE" extension/dist/cli.js $args >> "$LOG/sanitizer.log" 2>&1
  rc=$?
  echo "memcheck $args: exit $rc ($(grep -E "ERROR SUMMARY" "$LOG/sanitizer.log" | tail -1))"
done

# 3. the benchmark beside DeepGEMM (and its JSON)
timeout 200 "$NODE" extension/dist/cli.js bench --kernel bf16 --rounds 5 --json "$LOG/bench-bf16.json" > "$LOG/bench.log" 2>&1
echo "bench --kernel bf16: exit $? ($(($(date +%s) - start)) s so far)"
grep -iE "deepgemm|peer" "$LOG/bench.log" | grep -viE "^\[|^  bf16" | head -4

# 4. summary
"$NODE" -e '
  const fs = require("fs");
  const file = `${process.argv[1]}/bench-bf16.json`;
  if (!fs.existsSync(file)) { console.log("no bench-bf16.json (see bench.log)"); process.exit(0); }
  const rows = [["shape", "config", "µs", "TFLOPS", "calc_diff", "DeepGEMM µs", "DG/ours"]];
  const ratios = [];
  for (const r of JSON.parse(fs.readFileSync(file, "utf8")).results) {
    const c = r.case, t = r.timing, cfg = r.config;
    const dg = (r.peers || []).find((p) => p.id === "deepgemm");
    const dgUs = dg && dg.timing ? dg.timing.medianUs : undefined;
    if (t && dgUs) ratios.push(dgUs / t.medianUs);
    rows.push([`${c.m}x${c.n}x${c.k}`, cfg ? `${cfg.blockM}x${cfg.blockN} c${cfg.clusterM}x${cfg.clusterN}` : "-",
      t ? t.medianUs.toFixed(1) : (r.error ? r.error.code : "-"), t ? t.tflops.toFixed(0) : "-",
      r.accuracy ? r.accuracy.calcDiff.toExponential(1) : "-", dgUs ? dgUs.toFixed(1) : (dg && dg.skipped ? "skipped" : "-"),
      dgUs && t ? (dgUs / t.medianUs).toFixed(3) : "-"]);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((x, i) => String(x).padEnd(w[i])).join("  ").trimEnd());
  if (ratios.length) console.log(`geomean DeepGEMM time / ours: ${Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length).toFixed(3)} over ${ratios.length} shapes (> 1: ours faster)`);
' "$LOG" | tee "$LOG/bf16-summary.txt"
echo "bf16 pass: $(($(date +%s) - start)) s"
