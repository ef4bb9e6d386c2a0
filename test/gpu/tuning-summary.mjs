// The comparison table of tuning-pass.sh: per DeepSeek shape, where the tuned run's config came
// from, our µs and DeepGEMM's in that run (interleaved, same GPU), and the ratio (DeepGEMM µs / ours:
// above 1 ours is faster); the same ratio for the H100-default and calibrated runs before tuning,
// and geomeans. Ratios are compared, not µs across runs: each run times both side by side.
//   node test/gpu/tuning-summary.mjs OUTDIR
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: tuning-summary.mjs OUTDIR');
  process.exit(1);
}
const load = (name) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  } catch {
    return undefined;
  }
};
const runs = {
  defaults: load('bench-defaults.json'),
  calibrated: load('bench-calibrated.json'),
  tuned: load('bench-tuned.json'),
};
const key = (p) => `${p.m}x${p.n}x${p.k}`;
const byShape = (run) => new Map((run?.results ?? []).map((r) => [key(r.problem), r]));
const maps = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, byShape(v)]));
const deepgemm = (r) => r?.peers?.find((p) => p.id === 'deepgemm');
/** DeepGEMM µs / ours, when both were timed and correct in that run. */
const ratio = (r) => {
  const dg = deepgemm(r);
  return r?.timing && r.accuracy?.passed !== false && dg?.timing && dg.accuracy?.passed !== false
    ? dg.timing.medianUs / r.timing.medianUs
    : undefined;
};
const origin = (r) => {
  const o = r?.configOrigin;
  if (!o) return '-';
  return o.kind === 'tuned'
    ? `tuned ${o.measuredAt?.slice(5, 10) ?? ''}`.trim()
    : o.kind === 'defaults'
      ? 'H100 defaults'
      : o.kind;
};
const f = (x, d = 1) => (x === undefined ? '-' : x.toFixed(d));
const geo = (xs) => (xs.length ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : undefined);

const shapes = [...new Set([...maps.tuned.keys(), ...maps.calibrated.keys(), ...maps.defaults.keys()])];
const header = ['shape', 'origin', 'ours µs', 'DeepGEMM µs', 'ratio', 'calibrated ratio', 'defaults ratio', 'config'];
const rows = shapes.map((s) => {
  const t = maps.tuned.get(s);
  const c = t?.config;
  return [
    s,
    origin(t),
    f(t?.timing?.medianUs),
    f(deepgemm(t)?.timing?.medianUs),
    f(ratio(t), 3),
    f(ratio(maps.calibrated.get(s)), 3),
    f(ratio(maps.defaults.get(s)), 3),
    c
      ? `${c.blockM}x${c.blockN} s${c.numStages} wg${c.numMathWarpgroups} c${c.clusterM}x${c.clusterN}${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''} sms${c.numSms}`
      : '-',
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells.map((c, i) => (i === 0 || i === 1 || i === 7 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
const device = runs.tuned?.device ?? runs.calibrated?.device ?? runs.defaults?.device;
console.log(
  `tuning pass on ${device?.name ?? 'unknown GPU'}; ratio = DeepGEMM µs / ours in the same run (above 1: ours faster)`,
);
console.log(line(header));
for (const r of rows) console.log(line(r));
const summary = (name, map) => {
  const rs = shapes.map((s) => ratio(map.get(s))).filter((x) => x !== undefined);
  if (!rs.length) return `${name}: no shape timed against DeepGEMM`;
  const below = rs.filter((x) => x < 0.95).length;
  return `${name}: geomean ${geo(rs).toFixed(3)}x DeepGEMM, slowest ${Math.min(...rs).toFixed(3)}x, ${below} shape(s) below 0.95x, over ${rs.length} shape(s)`;
};
console.log(summary('tuned     ', maps.tuned));
console.log(summary('calibrated', maps.calibrated));
console.log(summary('defaults  ', maps.defaults));
const tunedCount = [...maps.tuned.values()].filter((r) => r.configOrigin?.kind === 'tuned').length;
console.log(`tuned run: ${tunedCount} of ${maps.tuned.size} shape(s) used a tuned config`);
// Where the calibrated and default models picked differently, the ratio change is what calibration bought.
const differ = shapes.filter((s) => {
  const a = maps.calibrated.get(s)?.config;
  const b = maps.defaults.get(s)?.config;
  return a && b && JSON.stringify(a) !== JSON.stringify(b);
});
const gains = differ
  .map((s) => [ratio(maps.calibrated.get(s)), ratio(maps.defaults.get(s))])
  .filter(([a, b]) => a && b)
  .map(([a, b]) => a / b);
console.log(
  `calibrated vs H100-default picks: ${differ.length} shape(s) picked differently; ` +
    (gains.length
      ? `there the ratio to DeepGEMM moved x${geo(gains).toFixed(3)} (geomean)`
      : 'none timed against DeepGEMM in both runs'),
);
