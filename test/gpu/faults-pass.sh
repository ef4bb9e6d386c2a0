#!/usr/bin/env bash
# The JIT's output checks and policy bounds on the GPU machine's own toolkit and device (after
# prepare-device.sh): a fresh compile must pass the cubin/ptxas checks and then hit, a short bench
# must run, numSms above the GPU's SM count must be refused before nvcc, and the cubin's ELF
# header is logged (its e_flags layout differs between CUDA 12 and 13).
# Usage: faults-pass.sh LOGDIR   (writes LOGDIR/faults.txt; the last line says pass or FAIL)
set -uo pipefail
LOG=${1:?usage: faults-pass.sh LOGDIR}
mkdir -p "$LOG"; cd "$(dirname "$0")/../.."
source test/gpu/device-env.sh
export FP8LAB_JIT_CACHE_DIR=$(mktemp -d /tmp/fp8lab-faults-jit.XXXXXX)
out="$LOG/faults.txt"; : > "$out"; fail=0
step() { echo "== $*" >> "$out"; }
check() { if eval "$1"; then echo "ok   $2" >> "$out"; else echo "FAIL $2" >> "$out"; fail=1; fi; }

step "compile (miss, then hit)"
timeout 300 /tmp/node extension/dist/cli.js compile 4096 7168 2048 --json > "$LOG/compile1.json" 2>> "$out"; rc1=$?
timeout 120 /tmp/node extension/dist/cli.js compile 4096 7168 2048 --json > "$LOG/compile2.json" 2>> "$out"; rc2=$?
check '[ $rc1 = 0 ] && [ $rc2 = 0 ]' "compile exits 0 twice ($rc1, $rc2)"
check 'grep -q "\"cacheHit\": *true" "$LOG/compile2.json"' "the second compile is a cache hit"
cubin=$(find "$FP8LAB_JIT_CACHE_DIR" -name kernel.cubin | head -1)
/tmp/node -e 'const b=require("fs").readFileSync(process.argv[1]);console.log(`cubin ${b.length} bytes, ELF ABI ${b[8]}, e_machine ${b.readUInt16LE(18)}, e_flags 0x${b.readUInt32LE(48).toString(16)}`)' "$cubin" >> "$out" 2>&1

step "bench (short)"
timeout 300 /tmp/node extension/dist/cli.js bench --shapes 4096,7168,2048 --rounds 3 --no-peer --json "$LOG/bench.json" > "$LOG/bench.txt" 2>&1; rc=$?
check '[ $rc = 0 ]' "bench exits 0 ($rc)"

step "numSms above the device"
sms=$(timeout 60 /tmp/node extension/dist/cli.js check --json 2>/dev/null | /tmp/node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).devices.find(d=>d.isHopper).smCount)}catch{console.log(132)}})')
timeout 120 /tmp/node extension/dist/cli.js compile 4096 7168 2048 --config num_sms=$((sms + 1)) > /dev/null 2> "$LOG/numsms.err"; rc=$?
cat "$LOG/numsms.err" >> "$out"
check '[ $rc = 1 ] && grep -q "num-sms-device" "$LOG/numsms.err"' "num_sms=$((sms + 1)) refused with E_INVALID_CONFIG"

rm -rf "$FP8LAB_JIT_CACHE_DIR"
[ $fail = 0 ] && echo "faults-pass: pass" >> "$out" || echo "faults-pass: FAIL" >> "$out"
tail -1 "$out"
