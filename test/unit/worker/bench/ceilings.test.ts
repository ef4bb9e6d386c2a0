import assert from 'node:assert/strict';
import test from 'node:test';
import type { DeviceCeilings, ShapeResult } from '../../../../extension/protocol/worker';
import { raiseToObserved } from '../../../../extension/src/worker/bench/ceilings';

const base: DeviceCeilings = {
  fp8Tflops: 1300,
  bandwidthGBps: 2500,
  method: 'measured.',
  measuredAt: '2026-11-21T06:00:00Z',
};

function result(
  m: number,
  tflops: number,
  gbps: number,
  us: number,
  peer?: { us: number; tflops: number },
  passed = true,
): ShapeResult {
  return {
    problem: { kind: 'normal', m, n: 2112, k: 7168 },
    config: {} as ShapeResult['config'],
    accuracy: { calcDiff: 1e-6, maxAbsError: 0, maxRelError: 0, unwritten: 0, passed },
    timing: { medianUs: us, minUs: us, maxUs: us, spread: 0, samples: 10, tflops, gbps, flops: 0, bytes: 0 },
    ...(peer
      ? {
          peer: {
            medianUs: peer.us,
            minUs: peer.us,
            maxUs: peer.us,
            spread: 0,
            samples: 10,
            tflops: peer.tflops,
            ratio: peer.us / us,
            name: 'cuBLASLt',
          },
          peerAccuracy: { calcDiff: 1e-6, maxAbsError: 0, maxRelError: 0, unwritten: 0, passed: true },
        }
      : {}),
  };
}

test('a run no kernel of which beats the roofs leaves the ceilings as they are (same object)', () => {
  assert.equal(raiseToObserved(base, [result(64, 300, 2000, 10)]), base);
});

test('a GEMM reading faster than the microbenchmarks raises the memory roof, and the method says by what', () => {
  const out = raiseToObserved(base, [result(64, 300, 2600, 10), result(128, 320, 2575, 12)]);
  assert.equal(out.bandwidthGBps, 2600);
  assert.equal(out.fp8Tflops, 1300);
  assert.match(out.method, /^measured\. Memory roof raised to 2600 GB\/s by our GEMM at 64x2112x7168\.$/);
});

test("the peer's rate counts too (same bytes over its own time); a wrong result never raises a roof", () => {
  const out = raiseToObserved(base, [
    result(4096, 1350, 500, 100, { us: 90, tflops: 1500 }),
    result(64, 2000, 9000, 1, undefined, false),
  ]);
  assert.equal(out.fp8Tflops, 1500);
  assert.match(
    out.method,
    /FP8 roof raised to 1350 TFLOPS by our GEMM.*FP8 roof raised to 1500 TFLOPS by cuBLASLt at 4096x2112x7168/,
  );
  assert.equal(out.bandwidthGBps, 2500);
});
