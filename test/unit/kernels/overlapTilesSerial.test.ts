// Tile overlap on the 1D2D kernel's serial K-loop (FP8LAB_OVERLAP_TILES_SERIAL, an experiment macro,
// default 0; kernels/README.md), with the real nvcc (sm_90a, no GPU): built with it, the Normal GEMM's
// serial-loop tiles the heuristics pick at M = 4096 and 8192³, and the contiguous GEMM's, compile with
// 0 spills, 0 stack and no serialised wgmma, and their PTX issues the next tile's first wgmma group
// between the last wait_group 0 and the epilogue's stmatrix; the default build issues none there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean, ptxOf, skip, wgmmaBetweenLastWaitAndStaging, withWorkDir } from '../nvccHarness';

const SERIAL_OVERLAP = '#define FP8LAB_OVERLAP_TILES_SERIAL 1\n';

// The serial-loop tiles (BLOCK_N > 128, or two 64-row waves per warpgroup) of the M = 4096 picks, and
// the contiguous tiles of the grouped benchmark's cases (alone and in a 2x1 cluster).
const units = [
  { kind: 'normal', tile: { blockM: 256, blockN: 128, clusterM: 1, clusterN: 1 }, shape: { n: 7168, k: 16384 } },
  { kind: 'normal', tile: { blockM: 256, blockN: 128, clusterM: 1, clusterN: 2 }, shape: { n: 32768, k: 512 } },
  { kind: 'normal', tile: { blockM: 128, blockN: 192, clusterM: 2, clusterN: 1 }, shape: { n: 2112, k: 7168 } },
  { kind: 'normal', tile: { blockM: 128, blockN: 160, clusterM: 1, clusterN: 1 }, shape: { n: 7168, k: 2048 } },
  { kind: 'contiguous', tile: { blockM: 128, blockN: 192, clusterM: 2, clusterN: 1 }, shape: { n: 4096, k: 4096 } },
  { kind: 'contiguous', tile: { blockM: 128, blockN: 160, clusterM: 1, clusterN: 1 }, shape: { n: 6144, k: 7168 } },
] as const;
const sources = units.map(({ kind, tile, shape }) =>
  gemmKernelSource(kind, completeConfig({ ...tile, numSms: 132 }, { k: shape.k }), { compiledShape: shape }),
);

test('with the serial-loop tile overlap, the serial tiles (Normal at M = 4096, contiguous) compile with 0 spills, 0 stack, no serialised wgmma', { skip }, () => {
  withWorkDir('fp8lab-overlap-serial-', (work) => {
    for (const { source, kernelName } of sources) assertCompilesClean(SERIAL_OVERLAP + source, work, kernelName, { noSerializedWgmma: true });
  });
});

test("the overlapped build issues the next tile's first group before the epilogue's stmatrix; the default build does not", { skip }, () => {
  withWorkDir('fp8lab-overlap-serial-', (work) => {
    for (const [i, { source, kernelName }] of sources.entries()) {
      assert.ok(wgmmaBetweenLastWaitAndStaging(ptxOf(work, `on${i}`, SERIAL_OVERLAP + source)) >= 1, `${kernelName} with the overlap`);
      assert.equal(wgmmaBetweenLastWaitAndStaging(ptxOf(work, `off${i}`, source)), 0, `${kernelName} by default`);
    }
  });
});
