#!/usr/bin/env bash
# Nsight Compute on one GEMM launch per forced config (after prepare-device.sh). Usage:
#   ncu-pass.sh LOGDIR M,N,K "k=v,..." ["k=v,..." ...]
set -uo pipefail
LOG=${1:?usage: ncu-pass.sh LOGDIR M,N,K CONFIG...}; SHAPE=$2; shift 2
mkdir -p "$LOG"; cd "$(dirname "$0")/.."
source test/gpu/device-env.sh
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
i=0
for cfg in "$@"; do
  i=$((i+1))
  /tmp/node extension/dist/cli.js compile "$SHAPE" --config "$cfg" > /dev/null 2>&1   # compile outside the profiler
  timeout 120 "$NCU" --clock-control none --target-processes all -k regex:fp8lab_sm90 -c 1 \
    --section SpeedOfLight --section MemoryWorkloadAnalysis --section WarpStateStats --section LaunchStats --section Occupancy \
    /tmp/node extension/dist/cli.js bench --shapes "$SHAPE" --config "$cfg" --check-only --no-peer > "$LOG/ncu-$i.txt" 2>&1
  echo "=== $SHAPE $cfg"; grep -E "Duration|Memory Throughput|DRAM Throughput|L2 Cache Throughput|L1/TEX Cache Throughput|Compute \(SM\)|Stall|Warp Cycles Per Issued|Cluster|Grid Size|Achieved Occupancy" "$LOG/ncu-$i.txt" | head -30
done
