// Turns a sustained-pass.sh run (its r/ folder of `fp8lab bench --json` files, one per config and
// repeat) into test/fixtures/h100/sustained-m4096.json: per shape, every config's median µs in each
// repeat (ours and the interleaved peer). Usage: node lab/sustained-fixture.mjs DIR > FILE
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node lab/sustained-fixture.mjs RUNDIR/r > sustained.json');
  process.exit(1);
}
const shapes = new Map();
let device;
let rounds;
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.startsWith('check-'))
  .sort()) {
  const run = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  device ??= run.device;
  for (const r of run.results) {
    const peer = r.peers?.find((p) => p.id === 'cublaslt')?.timing;
    if (!r.timing || !r.config || !peer?.medianUs) continue; // a run without the peer is another regime
    rounds ??= r.timing.samples;
    const key = `${r.problem.m}x${r.problem.n}x${r.problem.k}`;
    if (!shapes.has(key))
      shapes.set(key, { problem: { m: r.problem.m, n: r.problem.n, k: r.problem.k }, candidates: [] });
    const list = shapes.get(key).candidates;
    const same = (c) =>
      ['blockM', 'blockN', 'numStages', 'clusterM', 'clusterN', 'numMathWarpgroups'].every(
        (f) => c.config[f] === r.config[f],
      );
    let entry = list.find(same);
    if (!entry) list.push((entry = { config: r.config, measuredUs: [], peerUs: [] }));
    entry.measuredUs.push(Math.round(r.timing.medianUs * 10) / 10);
    entry.peerUs.push(Math.round(peer.medianUs * 10) / 10);
  }
}
const out = {
  device: device && {
    name: device.name,
    smCount: device.smCount,
    ...(device.driverVersion ? { driverVersion: device.driverVersion } : {}),
  },
  method: `lab/sustained-pass.sh: each config runs every shape for ${rounds} rounds with the cuBLASLt peer interleaved, configs taking turns; measuredUs holds its median in each repeat`,
  shapes: [...shapes.values()],
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
