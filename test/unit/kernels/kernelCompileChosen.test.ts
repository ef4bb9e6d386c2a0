// Compiles every Normal-GEMM kernel the runtime builds for the deepseek shapes and the GPU
// generator's shapes (M ∈ {1, 7, 64, 128, 1000, 4096} x the deepseek (N, K) plus 576x7168): the
// chosen config compiled for the shape's N and K, as the runtime does; plus the split-K modes and
// the shape-free build of every chosen config, with the real nvcc (sm_90a, ptxas -v), and asserts
// what the benchmark relies on:
// no spills, no stack, and an intact wgmma pipeline (ptxas neither serialises wgmma, C7514, nor
// injects a wait for a group it thinks is still in flight, C7517: either costs the overlapped
// K-loop its overlap). Skips only when nvcc is absent.
import { test } from 'node:test';
import type { GemmConfig } from '../../../extension/protocol/worker';
import { deepseekShapes, gpuTestShapes } from '../../../extension/src/core/deepseekShapes';
import { chooseConfig } from '../../../extension/src/core/heuristics';
import { H100_SXM } from '../../../extension/src/core/heuristics/device';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { compiledShapeFor, gemmKernelSource, type CompiledShape } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean, skip, withWorkDir } from '../nvccHarness';

interface Unit { config: GemmConfig; compiledShape?: CompiledShape; shapes: string[] }

/** The distinct kernels (the cubin depends on the config and the compiled N, K), with the shapes that chose each. */
function chosenUnits(): Unit[] {
  const units = new Map<string, Unit>();
  const add = (config: GemmConfig, compiledShape: CompiledShape | undefined, shape: string) => {
    const { kernelName } = gemmKernelSource('normal', config, compiledShape ? { compiledShape } : {});
    const unit = units.get(kernelName);
    if (unit) { if (!unit.shapes.includes(shape)) unit.shapes.push(shape); } else units.set(kernelName, { config, compiledShape, shapes: [shape] });
  };
  for (const p of [...deepseekShapes(), ...gpuTestShapes()]) {
    const { chosen } = chooseConfig(p, H100_SXM);
    const shape = `${p.m}x${p.n}x${p.k}`;
    add(chosen, compiledShapeFor(p), shape);
    add(chosen, undefined, shape);  // FP8LAB_JIT_COMPILED_DIMS=none
  }
  // Split-K (the cluster exchange path) whether or not today's model picks it for these shapes.
  for (const splitK of [2, 4]) {
    const config = completeConfig({ blockM: 64, blockN: 64, clusterM: 1, clusterN: 1, splitK, numSms: 132, numStages: 8 }, { k: 7168 });
    add(config, undefined, `explicit split-K ${splitK}`);
  }
  return [...units.values()];
}

test('every chosen Normal config compiles for sm_90a: 0 spills, 0 stack, no wgmma serialisation or injected waits', { skip }, () => {
  withWorkDir('fp8lab-chosen-compile-', (work) => {
    for (const { config, compiledShape, shapes } of chosenUnits()) {
      const { source, kernelName } = gemmKernelSource('normal', config, compiledShape ? { compiledShape } : {});
      const fn = assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
      console.log(`${config.blockM}x${config.blockN} st${config.numStages} cluster ${config.clusterM}x${config.clusterN}`
        + `${config.splitK && config.splitK > 1 ? ` split-K ${config.splitK}` : ''}`
        + `${compiledShape ? ` for N ${compiledShape.n}, K ${compiledShape.k}` : ', any shape'}: ${fn.registers} registers (${shapes.join(', ')})`);
    }
  });
});
