import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arithmeticIntensity,
  floorUs,
  gbps,
  gemmBytes,
  gemmFlops,
  geomean,
  median,
  percentileBand,
  quantileSorted,
  ridgePoint,
  rooflineTflops,
  summarize,
  tflops,
} from '../../../extension/src/core/stats';

test('median of odd and even sample counts', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('quantiles interpolate linearly between order statistics', () => {
  const s = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110];
  assert.equal(quantileSorted(s, 0.1), 20);
  assert.equal(quantileSorted(s, 0.9), 100);
  assert.equal(quantileSorted([1, 2], 0.25), 1.25);
  assert.throws(() => quantileSorted([], 0.5), /empty/);
  assert.throws(() => quantileSorted([1], 1.5), /\[0, 1\]/);
});

test('summarize gives median, min, max and relative p10-p90 spread', () => {
  const samples = [12, 10, 11, 10.5, 30, 10.2, 10.8, 11.5, 10.1, 10.9, 10.4];
  const s = summarize(samples);
  assert.equal(s.samples, 11);
  assert.equal(s.minUs, 10);
  assert.equal(s.maxUs, 30);
  assert.equal(s.medianUs, 10.8);
  const band = percentileBand(samples);
  assert.equal(band.p50, 10.8);
  assert.ok(Math.abs(s.spread - (band.p90 - band.p10) / 10.8) < 1e-12);
  assert.ok(band.p10 >= 10 && band.p10 <= 10.2 && band.p90 >= 11.5 && band.p90 <= 12);
  assert.throws(() => summarize([]), /no timing samples/);
  assert.throws(() => summarize([1, Number.NaN]), /finite/);
});

test('GEMM bytes = A + B + D + scales, and the floor matches PERF.md', () => {
  // 64 x 2112 x 7168: A 458752 + B 15138816 + D (bf16) 270336 + SFA 64·56·4 + SFB 17·56·4
  assert.equal(gemmBytes({ m: 64, n: 2112, k: 7168 }), 458752 + 15138816 + 270336 + 14336 + 3808);
  // PERF.md's floor for this shape: max(2MNK / 1.40 PFLOP/s, bytes / 3.02 TB/s) = 5.3 µs
  const f = floorUs(gemmFlops(64, 2112, 7168), gemmBytes({ m: 64, n: 2112, k: 7168 }), 1400, 3020);
  assert.equal(Math.round(f * 10) / 10, 5.3);
  // and 4096 x 7168 x 16384, compute bound: 687.2 µs
  const big = floorUs(gemmFlops(4096, 7168, 16384), gemmBytes({ m: 4096, n: 7168, k: 16384 }), 1400, 3020);
  assert.equal(Math.round(big * 10) / 10, 687.2);
  // FP32 output with C read, per-token B scales (1D1D)
  assert.equal(
    gemmBytes({ m: 128, n: 256, k: 256, outBytes: 4, readsC: true, perTokenScaleB: true }),
    128 * 256 + 256 * 256 + 128 * 256 * 4 * 2 + 128 * 2 * 4 + 256 * 2 * 4,
  );
});

test('TFLOPS, GB/s, intensity and the roofline', () => {
  // PERF.md row: 4096 x 4096 x 7168 in 188.4 µs is 1277 TFLOPS
  assert.equal(Math.round(tflops(gemmFlops(4096, 4096, 7168), 188.4)), 1277);
  assert.equal(gbps(3e9, 1e6), 3);
  assert.throws(() => tflops(1, 0), /positive/);
  assert.equal(arithmeticIntensity(1000, 10), 100);
  assert.equal(ridgePoint(1400, 3020), 1400e3 / 3020);
  assert.equal(rooflineTflops(10, 1400, 3000), 30);
  assert.equal(rooflineTflops(1e4, 1400, 3000), 1400);
});

test('geomean', () => {
  assert.ok(Math.abs(geomean([1, 4]) - 2) < 1e-12);
  assert.throws(() => geomean([1, 0]), /positive/);
  assert.throws(() => geomean([]), /nothing/);
});
