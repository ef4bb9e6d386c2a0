import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TraceEventKind as K } from '../../../../extension/protocol/trace';
import { decodeTrace } from '../../../../extension/src/core/trace/decode';
import { summarizeTrace } from '../../../../extension/src/core/trace/summary';
import { tilePhaseTimes } from '../../../../extension/src/core/trace/tilePhases';
import { summaryRows } from '../../../../webview/src/charts/timelineSummary';
import { buildTrace, ctaZeroSlice, smallKernelTrace, type BuiltSlice } from './traceBuilder';

const geometry = { numCtas: 1, capacity: 64 };
const exact = { ...geometry, cyclesPerNs: 2, timerTickNs: 1 };

/** One math warpgroup's tile: K-blocks whose data is ready at `ready[kb]`, each wgmma `wgmmaNs`
 *  long, then an epilogue of `epilogueNs`. Returns the events and the tile's end. */
function mathTile(tileN: number, t0: number, ready: number[], wgmmaNs: number, epilogueNs: number) {
  const at = { tileM: 0, tileN };
  const events: BuiltSlice['events'] = [{ kind: K.TileBegin, ns: t0, ...at }];
  let t = t0;
  ready.forEach((r, kb) => {
    events.push({ kind: K.FullWaitBegin, ns: t, stage: kb, kblock: kb, ...at });
    t = Math.max(t, r);
    events.push({ kind: K.FullWaitEnd, ns: t, stage: kb, kblock: kb, ...at });
    events.push({ kind: K.WgmmaIssue, ns: t, stage: kb, kblock: kb, ...at });
    t += wgmmaNs;
    events.push({ kind: K.WgmmaDone, ns: t, stage: kb, kblock: kb, ...at });
    events.push({ kind: K.StageRelease, ns: t, stage: kb, kblock: kb, ...at });
  });
  events.push({ kind: K.EpilogueBegin, ns: t, ...at });
  t += epilogueNs;
  events.push({ kind: K.EpilogueEnd, ns: t, ...at }, { kind: K.TileEnd, ns: t, ...at });
  return { events, end: t };
}

const slice = ctaZeroSlice;

describe('tilePhaseTimes', () => {
  it('times each tile from its first full-barrier wait to its last wgmma, and its epilogue', () => {
    // Two CTAs, tiles 0 and 2 on CTA 0, tile 1 on CTA 1; two K-blocks of 100 ns loads and 50 ns
    // wgmma (10 ns promotion after each). Tile 0: data at 110 and 120, K-loop 0..220; tile 2 starts
    // at 280 with both stages already refilled (ready 270, 330): 280..390 = 110 ns.
    const d = smallKernelTrace();
    const t = tilePhaseTimes(d)!;
    assert.equal(t.tiles, 3);
    // K-loops 220, 110, 220: the median 220, p90 between the two 220s.
    assert.deepEqual(t.kLoopNs, { p50: 220, p90: 220 });
    assert.deepEqual(t.epilogueNs, { p50: 30, p90: 30 });
    assert.deepEqual(summarizeTrace(d).tilePhases, t);
  });

  it('ping-pong: says when the epilogue outlasts the K-loop it should hide behind', () => {
    // Warpgroup 0 runs tiles n = 0 and 2, warpgroup 1 tiles 1 and 3; each K-loop two 50 ns
    // K-blocks (100 ns), each epilogue 140 ns: longer than the other warpgroup's K-loop.
    const wg0a = mathTile(0, 0, [0, 0], 50, 140);
    const wg1a = mathTile(1, 100, [0, 0], 50, 140);
    const wg0b = mathTile(2, wg0a.end, [0, 0], 50, 140);
    const wg1b = mathTile(3, Math.max(wg1a.end, wg0b.end - 140), [0, 0], 50, 140);
    const bytes = buildTrace(
      [slice(1, [...wg0a.events, ...wg0b.events]), slice(2, [...wg1a.events, ...wg1b.events])],
      exact,
    );
    const d = decodeTrace(bytes, { ...geometry, pingpong: true });
    const s = summarizeTrace(d);
    assert.equal(s.pingpong, true);
    assert.deepEqual(s.tilePhases, { tiles: 4, kLoopNs: { p50: 100, p90: 100 }, epilogueNs: { p50: 140, p90: 140 } });
    const row = summaryRows(s).find((r) => r.label === 'per tile: K-loop / epilogue')!;
    assert.equal(row.value, '100 ns / 140 ns (p90 100 ns / 140 ns)');
    assert.equal(row.warn, true);
    assert.match(row.title, /outlasts/);
    // The same tiles in a cooperative kernel: nothing to hide the epilogue behind, no warning.
    const coop = summaryRows({ ...s, pingpong: undefined }).find((r) => r.label === 'per tile: K-loop / epilogue')!;
    assert.equal(coop.warn, false);
  });

  it('leaves out a tile whose epilogue was not recorded (a full trace buffer)', () => {
    const full = mathTile(0, 0, [30, 40], 50, 20);
    const cut = mathTile(1, full.end, [0, 0], 50, 20).events.filter(
      (e) => e.kind !== K.EpilogueBegin && e.kind !== K.EpilogueEnd,
    );
    const d = decodeTrace(buildTrace([slice(1, [...full.events, ...cut])], exact), geometry);
    // The recorded tile: waits until 30, wgmma 30..80, K-block 1 (ready at 40) 80..130.
    assert.deepEqual(tilePhaseTimes(d), {
      tiles: 1,
      kLoopNs: { p50: 130, p90: 130 },
      epilogueNs: { p50: 20, p90: 20 },
    });
  });
});
