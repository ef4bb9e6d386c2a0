// Text for the terminal: the per-shape progress line and the end-of-run table of `fp8lab bench`.
// Pure: a BenchRun in, lines out; every figure printed is one the run holds.
import type { BenchRun, PeerId, ShapeResult } from '../../../protocol/worker';
import { formatConfig } from '../../core/runRows';
import {
  PEER_SHORT_NAME,
  peerColumns,
  peerGeomean,
  peerOf,
  upgradeRun,
  upgradeResult,
} from '../../core/peers/runPeers';
import { shapeLabel } from '../../core/shapes';

const fixed = (x: number | undefined, digits: number) =>
  x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
const sci = (x: number | undefined) => (x === undefined ? '-' : Number.isFinite(x) ? x.toExponential(1) : String(x));

/** Fixed-width text table: numbers right-aligned, text left-aligned, two spaces between columns. */
export function textTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** One peer's µs and ratio cells: '-' when absent, 'skipped' when it did not run on this shape. */
function peerCells(r: ShapeResult, id: PeerId): [string, string] {
  const p = peerOf(r, id);
  if (!p) return ['-', '-'];
  if (!p.timing) return ['skipped', '-'];
  return [fixed(p.timing.medianUs, 1), fixed(p.timing.ratio, 2)];
}

/** The origin column: "tuned 2026-12-06", "calibrated", "H100 defaults", "forced". */
export function originLabel(r: Pick<ShapeResult, 'configOrigin'>): string {
  const o = r.configOrigin;
  if (!o) return '-';
  switch (o.kind) {
    case 'tuned':
      return `tuned ${o.measuredAt?.slice(0, 10) ?? ''}`.trim();
    case 'calibrated':
      return 'calibrated';
    case 'defaults':
      return 'H100 defaults';
    default:
      return 'forced';
  }
}

/** "[3/18] 64x2112x7168  9.6 µs  ..." — what is printed as each shape finishes. */
export function progressLine(r: ShapeResult, index: number, total: number): string {
  const head = `[${index + 1}/${total}] ${shapeLabel(r.problem)}`;
  if (r.error) return `${head}  ${r.error.code}: ${r.error.message}`;
  const parts = [head];
  if (r.timing)
    parts.push(
      `${fixed(r.timing.medianUs, 1)} µs`,
      `${fixed(r.timing.tflops, 0)} TFLOPS`,
      `${fixed(r.timing.gbps, 0)} GB/s`,
    );
  for (const p of upgradeResult(r).peers ?? [])
    if (p.timing) parts.push(`${PEER_SHORT_NAME[p.id]} ${fixed(p.timing.medianUs, 1)} µs x${fixed(p.timing.ratio, 2)}`);
  if (r.accuracy) parts.push(`calc_diff ${sci(r.accuracy.calcDiff)}`);
  parts.push(formatConfig(r.config) + (r.configOrigin ? ` (${r.configOrigin.text})` : ''));
  if (r.registers)
    parts.push(
      `${r.registers.registers} regs`,
      `${r.registers.spillStoresBytes + r.registers.spillLoadsBytes} B spilled`,
    );
  return parts.join('  ');
}

export function benchTable(saved: BenchRun): string {
  if (saved.mode === 'study') return studyTable(saved);
  const run = upgradeRun(saved);
  const peers = peerColumns(run).map((c) => c.id);
  // The origin column appears once any config says where it came from (runs saved before it have none).
  const origins = run.results.some((r) => r.configOrigin);
  const header = [
    'M',
    'N',
    'K',
    'µs',
    'spread',
    'TFLOPS',
    'GB/s',
    ...peers.flatMap((id) => [`${PEER_SHORT_NAME[id]} µs`, 'ratio']),
    'calc_diff',
    'config',
    ...(origins ? ['origin'] : []),
    'regs',
    'error',
  ];
  const numeric = header.map((h) => !['config', 'origin', 'error'].includes(h));
  const rows = run.results.map((r) => [
    String(r.problem.m),
    String(r.problem.n),
    String(r.problem.k),
    fixed(r.timing?.medianUs, 1),
    r.timing ? `${(100 * r.timing.spread).toFixed(1)}%` : '-',
    fixed(r.timing?.tflops, 0),
    fixed(r.timing?.gbps, 0),
    ...peers.flatMap((id) => peerCells(r, id)),
    sci(r.accuracy?.calcDiff),
    formatConfig(r.config),
    ...(origins ? [originLabel(r)] : []),
    r.registers ? String(r.registers.registers) : '-',
    r.error ? r.error.code : '',
  ]);
  let text = textTable(header, rows, numeric);
  if (origins) {
    const counts = new Map<string, number>();
    for (const r of run.results)
      if (r.configOrigin) counts.set(r.configOrigin.text, (counts.get(r.configOrigin.text) ?? 0) + 1);
    text += `configs: ${[...counts].map(([t, n]) => `${n} ${t}`).join('; ')}\n`;
  }
  if (peers.length) text += 'ratio = peer µs / our µs (above 1: ours is faster), measured in this run on this GPU\n';
  for (const id of peers) {
    const g = peerGeomean(run, id);
    text += g
      ? `vs ${PEER_SHORT_NAME[id]}: geomean ${g.value.toFixed(3)}x, slowest ${g.min.toFixed(3)}x over ${g.shapes} shape(s)\n`
      : `vs ${PEER_SHORT_NAME[id]}: no shape was timed against it\n`;
  }
  for (const p of run.peers ?? []) {
    if (p.available) text += `${p.name}${peerNote(run, p.id)}\n`;
    else text += `${PEER_SHORT_NAME[p.id]} column skipped: ${p.reason ?? 'not available'}\n`;
  }
  if (run.hostOverhead)
    text += `host overhead per launch: ${run.hostOverhead.usPerLaunch.toFixed(2)} µs (${run.hostOverhead.method})\n`;
  if (run.ceilings)
    text += `device ceilings: ${run.ceilings.fp8Tflops.toFixed(0)} FP8 TFLOPS, ${run.ceilings.bandwidthGBps.toFixed(0)} GB/s (${run.ceilings.method})\n`;
  if (run.device)
    text += `device: ${run.device.name}, ${run.device.smCount} SMs${run.driverVersion ? `, driver ${run.driverVersion}` : ''}\n`;
  if (run.interrupted) text += `interrupted: [${run.interrupted.code}] ${run.interrupted.message}\n`;
  return text;
}

/** What a peer ran, said once: cuBLASLt's algorithms per shape are in the JSON; skips are counted. */
function peerNote(run: BenchRun, id: PeerId): string {
  const skipped = run.results.filter((r) => {
    const p = peerOf(r, id);
    return p && !p.timing;
  });
  if (skipped.length === 0) return '';
  const first = peerOf(skipped[0], id)?.skipped ?? 'not timed';
  return `: skipped on ${skipped.length} shape(s), e.g. ${skipped[0].problem.m}x${skipped[0].problem.n}x${skipped[0].problem.k}: ${first}`;
}

export function studyTable(run: BenchRun): string {
  const header = ['M', 'N', 'K', 'config', 'regs', 'spill B', 'stack B', 'smem B', 'compile ms', 'cache', 'error'];
  const numeric = [true, true, true, false, true, true, true, true, true, false, false];
  const rows = run.results.map((r) => [
    String(r.problem.m),
    String(r.problem.n),
    String(r.problem.k),
    formatConfig(r.config),
    r.registers ? String(r.registers.registers) : '-',
    r.registers ? String(r.registers.spillStoresBytes + r.registers.spillLoadsBytes) : '-',
    r.registers ? String(r.registers.stackFrameBytes) : '-',
    String(r.config.sharedBytes),
    r.compile ? r.compile.ms.toFixed(0) : '-',
    r.compile ? (r.compile.cacheHit ? 'hit' : 'miss') : '-',
    r.error ? `${r.error.code}: ${r.error.message.split('\n')[0]}` : '',
  ]);
  let text = textTable(header, rows, numeric);
  if (run.interrupted) text += `interrupted: [${run.interrupted.code}] ${run.interrupted.message}\n`;
  return text;
}
