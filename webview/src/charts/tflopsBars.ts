// TFLOPS per shape, ours against the peer (cuBLASLt): grouped bars. layout() is pure; render() draws.

import { scaleBand, scaleLinear } from 'd3';
import { emptyNote, frame, leftAxis, shortNumber } from './axes';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';

export interface TflopsDatum {
  label: string;       // "64x2112x7168"
  ours?: number;       // TFLOPS measured for our kernel
  peer?: number;       // TFLOPS measured for cuBLASLt on the same inputs
}

export function layout(data: TflopsDatum[], size: Size): ChartMarks {
  const label = 'TFLOPS per shape: ours vs cuBLASLt';
  const rows = data.filter((d) => d.ours !== undefined || d.peer !== undefined);
  if (rows.length === 0) return { ...size, label, marks: emptyNote(size, 'No timings in this run (study mode or not measured)') };
  const f = frame(size, { l: 48, t: 24, r: 8, b: 64 });
  const max = Math.max(...rows.flatMap((d) => [d.ours ?? 0, d.peer ?? 0]));
  const y = scaleLinear().domain([0, max > 0 ? max : 1]).nice().range([f.bottom, f.top]);
  const x = scaleBand<string>().domain(rows.map((d, i) => `${i}`)).range([f.left, f.right]).paddingInner(0.2).paddingOuter(0.1);
  const marks: Mark[] = [...leftAxis(y, f, 'TFLOPS', y.ticks(5), shortNumber)];
  marks.push({ type: 'line', x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, cls: 'axis' });
  const half = x.bandwidth() / 2;
  rows.forEach((d, i) => {
    const x0 = x(`${i}`) ?? 0;
    const bar = (v: number | undefined, dx: number, cls: string, who: string) => {
      if (v === undefined) return;
      const top = px(y(v));
      marks.push({ type: 'rect', x: px(x0 + dx), y: top, width: px(Math.max(half - 1, 1)), height: px(f.bottom - top), cls, title: `${d.label}: ${who} ${v.toFixed(1)} TFLOPS` });
    };
    bar(d.ours, 0, 'bar ours', 'ours');
    bar(d.peer, half, 'bar peer', 'cuBLASLt');
    const cx = px(x0 + half);
    marks.push({ type: 'text', x: cx, y: f.bottom + 10, text: d.label, cls: 'tick', anchor: 'end', rotate: -35 });
  });
  marks.push({ type: 'rect', x: f.right - 150, y: 6, width: 10, height: 10, cls: 'bar ours' });
  marks.push({ type: 'text', x: f.right - 136, y: 15, text: 'ours', cls: 'legend' });
  // The peer's legend entry only when it has bars (grouped runs have no cuBLASLt peer).
  const withPeer = rows.some((d) => d.peer !== undefined);
  if (withPeer) {
    marks.push({ type: 'rect', x: f.right - 90, y: 6, width: 10, height: 10, cls: 'bar peer' });
    marks.push({ type: 'text', x: f.right - 76, y: 15, text: 'cuBLASLt', cls: 'legend' });
  }
  return { ...size, label: withPeer ? label : 'TFLOPS per shape', marks };
}

export const render = renderMarks;
