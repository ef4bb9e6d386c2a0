import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  callsPerGraph,
  estimateUs,
  L2_FACTOR,
  MAX_CALLS_PER_GRAPH,
  MAX_SETS,
  rotationPlan,
  setSizes,
} from '../../../../extension/src/worker/bench/plan';

const L2 = 50 * 2 ** 20; // H100
const MEMORY = 32 * 2 ** 30;

test('one input set holds A, B (fp8), D (bf16), SFA padded to 4 rows and SFB per 128x128 block', () => {
  const s = setSizes(1000, 576, 7168);
  assert.equal(s.a, 1000 * 7168);
  assert.equal(s.b, 576 * 7168);
  assert.equal(s.d, 1000 * 576 * 2);
  assert.equal(s.sfaStride, 1000);
  assert.equal(s.sfa, 56 * 1000 * 4);
  assert.equal(s.sfb, 5 * 56 * 4); // ceil(576/128) = 5 blocks of rows
  assert.equal(s.total, s.a + s.b + s.d + s.sfa + s.sfb);
  assert.equal(setSizes(7, 2112, 7168).sfaStride, 8);
  assert.equal(setSizes(1, 2112, 128).sfa, 1 * 4 * 4);
});

test('the rotation exceeds 3x L2 with the fewest sets, for decode and prefill shapes', () => {
  for (const [m, n, k] of [
    [64, 2112, 7168],
    [128, 32768, 512],
    [4096, 7168, 2048],
    [4096, 7168, 16384],
  ]) {
    const bytes = setSizes(m, n, k).total;
    const plan = rotationPlan(bytes, L2, MEMORY);
    assert.ok(plan.exceedsL2, `${m}x${n}x${k}: ${plan.rotationBytes} bytes`);
    assert.ok(plan.rotationBytes > L2_FACTOR * L2);
    // One set fewer would not exceed it (unless one set already does).
    if (plan.sets > 1) assert.ok((plan.sets - 1) * bytes <= L2_FACTOR * L2);
  }
  assert.equal(rotationPlan(setSizes(64, 2112, 7168).total, L2, MEMORY).sets, 10);
  assert.equal(rotationPlan(setSizes(4096, 7168, 16384).total, L2, MEMORY).sets, 1);
});

test('the rotation is capped by the memory budget and by MAX_SETS, and says so', () => {
  const byMemory = rotationPlan(10 * 2 ** 20, L2, 40 * 2 ** 20);
  assert.equal(byMemory.sets, 4);
  assert.equal(byMemory.limitedBy, 'memory');
  assert.equal(byMemory.exceedsL2, false);
  const tiny = rotationPlan(1024, L2, MEMORY);
  assert.equal(tiny.sets, MAX_SETS);
  assert.equal(tiny.limitedBy, 'maxSets');
  assert.equal(rotationPlan(1024, 0, 1024).sets, 1, 'no L2 to beat: one set');
  assert.throws(() => rotationPlan(0, L2, MEMORY), /positive size/);
});

test('graphs hold about 2 ms of work in whole rotations, within the cap', () => {
  assert.equal(callsPerGraph(10, 10), 200);
  assert.equal(callsPerGraph(10, 7) % 7, 0);
  assert.ok(callsPerGraph(10, 7) >= 200);
  assert.equal(callsPerGraph(750, 1), 3);
  assert.equal(callsPerGraph(5000, 1), 1);
  assert.equal(callsPerGraph(5000, 4), 4, 'at least one full rotation');
  assert.equal(callsPerGraph(0.1, 1), MAX_CALLS_PER_GRAPH);
  assert.equal(callsPerGraph(1, 100), 500, 'rounded down to whole rotations at the cap');
  assert.equal(callsPerGraph(10, 10, 7), 7, 'an explicit request wins');
  assert.throws(() => callsPerGraph(10, 1, 0), /whole number/);
});

test('the time estimate is the roofline floor plus a launch', () => {
  assert.equal(estimateUs(0, 0), 2);
  assert.ok(Math.abs(estimateUs(2 * 8192 ** 3, 0) - (((2 * 8192 ** 3) / 800e12) * 1e6 + 2)) < 1e-9);
  assert.ok(Math.abs(estimateUs(0, 2.5e9) - (1000 + 2)) < 1e-9);
});
