// createMqaLaunch against the recording libcuda double (recordingDriver.ts): the tensor maps it
// encodes for the plain and the paged MQA-logits kernels (dims, strides, boxes, swizzles per
// kernels/include/fp8lab/mqa_args.h), the pair of launches one run() enqueues (plain: main + clean;
// paged: schedule metadata + main) and their shapes, and the coded rejections of what the kernels
// cannot take. Own process: a process loads one driver for good. The kernels themselves run in
// test/gpu/mqa-pass.sh on the H100.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Kernel, MqaLaunchSpec } from '../../../native/index';
import { codedError, loadAddon } from './loadAddon';
import { buildRecordingDriver, readDriverLog, type DriverCall } from './recordingDriver';

const addon = loadAddon();
let work = '';
let logFile = '';
let cubin = '';
const noCc = !fs.existsSync('/usr/bin/cc') && 'no C compiler to build the driver double';

function drain(): DriverCall[] {
  const calls = readDriverLog(logFile);
  fs.rmSync(logFile, { force: true });
  return calls;
}
const named = (calls: DriverCall[], name: string) => calls.filter((c) => c.call === name);

before(() => {
  if (noCc) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-mqa-launch-'));
  logFile = path.join(work, 'driver.log');
  process.env.FP8LAB_TEST_DRIVER_LOG = logFile;
  process.env.FP8LAB_TEST_DRIVER_MODE = '';
  buildRecordingDriver(path.join(work, 'driver'));
  cubin = path.join(work, 'kernel.cubin');
  fs.writeFileSync(cubin, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60)]));
  addon.init({ ordinal: 0, libcudaPath: path.join(work, 'driver') });
});
after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function plainSpec(
  kernel: Kernel,
  helper: Kernel,
  seqQ: number,
  seqKv: number,
  heads: number,
  dim: number,
  over: Partial<MqaLaunchSpec> = {},
): MqaLaunchSpec {
  const stride = Math.ceil(seqKv / 4) * 4;
  return {
    kernel,
    helper,
    kind: 'mqa-logits',
    heads,
    dim,
    numMathWarpgroups: 4,
    numSms: 132,
    sharedBytes: 152_160,
    strideLogits: stride,
    seqQ,
    seqKv,
    q: addon.alloc(seqQ * heads * dim),
    kv: addon.alloc(seqKv * dim),
    kvScales: addon.alloc(seqKv * 4),
    weights: addon.alloc(seqQ * heads * 4),
    ks: addon.alloc(seqQ * 4),
    ke: addon.alloc(seqQ * 4),
    logits: addon.alloc(seqQ * stride * 4),
    pdl: true,
    ...over,
  };
}

function pagedSpec(
  kernel: Kernel,
  helper: Kernel,
  batch: number,
  nextN: number,
  heads: number,
  dim: number,
  blocks: number,
  tableStride: number,
  over: Partial<MqaLaunchSpec> = {},
): MqaLaunchSpec {
  const rows = batch * nextN;
  return {
    kernel,
    helper,
    kind: 'paged-mqa-logits',
    heads,
    dim,
    nextN,
    numMathWarpgroups: 4,
    numSms: 132,
    sharedBytes: 152_304,
    strideLogits: tableStride * 64,
    batch,
    q: addon.alloc(rows * heads * dim),
    weights: addon.alloc(rows * heads * 4),
    kvCache: addon.alloc(blocks * 64 * (dim + 4)),
    numKvBlocks: blocks,
    contextLens: addon.alloc(rows * 4),
    blockTable: addon.alloc(batch * tableStride * 4),
    blockTableStride: tableStride,
    schedule: addon.alloc(133 * 8),
    logits: addon.alloc(rows * tableStride * 64 * 4),
    ...over,
  };
}

test(
  'plain: Q [seq_q x heads, dim] in boxes of 128 rows, KV by 256 keys, one row of scales, weights; main then clean',
  { skip: noCc },
  () => {
    const spec = plainSpec(
      addon.loadKernel(cubin, 'mqa_plain'),
      addon.loadKernel(cubin, 'mqa_clean'),
      1000,
      4097,
      64,
      128,
    );
    drain();
    const launch = addon.createMqaLaunch(spec);
    launch.run();
    const calls = drain();
    const [q, kv, scales, w] = named(calls, 'cuTensorMapEncodeTiled');
    assert.deepEqual(
      [q.dtype, q.rank, q.addr, q.dims, q.strides, q.box, q.swizzle],
      [0, 2, Number(spec.q.ptr), [128, 64000], [128], [128, 128], 3],
    );
    assert.deepEqual([kv.dims, kv.strides, kv.box, kv.swizzle], [[128, 4097], [128], [128, 256], 3]);
    // 4097 scales: a 16-byte multiple row stride (never stepped: one row).
    assert.deepEqual(
      [scales.dtype, scales.dims, scales.strides, scales.box, scales.swizzle],
      [7, [4097, 1], [16400], [256, 1], 0],
    );
    assert.deepEqual([w.dtype, w.dims, w.strides, w.box], [7, [64, 1000], [256], [64, 2]]);
    const [main, clean] = named(calls, 'cuLaunchKernelEx');
    assert.deepEqual([main.kernel, main.grid, main.block, main.smem], ['mqa_plain', [132, 1, 1], [640, 1, 1], 152_160]);
    assert.deepEqual([clean.kernel, clean.grid, clean.block, clean.smem], ['mqa_clean', [132, 1, 1], [256, 1, 1], 0]);
    assert.deepEqual(
      named(calls, 'cuFuncSetAttribute').map((c) => c.value),
      [152_160],
      'the limit is raised once, at creation',
    );

    // 32 heads x dim 64: 4 queries per block, 64-byte swizzle.
    addon.createMqaLaunch(plainSpec(spec.kernel, spec.helper, 9, 100, 32, 64, { sharedBytes: 78_432 }));
    const [q2, kv2, , w2] = named(drain(), 'cuTensorMapEncodeTiled');
    assert.deepEqual(
      [q2.dims, q2.box, q2.swizzle, kv2.box, kv2.swizzle, w2.box],
      [[64, 288], [64, 128], 2, [64, 256], 2, [32, 4]],
    );
    launch.dispose();
  },
);

test(
  "paged: the cache as {dim, 64, pages} with the page stride, scales after each page's values; metadata then main",
  { skip: noCc },
  () => {
    const spec = pagedSpec(
      addon.loadKernel(cubin, 'mqa_paged'),
      addon.loadKernel(cubin, 'args6'),
      256,
      2,
      64,
      128,
      5000,
      166,
    );
    drain();
    addon.createMqaLaunch(spec).run();
    const calls = drain();
    const [q, kv, scales, w] = named(calls, 'cuTensorMapEncodeTiled');
    assert.deepEqual([q.dims, q.box, q.swizzle], [[128, 256 * 2 * 64], [128, 128], 3]);
    assert.deepEqual(
      [kv.rank, kv.addr, kv.dims, kv.strides, kv.box, kv.swizzle],
      [3, Number(spec.kvCache!.ptr), [128, 64, 5000], [128, 64 * 132], [128, 64, 1], 3],
    );
    assert.deepEqual(
      [scales.dtype, scales.addr, scales.dims, scales.strides, scales.box],
      [7, Number(spec.kvCache!.ptr) + 64 * 128, [64, 5000], [64 * 132], [64, 1]],
    );
    assert.deepEqual(
      [w.dims, w.box],
      [
        [64, 512],
        [64, 2],
      ],
    );
    const [meta, main] = named(calls, 'cuLaunchKernelEx');
    assert.deepEqual([meta.kernel, meta.grid, meta.block, meta.smem], ['args6', [1, 1, 1], [1024, 1, 1], 256 * 4]);
    // (context_lens, batch, next_n, split_kv, num_sms, schedule): the double logs 8-byte slots, so each
    // 32-bit scalar shows with its neighbour in the high half (batch | next_n, split_kv | num_sms).
    const args = meta.args as number[];
    assert.equal(args[0], Number(spec.contextLens!.ptr));
    assert.equal(args[1], 256 + 2 * 2 ** 32);
    assert.equal(args[3], 256 + 132 * 2 ** 32);
    assert.equal(args[5], Number(spec.schedule!.ptr));
    assert.deepEqual([main.kernel, main.grid, main.block, main.smem], ['mqa_paged', [132, 1, 1], [640, 1, 1], 152_304]);
  },
);

test('what the kernels cannot take is refused before launch, saying what would work', { skip: noCc }, async () => {
  const k = addon.loadKernel(cubin, 'mqa_plain');
  const h = addon.loadKernel(cubin, 'mqa_clean');
  const plain = async (over: Partial<MqaLaunchSpec>, dims: [number, number, number, number] = [64, 1024, 64, 128]) =>
    codedError(() => addon.createMqaLaunch(plainSpec(k, h, ...dims, over)));
  const heads = await plain({}, [64, 1024, 16, 128]);
  assert.equal(heads.code, 'E_BAD_ARGUMENT');
  assert.match(heads.message, /heads is 16; the MQA-logits kernels take 32 or 64 heads/);
  assert.match((await plain({}, [64, 1024, 64, 96])).message, /dim is 96; .* take dim 64 or 128/);
  assert.match(
    (await plain({ strideLogits: 1000 })).message,
    /strideLogits is 1000; the kernel writes every key < seq_kv = 1024/,
  );
  assert.match(
    (await plain({ kv: addon.alloc(1024 * 64) })).message,
    /kv holds 65536 bytes; kv \[seq_kv, dim\] e4m3 needs 131072/,
  );
  assert.match((await plain({ ke: undefined })).message, /ke is required/);
  assert.match((await plain({ kind: 'decode' as never })).message, /kind must be 'mqa-logits' or 'paged-mqa-logits'/);
  assert.match((await plain({ numMathWarpgroups: 3 })).message, /1, 2 or 4/);
  const smem = await plain({ sharedBytes: 240_000 });
  assert.equal(smem.code, 'E_SMEM_OVERFLOW');

  const pk = addon.loadKernel(cubin, 'mqa_paged');
  const pm = addon.loadKernel(cubin, 'args6');
  const nextN = await codedError(() => addon.createMqaLaunch(pagedSpec(pk, pm, 4, 3, 64, 128, 16, 4)));
  assert.match(nextN.message, /next_n x heads = 192 is over 128 .*with 64 heads next_n may be 1\.\.2/);
  const stride = await codedError(() =>
    addon.createMqaLaunch(pagedSpec(pk, pm, 4, 1, 64, 128, 16, 4, { strideLogits: 200 })),
  );
  assert.match(stride.message, /blockTableStride = 4 pages of 64 keys, so rows need at least 256 elements/);
  const cache = await codedError(() =>
    addon.createMqaLaunch(pagedSpec(pk, pm, 4, 1, 64, 128, 16, 4, { kvCache: addon.alloc(1000) })),
  );
  assert.match(cache.message, /kvCache holds 1000 bytes; kv_cache \[num_blocks, 64, 1, dim \+ 4\] uint8 needs 135168/);
  const batch = await codedError(() =>
    addon.createMqaLaunch(pagedSpec(pk, pm, 60_000, 1, 32, 64, 16, 1, { sharedBytes: 60_000 })),
  );
  assert.equal(batch.code, 'E_SMEM_OVERFLOW');
  assert.match(batch.message, /one prefix sum per request \(240000 bytes for batch 60000\).*split the batch/);
});
