#!/usr/bin/env bash
# A short GPU pass after a kernel change (after prepare-device.sh): the GPU tests, then `tune` on
# the given preset. Usage: quick-pass.sh LOGDIR [PRESET] [TOP]
set -uo pipefail
LOG=${1:?usage: quick-pass.sh LOGDIR [PRESET] [TOP]}; PRESET=${2:-decode}; TOP=${3:-12}
mkdir -p "$LOG"; cd "$(dirname "$0")/../.."
source test/gpu/device-env.sh
timeout 200 /tmp/node test/gpu/run.mjs > "$LOG/gpu-tests.log" 2>&1; echo "gpu tests exit $?: $(tail -1 "$LOG/gpu-tests.log")"
grep -E "not ok|FAIL|✗" "$LOG/gpu-tests.log" | head -10
timeout 300 /tmp/node extension/dist/cli.js tune --shapes "$PRESET" --top "$TOP" --json "$LOG/tune.json" 2> "$LOG/tune.err" > "$LOG/tune.txt"
awk '/regret/{print} /chosen|fastest/{print "   ", $0}' "$LOG/tune.txt" | head -80
