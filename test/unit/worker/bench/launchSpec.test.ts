import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceBuffer, Kernel } from '../../../../native/index';
import { completeConfig } from '../../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../../extension/src/core/kernelSource';
import { gemmLaunchSpec } from '../../../../extension/src/worker/bench/launchSpec';

const config = completeConfig({ blockM: 128, blockN: 128, clusterM: 1, clusterN: 1, numSms: 132 }, { k: 2048 });
const buffer = {} as DeviceBuffer;
const operands = { a: buffer, b: buffer, sfa: buffer, sfb: buffer, d: buffer };
const kernelFor = (compiledShape?: { n: number; k: number }): Kernel =>
  ({ name: gemmKernelSource('normal', config, compiledShape ? { compiledShape } : {}).kernelName }) as Kernel;
const dims = (n: number, k: number) => ({ kind: 'normal' as const, m: 4096, n, k, numGroups: 1 });

test('a kernel compiled for one N and K launches for that N and K, any M', () => {
  const spec = gemmLaunchSpec(kernelFor({ n: 7168, k: 2048 }), dims(7168, 2048), config, operands, { pdl: true });
  assert.equal(spec.n, 7168);
  assert.equal(spec.k, 2048);
});

test('another N or K is refused before launch with a coded error that says what it was compiled for', () => {
  for (const [n, k] of [
    [7168, 4096],
    [4096, 2048],
  ]) {
    assert.throws(
      () => gemmLaunchSpec(kernelFor({ n: 7168, k: 2048 }), dims(n, k), config, operands, { pdl: true }),
      (err: Error & { code?: string }) =>
        err.code === 'E_INVALID_CONFIG' &&
        /compiled for N = 7168, K = 2048 and cannot run N = \d+, K = \d+/.test(err.message),
    );
  }
});

test('a kernel built without a shape launches for any N and K', () => {
  assert.equal(gemmLaunchSpec(kernelFor(), dims(24576, 1536), config, operands, { pdl: false }).k, 1536);
});
