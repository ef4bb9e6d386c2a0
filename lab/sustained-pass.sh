#!/usr/bin/env bash
# Sustained candidate sweep on the GPU machine (after prepare-device.sh). The tune sweep interleaves
# ~24 candidates at 2 ms grain, so all of them run at the clock of the mix: it ranks cycle
# efficiency. Under the 700 W cap a config that spends less energy per FLOP gets a higher clock, and
# that only shows when the config runs on its own for a while. Here each config runs every shape
# for ROUNDS rounds with the cuBLASLt peer interleaved (as `fp8lab bench` does), configs taking
# turns, REPEATS times; the SM clock, power and temperature are sampled every 100 ms.
# Usage: sustained-pass.sh LOGDIR [ROUNDS] [REPEATS]; then, on a development machine,
#   node lab/sustained-fixture.mjs LOGDIR/r > test/fixtures/h100/sustained-m4096.json
set -uo pipefail
LOG=${1:?usage: sustained-pass.sh LOGDIR [ROUNDS] [REPEATS]}; ROUNDS=${2:-40}; REPEATS=${3:-2}
mkdir -p "$LOG/r"; cd "$(dirname "$0")/.."
source test/gpu/device-env.sh
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu,clocks_event_reasons.active \
  --format=csv,noheader,nounits -lms 100 > "$LOG/smi.csv" 2>&1 &
smi=$!
trap 'kill $smi 2>/dev/null' EXIT
shapes="4096,7168,16384 4096,4096,7168 4096,24576,1536 4096,7168,2048 4096,32768,512 4096,2112,7168 8192,8192,8192"
# The M = 4096 contenders of the tune sweep: 128x128, 256x128 with and without multicast, the wide
# 128x192 with and without multicast, and 128x160.
names="128x128c1x1 256x128c1x1 256x128c1x2 128x192c1x1 128x192c2x1 128x160c1x1"
config() {  # 128x128c1x2 -> --config block_m=128,block_n=128,cluster_m=1,cluster_n=2
  local c=$1 bm bn cm cn
  bm=${c%%x*}; c=${c#*x}; bn=${c%%c*}; c=${c#*c}; cm=${c%%x*}; cn=${c#*x}
  echo "--config block_m=$bm,block_n=$bn,cluster_m=$cm,cluster_n=$cn"
}
run() {  # label, rounds, args...
  local label=$1 rounds=$2; shift 2
  echo "$label start $(date +%s.%N)" >> "$LOG/marks.txt"
  timeout 300 /tmp/node extension/dist/cli.js bench --shapes $shapes --rounds "$rounds" --json "$LOG/r/$label.json" "$@" > "$LOG/r/$label.txt" 2>&1
  echo "$label: exit $?"
  echo "$label end $(date +%s.%N)" >> "$LOG/marks.txt"
}
# Compile and check every config first, so no compile lands inside a timed run.
for c in $names; do run "check-$c" 1 --check-only $(config "$c"); done
for r in $(seq 1 "$REPEATS"); do
  for c in $names; do run "$c-$r" "$ROUNDS" $(config "$c"); done
done
