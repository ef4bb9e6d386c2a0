// B scales by bulk copy (FP8LAB_SFB_BULK, default 1, kernels/README.md) take effect only where their
// conditions hold, with the real nvcc (sm_90a, no GPU): at K = 512 the default kernel issues a plain
// cp.async.bulk into shared memory and compiles clean (no spills, no stack, no wgmma serialisation);
// with FP8LAB_SFB_BULK=0 (the A/B's copy loop), or at a K that is not a multiple of 512, it does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean, ptxOf, skip, withWorkDir } from '../nvccHarness';

// The config the bulk copy was measured on: 4096x32768x512's 256x128 tiles, cluster 1x2, 3 stages.
const config = completeConfig({ blockM: 256, blockN: 128, clusterM: 1, clusterN: 2, numSms: 132, numStages: 3 }, { k: 512 });
const BULK_LOAD = /cp\.async\.bulk\.shared::cluster\.global\.mbarrier::complete_tx::bytes \[/;

const unit = (k: number, bulk: boolean) => {
  const { source, kernelName } = gemmKernelSource('normal', config, { compiledShape: { n: 32768, k } });
  return { source: (bulk ? '' : '#define FP8LAB_SFB_BULK 0\n') + source, kernelName };
};

test('by default at K = 512: one bulk copy of the B scales, compiled clean', { skip }, () => {
  withWorkDir('fp8lab-sfb-bulk-', (work) => {
    const { source, kernelName } = unit(512, true);
    assert.match(ptxOf(work, 'bulk', source), BULK_LOAD);
    assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
  });
});

test('with FP8LAB_SFB_BULK=0, or at K = 640 (rows not whole 16-byte units), the copies stay cp.async', { skip }, () => {
  withWorkDir('fp8lab-sfb-bulk-', (work) => {
    assert.doesNotMatch(ptxOf(work, 'loop', unit(512, false).source), BULK_LOAD);
    assert.doesNotMatch(ptxOf(work, 'k640', unit(640, true).source), BULK_LOAD);
  });
});
