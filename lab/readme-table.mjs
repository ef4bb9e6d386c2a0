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

// Grouped, BF16 and MQA runs (`fp8lab bench --kernel KIND --json`): one row per case, each peer that
// ran (DeepGEMM, cuBLASLt for BF16) beside ours.
function groupedTable(groupedRuns) {
  const label = (c) => {
    switch (c.kind) {
      case 'masked':
        return `masked ${c.numGroups}x${c.m} m~${c.expectedM ?? '?'} N=${c.n} K=${c.k}`;
      case 'wgrad':
        return `wgrad ${c.m}x${c.n}x${c.k}`;
      case 'bf16':
        return `bf16 ${c.m}x${c.n}x${c.k}${c.output && c.output !== 'bf16' ? ` (${c.output})` : ''}`;
      case 'mqa-logits':
        return `SQ=${c.seqQ} SK=${c.seqKv} H=${c.heads} D=${c.dim}${c.windows ? ` ${c.windows}` : ''}`;
      case 'paged-mqa-logits':
        return `B=${c.batch} next_n=${c.nextN} H=${c.heads} D=${c.dim} avg_kv=${c.avgKv}`;
      case 'kgrouped':
      case 'bf16-kgrouped':
        return `${c.kind} ${c.numGroups}xM=${c.m} N=${c.n} K~${c.k}`;
      default:
        return `${c.kind} ${c.numGroups}x~${c.m} N=${c.n} K=${c.k}`;
    }
  };
  const tile = (c) =>
    c?.blockM
      ? `${c.blockM}x${c.blockN}${c.pingpong ? ' pp' : ''}${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''}${c.clusterM * c.clusterN > 1 ? ` c${c.clusterM}x${c.clusterN}` : ''}`
      : '-';
  const results = groupedRuns.flatMap((run) => run.results);
  const peers = PEERS.filter(([id]) => results.some((r) => (r.peers ?? []).some((p) => p.id === id)));
  const head = ['case', 'tile', 'ours µs', 'TFLOPS', ...peers.flatMap(([, n]) => [`${n} µs`, 'vs']), 'calc_diff'];
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  const ratios = {};
  for (const r of results) {
    const cells = peers.flatMap(([id, name]) => {
      const peer = (r.peers ?? []).find((p) => p.id === id);
      if (peer?.timing) (ratios[`${r.case.kind}: ${name}`] ??= []).push(peer.timing.ratio);
      return peer?.timing ? [fx(peer.timing.medianUs, 1), fx(peer.timing.ratio, 2)] : [peer ? 'skipped' : '-', '-'];
    });
    console.log(
      `| ${[label(r.case), tile(r.config), fx(r.timing?.medianUs, 1), fx(r.timing?.tflops, 0), ...cells, r.accuracy ? r.accuracy.calcDiff.toExponential(1) : '-'].join(' | ')} |`,
    );
  }
  console.log('');
  for (const [what, xs] of Object.entries(ratios)) {
    console.log(
      `${what} / ours geomean ${geo(xs).toFixed(3)}x over ${xs.length} cases, ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}x`,
    );
  }
  console.log(`\n${groupedRuns.map((r) => r.recorded ?? `${r.device?.name ?? '?'}, ${r.startedAt}`).join('\n')}`);
}
