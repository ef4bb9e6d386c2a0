#!/usr/bin/env bash
# Run HERE (a development machine, no GPU): builds everything the GPU pass needs and packs it into
# .device/ (git-ignored), so the lead carries ONE path to the H100 machine: `carry: [".device"]`.
#   .device/node.xz                 this machine's Node 20 (xz -9), unpacked there to /tmp/node
#   .device/bundle/...              extension/dist, test/dist/gpu, native/build/Release/fp8lab.node
# Then on the GPU machine: `bash test/gpu/device-pass.sh "$OUT"`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

# The addon is rebuilt when any native source is newer than it (native/install.mjs decides).
node native/install.mjs
echo "bundling (esbuild)..."
marker=$(mktemp)
# A bundle the GPU pass does not use (the extension host's, say) may fail while others edit it: what
# matters is that every file the pass runs was rebuilt just now.
node extension/build.mjs || echo "prepare-device: warning: some bundle failed (above); checking the ones the GPU pass needs"
for f in extension/dist/cli.js extension/dist/worker.js test/dist/gpu/harness.js test/dist/gpu/correctness.js test/dist/gpu/rejections.js test/dist/gpu/fault.js; do
  [ "$f" -nt "$marker" ] || { echo "prepare-device: $f was not rebuilt (see the build errors above)"; rm -f "$marker"; exit 1; }
done
rm -f "$marker"
[ -f native/build/Release/fp8lab.node ] || { echo "prepare-device: native/build/Release/fp8lab.node is missing"; exit 1; }

mkdir -p .device
rm -rf .device/bundle
mkdir -p .device/bundle/extension .device/bundle/test/dist .device/bundle/native/build/Release
cp -r extension/dist .device/bundle/extension/dist
cp -r test/dist/gpu .device/bundle/test/dist/gpu
cp native/build/Release/fp8lab.node .device/bundle/native/build/Release/

if [ ! -s .device/node.xz ] || [ /usr/bin/node -nt .device/node.xz ]; then
  echo "compressing /usr/bin/node (xz -9, about a minute)..."
  xz -9 -T0 -c "$(readlink -f /usr/bin/node)" > .device/node.xz.tmp && mv .device/node.xz.tmp .device/node.xz
fi

du -sh .device | sed 's/^/.device: /'
echo "ready: carry [\".device\"] and run: bash test/gpu/device-pass.sh \"\$OUT\""
