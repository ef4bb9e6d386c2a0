// Axis marks from d3 scales: a domain line, ticks and labels. Pure (scales only, no DOM).

import type { ScaleContinuousNumeric } from 'd3';
import { px, type Mark } from './marks';

export interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Frame inside a size with margins: left/top/right/bottom are pixel coordinates of the plot. */
export function frame(
  size: { width: number; height: number },
  m: { l: number; t: number; r: number; b: number },
): Frame {
  return { left: m.l, top: m.t, right: size.width - m.r, bottom: size.height - m.b };
}

/** About how wide one character of a tick label is, in px (the charts' 10–11 px sans): for room, not for layout. */
export const TICK_CHAR_PX = 6.2;
/** A tick label's line height, in px: slanted, it widens the label's box leftwards and downwards. */
export const TICK_LINE_PX = 11;
/** The angle x labels are slanted at, up to the left, anchored at their end under their band. */
export const SLANT_DEG = 35;

/** How a band scale spaces its bands (d3's paddingInner / paddingOuter). */
export interface BandPadding {
  inner: number;
  outer: number;
}

/**
 * The frame of a chart with x labels slanted under `labels.length` bands: the margins given, with
 * the left one raised until the start of the first label (it reaches leftwards from the middle of
 * its band) is at x ≥ 0, and the bottom one until the longest label (from `gap` under the axis)
 * ends above the chart's bottom edge.
 */
export function slantedLabelFrame(
  size: { width: number; height: number },
  labels: string[],
  band: BandPadding,
  m: { l: number; t: number; r: number; b: number },
  gap = 10,
): Frame {
  const rad = (SLANT_DEG * Math.PI) / 180;
  const reach = (s: string) => s.length * TICK_CHAR_PX;
  // The first band's middle is `mid` steps into the range, which holds `steps` steps:
  // anchor = left + mid · (width − r − left) / steps, which must be ≥ the first label's reach.
  const steps = labels.length - band.inner + 2 * band.outer;
  const mid = band.outer + (1 - band.inner) / 2;
  const firstReach = reach(labels[0] ?? '') * Math.cos(rad) + TICK_LINE_PX * Math.sin(rad);
  const left = (firstReach - (mid * (size.width - m.r)) / steps) / (1 - mid / steps);
  const below = gap + Math.max(0, ...labels.map(reach)) * Math.sin(rad) + TICK_LINE_PX * Math.cos(rad);
  return frame(size, { l: Math.max(m.l, Math.ceil(left)), t: m.t, r: m.r, b: Math.max(m.b, Math.ceil(below)) });
}

export function leftAxis(
  scale: ScaleContinuousNumeric<number, number>,
  f: Frame,
  title: string,
  ticks: number[],
  fmt: (v: number) => string,
): Mark[] {
  const marks: Mark[] = [{ type: 'line', x1: f.left, y1: f.top, x2: f.left, y2: f.bottom, cls: 'axis' }];
  for (const t of ticks) {
    const y = px(scale(t));
    marks.push({ type: 'line', x1: f.left, y1: y, x2: f.right, y2: y, cls: 'grid' });
    marks.push({ type: 'text', x: f.left - 4, y: px(y + 3), text: fmt(t), cls: 'tick', anchor: 'end' });
  }
  marks.push({
    type: 'text',
    x: 12,
    y: px((f.top + f.bottom) / 2),
    text: title,
    cls: 'axis-title',
    anchor: 'middle',
    rotate: -90,
  });
  return marks;
}

export function bottomAxis(
  scale: ScaleContinuousNumeric<number, number>,
  f: Frame,
  title: string,
  ticks: number[],
  fmt: (v: number) => string,
): Mark[] {
  const marks: Mark[] = [{ type: 'line', x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, cls: 'axis' }];
  for (const t of ticks) {
    const x = px(scale(t));
    marks.push({ type: 'line', x1: x, y1: f.bottom, x2: x, y2: f.bottom + 4, cls: 'axis' });
    marks.push({ type: 'text', x, y: f.bottom + 15, text: fmt(t), cls: 'tick', anchor: 'middle' });
  }
  marks.push({
    type: 'text',
    x: px((f.left + f.right) / 2),
    y: f.bottom + 30,
    text: title,
    cls: 'axis-title',
    anchor: 'middle',
  });
  return marks;
}

/** Powers of ten inside a log domain (plus the ends when fewer than two fall inside). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = 10 ** e;
    if (v >= lo && v <= hi) out.push(v);
  }
  return out.length >= 2 ? out : [lo, hi];
}

/** Short number text: 1.2k, 35, 0.5. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 1 || a === 0) return `${+v.toPrecision(3)}`;
  return `${+v.toPrecision(2)}`;
}

/** A message in place of a chart when there is nothing to plot (never an empty frame). */
export function emptyNote(size: { width: number; height: number }, text: string): Mark[] {
  return [{ type: 'text', x: px(size.width / 2), y: px(size.height / 2), text, cls: 'note', anchor: 'middle' }];
}
