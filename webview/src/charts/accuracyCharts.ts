// Accuracy charts as marks (see marks.ts): the relative-error histogram on log-spaced bins, and the
// per-output-tile error heatmap. Pure layout(); drawn by renderMarks (SVG). The three variants
// are laid out with a shared y maximum / colour domain so they compare side by side.

import { scaleLinear } from 'd3';
import type { ErrorHistogram } from '../../../extension/protocol/trace';
import type { Heatmap } from '../../../extension/src/core/accuracy/heatmap';
import { emptyNote, frame, leftAxis, shortNumber } from './axes';
import { px, type ChartMarks, type Mark, type Size } from './marks';

const sci = (v: number) => (v === 0 ? '0' : v.toExponential(0).replace('e+', 'e'));

/** Histogram of relative error; `yMax` shared across variants (0 = this histogram's own). */
export function histogramLayout(h: ErrorHistogram, size: Size, title: string, yMax = 0): ChartMarks {
  const label = `${title}: relative error histogram`;
  const total = h.counts.reduce((a, b) => a + b, 0) + h.zero + h.below + h.above + h.nonFinite;
  if (total === 0) return { ...size, label, marks: emptyNote(size, 'No outputs were compared') };
  const f = frame(size, { l: 44, t: 10, r: 8, b: 34 });
  // Columns: [≤ lo (zero + below)] [bins...] [≥ hi] [NaN]
  const cols = h.counts.length + 3;
  const colW = (f.right - f.left) / cols;
  const values = [h.zero + h.below, ...h.counts, h.above, h.nonFinite];
  const max = Math.max(yMax, ...values, 1);
  const y = scaleLinear().domain([0, max]).nice().range([f.bottom, f.top]);
  const marks: Mark[] = [...leftAxis(y, f, 'outputs', y.ticks(4), shortNumber)];
  marks.push({ type: 'line', x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, cls: 'axis' });
  const lo = 10 ** h.log10Lo;
  const hi = 10 ** (h.log10Lo + h.counts.length / h.perDecade);
  values.forEach((v, c) => {
    if (v === 0) return;
    const top = px(y(v));
    const what =
      c === 0
        ? `error below ${sci(lo)} (${h.zero} exactly zero)`
        : c === cols - 2
          ? `error ≥ ${sci(hi)}`
          : c === cols - 1
            ? 'NaN or Inf outputs'
            : `error in [${sci(10 ** (h.log10Lo + (c - 1) / h.perDecade))}, ${sci(10 ** (h.log10Lo + c / h.perDecade))})`;
    const cls = c === cols - 1 ? 'bar hist nonfinite' : c === 0 || c === cols - 2 ? 'bar hist edge' : 'bar hist';
    marks.push({
      type: 'rect',
      x: px(f.left + c * colW + 0.5),
      y: top,
      width: px(Math.max(1, colW - 1)),
      height: px(f.bottom - top),
      cls,
      title: `${v} outputs: ${what}`,
    });
  });
  // Decade ticks under the bin edges they fall on.
  for (let d = 0; d <= h.counts.length / h.perDecade; d++) {
    const x = px(f.left + (1 + d * h.perDecade) * colW);
    marks.push({ type: 'line', x1: x, y1: f.bottom, x2: x, y2: f.bottom + 4, cls: 'axis' });
    if (d % 2 === 0)
      marks.push({
        type: 'text',
        x,
        y: f.bottom + 14,
        text: sci(10 ** (h.log10Lo + d)),
        cls: 'tick',
        anchor: 'middle',
      });
  }
  marks.push({ type: 'text', x: px(f.right - colW / 2), y: f.bottom + 14, text: 'NaN', cls: 'tick', anchor: 'middle' });
  marks.push({
    type: 'text',
    x: px((f.left + f.right) / 2),
    y: f.bottom + 28,
    text: '|x − y| / max(|y|, floor)',
    cls: 'axis-title',
    anchor: 'middle',
  });
  return { ...size, label, marks };
}

/** Colour class 0..8 of a value on a log scale over `domain` (relative errors span decades). */
export function heatLevel(v: number, domain: [number, number]): number {
  if (!Number.isFinite(v)) return -1;
  const [a, b] = domain;
  if (!(b > 0)) return 0;
  const lo = a > 0 ? Math.log10(a) : Math.log10(b) - 3;
  const hi = Math.log10(b);
  if (v <= 0 || hi <= lo) return v >= b && hi <= lo ? 8 : 0;
  return Math.max(0, Math.min(8, Math.round(((Math.log10(v) - lo) / (hi - lo)) * 8)));
}

export function heatmapLayout(
  hm: Heatmap,
  size: Size,
  title: string,
  domain: [number, number],
  blockM: number,
  blockN: number,
): ChartMarks {
  const label = `${title}: ${hm.metric === 'relRms' ? 'relative RMS' : 'max absolute'} error per output tile`;
  const f = frame(size, { l: 30, t: 8, r: 8, b: 22 });
  const cell = Math.max(1, Math.min((f.right - f.left) / hm.cols, (f.bottom - f.top) / hm.rows));
  const marks: Mark[] = [];
  for (let r = 0; r < hm.rows; r++) {
    for (let c = 0; c < hm.cols; c++) {
      const v = hm.values[r * hm.cols + c];
      const level = heatLevel(v, domain);
      const m0 = r * hm.tilesPerRow,
        n0 = c * hm.tilesPerCol;
      const tiles =
        hm.tilesPerRow * hm.tilesPerCol > 1
          ? `tiles m ${m0}..${m0 + hm.tilesPerRow - 1}, n ${n0}..${n0 + hm.tilesPerCol - 1}`
          : `tile m ${m0}, n ${n0}`;
      marks.push({
        type: 'rect',
        x: px(f.left + c * cell),
        y: px(f.top + r * cell),
        width: px(cell),
        height: px(cell),
        cls: level < 0 ? 'heat none' : `heat h${level}`,
        title: `${tiles} (rows ${m0 * blockM}.., cols ${n0 * blockN}..): ${Number.isFinite(v) ? v.toExponential(2) : 'no reference energy'}`,
      });
    }
  }
  marks.push({
    type: 'text',
    x: f.left,
    y: px(f.top + hm.rows * cell + 14),
    text: `N → ${hm.rows}x${hm.cols} cells of ${hm.tilesPerRow}x${hm.tilesPerCol} tiles`,
    cls: 'tick',
  });
  marks.push({
    type: 'text',
    x: 12,
    y: px(f.top + (hm.rows * cell) / 2),
    text: 'M',
    cls: 'axis-title',
    anchor: 'middle',
  });
  marks.push({
    type: 'text',
    x: px(f.right),
    y: px(f.top + hm.rows * cell + 14),
    text: `${sci(domain[0])} … ${sci(domain[1])}`,
    cls: 'tick',
    anchor: 'end',
  });
  return { width: size.width, height: Math.min(size.height, Math.ceil(f.top + hm.rows * cell + 22)), label, marks };
}
