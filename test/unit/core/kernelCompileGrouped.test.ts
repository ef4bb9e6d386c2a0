// Compiles the generated FP8 1D1D units ('wgrad' = GemmType::Normal, 'kgrouped' = GemmType::KGrouped)
// for the configs chosen for issue 4's shapes with the real nvcc (sm_90a, ptxas -v) and asserts ptxas
// reports no spills and no stack; checks that the kernel's static_asserts reject what the TypeScript
// rules reject; builds and runs kernels/tools/check_invariants_1d1d.cu. Skips only when nvcc is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GemmConfig } from '../../../extension/protocol/worker';
import { wgradCompleteConfig, wgradConfigViolations } from '../../../extension/src/core/kernelRules';
import { wgradKernelSource } from '../../../extension/src/core/kernelSource';
import { findEntry, parsePtxas, usesLocalMemory } from '../../../extension/src/core/ptxas';

function repoRoot(): string {
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

// Tiles for issue 4's wgrad shapes (M = 4096 x the DeepSeek (N, K) list) and K-grouped shapes
// (M in {4096, 7168}, N in {7168, 2048}): 128-row tiles with BN 64..192 (256x128 leaves room for one
// stage next to its 128 KB fp32 D tile, so it is rejected by the smem/stages rules), and
// 64-row tiles for narrow N (576). Stages: the most that fit, capped at 8.
const tiles: Array<{ blockM: number; blockN: number }> = [
  { blockM: 128, blockN: 64 }, { blockM: 128, blockN: 96 }, { blockM: 128, blockN: 128 }, { blockM: 128, blockN: 160 },
  { blockM: 128, blockN: 192 }, { blockM: 64, blockN: 64 }, { blockM: 64, blockN: 128 },
  { blockM: 64, blockN: 144 },
];
const configs: GemmConfig[] = tiles.map((t) => wgradCompleteConfig({ ...t, numSms: 132 }));

function compile(source: string, work: string, name: string): { status: number | null; log: string } {
  const cu = join(work, `${name}.cu`);
  writeFileSync(cu, source);
  const argv = ['-std=c++17', '-O3', '-gencode=arch=compute_90a,code=sm_90a', '--cubin', '-Xptxas', '-v',
    '--expt-relaxed-constexpr', '-I', join(repoRoot(), 'kernels', 'include'), '-o', join(work, `${name}.cubin`), cu];
  const r = spawnSync(nvcc!, argv, { encoding: 'utf8' });
  return { status: r.status, log: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

test('the chosen 1D1D configs are legal for the issue shapes', () => {
  for (const c of configs) {
    assert.deepEqual(wgradConfigViolations('wgrad', c, { m: 4096, n: 7168, k: 2048 }, { checkSharedBytesField: true }), []);
    assert.deepEqual(wgradConfigViolations('kgrouped', c, { m: 7168, n: 2048, k: 8192, numGroups: 4 },
      { checkSharedBytesField: true, groupK: [2048, 0, 4096, 2048] }), []);
  }
});

for (const kind of ['wgrad', 'kgrouped'] as const) {
  test(`${kind}: the chosen configs compile for sm_90a with 0 spills and 0 stack`, { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'fp8lab-1d1d-compile-'));
    try {
      for (const config of configs) {
        const { source, kernelName } = wgradKernelSource(kind, config);
        const { status, log } = compile(source, work, kernelName);
        assert.equal(status, 0, `${kernelName} failed to compile:\n${log}`);
        assert.doesNotMatch(log, /wgmma.*serializ/i, `${kernelName}: ptxas serialised the wgmma pipeline:\n${log}`);
        const fn = findEntry(parsePtxas(log), kernelName);
        assert.ok(fn, `no ptxas report for ${kernelName}:\n${log}`);
        assert.equal(usesLocalMemory(fn), false,
          `${kernelName}: ${fn.spillStoresBytes} B spill stores, ${fn.spillLoadsBytes} B spill loads, ${fn.stackFrameBytes} B stack`);
        console.log(`${kind} ${config.blockM}x${config.blockN} st${config.numStages} swizzleD ${config.swizzleD}: `
          + `${fn.registers} registers, ${fn.spillStoresBytes}/${fn.spillLoadsBytes} spill, ${fn.stackFrameBytes} stack, smem ${config.sharedBytes} B`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test('the 1D1D static_asserts reject what kernelRules rejects (clusters, a 128-byte swizzle on a 64-byte fp32 row, the masked kind)', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-1d1d-compile-'));
  try {
    const unit = (args: string): string => [
      '#include "fp8lab/impls/sm90_fp8_gemm_1d1d.cuh"',
      'extern "C" __global__ void __launch_bounds__(384, 1) bad(const __grid_constant__ fp8lab::GemmArgs args) {',
      `  fp8lab::sm90_fp8_gemm_1d1d_impl<${args}>(args);`,
      '}', '',
    ].join('\n');
    const cluster = compile(unit('128, 128, 128, 3, 2, 2, 1, 128, 128, 128, 132, fp8lab::GemmType::KGrouped'), work, 'bad_cluster');
    assert.notEqual(cluster.status, 0);
    assert.match(cluster.log, /rule cluster/);
    const swizzle = compile(unit('128, 16, 128, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal'), work, 'bad_swizzle');
    assert.notEqual(swizzle.status, 0);
    assert.match(swizzle.log, /rule swizzle-d/);
    const masked = compile(unit('128, 128, 128, 3, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::MGroupedMasked'), work, 'bad_type');
    assert.notEqual(masked.status, 0);
    assert.match(masked.log, /rule gemm-type/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('kernels/tools/check_invariants_1d1d.cu (K-grouped schedule, fp32 epilogue mapping, layout) passes on the CPU', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-1d1d-invariants-'));
  try {
    const exe = join(work, 'check_invariants_1d1d');
    const build = spawnSync(nvcc!, ['-std=c++17', '-O1', '-I', join(repoRoot(), 'kernels', 'include'), '-o', exe,
      join(repoRoot(), 'kernels', 'tools', 'check_invariants_1d1d.cu')], { encoding: 'utf8' });
    assert.equal(build.status, 0, `check_invariants_1d1d.cu failed to build:\n${build.stdout}${build.stderr}`);
    const run = spawnSync(exe, [], { encoding: 'utf8' });
    assert.equal(run.status, 0, `invariant check failed:\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /all \d+ checks passed/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
