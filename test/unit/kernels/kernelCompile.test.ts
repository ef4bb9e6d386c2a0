// Compiles the generated FP8 1D2D GEMM units for a representative set of configs with the real nvcc
// (sm_90a, ptxas -v) and asserts ptxas reports no spills and no stack for any of them. Also checks
// that the kernel's own static_asserts reject an illegal config the TypeScript rules also reject.
// Skips (saying why) only when nvcc is absent. No GPU needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeConfig, maxStagesThatFit } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean, assertInvariantCheckerPasses, compileCubin, skip, withWorkDir } from '../nvccHarness';

const K = 7168;

interface Choice { blockM: number; blockN: number; clusterM: number; clusterN: number; numStages?: number }
const representative: Choice[] = [
  ...[16, 32, 64, 96, 112, 128, 160, 192].map((n) => ({ blockM: 64, blockN: n, clusterM: 1, clusterN: 1 })),
  ...[64, 112, 128, 160, 192].map((n) => ({ blockM: 128, blockN: n, clusterM: 1, clusterN: 1 })),
  { blockM: 256, blockN: 128, clusterM: 1, clusterN: 1 },
  { blockM: 256, blockN: 128, clusterM: 2, clusterN: 1 },
  { blockM: 128, blockN: 128, clusterM: 2, clusterN: 1 },
  { blockM: 128, blockN: 160, clusterM: 1, clusterN: 2 },
  { blockM: 64, blockN: 112, clusterM: 1, clusterN: 2 },
  { blockM: 64, blockN: 128, clusterM: 1, clusterN: 1, numStages: 3 },
  { blockM: 128, blockN: 192, clusterM: 1, clusterN: 1, numStages: 3 },
];

test('representative configs compile for sm_90a with 0 spills and 0 stack', { skip }, () => {
  withWorkDir('fp8lab-kernel-compile-', (work) => {
    for (const choice of representative) {
      const stages = choice.numStages ?? Math.min(8, maxStagesThatFit(choice, { k: K }));
      const config = completeConfig({ ...choice, numSms: 132, numStages: stages }, { k: K });
      const { source, kernelName } = gemmKernelSource('normal', config);
      const fn = assertCompilesClean(source, work, kernelName);
      console.log(`${choice.blockM}x${choice.blockN} st${stages} cluster ${choice.clusterM}x${choice.clusterN} swizzleD ${config.swizzleD}: `
        + `${fn.registers} registers, ${fn.spillStoresBytes}/${fn.spillLoadsBytes} spill, ${fn.stackFrameBytes} stack, smem ${config.sharedBytes} B @K=${K}`);
    }
  });
});

test('the kernel static_asserts reject what kernelRules rejects (BLOCK_N 176 straddles 3 scale blocks)', { skip }, () => {
  withWorkDir('fp8lab-kernel-compile-', (work) => {
    const source = [
      '#include "fp8lab/impls/sm90_fp8_gemm_1d2d.cuh"',
      'extern "C" __global__ void __launch_bounds__(384, 1) bad(const __grid_constant__ fp8lab::GemmArgs args) {',
      '  fp8lab::sm90_fp8_gemm_1d2d_impl<128, 176, 128, 3, 2, 1, 1, 128, 128, 32, 132, fp8lab::GemmType::Normal>(args);',
      '}', '',
    ].join('\n');
    const { status, log } = compileCubin(source, work, 'bad');
    assert.notEqual(status, 0);
    assert.match(log, /rule scale-b-blocks/);
  });
});

test('kernels/tools/check_invariants.cu (scheduler, epilogue mapping, B-scale split, layout) passes on the CPU', { skip }, () => {
  assertInvariantCheckerPasses('check_invariants');
});
