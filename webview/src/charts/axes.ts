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
