// Compiles the BF16 GEMM (kernels/include/fp8lab/impls/sm90_bf16_gemm.cuh) with the real nvcc
// (sm_90a, ptxas -v): every config the heuristics choose for the DeepSeek shapes and 8192³, plus
// clustered and fp32 / fp32-accumulate instantiations, the D slab ring; asserts 0 spills, 0 stack and no serialised
// wgmma (ping-pong and split-K forms too); checks that the kernel's static_asserts reject what the TypeScript rules reject; and builds
// and runs kernels/tools/check_invariants_bf16.cu (epilogue mappings, layout, K-blocks, the K-grouped
// walk) on the CPU. The K-grouped kind compiles its standard-list choices and the forced tiles of its GPU test.
// Skips only when nvcc is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bf16Output, GemmConfig, KernelKind } from '../../../extension/protocol/worker';
import { drawCase, kernelProblem, standardCases } from '../../../extension/src/core/grouped/cases';
import { chooseConfigBf16 } from '../../../extension/src/core/bf16/heuristicsBf16';
import { completeConfigBf16 } from '../../../extension/src/core/bf16/kernelRulesBf16';
import { kernelSourceBf16 } from '../../../extension/src/core/bf16/kernelSourceBf16';
import { DEEPSEEK_NK } from '../../../extension/src/core/deepseekShapes';
import { H100_SXM } from '../../../extension/src/core/heuristics/device';
import { assertCompilesClean, assertInvariantCheckerPasses, compileCubin, skip, withWorkDir } from '../nvccHarness';

const key = (c: GemmConfig, o: Bf16Output, kind: KernelKind = 'bf16') =>
  `${kind === 'bf16' ? '' : `${kind} `}${o} ${c.blockM}x${c.blockN}${c.pingpong ? ' pp' : ''}${c.splitK ? ` sk${c.splitK}` : ''}${c.dSlabs ? ` ds${c.dSlabs}` : ''} st${c.numStages} ${c.clusterM}x${c.clusterN} sd${c.swizzleD}`;

function configsToCompile(): Array<{ config: GemmConfig; output: Bf16Output; kind: KernelKind }> {
  const seen = new Map<string, { config: GemmConfig; output: Bf16Output; kind: KernelKind }>();
  const add = (config: GemmConfig, output: Bf16Output, kind: KernelKind = 'bf16') => seen.set(key(config, output, kind), { config, output, kind });
  const shapes = [...[64, 128, 4096].flatMap((m) => DEEPSEEK_NK.map(([n, k]) => ({ m, n, k }))), { m: 8192, n: 8192, k: 8192 }];
  for (const s of shapes) add(chooseConfigBf16({ kind: 'bf16', ...s }, H100_SXM).chosen, 'bf16');
  // The tiles test/gpu/bf16.ts forces (every family, both multicast directions).
  const forced: Array<[number, number, number, number]> = [
    [64, 16, 1, 1], [64, 112, 1, 1], [64, 256, 1, 1], [128, 64, 1, 1], [128, 144, 1, 1], [128, 256, 1, 1], [256, 64, 1, 1], [256, 128, 1, 1],
    [256, 128, 2, 1], [128, 256, 1, 2], [128, 128, 2, 1], [64, 128, 1, 2],
  ];
  for (const [blockM, blockN, clusterM, clusterN] of forced) add(completeConfigBf16({ blockM, blockN, clusterM, clusterN, numSms: 132 }), 'bf16');
  add(completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, clusterM: 2 }, 'fp32'), 'fp32');
  add(completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, clusterM: 2 }, 'fp32-accumulate'), 'fp32-accumulate');
  add(completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132, clusterN: 2 }), 'bf16');
  add(completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132 }, 'fp32'), 'fp32');
  add(completeConfigBf16({ blockM: 128, blockN: 192, numSms: 132 }, 'fp32-accumulate'), 'fp32-accumulate');
  add(completeConfigBf16({ blockM: 64, blockN: 256, numSms: 132 }, 'fp32-accumulate'), 'fp32-accumulate');
  // The M-grouped kinds: the configs chosen for their standard lists, and a clustered one each.
  for (const kind of ['bf16-contiguous', 'bf16-masked'] as const) {
    for (const c of standardCases(kind)) add(chooseConfigBf16(kernelProblem(c, drawCase(c, 1)), H100_SXM).chosen, 'bf16', kind);
    add(completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, clusterM: 2 }), 'bf16', kind);
  }
  // The K-grouped kind (fp32-accumulate D through the 3D map): the configs chosen for its standard
  // list and the tiles test/gpu/bf16.ts forces (every family; no clusters).
  for (const c of standardCases('bf16-kgrouped'))
    add(chooseConfigBf16(kernelProblem(c, drawCase(c, 1)), H100_SXM).chosen, 'fp32-accumulate', 'bf16-kgrouped');
  for (const [blockM, blockN] of [[64, 128], [64, 256], [128, 128], [128, 192], [256, 64], [256, 128]] as const)
    add(completeConfigBf16({ blockM, blockN, numSms: 132 }, 'fp32-accumulate'), 'fp32-accumulate', 'bf16-kgrouped');
  // Ping-pong: the tiles test/gpu/bf16.ts forces on every kind, a cluster pair each way, fp32 outputs.
  const pp = (blockM: number, blockN: number, output: Bf16Output = 'bf16', cluster = {}) =>
    completeConfigBf16({ blockM, blockN, numSms: 132, pingpong: 1, ...cluster }, output);
  for (const [blockM, blockN] of [[128, 128], [64, 256], [64, 16], [128, 64]] as const) add(pp(blockM, blockN), 'bf16');
  add(pp(128, 128, 'bf16', { clusterM: 2 }), 'bf16');
  add(pp(128, 128, 'bf16', { clusterN: 2 }), 'bf16');
  for (const output of ['fp32', 'fp32-accumulate'] as const) add(pp(128, 128, output), output);
  for (const kind of ['bf16-contiguous', 'bf16-masked'] as const) for (const [m, n] of [[128, 128], [64, 256]]) add(pp(m, n), 'bf16', kind);
  for (const [m, n] of [[128, 128], [64, 256]]) add(pp(m, n, 'fp32-accumulate'), 'fp32-accumulate', 'bf16-kgrouped');
  // Ping-pong 128-row tiles past 128 accumulators (up to 176), whole-tile staging and a ring per warpgroup.
  for (const blockN of [160, 176]) add(pp(128, blockN), 'bf16');
  for (const [blockN, dSlabs] of [[176, 2], [176, 3], [160, 2]] as const)
    add(completeConfigBf16({ blockM: 128, blockN, numSms: 132, pingpong: 1, dSlabs }), 'bf16');
  add(completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, pingpong: 1, dSlabs: 2, swizzleD: 64 }), 'bf16');
  add(completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, pingpong: 1, dSlabs: 2 }, 'fp32'), 'fp32');
  // Split-K: the tiles test/gpu/bf16.ts forces, each output (the heuristics' split-K picks are above).
  for (const output of ['bf16', 'fp32', 'fp32-accumulate'] as const)
    for (const [blockM, blockN, splitK] of [[64, 64, 2], [64, 64, 4], [64, 128, 4], [128, 128, 2]] as const)
      add(completeConfigBf16({ blockM, blockN, splitK, numSms: 132 }, output), output);
  // The D slab ring: the tiles and outputs test/gpu/bf16.ts forces, with split-K and two waves.
  const ring = (blockM: number, blockN: number, dSlabs: number, output: Bf16Output = 'bf16', extra: Partial<GemmConfig> = {}) =>
    add(completeConfigBf16({ blockM, blockN, dSlabs, numSms: 132, ...extra }, output), output);
  for (const [blockM, blockN, dSlabs] of [[128, 256, 2], [128, 256, 3], [128, 192, 2], [64, 256, 2]] as const) ring(blockM, blockN, dSlabs);
  ring(256, 128, 2, 'bf16', { swizzleD: 64 });
  for (const output of ['fp32', 'fp32-accumulate'] as const) {
    ring(128, 128, 2, output);
    ring(64, 256, 3, output);
  }
  ring(64, 192, 2, 'bf16', { splitK: 2 });
  ring(128, 128, 2, 'fp32-accumulate', { splitK: 2 });
  return [...seen.values()];
}

test('the chosen and representative BF16 configs compile for sm_90a with 0 spills, 0 stack, no serialised wgmma', { skip }, () => {
  withWorkDir('fp8lab-bf16-compile-', (work) => {
    for (const { config, output, kind } of configsToCompile()) {
      const { source, kernelName } = kernelSourceBf16(kind, config, { output });
      const fn = assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
      console.log(`bf16 ${key(config, output, kind)}: ${fn.registers} registers, ${fn.spillStoresBytes}/${fn.spillLoadsBytes} spill, ${fn.stackFrameBytes} stack, smem ${config.sharedBytes} B`);
    }
  });
});

test('the instrumented BF16 build compiles clean too, cooperative and ping-pong', { skip }, () => {
  withWorkDir('fp8lab-bf16-trace-', (work) => {
    for (const c of [completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132 }), completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, pingpong: 1 })]) {
      const { source, kernelName } = kernelSourceBf16('bf16', c, { trace: true });
      assert.match(source, /#define FP8LAB_TRACE 1/);
      assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
    }
  });
});

test('the BF16 static_asserts reject what kernelRulesBf16 rejects (registers, smem, block-k, swizzle-d, grouped and K-grouped outputs, K-grouped clusters, ping-pong tiles, split-K, the D slab ring)', { skip }, () => {
  withWorkDir('fp8lab-bf16-reject-', (work) => {
    const unit = (args: string, threads = 384): string => [
      '#include "fp8lab/impls/sm90_bf16_gemm.cuh"',
      `extern "C" __global__ void __launch_bounds__(${threads}, 1) bad(const __grid_constant__ fp8lab::GemmArgs args) {`,
      `  fp8lab::sm90_bf16_gemm_impl<${args}>(args);`, '}', '',
    ].join('\n');
    const cases: Array<[string, string, RegExp]> = [
      ['regs', '256, 256, 64, 2, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false', /rule registers/],
      ['smem', '128, 256, 64, 4, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false', /rule smem/],
      ['blockk', '128, 128, 128, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false', /rule block-k/],
      ['swizzled', '128, 16, 64, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Fp32, false', /rule swizzle-d/],
      ['kgroupedbf16', '128, 128, 64, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::KGrouped, fp8lab::Bf16Output::Bf16, false', /rule kgrouped-output/],
      ['kgroupedcluster', '128, 128, 64, 5, 2, 2, 1, 128, 128, 128, 132, fp8lab::GemmType::KGrouped, fp8lab::Bf16Output::Fp32Accumulate, false', /rule kgrouped-cluster/],
      ['maskedfp32', '128, 128, 64, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::MGroupedMasked, fp8lab::Bf16Output::Fp32, false', /rule grouped-output/],
      ['contiguous256', '256, 64, 64, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::MGroupedContiguous, fp8lab::Bf16Output::Bf16, false', /rule contiguous-block-m/],
      ['pingpong256', '256, 64, 64, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, true', /rule pingpong/],
      ['pingpong1wg', '64, 128, 64, 3, 1, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, true', /rule pingpong/],
      ['pingpongregs', '128, 256, 64, 2, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, true', /rule registers/],
      ['split3', '64, 64, 64, 8, 1, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 3', /rule split-k/],
      ['splitcluster', '64, 64, 64, 8, 1, 2, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 2', /rule split-k/],
      ['splitpingpong', '64, 64, 64, 8, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, true, 2', /rule split-k/],
      ['splitmasked', '64, 64, 64, 8, 1, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::MGroupedMasked, fp8lab::Bf16Output::Bf16, false, 2', /rule split-k/],
      ['splitkgrouped', '64, 64, 64, 8, 1, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::KGrouped, fp8lab::Bf16Output::Fp32Accumulate, false, 2', /rule split-k/],
      ['splitsmem', '128, 128, 64, 2, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 4', /rule smem/],
      ['splitsms', '64, 64, 64, 8, 1, 1, 1, 128, 128, 128, 130, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 4', /rule num-sms/],
      ['splitaccum', '64, 256, 64, 3, 1, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 2', /rule split-k/],
      ['slabs4', '128, 256, 64, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 1, 4', /rule d-slabs/],
      ['slabswhole', '128, 128, 64, 4, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 1, 2', /rule d-slabs/],
      ['slabsmasked', '128, 256, 64, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::MGroupedMasked, fp8lab::Bf16Output::Bf16, false, 1, 2', /rule d-slabs/],
      ['pingpongregs192', '128, 192, 64, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, true', /rule registers/],
      ['coopregs176', '256, 176, 64, 2, 2, 1, 1, 128, 128, 32, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false', /rule registers/],
      ['slabsunswizzled', '128, 256, 64, 3, 2, 1, 1, 128, 128, 0, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 1, 2', /rule d-slabs/],
      ['slabsmem', '128, 256, 64, 5, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal, fp8lab::Bf16Output::Bf16, false, 1, 2', /rule smem/],
    ];
    for (const [name, args, rule] of cases) {
      const r = compileCubin(unit(args), work, `bad_${name}`);
      assert.notEqual(r.status, 0, `${name} compiled`);
      assert.match(r.log, rule);
    }
  });
});

test('kernels/tools/check_invariants_bf16.cu (bf16 and fp32 epilogue mappings, layout, K-block tails, the K-grouped walk at BLOCK_K 64, the ping-pong ring skips and stage protocol, the split-K exchange and shares) passes on the CPU', { skip }, () => {
  assertInvariantCheckerPasses('check_invariants_bf16');
});
