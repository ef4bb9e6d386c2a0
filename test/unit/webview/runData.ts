// A fixed BenchRun for unit tests of formatting and storage (not shown to users; figures are
// round test values, not measurements).
import type { BenchRun, GemmConfig, PeerResult, RegisterReport, ShapeResult } from '../../../extension/protocol/worker';

export const config: GemmConfig = {
  blockM: 64,
  blockN: 128,
  blockK: 128,
  numStages: 8,
  numMathWarpgroups: 1,
  clusterM: 1,
  clusterN: 2,
  swizzleA: 128,
  swizzleB: 128,
  swizzleD: 128,
  numSms: 132,
  sharedBytes: 200000,
  numThreads: 256,
};

export const registers: RegisterReport = {
  registers: 168,
  spillStoresBytes: 0,
  spillLoadsBytes: 0,
  stackFrameBytes: 0,
  staticSharedBytes: 0,
  producerRegisters: 40,
  mathRegisters: 232,
  dynamicSharedBytes: 200000,
  occupancyCtasPerSm: 1,
};

export function timedResult(m: number, n: number, k: number, us: number): ShapeResult {
  const flops = 2 * m * n * k;
  const bytes = m * k + n * k + 2 * m * n;
  return {
    problem: { kind: 'normal', m, n, k },
    config,
    registers,
    compile: { cacheHit: true, ms: 1, cacheKey: 'abc' },
    accuracy: { calcDiff: 2.5e-4, maxAbsError: 0.01, maxRelError: 0.02, unwritten: 0, passed: true },
    timing: {
      medianUs: us,
      minUs: us * 0.98,
      maxUs: us * 1.05,
      spread: 0.02,
      samples: 30,
      tflops: flops / us / 1e6,
      gbps: bytes / us / 1e3,
      flops,
      bytes,
    },
    peer: {
      medianUs: us * 1.25,
      minUs: us * 1.2,
      maxUs: us * 1.3,
      spread: 0.01,
      samples: 30,
      tflops: flops / (us * 1.25) / 1e6,
      ratio: 1.25,
      name: 'cuBLASLt',
    },
  };
}

export function makeRun(): BenchRun {
  return {
    id: '2026-11-21T05:00:00.000Z-test',
    startedAt: '2026-11-21T05:00:00.000Z',
    mode: 'gpu',
    ceilings: { fp8Tflops: 1500, bandwidthGBps: 3000, method: 'test', measuredAt: '2026-11-21T04:00:00Z' },
    results: [
      timedResult(64, 2112, 7168, 20),
      {
        problem: { kind: 'normal', m: 128, n: 24576, k: 1536 },
        config,
        registers: { ...registers, spillStoresBytes: 8, spillLoadsBytes: 16 },
        compile: { cacheHit: false, ms: 4000, cacheKey: 'def' },
        peer: { skipped: 'no cuBLASLt, "12.8" too old' },
      },
      {
        problem: { kind: 'normal', m: 4096, n: 7168, k: 16384 },
        config,
        registers,
        compile: { cacheHit: false, ms: 0, cacheKey: '' },
        error: { code: 'E_COMPILE', message: 'ptxas failed,\nsee log' },
      },
    ],
  };
}

/** A peer's timed entry at `ratio` x our time (peer / ours). */
export function timedPeer(id: PeerResult['id'], name: string, r: ShapeResult, ratio: number): PeerResult {
  const us = r.timing!.medianUs * ratio;
  return {
    id,
    name,
    config: `${id} config`,
    accuracy: { calcDiff: 3e-4, maxAbsError: 0.01, maxRelError: 0.02, unwritten: 0, passed: true },
    timing: {
      medianUs: us,
      minUs: us * 0.99,
      maxUs: us * 1.02,
      spread: 0.015,
      samples: 30,
      tflops: r.timing!.flops / us / 1e6,
      ratio,
    },
  };
}

/** The same run as makeRun() written the current way: three peers per shape; DeepGEMM skipped on the second. */
export function makePeersRun(): BenchRun {
  const legacy = makeRun();
  const results = legacy.results.map(({ peer: _p, peerAccuracy: _a, ...r }) => r);
  const first = results[0];
  first.peers = [
    timedPeer('cublaslt', 'cuBLASLt 13.1', first, 1.25),
    timedPeer('deepgemm', 'DeepGEMM 2.6.1', first, 0.9),
    timedPeer('torch', 'torch._scaled_mm (PyTorch 2.11.0)', first, 1.1),
  ];
  results[1].peers = [
    { id: 'cublaslt', name: 'cuBLASLt 13.1', skipped: 'study mode: nothing timed' },
    { id: 'deepgemm', name: 'DeepGEMM 2.6.1', skipped: 'DeepGEMM needs N % 64 == 0' },
  ];
  return {
    ...legacy,
    results,
    peers: [
      { id: 'cublaslt', name: 'cuBLASLt 13.1', available: true, version: '13.1' },
      { id: 'deepgemm', name: 'DeepGEMM 2.6.1', available: true, version: '2.6.1' },
      { id: 'torch', name: 'torch._scaled_mm', available: true },
    ],
  };
}
