// The timeline's summary as a chart: for each warpgroup role, the share of its active time spent in
// each phase (one bar per phase, in the phase's colour), and the ring's mean occupancy against its
// stages. The math role's WGMMA and promotion can overlap (the overlapped K-loop), so its shares may
// add up to more than 100%. layout() is pure.

import { scaleBand, scaleLinear } from 'd3';
import { TRACE_PHASES, type TraceSummary } from '../../../extension/protocol/trace';
import { frame } from './axes';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';
import { PHASE_LABEL } from './timelineRender';

export function layout(s: TraceSummary, size: Size): ChartMarks {
  const roles = s.roles.filter((r) => r.activeNs > 0);
  const rows = [
    ...roles.flatMap((r) =>
      TRACE_PHASES.filter((p) => r.phaseNs[p] > 0).map((p) => ({
        key: `${r.role}:${p}`,
        role: r.role,
        label: PHASE_LABEL[p],
        cls: `phase-bar phase-${p}`,
        share: r.phaseNs[p] / r.activeNs,
      })),
    ),
    ...(s.ring.stages > 0
      ? [
          {
            key: 'ring',
            role: 'ring',
            label: `ring: ${s.ring.meanOccupied.toFixed(2)} of ${s.ring.stages} stages held`,
            cls: 'phase-bar ring-bar',
            share: s.ring.meanOccupied / s.ring.stages,
          },
        ]
      : []),
  ];
  const label = "Time per phase as a share of each role's active time, and ring occupancy";
  const f = frame(
    { width: size.width, height: Math.max(size.height, 24 + rows.length * 16) },
    { l: 8, t: 20, r: 48, b: 4 },
  );
  const y = scaleBand<string>()
    .domain(rows.map((r) => r.key))
    .range([f.top, f.bottom])
    .padding(0.2);
  const x = scaleLinear()
    .domain([0, 1])
    .range([f.left + 210, f.right]);
  const marks: Mark[] = [{ type: 'text', x: f.left, y: 12, text: label, cls: 'axis-title', anchor: 'start' }];
  let lastRole = '';
  for (const r of rows) {
    const top = y(r.key) ?? 0,
      hgt = y.bandwidth();
    if (r.role !== lastRole && r.role !== 'ring')
      marks.push({ type: 'line', x1: f.left, y1: px(top - 2), x2: f.right, y2: px(top - 2), cls: 'grid' });
    lastRole = r.role;
    marks.push({
      type: 'text',
      x: f.left,
      y: px(top + hgt / 2 + 4),
      text: r.role === 'ring' ? r.label : `${r.role}: ${r.label}`,
      cls: 'tick',
      anchor: 'start',
    });
    const w = Math.max(0, x(Math.min(r.share, 1)) - x(0));
    marks.push({
      type: 'rect',
      x: px(x(0)),
      y: px(top),
      width: px(Math.max(w, 0.5)),
      height: px(hgt),
      cls: r.cls,
      title: `${r.label}: ${(100 * r.share).toFixed(1)}%`,
    });
    marks.push({
      type: 'text',
      x: px(x(0) + w + 4),
      y: px(top + hgt / 2 + 4),
      text: `${(100 * r.share).toFixed(1)}%`,
      cls: 'tick',
      anchor: 'start',
    });
  }
  return { width: size.width, height: Math.max(size.height, 24 + rows.length * 16), label, marks };
}

export const render = renderMarks;
