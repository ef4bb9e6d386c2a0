// Pipeline timeline layout: one row per SM x warpgroup role, spans of each row in time order (the
// spatial index that drawing and hovering search by binary search), tile bands, the per-stage ring
// occupancy strip and the summary. Pure: no DOM, no canvas; drawn by timelineRender.ts.
//
// Sized for whole kernels: 132 SMs x 3 roles and hundreds of thousands of spans. Everything is
// typed arrays and counting sorts (O(n)); a row is only sorted when its spans are out of order.

import type { TraceData, TraceRole, TraceSummary } from '../../../extension/protocol/trace';
import { summarizeTrace } from '../../../extension/src/core/trace/summary';

export interface TimelineOptions {
  width: number;
  /** Pixels per row (roles of one SM are adjacent). */
  rowHeight?: number;
  /** Pixels per stage in the ring occupancy strip. */
  stageHeight?: number;
}

export interface TimelineRowBox {
  label: string;
  sm: number;
  cta: number;
  role: TraceRole;
  y: number;
  /** First row of its SM: a separator is drawn above it. */
  smFirst: boolean;
}

/** Spans (or tiles) of every row, grouped by row and sorted by start: row r owns [offsets[r], offsets[r+1]). */
export interface RowIndex {
  offsets: Uint32Array;
  /** Index into the TraceData arrays, in row-then-start order. */
  order: Uint32Array;
  start: Float64Array;
  end: Float64Array;
  /** For spans: phase index; for tiles: tile parity along the row (alternating shade). */
  kind: Uint8Array;
}

export interface TimelineLayout {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  rowHeight: number;
  rows: TimelineRowBox[];
  spans: RowIndex;
  tiles: RowIndex;
  /** Ring strip: one band per stage, between the time axis and the rows. */
  ring: { top: number; stageHeight: number; stages: number };
  /** Full time domain in ns. */
  domain: [number, number];
  summary: TraceSummary;
  data: TraceData;
}

const ROLE_SHORT: Record<TraceRole, string> = { producer: 'TMA', math0: 'MMA0', math1: 'MMA1' };

function indexByRow(
  nRows: number,
  count: number,
  row: Uint32Array,
  start: Float64Array,
  end: Float64Array,
  kindOf: (i: number) => number,
): RowIndex {
  const offsets = new Uint32Array(nRows + 1);
  for (let i = 0; i < count; i++) offsets[row[i] + 1]++;
  for (let r = 0; r < nRows; r++) offsets[r + 1] += offsets[r];
  const fill = offsets.slice(0, nRows);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[fill[row[i]]++] = i;
  // Decoding emits each row in program order, which is time order; sort only a row that is not.
  for (let r = 0; r < nRows; r++) {
    let sorted = true;
    for (let j = offsets[r] + 1; j < offsets[r + 1] && sorted; j++) sorted = start[order[j - 1]] <= start[order[j]];
    if (!sorted) order.subarray(offsets[r], offsets[r + 1]).sort((a, b) => start[a] - start[b] || a - b);
  }
  const s = new Float64Array(count),
    e = new Float64Array(count),
    k = new Uint8Array(count);
  for (let j = 0; j < count; j++) {
    const i = order[j];
    s[j] = start[i];
    e[j] = end[i];
    k[j] = kindOf(i);
  }
  return { offsets, order, start: s, end: e, kind: k };
}

export function layout(data: TraceData, opts: TimelineOptions): TimelineLayout {
  const rowHeight = opts.rowHeight ?? 8;
  const stageHeight = opts.stageHeight ?? 6;
  const stages = Math.max(1, data.numStages);
  // Top to bottom: time axis, the ring strip (kept in view above the rows, which may scroll), rows.
  const ringTop = 22;
  const plot = { left: 64, right: Math.max(65, opts.width - 8), top: ringTop + stages * stageHeight + 6, bottom: 0 };
  const rows: TimelineRowBox[] = data.rows.map((r, i) => ({
    label: `SM ${r.sm} ${ROLE_SHORT[r.role]}`,
    sm: r.sm,
    cta: r.cta,
    role: r.role,
    y: plot.top + i * rowHeight,
    smFirst: i === 0 || data.rows[i - 1].sm !== r.sm,
  }));
  plot.bottom = plot.top + rows.length * rowHeight;
  const spans = indexByRow(
    rows.length,
    data.spans.count,
    data.spans.row,
    data.spans.start,
    data.spans.end,
    (i) => data.spans.phase[i],
  );
  // Tile parity per row so adjacent tiles get alternating shades.
  const parity = new Uint8Array(data.tiles.count);
  const seen = new Uint32Array(rows.length);
  for (let i = 0; i < data.tiles.count; i++) parity[i] = seen[data.tiles.row[i]]++ & 1;
  const tiles = indexByRow(
    rows.length,
    data.tiles.count,
    data.tiles.row,
    data.tiles.start,
    data.tiles.end,
    (i) => parity[i],
  );
  return {
    width: opts.width,
    height: plot.bottom + 4,
    plot,
    rowHeight,
    rows,
    spans,
    tiles,
    ring: { top: ringTop, stageHeight, stages },
    domain: [0, data.durationNs > 0 ? data.durationNs : 1],
    summary: summarizeTrace(data),
    data,
  };
}

/** First position j in [lo, hi) with end[j] >= t (ends are ordered because a row's spans do not overlap). */
export function firstEndingAfter(end: Float64Array, lo: number, hi: number, t: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (end[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
