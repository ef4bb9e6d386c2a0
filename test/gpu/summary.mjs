#!/usr/bin/env node
// The short table device-pass.sh prints last: each step's exit code and time, the GPU test count,
// sanitizer verdicts, compile timings, host overhead, and per shape our time next to every peer the
// bench measured beside it. Every number is read from the pass's own logs and JSON.
//   node test/gpu/summary.mjs LOGDIR STEPS.tsv
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [logDir, stepsFile] = process.argv.slice(2);
const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
const json = (f) => {
  try {
    return JSON.parse(read(f));
  } catch {
    return undefined;
  }
};
const out = [];
const fx = (x, d) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');

/** Columns listed in `left` are text (left-aligned); the others are numbers (right-aligned). */
function table(header, rows, left = []) {
  const w = header.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c]).length)));
  const line = (r) =>
    r
      .map((cell, c) => (left.includes(c) ? String(cell).padEnd(w[c]) : String(cell).padStart(w[c])))
      .join('  ')
      .trimEnd();
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

const check = json(join(logDir, 'check.json'));
const gpu = check?.devices?.find((d) => d.isHopper) ?? check?.devices?.[0];
out.push(
  `device: ${gpu ? `${gpu.name}, ${gpu.smCount} SMs` : 'none found'}; driver ${check?.driver?.versionText ?? '?'}; nvcc ${check?.toolkit?.version ?? '?'}; cuBLASLt ${check?.cublasLt?.available ? check.cublasLt.version : `missing (${(check?.cublasLt?.problem ?? '?').split('\n')[0]})`}`,
);

const steps = read(stepsFile)
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split('\t'));
out.push(
  '',
  table(
    ['step', 'exit', 'seconds'],
    steps.map(([n, rc, ms]) => [n, rc, fx(Number(ms) / 1000, 1)]),
    [0],
  ),
);

const gpuTests = read(join(logDir, 'gpu-tests.log'))
  .split('\n')
  .filter((l) => /^\d+ passed, \d+ failed/.test(l))
  .pop();
out.push('', `GPU tests: ${gpuTests ?? 'no result line'}`);
const failedLines = read(join(logDir, 'gpu-tests.log'))
  .split('\n')
  .filter((l) => l.startsWith('FAILED'))
  .slice(0, 8);
for (const l of failedLines) out.push(`  ${l.slice(0, 200)}`);

const san = read(join(logDir, 'sanitizer.log'))
  .split('\n')
  .filter((l) => /^=== sanitizer|ERROR SUMMARY|RACECHECK SUMMARY/.test(l));
if (san.length) out.push('', 'compute-sanitizer:', ...san.map((l) => `  ${l.replace(/^=== /, '').slice(0, 160)}`));

const compiles = [...read(join(logDir, 'compile.log')).matchAll(/^cache\s+(hit|miss) in ([\d.]+) ms/gm)].map(
  (m) => `${m[1]} ${m[2]} ms`,
);
if (compiles.length) out.push('', `JIT compile (cold, then disk-cache hit, per shape): ${compiles.join(', ')}`);

const PEERS = [
  ['cublaslt', 'cuBLASLt'],
  ['deepgemm', 'DeepGEMM'],
  ['torch', 'torch'],
];
const peerOf = (r, id) =>
  (r.peers ?? []).find((p) => p.id === id)?.timing ??
  (id === 'cublaslt' && r.peer && !('skipped' in r.peer) ? r.peer : undefined);
const geo = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
for (const [name, file] of [
  ['deepseek', 'bench.json'],
  ['8192³', 'bench-8192.json'],
]) {
  const run = json(join(logDir, file));
  if (!run) {
    out.push('', `bench ${name}: no JSON (see bench.log)`);
    continue;
  }
  const present = PEERS.filter(([id]) => run.results.some((r) => peerOf(r, id)));
  const rows = run.results.map((r) => [
    r.problem.m,
    r.problem.n,
    r.problem.k,
    fx(r.timing?.medianUs, 1),
    fx(r.timing?.tflops, 0),
    fx(r.timing?.gbps, 0),
    ...present.flatMap(([id]) => [fx(peerOf(r, id)?.medianUs, 1), fx(peerOf(r, id)?.ratio, 2)]),
    r.accuracy ? r.accuracy.calcDiff.toExponential(1) : '-',
    `${r.config.blockM}x${r.config.blockN}s${r.config.numStages}c${r.config.clusterM}x${r.config.clusterN}`,
    r.error ? r.error.code : '',
  ]);
  const head = [
    'M',
    'N',
    'K',
    'us',
    'TFLOPS',
    'GB/s',
    ...present.flatMap(([, n]) => [`${n} us`, 'vs']),
    'calc_diff',
    'config',
    'error',
  ];
  out.push(
    '',
    `bench ${name} (${run.mode}${run.interrupted ? `, interrupted: ${run.interrupted.code}` : ''}):`,
    table(head, rows, [head.length - 2, head.length - 1]),
  );
  for (const [id, n] of present) {
    const ratios = run.results.map((r) => peerOf(r, id)?.ratio).filter((x) => x > 0);
    out.push(
      `geomean vs ${n} over ${ratios.length}: ${fx(geo(ratios), 3)}; slowest ratio ${fx(Math.min(...ratios), 2)}`,
    );
  }
  for (const a of run.peers ?? []) if (!a.available) out.push(`${a.name}: not run (${a.reason})`);
  if (run.hostOverhead) out.push(`host overhead: ${fx(run.hostOverhead.usPerLaunch, 2)} µs per launch from JS`);
  if (run.ceilings)
    out.push(`ceilings: ${fx(run.ceilings.fp8Tflops, 0)} FP8 TFLOPS, ${fx(run.ceilings.bandwidthGBps, 0)} GB/s`);
}
console.log(out.join('\n'));
