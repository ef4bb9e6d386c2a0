import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deepseekDecodeShapes,
  deepseekPrefillShapes,
  deepseekShapes,
  gpuTestShapes,
  presetShapes,
  SHAPE_PRESETS,
} from '../../../extension/src/core/deepseekShapes';
import { validateProblem } from '../../../extension/src/core/shapes';

const key = (p: { m: number; n: number; k: number }) => `${p.m}x${p.n}x${p.k}`;

test('deepseek: 18 shapes, M ∈ {64,128,4096} x the six (N, K) of PERF.md', () => {
  const s = deepseekShapes();
  assert.equal(s.length, 18);
  assert.equal(new Set(s.map(key)).size, 18);
  assert.deepEqual(s.slice(0, 6).map(key), [
    '64x2112x7168',
    '64x24576x1536',
    '64x32768x512',
    '64x7168x16384',
    '64x4096x7168',
    '64x7168x2048',
  ]);
  assert.deepEqual([...new Set(s.map((p) => p.m))], [64, 128, 4096]);
  for (const p of s) assert.deepEqual(validateProblem(p), { ok: true });
});

test('decode and prefill partition the deepseek list', () => {
  const d = deepseekDecodeShapes();
  const p = deepseekPrefillShapes();
  assert.equal(d.length, 12);
  assert.equal(p.length, 6);
  assert.ok(d.every((x) => x.m <= 128) && p.every((x) => x.m === 4096));
  assert.deepEqual([...d, ...p].map(key).sort(), deepseekShapes().map(key).sort());
});

test('the GPU generator: 6 M values x 7 (N, K), including 576x7168 and odd M', () => {
  const g = gpuTestShapes();
  assert.equal(g.length, 42);
  assert.ok(g.some((p) => key(p) === '1x576x7168'));
  assert.ok(g.some((p) => key(p) === '1000x24576x1536'));
  for (const p of g) assert.deepEqual(validateProblem(p), { ok: true });
});

test('presets by name', () => {
  for (const name of SHAPE_PRESETS) assert.ok(presetShapes(name)!.length > 0);
  assert.equal(presetShapes('nope'), undefined);
});
