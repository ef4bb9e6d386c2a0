#!/usr/bin/env bash
# The SASS features live on the GPU machine (nvcc, cuobjdump and nvdisasm in /usr/local/cuda/bin),
# after prepare-device.sh (carry .device):   bash test/gpu/sass-pass.sh OUTDIR      (e.g. "$OUT")
# Each step runs `fp8lab sass` as a user would (compile with line info, disassemble, parse):
#   sass-mix.json        fp8lab sass 4096 7168 2048 --mix --json                     (heuristic's config)
#   sass-diff.json       fp8lab sass 4096 7168 2048 --against block_m=256,block_n=128 --mix --json
#   sass-lines.txt       fp8lab sass 64 2112 7168 --lines                              (what each line became)
#   sass-listing.txt.gz  fp8lab sass 64 2112 7168                                      (the full listing, gzipped)
#   sass-cuobjdump.json  the same --mix --json disassembled by cuobjdump (FP8LAB_SASS_DISASSEMBLER=cuobjdump)
#   sass-notools.txt     fp8lab sass 64 2112 7168 with no tool anywhere: must exit 4 with E_NO_SASS_TOOLS
#   summary.txt          exit codes, times and the figures quoted in the report (also printed last)
# At most 8 files come back from the device; this writes 7.
set -uo pipefail
OUTDIR=${1:?usage: sass-pass.sh OUTDIR}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
cd "$(dirname "$0")/../.."
if [ -d .device ]; then
  source test/gpu/device-env.sh; NODE=/tmp/node
else  # a development machine (to try the script): its own node and build
  NODE=$(command -v node); export FP8LAB_ROOT=$PWD CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
fi
export FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-sass-pass
CLI=("$NODE" "$PWD/extension/dist/cli.js")
SUMMARY=$OUTDIR/summary.txt
: > "$SUMMARY"
note() { echo "$*" | tee -a "$SUMMARY"; }

# step NAME OUTFILE CMD...: stdout to OUTFILE, stderr to OUTFILE.err (kept only when not empty).
step() {
  local name=$1 out=$2; shift 2
  local t0 rc
  t0=$(date +%s%N)
  timeout -k 5 240 "$@" > "$out" 2> "$out.err"
  rc=$?
  note "$name: exit $rc in $(( ($(date +%s%N) - t0) / 1000000 )) ms ($*)"
  [ -s "$out.err" ] && { sed 's/^/    /' "$out.err" | head -20 >> "$SUMMARY"; }
  rm -f "$out.err"
  return $rc
}

note "sass-pass on $(hostname) at $(date -u +%FT%TZ); $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)"
note "tools: $(ls "$CUDA_HOME"/bin/nvdisasm "$CUDA_HOME"/bin/cuobjdump 2>&1 | tr '\n' ' ')"

step mix "$OUTDIR/sass-mix.json" "${CLI[@]}" sass 4096 7168 2048 --mix --json
step diff "$OUTDIR/sass-diff.json" "${CLI[@]}" sass 4096 7168 2048 --against block_m=256,block_n=128 --mix --json
step lines "$OUTDIR/sass-lines.txt" "${CLI[@]}" sass 64 2112 7168 --lines
step listing /tmp/sass-listing.txt "${CLI[@]}" sass 64 2112 7168 && gzip -c /tmp/sass-listing.txt > "$OUTDIR/sass-listing.txt.gz"

# cuobjdump only (FP8LAB_SASS_DISASSEMBLER=cuobjdump): the kernel is in the cache by now.
step cuobjdump-only "$OUTDIR/sass-cuobjdump.json" env FP8LAB_SASS_DISASSEMBLER=cuobjdump "${CLI[@]}" sass 4096 7168 2048 --mix --json
# No tool anywhere: the verb must say so (exit 4) before compiling anything.
step no-tools "$OUTDIR/sass-notools.txt" env FP8LAB_SASS_TOOLS_DIR=/nonexistent PATH=/usr/bin:/bin CUDA_HOME=/nonexistent \
  FP8LAB_JIT_NVCC_COMPILER=/nonexistent/nvcc "${CLI[@]}" sass 64 2112 7168
note "no-tools stderr: $(grep -o 'E_NO_SASS_TOOLS[^.]*' "$SUMMARY" | head -1)"

# The figures for the report.
"$NODE" -e '
const fs = require("fs"); const dir = process.argv[1];
const read = (f) => { try { return JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")); } catch (e) { return undefined; } };
const mix = read("sass-mix.json"), diff = read("sass-diff.json"), cu = read("sass-cuobjdump.json");
const tensor = (m) => m ? m.entries.filter((e) => e.family === "tensor").map((e) => `${e.count} x ${e.key}`).join(", ") : "-";
if (mix) console.log(`mix: ${mix.kernelName}: ${mix.instructions} instructions, ${mix.loops} loops, ${tensor(mix.mix)}; tool ${mix.tool} (${mix.command.join(" ")}); line info ${mix.hasLineInfo}`);
if (diff) console.log(`diff: ${diff.left.kernelName} vs ${diff.right.kernelName}: ${diff.left.instructions} vs ${diff.right.instructions} instructions; aligned ${diff.aligned.same} matched; largest deltas ${diff.mixDelta.slice(0, 5).map((d) => `${d.key} ${d.delta > 0 ? "+" : ""}${d.delta}`).join(", ")}`);
if (cu) console.log(`cuobjdump only: ${cu.instructions} instructions, tool ${cu.tool}, line info ${cu.hasLineInfo}; same count as nvdisasm: ${mix ? cu.instructions === mix.instructions : "?"}`);
' "$OUTDIR" | tee -a "$SUMMARY"
head -5 "$OUTDIR/sass-lines.txt" | tee -a "$SUMMARY"
