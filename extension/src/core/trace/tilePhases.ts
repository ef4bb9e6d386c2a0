// How long one tile's K-loop and its epilogue take, per math row. Ping-pong hides a warpgroup's
// epilogue behind the other warpgroup's K-loop only while the epilogue is the shorter of the two;
// past that the tensor cores wait for the difference on every pair of tiles. Pure.

import { TRACE_PHASES, type SpreadNs, type TilePhaseTimes, type TraceData } from '../../../protocol/trace';
import { percentileBand } from '../stats';

const WAIT_FULL = TRACE_PHASES.indexOf('wait-full');
const WGMMA = TRACE_PHASES.indexOf('wgmma');
const EPILOGUE = TRACE_PHASES.indexOf('epilogue');

export function tilePhaseTimes(d: TraceData): TilePhaseTimes | undefined {
  const { spans, tiles } = d;
  // Math spans of each row in start order.
  const byRow = new Map<number, number[]>();
  for (let i = 0; i < spans.count; i++) {
    const p = spans.phase[i];
    if (p !== WAIT_FULL && p !== WGMMA && p !== EPILOGUE) continue;
    const row = spans.row[i];
    let list = byRow.get(row);
    if (!list) byRow.set(row, (list = []));
    list.push(i);
  }
  for (const list of byRow.values()) list.sort((a, b) => spans.start[a] - spans.start[b]);

  const kLoop: number[] = [];
  const epilogue: number[] = [];
  for (let t = 0; t < tiles.count; t++) {
    const list = byRow.get(tiles.row[t]);
    if (!list) continue;
    const t0 = tiles.start[t],
      t1 = tiles.end[t];
    // The tile's own spans: inside its span and naming it (the next tile may start at this one's end).
    let lo = 0,
      hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans.start[list[mid]] < t0) lo = mid + 1;
      else hi = mid;
    }
    let loopStart = Infinity,
      loopEnd = -Infinity,
      epi = NaN;
    for (let j = lo; j < list.length && spans.start[list[j]] <= t1; j++) {
      const i = list[j];
      if (spans.tileM[i] !== tiles.tileM[t] || spans.tileN[i] !== tiles.tileN[t]) continue;
      if (spans.phase[i] === EPILOGUE) epi = spans.end[i] - spans.start[i];
      else {
        loopStart = Math.min(loopStart, spans.start[i]);
        if (spans.phase[i] === WGMMA) loopEnd = Math.max(loopEnd, spans.end[i]);
      }
    }
    if (Number.isFinite(loopStart) && loopEnd >= loopStart && !Number.isNaN(epi)) {
      kLoop.push(loopEnd - loopStart);
      epilogue.push(epi);
    }
  }
  if (kLoop.length === 0) return undefined;
  const spread = (xs: number[]): SpreadNs => {
    const { p50, p90 } = percentileBand(xs);
    return { p50, p90 };
  };
  return { tiles: kLoop.length, kLoopNs: spread(kLoop), epilogueNs: spread(epilogue) };
}
