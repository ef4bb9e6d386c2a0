// Compiles the 1D2D kernel's M-grouped kinds ('contiguous' = GemmType::MGroupedContiguous,
// 'masked' = GemmType::MGroupedMasked) for every config the heuristics choose for issue 4's shapes
// (DeepGEMM's generators: contiguous (4, 8192), (8, 4096); masked Mmax 4096 with expected m 192, 1024,
// 20; x (N, K) in {(6144, 7168), (7168, 3072), (4096, 4096), (4096, 2048)}) with the real nvcc and
// asserts 0 spills, 0 stack; runs kernels/tools/check_invariants_grouped.cu. Skips only without nvcc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { chooseConfig } from '../../../extension/src/core/heuristics';
import { H100_SXM } from '../../../extension/src/core/heuristics/device';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
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
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-mgrouped-compile-'));
  try {
    for (const { kind, config, shapes } of chosenUnits()) {
      const { source, kernelName } = gemmKernelSource(kind, config);
      const cu = join(work, `${kernelName}.cu`);
      writeFileSync(cu, source);
      const r = spawnSync(nvcc!, ['-std=c++17', '-O3', '-gencode=arch=compute_90a,code=sm_90a', '--cubin', '-Xptxas', '-v',
        '--expt-relaxed-constexpr', '-I', join(repoRoot(), 'kernels', 'include'), '-o', join(work, `${kernelName}.cubin`), cu],
      { encoding: 'utf8' });
      const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      assert.equal(r.status, 0, `${kernelName} failed to compile:\n${log}`);
      assert.doesNotMatch(log, /wgmma.*serializ/i, `${kernelName}: ptxas serialised the wgmma pipeline:\n${log}`);
      const fn = findEntry(parsePtxas(log), kernelName);
      assert.ok(fn, `no ptxas report for ${kernelName}:\n${log}`);
      assert.equal(usesLocalMemory(fn), false,
        `${kernelName}: ${fn.spillStoresBytes} B spill stores, ${fn.spillLoadsBytes} B spill loads, ${fn.stackFrameBytes} B stack`);
      console.log(`${kind} ${config.blockM}x${config.blockN} st${config.numStages} cluster ${config.clusterM}x${config.clusterN} swizzleD ${config.swizzleD}: ${fn.registers} registers, `
        + `${fn.spillStoresBytes}/${fn.spillLoadsBytes} spill, ${fn.stackFrameBytes} stack (for ${shapes.join('; ')})`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('kernels/tools/check_invariants_grouped.cu (contiguous / masked schedules and row masks) passes on the CPU', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-mgrouped-invariants-'));
  try {
    const exe = join(work, 'check_invariants_grouped');
    const build = spawnSync(nvcc!, ['-std=c++17', '-O1', '-I', join(repoRoot(), 'kernels', 'include'), '-o', exe,
      join(repoRoot(), 'kernels', 'tools', 'check_invariants_grouped.cu')], { encoding: 'utf8' });
    assert.equal(build.status, 0, `check_invariants_grouped.cu failed to build:\n${build.stdout}${build.stderr}`);
    const run = spawnSync(exe, [], { encoding: 'utf8' });
    assert.equal(run.status, 0, `invariant check failed:\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /all \d+ checks passed/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
