// Registers across the candidates of a shape: registers per thread from ptxas (bar), the
// setmaxnreg values of the producer and math warpgroups (ticks), and spilled bytes where any.

import { scaleBand, scaleLinear } from 'd3';
import { emptyNote, leftAxis, shortNumber, SLANT_DEG, slantedLabelFrame } from './axes';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';

export interface RegistersDatum {
  label: string;
  registers: number; // per thread, ptxas -v
  producer: number; // setmaxnreg of the TMA producer warpgroup
  math: number; // setmaxnreg of the math warpgroups
  spillBytes: number; // spill stores + loads
  chosen: boolean;
}

export function layout(data: RegistersDatum[], size: Size): ChartMarks {
  const label = 'Registers per thread across candidates';
  if (data.length === 0)
    return {
      ...size,
      label,
      marks: emptyNote(size, 'No compiled kernel yet: compile a candidate to see its registers'),
    };
  const band = { inner: 0.25, outer: 0.25 };
  const f = slantedLabelFrame(
    size,
    data.map((d) => (d.chosen ? `${d.label} *` : d.label)),
    band,
    { l: 44, t: 22, r: 8, b: 70 },
  );
  const max = Math.max(...data.flatMap((d) => [d.registers, d.producer, d.math]));
  const y = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .nice()
    .range([f.bottom, f.top]);
  const x = scaleBand<string>()
    .domain(data.map((_, i) => `${i}`))
    .range([f.left, f.right])
    .paddingInner(band.inner)
    .paddingOuter(band.outer);
  const marks: Mark[] = [...leftAxis(y, f, 'registers / thread', y.ticks(5), shortNumber)];
  marks.push({ type: 'line', x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, cls: 'axis' });
  data.forEach((d, i) => {
    // Bars at most 48 px wide, centred in their band, so one or two candidates do not fill the chart.
    const w = Math.max(Math.min(x.bandwidth(), 48), 2);
    const x0 = (x(`${i}`) ?? 0) + (x.bandwidth() - w) / 2;
    const top = px(y(d.registers));
    marks.push({
      type: 'rect',
      x: px(x0),
      y: top,
      width: px(w),
      height: px(f.bottom - top),
      cls: d.spillBytes > 0 ? 'bar regs spilling' : d.chosen ? 'bar regs chosen' : 'bar regs',
      title: `${d.label}: ${d.registers} registers/thread (ptxas)${d.spillBytes ? `, ${d.spillBytes} bytes spilled` : ''}`,
    });
    const tick = (v: number, cls: string, who: string) => {
      if (!(v > 0)) return;
      marks.push({
        type: 'line',
        x1: px(x0 - 2),
        y1: px(y(v)),
        x2: px(x0 + w + 2),
        y2: px(y(v)),
        cls,
        title: `${d.label}: ${who} warpgroup setmaxnreg ${v}`,
      });
    };
    tick(d.producer, 'tick-mark producer', 'producer');
    tick(d.math, 'tick-mark math', 'math');
    if (d.spillBytes > 0)
      marks.push({
        type: 'text',
        x: px(x0 + w / 2),
        y: px(top - 3),
        text: `${d.spillBytes} B spill`,
        cls: 'warn-label',
        anchor: 'middle',
      });
    marks.push({
      type: 'text',
      x: px(x0 + w / 2),
      y: f.bottom + 10,
      text: d.chosen ? `${d.label} *` : d.label,
      cls: 'tick',
      anchor: 'end',
      rotate: -SLANT_DEG,
    });
  });
  marks.push({ type: 'line', x1: f.right - 250, y1: 10, x2: f.right - 236, y2: 10, cls: 'tick-mark producer' });
  marks.push({ type: 'text', x: f.right - 232, y: 14, text: 'producer setmaxnreg', cls: 'legend' });
  marks.push({ type: 'line', x1: f.right - 110, y1: 10, x2: f.right - 96, y2: 10, cls: 'tick-mark math' });
  marks.push({ type: 'text', x: f.right - 92, y: 14, text: 'math setmaxnreg', cls: 'legend' });
  return { ...size, label, marks };
}

export const render = renderMarks;
