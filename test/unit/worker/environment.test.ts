// How the EnvironmentReport is built from what the addon and nvcc say, and what `check` makes of
// it. The addon here is a test double answering the way the real one does on each kind of machine
// (its real behaviour on this machine is covered in client.test.ts and cli.test.ts).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DeviceInfo } from '../../../native/index';
import { RuntimeError } from '../../../extension/src/core/runtimeError';
import type { AddonModule } from '../../../extension/src/worker/addon';
import {
  cudaVersionText,
  parseNvccVersion,
  probeEnvironment,
  runNvccVersion,
} from '../../../extension/src/worker/environment';
import { checkExitCode, cublasLtVersionText, formatReport } from '../../../extension/src/core/environmentText';
import { resolveSettings } from '../../../extension/src/core/settings';

const cache = mkdtempSync(join(tmpdir(), 'fp8lab-env-'));
// One entry in the JIT's layout (<key[0:2]>/<key>/), plus what is not an entry: the build folder,
// an entry moved aside as corrupt, a stray file and folder.
const entryKey = 'ab'.padEnd(64, '0');
mkdirSync(join(cache, 'ab', entryKey), { recursive: true });
writeFileSync(join(cache, 'ab', entryKey, 'kernel.cubin'), Buffer.alloc(1000));
mkdirSync(join(cache, 'ab', `${entryKey}.corrupt.1.2`));
mkdirSync(join(cache, 'tmp', 'fp8lab-build-0123-1.abcdef'), { recursive: true });
mkdirSync(join(cache, 'notes'));
const settings = resolveSettings(
  { 'jit.cacheDir': cache },
  {},
  { kernelsDir: '/k', homeDir: '/home/u', cwd: '/' },
).settings;

const h100: DeviceInfo = {
  ordinal: 0,
  name: 'NVIDIA H100 80GB HBM3',
  computeCapability: [9, 0],
  smCount: 132,
  totalMemoryBytes: 85_031_714_816,
  l2CacheBytes: 52_428_800,
  maxSharedMemoryPerBlockOptin: 232_448,
  clockRateKHz: 1_980_000,
  memoryClockRateKHz: 2_619_000,
  memoryBusWidthBits: 5120,
  pciBusId: '0000:18:00.0',
};
const ada: DeviceInfo = { ...h100, name: 'NVIDIA GeForce RTX 4090', computeCapability: [8, 9], smCount: 128 };

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function fakeAddon(probe: () => { libcudaPath: string; driverVersion: number; devices: DeviceInfo[] }): AddonModule {
  return {
    probe,
    buildInfo: () => ({ napiVersion: 8, compiler: 'g++ 12', nvrtcAvailable: false }),
    cublasLtInfo: () => {
      throw coded('E_NO_CUBLASLT', 'libcublasLt.so not found in /usr/local/cuda/lib64');
    },
  } as unknown as AddonModule;
}
const nvcc = (release: string) => async () =>
  `nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release ${release}, V${release}.88\n`;
const deps = (addon: AddonModule, nvccVersion = nvcc('13.0')) => ({
  loadAddon: () => ({ addon, path: '/ext/native/build/Release/fp8lab.node' }),
  nvccVersion,
});

test('an H100 with nvcc 13.0 can run kernels; check exits 0', async () => {
  const r = await probeEnvironment(
    settings,
    deps(fakeAddon(() => ({ libcudaPath: '/usr/lib/libcuda.so.1', driverVersion: 13000, devices: [h100] }))),
  );
  assert.equal(r.canRunKernels, true);
  assert.equal(r.canCompileKernels, true);
  assert.equal(r.summary, 'H100 80GB HBM3 · driver 13.0 · nvcc 13.0');
  assert.equal(r.devices[0].isHopper, true);
  assert.deepEqual(r.cache, { dir: cache, entries: 1, writable: true }, 'entries counted without walking every file');
  const withBytes = await probeEnvironment(
    settings,
    deps(fakeAddon(() => ({ libcudaPath: '/usr/lib/libcuda.so.1', driverVersion: 13000, devices: [h100] }))),
    { cacheBytes: true },
  );
  assert.deepEqual(withBytes.cache, { dir: cache, entries: 1, bytes: 1000, writable: true });
  assert.equal(r.cublasLt.available, false);
  assert.match(r.cublasLt.problem ?? '', /libcublasLt\.so not found/);
  assert.equal(checkExitCode(r), 0);
  assert.match(formatReport(r), /GPU 0 +NVIDIA H100 80GB HBM3, sm_90 \(Hopper\), 132 SMs/);
});

test('no driver: a coded report, study mode, check exits 2', async () => {
  const r = await probeEnvironment(
    settings,
    deps(
      fakeAddon(() => {
        throw coded('E_NO_DRIVER', 'libcuda.so.1 not found (tried ...)');
      }),
    ),
  );
  assert.deepEqual(r.driver, { ok: false, code: 'E_NO_DRIVER', message: 'libcuda.so.1 not found (tried ...)' });
  assert.equal(r.canRunKernels, false);
  assert.equal(r.canCompileKernels, true);
  assert.equal(r.summary, 'No CUDA driver: study mode · nvcc 13.0');
  assert.equal(checkExitCode(r), 2);
});

test('a GPU that is not Hopper: check exits 3 and says which GPU', async () => {
  const r = await probeEnvironment(
    settings,
    deps(fakeAddon(() => ({ libcudaPath: '/l', driverVersion: 12080, devices: [ada] }))),
  );
  assert.equal(r.canRunKernels, false);
  assert.equal(r.summary, 'No Hopper GPU (GeForce RTX 4090 is sm_89): study mode · driver 12.8 · nvcc 13.0');
  assert.equal(checkExitCode(r), 3);
});

test('a toolkit older than 12.3, or none: not usable, check exits 4', async () => {
  const old = await probeEnvironment(
    settings,
    deps(
      fakeAddon(() => ({ libcudaPath: '/l', driverVersion: 13000, devices: [h100] })),
      nvcc('12.1'),
    ),
  );
  assert.equal(old.toolkit.usable, false);
  assert.match(old.toolkit.problem ?? '', /nvcc 12\.1 is too old/);
  assert.equal(old.canRunKernels, false);
  assert.equal(checkExitCode(old), 4);
  const missing = await probeEnvironment(
    { ...settings, nvccPath: '/nonexistent/bin/nvcc' },
    {
      loadAddon: deps(fakeAddon(() => ({ libcudaPath: '/l', driverVersion: 13000, devices: [h100] }))).loadAddon,
      nvccVersion: runNvccVersion,
    },
  );
  assert.equal(missing.toolkit.usable, false);
  assert.match(missing.toolkit.problem ?? '', /nvcc not found at \/nonexistent\/bin\/nvcc/);
  assert.equal(checkExitCode(missing), 4);
});

test('a missing addon is the one thing that throws (E_ADDON_LOAD)', async () => {
  await assert.rejects(
    probeEnvironment(settings, {
      loadAddon: () => {
        throw new RuntimeError({ code: 'E_ADDON_LOAD', message: 'gone' });
      },
      nvccVersion: nvcc('13.0'),
    }),
    (e: RuntimeError) => e.code === 'E_ADDON_LOAD',
  );
});

test('version parsing', () => {
  assert.equal(parseNvccVersion('Cuda compilation tools, release 12.3, V12.3.107'), '12.3');
  assert.equal(parseNvccVersion('gcc (Debian 12.2.0-14) 12.2.0'), undefined);
  assert.equal(cudaVersionText(12080), '12.8');
  assert.equal(cudaVersionText(13000), '13.0');
  assert.equal(cublasLtVersionText(120901), '12.9.1');
});

test(
  'the real nvcc of this machine is found by argv and parsed',
  { skip: !existsSync('/usr/local/cuda/bin/nvcc') && 'no /usr/local/cuda here' },
  async () => {
    const out = await runNvccVersion('/usr/local/cuda/bin/nvcc');
    assert.match(parseNvccVersion(out) ?? '', /^\d+\.\d+$/);
  },
);

test('a cache of 5000 entries: counted exactly from the shard folders, without a stat() of every file unless asked', async () => {
  const big = mkdtempSync(join(tmpdir(), 'fp8lab-env-big-'));
  for (let i = 0; i < 5000; i++) {
    const key = i.toString(16).padStart(4, '0').repeat(16);
    mkdirSync(join(big, key.slice(0, 2), key), { recursive: true });
    writeFileSync(join(big, key.slice(0, 2), key, 'kernel.cubin'), Buffer.alloc(10));
  }
  mkdirSync(join(big, 'tmp', 'fp8lab-build-x'), { recursive: true });
  const s = resolveSettings({ 'jit.cacheDir': big }, {}, { kernelsDir: '/k', homeDir: '/home/u', cwd: '/' }).settings;
  const addon = fakeAddon(() => ({ libcudaPath: '/usr/lib/libcuda.so.1', driverVersion: 13000, devices: [h100] }));
  const t0 = performance.now();
  const quick = await probeEnvironment(s, deps(addon));
  const quickMs = performance.now() - t0;
  assert.equal(quick.cache.entries, 5000);
  assert.equal(quick.cache.bytes, undefined);
  const full = await probeEnvironment(s, deps(addon), { cacheBytes: true });
  assert.equal(full.cache.entries, 5000);
  assert.equal(full.cache.bytes, 50_000);
  assert.ok(quickMs < 2000, `${quickMs.toFixed(0)} ms`);
  rmSync(big, { recursive: true, force: true });
});
