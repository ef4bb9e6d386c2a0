import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTrace } from '../../../../extension/src/core/trace/decode';
import { ringOccupancy } from '../../../../extension/src/core/trace/occupancy';
import { toChromeTrace } from '../../../../extension/src/core/trace/perfetto';
import { summarizeTrace } from '../../../../extension/src/core/trace/summary';
import { buildTrace, OVERLAPPED_TWO_KBLOCKS, smallKernelTrace } from './traceBuilder';

// Two CTAs, three tiles (CTA 0 gets tiles 0 and 2, CTA 1 tile 1), two K-blocks each, a ring of two
// stages. Every figure asserted below was worked out by hand from these costs (see the comments).
const d = smallKernelTrace();

describe('summarizeTrace', () => {
  const s = summarizeTrace(d);
  it('measures the kernel from its first to its last event and counts tiles once', () => {
    assert.equal(s.durationNs, 430); // CTA 0: tile 0 ends at 260, gap 20, tile 2 runs 280..430
    assert.equal(s.tiles, 3);
    assert.equal(s.sms, 2);
  });
  it('splits math time into waiting on memory, computing and the epilogue', () => {
    const math = s.roles.find((r) => r.role === 'math')!;
    assert.equal(math.rows, 2);
    assert.equal(math.phaseNs['wait-full'], 220); // the first load of each CTA's first tile: 110 each
    assert.equal(math.phaseNs.wgmma, 300); // 6 K-blocks x 50
    assert.equal(math.phaseNs.promote, 60);
    assert.equal(math.phaseNs.epilogue, 90);
    assert.equal(math.waitingNs, 220);
    assert.equal(math.workingNs, 360);
    assert.equal(math.activeNs, 430 + 260);
  });
  it('charges the producer for waits on the empty barriers and for issuing', () => {
    const p = s.roles.find((r) => r.role === 'producer')!;
    assert.equal(p.phaseNs['wait-empty'], 190); // CTA 0, tile 2: stage 0 free at 160 (waited 140), stage 1 at 220 (50)
    assert.equal(p.phaseNs['tma-issue'], 60);
  });
  it('finds the bubble between tiles and the tail of the last wave', () => {
    assert.deepEqual(s.bubbles, { count: 1, totalNs: 20, meanNs: 20, maxNs: 20 });
    assert.equal(s.tail.ns, 170); // SM 1 idle from 260 to 430
    assert.equal(s.tail.firstIdleSm, 1);
    assert.equal(s.tail.lastSm, 0);
    assert.equal(s.tail.fraction, 170 / 430);
    assert.equal(s.tail.idleSmFraction, 170 / (2 * 430));
  });
  it('averages the stages in flight per CTA', () => {
    assert.equal(s.ring.stages, 2);
    assert.equal(s.ring.meanOccupied, 1020 / (2 * 430));
  });
});

describe('summarizeTrace with the overlapped K-loop', () => {
  it("counts time once where K-block 1's wgmma runs during K-block 0's promotion", () => {
    const geometry = { numCtas: 1, capacity: 16 };
    const overlapped = decodeTrace(
      buildTrace([{ cta: 0, role: 1, sm: 0, globaltimer0: 1_000_000n, clock0: 0n, events: OVERLAPPED_TWO_KBLOCKS }], {
        ...geometry,
        cyclesPerNs: 2,
        timerTickNs: 1,
      }),
      geometry,
    );
    const math = summarizeTrace(overlapped).roles.find((r) => r.role === 'math')!;
    assert.equal(math.phaseNs.wgmma, 400); // 100..500 covered, not 200 + 350
    assert.equal(math.phaseNs.promote, 100);
    assert.equal(math.workingNs, 450); // 100..550: promotion of 0 hides inside wgmma of 1
    assert.ok(math.workingNs <= math.activeNs);
  });
});

describe('ringOccupancy', () => {
  it('gives the time-weighted fraction of CTAs holding each stage per bin', () => {
    const o = ringOccupancy(d, 43); // 10 ns bins
    const at = (stage: number, bin: number) => o.values[stage * o.bins + bin];
    assert.equal(at(0, 0), 0); // first issue at 10
    assert.equal(at(0, 1), 1); // both CTAs hold stage 0 from 10 to 160
    assert.equal(at(1, 1), 0);
    assert.equal(at(1, 2), 1);
    assert.equal(at(0, 16), 0); // released at 160, refilled at 170 (CTA 0 only)
    assert.equal(at(0, 17), 0.5);
    assert.equal(o.total[1], 0.5);
    assert.throws(() => ringOccupancy(d, 0), /whole number ≥ 1/);
  });
});

describe('toChromeTrace', () => {
  it('writes complete events in µs with pid = SM and tid = role, plus names for both', () => {
    const t = toChromeTrace(d, { shape: '256x256x256' });
    const meta = t.traceEvents.filter((e) => e.ph === 'M');
    assert.deepEqual(
      meta.filter((e) => e.name === 'process_name').map((e) => e.args?.name),
      ['SM 0', 'SM 1'],
    );
    assert.deepEqual(
      meta.filter((e) => e.name === 'thread_name' && e.pid === 0).map((e) => [e.tid, e.args?.name]),
      [
        [0, 'producer (CTA 0)'],
        [1, 'math0 (CTA 0)'],
      ],
    );
    const x = t.traceEvents.filter((e) => e.ph === 'X');
    assert.equal(x.length, 6 + d.spans.count);
    const wgmma = x.find((e) => e.name === 'wgmma' && e.pid === 0)!;
    assert.deepEqual(
      [wgmma.tid, wgmma.ts, wgmma.dur, wgmma.args],
      [1, 0.11, 0.05, { m_block: 0, n_block: 0, stage: 0, k_block: 0 }],
    );
    assert.equal(t.otherData.shape, '256x256x256');
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(t)));
  });
});
