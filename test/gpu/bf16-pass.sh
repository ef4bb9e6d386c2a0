#!/usr/bin/env bash
# The BF16 GEMM pass on the H100, after test/gpu/prepare-device.sh ran on the development machine
# (carry .device):   bash test/gpu/bf16-pass.sh LOGDIR [tests|bench|kgrouped]
# `tests` runs steps 1-2 (under 9 minutes), `bench` steps 3-4 (under 9 minutes), `kgrouped` step 5
# (under 9 minutes); without any, all five (over the 10-minute limit of one device command when
# DeepGEMM compiles cold: run the three parts as three commands on the same warm machine, where the JIT
# cache of the first serves the others).
# 1. the BF16 GPU tests (test/gpu/bf16.ts: rejections; the standard list, ragged M/N/K, every tile
#    family and multicast direction forced, split-K 2 and 4 forced, fp32 and fp32-accumulate outputs;
#    calc_diff < 1e-5 on every element of NaN-poisoned D);
# 2. compute-sanitizer memcheck on two small ragged shapes (bf16 D; fp32 accumulated into C) and a
#    split-K 4 one (the partial sums cross distributed shared memory), correctness only; then `fp8lab timeline --kernel bf16 4096 7168 2048` (the instrumented kernel's trace);
# 3. `fp8lab bench --kernel bf16` (DeepSeek shapes + 8192³) with cuBLASLt's best BF16 algorithm and
#    DeepGEMM's bf16_gemm_nt beside it (DeepGEMM when the peers' Python imports deep_gemm, e.g. with
#    PYTHONPATH set as for the other passes), then `--kernel bf16-contiguous` and `bf16-masked` beside DeepGEMM's
#    m_grouped_bf16_gemm_nt_*, JSON each;
# 4. a summary table: per case µs, TFLOPS, calc_diff, cuBLASLt and DeepGEMM µs and their time over ours.
# 5. the K-grouped BF16 GEMM (bf16-kgrouped): its GPU tests (test/gpu/bf16.ts --part=kgrouped: the
#    standard list, K_g lists with K_g = 64 and empty groups, ragged M/N, every tile forced; each empty
#    group's D plane bit-identical to C_g), memcheck on a small case, `fp8lab bench --kernel
#    bf16-kgrouped` (DeepGEMM's sm90 K-grouped shapes) beside DeepGEMM's k_grouped_bf16_gemm_tn_contiguous,
#    and its summary.
# Every step has a time limit. Files in LOGDIR: bf16-tests.log, sanitizer.log, timeline.log,
# bf16-timeline.json(.gz), bf16-timeline-run.json(.gz), bench.log, bench-bf16.json, bench-bf16-contiguous.json, bench-bf16-masked.json,
# bf16-summary.txt; step 5: kgrouped-tests.log, kgrouped-sanitizer.log, kgrouped-bench.log, bench-bf16-kgrouped.json,
# kgrouped-summary.txt.
set -uo pipefail
LOG=${1:?usage: bf16-pass.sh LOGDIR [tests|bench]}
PART=${2:-all}
case "$PART" in tests|bench|kgrouped|all) ;; *) echo "bf16-pass: the second argument is tests, bench or kgrouped (got $PART)"; exit 1 ;; esac
mkdir -p "$LOG"; LOG=$(cd "$LOG" && pwd)
cd "$(dirname "$0")/../.."
source test/gpu/device-env.sh
for f in extension/dist/cli.js test/dist/gpu/bf16.js native/build/Release/fp8lab.node; do
  [ -f "$f" ] || { echo "bf16-pass: $f missing: run test/gpu/prepare-device.sh here first and carry .device"; exit 1; }
done
NODE=/tmp/node
start=$(date +%s)

# The summary of steps 4 and 5: kinds as arguments after LOGDIR.
summary() {
"$NODE" -e '
  const fs = require("fs");
  const rows = [["case", "config", "µs", "TFLOPS", "calc_diff", "cuBLASLt µs", "LT/ours", "DeepGEMM µs", "DG/ours"]];
  const ratios = { cublaslt: {}, deepgemm: {} };
  const cells = (r, id) => {
    const p = (r.peers || []).find((x) => x.id === id);
    const us = p && p.timing ? p.timing.medianUs : undefined;
    return [us ? us.toFixed(1) : (p && p.skipped ? "skipped" : "-"), us && r.timing ? (us / r.timing.medianUs).toFixed(3) : "-", us];
  };
  const label = (kind, c) =>
    kind === "bf16" ? `${c.m}x${c.n}x${c.k}`
    : kind === "bf16-masked" ? `masked ${c.numGroups}x m~${c.expectedM} ${c.n}x${c.k}`
    : kind === "bf16-kgrouped" ? `kgrouped ${c.numGroups}x ${c.m}x${c.n} K~${c.k}`
    : `contiguous ${c.numGroups}x${c.m} ${c.n}x${c.k}`;
  for (const kind of process.argv.slice(2)) {
    const file = `${process.argv[1]}/bench-${kind}.json`;
    if (!fs.existsSync(file)) { rows.push([`${kind}: no JSON (see the bench log)`, "", "", "", "", "", "", "", ""]); continue; }
    for (const r of JSON.parse(fs.readFileSync(file, "utf8")).results) {
      const c = r.case, t = r.timing, cfg = r.config;
      const lt = cells(r, "cublaslt"), dg = cells(r, "deepgemm");
      for (const [id, cell] of [["cublaslt", lt], ["deepgemm", dg]]) if (cell[2] && t) (ratios[id][kind] = ratios[id][kind] || []).push(cell[2] / t.medianUs);
      rows.push([label(kind, c), cfg ? `${cfg.blockM}x${cfg.blockN} c${cfg.clusterM}x${cfg.clusterN}` : "-", t ? t.medianUs.toFixed(1) : (r.error ? r.error.code : "-"),
        t ? t.tflops.toFixed(0) : "-", r.accuracy ? r.accuracy.calcDiff.toExponential(1) : "-", lt[0], lt[1], dg[0], dg[1]]);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((x, i) => String(x).padEnd(w[i])).join("  ").trimEnd());
  const geo = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  for (const id of ["cublaslt", "deepgemm"])
    for (const [kind, xs] of Object.entries(ratios[id]))
      console.log(`${kind}: geomean ${id} time / ours ${geo(xs).toFixed(3)}, worst ${Math.min(...xs).toFixed(3)} over ${xs.length} cases (> 1: ours faster)`);
' "$@"
}

if [ "$PART" = tests ] || [ "$PART" = all ]; then
# 1. correctness (each part in its own process; a lost context resumes after the failing case; the
#    K-grouped part is step 5)
timeout 260 "$NODE" test/gpu/run.mjs bf16 --except-part=kgrouped > "$LOG/bf16-tests.log" 2>&1
echo "bf16 GPU tests (exit $?): $(tail -1 "$LOG/bf16-tests.log")"
grep -E "^FAILED" "$LOG/bf16-tests.log" | head -12

# 2. memcheck on two small shapes (kernels are in the JIT cache by now)
SAN=${CUDA_HOME}/bin/compute-sanitizer
command -v "$SAN" >/dev/null || SAN=compute-sanitizer
: > "$LOG/sanitizer.log"
for args in "bench --kernel bf16 --check-only --no-peer 100,200,72" \
            "bench --kernel bf16 --check-only --no-peer --output fp32-accumulate 513,4104,2056" \
            "bench --kernel bf16 --check-only --no-peer --config block_m=64,block_n=64,split_k=4 100,1000,1032"; do
  echo "== $SAN --tool memcheck node cli.js $args" >> "$LOG/sanitizer.log"
  timeout 100 "$SAN" --tool memcheck --target-processes application-only --error-exitcode 9 \
    "$NODE" extension/dist/cli.js $args >> "$LOG/sanitizer.log" 2>&1
  rc=$?
  echo "memcheck $args: exit $rc ($(grep -E "ERROR SUMMARY" "$LOG/sanitizer.log" | tail -1))"
done


# 2b. the pipeline timeline of the instrumented BF16 kernel (its accuracy checked first)
timeout 100 "$NODE" extension/dist/cli.js timeline --kernel bf16 4096 7168 2048 --trace "$LOG/bf16-timeline.json" \
  --json "$LOG/bf16-timeline-run.json" > "$LOG/timeline.log" 2>&1
echo "timeline --kernel bf16 4096 7168 2048: exit $? ($(tail -1 "$LOG/timeline.log"))"
# The device returns files of at most 16 MiB; ui.perfetto.dev opens .json.gz.
for f in "$LOG/bf16-timeline.json" "$LOG/bf16-timeline-run.json"; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 15000000 ] && gzip -f "$f"
done
fi

if [ "$PART" = bench ] || [ "$PART" = all ]; then
# 3. the benchmarks beside the peers (and their JSON)
: > "$LOG/bench.log"
for spec in bf16:280 bf16-contiguous:100 bf16-masked:130; do
  kind=${spec%%:*}; limit=${spec##*:}
  echo "== bench --kernel $kind" >> "$LOG/bench.log"
  timeout "$limit" "$NODE" extension/dist/cli.js bench --kernel "$kind" --rounds 5 --json "$LOG/bench-$kind.json" >> "$LOG/bench.log" 2>&1
  echo "bench --kernel $kind: exit $? ($(($(date +%s) - start)) s so far)"
done
grep -iE "column skipped|not available" "$LOG/bench.log" | sort -u | head -4

# 4. summary
summary "$LOG" bf16 bf16-contiguous bf16-masked | tee "$LOG/bf16-summary.txt"
fi

if [ "$PART" = kgrouped ] || [ "$PART" = all ]; then
# 5. the K-grouped BF16 GEMM: GPU tests, memcheck, bench beside DeepGEMM, summary
timeout 200 "$NODE" test/gpu/run.mjs bf16 --part=kgrouped > "$LOG/kgrouped-tests.log" 2>&1
echo "bf16-kgrouped GPU tests (exit $?): $(tail -1 "$LOG/kgrouped-tests.log")"
grep -E "^FAILED" "$LOG/kgrouped-tests.log" | head -12
SAN=${CUDA_HOME}/bin/compute-sanitizer
command -v "$SAN" >/dev/null || SAN=compute-sanitizer
args="bench --kernel bf16-kgrouped --check-only --no-peer 3,300,1000,64"
echo "== $SAN --tool memcheck node cli.js $args" > "$LOG/kgrouped-sanitizer.log"
timeout 70 "$SAN" --tool memcheck --target-processes application-only --error-exitcode 9 \
  "$NODE" extension/dist/cli.js $args >> "$LOG/kgrouped-sanitizer.log" 2>&1
echo "memcheck $args: exit $? ($(grep -E "ERROR SUMMARY" "$LOG/kgrouped-sanitizer.log" | tail -1))"
echo "== bench --kernel bf16-kgrouped" > "$LOG/kgrouped-bench.log"
timeout 290 "$NODE" extension/dist/cli.js bench --kernel bf16-kgrouped --rounds 5 --json "$LOG/bench-bf16-kgrouped.json" \
  >> "$LOG/kgrouped-bench.log" 2>&1
echo "bench --kernel bf16-kgrouped: exit $? ($(($(date +%s) - start)) s so far)"
grep -iE "column skipped|not available|skipped" "$LOG/kgrouped-bench.log" | sort -u | head -4
summary "$LOG" bf16-kgrouped | tee "$LOG/kgrouped-summary.txt"
fi
echo "bf16 pass ($PART): $(($(date +%s) - start)) s"
