import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIFF_WORDS, DiffWord } from '../../../../extension/src/core/utilsSource';
import {
  accuracyOf,
  accuracyProblem,
  CALC_DIFF_LIMIT,
  calcDiff,
  readDiffWords,
  relativeErrorFloor,
} from '../../../../extension/src/worker/bench/accuracy';

/** The bytes the GPU reduction leaves in its result buffer (little-endian words). */
function words(w: {
  sumXY: number;
  sumXXYY: number;
  sumYY: number;
  maxAbs: number;
  unwritten: number;
  maxRel: number;
  nonFiniteRef: number;
}): ArrayBuffer {
  const buf = new ArrayBuffer(DIFF_WORDS * 8);
  const v = new DataView(buf);
  v.setFloat64(DiffWord.sumXY * 8, w.sumXY, true);
  v.setFloat64(DiffWord.sumXXYY * 8, w.sumXXYY, true);
  v.setFloat64(DiffWord.sumYY * 8, w.sumYY, true);
  v.setFloat32(DiffWord.maxAbs * 8, w.maxAbs, true);
  v.setBigUint64(DiffWord.unwritten * 8, BigInt(w.unwritten), true);
  v.setFloat32(DiffWord.maxRel * 8, w.maxRel, true);
  v.setBigUint64(DiffWord.nonFiniteRef * 8, BigInt(w.nonFiniteRef), true);
  return buf;
}

test("calc_diff is DeepGEMM's 1 - 2Σxy/Σ(x²+y²)", () => {
  assert.equal(calcDiff(10, 20), 0);
  // x = y·(1+e): calc_diff = e² / (2 + 2e + e²)
  const x = [1.001, -2.002, 3.003],
    y = [1, -2, 3];
  const sxy = x.reduce((s, xi, i) => s + xi * y[i], 0);
  const sxx = x.reduce((s, xi, i) => s + xi * xi + y[i] * y[i], 0);
  assert.ok(Math.abs(calcDiff(sxy, sxx) - 1e-6 / (2 + 2e-3 + 1e-6)) < 1e-12);
  assert.equal(calcDiff(0, 0), 0, 'both all zeros');
  assert.ok(Number.isNaN(calcDiff(1, 0)));
});

test('result words decode as the kernel writes them', () => {
  const w = readDiffWords(
    words({ sumXY: 3.5, sumXXYY: 7.25, sumYY: 4, maxAbs: 0.125, unwritten: 12, maxRel: 0.5, nonFiniteRef: 1 }),
  );
  assert.deepEqual(w, {
    sumXY: 3.5,
    sumXXYY: 7.25,
    sumYY: 4,
    maxAbs: 0.125,
    unwritten: 12,
    maxRel: 0.5,
    nonFiniteRef: 1,
  });
  assert.throws(() => readDiffWords(new ArrayBuffer(16)), /64 bytes/);
});

test('a result passes only when every element was written and calc_diff < 1e-3', () => {
  const good = accuracyOf(
    readDiffWords(
      words({ sumXY: 1, sumXXYY: 2 + 2e-7, sumYY: 1, maxAbs: 0.01, unwritten: 0, maxRel: 0.004, nonFiniteRef: 0 }),
    ),
  );
  assert.equal(good.passed, true);
  assert.ok(good.calcDiff < CALC_DIFF_LIMIT);
  assert.equal(accuracyProblem(good), undefined);

  const unwritten = accuracyOf(
    readDiffWords(words({ sumXY: 1, sumXXYY: 2, sumYY: 1, maxAbs: 0, unwritten: 5, maxRel: 0, nonFiniteRef: 0 })),
  );
  assert.equal(unwritten.passed, false);
  assert.match(accuracyProblem(unwritten)!, /5 output element\(s\) were never written/);

  const wrong = accuracyOf(
    readDiffWords(words({ sumXY: 0.5, sumXXYY: 2, sumYY: 1, maxAbs: 3, unwritten: 0, maxRel: 1, nonFiniteRef: 0 })),
  );
  assert.equal(wrong.passed, false);
  assert.match(accuracyProblem(wrong)!, /calc_diff 5\.00e-1 ≥ 0\.001/);

  const inf = accuracyOf(
    readDiffWords(
      words({
        sumXY: Infinity,
        sumXXYY: Infinity,
        sumYY: 1,
        maxAbs: Infinity,
        unwritten: 0,
        maxRel: 0,
        nonFiniteRef: 0,
      }),
    ),
  );
  assert.equal(inf.passed, false);
  assert.match(accuracyProblem(inf)!, /not finite/);

  const badRef = accuracyOf(
    readDiffWords(words({ sumXY: 1, sumXXYY: 2, sumYY: 1, maxAbs: 0, unwritten: 0, maxRel: 0, nonFiniteRef: 2 })),
  );
  assert.equal(badRef.passed, false);
  assert.match(accuracyProblem(badRef, 2)!, /reference has 2 non-finite/);
});

test('the relative-error floor is 1% of the reference RMS over written elements', () => {
  assert.ok(Math.abs(relativeErrorFloor(400, 100) - 0.02) < 1e-15);
  assert.equal(relativeErrorFloor(0, 100), Number.MIN_VALUE);
  assert.equal(relativeErrorFloor(5, 0), Number.MIN_VALUE);
});
