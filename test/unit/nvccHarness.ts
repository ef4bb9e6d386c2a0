// The scaffolding shared by the tests that run the real nvcc on our kernels (no GPU needed): where
// the repository and nvcc are, a scratch directory per test, a cubin build with the ptxas report,
// and the build-and-run of a kernels/tools invariant checker. Tests skip (saying why) only when
// nvcc is absent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEntry, parsePtxas, usesLocalMemory, type PtxasFunction } from '../../extension/src/core/ptxas';
import { repoRoot } from './repoRoot';

export { repoRoot };

export function kernelInclude(): string {
  return join(repoRoot(), 'kernels', 'include');
}

function findNvcc(): string | undefined {
  const candidates = [
    process.env.FP8LAB_JIT_NVCC_COMPILER,
    process.env.CUDA_HOME && join(process.env.CUDA_HOME, 'bin', 'nvcc'),
    '/usr/local/cuda/bin/nvcc',
  ].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}

export const nvcc: string | undefined = findNvcc();
/** node:test's `skip` option: false when nvcc exists, else the reason. */
export const skip: string | false = nvcc
  ? false
  : 'nvcc not found (FP8LAB_JIT_NVCC_COMPILER, $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc)';

/** Runs `body` in a fresh scratch directory (prefix names it) and removes the directory afterwards. */
export function withWorkDir<T>(prefix: string, body: (work: string) => T): T {
  const work = mkdtempSync(join(tmpdir(), prefix));
  try {
    return body(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The nvcc flags every kernel unit is built with here (the language level, optimisation, our headers). */
const deviceFlags = (): string[] => ['-std=c++17', '-O3', '--expt-relaxed-constexpr', '-I', kernelInclude()];

/** Writes `source` to <work>/<name>.cu and builds a sm_90a cubin with `ptxas -v`; the log holds the report. */
export function compileCubin(source: string, work: string, name: string): { status: number | null; log: string } {
  const cu = join(work, `${name}.cu`);
  writeFileSync(cu, source);
  const argv = [
    ...deviceFlags(),
    '-gencode=arch=compute_90a,code=sm_90a',
    '--cubin',
    '-Xptxas',
    '-v',
    '-o',
    join(work, `${name}.cubin`),
    cu,
  ];
  const r = spawnSync(nvcc!, argv, { encoding: 'utf8' });
  return { status: r.status, log: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Writes `source` to <work>/<name>.cu and returns the sm_90a PTX nvcc makes of it (asserting it built). */
export function ptxOf(work: string, name: string, source: string): string {
  const cu = join(work, `${name}.cu`);
  const ptx = join(work, `${name}.ptx`);
  writeFileSync(cu, source);
  const argv = [...deviceFlags(), '-arch=sm_90a', '--ptx', '-o', ptx, cu];
  const r = spawnSync(nvcc!, argv, { encoding: 'utf8' });
  assert.equal(r.status, 0, `nvcc failed on ${name}:\n${r.stderr}`);
  return readFileSync(ptx, 'utf8');
}

/**
 * Compiles a generated kernel unit and asserts it built, that ptxas reported `kernelName` and that
 * it uses no local memory (spills or stack); with `noSerializedWgmma`, also that ptxas did not
 * serialise the wgmma pipeline (C7514) nor inject a warpgroup.wait of its own (C7517: it found a
 * path where a group may still be in flight). Returns the ptxas report of the kernel.
 */
export function assertCompilesClean(
  source: string,
  work: string,
  kernelName: string,
  options: { noSerializedWgmma?: boolean } = {},
): PtxasFunction {
  const { status, log } = compileCubin(source, work, kernelName);
  assert.equal(status, 0, `${kernelName} failed to compile:\n${log}`);
  if (options.noSerializedWgmma) {
    assert.doesNotMatch(
      log,
      /wgmma.*serializ|\(C751[47]\)|warpgroup\.wait is injected/i,
      `${kernelName}: ptxas serialised the wgmma pipeline or injected a wait:\n${log}`,
    );
  }
  const fn = findEntry(parsePtxas(log), kernelName);
  assert.ok(fn, `no ptxas report for ${kernelName}:\n${log}`);
  assert.equal(
    usesLocalMemory(fn),
    false,
    `${kernelName}: ${fn.spillStoresBytes} B spill stores, ${fn.spillLoadsBytes} B spill loads, ${fn.stackFrameBytes} B stack`,
  );
  return fn;
}

/** Builds kernels/tools/<tool>.cu for the host with nvcc, runs it, and asserts every check passed. */
export function assertInvariantCheckerPasses(tool: string): void {
  withWorkDir(`fp8lab-${tool.replace(/_/g, '-')}-`, (work) => {
    const exe = join(work, tool);
    const build = spawnSync(
      nvcc!,
      ['-std=c++17', '-O1', '-I', kernelInclude(), '-o', exe, join(repoRoot(), 'kernels', 'tools', `${tool}.cu`)],
      { encoding: 'utf8' },
    );
    assert.equal(build.status, 0, `${tool}.cu failed to build:\n${build.stdout}${build.stderr}`);
    const run = spawnSync(exe, [], { encoding: 'utf8' });
    assert.equal(run.status, 0, `invariant check failed:\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /all \d+ checks passed/);
  });
}
