// One row per measured shape of a BenchRun, in the units the results table, the CSV export and
// "copy row" all use, so the three always show the same figures. Pure: no vscode, no DOM.
// Nothing is computed that the run does not hold, except the two ceiling percentages, which
// divide the run's own measured figures by the run's own measured device ceilings.

import type { BenchRun, GemmConfig, ShapeResult } from '../../protocol/worker';

export interface RunRow {
  index: number;
  kind: string;
  m: number; n: number; k: number;
  us?: number;
  spread?: number;
  tflops?: number;
  gbps?: number;
  /** Achieved / measured device ceiling, in percent. */
  pctFp8?: number;
  pctBandwidth?: number;
  peerUs?: number;
  /** As reported by the runtime: cuBLASLt time / our time (> 1: ours is faster). */
  peerRatio?: number;
  peerSkipped?: string;
  calcDiff?: number;
  accuracyPassed?: boolean;
  config: string;
  registers?: number;
  spillBytes?: number;
  cacheHit?: boolean;
  error?: string;
  /** Grouped kinds only: the case, its groups and expected m, and the FLOP convention of its figures. */
  caseLabel?: string;
  groups?: number;
  expectedM?: number;
  flopsOver?: 'padded' | 'valid' | 'all';
  /** Grouped: DeepGEMM's figure for the case and ours against it ("795 TFLOPS (1.09x)"). */
  versusDeepGemm?: string;
  /** Grouped: rows the kernel must not write that it changed (0 = untouched). */
  untouchedChanged?: number;
}

/** Column order shared by CSV, copy-row and the table (the table adds presentation only). */
export const ROW_COLUMNS: ReadonlyArray<{ key: keyof RunRow; header: string }> = [
  { key: 'kind', header: 'kind' },
  { key: 'm', header: 'M' },
  { key: 'n', header: 'N' },
  { key: 'k', header: 'K' },
  { key: 'us', header: 'us' },
  { key: 'spread', header: 'spread' },
  { key: 'tflops', header: 'TFLOPS' },
  { key: 'gbps', header: 'GB/s' },
  { key: 'pctFp8', header: '% FP8 ceiling' },
  { key: 'pctBandwidth', header: '% bandwidth ceiling' },
  { key: 'peerUs', header: 'cuBLASLt us' },
  { key: 'peerRatio', header: 'ratio vs cuBLASLt' },
  { key: 'calcDiff', header: 'calc_diff' },
  { key: 'accuracyPassed', header: 'accuracy passed' },
  { key: 'config', header: 'config' },
  { key: 'registers', header: 'registers' },
  { key: 'spillBytes', header: 'spill bytes' },
  { key: 'error', header: 'error' },
];

/**
 * Columns of a grouped run (CSV and copy-row): the normal columns with the case, its groups, the
 * FLOP convention and the grouped checks after the kind. The cuBLASLt columns stay (empty): a
 * grouped GEMM has no cuBLASLt peer, and keeping the columns keeps exports of both kinds alike.
 */
export const GROUPED_ROW_COLUMNS: ReadonlyArray<{ key: keyof RunRow; header: string }> = [
  ROW_COLUMNS[0],
  { key: 'caseLabel', header: 'case' },
  { key: 'groups', header: 'groups' },
  { key: 'expectedM', header: 'expected m' },
  ...ROW_COLUMNS.slice(1, 8),
  { key: 'flopsOver', header: 'FLOPs over rows' },
  ...ROW_COLUMNS.slice(8),
  { key: 'versusDeepGemm', header: 'DeepGEMM' },
  { key: 'untouchedChanged', header: 'untouched words changed' },
];

/** The columns for a run: grouped runs get the grouped ones, normal runs exactly ROW_COLUMNS. */
export function columnsFor(run: Pick<BenchRun, 'results'>): ReadonlyArray<{ key: keyof RunRow; header: string }> {
  return run.results.some((r) => r.grouped) ? GROUPED_ROW_COLUMNS : ROW_COLUMNS;
}

/** Chart label of a result: "MxNxK", or for a grouped case its kind, groups and sizes (unique per case). */
export function resultLabel(r: Pick<ShapeResult, 'problem' | 'grouped'>): string {
  const p = r.problem;
  if (!r.grouped) return `${p.m}x${p.n}x${p.k}`;
  const g = p.numGroups ?? 1;
  switch (p.kind) {
    case 'masked': return `masked ${g}g m~${p.expectedM ?? p.m} ${p.n}x${p.k}`;
    case 'contiguous': return `contig ${g}g ΣM=${p.m} ${p.n}x${p.k}`;
    case 'kgrouped': return `kgrouped ${g}g ${p.m}x${p.n} ΣK=${p.k}`;
    default: return `${p.kind} ${p.m}x${p.n}x${p.k}`;
  }
}

/** Field-by-field equality of two configs (property order in JSON may differ between producers). */
export function sameConfig(a: GemmConfig, b: GemmConfig): boolean {
  const keys = Object.keys(a) as (keyof GemmConfig)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** "128x128 s5 wg2 c2x1": block_m x block_n, stages, math warpgroups, cluster. */
export function formatConfig(c: GemmConfig): string {
  return `${c.blockM}x${c.blockN} s${c.numStages} wg${c.numMathWarpgroups} c${c.clusterM}x${c.clusterN}${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''}`;
}

export function shapeRow(result: ShapeResult, index: number, run: Pick<BenchRun, 'ceilings'>): RunRow {
  const { problem, timing, peer, accuracy, registers } = result;
  const row: RunRow = {
    index, kind: problem.kind, m: problem.m, n: problem.n, k: problem.k,
    config: formatConfig(result.config),
    registers: registers?.registers,
    spillBytes: registers ? registers.spillStoresBytes + registers.spillLoadsBytes : undefined,
    cacheHit: result.compile?.cacheHit,
  };
  if (timing) {
    row.us = timing.medianUs;
    row.spread = timing.spread;
    row.tflops = timing.tflops;
    row.gbps = timing.gbps;
    if (run.ceilings && run.ceilings.fp8Tflops > 0) row.pctFp8 = (100 * timing.tflops) / run.ceilings.fp8Tflops;
    if (run.ceilings && run.ceilings.bandwidthGBps > 0) row.pctBandwidth = (100 * timing.gbps) / run.ceilings.bandwidthGBps;
  }
  if (peer) {
    if ('skipped' in peer) row.peerSkipped = peer.skipped;
    else { row.peerUs = peer.medianUs; row.peerRatio = peer.ratio; }
  }
  if (accuracy) { row.calcDiff = accuracy.calcDiff; row.accuracyPassed = accuracy.passed; }
  if (result.error) row.error = `${result.error.code}: ${result.error.message}`;
  if (result.grouped) {
    row.caseLabel = result.caseLabel;
    row.groups = problem.numGroups;
    row.expectedM = problem.expectedM;
    row.flopsOver = result.grouped.flopsOver;
    const dg = result.peers?.find((p) => p.id === 'deepgemm')?.timing;
    if (dg) row.versusDeepGemm = `${dg.medianUs.toFixed(1)} µs (${dg.ratio.toFixed(2)}x)`;
    row.untouchedChanged = result.grouped.untouched?.changed;
  }
  return row;
}

export function runRows(run: BenchRun): RunRow[] {
  return run.results.map((r, i) => shapeRow(r, i, run));
}

/** True when any row has a timing: the table shows timing columns only then. */
export function hasTiming(rows: RunRow[]): boolean {
  return rows.some((r) => r.us !== undefined);
}

/** Plain text of one cell, full precision for numbers (exports must not lose digits). */
export function cellText(value: RunRow[keyof RunRow]): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return value;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV (CRLF line ends), one header line and one line per shape. */
export function runToCsv(run: BenchRun): string {
  const rows = runRows(run);
  const columns = columnsFor(run);
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(cellText(row[c.key]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** One row as tab-separated text with its header line, for "copy row". */
export function rowToTsv(row: RunRow): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  const columns = row.flopsOver !== undefined ? GROUPED_ROW_COLUMNS : ROW_COLUMNS;
  return columns.map((c) => c.header).join('\t') + '\n' + columns.map((c) => clean(cellText(row[c.key]))).join('\t') + '\n';
}

/** Arithmetic intensity of a shape as the runtime measured it: FLOPs per byte moved. */
export function arithmeticIntensity(result: ShapeResult): number | undefined {
  const t = result.timing;
  return t && t.bytes > 0 ? t.flops / t.bytes : undefined;
}
