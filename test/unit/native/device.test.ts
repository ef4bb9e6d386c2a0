// The addon's device paths against the recording libcuda double (recordingDriver.ts): what init,
// buffers, launch, createGemmLaunch and timeGraphs ask of the driver, and how stream timeouts and
// kernel faults surface. Runs in its own process (node --test isolates files), since a process
// loads one driver for good. The real driver is exercised by the GPU suite on the H100.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { DeviceBuffer, GemmLaunchSpec, Kernel } from '../../../native/index';
import { codedError, loadAddon } from './loadAddon';
import { buildRecordingDriver, readDriverLog, type DriverCall } from './recordingDriver';

const addon = loadAddon();
let work = '';
let logFile = '';
let cubin = '';
const noCc = !fs.existsSync('/usr/bin/cc') && 'no C compiler to build the driver double';

/** Calls logged since the last drain. */
function drain(): DriverCall[] {
  const calls = readDriverLog(logFile);
  fs.rmSync(logFile, { force: true });
  return calls;
}
const named = (calls: DriverCall[], name: string) => calls.filter((c) => c.call === name);
/** The code a synchronous call throws, or undefined. */
function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

before(() => {
  if (noCc) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-device-'));
  logFile = path.join(work, 'driver.log');
  process.env.FP8LAB_TEST_DRIVER_LOG = logFile;
  process.env.FP8LAB_TEST_DRIVER_MODE = '';
  buildRecordingDriver(path.join(work, 'driver'));
  // The double checks only the ELF magic of a module image.
  cubin = path.join(work, 'kernel.cubin');
  fs.writeFileSync(cubin, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60)]));
});
after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test(
  'init() loads the configured driver, asks for the CUDA 12.3 ABI and creates a non-blocking stream',
  { skip: noCc },
  () => {
    const info = addon.init({ ordinal: 0, libcudaPath: path.join(work, 'driver') });
    assert.equal(info.name, 'Recording H100');
    assert.deepEqual(info.computeCapability, [9, 0]);
    assert.equal(info.smCount, 132);
    assert.equal(info.maxSharedMemoryPerBlockOptin, 232448);
    assert.equal(info.pciBusId, '0000:19:00.0');
    const calls = drain();
    const requested = named(calls, 'cuGetProcAddress');
    assert.ok(requested.length >= 30);
    assert.ok(requested.every((c) => c.version === 12030));
    for (const sym of [
      'cuLaunchKernelEx',
      'cuTensorMapEncodeTiled',
      'cuStreamBeginCapture',
      'cuGraphInstantiateWithFlags',
      'cuMemAlloc',
    ])
      assert.ok(
        requested.some((c) => c.symbol === sym),
        sym,
      );
    assert.deepEqual(
      named(calls, 'cuStreamCreate').map((c) => c.flags),
      [1],
    );

    const probe = addon.probe();
    assert.equal(probe.driverVersion, 13000);
    assert.ok(probe.libcudaPath.endsWith('libcuda.so.1'));
    assert.equal(probe.devices.length, 1);
    assert.equal(
      thrownCode(() => addon.init({ ordinal: 1 })),
      'E_BAD_ARGUMENT',
    );
  },
);

test('buffers round-trip bytes with offsets, fill32 fills words, dispose zeroes ptr', { skip: noCc }, async () => {
  const buf = addon.alloc(64);
  assert.equal(buf.bytes, 64);
  assert.ok(buf.ptr > 0n);
  addon.upload(buf, new Uint8Array(64).fill(0));
  addon.upload(buf, new Uint32Array([1, 2, 3]), 8);
  assert.deepEqual([...new Uint32Array(addon.download(buf, 20))], [0, 0, 1, 2, 3]);
  assert.deepEqual([...new Uint32Array(addon.download(buf, 8, 12))], [2, 3]);
  addon.fill32(buf, 0xffffffff, 16);
  assert.deepEqual(
    [...new Uint32Array(addon.download(buf, 24))],
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 3, 0],
  );
  assert.deepEqual(
    named(drain(), 'cuMemsetD32Async').map((c) => c.words),
    [4],
  );

  assert.match(
    (await codedError(() => addon.upload(buf, new Uint8Array(8), 60))).message,
    /exceed the buffer's 64 bytes/,
  );
  assert.equal((await codedError(() => addon.download(buf, 65))).code, 'E_BAD_ARGUMENT');
  assert.match((await codedError(() => addon.fill32(buf, 1, 6))).message, /multiple of 4/);
  assert.equal((await codedError(() => addon.fill32(buf, -1))).code, 'E_BAD_ARGUMENT');
  buf.dispose();
  assert.equal(buf.ptr, 0n);
  const used = await codedError(() => addon.download(buf));
  assert.equal(used.code, 'E_BAD_ARGUMENT');
  assert.match(used.message, /disposed/);
  assert.equal((await codedError(() => addon.alloc(0))).code, 'E_BAD_ARGUMENT');
});

test('loadKernel loads once per path and name and reports the function attributes', { skip: noCc }, async () => {
  const k = addon.loadKernel(cubin, 'args5');
  assert.equal(k.name, 'args5');
  assert.equal(k.cubinPath, cubin);
  assert.equal(k.attributes.numRegs, 168);
  assert.equal(k.attributes.maxThreadsPerBlock, 384);
  assert.deepEqual(addon.loadKernel(cubin, 'args5').attributes, k.attributes);
  const missing = await codedError(() => addon.loadKernel(cubin, 'missing_kernel'));
  assert.equal(missing.code, 'E_BAD_ARGUMENT');
  assert.match(missing.message, /extern "C"/);
  assert.equal((await codedError(() => addon.loadKernel(path.join(work, 'nope.cubin'), 'k'))).code, 'E_BAD_ARGUMENT');
  const forged = await codedError(() =>
    addon.launch(
      { name: 'other', cubinPath: cubin, attributes: k.attributes },
      { grid: [1, 1, 1], block: [1, 1, 1] },
      [],
    ),
  );
  assert.match(forged.message, /not loaded/);
});

test(
  'launch marshals every argument kind and sets cluster, PDL and the shared-memory limit',
  { skip: noCc },
  async () => {
    const k = addon.loadKernel(cubin, 'args5');
    const buf = addon.alloc(256);
    drain();
    addon.launch(k, { grid: [4, 2, 1], block: [128, 1, 1], cluster: [2, 1, 1], sharedBytes: 100_000, pdl: true }, [
      { ptr: buf },
      { u32: 7 },
      { i32: -1 },
      { f32: 1.5 },
      { u64: 2n ** 40n },
    ]);
    addon.launch(k, { grid: [1, 1, 1], block: [32, 1, 1] }, [
      { ptr: 4096n },
      { u32: 0 },
      { i32: 5 },
      { f32: 0 },
      { u64: 0n },
    ]);
    const calls = drain();
    assert.deepEqual(
      named(calls, 'cuFuncSetAttribute').map((c) => [c.attr, c.value]),
      [[8, 100_000]],
    );
    const [first, second] = named(calls, 'cuLaunchKernelEx');
    assert.deepEqual(first.grid, [4, 2, 1]);
    assert.deepEqual(first.block, [128, 1, 1]);
    assert.equal(first.smem, 100_000);
    assert.deepEqual(first.attrs, [
      { id: 4, cluster: [2, 1, 1] },
      { id: 6, value: 1 },
    ]);
    const f32 = new Uint32Array(new Float32Array([1.5]).buffer)[0];
    assert.deepEqual(first.args, [Number(buf.ptr), 7, 0xffffffff, f32, 2 ** 40]);
    assert.deepEqual(second.attrs, [], 'a plain launch is not a cluster launch');
    assert.deepEqual(second.args, [4096, 0, 5, 0, 0]);

    assert.match(
      (await codedError(() => addon.launch(k, { grid: [1, 1, 1], block: [1, 1, 1] }, [{ u32: -1 }]))).message,
      /u32/,
    );
    assert.match(
      (await codedError(() => addon.launch(k, { grid: [1, 1], block: [1, 1, 1] } as never, []))).message,
      /\[x, y, z\]/,
    );
    assert.match(
      (await codedError(() => addon.launch(k, { grid: [1, 1, 1], block: [1, 1, 1] }, [{ weird: 1 } as never]))).message,
      /one of/,
    );
    assert.equal(
      (await codedError(() => addon.launch(k, { grid: [1, 1, 1], block: [1, 1, 1], sharedBytes: 300_000 }, []))).code,
      'E_SMEM_OVERFLOW',
    );
    buf.dispose();
  },
);

interface Buffers {
  a: DeviceBuffer;
  b: DeviceBuffer;
  sfa: DeviceBuffer;
  sfb: DeviceBuffer;
  d: DeviceBuffer;
}
function gemmBuffers(m: number, n: number, k: number, groups = 1): Buffers {
  const kb = Math.ceil(k / 128);
  return {
    a: addon.alloc(m * k),
    b: addon.alloc(groups * n * k),
    sfa: addon.alloc(kb * Math.ceil(m / 4) * 4 * 4),
    sfb: addon.alloc(groups * Math.ceil(n / 128) * kb * 4),
    d: addon.alloc(m * n * 2),
  };
}
function gemmSpec(kernel: Kernel, bufs: Buffers, over: Partial<GemmLaunchSpec> = {}): GemmLaunchSpec {
  return {
    kernel,
    kind: 'normal',
    m: 1000,
    n: 576,
    k: 7168,
    numGroups: 1,
    blockM: 128,
    blockN: 112,
    blockK: 128,
    numStages: 5,
    numMathWarpgroups: 2,
    clusterM: 2,
    clusterN: 1,
    swizzleA: 128,
    swizzleB: 128,
    swizzleD: 0,
    numSms: 132,
    sharedBytes: 200_000,
    ...bufs,
    pdl: true,
    ...over,
  };
}

test('createGemmLaunch encodes the four tensor maps and launches per gemm_args.h', { skip: noCc }, () => {
  const kernel = addon.loadKernel(cubin, 'gemm_normal');
  const bufs = gemmBuffers(1000, 576, 7168);
  drain();
  const launch = addon.createGemmLaunch(gemmSpec(kernel, bufs));
  assert.equal(launch.spec.m, 1000);
  assert.equal(launch.spec.kind, 'normal');
  assert.ok(Object.isFrozen(launch.spec));
  launch.run();
  const calls = drain();
  const [a, b, sfa, d] = named(calls, 'cuTensorMapEncodeTiled');
  assert.deepEqual(a, {
    call: 'cuTensorMapEncodeTiled',
    dtype: 0,
    rank: 2,
    addr: Number(bufs.a.ptr),
    dims: [7168, 1000],
    strides: [7168],
    box: [128, 128],
    elementStrides: [1, 1],
    interleave: 0,
    swizzle: 3,
    l2: 3,
    oob: 0,
  });
  assert.deepEqual([b.dims, b.strides, b.box, b.swizzle], [[7168, 576], [7168], [128, 112], 3]);
  assert.deepEqual([sfa.dtype, sfa.dims, sfa.strides, sfa.box, sfa.swizzle], [7, [1000, 56], [4000], [128, 1], 0]);
  assert.deepEqual([d.dtype, d.rank, d.dims, d.strides, d.box, d.swizzle], [9, 2, [576, 1000], [1152], [112, 128], 0]);
  assert.deepEqual(
    named(calls, 'cuFuncSetAttribute').map((c) => c.value),
    [200_000],
    'the limit is raised at creation',
  );
  const [run] = named(calls, 'cuLaunchKernelEx');
  assert.deepEqual([run.grid, run.block, run.smem], [[132, 1, 1], [384, 1, 1], 200_000]);
  assert.deepEqual(run.attrs, [
    { id: 4, cluster: [2, 1, 1] },
    { id: 6, value: 1 },
  ]);
  assert.deepEqual(run.gemm, {
    mapInner: [7168, 7168, 1000, 576, 0],
    sfb: Number(bufs.sfb.ptr),
    layout: 0,
    m: 1000,
    n: 576,
    k: 7168,
    groups: 1,
    sfaStride: 1000,
    trace: 0,
    traceCapacity: 0,
  });

  // A swizzled D is stored in swizzleD-byte column slabs spanning all BLOCK_M rows.
  addon.createGemmLaunch(gemmSpec(kernel, bufs, { swizzleD: 64, m: 7, sfa: addon.alloc(56 * 8 * 4) }));
  const dSwizzled = named(drain(), 'cuTensorMapEncodeTiled')[3];
  assert.deepEqual([dSwizzled.box, dSwizzled.swizzle, dSwizzled.dims], [[32, 128], 2, [576, 7]]);

  launch.dispose();
  assert.equal(
    thrownCode(() => launch.run()),
    'E_BAD_ARGUMENT',
  );
});

test(
  'an instrumented launch passes the trace buffer and its capacity, sized per trace.cuh',
  { skip: noCc },
  async () => {
    const kernel = addon.loadKernel(cubin, 'gemm_traced');
    const bufs = gemmBuffers(1000, 576, 7168);
    const bytes = 132 * 3 * (32 + 16 * 64);
    const trace = addon.alloc(bytes);
    drain();
    const launch = addon.createGemmLaunch(gemmSpec(kernel, bufs, { trace, traceCapacity: 64 }));
    assert.equal(launch.spec.traceCapacity, 64);
    launch.run();
    const gemm = named(drain(), 'cuLaunchKernelEx')[0].gemm as Record<string, number>;
    assert.deepEqual([gemm.trace, gemm.traceCapacity], [Number(trace.ptr), 64]);
    const small = await codedError(() =>
      addon.createGemmLaunch(gemmSpec(kernel, bufs, { trace: addon.alloc(bytes - 16), traceCapacity: 64 })),
    );
    assert.match(small.message, new RegExp(`buffer trace has ${bytes - 16} bytes; this GEMM needs ${bytes}`));
    assert.match(
      (await codedError(() => addon.createGemmLaunch(gemmSpec(kernel, bufs, { trace })))).message,
      /traceCapacity is required/,
    );
  },
);

test(
  'createGemmLaunch rejects what the kernel or the device cannot do, with the rule broken',
  { skip: noCc },
  async () => {
    const kernel = addon.loadKernel(cubin, 'gemm_normal');
    const bufs = gemmBuffers(1000, 576, 7168);
    const err = async (over: Partial<GemmLaunchSpec>) =>
      codedError(() => addon.createGemmLaunch(gemmSpec(kernel, bufs, over)));
    const k = await err({ k: 7000 });
    assert.equal(k.code, 'E_SHAPE_ALIGNMENT');
    assert.match(k.message, /multiple of 128.*pad K to 7040/);
    assert.equal((await err({ n: 570 })).code, 'E_SHAPE_ALIGNMENT');
    const smem = await err({ sharedBytes: 240_000 });
    assert.equal(smem.code, 'E_SMEM_OVERFLOW');
    assert.match(smem.message, /232448/);
    const small = await err({ sfa: addon.alloc(1024) });
    assert.equal(small.code, 'E_BAD_ARGUMENT');
    assert.match(small.message, /buffer sfa has 1024 bytes; this GEMM needs 224000/);
    assert.match(
      (await err({ kind: 'masked' })).message,
      /groupedLayout is required for kind 'masked' \(int32 masked_m per group\)/,
    );
    assert.match((await err({ psumLayout: true })).message, /psumLayout applies to kind 'contiguous' only/);
    assert.match((await err({ flags: addon.alloc(16) })).message, /only written by the M-grouped kinds/);
    // The spec's 2 x 1 cluster pairs M-blocks: 640 rows are 5 blocks of 128, which cannot pair.
    const pairs = await err({ kind: 'wgrad', m: 640 });
    assert.equal(pairs.code, 'E_INVALID_CONFIG');
    assert.match(pairs.message, /pairs the M-blocks of a tile row, but M = 640 makes 5 blocks of 128 \(odd\)/);
    assert.match((await err({ c: addon.alloc(1000 * 576 * 4) })).message, /only read by the 1D1D kinds/);
    assert.match((await err({ clusterM: 2, clusterN: 2 })).message, /at most 2/);
    assert.match((await err({ numSms: 131 })).message, /multiple of the cluster size 2/);
    assert.match((await err({ numSms: 133 })).message, /exceeds the device's 132 SMs/);
    assert.match((await err({ swizzleD: 48 })).message, /0, 32, 64 or 128/);
    assert.match((await err({ blockK: 64 })).message, /blockK must be 128/);
    assert.match((await err({ numGroups: 2 })).message, /numGroups must be 1/);
    const disposed = addon.alloc(16);
    disposed.dispose();
    assert.match((await err({ d: disposed })).message, /GemmLaunchSpec\.d was disposed/);
    assert.match(
      (
        await err({
          kind: 'contiguous',
          numGroups: 2,
          b: addon.alloc(2 * 576 * 7168),
          sfb: addon.alloc(2 * 5 * 56 * 4),
        })
      ).message,
      /groupedLayout is required/,
    );
  },
);

test('a contiguous grouped launch maps B as [G*N, K] and passes the grouped layout', { skip: noCc }, () => {
  const kernel = addon.loadKernel(cubin, 'gemm_contiguous');
  const bufs = gemmBuffers(1024, 576, 1024, 4);
  const layout = addon.alloc(1024 * 4);
  drain();
  addon
    .createGemmLaunch(
      gemmSpec(kernel, bufs, { kind: 'contiguous', m: 1024, k: 1024, numGroups: 4, groupedLayout: layout }),
    )
    .run();
  const calls = drain();
  assert.deepEqual(named(calls, 'cuTensorMapEncodeTiled')[1].dims, [1024, 4 * 576]);
  const run = named(calls, 'cuLaunchKernelEx')[0].gemm as Record<string, number>;
  assert.equal(run.layout, Number(layout.ptr));
  assert.equal(run.groups, 4);
});

test('a masked launch maps A and D as [G*Mmax, *], B as [G*N, K], and passes masked_m', { skip: noCc }, async () => {
  const kernel = addon.loadKernel(cubin, 'gemm_masked');
  const [g, mMax, n, k] = [3, 256, 576, 1024];
  const bufs = gemmBuffers(g * mMax, n, k, g);
  const maskedM = addon.alloc(g * 4);
  const flags = addon.alloc(16);
  drain();
  addon
    .createGemmLaunch(
      gemmSpec(kernel, bufs, { kind: 'masked', m: mMax, k, numGroups: g, groupedLayout: maskedM, flags }),
    )
    .run();
  const calls = drain();
  const maps = named(calls, 'cuTensorMapEncodeTiled');
  assert.deepEqual(maps[0].dims, [k, g * mMax]);
  assert.deepEqual(maps[1].dims, [k, g * n]);
  assert.deepEqual(maps[3].dims, [n, g * mMax]);
  const run = named(calls, 'cuLaunchKernelEx')[0].gemm as Record<string, number>;
  assert.deepEqual([run.layout, run.groups, run.m, run.sfaStride], [Number(maskedM.ptr), g, mMax, g * mMax]);
  // masked_m[G] needs G int32.
  const short = await codedError(() =>
    addon.createGemmLaunch(
      gemmSpec(kernel, bufs, { kind: 'masked', m: mMax, k, numGroups: g, groupedLayout: addon.alloc(8) }),
    ),
  );
  assert.match(short.message, /buffer groupedLayout has 8 bytes; this GEMM needs 12/);
});

test(
  'wgrad maps SFB per 1x128 and D as fp32 {N, M, 1}; C distinct from D is copied into D first',
  { skip: noCc },
  () => {
    const kernel = addon.loadKernel(cubin, 'gemm_wgrad');
    const [m, n, k] = [1536, 7168, 4096];
    const bufs = {
      a: addon.alloc(m * k),
      b: addon.alloc(n * k),
      sfa: addon.alloc(32 * m * 4),
      sfb: addon.alloc(32 * n * 4),
      d: addon.alloc(m * n * 4),
    };
    const c = addon.alloc(m * n * 4);
    drain();
    addon
      .createGemmLaunch(gemmSpec(kernel, bufs, { kind: 'wgrad', m, n, k, clusterM: 1, blockN: 128, swizzleD: 128, c }))
      .run();
    const calls = drain();
    const maps = named(calls, 'cuTensorMapEncodeTiled');
    assert.equal(maps.length, 5);
    const [, , , sfb, d] = maps;
    assert.deepEqual(
      [sfb.dtype, sfb.dims, sfb.strides, sfb.box, sfb.swizzle],
      [7, [7168, 32], [7168 * 4], [128, 1], 0],
    );
    assert.deepEqual(
      [d.dtype, d.rank, d.dims, d.strides, d.box, d.swizzle],
      [7, 3, [7168, 1536, 1], [7168 * 4, 1536 * 7168 * 4], [32, 128, 1], 3],
    );
    const order = calls
      .filter((x) => x.call === 'cuMemcpyDtoDAsync' || x.call === 'cuLaunchKernelEx')
      .map((x) => x.call);
    assert.deepEqual(order, ['cuMemcpyDtoDAsync', 'cuLaunchKernelEx']);
    assert.deepEqual(named(calls, 'cuMemcpyDtoDAsync')[0], {
      call: 'cuMemcpyDtoDAsync',
      dst: Number(bufs.d.ptr),
      src: Number(c.ptr),
      bytes: m * n * 4,
    });
    // D aliasing C: nothing to copy.
    addon
      .createGemmLaunch(gemmSpec(kernel, bufs, { kind: 'wgrad', m, n, k, clusterM: 1, blockN: 128, c: bufs.d }))
      .run();
    assert.equal(named(drain(), 'cuMemcpyDtoDAsync').length, 0);
  },
);

test('kgrouped maps D as G planes and passes K per group', { skip: noCc }, async () => {
  const kernel = addon.loadKernel(cubin, 'gemm_kgrouped');
  const [m, n, k, g] = [256, 512, 4 * 1024, 4];
  const bufs = {
    a: addon.alloc(m * k),
    b: addon.alloc(n * k),
    sfa: addon.alloc(32 * m * 4),
    sfb: addon.alloc(32 * n * 4),
    d: addon.alloc(g * m * n * 4),
  };
  const kPerGroup = addon.alloc(g * 4);
  drain();
  addon
    .createGemmLaunch(
      gemmSpec(kernel, bufs, {
        kind: 'kgrouped',
        m,
        n,
        k,
        numGroups: g,
        clusterM: 1,
        blockN: 128,
        groupedLayout: kPerGroup,
      }),
    )
    .run();
  const calls = drain();
  const maps = named(calls, 'cuTensorMapEncodeTiled');
  assert.deepEqual(maps[1].dims, [4096, 512], 'B keeps N rows: the groups are concatenated along K');
  assert.deepEqual(maps[4].dims, [512, 256, 4]);
  assert.deepEqual(maps[4].strides, [2048, 256 * 512 * 4]);
  const gemm = named(calls, 'cuLaunchKernelEx')[0].gemm as Record<string, number>;
  assert.deepEqual([gemm.layout, gemm.groups, gemm.k], [Number(kPerGroup.ptr), 4, 4096]);
  const small = await codedError(() =>
    addon.createGemmLaunch(
      gemmSpec(
        kernel,
        { ...bufs, d: addon.alloc(m * n * 4) },
        { kind: 'kgrouped', m, n, k, numGroups: g, clusterM: 1, blockN: 128, groupedLayout: kPerGroup },
      ),
    ),
  );
  assert.match(small.message, /buffer d has .* needs 2097152 \(fp32 \[4, 256, 512\]\)/);
  // A 2 x 1 cluster (B shared by multicast) is a cluster launch of whole pairs; 1 x 2 pairs the N-blocks.
  drain();
  const clustered = { kind: 'kgrouped' as const, m, n, k, numGroups: g, blockN: 128, groupedLayout: kPerGroup };
  addon.createGemmLaunch(gemmSpec(kernel, bufs, { ...clustered, clusterM: 2 })).run();
  const [run] = named(drain(), 'cuLaunchKernelEx');
  assert.deepEqual([run.grid, (run.attrs as unknown[])[0]], [[132, 1, 1], { id: 4, cluster: [2, 1, 1] }]);
  const oddN = await codedError(() =>
    addon.createGemmLaunch(gemmSpec(kernel, bufs, { ...clustered, n: 384, clusterM: 1, clusterN: 2 })),
  );
  assert.equal(oddN.code, 'E_INVALID_CONFIG');
  assert.match(oddN.message, /1 x 2 cluster .* pairs the N-blocks .* N = 384 makes 3 blocks of 128 \(odd\)/);
});

/** A BF16 launch of a 128-row, 2-warpgroup tile without clusters; the test supplies the rest. */
function bf16LaunchSpec(
  fields: Pick<
    GemmLaunchSpec,
    'kernel' | 'kind' | 'm' | 'n' | 'k' | 'numGroups' | 'blockN' | 'numStages' | 'sharedBytes' | 'a' | 'b' | 'd'
  > &
    Partial<GemmLaunchSpec>,
): GemmLaunchSpec {
  return {
    blockM: 128,
    blockK: 64,
    numMathWarpgroups: 2,
    clusterM: 1,
    clusterN: 1,
    swizzleA: 128,
    swizzleB: 128,
    swizzleD: 128,
    numSms: 132,
    pdl: true,
    ...fields,
  };
}

test(
  'bf16 maps A and B as bf16 boxes of 64 x rows and D as bf16 or fp32, reads no scales, copies C into fp32 D',
  { skip: noCc },
  async () => {
    const kernel = addon.loadKernel(cubin, 'gemm_bf16');
    const [m, n, k] = [1000, 576, 1000];
    const bufs = { a: addon.alloc(m * k * 2), b: addon.alloc(n * k * 2), d: addon.alloc(m * n * 4) };
    const spec = (over: Partial<GemmLaunchSpec> = {}): GemmLaunchSpec =>
      bf16LaunchSpec({
        kernel,
        kind: 'bf16',
        m,
        n,
        k,
        numGroups: 1,
        blockN: 64,
        numStages: 6,
        sharedBytes: 200_000,
        ...bufs,
        ...over,
      });
    drain();
    addon.createGemmLaunch(spec()).run();
    let calls = drain();
    let maps = named(calls, 'cuTensorMapEncodeTiled');
    assert.equal(maps.length, 3, 'A, B and D: no scale maps');
    assert.deepEqual(
      [maps[0].dtype, maps[0].dims, maps[0].strides, maps[0].box, maps[0].swizzle],
      [9, [1000, 1000], [2000], [64, 128], 3],
    );
    assert.deepEqual(
      [maps[1].dims, maps[1].box],
      [
        [1000, 576],
        [64, 64],
      ],
    );
    assert.deepEqual(
      [maps[2].dtype, maps[2].rank, maps[2].dims, maps[2].strides, maps[2].box],
      [9, 2, [576, 1000], [1152], [64, 128]],
    );
    assert.equal((named(calls, 'cuLaunchKernelEx')[0].gemm as Record<string, number>).k, 1000);

    const c = addon.alloc(m * n * 4);
    addon.createGemmLaunch(spec({ dType: 'fp32', c })).run();
    calls = drain();
    maps = named(calls, 'cuTensorMapEncodeTiled');
    assert.deepEqual([maps[2].dtype, maps[2].strides, maps[2].box], [7, [2304], [32, 128]]);
    assert.deepEqual(named(calls, 'cuMemcpyDtoDAsync')[0], {
      call: 'cuMemcpyDtoDAsync',
      dst: Number(bufs.d.ptr),
      src: Number(c.ptr),
      bytes: m * n * 4,
    });

    const err = async (over: Partial<GemmLaunchSpec>) => codedError(() => addon.createGemmLaunch(spec(over)));
    const kBad = await err({ k: 1004 });
    assert.equal(kBad.code, 'E_SHAPE_ALIGNMENT');
    assert.match(kBad.message, /not a multiple of 8.*pad K to 1008/);
    assert.match((await err({ n: 572 })).message, /N = 572 is not a multiple of 8/);
    assert.match((await err({ blockK: 128 })).message, /blockK must be 64 for kind 'bf16'/);
    assert.match((await err({ sfa: addon.alloc(64) })).message, /not read by kind 'bf16'/);
    assert.match((await err({ c })).message, /needs dType 'fp32'/);
    assert.match(
      (await err({ kind: 'normal', dType: 'fp32' } as Partial<GemmLaunchSpec>)).message,
      /dType applies to kind 'bf16' only/,
    );
    assert.match(
      (await err({ a: addon.alloc(m * k) })).message,
      /buffer a has 1000000 bytes; this GEMM needs 2000000 \(bf16 \[1000, 1000\]\)/,
    );
  },
);

test(
  'bf16-kgrouped maps A and B over ΣK_g, D as G fp32 planes reduce-added per group, copies C into D, refuses K % 64 and clusters',
  { skip: noCc },
  async () => {
    const kernel = addon.loadKernel(cubin, 'gemm_bf16');
    const [m, n, k, g] = [1000, 576, 3 * 64 + 1024, 3];
    const bufs = { a: addon.alloc(m * k * 2), b: addon.alloc(n * k * 2), d: addon.alloc(g * m * n * 4) };
    const kPerGroup = addon.alloc(g * 4);
    const spec = (over: Partial<GemmLaunchSpec> = {}): GemmLaunchSpec =>
      bf16LaunchSpec({
        kernel,
        kind: 'bf16-kgrouped',
        m,
        n,
        k,
        numGroups: g,
        blockN: 128,
        numStages: 5,
        sharedBytes: 229_456,
        ...bufs,
        groupedLayout: kPerGroup,
        ...over,
      });
    const c = addon.alloc(g * m * n * 4);
    drain();
    const launch = addon.createGemmLaunch(spec({ c }));
    assert.equal(launch.spec.dType, 'fp32', 'the K-grouped BF16 GEMM writes fp32 D');
    launch.run();
    const calls = drain();
    const maps = named(calls, 'cuTensorMapEncodeTiled');
    assert.equal(maps.length, 3, 'A, B and D: no scale maps');
    assert.deepEqual([maps[0].dtype, maps[0].dims, maps[0].box], [9, [k, m], [64, 128]], 'A [M, ΣK_g] bf16');
    assert.deepEqual(
      [maps[1].dims, maps[1].box],
      [
        [k, n],
        [64, 128],
      ],
      'B keeps N rows: the groups are concatenated along K',
    );
    assert.deepEqual(
      [maps[2].dtype, maps[2].rank, maps[2].dims, maps[2].strides, maps[2].box],
      [7, 3, [n, m, g], [n * 4, m * n * 4], [32, 128, 1]],
      'D fp32 {N, M, G}: one plane per group, rows past M clipped inside their plane',
    );
    assert.deepEqual(named(calls, 'cuMemcpyDtoDAsync')[0], {
      call: 'cuMemcpyDtoDAsync',
      dst: Number(bufs.d.ptr),
      src: Number(c.ptr),
      bytes: g * m * n * 4,
    });
    const gemm = named(calls, 'cuLaunchKernelEx')[0].gemm as Record<string, number>;
    assert.deepEqual([gemm.layout, gemm.groups, gemm.k], [Number(kPerGroup.ptr), g, k]);
    // D aliasing C (the timed, in-place form): nothing to copy.
    addon.createGemmLaunch(spec({ c: bufs.d })).run();
    assert.equal(named(drain(), 'cuMemcpyDtoDAsync').length, 0);

    const err = async (over: Partial<GemmLaunchSpec>) => codedError(() => addon.createGemmLaunch(spec(over)));
    const kBad = await err({ k: k + 8 });
    assert.equal(kBad.code, 'E_SHAPE_ALIGNMENT');
    assert.match(kBad.message, /not a multiple of 64: every K_g of kind 'bf16-kgrouped' must be a multiple of 64/);
    assert.match((await err({ clusterM: 2 })).message, /runs without clusters/);
    assert.match((await err({ dType: 'bf16' })).message, /dType must be 'fp32' for kind 'bf16-kgrouped'/);
    assert.match(
      (await err({ groupedLayout: undefined })).message,
      /groupedLayout is required for kind 'bf16-kgrouped' \(int32 K per group\)/,
    );
    assert.match((await err({ flags: addon.alloc(16) })).message, /flags is only written by the M-grouped kinds/);
    assert.match(
      (await err({ d: addon.alloc(m * n * 4) })).message,
      /buffer d has 2304000 bytes; this GEMM needs 6912000 \(fp32 \[3, 1000, 576\]\)/,
    );
    assert.match(
      (await err({ c: addon.alloc(m * n * 4) })).message,
      /buffer c has 2304000 bytes; this GEMM needs 6912000/,
    );
  },
);

test('timeGraphs captures one graph per entry and replays them interleaved', { skip: noCc }, async () => {
  const kernel = addon.loadKernel(cubin, 'gemm_normal');
  const rotation = [gemmBuffers(1000, 576, 7168), gemmBuffers(1000, 576, 7168)].map((b) =>
    addon.createGemmLaunch(gemmSpec(kernel, b)),
  );
  drain();
  const result = await addon.timeGraphs([rotation, [rotation[0]]], { callsPerGraph: 4, warmupReplays: 2, rounds: 3 });
  const calls = drain();
  assert.equal(result.perCallUs.length, 2);
  assert.ok(result.perCallUs.every((r) => r.length === 3));
  // The double reports 1 ms per replay; 4 calls per graph make 250 us per call.
  assert.ok(result.perCallUs.flat().every((us) => us === 250));
  assert.deepEqual(
    named(calls, 'cuStreamBeginCapture').map((c) => c.mode),
    [1, 1],
    'thread-local capture',
  );
  const firstCapture = calls.slice(
    calls.findIndex((c) => c.call === 'cuStreamBeginCapture'),
    calls.findIndex((c) => c.call === 'cuStreamEndCapture'),
  );
  assert.equal(named(firstCapture, 'cuLaunchKernelEx').length, 4);
  assert.equal(named(calls, 'cuGraphLaunch').length, 2 * 2 + 2 * 3);
  assert.equal(
    (await codedError(() => addon.timeGraphs([[]] as never, { callsPerGraph: 1, warmupReplays: 0, rounds: 1 }))).code,
    'E_BAD_ARGUMENT',
  );
  rotation[1].dispose();
  assert.match(
    (await codedError(() => addon.timeGraphs([rotation], { callsPerGraph: 1, warmupReplays: 0, rounds: 1 }))).message,
    /disposed/,
  );
});

test(
  'createCublasLtLaunch without cuBLASLt fails E_NO_CUBLASLT after validating the spec',
  { skip: noCc },
  async () => {
    const bufs = gemmBuffers(64, 576, 1024);
    const bad = await codedError(() => addon.createCublasLtLaunch({ m: 64, n: 576, k: 1000, ...bufs }));
    assert.equal(bad.code, 'E_SHAPE_ALIGNMENT');
    // The BF16 matmul: K % 8 (not 128), no scales, C only into fp32 D.
    const bf16 = {
      m: 64,
      n: 576,
      k: 1000,
      dataType: 'bf16' as const,
      a: addon.alloc(64 * 1000 * 2),
      b: addon.alloc(576 * 1000 * 2),
      d: addon.alloc(64 * 576 * 4),
    };
    assert.match(
      (await codedError(() => addon.createCublasLtLaunch({ ...bf16, k: 1004 }))).message,
      /K = 1004 is not a multiple of 8/,
    );
    assert.match(
      (await codedError(() => addon.createCublasLtLaunch({ ...bf16, sfa: bufs.sfa }))).message,
      /not read with dataType 'bf16'/,
    );
    assert.match(
      (await codedError(() => addon.createCublasLtLaunch({ ...bf16, c: bf16.d }))).message,
      /needs dataType 'bf16' with dType 'fp32'/,
    );
    assert.match(
      (await codedError(() => addon.createCublasLtLaunch({ ...bufs, m: 64, n: 576, k: 1024, dType: 'fp32' }))).message,
      /dType must be 'bf16' for FP8/,
    );
    let found = false;
    try {
      addon.cublasLtInfo();
      found = true;
    } catch {
      /* absent, as on this machine */
    }
    if (found) return;
    const err = await codedError(() =>
      addon.createCublasLtLaunch({ m: 64, n: 576, k: 1024, ...bufs }, { cudaHome: '/nonexistent' }),
    );
    assert.equal(err.code, 'E_NO_CUBLASLT');
    assert.equal(
      (
        await codedError(() =>
          addon.createCublasLtLaunch({ ...bf16, dType: 'fp32', c: bf16.d }, { cudaHome: '/nonexistent' }),
        )
      ).code,
      'E_NO_CUBLASLT',
    );
  },
);

test('synchronize resolves when the stream drains and times out when it does not', { skip: noCc }, async () => {
  await addon.synchronize(1000);
  await addon.synchronize();
  process.env.FP8LAB_TEST_DRIVER_MODE = 'busy';
  const started = Date.now();
  const err = await codedError(() => addon.synchronize(50));
  process.env.FP8LAB_TEST_DRIVER_MODE = '';
  assert.equal(err.code, 'E_TIMEOUT');
  assert.match(err.message, /50 ms/);
  assert.ok(Date.now() - started < 2000);
});

// Last: a fault loses the context for good.
test(
  'a kernel fault rejects E_KERNEL_FAULT with the CUresult name, and the context stays lost',
  { skip: noCc },
  async () => {
    process.env.FP8LAB_TEST_DRIVER_MODE = 'fault';
    const err = await codedError(() => addon.synchronize(1000));
    assert.equal(err.code, 'E_KERNEL_FAULT');
    assert.equal(err.cudaError, 'CUDA_ERROR_ILLEGAL_ADDRESS');
    process.env.FP8LAB_TEST_DRIVER_MODE = '';
    const after = await codedError(() => addon.alloc(16));
    assert.equal(after.code, 'E_KERNEL_FAULT');
    assert.match(after.message, /restart the runtime worker/);
    assert.equal((await codedError(() => addon.synchronize())).code, 'E_KERNEL_FAULT');
  },
);
