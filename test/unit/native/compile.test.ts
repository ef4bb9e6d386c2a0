// compile() with the real nvcc: the content-addressed cache (miss, hit, key inputs, races,
// corruption) and each coded failure. Needs a CUDA toolkit (nvcc), not a GPU.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { CompileOptions } from '../../../native/index';
import { addonPath, codedError, loadAddon } from './loadAddon';

const addon = loadAddon();
const cudaHome = process.env.CUDA_HOME ?? '/usr/local/cuda';
const nvcc = path.join(cudaHome, 'bin', 'nvcc');
const noNvcc = !fs.existsSync(nvcc) && `no nvcc at ${nvcc}`;

let work = '';
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

// A small real kernel that includes a header from includeDirs, so header edits must change the key.
const source = [
  '#include "lab/step.h"',
  'extern "C" __global__ void add_step(float* x, int n) {',
  '  int i = blockIdx.x * blockDim.x + threadIdx.x;',
  '  if (i < n) x[i] += kStep;',
  '}',
  '',
].join('\n');

function options(extra: Partial<CompileOptions> = {}): CompileOptions {
  return {
    source,
    kernelNames: ['add_step'],
    includeDirs: [path.join(work, 'include')],
    cacheDir: path.join(work, 'cache'),
    compiler: 'nvcc',
    nvccPath: nvcc,
    cudaHome,
    ...extra,
  };
}

/** Cache entries (key folders) under cacheDir, excluding the tmp folder. */
function entries(cacheDir: string): string[] {
  if (!fs.existsSync(cacheDir)) return [];
  return fs
    .readdirSync(cacheDir)
    .filter((s) => s !== 'tmp')
    .flatMap((s) => fs.readdirSync(path.join(cacheDir, s)));
}

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-compile-'));
  fs.mkdirSync(path.join(work, 'include', 'lab'), { recursive: true });
  fs.writeFileSync(path.join(work, 'include', 'lab', 'step.h'), '#pragma once\nconstexpr float kStep = 1.0f;\n');
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('a first compile misses and writes a complete entry; the second hits it', { skip: noNvcc }, async () => {
  const opts = options();
  const miss = await addon.compile(opts);
  assert.equal(miss.cacheHit, false);
  assert.equal(miss.key, addon.cacheKey(opts));
  assert.match(miss.key, /^[0-9a-f]{64}$/);
  assert.equal(miss.dir, path.join(opts.cacheDir, miss.key.slice(0, 2), miss.key));
  for (const f of ['kernel.cu', 'kernel.cubin', 'ptxas.log', 'manifest.json'])
    assert.ok(fs.existsSync(path.join(miss.dir, f)), f);
  assert.match(miss.ptxasLog, /Compiling entry function 'add_step' for 'sm_90a'/);
  assert.match(miss.ptxasLog, /Used \d+ registers/);
  assert.equal(miss.command[0], nvcc);
  for (const flag of [
    '-std=c++17',
    '-O3',
    '-gencode=arch=compute_90a,code=sm_90a',
    '--cubin',
    '-Xptxas',
    '-v',
    '--expt-relaxed-constexpr',
  ])
    assert.ok(miss.command.includes(flag), flag);
  assert.ok(miss.command.includes(`-I${opts.includeDirs[0]}`));
  assert.match(miss.compilerVersion, /release \d+\.\d+/);
  const manifest = JSON.parse(fs.readFileSync(path.join(miss.dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.key, miss.key);
  assert.deepEqual(manifest.kernelNames, ['add_step']);
  assert.equal(manifest.cubinSha256, sha256(miss.cubinPath));
  assert.equal(manifest.cubinBytes, fs.statSync(miss.cubinPath).size);
  assert.deepEqual(manifest.includeFiles, ['0:lab/step.h']);
  assert.deepEqual(fs.readdirSync(path.join(opts.cacheDir, 'tmp')), [], 'no temporary folder left behind');

  const hit = await addon.compile(opts);
  assert.equal(hit.cacheHit, true);
  assert.equal(hit.dir, miss.dir);
  assert.equal(hit.ptxasLog, miss.ptxasLog);
  assert.deepEqual(hit.command, miss.command, 'the recorded command comes back on a hit');
  assert.ok(hit.elapsedMs < miss.elapsedMs);
});

test('the key is stable for the same inputs, wherever the headers and cache live', { skip: noNvcc }, () => {
  const key = addon.cacheKey(options());
  assert.equal(addon.cacheKey(options()), key);
  assert.equal(addon.cacheKey(options({ cacheDir: path.join(work, 'elsewhere') })), key);
  const copy = path.join(work, 'include-copy');
  fs.cpSync(path.join(work, 'include'), copy, { recursive: true });
  assert.equal(addon.cacheKey(options({ includeDirs: [copy] })), key, 'header paths are relative to their root');
});

test('the key changes with a header edit, a new header, the source and the flags', { skip: noNvcc }, () => {
  const root = path.join(work, 'include-edit');
  fs.cpSync(path.join(work, 'include'), root, { recursive: true });
  const base = addon.cacheKey(options({ includeDirs: [root] }));
  fs.writeFileSync(path.join(root, 'lab', 'step.h'), '#pragma once\nconstexpr float kStep = 2.0f;\n');
  const edited = addon.cacheKey(options({ includeDirs: [root] }));
  assert.notEqual(edited, base);
  fs.writeFileSync(path.join(root, 'lab', 'unused.cuh'), '// never included, still hashed\n');
  assert.notEqual(addon.cacheKey(options({ includeDirs: [root] })), edited);
  assert.notEqual(addon.cacheKey(options({ source: `${source}// edit\n` })), base);
  assert.notEqual(addon.cacheKey(options({ extraFlags: ['-lineinfo'] })), addon.cacheKey(options()));
});

test('two concurrent compiles of one source both succeed and leave one entry', { skip: noNvcc }, async () => {
  const cacheDir = path.join(work, 'cache-race');
  const opts = options({ cacheDir, source: `${source}// race\n` });
  const [a, b] = await Promise.all([addon.compile(opts), addon.compile(opts)]);
  assert.equal(a.dir, b.dir);
  assert.equal(sha256(a.cubinPath), sha256(b.cubinPath));
  assert.deepEqual(entries(cacheDir), [a.key]);
  assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'tmp')), []);
});

test('two processes compiling one source at once both succeed and leave one entry', { skip: noNvcc }, async () => {
  const cacheDir = path.join(work, 'cache-two-processes');
  const opts = options({ cacheDir, source: `${source}// two processes\n` });
  const script = `const a = require(${JSON.stringify(addonPath())});
a.compile(JSON.parse(process.argv[1])).then((r) => console.log(JSON.stringify({ dir: r.dir, hit: r.cacheHit })),
  (e) => { console.error(e.code, e.message); process.exit(1); });`;
  const run = () =>
    new Promise<{ dir: string; hit: boolean }>((resolve, reject) => {
      execFile(process.execPath, ['-e', script, JSON.stringify(opts)], (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });
  const [a, b] = await Promise.all([run(), run()]);
  assert.equal(a.dir, b.dir);
  assert.deepEqual(entries(cacheDir), [path.basename(a.dir)]);
  assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'tmp')), []);
});

test('a corrupted cubin is detected, moved aside and rebuilt', { skip: noNvcc }, async () => {
  const cacheDir = path.join(work, 'cache-corrupt');
  const opts = options({ cacheDir });
  const first = await addon.compile(opts);
  const good = sha256(first.cubinPath);
  const bytes = fs.readFileSync(first.cubinPath);
  bytes[bytes.length >> 1] ^= 0xff;
  fs.writeFileSync(first.cubinPath, bytes);
  const again = await addon.compile(opts);
  assert.equal(again.cacheHit, false, 'a corrupt entry is not a hit');
  assert.equal(sha256(again.cubinPath), good);
  assert.deepEqual(entries(cacheDir), [first.key], 'the corrupt entry is gone, one sound entry remains');

  fs.rmSync(path.join(again.dir, 'manifest.json'));
  const third = await addon.compile(opts);
  assert.equal(third.cacheHit, false, 'an entry without a manifest is rebuilt');
  assert.equal((await addon.compile(opts)).cacheHit, true);
});

test('a compile error rejects E_COMPILE with the compiler log', { skip: noNvcc }, async () => {
  const err = await codedError(() =>
    addon.compile(options({ source: `${source}\nthis is not cuda;\n`, kernelNames: ['broken'] })),
  );
  assert.equal(err.code, 'E_COMPILE');
  assert.match(err.message, /nvcc failed/);
  assert.match(err.log ?? '', /error/);
  assert.match(err.log ?? '', /kernel\.cu/);
});

test('a missing nvcc rejects E_NO_COMPILER, naming the path and the setting', async () => {
  const err = await codedError(() => addon.compile(options({ nvccPath: path.join(work, 'no', 'nvcc') })));
  assert.equal(err.code, 'E_NO_COMPILER');
  assert.ok(err.message.includes(path.join(work, 'no', 'nvcc')));
  assert.match(err.message, /fp8lab\.jit\.nvccPath/);
});

test(
  'NVRTC asked for but absent rejects E_NO_COMPILER and points at nvcc',
  { skip: addon.buildInfo().nvrtcAvailable && 'NVRTC is installed here' },
  async () => {
    const err = await codedError(() =>
      addon.compile(options({ compiler: 'nvrtc', cudaHome: path.join(work, 'no-cuda') })),
    );
    assert.equal(err.code, 'E_NO_COMPILER');
    assert.match(err.message, /NVRTC was not found/);
    assert.match(err.message, /nvcc/);
  },
);

test('ptxasCheck rejects a kernel that uses local memory with E_PTXAS_CHECK', { skip: noNvcc }, async () => {
  // A local array written and read at run-time indices cannot live in registers: ptxas gives it a stack frame.
  const spilling = [
    'extern "C" __global__ void uses_stack(const int* idx, float* out) {',
    '  float buf[256];',
    '  for (int i = 0; i < 256; ++i) buf[(i * idx[0] + threadIdx.x) & 255] = out[i];',
    '  out[threadIdx.x] = buf[idx[threadIdx.x] & 255];',
    '}',
    '',
  ].join('\n');
  const ok = await addon.compile(options({ source: spilling, kernelNames: ['uses_stack'] }));
  assert.match(ok.ptxasLog, /[1-9]\d* bytes stack frame/);
  const err = await codedError(() =>
    addon.compile(options({ source: spilling, kernelNames: ['uses_stack'], ptxasCheck: true })),
  );
  assert.equal(err.code, 'E_PTXAS_CHECK');
  assert.match(err.message, /uses_stack uses local memory \(\d+ bytes stack frame/);
  assert.match(err.log ?? '', /stack frame/);
  // The clean kernel passes the same check.
  assert.equal((await addon.compile(options({ ptxasCheck: true }))).cacheHit, true);
});

test('dumpPtx keeps kernel.ptx in the entry', { skip: noNvcc }, async () => {
  const r = await addon.compile(options({ dumpPtx: true }));
  assert.match(fs.readFileSync(path.join(r.dir, 'kernel.ptx'), 'utf8'), /\.entry add_step/);
  assert.notEqual(r.key, addon.cacheKey(options()));
});

test('bad options reject E_BAD_ARGUMENT naming the field', async () => {
  const missing = await codedError(() =>
    addon.compile({ ...options(), cacheDir: undefined } as unknown as CompileOptions),
  );
  assert.equal(missing.code, 'E_BAD_ARGUMENT');
  assert.match(missing.message, /cacheDir/);
  const compiler = await codedError(() => addon.compile(options({ compiler: 'clang' as never })));
  assert.match(compiler.message, /'nvcc' or 'nvrtc'/);
  assert.equal(
    (await codedError(() => addon.cacheKey({ ...options(), includeDirs: 'x' } as never))).code,
    'E_BAD_ARGUMENT',
  );
});

// /proc refuses new folders even to root.
test('an unwritable cache folder rejects E_CACHE', { skip: noNvcc }, async () => {
  const err = await codedError(() => addon.compile(options({ cacheDir: '/proc/fp8lab-cache' })));
  assert.equal(err.code, 'E_CACHE');
});

test(
  'the sweep removes only our own build folders an hour old, never anything else in tmp/',
  { skip: noNvcc },
  async () => {
    const cacheDir = path.join(work, 'cache-stale');
    const tmp = path.join(cacheDir, 'tmp');
    const ours = 'fp8lab-build-0123456789abcdef-999999.abc123';
    const young = 'fp8lab-build-fedcba9876543210-999999.def456';
    // Someone pointed the cache at a shared folder: their files and folders are old, and stay.
    for (const d of [ours, young, 'old.abc123', 'notes', 'fp8lab-build-link'])
      if (d !== 'fp8lab-build-link') fs.mkdirSync(path.join(tmp, d), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'notes', 'draft.txt'), 'mine\n');
    fs.writeFileSync(path.join(tmp, 'report.pdf'), "not the JIT's\n");
    fs.writeFileSync(path.join(tmp, 'fp8lab-build-file'), 'a file, not a build folder\n');
    fs.symlinkSync(path.join(tmp, 'notes'), path.join(tmp, 'fp8lab-build-link'));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    for (const d of [ours, 'old.abc123', 'notes', 'report.pdf', 'fp8lab-build-file', path.join('notes', 'draft.txt')]) {
      fs.utimesSync(path.join(tmp, d), twoHoursAgo, twoHoursAgo);
    }
    fs.lutimesSync(path.join(tmp, 'fp8lab-build-link'), twoHoursAgo, twoHoursAgo);
    await addon.compile(options({ cacheDir, source: `${source}// stale\n` }));
    assert.deepEqual(
      fs.readdirSync(tmp).sort(),
      ['fp8lab-build-file', 'fp8lab-build-link', young, 'notes', 'old.abc123', 'report.pdf'].sort(),
      'only our hour-old build folder went; a young one may belong to a compile still running',
    );
    assert.equal(fs.readFileSync(path.join(tmp, 'notes', 'draft.txt'), 'utf8'), 'mine\n');
  },
);
