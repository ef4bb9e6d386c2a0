// One row per measured shape of a BenchRun, in the units the results table, the CSV export and
// "copy row" all use, so the three always show the same figures. Pure: no vscode, no DOM.
// Nothing is computed that the run does not hold, except the two ceiling percentages, which
// divide the run's own measured figures by the run's own measured device ceilings.

import type { BenchRun, GemmConfig, PeerId, ShapeResult } from '../../protocol/worker';
import { peerColumns, upgradeRun, type PeerColumn } from './peers/runPeers';
import { shapeLabel } from './shapes';

/** One peer's figures in a row: its median time and its ratio (peer / ours), or why it was not timed. */
export interface PeerCell {
  name: string;
  us?: number;
  /** As reported by the runtime: the peer's time / our time (> 1: ours is faster). */
  ratio?: number;
  spread?: number;
  tflops?: number;
  calcDiff?: number;
  skipped?: string;
}

export interface RunRow {
  index: number;
  kind: string;
  m: number;
  n: number;
  k: number;
  us?: number;
  spread?: number;
  tflops?: number;
  gbps?: number;
  /** Achieved / measured device ceiling, in percent. */
  pctFp8?: number;
  pctBandwidth?: number;
  /** The run's peers on this shape, by id (absent: the peer was not asked for or has no entry). */
  peers: Partial<Record<PeerId, PeerCell>>;
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
  /** Grouped: rows the kernel must not write that it changed (0 = untouched). */
  untouchedChanged?: number;
}

/** A column of the CSV / copy-row export: its header and how a row's cell is read. */
export interface RowColumn {
  key: string;
  header: string;
  get(row: RunRow): RunRow[keyof RunRow] | undefined;
}

const col = (key: Exclude<keyof RunRow, 'peers'>, header: string): RowColumn => ({ key, header, get: (r) => r[key] });

/** Columns before the peers' (CSV, copy-row; the table adds presentation only). */
const LEAD_COLUMNS: readonly RowColumn[] = [
  col('kind', 'kind'),
  col('m', 'M'),
  col('n', 'N'),
  col('k', 'K'),
  col('us', 'us'),
  col('spread', 'spread'),
  col('tflops', 'TFLOPS'),
  col('gbps', 'GB/s'),
  col('pctFp8', '% FP8 ceiling'),
  col('pctBandwidth', '% bandwidth ceiling'),
];
/** Columns after the peers'. */
const TAIL_COLUMNS: readonly RowColumn[] = [
  col('calcDiff', 'calc_diff'),
  col('accuracyPassed', 'accuracy passed'),
  col('config', 'config'),
  col('registers', 'registers'),
  col('spillBytes', 'spill bytes'),
  col('error', 'error'),
];

/** The columns of a run with no peers (the peers' pairs go between the lead and the tail). */
export const ROW_COLUMNS: readonly RowColumn[] = [...LEAD_COLUMNS, ...TAIL_COLUMNS];

/**
 * One column pair per peer present in the run: its median µs and its ratio (peer / ours), or
 * "skipped: why" in the µs cell when it was not timed on that shape.
 */
export function peerRowColumns(peers: readonly PeerColumn[]): RowColumn[] {
  return peers.flatMap((p) => [
    {
      key: `peer.${p.id}.us`,
      header: `${p.short} us`,
      get: (r: RunRow) => {
        const c = r.peers[p.id];
        return c?.us ?? (c?.skipped ? `skipped: ${c.skipped}` : undefined);
      },
    },
    { key: `peer.${p.id}.ratio`, header: `ratio vs ${p.short}`, get: (r: RunRow) => r.peers[p.id]?.ratio },
  ]);
}

/** Grouped runs add the case, its groups and the FLOP convention after the kind, and the untouched-rows check at the end. */
function groupedColumns(peers: readonly RowColumn[]): RowColumn[] {
  return [
    LEAD_COLUMNS[0],
    col('caseLabel', 'case'),
    col('groups', 'groups'),
    col('expectedM', 'expected m'),
    ...LEAD_COLUMNS.slice(1, 8),
    col('flopsOver', 'FLOPs over rows'),
    ...LEAD_COLUMNS.slice(8),
    ...peers,
    ...TAIL_COLUMNS,
    col('untouchedChanged', 'untouched words changed'),
  ];
}

/** The columns for a run: grouped runs get the grouped ones; every peer present gets its pair. */
export function columnsFor(run: Pick<BenchRun, 'results' | 'peers'>): readonly RowColumn[] {
  const peers = peerRowColumns(peerColumns(upgradeRun(run)));
  return run.results.some((r) => r.grouped) ? groupedColumns(peers) : [...LEAD_COLUMNS, ...peers, ...TAIL_COLUMNS];
}

/** Chart label of a result: "MxNxK", or for a grouped case its kind, groups and sizes (unique per case). */
export function resultLabel(r: Pick<ShapeResult, 'problem' | 'grouped'>): string {
  const p = r.problem;
  if (!r.grouped) return `${shapeLabel(p)}`;
  const g = p.numGroups ?? 1;
  switch (p.kind) {
    case 'masked':
      return `masked ${g}g m~${p.expectedM ?? p.m} ${p.n}x${p.k}`;
    case 'contiguous':
      return `contig ${g}g ΣM=${p.m} ${p.n}x${p.k}`;
    case 'kgrouped':
    case 'bf16-kgrouped':
      return `${p.kind} ${g}g ${p.m}x${p.n} ΣK=${p.k}`;
    default:
      return `${p.kind} ${shapeLabel(p)}`;
  }
}

/** "128x128 s5 wg2 c2x1": block_m x block_n, stages, math warpgroups, cluster. */
export function formatConfig(c: GemmConfig): string {
  return `${c.blockM}x${c.blockN} s${c.numStages} wg${c.numMathWarpgroups}${c.pingpong ? ' pp' : ''} c${c.clusterM}x${c.clusterN}${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''}${c.dSlabs ? ` ds${c.dSlabs}` : ''}`;
}

export function shapeRow(result: ShapeResult, index: number, run: Pick<BenchRun, 'ceilings'>): RunRow {
  const { problem, timing, accuracy, registers } = result;
  const row: RunRow = {
    index,
    kind: problem.kind,
    m: problem.m,
    n: problem.n,
    k: problem.k,
    peers: {},
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
    if (run.ceilings && run.ceilings.bandwidthGBps > 0)
      row.pctBandwidth = (100 * timing.gbps) / run.ceilings.bandwidthGBps;
  }
  for (const p of result.peers ?? []) {
    row.peers[p.id] = p.timing
      ? {
          name: p.name,
          us: p.timing.medianUs,
          ratio: p.timing.ratio,
          spread: p.timing.spread,
          tflops: p.timing.tflops,
          calcDiff: p.accuracy?.calcDiff,
        }
      : { name: p.name, skipped: p.skipped ?? 'not timed', calcDiff: p.accuracy?.calcDiff };
  }
  if (accuracy) {
    row.calcDiff = accuracy.calcDiff;
    row.accuracyPassed = accuracy.passed;
  }
  if (result.error) row.error = `${result.error.code}: ${result.error.message}`;
  if (result.grouped) {
    row.caseLabel = result.caseLabel;
    row.groups = problem.numGroups;
    row.expectedM = problem.expectedM;
    row.flopsOver = result.grouped.flopsOver;
    row.untouchedChanged = result.grouped.untouched?.changed;
  }
  return row;
}

/** The rows of a run (a run saved before per-peer results is read through upgradeRun first). */
export function runRows(run: BenchRun): RunRow[] {
  return upgradeRun(run).results.map((r, i) => shapeRow(r, i, run));
}

/** True when any row has a timing: the table shows timing columns only then. */
export function hasTiming(rows: RunRow[]): boolean {
  return rows.some((r) => r.us !== undefined);
}

/** Plain text of one cell, full precision for numbers (exports must not lose digits). */
export function cellText(value: RunRow[keyof RunRow]): string {
  if (value === undefined || typeof value === 'object') return '';
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
  for (const row of rows) lines.push(columns.map((c) => csvField(cellText(c.get(row)))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** One row as tab-separated text with its header line, for "copy row" (columns: columnsFor(the run)). */
export function rowToTsv(row: RunRow, columns: readonly RowColumn[]): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  return (
    columns.map((c) => c.header).join('\t') + '\n' + columns.map((c) => clean(cellText(c.get(row)))).join('\t') + '\n'
  );
}

/** Arithmetic intensity of a shape as the runtime measured it: FLOPs per byte moved. */
export function arithmeticIntensity(result: ShapeResult): number | undefined {
  const t = result.timing;
  return t && t.bytes > 0 ? t.flops / t.bytes : undefined;
}
