// TFLOPS per shape, ours against every peer the run measured (cuBLASLt, DeepGEMM, torch._scaled_mm):
// one group of bars per shape, one bar per series. layout() is pure; render() draws.

import { scaleBand, scaleLinear } from 'd3';
import { emptyNote, leftAxis, shortNumber, SLANT_DEG, slantedLabelFrame, TICK_CHAR_PX } from './axes';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';

/** A bar series: 'ours' or a peer id; cls picks its theme colour in media/charts.css. */
export interface TflopsSeries {
  id: string;
  name: string;
}

export interface TflopsDatum {
  label: string; // "64x2112x7168"
  /** TFLOPS by series id ('ours', 'cublaslt', 'deepgemm', 'torch'); absent = not measured. */
  values: Record<string, number | undefined>;
}

/** How the per-shape charts (these bars, the peer ratios) space their shapes along x. */
export const SHAPE_BANDS = { inner: 0.2, outer: 0.1 };

export function layout(data: TflopsDatum[], series: TflopsSeries[], size: Size): ChartMarks {
  const present = series.filter((s) => data.some((d) => d.values[s.id] !== undefined));
  const peers = present.filter((s) => s.id !== 'ours');
  const label = peers.length ? `TFLOPS per shape: ours vs ${peers.map((s) => s.name).join(', ')}` : 'TFLOPS per shape';
  const rows = data.filter((d) => present.some((s) => d.values[s.id] !== undefined));
  if (rows.length === 0)
    return { ...size, label, marks: emptyNote(size, 'No timings in this run (study mode or not measured)') };
  const band = SHAPE_BANDS;
  const f = slantedLabelFrame(
    size,
    rows.map((d) => d.label),
    band,
    { l: 48, t: 26, r: 8, b: 64 },
  );
  const max = Math.max(...rows.flatMap((d) => present.map((s) => d.values[s.id] ?? 0)));
  const y = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .nice()
    .range([f.bottom, f.top]);
  const x = scaleBand<string>()
    .domain(rows.map((_, i) => `${i}`))
    .range([f.left, f.right])
    .paddingInner(band.inner)
    .paddingOuter(band.outer);
  const marks: Mark[] = [...leftAxis(y, f, 'TFLOPS', y.ticks(5), shortNumber)];
  marks.push({ type: 'line', x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, cls: 'axis' });
  const barWidth = x.bandwidth() / present.length;
  rows.forEach((d, i) => {
    const x0 = x(`${i}`) ?? 0;
    present.forEach((s, j) => {
      const v = d.values[s.id];
      if (v === undefined) return;
      const top = px(y(v));
      marks.push({
        type: 'rect',
        x: px(x0 + j * barWidth),
        y: top,
        width: px(Math.max(barWidth - 1, 1)),
        height: px(f.bottom - top),
        cls: `bar ${s.id === 'ours' ? 'ours' : 'peer'} series-${s.id}`,
        title: `${d.label}: ${s.name} ${v.toFixed(1)} TFLOPS`,
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
  marks.push(...legend(present, f.left, 6));
  return { ...size, label, marks };
}

/** A one-line legend of swatches and names from x0 rightwards (about 6.2 px per character). */
export function legend(
  series: TflopsSeries[],
  x0: number,
  y0: number,
  cls = (s: TflopsSeries) => `bar series-${s.id}`,
): Mark[] {
  const marks: Mark[] = [];
  let x = x0;
  for (const s of series) {
    marks.push({ type: 'rect', x, y: y0, width: 10, height: 10, cls: cls(s) });
    marks.push({ type: 'text', x: x + 14, y: y0 + 9, text: s.name, cls: 'legend' });
    x += 24 + Math.ceil(s.name.length * TICK_CHAR_PX);
  }
  return marks;
}

export const render = renderMarks;
