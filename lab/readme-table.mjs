// The README's performance table from `fp8lab bench --json` files (one run each, peers inside):
//   node lab/readme-table.mjs bench-deepseek.json [bench-8192.json ...]
// Every figure is copied from the files; ratios are the peer's median over ours, as the bench wrote them.
import fs from 'node:fs';

const PEERS = [
  ['cublaslt', 'cuBLASLt best'],
  ['deepgemm', 'DeepGEMM'],
  ['torch', 'torch._scaled_mm'],
];
const fx = (x, d) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
const runs = process.argv.slice(2).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
if (runs.every((run) => run.results.every((r) => r.case))) {
  groupedTable(runs);
  process.exit(0);
}
const head = ['M', 'N', 'K', 'ours µs', 'TFLOPS', ...PEERS.flatMap(([, n]) => [`${n} µs`, 'vs']), 'calc_diff', 'tile'];
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
const ratios = Object.fromEntries(PEERS.map(([id]) => [id, []]));
for (const run of runs) {
  for (const r of run.results) {
    const p = r.problem;
    const cells = PEERS.flatMap(([id]) => {
      const peer = (r.peers ?? []).find((x) => x.id === id);
      if (!peer?.timing) return [peer ? 'skipped' : '-', '-'];
      if (r.timing) ratios[id].push(peer.timing.ratio);
      return [fx(peer.timing.medianUs, 1), fx(peer.timing.ratio, 2)];
    });
    const c = r.config;
    console.log(
      `| ${[
        p.m,
        p.n,
        p.k,
        fx(r.timing?.medianUs, 1),
        fx(r.timing?.tflops, 0),
        ...cells,
        r.accuracy ? r.accuracy.calcDiff.toExponential(1) : '-',
        `${c.blockM}x${c.blockN}${c.clusterM * c.clusterN > 1 ? ` c${c.clusterM}x${c.clusterN}` : ''}`,
      ].join(' | ')} |`,
    );
  }
}
function geo(xs) {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}
for (const [id, name] of PEERS) {
  const xs = ratios[id];
  if (xs.length)
    console.log(
      `\n${name}: geomean ${geo(xs).toFixed(3)}x over ${xs.length} shapes, slowest ${Math.min(...xs).toFixed(2)}x, fastest ${Math.max(...xs).toFixed(2)}x`,
    );
}
for (const run of runs)
  for (const a of run.peers ?? []) if (!a.available) console.log(`\n${a.name}: not run (${a.reason})`);
console.log(
  `\n${runs.map((r) => `${r.device?.name ?? '?'} (${r.device?.smCount ?? '?'} SMs), driver ${r.driverVersion ?? '?'}, ${r.startedAt}`).join('; ')}`,
);

// Grouped runs (`fp8lab bench --kernel KIND --json`): one row per case, DeepGEMM beside ours.
function groupedTable(groupedRuns) {
  const label = (c) =>
    c.kind === 'masked'
      ? `masked ${c.numGroups}x${c.m} m~${c.expectedM ?? '?'} N=${c.n} K=${c.k}`
      : c.kind === 'wgrad'
        ? `wgrad ${c.m}x${c.n}x${c.k}`
        : `${c.kind} ${c.numGroups}x${c.kind === 'kgrouped' || c.kind === 'bf16-kgrouped' ? `M=${c.m} N=${c.n} K~${c.k}` : `~${c.m} N=${c.n} K=${c.k}`}`;
  console.log('| case | tile | ours µs | TFLOPS | DeepGEMM µs | vs | calc_diff |');
  console.log('|---|---|---|---|---|---|---|');
  const byKind = {};
  for (const run of groupedRuns) {
    for (const r of run.results) {
      const dg = (r.peers ?? []).find((p) => p.id === 'deepgemm');
      if (dg?.timing) (byKind[r.case.kind] ??= []).push(dg.timing.ratio);
      console.log(
        `| ${[
          label(r.case),
          `${r.config.blockM}x${r.config.blockN}`,
          fx(r.timing?.medianUs, 1),
          fx(r.timing?.tflops, 0),
          dg?.timing ? fx(dg.timing.medianUs, 1) : dg ? 'skipped' : '-',
          dg?.timing ? fx(dg.timing.ratio, 2) : '-',
          r.accuracy ? r.accuracy.calcDiff.toExponential(1) : '-',
        ].join(' | ')} |`,
      );
    }
  }
  console.log('');
  for (const [kind, xs] of Object.entries(byKind)) {
    console.log(
      `${kind}: DeepGEMM / ours geomean ${geo(xs).toFixed(3)}x over ${xs.length} cases, ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}x`,
    );
  }
  console.log(`\n${groupedRuns.map((r) => r.recorded ?? `${r.device?.name ?? '?'}, ${r.startedAt}`).join('\n')}`);
}
