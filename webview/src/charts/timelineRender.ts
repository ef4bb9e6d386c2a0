// Draws a timeline layout to a 2D canvas context for a visible time window, and answers "what is
// under the pointer" from the same row index (binary search, no per-span objects).
//
// Drawing cost is bounded by pixels, not events: within a row, spans narrower than a pixel are
// merged into the pixel run they fall into, so a whole kernel zoomed out costs about
// rows x width rectangles however many events it has.

import { scaleLinear } from 'd3';
import { TRACE_PHASES, type TracePhase } from '../../../extension/protocol/trace';
import { ringOccupancy } from '../../../extension/src/core/trace/occupancy';
import { firstEndingAfter, type TimelineLayout } from './timelineLayout';

/** The part of CanvasRenderingContext2D the timeline uses (a recording stub implements it in tests). */
export interface Draw2D {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  globalAlpha: number;
  lineWidth: number;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
}

/** Colours resolved from var(--vscode-*) by the app (timelinePalette in apps/timeline.ts). */
export interface TimelinePalette {
  phase: Record<TracePhase, string>;
  tile: [string, string];
  ring: string;
  text: string;
  grid: string;
  font: string;
}

export interface TimeWindow {
  t0: number;
  t1: number;
}

export const PHASE_LABEL: Record<TracePhase, string> = {
  'wait-empty': 'producer waits for a free stage',
  'tma-issue': 'TMA loads issued',
  'wait-full': 'math waits for data (memory)',
  wgmma: 'WGMMA (tensor cores)',
  promote: 'promotion (CUDA cores)',
  epilogue: 'epilogue + TMA store',
};

export function formatNs(ns: number): string {
  const a = Math.abs(ns);
  // Number(...) drops the trailing zeros toPrecision leaves ("5.000" -> "5").
  if (a >= 1e6) return `${Number((ns / 1e6).toPrecision(4))} ms`;
  if (a >= 1e3) return `${Number((ns / 1e3).toPrecision(4))} µs`;
  return ns === 0 ? '0' : `${Number(ns.toPrecision(3))} ns`;
}

const round = (v: number) => Math.round(v * 100) / 100;

/** Axis label of tick t when ticks are `step` ns apart: the unit of t, decimals enough to tell ticks apart. */
export function tickLabel(t: number, step: number): string {
  if (t === 0) return '0';
  const [div, unit] = Math.abs(t) >= 1e6 ? [1e6, 'ms'] : Math.abs(t) >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step / div) - 1e-9)));
  return `${(t / div).toFixed(decimals)} ${unit}`;
}

export function render(ctx: Draw2D, L: TimelineLayout, w: TimeWindow, pal: TimelinePalette): void {
  const { plot } = L;
  const span = w.t1 - w.t0 > 0 ? w.t1 - w.t0 : 1;
  const k = (plot.right - plot.left) / span;
  const X = (t: number) => plot.left + (t - w.t0) * k;
  ctx.clearRect(0, 0, L.width, L.height);
  ctx.font = pal.font;
  ctx.textBaseline = 'middle';

  // Time axis.
  const x = scaleLinear().domain([w.t0, w.t1]).range([plot.left, plot.right]);
  ctx.strokeStyle = pal.grid;
  ctx.fillStyle = pal.text;
  ctx.textAlign = 'center';
  ctx.lineWidth = 1;
  ctx.beginPath();
  const ticks = x.ticks(Math.max(2, Math.floor((plot.right - plot.left) / 110)));
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : span;
  for (const t of ticks) {
    const px = round(X(t));
    ctx.moveTo(px, L.ring.top - 4);
    ctx.lineTo(px, plot.bottom);
    ctx.fillText(tickLabel(t, step), px, L.ring.top - 12);
  }
  ctx.stroke();

  // Row labels and SM separators (labels only where a row is tall enough to read).
  ctx.textAlign = 'right';
  ctx.beginPath();
  for (const r of L.rows) {
    if (r.smFirst) {
      ctx.moveTo(0, r.y);
      ctx.lineTo(plot.right, r.y);
    }
    if (L.rowHeight >= 8 || (r.smFirst && r.sm % 8 === 0))
      ctx.fillText(L.rowHeight >= 8 ? r.label : `SM ${r.sm}`, plot.left - 4, r.y + L.rowHeight / 2);
  }
  ctx.stroke();

  const band = Math.max(1, Math.floor(L.rowHeight / 4)); // tile band on top of each row
  for (let r = 0; r < L.rows.length; r++) {
    const y = L.rows[r].y;
    drawRow(ctx, L.tiles, r, w, X, y, band, (kind) => pal.tile[kind & 1]);
    drawRow(
      ctx,
      L.spans,
      r,
      w,
      X,
      y + band,
      Math.max(1, L.rowHeight - band - 1),
      (kind) => pal.phase[TRACE_PHASES[kind]],
    );
  }

  // Ring occupancy strip: one band per stage, opacity = fraction of CTAs holding it.
  const bins = Math.max(1, Math.round(plot.right - plot.left));
  const occ = ringOccupancy(L.data, bins, w.t0, w.t1);
  ctx.fillStyle = pal.text;
  ctx.textAlign = 'right';
  ctx.fillText('ring stages', plot.left - 4, L.ring.top + (occ.stages * L.ring.stageHeight) / 2);
  ctx.fillStyle = pal.ring;
  const bw = (plot.right - plot.left) / bins;
  // Opacity in 1/16 steps so neighbouring pixels of equal occupancy become one rectangle.
  for (let s = 0; s < occ.stages; s++) {
    const y = L.ring.top + s * L.ring.stageHeight;
    let b = 0;
    while (b < bins) {
      const level = Math.round(Math.min(1, occ.values[s * bins + b]) * 16);
      let e = b + 1;
      while (e < bins && Math.round(Math.min(1, occ.values[s * bins + e]) * 16) === level) e++;
      if (level > 0) {
        ctx.globalAlpha = level / 16;
        ctx.fillRect(round(plot.left + b * bw), y, round((e - b) * bw), L.ring.stageHeight - 1);
      }
      b = e;
    }
  }
  ctx.globalAlpha = 1;
}

/** One row of one index: visible spans, merging sub-pixel neighbours into one run. */
function drawRow(
  ctx: Draw2D,
  idx: TimelineLayout['spans'],
  r: number,
  w: TimeWindow,
  X: (t: number) => number,
  y: number,
  h: number,
  colour: (kind: number) => string,
): void {
  const lo = idx.offsets[r],
    hi = idx.offsets[r + 1];
  let j = firstEndingAfter(idx.end, lo, hi, w.t0);
  let runX0 = NaN,
    runX1 = NaN,
    runKind = -1;
  const left = X(w.t0),
    right = X(w.t1); // spans crossing the window's edges are cut there
  const flush = () => {
    if (runKind < 0) return;
    const a = Math.max(runX0, left),
      b = Math.min(runX1, right);
    ctx.fillStyle = colour(runKind);
    ctx.fillRect(round(a), y, round(Math.max(1, b - a)), h);
    runKind = -1;
  };
  for (; j < hi && idx.start[j] <= w.t1; j++) {
    if (idx.end[j] === idx.start[j]) continue; // e.g. a wait that did not wait: nothing to show
    const x0 = X(idx.start[j]),
      x1 = X(idx.end[j]),
      kind = idx.kind[j];
    // Same kind touching the run, or too thin to show on its own inside the run's last pixel: extend.
    if (runKind >= 0 && ((kind === runKind && x0 <= runX1 + 0.5) || (x1 - x0 < 1 && x0 < runX1 + 1))) {
      if (x1 > runX1) runX1 = x1;
      continue;
    }
    flush();
    runX0 = x0;
    runX1 = x1;
    runKind = kind;
  }
  flush();
}

export interface TimelineHit {
  what: 'span' | 'tile' | 'ring';
  /** Lines of the hover text. */
  text: string[];
}

/** What is under (px, py): a phase span, a tile band, or a ring cell; undefined over nothing. */
export function hitTest(L: TimelineLayout, w: TimeWindow, px: number, py: number): TimelineHit | undefined {
  const { plot } = L;
  if (px < plot.left || px > plot.right) return undefined;
  const k = (plot.right - plot.left) / (w.t1 - w.t0 > 0 ? w.t1 - w.t0 : 1);
  const t = w.t0 + (px - plot.left) / k;
  const tol = 2 / k; // two pixels of slack for thin spans
  if (py >= L.ring.top && py < L.ring.top + L.ring.stages * L.ring.stageHeight) {
    const stage = Math.floor((py - L.ring.top) / L.ring.stageHeight);
    const occ = ringOccupancy(L.data, 1, t - tol, t + tol);
    return {
      what: 'ring',
      text: [`stage ${stage} at ${formatNs(t)}`, `held by ${(occ.values[stage] * 100).toFixed(0)}% of CTAs`],
    };
  }
  const r = Math.floor((py - plot.top) / L.rowHeight);
  if (r < 0 || r >= L.rows.length) return undefined;
  const row = L.rows[r];
  const band = Math.max(1, Math.floor(L.rowHeight / 4));
  const inTile = py - row.y < band;
  const idx = inTile ? L.tiles : L.spans;
  const j = nearest(idx, r, t, tol);
  if (j < 0) return undefined;
  const i = idx.order[j];
  const d = L.data;
  const head = `SM ${row.sm} · CTA ${row.cta} · ${row.role}`;
  const time = `${formatNs(idx.start[j])} → ${formatNs(idx.end[j])} (${formatNs(idx.end[j] - idx.start[j])})`;
  if (inTile) return { what: 'tile', text: [`tile m ${d.tiles.tileM[i]}, n ${d.tiles.tileN[i]}`, head, time] };
  const phase = TRACE_PHASES[d.spans.phase[i]];
  const where = [`tile m ${d.spans.tileM[i]}, n ${d.spans.tileN[i]}`];
  if (d.spans.stage[i] !== 0xff) where.push(`stage ${d.spans.stage[i]}`);
  if (d.spans.kblock[i] !== 0xffff) where.push(`K-block ${d.spans.kblock[i]}`);
  return { what: 'span', text: [PHASE_LABEL[phase], head, where.join(' · '), time] };
}

function nearest(idx: TimelineLayout['spans'], r: number, t: number, tol: number): number {
  const lo = idx.offsets[r],
    hi = idx.offsets[r + 1];
  const j = firstEndingAfter(idx.end, lo, hi, t - tol);
  let best = -1,
    bestD = Infinity;
  for (let q = j; q < hi && idx.start[q] <= t + tol; q++) {
    const dist = t < idx.start[q] ? idx.start[q] - t : t > idx.end[q] ? t - idx.end[q] : 0;
    if (dist < bestD) {
      bestD = dist;
      best = q;
    }
    if (dist === 0) break;
  }
  return best;
}
