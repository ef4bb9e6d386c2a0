// The timeline's summary table: where each role's time went, bubbles between tiles, the tail of
// the last wave, ring use, the instrumentation's own cost and whether the trace agrees with the
// kernel's measured time. Pure: rows of text from the summary and the capture.

import type { TraceCapture, TraceSummary } from '../../../extension/protocol/trace';
import { traceVsMeasured } from '../../../extension/src/core/trace/summary';
import { formatNs } from './timelineRender';

export interface SummaryRow {
  label: string;
  value: string;
  /** Where the figure comes from / what it means (shown as a tooltip). */
  title: string;
  warn?: boolean;
}

const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '—');

export function summaryRows(s: TraceSummary, capture?: Pick<TraceCapture, 'timing'>): SummaryRow[] {
  const rows: SummaryRow[] = [
    {
      label: 'kernel span (trace)',
      value: formatNs(s.durationNs),
      title: 'first to last recorded event, on %globaltimer-aligned SM clocks',
    },
    {
      label: 'tiles / SMs',
      value: `${s.tiles} / ${s.sms}`,
      title: 'output tiles (counted on math warpgroup 0) and SMs that ran',
    },
  ];
  for (const r of s.roles) {
    if (r.role === 'math') {
      rows.push({
        label: 'math: waiting on memory',
        value: `${pct(r.waitingNs, r.activeNs)} (${formatNs(r.waitingNs)})`,
        title: 'time blocked on full barriers, over all math warpgroups',
      });
      rows.push({
        label: 'math: computing',
        value: `${pct(r.workingNs, r.activeNs)} (wgmma ${pct(r.phaseNs.wgmma, r.activeNs)}, promotion ${pct(r.phaseNs.promote, r.activeNs)})`,
        title: 'wgmma issue to wait_group, plus promotion on CUDA cores',
      });
      rows.push({
        label: 'math: epilogue',
        value: pct(r.phaseNs.epilogue, r.activeNs),
        title: 'bf16 conversion, stmatrix and TMA store',
      });
    } else {
      rows.push({
        label: 'producer: waiting for free stages',
        value: `${pct(r.waitingNs, r.activeNs)} (${formatNs(r.waitingNs)})`,
        title: 'time blocked on empty barriers: the ring was full (math-bound)',
      });
      rows.push({
        label: 'producer: issuing loads',
        value: pct(r.workingNs, r.activeNs),
        title: 'from a free stage to its TMA loads issued',
      });
    }
  }
  const tp = s.tilePhases;
  if (tp) {
    const hidden = !s.pingpong || tp.epilogueNs.p50 <= tp.kLoopNs.p50;
    rows.push({
      label: 'per tile: K-loop / epilogue',
      value: `${formatNs(tp.kLoopNs.p50)} / ${formatNs(tp.epilogueNs.p50)} (p90 ${formatNs(tp.kLoopNs.p90)} / ${formatNs(tp.epilogueNs.p90)})`,
      title: s.pingpong
        ? hidden
          ? "median over tiles; ping-pong hides each epilogue behind the other warpgroup's K-loop"
          : "median over tiles; the epilogue outlasts the other warpgroup's K-loop, so the tensor cores wait for the difference"
        : 'median over tiles: first full-barrier wait to the last wgmma group done, and epilogue begin to end',
      warn: !hidden,
    });
  }
  rows.push({
    label: 'bubbles between tiles',
    value: s.bubbles.count
      ? `${s.bubbles.count}, mean ${formatNs(s.bubbles.meanNs)}, max ${formatNs(s.bubbles.maxNs)}`
      : 'none',
    title: "gap from a math warpgroup's tile end to its next tile start",
  });
  rows.push({
    label: 'tail of the last wave',
    value: `${formatNs(s.tail.ns)} (${pct(s.tail.ns, s.durationNs)} of the kernel; ${pct(s.tail.idleSmFraction, 1)} of SM time idle)`,
    title: `from the first SM to finish (SM ${s.tail.firstIdleSm}) to the last (SM ${s.tail.lastSm})`,
    warn: s.tail.fraction > 0.2,
  });
  rows.push({
    label: 'ring occupancy',
    value: `${s.ring.meanOccupied.toFixed(2)} of ${s.ring.stages} stages`,
    title: 'mean stages holding data (TMA issue to release) per CTA',
  });
  rows.push({
    label: 'events',
    value: `${s.eventsRecorded}${s.eventsDropped ? `, ${s.eventsDropped} dropped (buffer full)` : ''}`,
    title: 'events recorded; dropped ones did not fit the per-role capacity',
    warn: s.eventsDropped > 0,
  });
  const t = capture?.timing;
  if (t) {
    rows.push({
      label: 'instrumentation cost',
      value: `${t.plainUs.toFixed(1)} → ${t.instrumentedUs.toFixed(1)} µs (+${pct(t.instrumentedUs - t.plainUs, t.plainUs)})`,
      title: `median of ${t.samples} timed runs without and with FP8LAB_TRACE`,
    });
    const cmp = traceVsMeasured(s.durationNs, t.instrumentedUs);
    rows.push({
      label: 'trace vs measured time',
      value: `${formatNs(s.durationNs)} vs ${t.instrumentedUs.toFixed(1)} µs (${(cmp.deviation * 100).toFixed(1)}% apart)`,
      title: "the last tile should end within 5% of the instrumented kernel's measured time",
      warn: !cmp.within5Percent,
    });
  } else {
    rows.push({
      label: 'instrumentation cost',
      value: 'not measured',
      title: 'the capture carries no timing with and without instrumentation',
    });
  }
  return rows;
}
