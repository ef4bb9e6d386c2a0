#!/usr/bin/env bash
# Captures real sm_90a disassembly of our GEMM kernels on the GPU machine (which has cuobjdump and
# nvdisasm beside nvcc), for the SASS parser's test fixtures. Run after prepare-device.sh, from
# anywhere:
#   bash lab/capture-sass.sh OUTDIR          (e.g. "$OUT"; carry .device from prepare-device.sh)
# SASS_CAPTURE_ONLY=NAME-SUBSTRING limits it to some configs. On a machine without .device it uses
# its own node and extension/dist (the tools then fail with exit 127, recorded like any other).
# For each config below: `fp8lab compile ... --json` with line info into a fresh cache, then, in a
# folder of its own holding the cubin as kernel.cubin, every disassembly variant the parser may read
# (each output FILE beside FILE.cmd.txt with the exact command and its exit status). The tools'
# --help and --version go to tools/. Everything is packed into OUTDIR/sass-capture.tar.gz (the
# device returns at most 8 files), with OUTDIR/capture.log as the readable summary.
set -uo pipefail
OUTDIR=${1:?usage: capture-sass.sh OUTDIR}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -d .device ]; then
  source test/gpu/device-env.sh; NODE=/tmp/node
else  # a development machine (to try the script): its own node and build, no cuobjdump/nvdisasm
  NODE=$(command -v node); export FP8LAB_ROOT=$PWD CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
fi
export FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-sass-capture FP8LAB_JIT_WITH_LINEINFO=1
rm -rf "$FP8LAB_JIT_CACHE_DIR"
BIN=${CUDA_HOME}/bin
CUOBJDUMP=$BIN/cuobjdump
NVDISASM=$BIN/nvdisasm
WORK=/tmp/sass-capture
rm -rf "$WORK"; mkdir -p "$WORK/tools"
LOG=$OUTDIR/capture.log
: > "$LOG"
say() { echo "$*" | tee -a "$LOG"; }

# capture OUTFILE CMD...: runs CMD in the current folder, stdout+stderr into OUTFILE, and the command
# line (as typed, relative paths) plus its exit status into OUTFILE.cmd.txt.
capture() {
  local out=$1; shift
  local rc
  timeout -k 5 120 "$@" > "$out" 2>&1
  rc=$?
  { printf '%q ' "$@" | sed 's/ $//'; echo; echo "# exit $rc; $(wc -c < "$out") bytes; cwd: the folder holding this file"; } > "$out.cmd.txt"
  say "  $(basename "$out"): exit $rc, $(wc -c < "$out") bytes"
  return $rc
}

say "capture-sass on $(hostname) at $(date -u +%FT%TZ); repo $(git rev-parse HEAD 2>/dev/null || echo '?')"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> "$LOG" 2>&1
cd "$WORK/tools"
capture nvcc-version.txt "$BIN/nvcc" --version
capture cuobjdump-version.txt "$CUOBJDUMP" --version
capture nvdisasm-version.txt "$NVDISASM" --version
capture cuobjdump-help.txt "$CUOBJDUMP" --help
capture nvdisasm-help.txt "$NVDISASM" --help
# Does this nvdisasm have a JSON output option? (newer ones do: the parser would prefer it.)
JSON_FLAG=$(grep -oE -- '--?(emit-json|json)\b' nvdisasm-help.txt | head -1)
say "nvdisasm JSON option: ${JSON_FLAG:-none}"

# name | shape | --config (empty: the heuristic's choice)
CONFIGS=(
  "m4096-n7168-k2048|4096 7168 2048|"
  "m4096-n7168-k2048-256x128|4096 7168 2048|block_m=256,block_n=128"
  "m64-n2112-k7168|64 2112 7168|"
  "m4096-n7168-k16384|4096 7168 16384|"
  "m64-n576-k2048-splitk|64 576 2048|block_m=64,block_n=32,split_k=2,cluster_m=1,cluster_n=1"
)
FIRST=1
for entry in "${CONFIGS[@]}"; do
  IFS='|' read -r name shape config <<< "$entry"
  # SASS_CAPTURE_ONLY=substring limits the run to the configs whose name contains it.
  [ -n "${SASS_CAPTURE_ONLY:-}" ] && [[ "$name" != *"$SASS_CAPTURE_ONLY"* ]] && continue
  dir=$WORK/$name
  mkdir -p "$dir"; cd "$dir"
  say "== $name: compile $shape ${config:+--config $config}"
  args=(compile $shape --json)
  [ -n "$config" ] && args+=(--config "$config")
  { echo "FP8LAB_JIT_WITH_LINEINFO=1 FP8LAB_JIT_CACHE_DIR=$FP8LAB_JIT_CACHE_DIR fp8lab ${args[*]}"; } > compile.json.cmd.txt
  timeout -k 5 180 "$NODE" "$ROOT/extension/dist/cli.js" "${args[@]}" > compile.json 2> compile.err
  rc=$?
  echo "# exit $rc" >> compile.json.cmd.txt
  cubin=$("$NODE" -e 'try { console.log(JSON.parse(require("fs").readFileSync("compile.json", "utf8")).cubinPath || "") } catch { console.log("") }')
  if [ "$rc" != 0 ] || [ -z "$cubin" ] || [ ! -f "$cubin" ]; then
    say "  compile failed (exit $rc): $(head -c 400 compile.err)"; continue
  fi
  # The cache entry: the cubin, the generated kernel.cu, the manifest (flags, compiler, key).
  mkdir -p entry
  cp -r "$(dirname "$cubin")"/. entry/ 2>/dev/null
  cp "$cubin" kernel.cubin
  say "  cubin $(wc -c < kernel.cubin) bytes from $cubin"
  capture cuobjdump-sass.txt "$CUOBJDUMP" -sass kernel.cubin
  capture cuobjdump-res-usage.txt "$CUOBJDUMP" -res-usage kernel.cubin
  capture nvdisasm-c-hex.txt "$NVDISASM" -c -hex kernel.cubin
  capture nvdisasm-c-g-hex.txt "$NVDISASM" -c -g -hex kernel.cubin
  capture nvdisasm-c-gi-hex.txt "$NVDISASM" -c -gi -hex kernel.cubin
  capture nvdisasm-c-g.txt "$NVDISASM" -c -g kernel.cubin
  if [ -n "$JSON_FLAG" ]; then capture nvdisasm-json.txt "$NVDISASM" "$JSON_FLAG" kernel.cubin; fi
  # Heavier or rarer variants on the first (representative) config only.
  if [ "$FIRST" = 1 ]; then
    capture nvdisasm-cfg.dot "$NVDISASM" -cfg kernel.cubin
    capture nvdisasm-bbcfg.dot "$NVDISASM" -bbcfg kernel.cubin
    capture nvdisasm-c-raw.txt "$NVDISASM" -c -raw kernel.cubin
    capture nvdisasm-c-plr.txt "$NVDISASM" -c -plr kernel.cubin
    capture nvdisasm-c-gp.txt "$NVDISASM" -c -gp -hex kernel.cubin
    capture cuobjdump-elf.txt "$CUOBJDUMP" -elf kernel.cubin
    FIRST=0
  fi
done

cd "$WORK/.."
cp "$LOG" "$WORK/capture.log"
tar -czf "$OUTDIR/sass-capture.tar.gz" "$(basename "$WORK")"
say "packed $(du -sh "$WORK" | cut -f1) into $OUTDIR/sass-capture.tar.gz ($(wc -c < "$OUTDIR/sass-capture.tar.gz") bytes)"
# The version lines, readable without unpacking.
{ echo "--- nvdisasm --version"; cat "$WORK/tools/nvdisasm-version.txt"; echo "--- cuobjdump --version"; cat "$WORK/tools/cuobjdump-version.txt"; } >> "$LOG"
