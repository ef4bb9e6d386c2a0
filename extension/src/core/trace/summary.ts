// Summaries of a decoded trace: where each role's time went (waiting on memory vs computing),
// bubbles between a math warpgroup's tiles, the tail of the last wave, and ring occupancy. Pure.

import {
  TRACE_PHASES,
  type RoleSummary,
  type TraceData,
  type TracePhase,
  type TraceSummary,
} from '../../../protocol/trace';
import { tilePhaseTimes } from './tilePhases';

const zeroPhases = (): Record<TracePhase, number> =>
  Object.fromEntries(TRACE_PHASES.map((p) => [p, 0])) as Record<TracePhase, number>;

export function summarizeTrace(d: TraceData): TraceSummary {
  const nRows = d.rows.length;
  // Per row: first and last instant seen (spans and tiles).
  const first = new Float64Array(nRows).fill(Infinity);
  const last = new Float64Array(nRows).fill(-Infinity);
  const phaseByRow = d.rows.map(() => zeroPhases());
  const workingByRow = new Float64Array(nRows);
  const { spans, tiles } = d;
  // Time is counted once where spans overlap: the overlapped K-loop has K-block kb+1's wgmma in
  // flight while kb is promoted. Per row, spans in start order; each adds only what extends its
  // phase's (and, for wgmma / promote, the "working" class's) covered time.
  const order = Array.from({ length: spans.count }, (_, i) => i).sort(
    (a, b) => spans.row[a] - spans.row[b] || spans.start[a] - spans.start[b],
  );
  const phaseEnd = new Float64Array(TRACE_PHASES.length);
  let row = -1,
    workingEnd = -Infinity;
  for (const i of order) {
    const r = spans.row[i];
    if (r !== row) {
      row = r;
      phaseEnd.fill(-Infinity);
      workingEnd = -Infinity;
    }
    const start = spans.start[i],
      end = spans.end[i],
      p = spans.phase[i];
    if (start < first[r]) first[r] = start;
    if (end > last[r]) last[r] = end;
    phaseByRow[r][TRACE_PHASES[p]] += Math.max(0, end - Math.max(start, phaseEnd[p]));
    phaseEnd[p] = Math.max(phaseEnd[p], end);
    if (TRACE_PHASES[p] === 'wgmma' || TRACE_PHASES[p] === 'promote') {
      workingByRow[r] += Math.max(0, end - Math.max(start, workingEnd));
      workingEnd = Math.max(workingEnd, end);
    }
  }
  for (let i = 0; i < tiles.count; i++) {
    const r = tiles.row[i];
    if (tiles.start[i] < first[r]) first[r] = tiles.start[i];
    if (tiles.end[i] > last[r]) last[r] = tiles.end[i];
  }

  const roles: RoleSummary[] = [];
  for (const role of ['producer', 'math'] as const) {
    const idx = d.rows
      .map((r, i) => ((r.role === 'producer') === (role === 'producer') ? i : -1))
      .filter((i) => i >= 0 && Number.isFinite(first[i]));
    if (idx.length === 0) continue;
    const phaseNs = zeroPhases();
    let activeNs = 0,
      mathWorkingNs = 0;
    for (const i of idx) {
      activeNs += last[i] - first[i];
      mathWorkingNs += workingByRow[i];
      for (const p of TRACE_PHASES) phaseNs[p] += phaseByRow[i][p];
    }
    roles.push({
      role,
      rows: idx.length,
      activeNs,
      phaseNs,
      waitingNs: role === 'math' ? phaseNs['wait-full'] : phaseNs['wait-empty'],
      workingNs: role === 'math' ? mathWorkingNs : phaseNs['tma-issue'],
    });
  }

  // Bubbles: tiles of one math row are in program order.
  let bCount = 0,
    bTotal = 0,
    bMax = 0;
  const prevEnd = new Float64Array(nRows).fill(NaN);
  for (let i = 0; i < tiles.count; i++) {
    const r = tiles.row[i];
    if (d.rows[r].role === 'producer') continue;
    if (!Number.isNaN(prevEnd[r])) {
      const gap = Math.max(0, tiles.start[i] - prevEnd[r]);
      bCount++;
      bTotal += gap;
      if (gap > bMax) bMax = gap;
    }
    prevEnd[r] = tiles.end[i];
  }

  // Tail: per SM, when its math warpgroups finished their last tile.
  const smEnd = new Map<number, number>();
  d.rows.forEach((r, i) => {
    if (r.role === 'producer' || !Number.isFinite(last[i])) return;
    smEnd.set(r.sm, Math.max(smEnd.get(r.sm) ?? -Infinity, last[i]));
  });
  let firstIdleSm = -1,
    lastSm = -1,
    firstIdle = Infinity,
    kernelEnd = -Infinity,
    idle = 0;
  for (const [sm, t] of smEnd) {
    if (t < firstIdle) {
      firstIdle = t;
      firstIdleSm = sm;
    }
    if (t > kernelEnd) {
      kernelEnd = t;
      lastSm = sm;
    }
  }
  for (const t of smEnd.values()) idle += kernelEnd - t;
  const dur = d.durationNs;
  const tailNs = smEnd.size ? kernelEnd - firstIdle : 0;

  let filled = 0;
  for (let i = 0; i < d.fills.count; i++) filled += d.fills.end[i] - d.fills.start[i];
  const ctas = new Set(d.rows.map((r) => r.cta)).size;
  const phases = tilePhaseTimes(d);

  return {
    durationNs: dur,
    // Every math warpgroup of a CTA works on each of its tiles: count them once, on math0.
    tiles: countTiles(d),
    sms: new Set(d.rows.map((r) => r.sm)).size,
    roles,
    bubbles: { count: bCount, totalNs: bTotal, meanNs: bCount ? bTotal / bCount : 0, maxNs: bMax },
    tail: {
      ns: tailNs,
      fraction: dur > 0 ? tailNs / dur : 0,
      idleSmFraction: dur > 0 && smEnd.size ? idle / (smEnd.size * dur) : 0,
      firstIdleSm,
      lastSm,
    },
    ring: { meanOccupied: dur > 0 && ctas ? filled / (ctas * dur) : 0, stages: d.numStages },
    ...(phases ? { tilePhases: phases } : {}),
    ...(d.pingpong ? { pingpong: true } : {}),
    eventsRecorded: d.eventsRecorded,
    eventsDropped: d.eventsDropped,
  };
}

/** Tiles the math warpgroups ran: each is math0's (cooperative: both record every tile), or with
 *  ping-pong whichever warpgroup's turn it was. */
function countTiles(d: TraceData): number {
  let n = 0;
  for (let i = 0; i < d.tiles.count; i++) {
    const role = d.rows[d.tiles.row[i]].role;
    if (role === 'math0' || (d.pingpong && role === 'math1')) n++;
  }
  return n;
}

/** How far the trace's span (first to last event) is from the kernel's measured time (CUDA events,
 *  instrumented build). The bar: the last tile ends within 5% of it. */
export function traceVsMeasured(
  durationNs: number,
  measuredUs: number,
): { deviation: number; within5Percent: boolean } {
  if (!(measuredUs > 0)) throw new RangeError(`measured kernel time must be positive; got ${measuredUs} µs`);
  const deviation = Math.abs(durationNs / 1000 - measuredUs) / measuredUs;
  return { deviation, within5Percent: deviation <= 0.05 };
}
