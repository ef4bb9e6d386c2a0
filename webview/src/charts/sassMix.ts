// The instruction mix of one SASS function (or two, side by side, for a diff) as horizontal bars:
// tensor-core instructions by opcode and shape first, then the other families. Pure layout() on
// plain data; render() is the shared SVG renderer.

import { scaleLinear } from 'd3';
import type { InstructionMix } from '../../../extension/src/core/sass/mix';
import { FAMILY_LABELS } from '../../../extension/src/core/sass/mix';
import { emptyNote, frame, shortNumber } from './axes';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';

export interface MixBar {
  label: string;
  /** One value (a listing) or two (left, right of a diff). */
  values: number[];
  tensor: boolean;
}

/** Bars for one or two mixes: every tensor-core key, then every family other than tensor. */
export function mixBars(mixes: InstructionMix[]): MixBar[] {
  const tensorKeys = [
    ...new Set(mixes.flatMap((m) => m.entries.filter((e) => e.family === 'tensor').map((e) => e.key))),
  ];
  const families = [...new Set(mixes.flatMap((m) => m.families.map((f) => f.family)))].filter((f) => f !== 'tensor');
  const bars: MixBar[] = tensorKeys.map((key) => ({
    label: key,
    tensor: true,
    values: mixes.map((m) => m.entries.find((e) => e.key === key)?.count ?? 0),
  }));
  for (const family of families)
    bars.push({
      label: FAMILY_LABELS[family],
      tensor: false,
      values: mixes.map((m) => m.families.find((f) => f.family === family)?.count ?? 0),
    });
  // Tensor-core shapes first (largest first), then families by their largest count.
  return bars.sort(
    (a, b) =>
      Number(b.tensor) - Number(a.tensor) ||
      Math.max(...b.values) - Math.max(...a.values) ||
      a.label.localeCompare(b.label),
  );
}

export function layout(bars: MixBar[], size: Size, seriesNames: string[] = []): ChartMarks {
  const label =
    seriesNames.length === 2 ? `Instruction mix: ${seriesNames[0]} vs ${seriesNames[1]}` : 'Instruction mix';
  if (bars.length === 0) return { ...size, label, marks: emptyNote(size, 'No instructions to count') };
  const series = Math.max(...bars.map((b) => b.values.length));
  const rowH = series === 2 ? 22 : 16;
  const height = Math.max(size.height, 30 + bars.length * rowH);
  const f = frame({ width: size.width, height }, { l: 230, t: 20, r: 60, b: 10 });
  const max = Math.max(1, ...bars.flatMap((b) => b.values));
  const x = scaleLinear().domain([0, max]).range([f.left, f.right]);
  const marks: Mark[] = [{ type: 'line', x1: f.left, y1: f.top, x2: f.left, y2: f.bottom, cls: 'axis' }];
  bars.forEach((b, i) => {
    const y0 = f.top + i * rowH;
    marks.push({
      type: 'text',
      x: f.left - 6,
      y: px(y0 + rowH / 2 + 3),
      text: b.label,
      cls: b.tensor ? 'tick tensor-label' : 'tick',
      anchor: 'end',
    });
    const h = (rowH - 4) / series;
    b.values.forEach((v, s) => {
      const y = px(y0 + 2 + s * h);
      const w = px(x(v) - f.left);
      const who = seriesNames[s] ? `${seriesNames[s]}: ` : '';
      marks.push({
        type: 'rect',
        x: f.left,
        y,
        width: Math.max(w, v > 0 ? 1 : 0),
        height: px(h - 1),
        cls: `bar mix ${b.tensor ? 'tensor' : 'other'} series-${s}`,
        title: `${who}${b.label}: ${v} instruction(s)`,
      });
      marks.push({
        type: 'text',
        x: px(f.left + w + 4),
        y: px(y + h - 2),
        text: shortNumber(v),
        cls: 'tick',
        anchor: 'start',
      });
    });
    if (b.values.length === 2 && b.values[1] !== b.values[0]) {
      const d = b.values[1] - b.values[0];
      marks.push({
        type: 'text',
        x: f.right + 56,
        y: px(y0 + rowH / 2 + 3),
        text: `${d > 0 ? '+' : ''}${d}`,
        cls: d > 0 ? 'delta up' : 'delta down',
        anchor: 'end',
      });
    }
  });
  if (seriesNames.length === 2) {
    marks.push({ type: 'rect', x: f.left, y: 4, width: 10, height: 8, cls: 'bar mix other series-0' });
    marks.push({ type: 'text', x: f.left + 14, y: 12, text: seriesNames[0], cls: 'legend' });
    marks.push({ type: 'rect', x: f.left + 160, y: 4, width: 10, height: 8, cls: 'bar mix other series-1' });
    marks.push({ type: 'text', x: f.left + 174, y: 12, text: seriesNames[1], cls: 'legend' });
  }
  return { width: size.width, height, label, marks };
}

export const render = renderMarks;
