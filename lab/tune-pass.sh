#!/usr/bin/env bash
# Autotune sweep on the GPU machine (after prepare-device.sh): `fp8lab tune` over the deepseek
# shapes and 8192³; JSON and text under LOGDIR. Usage: tune-pass.sh LOGDIR [TOP]
set -uo pipefail
LOG=${1:?usage: tune-pass.sh LOGDIR [TOP]}; TOP=${2:-20}
mkdir -p "$LOG"; cd "$(dirname "$0")/.."
source test/gpu/device-env.sh
nvidia-smi --query-gpu=name,clocks.sm,power.draw --format=csv | tee "$LOG/gpu.txt"
timeout 560 /tmp/node extension/dist/cli.js tune --shapes deepseek 8192,8192,8192 --top "$TOP" --json "$LOG/tune.json" 2> "$LOG/tune.err" | tee "$LOG/tune.txt"
tail -5 "$LOG/tune.err"
