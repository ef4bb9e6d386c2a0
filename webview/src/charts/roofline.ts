// Achieved throughput against arithmetic intensity on log-log axes, under the device's measured
// compute roof (FP8 TFLOPS) and bandwidth roof (GB/s x FLOP/byte). Without measured ceilings the
// points are drawn alone and the chart says the roofs were not measured (none is invented).

import { scaleLog } from 'd3';
import { bottomAxis, emptyNote, frame, leftAxis, logTicks, shortNumber } from './axes';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';

export interface RooflinePoint {
  label: string;
  intensity: number;
  tflops: number;
}
export interface RooflineData {
  points: RooflinePoint[];
  ceilings?: { fp8Tflops: number; bandwidthGBps: number; method: string };
}

/** Attainable TFLOPS at an intensity (FLOP/byte): min(compute roof, bandwidth x intensity). */
export function attainable(intensity: number, c: { fp8Tflops: number; bandwidthGBps: number }): number {
  return Math.min(c.fp8Tflops, (c.bandwidthGBps * intensity) / 1000);
}

export function layout(data: RooflineData, size: Size): ChartMarks {
  const label = 'Roofline: achieved TFLOPS vs arithmetic intensity';
  const pts = data.points.filter(
    (p) => p.intensity > 0 && p.tflops > 0 && Number.isFinite(p.intensity) && Number.isFinite(p.tflops),
  );
  if (pts.length === 0)
    return { ...size, label, marks: emptyNote(size, 'No timings in this run: nothing to place under the roofs') };
  const c = data.ceilings && data.ceilings.fp8Tflops > 0 && data.ceilings.bandwidthGBps > 0 ? data.ceilings : undefined;
  const ridge = c ? (c.fp8Tflops * 1000) / c.bandwidthGBps : undefined;
  const xs = pts.map((p) => p.intensity).concat(ridge ? [ridge] : []);
  const ys = pts.map((p) => p.tflops).concat(c ? [c.fp8Tflops] : []);
  const f = frame(size, { l: 52, t: 22, r: 12, b: 40 });
  const x = scaleLog()
    .domain([Math.min(...xs) / 2, Math.max(...xs) * 2])
    .range([f.left, f.right]);
  const yLo = Math.min(...ys, c ? attainable(x.domain()[0], c) : Infinity) / 2;
  const y = scaleLog()
    .domain([yLo, Math.max(...ys) * 1.5])
    .range([f.bottom, f.top]);
  const marks: Mark[] = [
    ...leftAxis(y, f, 'TFLOPS', logTicks(...(y.domain() as [number, number])), shortNumber),
    ...bottomAxis(x, f, 'arithmetic intensity (FLOP/byte)', logTicks(...(x.domain() as [number, number])), shortNumber),
  ];
  if (c && ridge) {
    const [x0, x1] = x.domain();
    const yAt = (ai: number) => px(y(Math.max(attainable(ai, c), y.domain()[0])));
    const d = `M${px(x(x0))},${yAt(x0)}L${px(x(ridge))},${yAt(ridge)}L${px(x(x1))},${yAt(x1)}`;
    marks.push({
      type: 'path',
      d,
      cls: 'roof',
      title: `measured roofs: ${c.fp8Tflops.toFixed(0)} TFLOPS, ${c.bandwidthGBps.toFixed(0)} GB/s (${c.method})`,
    });
    marks.push({
      type: 'text',
      x: f.right - 2,
      y: px(y(c.fp8Tflops) - 4),
      text: `${c.fp8Tflops.toFixed(0)} TFLOPS (measured)`,
      cls: 'roof-label',
      anchor: 'end',
    });
    marks.push({
      type: 'text',
      x: px(x(ridge) - 6),
      y: px(y(c.fp8Tflops) + 14),
      text: `${c.bandwidthGBps.toFixed(0)} GB/s`,
      cls: 'roof-label',
      anchor: 'end',
    });
  } else {
    marks.push({
      type: 'text',
      x: f.left + 6,
      y: f.top + 4,
      text: 'device ceilings not measured in this run: no roofs drawn',
      cls: 'note',
      anchor: 'start',
    });
  }
  for (const p of pts) {
    const share = c ? ` · ${((100 * p.tflops) / attainable(p.intensity, c)).toFixed(0)}% of the roof` : '';
    marks.push({
      type: 'circle',
      cx: px(x(p.intensity)),
      cy: px(y(p.tflops)),
      r: 4,
      cls: 'point ours',
      title: `${p.label}: ${p.tflops.toFixed(1)} TFLOPS at ${p.intensity.toFixed(1)} FLOP/B${share}`,
    });
  }
  return { ...size, label, marks };
}

export const render = renderMarks;
