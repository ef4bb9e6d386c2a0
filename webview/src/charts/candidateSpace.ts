// The candidate space of one shape: the cost model's predicted µs for each legal candidate (in
// order of prediction), with the measured µs beside it where the candidate was timed. Shows at a
// glance whether the prediction ranks the candidates the way the GPU does.

import { scaleBand, scaleLinear } from 'd3';
import { emptyNote, frame, leftAxis, shortNumber } from './axes';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';

export interface CandidatePoint {
  index: number; // index in ConfigReport.candidates
  label: string; // "128x128 s5 wg2 c2x1"
  predictedUs?: number;
  measuredUs?: number;
  chosen: boolean;
}

/** A peer's measured time for the shape, drawn across the chart as a reference line. */
export interface PeerReference {
  id: string;
  name: string;
  us: number;
}

export function layout(data: CandidatePoint[], size: Size, refs: PeerReference[] = []): ChartMarks {
  const label = `Candidate space: predicted and measured µs per candidate${refs.length ? `, with ${refs.map((r) => r.name).join(', ')}` : ''}`;
  const rows = data
    .filter((d) => d.predictedUs !== undefined || d.measuredUs !== undefined)
    .slice()
    .sort((a, b) => (a.predictedUs ?? Infinity) - (b.predictedUs ?? Infinity) || a.index - b.index);
  if (rows.length === 0) return { ...size, label, marks: emptyNote(size, 'No legal candidate with a prediction') };
  const f = frame(size, { l: 48, t: 22, r: 8, b: 28 });
  const max = Math.max(...rows.flatMap((d) => [d.predictedUs ?? 0, d.measuredUs ?? 0]), ...refs.map((r) => r.us));
  const y = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .nice()
    .range([f.bottom, f.top]);
  const x = scaleBand<number>()
    .domain(rows.map((d) => d.index))
    .range([f.left, f.right])
    .padding(0.3);
  const marks: Mark[] = [...leftAxis(y, f, 'µs', y.ticks(5), shortNumber)];
  marks.push({ type: 'line', x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, cls: 'axis' });
  marks.push({
    type: 'text',
    x: px((f.left + f.right) / 2),
    y: f.bottom + 18,
    text: `${rows.length} legal candidates, ordered by predicted time`,
    cls: 'axis-title',
    anchor: 'middle',
  });
  for (const d of rows) {
    const cx = px((x(d.index) ?? 0) + x.bandwidth() / 2);
    if (d.chosen)
      marks.push({
        type: 'rect',
        x: px(x(d.index) ?? 0),
        y: f.top,
        width: px(Math.max(x.bandwidth(), 1)),
        height: px(f.bottom - f.top),
        cls: 'chosen-band',
        title: `#${d.index} ${d.label}: the heuristic's choice`,
      });
    if (d.predictedUs !== undefined && d.measuredUs !== undefined) {
      marks.push({ type: 'line', x1: cx, y1: px(y(d.predictedUs)), x2: cx, y2: px(y(d.measuredUs)), cls: 'link' });
    }
    if (d.predictedUs !== undefined) {
      marks.push({
        type: 'circle',
        cx,
        cy: px(y(d.predictedUs)),
        r: 3.5,
        cls: d.chosen ? 'point predicted chosen' : 'point predicted',
        title: `#${d.index} ${d.label}: predicted ${d.predictedUs.toFixed(2)} µs`,
      });
    }
    if (d.measuredUs !== undefined) {
      const cy = px(y(d.measuredUs));
      marks.push({
        type: 'rect',
        x: px(cx - 3.5),
        y: px(cy - 3.5),
        width: 7,
        height: 7,
        cls: d.chosen ? 'point measured chosen' : 'point measured',
        title: `#${d.index} ${d.label}: measured ${d.measuredUs.toFixed(2)} µs`,
      });
    }
  }
  // The peers' times: a dashed line each, named at its right end (labels pushed apart when close).
  let lastLabelY = -Infinity;
  for (const r of refs.slice().sort((a, b) => b.us - a.us)) {
    const ry = px(y(r.us));
    marks.push({
      type: 'line',
      x1: f.left,
      y1: ry,
      x2: f.right,
      y2: ry,
      cls: `peer-line series-${r.id}`,
      title: `${r.name}: ${r.us.toFixed(2)} µs on this shape`,
    });
    const ly = Math.max(ry - 3, lastLabelY + 11);
    lastLabelY = ly;
    marks.push({
      type: 'text',
      x: f.right - 2,
      y: px(ly),
      text: `${r.name} ${r.us.toFixed(1)} µs`,
      cls: `legend peer-label series-${r.id}`,
      anchor: 'end',
    });
  }
  marks.push({ type: 'circle', cx: f.right - 150, cy: 10, r: 3.5, cls: 'point predicted' });
  marks.push({ type: 'text', x: f.right - 142, y: 14, text: 'predicted', cls: 'legend' });
  marks.push({ type: 'rect', x: f.right - 78, y: 6.5, width: 7, height: 7, cls: 'point measured' });
  marks.push({ type: 'text', x: f.right - 67, y: 14, text: 'measured', cls: 'legend' });
  return { ...size, label, marks };
}

export const render = renderMarks;
