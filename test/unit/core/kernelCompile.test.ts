// Compiles the generated FP8 1D2D GEMM units for a representative set of configs with the real nvcc
// (sm_90a, ptxas -v) and asserts ptxas reports no spills and no stack for any of them. Also checks
// that the kernel's own static_asserts reject an illegal config the TypeScript rules also reject.
// Skips (saying why) only when nvcc is absent. No GPU needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { completeConfig, maxStagesThatFit } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
import { findEntry, parsePtxas, usesLocalMemory } from '../../../extension/src/core/ptxas';

function repoRoot(): string {
  // The bundle runs from test/dist/unit/core; fall back to the working directory (npm scripts run at the root).
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'kernels', 'include', 'fp8lab', 'gemm_args.h'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`kernels/include/fp8lab not found above ${__dirname} or ${process.cwd()}`);
}

function findNvcc(): string | undefined {
  const candidates = [
    process.env.FP8LAB_JIT_NVCC_COMPILER,
    process.env.CUDA_HOME && join(process.env.CUDA_HOME, 'bin', 'nvcc'),
    '/usr/local/cuda/bin/nvcc',
  ].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}

const nvcc = findNvcc();
const skip = nvcc ? false : 'nvcc not found (FP8LAB_JIT_NVCC_COMPILER, $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc)';
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

function compile(source: string, work: string, name: string): { status: number | null; log: string } {
  const cu = join(work, `${name}.cu`);
  writeFileSync(cu, source);
  const argv = ['-std=c++17', '-O3', '-gencode=arch=compute_90a,code=sm_90a', '--cubin', '-Xptxas', '-v',
    '--expt-relaxed-constexpr', '-I', join(repoRoot(), 'kernels', 'include'), '-o', join(work, `${name}.cubin`), cu];
  const r = spawnSync(nvcc!, argv, { encoding: 'utf8' });
  return { status: r.status, log: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

test('representative configs compile for sm_90a with 0 spills and 0 stack', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-kernel-compile-'));
  try {
    for (const choice of representative) {
      const stages = choice.numStages ?? Math.min(8, maxStagesThatFit(choice, { k: K }));
      const config = completeConfig({ ...choice, numSms: 132, numStages: stages }, { k: K });
      const { source, kernelName } = gemmKernelSource('normal', config);
      const { status, log } = compile(source, work, kernelName);
      assert.equal(status, 0, `${kernelName} failed to compile:\n${log}`);
      const fn = findEntry(parsePtxas(log), kernelName);
      assert.ok(fn, `no ptxas report for ${kernelName}:\n${log}`);
      assert.equal(usesLocalMemory(fn), false,
        `${kernelName}: ${fn.spillStoresBytes} B spill stores, ${fn.spillLoadsBytes} B spill loads, ${fn.stackFrameBytes} B stack`);
      console.log(`${choice.blockM}x${choice.blockN} st${stages} cluster ${choice.clusterM}x${choice.clusterN} swizzleD ${config.swizzleD}: `
        + `${fn.registers} registers, ${fn.spillStoresBytes}/${fn.spillLoadsBytes} spill, ${fn.stackFrameBytes} stack, smem ${config.sharedBytes} B @K=${K}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the kernel static_asserts reject what kernelRules rejects (BLOCK_N 176 straddles 3 scale blocks)', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-kernel-compile-'));
  try {
    const source = [
      '#include "fp8lab/impls/sm90_fp8_gemm_1d2d.cuh"',
      'extern "C" __global__ void __launch_bounds__(384, 1) bad(const __grid_constant__ fp8lab::GemmArgs args) {',
      '  fp8lab::sm90_fp8_gemm_1d2d_impl<128, 176, 128, 3, 2, 1, 1, 128, 128, 32, 132, fp8lab::GemmType::Normal>(args);',
      '}', '',
    ].join('\n');
    const { status, log } = compile(source, work, 'bad');
    assert.notEqual(status, 0);
    assert.match(log, /rule scale-b-blocks/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('kernels/tools/check_invariants.cu (scheduler, epilogue mapping, B-scale split, layout) passes on the CPU', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-kernel-invariants-'));
  try {
    const exe = join(work, 'check_invariants');
    const build = spawnSync(nvcc!, ['-std=c++17', '-O1', '-I', join(repoRoot(), 'kernels', 'include'), '-o', exe,
      join(repoRoot(), 'kernels', 'tools', 'check_invariants.cu')], { encoding: 'utf8' });
    assert.equal(build.status, 0, `check_invariants.cu failed to build:\n${build.stdout}${build.stderr}`);
    const run = spawnSync(exe, [], { encoding: 'utf8' });
    assert.equal(run.status, 0, `invariant check failed:\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /all \d+ checks passed/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
