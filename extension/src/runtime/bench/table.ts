// Text for the terminal: the per-shape progress line and the end-of-run table of `fp8lab bench`.
// Pure: a BenchRun in, lines out; every figure printed is one the run holds.
import type { BenchRun, ShapeResult } from '../../../protocol/worker';
import { formatConfig } from '../../core/runRows';
import { geomean } from '../../core/stats';

const fixed = (x: number | undefined, digits: number) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const sci = (x: number | undefined) => (x === undefined ? '-' : Number.isFinite(x) ? x.toExponential(1) : String(x));

/** Fixed-width text table: numbers right-aligned, text left-aligned, two spaces between columns. */
export function textTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function peerCells(r: ShapeResult): { us: string; ratio: string } {
  if (!r.peer) return { us: '-', ratio: '-' };
  if ('skipped' in r.peer) return { us: 'skipped', ratio: '-' };
  return { us: fixed(r.peer.medianUs, 1), ratio: fixed(r.peer.ratio, 2) };
}

/** "[3/18] 64x2112x7168  9.6 µs  ..." — what is printed as each shape finishes. */
export function progressLine(r: ShapeResult, index: number, total: number): string {
  const head = `[${index + 1}/${total}] ${r.problem.m}x${r.problem.n}x${r.problem.k}`;
  if (r.error) return `${head}  ${r.error.code}: ${r.error.message}`;
  const parts = [head];
  if (r.timing) parts.push(`${fixed(r.timing.medianUs, 1)} µs`, `${fixed(r.timing.tflops, 0)} TFLOPS`, `${fixed(r.timing.gbps, 0)} GB/s`);
  if (r.peer && !('skipped' in r.peer)) parts.push(`cuBLASLt ${fixed(r.peer.medianUs, 1)} µs`, `x${fixed(r.peer.ratio, 2)}`);
  if (r.accuracy) parts.push(`calc_diff ${sci(r.accuracy.calcDiff)}`);
  parts.push(formatConfig(r.config));
  if (r.registers) parts.push(`${r.registers.registers} regs`, `${r.registers.spillStoresBytes + r.registers.spillLoadsBytes} B spilled`);
  return parts.join('  ');
}

/** Geomean of (cuBLASLt µs / our µs) over the shapes where both were timed, or undefined. */
export function geomeanRatio(run: BenchRun): { value: number; shapes: number } | undefined {
  const ratios = run.results.flatMap((r) => (r.peer && !('skipped' in r.peer) && r.peer.ratio > 0 ? [r.peer.ratio] : []));
  return ratios.length ? { value: geomean(ratios), shapes: ratios.length } : undefined;
}

export function benchTable(run: BenchRun): string {
  if (run.mode === 'study') return studyTable(run);
  const header = ['M', 'N', 'K', 'µs', 'spread', 'TFLOPS', 'GB/s', 'cuBLASLt µs', 'ratio', 'calc_diff', 'config', 'regs', 'error'];
  const numeric = [true, true, true, true, true, true, true, true, true, true, false, true, false];
  const rows = run.results.map((r) => {
    const peer = peerCells(r);
    return [
      String(r.problem.m), String(r.problem.n), String(r.problem.k),
      fixed(r.timing?.medianUs, 1), r.timing ? `${(100 * r.timing.spread).toFixed(1)}%` : '-',
      fixed(r.timing?.tflops, 0), fixed(r.timing?.gbps, 0), peer.us, peer.ratio,
      sci(r.accuracy?.calcDiff), formatConfig(r.config), r.registers ? String(r.registers.registers) : '-',
      r.error ? r.error.code : '',
    ];
  });
  let text = textTable(header, rows, numeric);
  const g = geomeanRatio(run);
  text += g
    ? `geomean ratio (cuBLASLt µs / ours) over ${g.shapes} shape(s): ${g.value.toFixed(3)}\n`
    : 'geomean ratio: no shape was timed against cuBLASLt\n';
  const skipped = run.results.find((r) => r.peer && 'skipped' in r.peer)?.peer as { skipped: string } | undefined;
  if (skipped) text += `cuBLASLt skipped: ${skipped.skipped}\n`;
  if (run.hostOverhead) text += `host overhead per launch: ${run.hostOverhead.usPerLaunch.toFixed(2)} µs (${run.hostOverhead.method})\n`;
  if (run.ceilings) text += `device ceilings: ${run.ceilings.fp8Tflops.toFixed(0)} FP8 TFLOPS, ${run.ceilings.bandwidthGBps.toFixed(0)} GB/s (${run.ceilings.method})\n`;
  if (run.device) text += `device: ${run.device.name}, ${run.device.smCount} SMs${run.driverVersion ? `, driver ${run.driverVersion}` : ''}\n`;
  if (run.interrupted) text += `interrupted: [${run.interrupted.code}] ${run.interrupted.message}\n`;
  return text;
}

export function studyTable(run: BenchRun): string {
  const header = ['M', 'N', 'K', 'config', 'regs', 'spill B', 'stack B', 'smem B', 'compile ms', 'cache', 'error'];
  const numeric = [true, true, true, false, true, true, true, true, true, false, false];
  const rows = run.results.map((r) => [
    String(r.problem.m), String(r.problem.n), String(r.problem.k), formatConfig(r.config),
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
