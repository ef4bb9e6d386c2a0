// compile() under faults: a disk that fills while nvcc writes, compilers that exit 0 with a short
// or junk output, a compiler that hangs (and leaves a grandchild), entries poisoned by an older
// build, and the environment variables nvcc reads itself. Each fault is made for real: a small
// tmpfs (when this machine lets us mount one), or a stand-in compiler script that behaves as a
// broken nvcc does. Needs a CUDA toolkit (nvcc), not a GPU.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { CompileOptions } from '../../../native/index';
import { addonPath, codedError, declaredErrorCodes, loadAddon } from './loadAddon';
import { running as isRunning, standInPids, writeStandInCompiler } from '../standInCompiler';

const addon = loadAddon();
const cudaHome = process.env.CUDA_HOME ?? '/usr/local/cuda';
const nvcc = path.join(cudaHome, 'bin', 'nvcc');
const noNvcc = !fs.existsSync(nvcc) && `no nvcc at ${nvcc}`;

let work = '';
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const source = [
  '#include "lab/step.h"',
  '#ifndef EXTRA_STEP',
  '#define EXTRA_STEP 0.0f',
  '#endif',
  'extern "C" __global__ void add_step(float* x, int n) {',
  '  int i = blockIdx.x * blockDim.x + threadIdx.x;',
  '  if (i < n) x[i] += kStep + EXTRA_STEP;',
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

/** Entry folders (key names) in a cache, tmp/ and the aside folders excluded. */
function entries(cacheDir: string): string[] {
  if (!fs.existsSync(cacheDir)) return [];
  return fs
    .readdirSync(cacheDir)
    .filter((s) => s !== 'tmp')
    .flatMap((s) => fs.readdirSync(path.join(cacheDir, s)));
}

const running = isRunning;

// ---------------------------------------------------------------------------------------------
// A stand-in compiler: answers --version as the real nvcc does (so the toolkit checks pass) and
// otherwise does what <its folder>/mode says: `good` copies a real cubin and ptxas report,
// `truncated` writes the first KiB of that cubin and exits 0 (nvcc on a full disk), `junk`
// writes junk and exits 0, `short-log` writes the good cubin with a report cut before its register
// line, `hang` starts a grandchild and sleeps (a hung compiler).

let good = { cubin: '', log: '', otherArch: '' };
let standIn = '';
const setMode = (mode: string) => fs.writeFileSync(path.join(path.dirname(standIn), 'mode'), mode);

function writeStandIn(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'nvcc');
  fs.writeFileSync(
    script,
    `#!/bin/bash
if [ "$1" = "--version" ]; then exec ${JSON.stringify(nvcc)} --version; fi
out=""; prev=""
for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
here=${JSON.stringify(dir)}
case "$(cat "$here/mode")" in
  good) cp ${JSON.stringify(good.cubin)} "$out"; cat ${JSON.stringify(good.log)} >&2 ;;
  truncated) head -c 1024 ${JSON.stringify(good.cubin)} > "$out"; cat ${JSON.stringify(good.log)} >&2 ;;
  junk) echo "not a cubin" > "$out"; echo "all good, trust me" ;;
  other-arch) cp ${JSON.stringify(good.otherArch)} "$out"; cat ${JSON.stringify(good.log)} >&2 ;;
  short-log) cp ${JSON.stringify(good.cubin)} "$out"; head -n 2 ${JSON.stringify(good.log)} | grep -v Used >&2 ;;
  hang) echo $$ > "$here/child.pid"; sleep 600 & echo $! > "$here/grandchild.pid"; wait ;;
esac
exit 0
`,
    { mode: 0o755 },
  );
  return script;
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-faults-'));
  fs.mkdirSync(path.join(work, 'include', 'lab'), { recursive: true });
  fs.writeFileSync(path.join(work, 'include', 'lab', 'step.h'), '#pragma once\nconstexpr float kStep = 1.0f;\n');
  if (noNvcc) return;
  // A real cubin and ptxas report for the stand-in to hand out.
  const real = await addon.compile(options({ cacheDir: path.join(work, 'cache-real') }));
  good = {
    cubin: path.join(work, 'good.cubin'),
    log: path.join(work, 'good.log'),
    otherArch: path.join(work, 'sm100a.cubin'),
  };
  fs.copyFileSync(real.cubinPath, good.cubin);
  // A whole, sound cubin for another GPU (Blackwell): not what the cache may hold.
  const cu = path.join(work, 'other.cu');
  fs.writeFileSync(
    cu,
    'extern "C" __global__ void add_step(float* x, int n) { if (threadIdx.x < n) x[threadIdx.x] += 1.0f; }\n',
  );
  const other = spawnSync(nvcc, ['-gencode=arch=compute_100a,code=sm_100a', '--cubin', '-o', good.otherArch, cu], {
    encoding: 'utf8',
  });
  assert.equal(other.status, 0, other.stderr);
  fs.writeFileSync(good.log, real.ptxasLog);
  standIn = writeStandIn(path.join(work, 'stand-in'));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('the new codes are declared in native/index.d.ts', () => {
  for (const code of ['E_COMPILE_TIMEOUT', 'E_COMPILER_OUTPUT']) assert.ok(declaredErrorCodes().has(code), code);
});

test(
  'a full disk while nvcc writes: nothing is cached, and the next compile with space builds a whole entry',
  { skip: noNvcc },
  async (t) => {
    // A real full disk: a tmpfs holding the cache, filled but for 24 KiB. The real nvcc 13 exits 0
    // having written as much of the ~100 KiB cubin as fitted. Needs permission to mount (root here).
    const mnt = path.join(work, 'small-disk');
    fs.mkdirSync(mnt);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mount.status !== 0) {
      t.skip(
        `cannot mount a tmpfs here (${(mount.stderr || mount.error?.message || '').trim()}); the stand-in test below covers a short cubin`,
      );
      return;
    }
    try {
      const big = [
        'extern "C" __global__ void big(float* x) {',
        '  float a = x[threadIdx.x];',
        '#pragma unroll',
        '  for (int i = 0; i < 1500; ++i) a = a * 1.0001f + __sinf(a + i);',
        '  x[threadIdx.x] = a;',
        '}',
        '',
      ].join('\n');
      const opts = options({ source: big, kernelNames: ['big'], cacheDir: path.join(mnt, 'cache') });
      fs.mkdirSync(opts.cacheDir);
      const free = () => {
        const s = fs.statfsSync(mnt);
        return s.bavail * s.bsize;
      };
      fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(free() - 24 * 1024));

      const err = await codedError(() => addon.compile(opts));
      assert.equal(err.code, 'E_COMPILER_OUTPUT', `${err.code}: ${err.message}`);
      assert.match(
        err.message,
        /nvcc reported success compiling big but its cubin is unusable: .*truncated; nothing was cached/,
      );
      assert.match(err.message, /nearly\) full/);
      assert.deepEqual(entries(opts.cacheDir), [], 'no entry was published');
      assert.deepEqual(fs.readdirSync(path.join(opts.cacheDir, 'tmp')), [], 'the build folder is gone');

      fs.rmSync(path.join(mnt, 'filler'));
      const built = await addon.compile(opts);
      assert.equal(built.cacheHit, false);
      const cubin = fs.readFileSync(built.cubinPath);
      assert.ok(cubin.length > 24 * 1024, `a whole cubin (${cubin.length} bytes)`);
      assert.equal(cubin.readUInt16LE(18), 190, 'EM_CUDA');
      assert.equal((await addon.compile(opts)).cacheHit, true);
    } finally {
      spawnSync('umount', [mnt]);
    }
  },
);

test(
  'a compiler that exits 0 with a truncated cubin or junk publishes nothing; a sound one then builds the entry',
  { skip: noNvcc },
  async () => {
    const cacheDir = path.join(work, 'cache-stand-in');
    const opts = options({ nvccPath: standIn, cacheDir });
    for (const [mode, why] of [
      ['truncated', /cubin is unusable: .*ends past the end of the 1024-byte file: the cubin is truncated/],
      ['junk', /cubin is unusable: the cubin is 12 bytes, shorter than an ELF header/],
      ['short-log', /ptxas report is unusable: the ptxas report of 'add_step' has no "Used N registers" line/],
      ['other-arch', /cubin is unusable: the cubin is for sm_100, not sm_90a/],
    ] as const) {
      setMode(mode);
      const err = await codedError(() => addon.compile(opts));
      assert.equal(err.code, 'E_COMPILER_OUTPUT', `${mode}: ${err.code} ${err.message}`);
      assert.match(err.message, why);
      assert.deepEqual(entries(cacheDir), [], `${mode}: nothing cached`);
    }
    setMode('good');
    const r = await addon.compile(opts);
    assert.equal(r.cacheHit, false, 'no poisoned entry stood in the way');
    assert.equal(sha256(fs.readFileSync(r.cubinPath)), sha256(fs.readFileSync(good.cubin)));
    assert.equal((await addon.compile(opts)).cacheHit, true);
  },
);

test(
  'an entry poisoned before these checks (short cubin or log under a matching hash) is rebuilt, not served',
  { skip: noNvcc },
  async () => {
    const cacheDir = path.join(work, 'cache-poisoned');
    const opts = options({ cacheDir, source: `${source}// poisoned\n` });
    const first = await addon.compile(opts);
    const wholeCubin = fs.readFileSync(first.cubinPath);
    const wholeLog = first.ptxasLog;
    const manifestPath = path.join(first.dir, 'manifest.json');

    // What the old JIT published on a full disk: a prefix of the cubin, hashed into the manifest.
    const prefix = wholeCubin.subarray(0, 2048);
    fs.writeFileSync(first.cubinPath, prefix);
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    fs.writeFileSync(
      manifestPath,
      JSON.stringify({ ...manifest, cubinSha256: sha256(prefix), cubinBytes: prefix.length }),
    );
    const rebuilt = await addon.compile(opts);
    assert.equal(rebuilt.cacheHit, false, 'a short cubin is not a hit');
    assert.deepEqual(fs.readFileSync(rebuilt.cubinPath), wholeCubin);

    // A cut log under an old manifest (no ptxasLogSha256), and under a new one with a matching hash.
    for (const withHash of [false, true]) {
      const cut = wholeLog.slice(0, wholeLog.indexOf('Used'));
      fs.writeFileSync(path.join(rebuilt.dir, 'ptxas.log'), cut);
      const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
      if (withHash) m.ptxasLogSha256 = sha256(cut);
      else delete m.ptxasLogSha256;
      fs.writeFileSync(manifestPath, JSON.stringify(m));
      const again = await addon.compile(opts);
      assert.equal(again.cacheHit, false, `a cut log is rebuilt (manifest ${withHash ? 'with' : 'without'} its hash)`);
      const timeless = (log: string) => log.replace(/Compile time = .*/g, '');
      assert.equal(timeless(again.ptxasLog), timeless(wholeLog), 'the whole report again');
    }
    // And a log edited after the fact no longer matches its hash.
    fs.appendFileSync(path.join(rebuilt.dir, 'ptxas.log'), 'tampered\n');
    assert.equal((await addon.compile(opts)).cacheHit, false);
    assert.equal((await addon.compile(opts)).cacheHit, true);
    assert.deepEqual(entries(cacheDir), [first.key]);
  },
);

test(
  'a hung compiler is killed with everything it started: E_COMPILE_TIMEOUT, nothing left running, nothing cached',
  { skip: noNvcc },
  async () => {
    const cacheDir = path.join(work, 'cache-hang');
    const here = path.dirname(standIn);
    setMode('hang');
    const started = Date.now();
    const err = await codedError(() => addon.compile(options({ nvccPath: standIn, cacheDir, timeoutMs: 1500 })));
    const took = Date.now() - started;
    setMode('good');
    assert.equal(err.code, 'E_COMPILE_TIMEOUT', `${err.code}: ${err.message}`);
    assert.match(
      err.message,
      /did not finish compiling add_step within 1500 ms; it and every process it started were killed/,
    );
    assert.match(err.message, /FP8LAB_JIT_COMPILE_TIMEOUT/);
    assert.ok(took >= 1400 && took < 10_000, `gave up after ${took} ms`);
    const child = Number(fs.readFileSync(path.join(here, 'child.pid'), 'utf8'));
    const grandchild = Number(fs.readFileSync(path.join(here, 'grandchild.pid'), 'utf8'));
    for (let i = 0; i < 50 && (running(child) || running(grandchild)); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(running(child), false, `the compiler (pid ${child}) is gone`);
    assert.equal(running(grandchild), false, `its grandchild (pid ${grandchild}) is gone`);
    assert.deepEqual(entries(cacheDir), []);
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'tmp')), []);
    assert.equal((await codedError(() => addon.compile(options({ timeoutMs: -1 })))).code, 'E_BAD_ARGUMENT');
  },
);

test(
  'NVCC_APPEND_FLAGS is part of the key: a debug shell never serves its cubin to a plain run, nor the reverse',
  { skip: noNvcc },
  async () => {
    const cacheDir = path.join(work, 'cache-env');
    const opts = options({ cacheDir });
    const saved = process.env.NVCC_APPEND_FLAGS;
    try {
      delete process.env.NVCC_APPEND_FLAGS;
      const plainKey = addon.cacheKey(opts);
      const plain = await addon.compile(opts);
      const plainCubin = fs.readFileSync(plain.cubinPath);
      // The real nvcc reads NVCC_APPEND_FLAGS itself: the same argv now builds another kernel.
      process.env.NVCC_APPEND_FLAGS = '-DEXTRA_STEP=2.0f';
      assert.notEqual(addon.cacheKey(opts), plainKey);
      const flagged = await addon.compile(opts);
      assert.equal(flagged.cacheHit, false, 'not served the plain entry');
      assert.notDeepEqual(fs.readFileSync(flagged.cubinPath), plainCubin, 'the flag changed the cubin');
      assert.deepEqual(
        JSON.parse(fs.readFileSync(path.join(flagged.dir, 'manifest.json'), 'utf8')).compilerEnvironment,
        ['NVCC_APPEND_FLAGS=-DEXTRA_STEP=2.0f'],
      );
      delete process.env.NVCC_APPEND_FLAGS;
      const back = await addon.compile(opts);
      assert.equal(back.cacheHit, true);
      assert.equal(back.key, plainKey);
      assert.deepEqual(fs.readFileSync(back.cubinPath), plainCubin);
    } finally {
      if (saved === undefined) delete process.env.NVCC_APPEND_FLAGS;
      else process.env.NVCC_APPEND_FLAGS = saved;
    }
  },
);

test(
  "the key names the compiler's resolved file: a copy of nvcc elsewhere gets its own entries",
  { skip: noNvcc },
  () => {
    const link = path.join(work, 'bin-link');
    fs.mkdirSync(link, { recursive: true });
    fs.symlinkSync(nvcc, path.join(link, 'nvcc'));
    assert.equal(
      addon.cacheKey(options({ nvccPath: path.join(link, 'nvcc') })),
      addon.cacheKey(options()),
      'a link to the same nvcc is the same compiler',
    );
    assert.notEqual(
      addon.cacheKey(options({ nvccPath: standIn })),
      addon.cacheKey(options()),
      'same --version, another file',
    );
  },
);

test('a process that exits with a compile in flight ends its compiler, at once', async () => {
  // A CLI quitting on a second Ctrl-C: process.exit() while nvcc (here a hung stand-in) runs.
  const dir = path.join(work, 'exit-hang');
  const hanging = writeStandInCompiler(dir, 'hang');
  const script = `const a = require(${JSON.stringify(addonPath())});
a.compile(JSON.parse(process.argv[1])).catch(() => {});
const fs = require('fs');
const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(path.join(dir, 'grandchild.pid'))})) { clearInterval(t); process.exit(130); } }, 20);`;
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      ['-e', script, JSON.stringify(options({ nvccPath: hanging, cacheDir: path.join(work, 'cache-exit') }))],
      { stdio: 'ignore' },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 130, 'it exited by itself, not by our 20 s kill');
  assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
  const pids = standInPids(dir)!;
  for (let i = 0; i < 50 && (running(pids.child) || running(pids.grandchild)); i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(running(pids.child), false, 'the compiler is gone');
  assert.equal(running(pids.grandchild), false, 'its grandchild is gone');
});
