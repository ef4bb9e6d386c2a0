import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccuracyReport, AccuracyVariantReport, TileErrorSums } from '../../../../extension/protocol/trace';
import {
  binEdges,
  binOf,
  checkAccuracyReport,
  compareVariants,
  histogramOf,
  histogramQuantile,
  histogramTotal,
  relativeError,
  tileHeatmap,
} from '../../../../extension/src/core/accuracy';

describe('error histogram bins', () => {
  it('puts each relative error in its quarter-decade bin, with zero/below/above/non-finite apart', () => {
    assert.equal(binOf(0), 'zero');
    assert.equal(binOf(NaN), 'nonFinite');
    assert.equal(binOf(Infinity), 'nonFinite');
    assert.equal(binOf(1e-9), 'below');
    assert.equal(binOf(1e-8), 0);
    assert.equal(binOf(1e-3), 20); // (−3 − −8) x 4
    assert.equal(binOf(1.7e-3), 20); // log10 = −2.77 -> 20.9
    assert.equal(binOf(1.8e-3), 21); // log10 = −2.74 -> 21.0
    assert.equal(binOf(9.99), 35);
    assert.equal(binOf(10), 'above');
  });
  it('counts every value once and reports bin edges and quantiles', () => {
    const h = histogramOf([0, 1e-9, 1e-3, 2e-3, 2e-3, 5e-2, 20, NaN]);
    assert.equal(histogramTotal(h), 8);
    assert.deepEqual(
      [h.zero, h.below, h.above, h.nonFinite, h.counts[20], h.counts[21], h.counts[26]],
      [1, 1, 1, 1, 1, 2, 1],
    );
    const [lo, hi] = binEdges(h, 20);
    assert.ok(Math.abs(lo - 1e-3) < 1e-15 && Math.abs(hi - 10 ** -2.75) < 1e-15);
    assert.equal(histogramQuantile(h, 0.5), 10 ** (-8 + 22 / 4)); // 4 of 7 finite values are ≤ the top of bin 21
    assert.equal(relativeError(1.01, 1, 1e-6), 0.010000000000000009);
    assert.equal(relativeError(1e-9, 0, 1e-6), 1e-3); // the floor keeps near-zero references from dominating
  });
});

const tiles = (
  tilesM: number,
  tilesN: number,
  f: (m: number, n: number) => [number, number, number],
): TileErrorSums => {
  const t: TileErrorSums = { blockM: 128, blockN: 128, tilesM, tilesN, maxAbs: [], sumSqErr: [], sumSqRef: [] };
  for (let m = 0; m < tilesM; m++)
    for (let n = 0; n < tilesN; n++) {
      const [a, e, r] = f(m, n);
      t.maxAbs.push(a);
      t.sumSqErr.push(e);
      t.sumSqRef.push(r);
    }
  return t;
};

describe('tileHeatmap', () => {
  it('keeps one cell per tile when they fit and finds the worst tile', () => {
    const h = tileHeatmap(
      tiles(2, 3, (m, n) => [m + n, (m * 3 + n) ** 2, 1]),
      'relRms',
    );
    assert.deepEqual([h.rows, h.cols, h.tilesPerRow, h.tilesPerCol], [2, 3, 1, 1]);
    assert.deepEqual(Array.from(h.values), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(h.worst, { tileM: 1, tileN: 2, value: 5 });
    assert.deepEqual([h.min, h.max], [0, 5]);
  });
  it('aggregates blocks of tiles: RMS from the summed squares, max of the maxima', () => {
    const t = tiles(4, 4, (m, n) => [m * 4 + n, m === 0 && n === 0 ? 4 : 0, 1]);
    const rms = tileHeatmap(t, 'relRms', 2, 2);
    assert.deepEqual([rms.rows, rms.cols, rms.tilesPerRow, rms.tilesPerCol], [2, 2, 2, 2]);
    assert.deepEqual(Array.from(rms.values), [1, 0, 0, 0]); // sqrt(4 / 4 tiles of reference 1)
    const mx = tileHeatmap(t, 'maxAbs', 2, 2);
    assert.deepEqual(Array.from(mx.values), [5, 7, 13, 15]);
  });
  it('leaves cells with no reference energy undefined rather than zero, and rejects bad sums', () => {
    const h = tileHeatmap(
      tiles(1, 2, (_, n) => [0, 0, n]),
      'relRms',
    );
    assert.ok(Number.isNaN(h.values[0]));
    assert.equal(h.values[1], 0);
    assert.throws(
      () => tileHeatmap({ ...tiles(2, 2, () => [0, 0, 1]), sumSqErr: [1] }, 'relRms'),
      (e: Error & { code?: string }) => e.code === 'E_TRACE_FORMAT' && /4 values/.test(e.message),
    );
  });
});

const variant = (
  v: AccuracyVariantReport['variant'],
  calcDiff: number,
  rel: number[],
  scale: number,
): AccuracyVariantReport => ({
  variant: v,
  calcDiff,
  maxAbsError: scale * 3,
  maxRelError: Math.max(...rel),
  unwritten: 0,
  histogram: histogramOf(rel),
  tiles: tiles(2, 2, (m, n) => [scale * (1 + m + n), scale * scale * (1 + m), 100]),
});
const problem = { kind: 'normal' as const, m: 256, n: 256, k: 7168 };
const config = {
  blockM: 128,
  blockN: 128,
  blockK: 128,
  numStages: 5,
  numMathWarpgroups: 2,
  clusterM: 1,
  clusterN: 1,
  swizzleA: 128,
  swizzleB: 128,
  swizzleD: 128,
  numSms: 132,
  sharedBytes: 199472,
  numThreads: 384,
};
const report: AccuracyReport = {
  problem,
  config,
  input: 'outliers',
  seed: 7,
  variants: [
    variant('noPromotion', 4e-3, [1e-2, 3e-2, 2e-2], 10),
    variant('fine', 2e-4, [1e-3, 2e-3, 3e-3], 1),
    variant('perTensor', 8e-4, [4e-3, 5e-3, 9e-3], 2),
  ],
};

describe('compareVariants', () => {
  const c = compareVariants(report);
  it('orders the design first and relates each variant to it', () => {
    assert.deepEqual(
      c.rows.map((r) => r.variant),
      ['fine', 'perTensor', 'noPromotion'],
    );
    assert.deepEqual(
      c.rows.map((r) => r.vsFine),
      [1, 4, 20],
    );
    assert.deepEqual(
      c.rows.map((r) => r.passed),
      [true, true, false],
    );
    assert.deepEqual(c.missing, []);
  });
  it('puts the three on one heat scale and one histogram scale', () => {
    assert.equal(c.heatDomain[0], Math.min(...c.rows.map((r) => r.heatmap.min)));
    assert.equal(c.heatDomain[1], c.rows[2].heatmap.max);
    assert.equal(c.histogramMax, 2); // no promotion: 2e-2 and 3e-2 share the bin [10^-1.75, 10^-1.5)
  });
  it('states findings from the numbers', () => {
    assert.ok(
      c.findings.some((f) => /^no promotion: calc_diff 4\.00e-3 fails/.test(f)),
      c.findings.join('\n'),
    );
    assert.ok(
      c.findings.some((f) => /^per-tensor scaling: calc_diff 8\.00e-4, 4\.00x that of the design \(2\.00e-4\)/.test(f)),
      c.findings.join('\n'),
    );
  });
  it('shows a missing variant as missing and rejects malformed reports with a coded error', () => {
    const partial = compareVariants({ ...report, variants: report.variants.slice(1) });
    assert.deepEqual(partial.missing, ['noPromotion']);
    assert.throws(() => checkAccuracyReport({ ...report, input: 'huge' }), /input \(normal \| outliers \| tiny\)/);
    assert.throws(
      () => checkAccuracyReport({ ...report, variants: [report.variants[1], report.variants[1]] }),
      /appears twice/,
    );
    assert.throws(
      () => checkAccuracyReport({ ...report, variants: [{ ...report.variants[1], calcDiff: 'x' }] }),
      /calcDiff must be a number/,
    );
  });
});
