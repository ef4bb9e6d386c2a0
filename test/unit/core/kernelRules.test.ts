import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmConfig } from '../../../extension/protocol/worker';
import {
  accumulatorRegisters,
  completeConfig,
  configViolations,
  defaultSwizzleD,
  firstViolation,
  H100_SHARED_MEMORY_BYTES,
  maxStagesThatFit,
  overlapsKBlocks,
  overlapsTiles,
  registerSplit,
  ruleProblem,
  sharedMemoryBytes,
  sharedMemoryLayout,
  tensorMapBoxes,
  threadCount,
  tmaStoreBlockN,
} from '../../../extension/src/core/kernelRules';

const K = 7168;
const base = (over: Partial<GemmConfig> = {}): GemmConfig => {
  const c = completeConfig({ blockM: 128, blockN: 128, clusterM: 1, clusterN: 1, numSms: 132, numStages: 5 }, { k: K });
  return { ...c, ...over };
};
const rule = (c: GemmConfig, k = K) => firstViolation('normal', c, { m: 4096, n: 4096, k })?.rule ?? null;

test('the shared-memory layout of 128x128, 5 stages, K=7168 matches the kernel byte for byte', () => {
  const l = sharedMemoryLayout({ blockM: 128, blockN: 128, numStages: 5 }, K);
  assert.equal(l.dBytes, 128 * 128 * 2);
  assert.equal(l.aOffset, 32768);
  assert.equal(l.bOffset, 32768 + 5 * 16384);
  assert.equal(l.sfaOffset, l.bOffset + 5 * 16384);
  assert.equal(l.barrierOffset, l.sfaOffset + 5 * 512);
  assert.equal(l.sfbOffset, l.barrierOffset + 80);
  assert.equal(l.sfbBufferBytes, 56 * 4); // 128 divides 128: one row of ceil(K/128) scales
  assert.equal(l.sfbBytes, 2 * 56 * 4); // this tile's and the next tile's
  assert.equal(l.totalBytes, 32768 + 10 * 16384 + 2560 + 80 + 448);
  assert.equal(l.tmaBytesPerStage, 16384 + 16384 + 512);
});

test('straddling BLOCK_N keeps two SFB rows; SFB is 16-byte aligned', () => {
  const l = sharedMemoryLayout({ blockM: 64, blockN: 112, numStages: 8 }, 7168);
  assert.equal(l.dBytes, 14336); // BLOCK_M x BLOCK_N x 2 is always a multiple of 2 KB here
  assert.equal(l.sfbBufferBytes, 56 * 2 * 4);
  assert.equal(sharedMemoryLayout({ blockM: 64, blockN: 16, numStages: 3 }, 384).sfbBufferBytes, 16); // 3 floats -> 16
  assert.equal(sharedMemoryLayout({ blockM: 64, blockN: 16, numStages: 3 }, 384).sfbBytes, 32);
  assert.equal(sharedMemoryLayout({ blockM: 64, blockN: 64, numStages: 4 }, 128).sfaStageBytes, 256);
});

test('every shipped representative config fits and stages fill the capacity exactly', () => {
  for (const [m, n] of [
    [64, 16],
    [64, 112],
    [64, 192],
    [128, 160],
    [256, 128],
  ]) {
    const s = maxStagesThatFit({ blockM: m, blockN: n }, { k: K });
    assert.ok(s >= 3, `${m}x${n}: ${s} stages`);
    assert.ok(sharedMemoryBytes({ blockM: m, blockN: n, numStages: s }, { k: K }) <= H100_SHARED_MEMORY_BYTES);
    if (s < 32)
      assert.ok(sharedMemoryBytes({ blockM: m, blockN: n, numStages: s + 1 }, { k: K }) > H100_SHARED_MEMORY_BYTES);
  }
  assert.equal(maxStagesThatFit({ blockM: 256, blockN: 128 }, { k: K }), 3); // DeepGEMM's 256x128 also runs 3
});

test('a legal config has no violations', () => {
  assert.deepEqual(configViolations('normal', base(), { m: 4096, n: 4096, k: K }, { checkSharedBytesField: true }), []);
});

test('each rule rejects what the kernel static_asserts', () => {
  assert.equal(rule(base({ blockK: 64 })), 'block-k');
  assert.equal(rule(base({ blockM: 96 })), 'block-m');
  assert.equal(rule(base({ blockN: 120 })), 'block-n');
  assert.equal(rule(base({ blockN: 272 })), 'block-n');
  assert.equal(rule(base({ blockN: 176 })), 'scale-b-blocks');
  assert.equal(rule(base({ blockN: 224 })), 'scale-b-blocks');
  assert.equal(rule(base({ numMathWarpgroups: 1, numThreads: 256 })), 'math-warpgroups');
  assert.equal(rule(base({ blockM: 64 })), 'math-warpgroups');
  assert.equal(rule(base({ blockM: 256, blockN: 160, numStages: 3 })), 'registers');
  assert.equal(rule(base({ blockM: 128, blockN: 256, numStages: 3 })), 'registers');
  assert.equal(rule(base({ numStages: 1 })), 'stages');
  assert.equal(rule(base({ clusterM: 2, clusterN: 2 })), 'cluster');
  assert.equal(rule(base({ clusterM: 3 })), 'cluster');
  assert.equal(rule(base({ clusterM: 2, numSms: 131 })), 'num-sms');
  assert.equal(rule(base({ swizzleA: 64 })), 'swizzle-ab');
  assert.equal(rule(base({ swizzleD: 16 })), 'swizzle-d');
  assert.equal(rule(base({ blockN: 112, swizzleD: 64 })), 'swizzle-d');
  assert.equal(rule(base({ numThreads: 256 })), 'threads');
  assert.equal(rule(base({ numStages: 12 })), 'smem');
  assert.equal(firstViolation('kgrouped', base(), { m: 64, n: 4096, k: K })?.rule, 'gemm-type'); // the 1D1D kernel's kind
  assert.equal(firstViolation('masked', base(), { m: 64, n: 4096, k: K }), null);
  assert.equal(
    firstViolation('contiguous', base({ blockM: 256, numStages: 3 }), { m: 8192, n: 4096, k: K })?.rule,
    'contiguous-block-m',
  );
  assert.equal(
    firstViolation('normal', base({ sharedBytes: 1 }), { m: 1, n: 8, k: 128 }, { checkSharedBytesField: true })?.rule,
    'shared-bytes',
  );
});

test('BLOCK_N that straddles at most two scale blocks is legal (144, 160, 192, 256 rule)', () => {
  for (const n of [16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 192]) {
    assert.equal(
      rule(
        base({
          blockM: 64,
          numMathWarpgroups: 1,
          numThreads: 256,
          blockN: n,
          swizzleD: defaultSwizzleD(n),
          numStages: 3,
        }),
      ),
      null,
      `blockN ${n}`,
    );
  }
  assert.equal(
    firstViolation(
      'normal',
      base({ blockN: 256, swizzleD: 128, blockM: 64, numMathWarpgroups: 1, numThreads: 256, numStages: 3 }),
      { m: 64, n: 4096, k: K },
    )?.rule,
    'registers',
  );
});

test('reasons are sentences that say what would work', () => {
  const smem = firstViolation('normal', base({ numStages: 12 }), { m: 4096, n: 4096, k: K });
  assert.match(smem!.reason, /at most 5 stages fit/);
  assert.match(
    firstViolation('normal', base({ blockN: 176 }), { m: 1, n: 8, k: 128 })!.reason,
    /use 144, 160, 192 or 256/,
  );
  assert.match(firstViolation('normal', base({ blockN: 112, swizzleD: 64 }), { m: 1, n: 8, k: 128 })!.reason, /use 32/);
});

test('problem rules: M >= 1, N % 8, K % 128', () => {
  assert.equal(ruleProblem({ m: 1, n: 576, k: 7168 }), null);
  assert.equal(ruleProblem({ m: 0, n: 576, k: 7168 })?.rule, 'shape-m');
  assert.equal(ruleProblem({ m: 7, n: 580, k: 7168 })?.rule, 'shape-n');
  assert.match(ruleProblem({ m: 7, n: 576, k: 7000 })!.reason, /nearest valid 7040/);
});

test('launch shape: threads, register split, D box per swizzle', () => {
  assert.equal(threadCount(1), 256);
  assert.equal(threadCount(2), 384);
  assert.deepEqual(registerSplit(1), { producer: 40, math: 248 });
  assert.deepEqual(registerSplit(2), { producer: 40, math: 232 });
  // The register split fills at most the 64K register file.
  for (const w of [1, 2]) assert.ok(128 * registerSplit(w).producer + 128 * w * registerSplit(w).math <= 65536);
  assert.equal(defaultSwizzleD(112), 32);
  assert.equal(defaultSwizzleD(160), 64);
  assert.equal(defaultSwizzleD(192), 128);
  assert.equal(defaultSwizzleD(16), 32);
  assert.equal(tmaStoreBlockN({ blockN: 112, swizzleD: 32 }), 16);
  assert.equal(tmaStoreBlockN({ blockN: 112, swizzleD: 0 }), 112);
  const boxes = tensorMapBoxes(base({ blockM: 256, swizzleD: 128 }));
  assert.deepEqual(boxes.d, { inner: 64, outer: 256, swizzle: 128 });
  assert.deepEqual(boxes.a, { inner: 128, outer: 256, swizzle: 128 });
  assert.deepEqual(boxes.sfa, { inner: 256, outer: 1, swizzle: 0 });
  assert.equal(accumulatorRegisters({ blockM: 256, blockN: 128, numMathWarpgroups: 2 }), 192);
});

test('completeConfig fills derived fields consistently', () => {
  const c = completeConfig({ blockM: 64, blockN: 112, clusterM: 1, clusterN: 2, numSms: 132 }, { k: 7168 });
  assert.equal(c.numMathWarpgroups, 1);
  assert.equal(c.numThreads, 256);
  assert.equal(c.swizzleD, 32);
  assert.equal(c.sharedBytes, sharedMemoryBytes(c, { k: 7168 }));
  assert.equal(c.numStages, maxStagesThatFit(c, { k: 7168 }));
  assert.deepEqual(configViolations('normal', c, { m: 64, n: 2112, k: 7168 }, { checkSharedBytesField: true }), []);
});

test('the overlapped K-loop and the overlap across tiles apply where the kernel builds them', () => {
  const c = (blockM: number, blockN: number, numMathWarpgroups: number, splitK = 1) => ({
    blockM,
    blockN,
    numMathWarpgroups,
    splitK,
  });
  // One 64-row wave per math warpgroup and BLOCK_N <= 128: the overlapped K-loop.
  assert.equal(overlapsKBlocks(c(64, 16, 1)), true);
  assert.equal(overlapsKBlocks(c(128, 128, 2)), true);
  assert.equal(overlapsKBlocks(c(128, 160, 2)), false, 'three 80-register accumulators do not fit');
  assert.equal(overlapsKBlocks(c(256, 128, 2)), false, 'two waves per warpgroup take the serial loop');
  // Across tiles: Normal GEMMs only, without split-K.
  assert.equal(overlapsTiles(c(128, 128, 2), 'normal'), true);
  assert.equal(overlapsTiles(c(64, 64, 1, 2), 'normal'), false);
  assert.equal(overlapsTiles(c(256, 128, 2), 'normal'), false);
  for (const kind of ['contiguous', 'masked', 'wgrad', 'kgrouped'] as const)
    assert.equal(overlapsTiles(c(128, 128, 2), kind), false, kind);
});
