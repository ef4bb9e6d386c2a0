// The utility kernels (kernels/include/fp8lab/utils) compile for sm_90a with the real nvcc, every
// entry the TypeScript launchers name is in the cubin, and none uses local memory. Also: the CLI
// verbs work without a GPU (study mode), compiling through the addon's JIT into a temp cache.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findEntry, parsePtxas } from '../../../../extension/src/core/ptxas';
import { UtilKernel, utilsSource } from '../../../../extension/src/core/utilsSource';
import { findExtensionRoot } from '../../../../extension/src/worker/addon';

const root = findExtensionRoot(__dirname, {});
const nvcc = process.env.FP8LAB_JIT_NVCC_COMPILER ?? join(process.env.CUDA_HOME ?? '/usr/local/cuda', 'bin', 'nvcc');
const noNvcc = existsSync(nvcc) ? false : `nvcc not found at ${nvcc} (set CUDA_HOME)`;
const work = mkdtempSync(join(tmpdir(), 'fp8lab-utils-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the generated source is deterministic and declares every launcher entry', () => {
  const a = utilsSource();
  assert.equal(a.source, utilsSource().source);
  assert.deepEqual([...a.kernelNames].sort(), Object.values(UtilKernel).sort());
  for (const name of a.kernelNames)
    assert.match(a.source, new RegExp(`extern "C" __global__ void __launch_bounds__\\(256\\) ${name}\\(`));
});

test('the utility kernels compile for sm_90a with no spills and no stack', { skip: noNvcc }, () => {
  const { source, kernelNames } = utilsSource();
  const cu = join(work, 'utils.cu');
  writeFileSync(cu, source);
  const out = spawnSync(
    nvcc,
    [
      '-std=c++17',
      '-O3',
      '-gencode=arch=compute_90a,code=sm_90a',
      '--cubin',
      '-Xptxas',
      '-v',
      '--expt-relaxed-constexpr',
      '-I',
      join(root, 'kernels', 'include'),
      '-o',
      join(work, 'utils.cubin'),
      cu,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(out.status, 0, out.stderr);
  const report = parsePtxas(out.stderr);
  for (const name of kernelNames) {
    const fn = findEntry(report, name);
    assert.ok(fn, `${name} is not in the ptxas report`);
    assert.equal(fn.spillStoresBytes + fn.spillLoadsBytes, 0, `${name} spills`);
    assert.equal(fn.stackFrameBytes, 0, `${name} uses a stack frame`);
    assert.ok(fn.registers <= 255, `${name}: ${fn.registers} registers`);
  }
  // 256 threads x registers must fit the SM for the reference GEMM to launch.
  assert.ok(findEntry(report, UtilKernel.referenceGemm)!.registers * 256 <= 65536);
  assert.ok(readFileSync(join(work, 'utils.cubin')).length > 0);
});

const cli = join(root, 'extension', 'dist', 'cli.js');
const addonBuilt = existsSync(join(root, 'native', 'build', 'Release', 'fp8lab.node'));
const noCli =
  noNvcc ||
  (!existsSync(cli) ? `${cli} missing: run node extension/build.mjs` : !addonBuilt ? 'addon not built' : false);
const hasGpu = [
  '/usr/lib/x86_64-linux-gnu/libcuda.so.1',
  '/usr/local/nvidia/lib64/libcuda.so.1',
  '/lib/libcuda.so.1',
].some((p) => existsSync(p));

function fp8lab(args: string[], cacheDir: string) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, FP8LAB_JIT_CACHE_DIR: cacheDir, FP8LAB_ROOT: root },
    timeout: 180_000,
  });
}

test(
  'bench without a GPU compiles in study mode, and compile/configs work',
  { skip: noCli || (hasGpu ? 'this machine has a GPU driver: see test/gpu' : false) },
  () => {
    const cache = join(work, 'jit');
    const json = join(work, 'study.json');
    const b = fp8lab(['bench', '--shapes', '1,576,7168', '--json', json], cache);
    assert.equal(b.status, 0, b.stderr);
    // Why (the driver is missing) and what to do next.
    assert.match(
      b.stderr,
      /No usable Hopper GPU here \(No CUDA driver: study mode[^)]*\): study mode, kernels are compiled but not run/,
    );
    assert.match(
      b.stderr,
      /`fp8lab check`[\s\S]*Open saved run…[\s\S]*`fp8lab timeline --from-capture FILE --trace OUT`/,
    );
    assert.match(b.stdout, /^\s*M\s+N\s+K\s+config\s+regs\s+spill B/m);
    const run = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(run.mode, 'study');
    assert.equal(run.results.length, 1);
    const r = run.results[0];
    assert.equal(r.error, undefined);
    assert.ok(r.registers.registers > 0);
    assert.equal(r.registers.spillStoresBytes + r.registers.spillLoadsBytes, 0);
    assert.equal(r.compile.cacheHit, false);

    // The same kernel again: a disk-cache hit, reported as such.
    const c = fp8lab(['compile', '1', '576', '7168', '--json'], cache);
    assert.equal(c.status, 0, c.stderr);
    const report = JSON.parse(c.stdout);
    assert.equal(report.cacheHit, true);
    assert.equal(report.cacheKey, r.compile.cacheKey);
    assert.equal(report.registers.registers, r.registers.registers);

    const cfg = fp8lab(['configs', '1', '576', '7168'], cache);
    assert.equal(cfg.status, 0, cfg.stderr);
    assert.match(cfg.stdout, /^\*/m, 'the chosen candidate is marked');

    const usage = fp8lab(['bench', '--rounds', 'x'], cache);
    assert.equal(usage.status, 1);
    assert.match(usage.stderr, /--rounds must be a whole number/);
    const badConfig = fp8lab(['compile', '128', '2112', '7168', '--config', 'block_n=200'], cache);
    assert.equal(badConfig.status, 1, badConfig.stderr);
    assert.match(badConfig.stderr, /E_INVALID_CONFIG/);
  },
);
