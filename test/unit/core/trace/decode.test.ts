import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TRACE_FORMAT_VERSION, TRACE_PHASES, TraceEventKind as K } from '../../../../extension/protocol/trace';
import { decodeTrace } from '../../../../extension/src/core/trace/decode';
import {
  checkTraceCapture,
  decodeCapture,
  summarizeTrace,
  traceVsMeasured,
} from '../../../../extension/src/core/trace';
import {
  base64ToBytes,
  bytesToBase64,
  readSlices,
  traceBufferBytes,
  TraceFormatError,
} from '../../../../extension/src/core/trace/format';
import {
  buildTrace,
  ctaZeroSlice,
  G0,
  OVERLAPPED_TWO_KBLOCKS,
  simulateKernel,
  SMALL_KERNEL,
  type BuiltSlice,
} from './traceBuilder';

const geometry = { numCtas: 2, capacity: 16 };
const exact = { ...geometry, cyclesPerNs: 2, timerTickNs: 1 };
const mk = ctaZeroSlice;

const phaseOf = (name: string) => TRACE_PHASES.indexOf(name as never);

describe('trace format', () => {
  it('sizes the buffer as numCtas x 3 roles x (32 + 16 x capacity)', () => {
    assert.equal(traceBufferBytes({ numCtas: 132, capacity: 4096 }), 132 * 3 * (32 + 16 * 4096));
  });
  it('rejects a buffer of the wrong size with a coded error naming what it expected', () => {
    assert.throws(
      () => readSlices(new Uint8Array(100), geometry),
      (e: unknown) => e instanceof TraceFormatError && e.code === 'E_TRACE_FORMAT' && /needs 1728/.test(e.message),
    );
  });
  it('skips slices that never ran (magic 0) and rejects garbage magic', () => {
    const bytes = buildTrace([{ cta: 1, role: 2, sm: 7, globaltimer0: G0, clock0: 0n, events: [] }], exact);
    const slices = readSlices(bytes, geometry);
    assert.equal(slices.length, 1);
    assert.deepEqual([slices[0].cta, slices[0].role, slices[0].sm, slices[0].globaltimer0], [1, 'math1', 7, G0]);
    bytes[0] = 0x12;
    assert.throws(() => readSlices(bytes, geometry), /magic 0x12 is neither 0 nor 0x52543846/);
  });
  it('counts events past the capacity as dropped, never reading beyond the slice', () => {
    const events = Array.from({ length: 40 }, (_, i) => ({
      kind: i % 2 ? K.FullWaitEnd : K.FullWaitBegin,
      ns: i * 10,
      stage: 0,
    }));
    const bytes = buildTrace([{ cta: 0, role: 1, sm: 0, globaltimer0: G0, clock0: 0n, events }], exact);
    const d = decodeTrace(bytes, { ...geometry, clockRateKHz: 2_000_000 }); // no anchor event: the rate is given
    assert.equal(d.eventsRecorded, 16);
    assert.equal(d.eventsDropped, 24);
    assert.equal(d.rows[0].dropped, 24);
    assert.equal(d.spans.count, 8);
  });
  it('round-trips base64 without Node Buffer', () => {
    const b = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
    assert.deepEqual(base64ToBytes(bytesToBase64(b)), b);
  });
});

describe('decodeTrace', () => {
  it('pairs begin/end events into spans with their stage, K-block and tile', () => {
    const events = [
      { kind: K.TileBegin, ns: 0, tileM: 3, tileN: 5 },
      { kind: K.FullWaitBegin, ns: 0, stage: 1, kblock: 0 },
      { kind: K.FullWaitEnd, ns: 100, stage: 1, kblock: 0 },
      { kind: K.WgmmaIssue, ns: 100, stage: 1, kblock: 0 },
      { kind: K.WgmmaDone, ns: 400, stage: 1, kblock: 0 },
      { kind: K.PromoteBegin, ns: 400, stage: 1, kblock: 0 },
      { kind: K.PromoteEnd, ns: 450, stage: 1, kblock: 0 },
      { kind: K.EpilogueBegin, ns: 450 },
      { kind: K.EpilogueEnd, ns: 600 },
      { kind: K.TileEnd, ns: 600 },
    ];
    const d = decodeTrace(
      buildTrace([{ cta: 0, role: 1, sm: 4, globaltimer0: G0, clock0: 123n, events }], exact),
      geometry,
    );
    assert.equal(d.spans.count, 4);
    const got = Array.from({ length: 4 }, (_, i) => [
      TRACE_PHASES[d.spans.phase[i]],
      d.spans.start[i],
      d.spans.end[i],
      d.spans.stage[i],
      d.spans.kblock[i],
      d.spans.tileM[i],
      d.spans.tileN[i],
    ]);
    assert.deepEqual(got, [
      ['wait-full', 0, 100, 1, 0, 3, 5],
      ['wgmma', 100, 400, 1, 0, 3, 5],
      ['promote', 400, 450, 1, 0, 3, 5],
      ['epilogue', 450, 600, 255, 65535, 3, 5],
    ]);
    assert.deepEqual(
      [d.tiles.count, d.tiles.start[0], d.tiles.end[0], d.tiles.tileM[0], d.tiles.tileN[0]],
      [1, 0, 600, 3, 5],
    );
    assert.equal(d.durationNs, 600);
    assert.equal(d.cyclesPerNs, 2);
  });

  it('pairs each wgmma end with the begin of its own K-block when two groups are in flight (overlapped K-loop)', () => {
    const d = decodeTrace(
      buildTrace([{ cta: 0, role: 1, sm: 0, globaltimer0: G0, clock0: 0n, events: OVERLAPPED_TWO_KBLOCKS }], exact),
      geometry,
    );
    const wgmma = Array.from({ length: d.spans.count }, (_, i) => i)
      .filter((i) => d.spans.phase[i] === phaseOf('wgmma'))
      .map((i) => [d.spans.kblock[i], d.spans.stage[i], d.spans.start[i], d.spans.end[i]]);
    assert.deepEqual(wgmma, [
      [0, 0, 100, 300],
      [1, 1, 150, 500],
    ]);
  });

  it('unwraps 32-bit clocks that wrap inside a slice', () => {
    const clock0 = 2n ** 32n - 100n; // wraps after 50 ns at 2 cycles/ns
    // The TileBegin / TileEnd anchors carry the timer, which wraps too (globaltimer0 is 20 ns short of 2^32).
    const events = [
      { kind: K.TileBegin, ns: 10 },
      { kind: K.WgmmaIssue, ns: 10 },
      { kind: K.WgmmaDone, ns: 1000 },
      { kind: K.WgmmaIssue, ns: 3000 },
      { kind: K.WgmmaDone, ns: 5000 },
      { kind: K.TileEnd, ns: 5000 },
    ];
    const d = decodeTrace(
      buildTrace([{ cta: 0, role: 1, sm: 0, globaltimer0: 2n ** 32n - 20n, clock0, events }], exact),
      geometry,
    );
    assert.deepEqual(Array.from(d.spans.start), [0, 2990]);
    assert.deepEqual(Array.from(d.spans.end), [990, 4990]);
  });

  it('aligns SMs on %globaltimer although their clock64 origins differ, within one timer tick', () => {
    const tick = 1000;
    const sim = simulateKernel(
      {
        numCtas: 4,
        numTiles: 12,
        kBlocks: 8,
        stages: 4,
        mathWarpgroups: 2,
        loadNs: 700,
        wgmmaNs: 300,
        promoteNs: 60,
        epilogueNs: 500,
        tileGapNs: 40,
        tilesN: 4,
      },
      (sm) => sm * 2500 + 137,
    );
    const bytes = buildTrace(sim, { numCtas: 4, capacity: 1024, cyclesPerNs: 1.755, timerTickNs: tick });
    const d = decodeTrace(bytes, { numCtas: 4, capacity: 1024 });
    assert.ok(Math.abs(d.cyclesPerNs - 1.755) / 1.755 < 0.01, `clock estimate ${d.cyclesPerNs}`);
    // First tile start of each SM's math0 row, relative to SM 0: the simulation put them 2500 ns apart.
    const firstTile = new Map<number, number>();
    for (let i = 0; i < d.tiles.count; i++) {
      const r = d.rows[d.tiles.row[i]];
      if (r.role === 'math0' && !firstTile.has(r.sm)) firstTile.set(r.sm, d.tiles.start[i]);
    }
    for (const sm of [1, 2, 3]) {
      const gap = (firstTile.get(sm) ?? NaN) - (firstTile.get(0) ?? NaN);
      assert.ok(Math.abs(gap - sm * 2500) < tick, `SM ${sm} starts ${gap} ns after SM 0 (true ${sm * 2500})`);
    }
    assert.equal(d.rows.length, 12);
    assert.deepEqual(
      d.rows.slice(0, 3).map((r) => r.role),
      ['producer', 'math0', 'math1'],
    );
    assert.equal(d.numStages, 4);
  });

  it('builds one stage fill per TMA issue, ending at the later math warpgroup release', () => {
    const bytes = buildTrace(
      [
        mk(0, [
          { kind: K.TmaIssue, ns: 10, stage: 0 },
          { kind: K.TmaIssue, ns: 20, stage: 1 },
          { kind: K.TmaIssue, ns: 300, stage: 0 },
        ]),
        mk(1, [
          { kind: K.StageRelease, ns: 200, stage: 0 },
          { kind: K.StageRelease, ns: 250, stage: 1 },
          { kind: K.StageRelease, ns: 500, stage: 0 },
        ]),
        mk(2, [
          { kind: K.StageRelease, ns: 220, stage: 0 },
          { kind: K.StageRelease, ns: 240, stage: 1 },
          { kind: K.StageRelease, ns: 510, stage: 0 },
        ]),
      ],
      exact,
    );
    const d = decodeTrace(bytes, { ...geometry, clockRateKHz: 2_000_000 }); // no anchor event: the rate is given
    assert.deepEqual(
      Array.from({ length: d.fills.count }, (_, i) => [d.fills.stage[i], d.fills.start[i], d.fills.end[i]]),
      [
        [0, 0, 210],
        [1, 10, 240],
        [0, 290, 500],
      ],
    );
  });

  it("ping-pong: each fill ends at the one release that read it, and both warpgroups' tiles count", () => {
    // Warpgroup 0 reads tile (0, 0) from stages 0 and 1, warpgroup 1 tile (0, 1) from the refills.
    const tile = (tileN: number, t0: number, releases: Array<[number, number]>): BuiltSlice['events'] => [
      { kind: K.TileBegin, ns: t0, tileM: 0, tileN },
      ...releases.map(([stage, ns]) => ({ kind: K.StageRelease, ns, stage, tileM: 0, tileN })),
      { kind: K.TileEnd, ns: releases[releases.length - 1][1] + 5, tileM: 0, tileN },
    ];
    const bytes = buildTrace(
      [
        mk(0, [
          { kind: K.TmaIssue, ns: 10, stage: 0 },
          { kind: K.TmaIssue, ns: 20, stage: 1 },
          { kind: K.TmaIssue, ns: 300, stage: 0 },
          { kind: K.TmaIssue, ns: 320, stage: 1 },
        ]),
        mk(
          1,
          tile(0, 5, [
            [0, 200],
            [1, 250],
          ]),
        ),
        mk(
          2,
          tile(1, 5, [
            [0, 500],
            [1, 520],
          ]),
        ),
      ],
      exact,
    );
    const fills = (d: ReturnType<typeof decodeTrace>) =>
      Array.from({ length: d.fills.count }, (_, i) => [d.fills.stage[i], d.fills.start[i], d.fills.end[i]]);
    const pp = decodeTrace(bytes, { ...geometry, clockRateKHz: 2_000_000, pingpong: true });
    assert.deepEqual(fills(pp), [
      [0, 5, 195],
      [1, 15, 245],
      [0, 295, 495],
      [1, 315, 515],
    ]);
    assert.equal(summarizeTrace(pp).tiles, 2);
    // Read as a cooperative trace, the first fill would wait for the second tile's release.
    const coop = decodeTrace(bytes, { ...geometry, clockRateKHz: 2_000_000 });
    assert.deepEqual(fills(coop)[0], [0, 5, 495]);
    assert.equal(summarizeTrace(coop).tiles, 1);
  });

  it('says what is wrong with an empty buffer and with a timer that never moved', () => {
    assert.throws(() => decodeTrace(new Uint8Array(traceBufferBytes(geometry)), geometry), /no recorded slice/);
    const events = [
      { kind: K.WgmmaIssue, ns: 0 },
      { kind: K.WgmmaDone, ns: 0 },
    ];
    const bytes = buildTrace([{ cta: 0, role: 1, sm: 0, globaltimer0: G0, clock0: 0n, events }], exact);
    assert.throws(() => decodeTrace(bytes, geometry), /clockRateKHz/);
    assert.equal(decodeTrace(bytes, { ...geometry, clockRateKHz: 1_755_000 }).cyclesPerNs, 1.755);
  });

  it('phase index table matches the protocol', () => {
    assert.equal(phaseOf('wait-full'), 2);
  });
});

describe('format version 2: %globaltimer only at anchors', () => {
  // A tile whose K-loop events carry no timer reading: they must land where their clock says,
  // on the line through the slice's anchors (header, TileBegin, TileEnd).
  const events = [
    { kind: K.TileBegin, ns: 40, tileM: 1, tileN: 2 },
    { kind: K.FullWaitBegin, ns: 40, stage: 0, kblock: 0 },
    { kind: K.FullWaitEnd, ns: 1234, stage: 0, kblock: 0 },
    { kind: K.WgmmaIssue, ns: 1234, stage: 0, kblock: 0 },
    { kind: K.WgmmaDone, ns: 2345, stage: 0, kblock: 0 },
    { kind: K.TileEnd, ns: 4000, tileM: 1, tileN: 2 },
  ];
  const opts = { ...geometry, cyclesPerNs: 1.98, timerTickNs: 1 };
  const slices = (sm: number, start: bigint): BuiltSlice[] => [
    { cta: sm, role: 1, sm, globaltimer0: start, clock0: 77n + BigInt(sm) * 1_000_003n, events },
  ];

  it('places non-anchor events by clock, ignoring whatever their gtime word holds', () => {
    const clean = decodeTrace(
      buildTrace([...slices(0, G0), ...slices(1, G0 + 500n)], { ...opts, version: 2 }),
      geometry,
    );
    const junk = decodeTrace(
      buildTrace([...slices(0, G0), ...slices(1, G0 + 500n)], { ...opts, version: 2, nonAnchorGtime: 0xdeadbeef }),
      geometry,
    );
    assert.deepEqual(junk.spans.start, clean.spans.start);
    assert.ok(Math.abs(clean.cyclesPerNs - 1.98) < 1e-3, `rate ${clean.cyclesPerNs}`);
    const wgmma = Array.from({ length: clean.spans.count }, (_, i) => i).filter(
      (i) => TRACE_PHASES[clean.spans.phase[i]] === 'wgmma',
    );
    assert.equal(wgmma.length, 2);
    for (const i of wgmma)
      assert.ok(
        Math.abs(clean.spans.end[i] - clean.spans.start[i] - 1111) < 1,
        `wgmma span ${clean.spans.end[i] - clean.spans.start[i]}`,
      );
    // SM 1 started 500 ns later: its events sit 500 ns later on the shared axis.
    assert.ok(Math.abs(clean.spans.start[wgmma[1]] - clean.spans.start[wgmma[0]] - 500) < 1);
    assert.ok(Math.abs(clean.durationNs - (4000 + 500 - 40)) < 1, `duration ${clean.durationNs}`);
  });
  it('still decodes version 1 (a timer reading in every record) to the same spans', () => {
    const v1 = decodeTrace(buildTrace([...slices(0, G0), ...slices(1, G0 + 500n)], { ...opts, version: 1 }), geometry);
    const v2 = decodeTrace(buildTrace([...slices(0, G0), ...slices(1, G0 + 500n)], { ...opts, version: 2 }), geometry);
    assert.equal(v1.spans.count, v2.spans.count);
    for (let i = 0; i < v1.spans.count; i++) assert.ok(Math.abs(v1.spans.start[i] - v2.spans.start[i]) < 1);
  });
  it('rejects an unknown version with a coded error naming the ones it reads', () => {
    const bytes = buildTrace(slices(0, G0), { ...opts, version: 2 });
    bytes[32 + 16 * geometry.capacity + 15] = 9; // the version byte of CTA 0's math0 slice
    assert.throws(
      () => readSlices(bytes, geometry),
      (e: unknown) => e instanceof TraceFormatError && /version 9; this decoder reads versions 1 and 2/.test(e.message),
    );
  });
});

describe('decodeCapture', () => {
  const sim = simulateKernel({ ...SMALL_KERNEL, numTiles: 4, kBlocks: 3, stages: 3, mathWarpgroups: 2 });
  const bytes = buildTrace(sim, { numCtas: 2, capacity: 128, cyclesPerNs: 2, timerTickNs: 32 });
  const config = {
    blockM: 128,
    blockN: 128,
    blockK: 128,
    numStages: 3,
    numMathWarpgroups: 2,
    clusterM: 1,
    clusterN: 1,
    swizzleA: 128,
    swizzleB: 128,
    swizzleD: 128,
    numSms: 2,
    sharedBytes: 0,
    numThreads: 384,
  };
  const capture = {
    format: TRACE_FORMAT_VERSION as 1 | 2,
    problem: { kind: 'normal' as const, m: 256, n: 256, k: 384 },
    config,
    numCtas: 2,
    capacity: 128,
    bufferBase64: bytesToBase64(bytes),
  };
  it('decodes what the runtime returns (JSON with a base64 buffer)', () => {
    const d = decodeCapture(JSON.parse(JSON.stringify(capture)));
    assert.equal(d.rows.length, 6);
    assert.equal(d.numStages, 3);
    assert.equal(d.tiles.count, 4 * 3); // each tile on the producer and both math rows
  });
  it('rejects a malformed capture, naming every problem', () => {
    assert.throws(
      () => checkTraceCapture({ ...capture, format: 3 as never, capacity: 0, bufferBase64: 'not base64!' }),
      /format must be one of 1, 2 \(got 3\); capacity must be a whole number ≥ 1; bufferBase64 must be a base64 string/,
    );
    assert.throws(() => checkTraceCapture(null), /JSON object/);
  });
  it('compares the trace span with the measured kernel time (the 5% bar)', () => {
    assert.deepEqual(traceVsMeasured(104_000, 100), { deviation: 0.04, within5Percent: true });
    assert.equal(traceVsMeasured(94_000, 100).within5Percent, false);
    assert.throws(() => traceVsMeasured(1, 0), /positive/);
  });
});
