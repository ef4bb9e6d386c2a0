// The three builds of one config, compiled with the real nvcc (sm_90a, no GPU):
//  - normal: its generated source never defines FP8LAB_TRACE, its PTX never reads %globaltimer, and
//    its ptxas report (registers, spills, stack) equals that of the same source compiled against the
//    kernel header as it was before the trace points went in (git history; skipped, saying why,
//    where the repository has no history), so the instrumentation costs the normal build nothing;
//  - instrumented: defines FP8LAB_TRACE 1 and its PTX reads %globaltimer;
//  - no promotion (accuracy study): compiles with 0 spills and 0 stack.
// Skips (saying why) only when nvcc is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
import { findEntry, parsePtxas, type PtxasFunction as PtxasEntry } from '../../../extension/src/core/ptxas';

function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'kernels', 'include', 'fp8lab', 'gemm_args.h'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`kernels/include/fp8lab not found above ${__dirname} or ${process.cwd()}`);
}

const nvcc = [process.env.FP8LAB_JIT_NVCC_COMPILER, process.env.CUDA_HOME && join(process.env.CUDA_HOME, 'bin', 'nvcc'), '/usr/local/cuda/bin/nvcc']
  .filter((p): p is string => !!p).find((p) => existsSync(p));
const skip = nvcc ? false : 'nvcc not found (FP8LAB_JIT_NVCC_COMPILER, $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc)';

/** The commit that added the trace points; its parent holds the header without them. */
const TRACE_COMMIT = '1d1fb9c';
const HEADER = 'kernels/include/fp8lab/impls/sm90_fp8_gemm_1d2d.cuh';

// The DeepSeek shape the GPU test traces (4096x7168x2048), 128x128 tiles, 2 math warpgroups.
const config = completeConfig({ blockM: 128, blockN: 128, clusterM: 1, clusterN: 1, numSms: 132, numStages: 5 }, { k: 2048 });

/** PTX (to check its text) and the ptxas -v report of one source; includeDirs searched in order. */
function build(work: string, name: string, source: string, includeDirs: string[]): { ptx: string; log: string } {
  const cu = join(work, `${name}.cu`), ptx = join(work, `${name}.ptx`);
  writeFileSync(cu, source);
  const inc = includeDirs.flatMap((d) => ['-I', d]);
  const a = ['-std=c++17', '-O3', '-arch=sm_90a', '--ptx', '--expt-relaxed-constexpr', ...inc, '-o', ptx, cu];
  const r1 = spawnSync(nvcc!, a, { encoding: 'utf8' });
  assert.equal(r1.status, 0, `nvcc ${a.join(' ')} failed:\n${r1.stderr}`);
  // ptxas on the same PTX: the register report of exactly what was checked.
  const ptxas = join(dirname(nvcc!), 'ptxas');
  const r2 = spawnSync(ptxas, ['-arch=sm_90a', '-v', '-o', join(work, `${name}.cubin`), ptx], { encoding: 'utf8' });
  assert.equal(r2.status, 0, `ptxas failed on ${name}:\n${r2.stderr}`);
  return { ptx: readFileSync(ptx, 'utf8'), log: `${r2.stdout}${r2.stderr}` };
}

function entry(log: string, name: string): PtxasEntry {
  const e = findEntry(parsePtxas(log), name);
  assert.ok(e, `no ptxas report for ${name}:\n${log}`);
  return e;
}

test('normal build: no FP8LAB_TRACE, no %globaltimer, same registers as before the trace points', { skip }, (t) => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-variant-'));
  try {
    const include = join(repoRoot(), 'kernels', 'include');
    const { source, kernelName } = gemmKernelSource('normal', config);
    assert.doesNotMatch(source, /FP8LAB_TRACE/);
    const now = build(work, 'normal', source, [include]);
    assert.doesNotMatch(now.ptx, /%globaltimer/, 'the normal build reads %globaltimer');
    const nowEntry = entry(now.log, kernelName);
    assert.equal(nowEntry.spillStoresBytes + nowEntry.spillLoadsBytes + nowEntry.stackFrameBytes, 0, 'the normal build uses local memory');

    const old = spawnSync('git', ['show', `${TRACE_COMMIT}^:${HEADER}`], { cwd: repoRoot(), encoding: 'utf8', maxBuffer: 1 << 24 });
    if (old.status !== 0) { t.diagnostic(`baseline skipped: no git history for ${HEADER} (${old.stderr.trim()})`); return; }
    // The old header in an overlay directory searched first; everything else from today's tree.
    const overlay = join(work, 'overlay');
    mkdirSync(join(overlay, 'fp8lab', 'impls'), { recursive: true });
    writeFileSync(join(overlay, 'fp8lab', 'impls', 'sm90_fp8_gemm_1d2d.cuh'), old.stdout);
    const before = build(work, 'before', source, [overlay, include]);
    const beforeEntry = entry(before.log, kernelName);
    t.diagnostic(`${kernelName}: ${nowEntry.registers} registers now, ${beforeEntry.registers} before the trace points`);
    assert.deepEqual(
      { registers: nowEntry.registers, spills: nowEntry.spillStoresBytes + nowEntry.spillLoadsBytes, stack: nowEntry.stackFrameBytes },
      { registers: beforeEntry.registers, spills: beforeEntry.spillStoresBytes + beforeEntry.spillLoadsBytes, stack: beforeEntry.stackFrameBytes });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('instrumented build: defines FP8LAB_TRACE 1 and its PTX reads %globaltimer', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-variant-'));
  try {
    const { source, kernelName } = gemmKernelSource('normal', config, { trace: true });
    assert.match(source, /^#define FP8LAB_TRACE 1$/m);
    assert.match(kernelName, /_trace$/);
    const built = build(work, 'traced', source, [join(repoRoot(), 'kernels', 'include')]);
    assert.match(built.ptx, /%globaltimer/);
    assert.match(built.ptx, /%smid/);
    entry(built.log, kernelName);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('no-promotion build (accuracy study) compiles with 0 spills and 0 stack', { skip }, (t) => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-variant-'));
  try {
    const { source, kernelName } = gemmKernelSource('normal', config, { promote: false });
    assert.doesNotMatch(source, /FP8LAB_TRACE/);
    assert.match(kernelName, /_nopromote$/);
    const built = build(work, 'nopromote', source, [join(repoRoot(), 'kernels', 'include')]);
    const e = entry(built.log, kernelName);
    t.diagnostic(`${kernelName}: ${e.registers} registers`);
    assert.equal(e.spillStoresBytes, 0);
    assert.equal(e.spillLoadsBytes, 0);
    assert.equal(e.stackFrameBytes, 0);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
