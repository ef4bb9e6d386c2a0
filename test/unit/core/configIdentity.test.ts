import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GemmConfig } from '../../../extension/protocol/domain';
import { identicalConfigs, sameKernelConfig } from '../../../extension/src/core/configIdentity';

const base: GemmConfig = {
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
  sharedBytes: 199_424,
  numThreads: 384,
};

test('identicalConfigs: every field, in any property order', () => {
  const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as GemmConfig;
  assert.ok(identicalConfigs(base, reordered));
  assert.ok(!identicalConfigs(base, { ...base, numSms: 120 }));
  assert.ok(!identicalConfigs(base, { ...base, splitK: 1 }), 'an extra field is a different record');
});

test('sameKernelConfig: the fields that select the kernel and its grid, not the derived sizes', () => {
  assert.ok(sameKernelConfig(base, { ...base, sharedBytes: 1, numThreads: 1 }));
  assert.ok(sameKernelConfig(base, { ...base, splitK: 1 }), 'split-K 1 is no split');
  for (const change of [
    { blockN: 96 },
    { numStages: 4 },
    { numMathWarpgroups: 1 },
    { clusterM: 2 },
    { swizzleD: 64 },
    { splitK: 2 },
    { numSms: 120 },
  ]) {
    assert.ok(!sameKernelConfig(base, { ...base, ...change }), JSON.stringify(change));
  }
});
