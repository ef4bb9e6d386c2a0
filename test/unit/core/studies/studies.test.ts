// Pure parts of the two studies: the host-side error statistics of the accuracy study,
// the trace buffer sizing of the timeline, the CLI arguments, the study/open message guard, and the
// terminal summaries on a decoded (synthetic, simulated) capture.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRACE_FORMAT_VERSION, type AccuracyReport, type TraceCapture } from '../../../../extension/protocol/trace';
import type { GemmConfig, TimelineRun } from '../../../../extension/protocol/worker';
import { parseAccuracyArgs, parseTimelineArgs } from '../../../../extension/src/cli/studyArgs';
import { checkAccuracyReport, histogramTotal } from '../../../../extension/src/core/accuracy';
import { bf16ToNumber, errorStats } from '../../../../extension/src/core/studies/errorStats';
import { formatAccuracyReport, formatTimelineRun } from '../../../../extension/src/core/studies/studyText';
import { compactTrace } from '../../../../extension/src/core/studies/traceCompact';
import { MAX_TRACE_BYTES, traceSizing } from '../../../../extension/src/core/studies/traceSizing';
import { bytesToBase64, decodeCapture, summarizeTrace, traceVsMeasured } from '../../../../extension/src/core/trace';
import { checkWebviewMessage } from '../../../../extension/src/core/webviewGuards';
import { buildTrace, simulateKernel } from '../trace/traceBuilder';

/** Round-to-nearest-even fp32 -> bf16 bits (what the kernel's epilogue stores). */
function toBf16(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  return ((u + 0x7fff + ((u >> 16) & 1)) >>> 16) & 0xffff;
}

test('bf16 bits decode to the fp32 upper half', () => {
  assert.equal(bf16ToNumber(0x3f80), 1);
  assert.equal(bf16ToNumber(0xc040), -3);
  assert.equal(bf16ToNumber(0x0000), 0);
  assert.ok(Number.isNaN(bf16ToNumber(0xffff)));
  assert.equal(bf16ToNumber(toBf16(1 + 2 ** -8)), 1); // ties to even
});

test('errorStats: calc_diff, max errors, histogram and tile sums from D and the reference', () => {
  const m = 4,
    n = 6,
    blockM = 2,
    blockN = 4;
  const ref = new Float32Array(m * n);
  const d = new Uint16Array(m * n);
  for (let i = 0; i < m * n; i++) {
    ref[i] = (i % 5) - 2 + i / 100;
    d[i] = toBf16(ref[i]);
  }
  d[7] = toBf16(ref[7] + 0.5); // row 1, column 1: tile (0, 0)
  d[22] = 0xffff; // row 3, column 4: never written (NaN poison), tile (1, 1)
  const s = errorStats(d, ref, { m, n, blockM, blockN });

  // Independent float64 recomputation over the written outputs.
  let xy = 0,
    xxyy = 0,
    maxAbs = 0;
  for (let i = 0; i < m * n; i++) {
    if (i === 22) continue;
    const x = bf16ToNumber(d[i]),
      y = ref[i];
    xy += x * y;
    xxyy += x * x + y * y;
    maxAbs = Math.max(maxAbs, Math.abs(x - y));
  }
  assert.equal(s.calcDiff, 1 - (2 * xy) / xxyy);
  assert.equal(s.maxAbsError, maxAbs);
  assert.ok(Math.abs(s.maxAbsError - 0.5) < 0.01);
  assert.equal(s.unwritten, 1);
  assert.equal(histogramTotal(s.histogram), m * n);
  assert.equal(s.histogram.nonFinite, 1);
  assert.deepEqual([s.tiles.tilesM, s.tiles.tilesN, s.tiles.blockM, s.tiles.blockN], [2, 2, 2, 4]);
  // The big error is in tile (0, 0) only.
  assert.equal(s.tiles.maxAbs[0], s.maxAbsError);
  assert.ok(s.tiles.maxAbs[1] < 0.05 && s.tiles.maxAbs[2] < 0.05 && s.tiles.maxAbs[3] < 0.05);
  // Σy² per tile adds up to Σy² over the written outputs.
  const sumRef = s.tiles.sumSqRef.reduce((a, b) => a + b, 0);
  let yy = 0;
  for (let i = 0; i < m * n; i++) if (i !== 22) yy += ref[i] * ref[i];
  assert.ok(Math.abs(sumRef - yy) < 1e-9);
  // What errorStats returns passes the report check the accuracy view applies.
  const report: AccuracyReport = {
    problem: { kind: 'normal', m, n, k: 128 },
    config: {} as GemmConfig,
    input: 'normal',
    seed: 1,
    variants: [{ variant: 'fine', ...s }],
  };
  assert.doesNotThrow(() => checkAccuracyReport(report));
  assert.match(formatAccuracyReport(report), /fine-grained \(design\)\s+\d\.\d\de-\d+/);
});

test('errorStats: identical outputs give calc_diff 0 and an all-zero error histogram; bad sizes are refused', () => {
  const ref = new Float32Array([1, 2, 3, 4]);
  const d = Uint16Array.from(ref, toBf16);
  const s = errorStats(d, ref, { m: 2, n: 2, blockM: 128, blockN: 128 });
  assert.equal(s.calcDiff, 0);
  assert.equal(s.histogram.zero, 4);
  assert.deepEqual([s.tiles.tilesM, s.tiles.tilesN], [1, 1]);
  assert.throws(() => errorStats(d, ref, { m: 4, n: 4, blockM: 1, blockN: 1 }), /needs 16 outputs/);
});

test('trace sizing: the whole kernel fits (checked against the events a simulated kernel records)', () => {
  // 2 math warpgroups over 128 rows = 1 wave per K-block, as the simulator emits.
  const o = {
    numCtas: 6,
    numTiles: 20,
    kBlocks: 5,
    stages: 4,
    mathWarpgroups: 2 as const,
    loadNs: 50,
    wgmmaNs: 30,
    promoteNs: 5,
    epilogueNs: 20,
    tileGapNs: 5,
    tilesN: 5,
  };
  const slices = simulateKernel(o);
  const mostEvents = Math.max(...slices.map((s) => s.events.length));
  const sizing = traceSizing(
    { m: 4 * 128, n: 5 * 128, k: 5 * 128 },
    { blockM: 128, blockN: 128, blockK: 128, numSms: 6, numMathWarpgroups: 2 },
  );
  assert.equal(sizing.tiles, 20);
  assert.equal(sizing.tilesPerCta, 4);
  assert.ok(sizing.capacity >= mostEvents, `capacity ${sizing.capacity} < ${mostEvents} events`);
  assert.equal(sizing.capped, false);
  assert.equal(sizing.bytes, 6 * 3 * (32 + 16 * sizing.capacity));
  // Decoding a buffer built with that capacity drops nothing.
  const bytes = buildTrace(slices, { numCtas: 6, capacity: sizing.capacity, cyclesPerNs: 1.98, timerTickNs: 32 });
  const capture = {
    format: TRACE_FORMAT_VERSION,
    problem: { kind: 'normal', m: 512, n: 640, k: 640 },
    config: { numStages: 4 } as GemmConfig,
    numCtas: 6,
    capacity: sizing.capacity,
    bufferBase64: bytesToBase64(bytes),
  } as TraceCapture;
  assert.equal(decodeCapture(capture).eventsDropped, 0);
});

test('trace sizing: a huge shape is capped at 1 GiB (and says so); the DeepSeek shape is far below it', () => {
  const big = traceSizing(
    { m: 65536, n: 65536, k: 65536 },
    { blockM: 64, blockN: 16, blockK: 128, numSms: 132, numMathWarpgroups: 1 },
  );
  assert.equal(big.capped, true);
  assert.ok(big.bytes <= MAX_TRACE_BYTES);
  assert.ok(big.needed > big.capacity);
  const ds = traceSizing(
    { m: 4096, n: 7168, k: 2048 },
    { blockM: 128, blockN: 128, blockK: 128, numSms: 132, numMathWarpgroups: 2 },
  );
  assert.equal(ds.capped, false);
  assert.equal(ds.tilesPerCta, Math.ceil((32 * 56) / 132));
  assert.ok(ds.bytes < 64 * 2 ** 20);
});

test('fp8lab timeline / accuracy arguments', () => {
  const t = parseTimelineArgs([
    '4096',
    '7168',
    '2048',
    '--trace',
    'out.json',
    '--config',
    'block_m=128,block_n=128',
    '--rounds=5',
  ]);
  assert.equal(t.ok, true);
  if (t.ok === true) {
    assert.deepEqual(
      [t.value.problem!.m, t.value.problem!.n, t.value.problem!.k, t.value.traceFile, t.value.rounds],
      [4096, 7168, 2048, 'out.json', 5],
    );
    assert.deepEqual(t.value.config, { blockM: 128, blockN: 128 });
  }
  const noTrace = parseTimelineArgs(['4096', '7168', '2048']);
  assert.equal(noTrace.ok, false);
  assert.match((noTrace as { message: string }).message, /--trace FILE/);
  assert.equal(parseTimelineArgs(['--help']).ok, 'help');
  const conv = parseTimelineArgs(['--from-capture', 'cap.json', '--trace', 'out.json']);
  assert.deepEqual(conv, { ok: true, value: { fromCapture: 'cap.json', traceFile: 'out.json' } });
  assert.equal(
    parseTimelineArgs(['4096', '7168', '2048', '--from-capture', 'cap.json', '--trace', 'out.json']).ok,
    false,
  );
  assert.equal(parseTimelineArgs(['1', '2', '3', '--trace', 'x', '--bogus', '1']).ok, false);

  const a = parseAccuracyArgs(['4096x7168x2048', '--input', 'outliers', '--seed', '42', '--json', 'a.json']);
  assert.equal(a.ok, true);
  if (a.ok === true) assert.deepEqual([a.value.input, a.value.seed, a.value.jsonFile], ['outliers', 42, 'a.json']);
  const defaults = parseAccuracyArgs(['64', '128', '256', '--json', 'a.json']);
  assert.ok(defaults.ok === true && defaults.value.input === 'normal' && defaults.value.seed === 0);
  assert.match(
    (parseAccuracyArgs(['128', '128', '128', '--json', 'x', '--input', 'huge']) as { message: string }).message,
    /normal, outliers or tiny/,
  );
  assert.match(
    (parseAccuracyArgs(['128', '128', '128', '--json', 'x', '--seed', '-1']) as { message: string }).message,
    /whole number/,
  );
  assert.match((parseAccuracyArgs(['128', '128', '128']) as { message: string }).message, /--json FILE/);
});

test('study/open is accepted from the results panel and the explorer only, with a valid study and index', () => {
  const msg = (params: unknown) => ({ kind: 'request', id: 3, method: 'study/open', params });
  assert.equal(checkWebviewMessage(msg({ study: 'timeline', index: 2 }), 'results').ok, true);
  assert.equal(checkWebviewMessage(msg({ study: 'accuracy', index: 0 }), 'explorer').ok, true);
  for (const view of ['registers', 'timeline', 'accuracy'] as const)
    assert.equal(checkWebviewMessage(msg({ study: 'timeline', index: 0 }), view).ok, false);
  assert.equal(checkWebviewMessage(msg({ study: 'perfetto', index: 0 }), 'results').ok, false);
  assert.equal(checkWebviewMessage(msg({ study: 'timeline', index: -1 }), 'results').ok, false);
  assert.equal(checkWebviewMessage(msg({ study: 'timeline', index: 0, extra: 1 }), 'results').ok, false);
  assert.equal(
    checkWebviewMessage({ kind: 'notification', method: 'ready', params: { view: 'timeline' } }, 'timeline').ok,
    true,
  );
});

test('the timeline summary text quotes the run: timing with and without, trace vs measured, drops', () => {
  const o = {
    numCtas: 4,
    numTiles: 12,
    kBlocks: 8,
    stages: 4,
    mathWarpgroups: 2 as const,
    loadNs: 700,
    wgmmaNs: 300,
    promoteNs: 60,
    epilogueNs: 500,
    tileGapNs: 40,
    tilesN: 4,
  };
  const capacity = 200;
  const capture = {
    format: TRACE_FORMAT_VERSION,
    problem: { kind: 'normal', m: 384, n: 512, k: 1024 },
    config: {
      blockM: 128,
      blockN: 128,
      blockK: 128,
      numStages: 4,
      numMathWarpgroups: 2,
      clusterM: 1,
      clusterN: 1,
      swizzleA: 128,
      swizzleB: 128,
      swizzleD: 128,
      numSms: 4,
      sharedBytes: 0,
      numThreads: 384,
    },
    numCtas: 4,
    capacity,
    bufferBase64: bytesToBase64(
      buildTrace(simulateKernel(o), { numCtas: 4, capacity, cyclesPerNs: 1.98, timerTickNs: 32 }),
    ),
    recorded: 'synthetic (test/unit/trace/traceBuilder.ts)',
  } as TraceCapture;
  const data = decodeCapture(capture);
  const summary = summarizeTrace(data);
  const measuredUs = (data.durationNs / 1000) * 1.02;
  const stats = (medianUs: number) => ({ medianUs, minUs: medianUs, maxUs: medianUs, spread: 0, samples: 3 });
  const acc = { calcDiff: 1e-6, maxAbsError: 0.01, maxRelError: 0.01, unwritten: 0, passed: true };
  const run: TimelineRun = {
    capture,
    summary,
    accuracy: acc,
    plainAccuracy: acc,
    sizing: {
      capacity,
      needed: capacity,
      bytes: 4 * 3 * (32 + 16 * capacity),
      capped: false,
      tilesPerCta: 3,
      kBlocks: 8,
    },
    vsMeasured: { traceUs: data.durationNs / 1000, measuredUs, ...traceVsMeasured(data.durationNs, measuredUs) },
    timing: { plain: stats(measuredUs / 1.1), instrumented: stats(measuredUs), overhead: 0.1, method: 'test' },
  };
  const text = formatTimelineRun(run);
  assert.match(text, /instrumentation costs 10\.0%/);
  assert.match(text, /\(within 5%\)/);
  assert.match(text, new RegExp(`${summary.eventsRecorded} recorded, 0 dropped`));
  assert.match(text, /^math\s+\d+\.\d% waiting/m);
  // 8 K-blocks of 300 ns wgmma and 60 ns promotion after the first load: the K-loop, then the 500 ns epilogue.
  const tp = summary.tilePhases!;
  assert.ok(Math.abs(tp.epilogueNs.p50 - 500) < 5, `epilogue ${tp.epilogueNs.p50} ns`); // clock estimated from a 32 ns timer
  assert.ok(tp.kLoopNs.p50 >= 0.99 * (8 * 300 + 7 * 60), `K-loop ${tp.kLoopNs.p50} ns`);
  assert.match(
    text,
    new RegExp(`^per tile {4}K-loop ${(tp.kLoopNs.p50 / 1000).toFixed(1)} µs .*epilogue 0\\.5 µs`, 'm'),
  );
  assert.doesNotMatch(text, /outlasts/); // a cooperative kernel: nothing to hide the epilogue behind
});

test('compactTrace keeps every record and every drop while cutting the unused capacity', () => {
  const o = {
    numCtas: 3,
    numTiles: 7,
    kBlocks: 4,
    stages: 3,
    mathWarpgroups: 1 as const,
    loadNs: 80,
    wgmmaNs: 40,
    promoteNs: 6,
    epilogueNs: 30,
    tileGapNs: 4,
    tilesN: 7,
  };
  const sim = simulateKernel(o);
  const geometry = (capacity: number, b: Uint8Array) =>
    ({
      format: TRACE_FORMAT_VERSION,
      problem: { kind: 'normal', m: 128, n: 896, k: 512 },
      config: { numStages: 3 } as GemmConfig,
      numCtas: 3,
      capacity,
      bufferBase64: bytesToBase64(b),
    }) as TraceCapture;
  const roomy = buildTrace(sim, { numCtas: 3, capacity: 500, cyclesPerNs: 1.5, timerTickNs: 32 });
  const most = Math.max(...sim.map((s) => s.events.length));
  const small = compactTrace(roomy, 3, 500);
  assert.equal(small.capacity, most);
  assert.ok(small.bytes.length < roomy.length);
  const a = decodeCapture(geometry(500, roomy)),
    b = decodeCapture(geometry(small.capacity, small.bytes));
  assert.deepEqual(
    [b.eventsRecorded, b.eventsDropped, b.spans.count, b.durationNs],
    [a.eventsRecorded, a.eventsDropped, a.spans.count, a.durationNs],
  );
  // A buffer that overflowed keeps its capacity and its dropped count.
  const tight = buildTrace(sim, { numCtas: 3, capacity: 20, cyclesPerNs: 1.5, timerTickNs: 32 });
  const same = compactTrace(tight, 3, 20);
  assert.equal(same.capacity, 20);
  assert.ok(decodeCapture(geometry(20, same.bytes)).eventsDropped > 0);
  assert.throws(() => compactTrace(roomy.subarray(0, 100), 3, 500), /are needed/);
});
