// Compiles the generated FP8 1D1D units ('wgrad' = GemmType::Normal, 'kgrouped' = GemmType::KGrouped)
// for the configs chosen for the standard grouped shapes with the real nvcc (sm_90a, ptxas -v) and asserts ptxas
// reports no spills and no stack (clustered tiles too); checks that the kernel's static_asserts reject what the TypeScript
// rules reject; builds and runs kernels/tools/check_invariants_1d1d.cu. Skips only when nvcc is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmConfig } from '../../../extension/protocol/worker';
import { completeConfig1d1d, configViolations1d1d } from '../../../extension/src/core/kernelRules1d1d';
import { kernelSource1d1d } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean, assertInvariantCheckerPasses, compileCubin, skip, withWorkDir } from '../nvccHarness';

// Tiles for the standard wgrad shapes (M = 4096 x the DeepSeek (N, K) list) and K-grouped shapes
// (M in {4096, 7168}, N in {7168, 2048}): 128-row tiles with BN 64..192 (256x128 leaves room for one
// stage next to its 128 KB fp32 D tile, so it is rejected by the smem/stages rules), and
// 64-row tiles for narrow N (576); 128x152 and 128x136 (BLOCK_N in steps of 8: wgmma n, n8-chunk
// epilogue). Stages: the most that fit, capped at 8.
const tiles: Array<{ blockM: number; blockN: number }> = [
  { blockM: 128, blockN: 64 }, { blockM: 128, blockN: 96 }, { blockM: 128, blockN: 128 }, { blockM: 128, blockN: 160 },
  { blockM: 128, blockN: 192 }, { blockM: 64, blockN: 64 }, { blockM: 64, blockN: 128 },
  { blockM: 64, blockN: 144 }, { blockM: 128, blockN: 152 }, { blockM: 128, blockN: 136 },
];
const configs: GemmConfig[] = tiles.map((t) => completeConfig1d1d({ ...t, numSms: 132 }));

test('the chosen 1D1D configs are legal for the issue shapes', () => {
  for (const c of configs) {
    assert.deepEqual(configViolations1d1d('wgrad', c, { m: 4096, n: 7168, k: 2048 }, { checkSharedBytesField: true }), []);
    assert.deepEqual(configViolations1d1d('kgrouped', c, { m: 7168, n: 2048, k: 8192, numGroups: 4 },
      { checkSharedBytesField: true, groupK: [2048, 0, 4096, 2048] }), []);
  }
});

for (const kind of ['wgrad', 'kgrouped'] as const) {
  test(`${kind}: the chosen configs compile for sm_90a with 0 spills and 0 stack`, { skip }, () => {
    withWorkDir('fp8lab-1d1d-compile-', (work) => {
      for (const config of configs) {
        const { source, kernelName } = kernelSource1d1d(kind, config);
        const fn = assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
        console.log(`${kind} ${config.blockM}x${config.blockN} st${config.numStages} swizzleD ${config.swizzleD}: `
          + `${fn.registers} registers, ${fn.spillStoresBytes}/${fn.spillLoadsBytes} spill, ${fn.stackFrameBytes} stack, smem ${config.sharedBytes} B`);
      }
    });
  });
}

test('kgrouped in clusters (B shared by 2x1 at 128x152, A by 1x2 at 128x128) compiles with 0 spills and 0 stack', { skip }, () => {
  withWorkDir('fp8lab-1d1d-cluster-', (work) => {
    for (const [blockN, clusterM, clusterN] of [[152, 2, 1], [128, 1, 2]]) {
      const config = completeConfig1d1d({ blockM: 128, blockN, clusterM, clusterN, numSms: 132 });
      const { source, kernelName } = kernelSource1d1d('kgrouped', config);
      assert.match(source, new RegExp(`clusters of ${clusterM}x${clusterN}`));
      const fn = assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
      console.log(`kgrouped 128x${blockN} ${clusterM}x${clusterN} st${config.numStages}: ${fn.registers} registers`);
    }
  });
});

test('the 1D1D static_asserts reject what kernelRules rejects (a 2x2 cluster, a 128-byte swizzle on a 64-byte fp32 row, the masked kind)', { skip }, () => {
  withWorkDir('fp8lab-1d1d-compile-', (work) => {
    const unit = (args: string): string => [
      '#include "fp8lab/impls/sm90_fp8_gemm_1d1d.cuh"',
      'extern "C" __global__ void __launch_bounds__(384, 1) bad(const __grid_constant__ fp8lab::GemmArgs args) {',
      `  fp8lab::sm90_fp8_gemm_1d1d_impl<${args}>(args);`,
      '}', '',
    ].join('\n');
    const cluster = compileCubin(unit('128, 128, 128, 3, 2, 2, 2, 128, 128, 128, 132, fp8lab::GemmType::KGrouped'), work, 'bad_cluster');
    assert.notEqual(cluster.status, 0);
    assert.match(cluster.log, /rule cluster/);
    const swizzle = compileCubin(unit('128, 16, 128, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal'), work, 'bad_swizzle');
    assert.notEqual(swizzle.status, 0);
    assert.match(swizzle.log, /rule swizzle-d/);
    const masked = compileCubin(unit('128, 128, 128, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::MGroupedMasked'), work, 'bad_type');
    assert.notEqual(masked.status, 0);
    assert.match(masked.log, /rule gemm-type/);
  });
});

test('kernels/tools/check_invariants_1d1d.cu (K-grouped schedule, fp32 epilogue mapping, layout) passes on the CPU', { skip }, () => {
  assertInvariantCheckerPasses('check_invariants_1d1d');
});
