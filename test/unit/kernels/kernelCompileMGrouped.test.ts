// Compiles the 1D2D kernel's M-grouped kinds ('contiguous' = GemmType::MGroupedContiguous,
// 'masked' = GemmType::MGroupedMasked) for every config the heuristics choose for the standard grouped shapes
// (DeepGEMM's generators: contiguous (4, 8192), (8, 4096); masked Mmax 4096 with expected m 192, 1024,
// 20; x (N, K) in {(6144, 7168), (7168, 3072), (4096, 4096), (4096, 2048)}) with the real nvcc and
// asserts 0 spills, 0 stack; runs kernels/tools/check_invariants_grouped.cu. Skips only without nvcc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { chooseConfig } from '../../../extension/src/core/heuristics';
import { H100_SXM } from '../../../extension/src/core/heuristics/device';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean, assertInvariantCheckerPasses, skip, withWorkDir } from '../nvccHarness';

const NK: Array<[number, number]> = [[6144, 7168], [7168, 3072], [4096, 4096], [4096, 2048]];
const problems: GemmProblem[] = [
  ...([[4, 8192], [8, 4096]] as const).flatMap(([g, e]) => NK.map(([n, k]): GemmProblem =>
    ({ kind: 'contiguous', m: g * e, n, k, numGroups: g, expectedM: e }))),
  ...([[32, 192], [6, 1024], [32, 20], [6, 20]] as const).flatMap(([g, e]) => NK.map(([n, k]): GemmProblem =>
    ({ kind: 'masked', m: 4096, n, k, numGroups: g, expectedM: e }))),
];

/** The distinct configs the heuristics choose (the cubin depends on the config and kind only). */
function chosenUnits(): Array<{ kind: GemmProblem['kind']; config: GemmConfig; shapes: string[] }> {
  const units = new Map<string, { kind: GemmProblem['kind']; config: GemmConfig; shapes: string[] }>();
  for (const p of problems) {
    const { chosen } = chooseConfig(p, H100_SXM);
    const { kernelName } = gemmKernelSource(p.kind, chosen);
    const shape = `${p.kind} G${p.numGroups} e${p.expectedM} N${p.n} K${p.k}`;
    const u = units.get(kernelName);
    if (u) u.shapes.push(shape);
    else units.set(kernelName, { kind: p.kind, config: chosen, shapes: [shape] });
  }
  // The clustered (multicast) paths of the M-grouped scheduler, whether or not the heuristics pick them today.
  const clustered: Array<[GemmProblem['kind'], number, number, number, number]> = [
    ['contiguous', 128, 128, 2, 1], ['contiguous', 128, 160, 1, 2], ['masked', 128, 160, 2, 1], ['masked', 64, 112, 1, 2],
  ];
  for (const [kind, blockM, blockN, clusterM, clusterN] of clustered) {
    const config = completeConfig({ blockM, blockN, clusterM, clusterN, numSms: 132, numStages: 4 }, { k: 7168 });
    const { kernelName } = gemmKernelSource(kind, config);
    if (!units.has(kernelName)) units.set(kernelName, { kind, config, shapes: ['explicit clustered config'] });
  }
  return [...units.values()];
}

test('the heuristics choose a legal config for every contiguous / masked shape of the issue', () => {
  for (const p of problems) {
    const { chosen } = chooseConfig(p, H100_SXM);
    assert.ok(chosen.clusterM * chosen.clusterN <= 2);
    if (p.kind === 'contiguous') assert.equal(128 % chosen.blockM, 0);
  }
});

test('every chosen M-grouped config compiles for sm_90a with 0 spills and 0 stack', { skip }, () => {
  withWorkDir('fp8lab-mgrouped-compile-', (work) => {
    for (const { kind, config, shapes } of chosenUnits()) {
      const { source, kernelName } = gemmKernelSource(kind, config);
      const fn = assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
      console.log(`${kind} ${config.blockM}x${config.blockN} st${config.numStages} cluster ${config.clusterM}x${config.clusterN} swizzleD ${config.swizzleD}: ${fn.registers} registers, `
        + `${fn.spillStoresBytes}/${fn.spillLoadsBytes} spill, ${fn.stackFrameBytes} stack (for ${shapes.join('; ')})`);
    }
  });
});

test('kernels/tools/check_invariants_grouped.cu (contiguous / masked schedules and row masks) passes on the CPU', { skip }, () => {
  assertInvariantCheckerPasses('check_invariants_grouped');
});
