// Compiles every Normal-GEMM config the heuristics choose for the deepseek shapes and the GPU
// generator's shapes (M ∈ {1, 7, 64, 128, 1000, 4096} x the deepseek (N, K) plus 576x7168), plus the
// split-K modes, with the real nvcc (sm_90a, ptxas -v), and asserts what the benchmark relies on:
// no spills, no stack, and an intact wgmma pipeline (ptxas neither serialises wgmma, C7514, nor
// injects a wait for a group it thinks is still in flight, C7517: either costs the overlapped
// K-loop its overlap). Skips only when nvcc is absent.
import { test } from 'node:test';
import type { GemmConfig } from '../../../extension/protocol/worker';
import { deepseekShapes, gpuTestShapes } from '../../../extension/src/core/deepseekShapes';
import { chooseConfig } from '../../../extension/src/core/heuristics';
import { H100_SXM } from '../../../extension/src/core/heuristics/device';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean, skip, withWorkDir } from '../nvccHarness';

/** The distinct kernels (the cubin depends on the config only), with the shapes that chose each. */
function chosenUnits(): Array<{ config: GemmConfig; shapes: string[] }> {
  const units = new Map<string, { config: GemmConfig; shapes: string[] }>();
  for (const p of [...deepseekShapes(), ...gpuTestShapes()]) {
    const { chosen } = chooseConfig(p, H100_SXM);
    const { kernelName } = gemmKernelSource('normal', chosen);
    const shape = `${p.m}x${p.n}x${p.k}`;
    const unit = units.get(kernelName);
    if (unit) { if (!unit.shapes.includes(shape)) unit.shapes.push(shape); } else units.set(kernelName, { config: chosen, shapes: [shape] });
  }
  // Split-K (the cluster exchange path) whether or not today's model picks it for these shapes.
  for (const splitK of [2, 4]) {
    const config = completeConfig({ blockM: 64, blockN: 64, clusterM: 1, clusterN: 1, splitK, numSms: 132, numStages: 8 }, { k: 7168 });
    const { kernelName } = gemmKernelSource('normal', config);
    if (!units.has(kernelName)) units.set(kernelName, { config, shapes: [`explicit split-K ${splitK}`] });
  }
  return [...units.values()];
}

test('every chosen Normal config compiles for sm_90a: 0 spills, 0 stack, no wgmma serialisation or injected waits', { skip }, () => {
  withWorkDir('fp8lab-chosen-compile-', (work) => {
    for (const { config, shapes } of chosenUnits()) {
      const { source, kernelName } = gemmKernelSource('normal', config);
      const fn = assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
      console.log(`${config.blockM}x${config.blockN} st${config.numStages} cluster ${config.clusterM}x${config.clusterN}`
        + `${config.splitK && config.splitK > 1 ? ` split-K ${config.splitK}` : ''}: ${fn.registers} registers (${shapes.join(', ')})`);
    }
  });
});
