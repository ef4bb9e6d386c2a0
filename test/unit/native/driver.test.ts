// Without a driver (this machine) the addon still loads; probe()/init() say E_NO_DRIVER with every
// path tried, and device calls before init() say E_NOT_INITIALIZED. On a GPU machine the same file
// checks probe()'s report instead.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { codedError, loadAddon } from './loadAddon';

const addon = loadAddon();
const driverPresent = (() => {
  try {
    addon.probe();
    return true;
  } catch (e) {
    return (e as { code?: string }).code !== 'E_NO_DRIVER';
  }
})();

test(
  'probe() without a driver throws E_NO_DRIVER naming the paths tried',
  { skip: driverPresent && 'a CUDA driver is installed here' },
  async () => {
    const err = await codedError(() => addon.probe());
    assert.equal(err.code, 'E_NO_DRIVER');
    for (const dir of ['/usr/local/nvidia/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64', '/lib'])
      assert.ok(err.message.includes(`${dir}/libcuda.so.1`), `message names ${dir}: ${err.message}`);
    assert.match(err.message, /loader search path/);
    assert.match(err.message, /fp8lab\.driver\.libcudaPath/);
  },
);

test(
  'probe({ libcudaPath }) tries the configured path first',
  { skip: driverPresent && 'a CUDA driver is installed here' },
  async () => {
    const dir = fs.mkdtempSync('/tmp/fp8lab-nodriver-');
    fs.writeFileSync(`${dir}/libcuda.so.1`, 'not an ELF file');
    const err = await codedError(() => addon.probe({ libcudaPath: dir }));
    assert.equal(err.code, 'E_NO_DRIVER');
    const first = err.message.indexOf(`${dir}/libcuda.so.1`);
    assert.ok(first > 0 && first < err.message.indexOf('loader search path'), err.message);
    fs.rmSync(dir, { recursive: true });
  },
);

test(
  'init() without a driver throws E_NO_DRIVER',
  { skip: driverPresent && 'a CUDA driver is installed here' },
  async () => {
    assert.equal((await codedError(() => addon.init())).code, 'E_NO_DRIVER');
  },
);

test(
  'probe() on a GPU machine lists devices with every DeviceInfo field',
  { skip: !driverPresent && 'no CUDA driver here' },
  () => {
    const r = addon.probe();
    assert.ok(r.driverVersion >= 12030);
    assert.ok(r.libcudaPath.includes('libcuda'));
    for (const d of r.devices) {
      assert.equal(d.computeCapability.length, 2);
      for (const key of [
        'smCount',
        'totalMemoryBytes',
        'l2CacheBytes',
        'maxSharedMemoryPerBlockOptin',
        'clockRateKHz',
        'memoryClockRateKHz',
        'memoryBusWidthBits',
      ] as const)
        assert.ok(d[key] > 0, key);
      assert.match(d.pciBusId, /^[0-9a-fA-F]+:[0-9a-fA-F]+:[0-9a-fA-F]+\.[0-9a-fA-F]$/);
    }
  },
);

test(
  'device calls before init() fail with E_NOT_INITIALIZED',
  { skip: driverPresent && 'the GPU tests cover an initialised device' },
  async () => {
    const calls: Array<[string, () => unknown]> = [
      ['alloc', () => addon.alloc(1024)],
      ['loadKernel', () => addon.loadKernel('/nonexistent.cubin', 'k')],
      ['synchronize', () => addon.synchronize(100)],
      ['createGemmLaunch', () => addon.createGemmLaunch({} as never)],
      ['createCublasLtLaunch', () => addon.createCublasLtLaunch({ m: 1, n: 8, k: 128 } as never)],
      ['timeGraphs', () => addon.timeGraphs([[]] as never, { callsPerGraph: 1, warmupReplays: 0, rounds: 1 })],
    ];
    for (const [name, call] of calls) {
      const err = await codedError(call);
      // timeGraphs validates its arguments first: an empty rotation is E_BAD_ARGUMENT.
      const expected = name === 'timeGraphs' ? 'E_BAD_ARGUMENT' : 'E_NOT_INITIALIZED';
      assert.equal(err.code, expected, `${name}: ${err.message}`);
    }
    assert.match((await codedError(() => addon.alloc(1))).message, /init\(\)/);
  },
);

test('buffer helpers reject what is not a DeviceBuffer before touching the device', async () => {
  const err = await codedError(() => addon.upload({ bytes: 4, ptr: 0n, dispose() {} }, new Uint8Array(4)));
  assert.equal(err.code, 'E_BAD_ARGUMENT');
  assert.match(err.message, /DeviceBuffer from alloc\(\)/);
});

test('cublasLtInfo() names the places it looked when cuBLASLt is missing or too old', async (t) => {
  let info;
  try {
    info = addon.cublasLtInfo({ cudaHome: '/nonexistent-cuda-home' });
  } catch (e) {
    const err = e as { code?: string; message: string };
    assert.equal(err.code, 'E_NO_CUBLASLT');
    assert.match(err.message, /\/nonexistent-cuda-home\/lib64\/libcublasLt\.so\.13/);
    assert.match(err.message, /libcublasLt\.so\.12/);
    return;
  }
  t.diagnostic(`cuBLASLt found: ${info.path} ${info.version}`);
  assert.ok(info.version >= 120900);
});
