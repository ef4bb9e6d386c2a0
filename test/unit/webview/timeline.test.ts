import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TRACE_PHASES } from '../../../extension/protocol/trace';
import { decodeTrace } from '../../../extension/src/core/trace/decode';
import { layout } from '../../../webview/src/charts/timelineLayout';
import { hitTest, render, tickLabel, type TimelinePalette } from '../../../webview/src/charts/timelineRender';
import { summaryRows } from '../../../webview/src/charts/timelineSummary';
import { buildTrace, simulateKernel, smallKernelTrace } from '../core/trace/traceBuilder';
import { assertCallSnapshot, RecordingContext } from './timelineRecorder';

const palette: TimelinePalette = {
  phase: {
    'wait-empty': 'orange',
    'tma-issue': 'yellow',
    'wait-full': 'red',
    wgmma: 'blue',
    promote: 'purple',
    epilogue: 'green',
  },
  tile: ['tileA', 'tileB'],
  ring: 'ring',
  text: 'text',
  grid: 'grid',
  font: '10px test',
};

const small = smallKernelTrace();

describe('timeline layout', () => {
  const L = layout(small, { width: 500, rowHeight: 10 });
  it('gives one row per SM and role, in SM order, each owning its spans in time order', () => {
    assert.deepEqual(
      L.rows.map((r) => r.label),
      ['SM 0 TMA', 'SM 0 MMA0', 'SM 1 TMA', 'SM 1 MMA0'],
    );
    assert.deepEqual(
      L.rows.map((r) => r.smFirst),
      [true, false, true, false],
    );
    assert.equal(L.spans.offsets[L.rows.length], small.spans.count);
    for (let r = 0; r < L.rows.length; r++) {
      for (let j = L.spans.offsets[r]; j < L.spans.offsets[r + 1]; j++) {
        assert.equal(small.spans.row[L.spans.order[j]], r);
        if (j > L.spans.offsets[r]) assert.ok(L.spans.start[j - 1] <= L.spans.start[j]);
      }
    }
    assert.deepEqual(L.domain, [0, 430]);
    assert.equal(L.ring.stages, 2);
    assert.equal(L.ring.top, 22); // ring strip under the time axis, above the rows
    assert.equal(L.plot.top, 22 + 2 * 6 + 6);
    assert.equal(L.height, L.plot.top + 4 * 10 + 4);
  });
  it('draws the same calls for the same data (snapshot of the draw-call list)', () => {
    const ctx = new RecordingContext();
    render(ctx, L, { t0: 0, t1: 430 }, palette);
    assert.ok(
      ctx.calls.some((c) => c.startsWith('fillRect blue')),
      'wgmma drawn',
    );
    assertCallSnapshot('timeline-small', ctx.calls);
  });
  it('draws only what is in the window, and merges sub-pixel spans', () => {
    const zoomed = new RecordingContext();
    render(zoomed, L, { t0: 100, t1: 170 }, palette);
    const blue = zoomed.calls.filter((c) => c.startsWith('fillRect blue'));
    assert.equal(blue.length, 4); // per CTA: the K-blocks of tile 0 at 110-160 and 170-220 (starting on the edge); tile 2 is later
    const tiny = new RecordingContext();
    render(tiny, layout(small, { width: 66, rowHeight: 10 }), { t0: 0, t1: 430 }, palette); // a 2-pixel plot
    const rects = tiny.calls.filter((c) => c.startsWith('fillRect') && !c.includes('ring'));
    assert.ok(rects.length <= 4 * 2 * 2, `at most one run per pixel per band: ${rects.length}`);
  });
  it('labels ticks with enough decimals to tell them apart, and cuts spans at the window edges', () => {
    assert.deepEqual(
      [tickLabel(0, 5000), tickLabel(5000, 5000), tickLabel(19_866, 2), tickLabel(19_868, 2), tickLabel(2.5e6, 5e5)],
      ['0', '5 µs', '19.866 µs', '19.868 µs', '2.5 ms'],
    );
    const ctx = new RecordingContext();
    render(ctx, L, { t0: 120, t1: 140 }, palette); // inside CTA 0's first wgmma (110..160)
    const blue = ctx.calls
      .filter((c) => c.startsWith('fillRect blue'))
      .map((c) => c.split(' ').slice(3, 5).map(Number));
    assert.deepEqual(blue[0], [L.plot.left, L.rows[1].y + 2]);
    assert.ok(ctx.calls.filter((c) => c.startsWith('fillRect')).every((c) => Number(c.split(' ')[3]) >= L.plot.left));
  });
  it('answers hover from the spatial index', () => {
    const x = (t: number) => L.plot.left + (t / 430) * (L.plot.right - L.plot.left);
    const yMath0 = L.rows[1].y + 7;
    const hit = hitTest(L, { t0: 0, t1: 430 }, x(130), yMath0);
    assert.equal(hit?.what, 'span');
    assert.deepEqual(hit?.text, [
      'WGMMA (tensor cores)',
      'SM 0 · CTA 0 · math0',
      'tile m 0, n 0 · stage 0 · K-block 0',
      '110 ns → 160 ns (50 ns)',
    ]);
    assert.equal(hitTest(L, { t0: 0, t1: 430 }, x(300), L.rows[1].y + 1)?.text[0], 'tile m 1, n 0');
    assert.match(hitTest(L, { t0: 0, t1: 430 }, x(15), L.ring.top + 1)?.text[1] ?? '', /held by 100% of CTAs/);
    assert.equal(hitTest(L, { t0: 0, t1: 430 }, 2, yMath0), undefined);
  });
  it('summarises with the instrumentation cost and the check against measured time', () => {
    const rows = summaryRows(L.summary, { timing: { plainUs: 0.4, instrumentedUs: 0.44, samples: 30 } });
    const get = (label: string) => rows.find((r) => r.label === label);
    assert.equal(get('math: waiting on memory')?.value, '31.9% (220 ns)');
    assert.equal(get('instrumentation cost')?.value, '0.4 → 0.4 µs (+10.0%)');
    assert.equal(get('trace vs measured time')?.value, '430 ns vs 0.4 µs (2.3% apart)');
    assert.equal(get('trace vs measured time')?.warn, false); // within 5%
    const off = summaryRows(L.summary, { timing: { plainUs: 0.4, instrumentedUs: 0.5, samples: 30 } });
    assert.equal(off.find((r) => r.label === 'trace vs measured time')?.warn, true); // 14% apart
  });
});

describe('timeline layout at scale', () => {
  it('lays out 500k events (132 SMs, 2 math warpgroups) in ≤ 300 ms', () => {
    // 132 CTAs x 8 tiles x 28 K-blocks x 17 events per K-block ≈ 503k events, + tile events.
    const sim = simulateKernel({
      numCtas: 132,
      numTiles: 132 * 8,
      kBlocks: 28,
      stages: 5,
      mathWarpgroups: 2,
      loadNs: 600,
      wgmmaNs: 250,
      promoteNs: 40,
      epilogueNs: 900,
      tileGapNs: 30,
      tilesN: 16,
    });
    const events = sim.reduce((a, s) => a + s.events.length, 0);
    assert.ok(events >= 500_000, `${events} events`);
    const capacity = Math.max(...sim.map((s) => s.events.length));
    const bytes = buildTrace(sim, { numCtas: 132, capacity, cyclesPerNs: 1.98, timerTickNs: 32 });
    const d = decodeTrace(bytes, { numCtas: 132, capacity });
    assert.equal(d.eventsRecorded, events);
    let best = Infinity;
    let L;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      L = layout(d, { width: 1600, rowHeight: 3 });
      best = Math.min(best, performance.now() - t0);
    }
    console.log(
      `layout of ${events} events (${d.spans.count} spans, ${d.tiles.count} tiles): best of 3 ${best.toFixed(1)} ms`,
    );
    assert.ok(best <= 300, `layout took ${best.toFixed(1)} ms for ${events} events (bound 300 ms)`);
    assert.equal(L!.rows.length, 396);
    assert.equal(TRACE_PHASES.length, 6);
  });
});
