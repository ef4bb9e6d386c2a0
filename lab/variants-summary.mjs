// Table of variants.sh results: per shape, each variant's median µs (over its rounds) and its
// ratio to the peer timed in the same process: DeepGEMM when the run had it, else cuBLASLt. The ratio
// is the median of the per-round ratios (peer / ours) where both kept their rounds: rounds alternate
// the two, so a round's pair shares a clock even when the clock changes mid-run; else the ratio of
// the medians. Grouped shapes are keyed with their group count (G16 4096x7168x33664).
// Usage: node variants-summary.mjs FILE...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const runs = new Map(); // label -> [{ shape -> { us, ratio } }]
for (const file of process.argv.slice(2)) {
  const label = basename(file)
    .replace(/^variant-/, '')
    .replace(/-\d+\.json$/, '');
  const run = JSON.parse(readFileSync(file, 'utf8'));
  const rows = {};
  for (const r of run.results ?? []) {
    if (!r.timing) continue;
    const p = r.problem;
    const peers = r.peers ?? [];
    const peer =
      peers.find((x) => x.id === 'deepgemm' && x.timing) ?? peers.find((x) => x.id === 'cublaslt' && x.timing);
    rows[`${p.numGroups > 1 ? `G${p.numGroups} ` : ''}${p.m}x${p.n}x${p.k}`] = {
      us: r.timing.medianUs,
      ratio: peer ? ratioTo(peer.timing, r.timing) : NaN,
    };
  }
  if (!runs.has(label)) runs.set(label, []);
  runs.get(label).push(rows);
}
function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : NaN;
}
function ratioTo(peer, ours) {
  const [theirs, mine] = [peer.roundsUs, ours.roundsUs];
  if (theirs?.length && theirs.length === mine?.length) return median(theirs.map((t, i) => t / mine[i]));
  return peer.medianUs / ours.medianUs;
}
const labels = [...runs.keys()];
const shapes = [...new Set(labels.flatMap((l) => runs.get(l).flatMap((r) => Object.keys(r))))];
console.log(['shape'.padEnd(18), ...labels.map((l) => `${l} µs (x peer)`.padStart(24))].join(' '));
const geo = Object.fromEntries(labels.map((l) => [l, []]));
for (const shape of shapes) {
  const cells = labels.map((l) => {
    const us = median(runs.get(l).map((r) => r[shape]?.us));
    const ratio = median(runs.get(l).map((r) => r[shape]?.ratio));
    if (Number.isFinite(ratio)) geo[l].push(ratio);
    return `${us.toFixed(1)} (x${ratio.toFixed(3)})`.padStart(24);
  });
  console.log([shape.padEnd(18), ...cells].join(' '));
}
console.log(
  [
    'geomean x peer'.padEnd(18),
    ...labels.map((l) => {
      const g = Math.exp(geo[l].reduce((a, x) => a + Math.log(x), 0) / geo[l].length);
      return `x${g.toFixed(3)}`.padStart(24);
    }),
  ].join(' '),
);
