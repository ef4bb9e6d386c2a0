// The BF16 GEMM's epilogue overlap (FP8LAB_BF16_OVERLAP_EPILOGUE, an experiment macro, default 0;
// kernels/README.md), with the real nvcc (sm_90a, no GPU): built with it, every bf16-output config the
// heuristics choose for the DeepSeek shapes, 8192³ and the M-grouped standard lists compiles with 0
// spills, 0 stack and no serialised wgmma, and its PTX issues a wgmma group between a tile's last
// wait (wait_group 0) and the epilogue's stmatrix; the default build issues none there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmConfig, KernelKind } from '../../../extension/protocol/worker';
import { drawCase, kernelProblem, standardCases } from '../../../extension/src/core/grouped/cases';
import { chooseConfigBf16 } from '../../../extension/src/core/bf16/heuristicsBf16';
import { completeConfigBf16 } from '../../../extension/src/core/bf16/kernelRulesBf16';
import { kernelSourceBf16 } from '../../../extension/src/core/bf16/kernelSourceBf16';
import { DEEPSEEK_NK } from '../../../extension/src/core/deepseekShapes';
import { H100_SXM } from '../../../extension/src/core/heuristics/device';
import { assertCompilesClean, ptxOf, skip, wgmmaBetweenLastWaitAndStaging, withWorkDir } from '../nvccHarness';

const OVERLAP = '#define FP8LAB_BF16_OVERLAP_EPILOGUE 1\n';

function bf16OutputConfigs(): Array<{ config: GemmConfig; kind: KernelKind }> {
  const seen = new Map<string, { config: GemmConfig; kind: KernelKind }>();
  const add = (config: GemmConfig, kind: KernelKind) =>
    seen.set(`${kind} ${config.blockM}x${config.blockN} st${config.numStages} ${config.clusterM}x${config.clusterN}`, { config, kind });
  const shapes = [...[64, 128, 4096].flatMap((m) => DEEPSEEK_NK.map(([n, k]) => ({ m, n, k }))), { m: 8192, n: 8192, k: 8192 }];
  for (const s of shapes) add(chooseConfigBf16({ kind: 'bf16', ...s }, H100_SXM).chosen, 'bf16');
  for (const kind of ['bf16-contiguous', 'bf16-masked'] as const)
    for (const c of standardCases(kind)) add(chooseConfigBf16(kernelProblem(c, drawCase(c, 1)), H100_SXM).chosen, kind);
  add(completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132, clusterN: 2 }), 'bf16');
  add(completeConfigBf16({ blockM: 256, blockN: 128, numSms: 132, clusterM: 2 }), 'bf16');
  return [...seen.values()];
}

test('with the epilogue overlap, the bf16-output configs compile with 0 spills, 0 stack, no serialised wgmma', { skip }, () => {
  withWorkDir('fp8lab-bf16-overlap-', (work) => {
    for (const { config, kind } of bf16OutputConfigs()) {
      const { source, kernelName } = kernelSourceBf16(kind, config, { output: 'bf16' });
      assertCompilesClean(OVERLAP + source, work, kernelName, { noSerializedWgmma: true });
    }
  });
});

test("the overlapped build issues the next tile's first group before the epilogue's stmatrix; the default build does not", { skip }, () => {
  withWorkDir('fp8lab-bf16-overlap-', (work) => {
    // 4096x32768x512's tile: 8 K-blocks per tile, where the epilogue is a large share.
    const { source } = kernelSourceBf16('bf16', completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132 }), { output: 'bf16' });
    assert.ok(wgmmaBetweenLastWaitAndStaging(ptxOf(work, 'overlap', OVERLAP + source)) >= 1);
    assert.equal(wgmmaBetweenLastWaitAndStaging(ptxOf(work, 'plain', source)), 0);
  });
});
