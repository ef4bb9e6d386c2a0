// Every rejection message of the shape validator, and the text parser the quick pick and CLI use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmProblem } from '../../../extension/protocol/worker';
import {
  nearestMultiples,
  parseShape,
  problemBytes,
  shapeInputMessage,
  shapeLabel,
  validateProblem,
} from '../../../extension/src/core/shapes';

const normal = (m: number, n: number, k: number): GemmProblem => ({ kind: 'normal', m, n, k });
function rejected(p: GemmProblem, pattern: RegExp, opts = {}) {
  const r = validateProblem(p, opts);
  assert.equal(r.ok, false, `expected ${JSON.stringify(p)} to be rejected`);
  if (!r.ok) {
    assert.equal(r.code, 'E_INVALID_SHAPE');
    assert.match(r.message, pattern);
  }
}

test('the deepseek shapes and odd M / N = 576 are valid', () => {
  for (const p of [
    normal(64, 2112, 7168),
    normal(4096, 32768, 512),
    normal(1, 576, 7168),
    normal(7, 2112, 7168),
    normal(1000, 24576, 1536),
  ]) {
    assert.deepEqual(validateProblem(p), { ok: true });
  }
});

test('K not a multiple of 128 names the scaling block and the nearest valid values', () => {
  rejected(
    normal(64, 2112, 7000),
    /^K must be a multiple of 128 \(the scaling block\); got 7000, nearest valid: 6912 or 7040$/,
  );
  rejected(normal(64, 2112, 100), /nearest valid: 128$/);
  rejected(
    { kind: 'kgrouped', m: 4096, n: 7168, k: 8000, numGroups: 4 },
    /expected K per group.*nearest valid: 7936 or 8064/,
  );
});

test('N not a multiple of 8 explains the TMA store and suggests neighbours', () => {
  rejected(
    normal(64, 2110, 7168),
    /^N must be a multiple of 8 \(16-byte output rows for the TMA store\); got 2110, nearest valid: 2104 or 2112$/,
  );
});

test('dimensions must be positive whole numbers within range', () => {
  rejected(normal(0, 2112, 7168), /^M must be at least 1; got 0$/);
  rejected(normal(-3, 2112, 7168), /M must be at least 1/);
  rejected(normal(64.5, 2112, 7168), /M must be a whole number; got 64.5 \(try 65\)/);
  rejected(normal(64, Number.NaN, 7168), /N must be a number/);
  rejected(normal(64, Number.POSITIVE_INFINITY, 7168), /N must be finite/);
  rejected(
    { kind: 'normal', m: '64', n: 2112, k: 7168 } as unknown as GemmProblem,
    /M must be a number; got the text "64"/,
  );
  rejected(normal(2 ** 31, 2112, 7168), /larger than the kernels index/);
  rejected(
    { kind: 'sparse', m: 1, n: 8, k: 128 } as unknown as GemmProblem,
    /kind must be one of normal, contiguous, masked, kgrouped, wgrad/,
  );
});

test('sizes that do not fit device memory are refused with the numbers', () => {
  rejected(normal(1 << 20, 1 << 20, 128), /needs 2048\.\d GiB .* the device has 80\.0 GiB/);
  rejected(normal(4096, 7168, 16384), /the device has 0\.1 GiB/, { memoryBytes: 2 ** 27 });
  assert.ok(problemBytes(normal(4096, 7168, 16384)) > 4096 * 16384 + 7168 * 16384);
});

test('groups: required for grouped kinds, refused for one-group kinds, masked needs expectedM ≤ M', () => {
  assert.deepEqual(validateProblem({ kind: 'masked', m: 4096, n: 4096, k: 2048, numGroups: 32, expectedM: 20 }), {
    ok: true,
  });
  assert.deepEqual(validateProblem({ kind: 'contiguous', m: 8192, n: 6144, k: 7168, numGroups: 4, expectedM: 8192 }), {
    ok: true,
  });
  rejected({ kind: 'contiguous', m: 8192, n: 6144, k: 7168 }, /needs numGroups \(1 to 1024\)/);
  rejected(
    { kind: 'masked', m: 4096, n: 6144, k: 7168, numGroups: 2000, expectedM: 1 },
    /numGroups must be at most 1024; got 2000/,
  );
  rejected({ kind: 'masked', m: 4096, n: 6144, k: 7168, numGroups: 0, expectedM: 1 }, /numGroups must be at least 1/);
  rejected(
    { kind: 'masked', m: 1024, n: 6144, k: 7168, numGroups: 6, expectedM: 2048 },
    /expectedM \(2048\) cannot exceed M.*\(1024\)/,
  );
  rejected({ kind: 'masked', m: 1024, n: 6144, k: 7168, numGroups: 6 }, /masked GEMM needs expectedM/);
  rejected(
    { kind: 'masked', m: 1024, n: 6144, k: 7168, numGroups: 6, expectedM: 0.5 },
    /expectedM must be a whole number/,
  );
  rejected({ kind: 'normal', m: 64, n: 2112, k: 7168, numGroups: 4 }, /numGroups applies to the grouped kinds/);
});

test('the text parser accepts commas, spaces and x, and validates like the runtime', () => {
  for (const text of [
    '4096,7168,2048',
    ' 4096 7168 2048 ',
    '4096x7168x2048',
    '4096 x 7168 X 2048',
    '4096, 7168, 2048',
    '4096×7168×2048',
  ]) {
    assert.deepEqual(parseShape(text), { ok: true, problem: normal(4096, 7168, 2048) }, text);
  }
  assert.equal(shapeInputMessage('4096,7168,2048'), undefined);
  assert.match(shapeInputMessage('')!, /type three sizes M, N, K/);
  assert.match(shapeInputMessage('4096,')!, /expected three sizes M, N, K; got 1/);
  assert.match(shapeInputMessage('1,2,3,4')!, /got 4/);
  assert.match(shapeInputMessage('4096,7168,2k')!, /K must be a positive whole number; got "2k"/);
  assert.match(shapeInputMessage('1e3,7168,2048')!, /M must be a positive whole number; got "1e3" \(try 1000\)/);
  assert.match(shapeInputMessage('-64,7168,2048')!, /M must be a positive whole number; got "-64"/);
  // the same message as validateProblem for the same shape
  const viaParser = shapeInputMessage('64,2112,7000');
  const direct = validateProblem(normal(64, 2112, 7000));
  assert.equal(direct.ok, false);
  if (!direct.ok) assert.equal(viaParser, direct.message);
  assert.equal(parseShape('64 2112 7168', { kind: 'wgrad' }).ok, true);
});

test('helpers', () => {
  assert.deepEqual(nearestMultiples(7168, 128), [7168]);
  assert.deepEqual(nearestMultiples(7000, 128), [6912, 7040]);
  assert.deepEqual(nearestMultiples(3, 8), [8]);
  assert.equal(shapeLabel(normal(1, 2, 3)), '1x2x3');
});
