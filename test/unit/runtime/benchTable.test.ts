import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BenchRun, GemmConfig, ShapeResult } from '../../../extension/protocol/worker';
import { benchTable, geomeanRatio, progressLine, studyTable, textTable } from '../../../extension/src/runtime/bench/table';

const config: GemmConfig = {
  blockM: 64, blockN: 112, blockK: 128, numStages: 8, numMathWarpgroups: 1, clusterM: 1, clusterN: 1,
  swizzleA: 128, swizzleB: 128, swizzleD: 32, numSms: 132, sharedBytes: 200000, numThreads: 256,
};
const registers = {
  registers: 168, spillStoresBytes: 0, spillLoadsBytes: 0, stackFrameBytes: 0, staticSharedBytes: 0,
  producerRegisters: 40, mathRegisters: 248, dynamicSharedBytes: 200000, occupancyCtasPerSm: 1,
};
const stats = (us: number) => ({ medianUs: us, minUs: us * 0.98, maxUs: us * 1.05, spread: 0.02, samples: 20 });

function timed(m: number, n: number, k: number, us: number, peerUs: number): ShapeResult {
  const flops = 2 * m * n * k;
  return {
    problem: { kind: 'normal', m, n, k }, config, registers,
    compile: { cacheHit: true, ms: 3, cacheKey: 'ab' },
    accuracy: { calcDiff: 1.4e-6, maxAbsError: 0.01, maxRelError: 0.002, unwritten: 0, passed: true },
    timing: { ...stats(us), tflops: flops / us / 1e6, gbps: 1000, flops, bytes: 1e6 },
    peer: { ...stats(peerUs), tflops: flops / peerUs / 1e6, ratio: peerUs / us, name: 'cuBLASLt block-scaled FP8' },
  };
}

const run: BenchRun = {
  id: 'r1', startedAt: '2026-11-21T00:00:00Z', mode: 'gpu',
  results: [
    timed(64, 2112, 7168, 10, 20),
    timed(4096, 7168, 2048, 100, 125),
    { problem: { kind: 'normal', m: 7, n: 576, k: 7168 }, config, registers, compile: { cacheHit: false, ms: 2500, cacheKey: 'cd' },
      accuracy: { calcDiff: 0.4, maxAbsError: 9, maxRelError: 1, unwritten: 3, passed: false },
      error: { code: 'E_WRONG_RESULT', message: 'wrong result, not timed' } },
  ],
  hostOverhead: { usPerLaunch: 4.2, launches: 200, method: 'hrtime' },
};

test('text tables right-align numbers and left-align text under a rule', () => {
  const t = textTable(['M', 'config'], [['64', '64x112'], ['4096', 'x']], [true, false]);
  assert.equal(t, '   M  config\n----  ------\n  64  64x112\n4096  x\n');
});

test('the geomean ratio covers only shapes timed against the peer', () => {
  const g = geomeanRatio(run)!;
  assert.equal(g.shapes, 2);
  assert.ok(Math.abs(g.value - Math.sqrt(2 * 1.25)) < 1e-12);
  assert.equal(geomeanRatio({ ...run, results: [run.results[2]] }), undefined);
});

test('the GPU table shows time, throughput, the peer, the ratio, calc_diff, config and registers', () => {
  const text = benchTable(run);
  const lines = text.split('\n');
  assert.match(lines[0], /^\s*M\s+N\s+K\s+µs\s+spread\s+TFLOPS\s+GB\/s\s+cuBLASLt µs\s+ratio\s+calc_diff\s+config\s+regs\s+error$/);
  assert.match(lines[2], /^\s*64\s+2112\s+7168\s+10\.0\s+2\.0%\s+194\s+1000\s+20\.0\s+2\.00\s+1\.4e-6\s+64x112 s8 wg1 c1x1\s+168$/);
  assert.match(lines[4], /^\s*7\s+576\s+7168\s+-\s+-\s+-\s+-\s+-\s+-\s+4\.0e-1\s+64x112 s8 wg1 c1x1\s+168\s+E_WRONG_RESULT$/);
  assert.match(text, /geomean ratio \(cuBLASLt µs \/ ours\) over 2 shape\(s\): 1\.581/);
  assert.match(text, /host overhead per launch: 4\.20 µs/);
});

test('a skipped peer is said once, with its reason', () => {
  const skipped = { ...run.results[0], peer: { skipped: 'cuBLASLt is not available: not found' } };
  const text = benchTable({ ...run, results: [skipped] });
  assert.match(text, /skipped/);
  assert.match(text, /cuBLASLt skipped: cuBLASLt is not available: not found/);
  assert.match(text, /geomean ratio: no shape was timed against cuBLASLt/);
});

test('progress lines carry the figures of the finished shape, or its error', () => {
  assert.equal(progressLine(run.results[0], 0, 18),
    '[1/18] 64x2112x7168  10.0 µs  194 TFLOPS  1000 GB/s  cuBLASLt 20.0 µs  x2.00  calc_diff 1.4e-6  64x112 s8 wg1 c1x1  168 regs  0 B spilled');
  assert.equal(progressLine(run.results[2], 2, 18), '[3/18] 7x576x7168  E_WRONG_RESULT: wrong result, not timed');
});

test('study mode lists config, registers, spills and the compile, no timing columns', () => {
  const study: BenchRun = { ...run, mode: 'study', results: [{ ...run.results[0], timing: undefined, peer: undefined, accuracy: undefined }] };
  const text = benchTable(study);
  assert.equal(text, studyTable(study));
  assert.doesNotMatch(text, /TFLOPS/);
  assert.match(text.split('\n')[2], /^\s*64\s+2112\s+7168\s+64x112 s8 wg1 c1x1\s+168\s+0\s+0\s+200000\s+3\s+hit$/);
});
