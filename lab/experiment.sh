#!/usr/bin/env bash
# Forced-config sweep on the GPU machine (after prepare-device.sh): one line per (shape, config),
# for questions the heuristic's single choice cannot answer. Usage: experiment.sh LOGDIR "M,N,K|k=v,..." ...
set -uo pipefail
LOG=${1:?usage: experiment.sh LOGDIR SPEC...}; shift
mkdir -p "$LOG"; cd "$(dirname "$0")/.."
source test/gpu/device-env.sh
for spec in "$@"; do
  shape=${spec%%|*}; cfg=${spec#*|}
  args=(bench --shapes "$shape" --rounds 10)
  [ "$cfg" != "$spec" ] && args+=(--config "$cfg")
  echo "### $shape $cfg" >> "$LOG/experiment.log"
  timeout 60 /tmp/node extension/dist/cli.js "${args[@]}" >> "$LOG/experiment.log" 2>&1
  line=$(grep -E "^ *${shape%%,*} " "$LOG/experiment.log" | tail -1)
  printf '%-18s %-40s %s\n' "$shape" "$cfg" "$line"
done
