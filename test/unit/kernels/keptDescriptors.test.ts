// The consumers' K-loops, read in the PTX the real nvcc emits (sm_90a, no GPU): from each full-barrier
// wait to the wgmma it guards there is no branch and no re-encoding of a wgmma descriptor's 14-bit
// address field (FP8LAB_KEEP_DESCRIPTORS and FP8LAB_SPLIT_SERIAL_LOOP, default 1, kernels/README.md);
// built with both macros at 0 (the A/B's "before") the same loops have both, so the check can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { completeConfig1d1d } from '../../../extension/src/core/kernelRules1d1d';
import { gemmKernelSource, kernelSource1d1d } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean, ptxOf, skip, withWorkDir } from '../nvccHarness';

const BEFORE = '#define FP8LAB_KEEP_DESCRIPTORS 0\n#define FP8LAB_SPLIT_SERIAL_LOOP 0\n';
// `and.b32 %rX, %rY, 16383` (or 16320, with the low bits known zero): (address >> 4) & 0x3FFF.
const ADDRESS_FIELD_MASK = /and\.b32\s+%r\d+, %r\d+, (16383|16320);/;
const BRANCH = /@!?%p\d+ bra/;

interface WaitToWgmma {
  branches: number;
  masks: number;
}

/** Each stretch of PTX from an mbarrier try_wait's loop to the first wgmma.mma_async after it. */
function waitToWgmmaStretches(ptx: string): WaitToWgmma[] {
  const out: WaitToWgmma[] = [];
  let cur: WaitToWgmma | undefined;
  for (const line of ptx.split('\n')) {
    if (line.includes('mbarrier.try_wait')) {
      cur = { branches: 0, masks: 0 };
      continue;
    }
    if (!cur) continue;
    if (BRANCH.test(line)) cur.branches++;
    if (ADDRESS_FIELD_MASK.test(line)) cur.masks++;
    if (line.includes('wgmma.mma_async')) {
      out.push(cur);
      cur = undefined;
    }
  }
  return out;
}

// The configs the change was measured on: contiguous 128x192 cluster 2x1 (its serial loop, rebuilt
// descriptors under a cluster) and the 1D1D kernel's 128x192 K-grouped tile.
const contiguous = () => {
  const config = completeConfig({ blockM: 128, blockN: 192, clusterM: 2, clusterN: 1, numSms: 132 }, { k: 4096 });
  return gemmKernelSource('contiguous', config, { compiledShape: { n: 4096, k: 4096 } });
};
const kgrouped = () => kernelSource1d1d('kgrouped', completeConfig1d1d({ blockM: 128, blockN: 192, numSms: 132 }));

for (const [name, unit] of [['contiguous 128x192 c2x1', contiguous], ['kgrouped 128x192', kgrouped]] as const) {
  test(`${name}: no branch and no descriptor re-encoding between a stage's wait and its wgmma`, { skip }, () => {
    withWorkDir('fp8lab-kept-desc-', (work) => {
      const { source, kernelName } = unit();
      const stretches = waitToWgmmaStretches(ptxOf(work, 'after', source));
      assert.ok(stretches.length >= 1, 'no wait followed by a wgmma in the PTX');
      assert.deepEqual(
        stretches.filter((s) => s.branches > 0 || s.masks > 0),
        [],
        `stretches with a branch or an address-field mask (of ${stretches.length})`,
      );
      assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
    });
  });

  test(`${name}: the "before" build (both macros 0) has them, so the check above can fail`, { skip }, () => {
    withWorkDir('fp8lab-kept-desc-', (work) => {
      const stretches = waitToWgmmaStretches(ptxOf(work, 'before', BEFORE + unit().source));
      assert.ok(
        stretches.some((s) => s.branches > 0 || s.masks > 0),
        `every stretch clean in the before build: ${JSON.stringify(stretches)}`,
      );
    });
  });
}
