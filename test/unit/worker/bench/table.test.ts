import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BenchRun, GemmConfig, ShapeResult } from '../../../../extension/protocol/worker';
import { peerGeomean } from '../../../../extension/src/core/peers/runPeers';
import { benchTable, progressLine, studyTable, textTable } from '../../../../extension/src/worker/bench/table';

const config: GemmConfig = {
  blockM: 64,
  blockN: 112,
  blockK: 128,
  numStages: 8,
  numMathWarpgroups: 1,
  clusterM: 1,
  clusterN: 1,
  swizzleA: 128,
  swizzleB: 128,
  swizzleD: 32,
  numSms: 132,
  sharedBytes: 200000,
  numThreads: 256,
};
const registers = {
  registers: 168,
  spillStoresBytes: 0,
  spillLoadsBytes: 0,
  stackFrameBytes: 0,
  staticSharedBytes: 0,
  producerRegisters: 40,
  mathRegisters: 248,
  dynamicSharedBytes: 200000,
  occupancyCtasPerSm: 1,
};
const stats = (us: number) => ({ medianUs: us, minUs: us * 0.98, maxUs: us * 1.05, spread: 0.02, samples: 20 });

const passed = { calcDiff: 1.4e-6, maxAbsError: 0.01, maxRelError: 0.002, unwritten: 0, passed: true };

function timed(m: number, n: number, k: number, us: number, peerUs: number, dgUs?: number): ShapeResult {
  const flops = 2 * m * n * k;
  const peerTiming = (x: number) => ({ ...stats(x), tflops: flops / x / 1e6, ratio: x / us });
  return {
    problem: { kind: 'normal', m, n, k },
    config,
    registers,
    compile: { cacheHit: true, ms: 3, cacheKey: 'ab' },
    accuracy: passed,
    timing: { ...stats(us), tflops: flops / us / 1e6, gbps: 1000, flops, bytes: 1e6 },
    peers: [
      { id: 'cublaslt', name: 'cuBLASLt 13.1.0', accuracy: passed, timing: peerTiming(peerUs), config: 'algo 66' },
      dgUs === undefined
        ? { id: 'deepgemm', name: 'DeepGEMM 2.6.1', skipped: 'DeepGEMM could not run this problem: boom' }
        : { id: 'deepgemm', name: 'DeepGEMM 2.6.1', accuracy: passed, timing: peerTiming(dgUs) },
    ],
  };
}

const run: BenchRun = {
  id: 'r1',
  startedAt: '2026-11-21T00:00:00Z',
  mode: 'gpu',
  results: [
    timed(64, 2112, 7168, 10, 20, 11),
    timed(4096, 7168, 2048, 100, 125),
    {
      problem: { kind: 'normal', m: 7, n: 576, k: 7168 },
      config,
      registers,
      compile: { cacheHit: false, ms: 2500, cacheKey: 'cd' },
      accuracy: { calcDiff: 0.4, maxAbsError: 9, maxRelError: 1, unwritten: 3, passed: false },
      error: { code: 'E_WRONG_RESULT', message: 'wrong result, not timed' },
    },
  ],
  hostOverhead: { usPerLaunch: 4.2, launches: 200, method: 'hrtime' },
  peers: [
    { id: 'cublaslt', name: 'cuBLASLt 13.1.0', available: true, version: '13.1.0' },
    { id: 'deepgemm', name: 'DeepGEMM 2.6.1', available: true, version: '2.6.1' },
    { id: 'torch', name: 'torch._scaled_mm', available: false, reason: 'python3 cannot import torch: install PyTorch' },
  ],
};

test('text tables right-align numbers and left-align text under a rule', () => {
  const t = textTable(
    ['M', 'config'],
    [
      ['64', '64x112'],
      ['4096', 'x'],
    ],
    [true, false],
  );
  assert.equal(t, '   M  config\n----  ------\n  64  64x112\n4096  x\n');
});

test('the geomean ratio per peer covers only shapes timed against that peer', () => {
  const g = peerGeomean(run, 'cublaslt')!;
  assert.equal(g.shapes, 2);
  assert.ok(Math.abs(g.value - Math.sqrt(2 * 1.25)) < 1e-12);
  assert.equal(g.min, 1.25);
  assert.equal(peerGeomean(run, 'deepgemm')!.shapes, 1);
  assert.equal(peerGeomean({ ...run, results: [run.results[2]] }, 'cublaslt'), undefined);
});

test('the GPU table has a time and a ratio column per peer, then calc_diff, config and registers', () => {
  const text = benchTable(run);
  const lines = text.split('\n');
  assert.match(
    lines[0],
    /^\s*M\s+N\s+K\s+µs\s+spread\s+TFLOPS\s+GB\/s\s+cuBLASLt µs\s+ratio\s+DeepGEMM µs\s+ratio\s+torch\._scaled_mm µs\s+ratio\s+calc_diff\s+config\s+regs\s+error$/,
  );
  assert.match(
    lines[2],
    /^\s*64\s+2112\s+7168\s+10\.0\s+2\.0%\s+194\s+1000\s+20\.0\s+2\.00\s+11\.0\s+1\.10\s+-\s+-\s+1\.4e-6\s+64x112 s8 wg1 c1x1\s+168$/,
  );
  assert.match(
    lines[3],
    /^\s*4096\s+7168\s+2048\s+100\.0\s+2\.0%\s+\d+\s+1000\s+125\.0\s+1\.25\s+skipped\s+-\s+-\s+-\s+1\.4e-6/,
  );
  assert.match(lines[4], /^\s*7\s+576\s+7168(\s+-){10}\s+4\.0e-1\s+64x112 s8 wg1 c1x1\s+168\s+E_WRONG_RESULT$/);
  assert.match(text, /vs cuBLASLt: geomean 1\.581x, slowest 1\.250x over 2 shape\(s\)/);
  assert.match(text, /vs DeepGEMM: geomean 1\.100x, slowest 1\.100x over 1 shape\(s\)/);
  assert.match(text, /host overhead per launch: 4\.20 µs/);
});

test('a peer that cannot run is said once with its reason; one skipped on some shapes says where', () => {
  const text = benchTable(run);
  assert.match(text, /^torch\._scaled_mm column skipped: python3 cannot import torch: install PyTorch$/m);
  assert.match(
    text,
    /^DeepGEMM 2\.6\.1: skipped on 1 shape\(s\), e\.g\. 4096x7168x2048: DeepGEMM could not run this problem: boom$/m,
  );
  assert.match(text, /^vs torch\._scaled_mm: no shape was timed against it$/m);
});

test('a saved run from before per-peer columns shows its cuBLASLt column', () => {
  const legacy: ShapeResult = {
    ...run.results[0],
    peers: undefined,
    peer: { ...stats(20), tflops: 1, ratio: 2, name: 'cuBLASLt block-scaled FP8' },
    peerAccuracy: passed,
  };
  const text = benchTable({ ...run, peers: undefined, results: [legacy] });
  assert.match(text.split('\n')[0], /cuBLASLt µs\s+ratio\s+calc_diff/);
  assert.match(text.split('\n')[2], /\s20\.0\s+2\.00\s+1\.4e-6/);
});

test('progress lines carry the figures of the finished shape, or its error', () => {
  assert.equal(
    progressLine(run.results[0], 0, 18),
    '[1/18] 64x2112x7168  10.0 µs  194 TFLOPS  1000 GB/s  cuBLASLt 20.0 µs x2.00  DeepGEMM 11.0 µs x1.10  calc_diff 1.4e-6  64x112 s8 wg1 c1x1  168 regs  0 B spilled',
  );
  assert.equal(progressLine(run.results[2], 2, 18), '[3/18] 7x576x7168  E_WRONG_RESULT: wrong result, not timed');
});

test('study mode lists config, registers, spills and the compile, no timing columns', () => {
  const study: BenchRun = {
    ...run,
    mode: 'study',
    results: [{ ...run.results[0], timing: undefined, peers: undefined, accuracy: undefined }],
  };
  const text = benchTable(study);
  assert.equal(text, studyTable(study));
  assert.doesNotMatch(text, /TFLOPS/);
  assert.match(text.split('\n')[2], /^\s*64\s+2112\s+7168\s+64x112 s8 wg1 c1x1\s+168\s+0\s+0\s+200000\s+3\s+hit$/);
});
