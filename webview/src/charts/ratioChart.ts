// Ratios per shape on a log axis around 1: the peers' time over ours (results panel: above 1 ours
// is faster), or run B over run A (compare). A dot per shape and series, with a whisker for the
// ratio's spread when it is known, and a line at 1. layout() is pure; render() draws.

import { scaleBand, scaleLog } from 'd3';
import { emptyNote, SLANT_DEG, slantedLabelFrame } from './axes';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';
import { legend, SHAPE_BANDS, type TflopsSeries } from './tflopsBars';

export interface RatioPoint {
  /** The ratio; absent = not measured for this shape. */
  ratio?: number;
  /** Relative half-width of the ratio's uncertainty (e.g. the two spreads added); drawn as a whisker. */
  spread?: number;
}

export interface RatioDatum {
  label: string;
  points: Record<string, RatioPoint | undefined>;
}

export interface RatioOptions {
  title: string;
  /** Axis title, e.g. "peer time / our time". */
  axis: string;
  /** What a ratio above 1 means, drawn above the line at 1 ("ours faster"). */
  above: string;
  below: string;
}

export function layout(data: RatioDatum[], series: TflopsSeries[], size: Size, o: RatioOptions): ChartMarks {
  const present = series.filter((s) => data.some((d) => d.points[s.id]?.ratio !== undefined));
  const rows = data.filter((d) => present.some((s) => d.points[s.id]?.ratio !== undefined));
  if (rows.length === 0) return { ...size, label: o.title, marks: emptyNote(size, 'No ratios to show') };
  const band = SHAPE_BANDS;
  const f = slantedLabelFrame(
    size,
    rows.map((d) => d.label),
    band,
    { l: 52, t: 26, r: 8, b: 64 },
  );
  const values = rows.flatMap((d) =>
    present.flatMap((s) => {
      const p = d.points[s.id];
      if (p?.ratio === undefined) return [];
      const e = p.spread ?? 0;
      return [p.ratio * (1 + e), p.ratio / (1 + e)];
    }),
  );
  const lo = Math.min(1, ...values),
    hi = Math.max(1, ...values);
  const pad = Math.max(0.02, Math.log(hi / lo) * 0.08);
  const y = scaleLog()
    .domain([lo * Math.exp(-pad), hi * Math.exp(pad)])
    .range([f.bottom, f.top]);
  const x = scaleBand<string>()
    .domain(rows.map((_, i) => `${i}`))
    .range([f.left, f.right])
    .paddingInner(band.inner)
    .paddingOuter(band.outer);
  const marks: Mark[] = [{ type: 'line', x1: f.left, y1: f.top, x2: f.left, y2: f.bottom, cls: 'axis' }];
  for (const t of ratioTicks(y.domain()[0], y.domain()[1])) {
    const ty = px(y(t));
    marks.push({ type: 'line', x1: f.left, y1: ty, x2: f.right, y2: ty, cls: t === 1 ? 'unity' : 'grid' });
    marks.push({ type: 'text', x: f.left - 4, y: px(ty + 3), text: `${t.toFixed(2)}x`, cls: 'tick', anchor: 'end' });
  }
  marks.push({
    type: 'text',
    x: 12,
    y: px((f.top + f.bottom) / 2),
    text: o.axis,
    cls: 'axis-title',
    anchor: 'middle',
    rotate: -90,
  });
  // What each side of the line means, in the plot's top and bottom corners (clear of the points' band at 1).
  marks.push({ type: 'text', x: f.left + 4, y: f.top + 10, text: `▲ ${o.above}`, cls: 'note', anchor: 'start' });
  marks.push({ type: 'text', x: f.left + 4, y: f.bottom - 4, text: `▼ ${o.below}`, cls: 'note', anchor: 'start' });
  const step = x.bandwidth() / present.length;
  rows.forEach((d, i) => {
    const x0 = x(`${i}`) ?? 0;
    present.forEach((s, j) => {
      const p = d.points[s.id];
      if (p?.ratio === undefined) return;
      const cx = px(x0 + (j + 0.5) * step);
      const spreadText = p.spread !== undefined ? ` ± ${(100 * p.spread).toFixed(1)}%` : '';
      if (p.spread !== undefined && p.spread > 0) {
        marks.push({
          type: 'line',
          x1: cx,
          y1: px(y(p.ratio * (1 + p.spread))),
          x2: cx,
          y2: px(y(p.ratio / (1 + p.spread))),
          cls: `whisker series-${s.id}`,
        });
      }
      marks.push({
        type: 'circle',
        cx,
        cy: px(y(p.ratio)),
        r: 3.5,
        cls: `point series-${s.id}`,
        title: `${d.label}: ${s.name} ${p.ratio.toFixed(3)}x${spreadText}`,
      });
    });
    marks.push({
      type: 'text',
      x: px(x0 + x.bandwidth() / 2),
      y: f.bottom + 10,
      text: d.label,
      cls: 'tick',
      anchor: 'end',
      rotate: -SLANT_DEG,
    });
  });
  marks.push(...legend(present, f.left, 6, (s) => `point series-${s.id}`));
  return { ...size, label: o.title, marks };
}

/** Ticks of a ratio axis: 1 and round steps either side, at most about seven. */
export function ratioTicks(lo: number, hi: number): number[] {
  const span = Math.log(hi / lo);
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1].find((s) => Math.log(1 + s) * 6 >= span) ?? 1;
  const out: number[] = [];
  for (let t = 1; t <= hi; t = +(t + step).toFixed(6)) if (t >= lo) out.push(t);
  for (let t = +(1 - step).toFixed(6); t >= lo && t > 0; t = +(t - step).toFixed(6)) out.unshift(t);
  return out;
}

export const render = renderMarks;
