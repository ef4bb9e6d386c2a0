// The 1D1D kernel's TypeScript mirror (kinds 'wgrad' and 'kgrouped'): layout byte for byte, rules
// with their codes and what would work, and the generated translation unit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmConfig } from '../../../extension/protocol/worker';
import { configViolations, H100_SHARED_MEMORY_BYTES } from '../../../extension/src/core/kernelRules';
import {
  is1d1dKind,
  completeConfig1d1d,
  configViolations1d1d,
  defaultSwizzleD1d1d,
  maxStagesThatFit1d1d,
  ruleProblem1d1d,
  sharedMemoryBytes1d1d,
  sharedMemoryLayout1d1d,
  tailSplit1d1d,
  tensorMapBoxes1d1d,
  tmaStoreBlockN1d1d,
} from '../../../extension/src/core/kernelRules1d1d';
import {
  gemmKernelSource,
  KernelConfigError,
  kernelSourceForKind,
  kernelName1d1d,
  kernelSource1d1d,
} from '../../../extension/src/core/kernelSource';

const cfg = (over: Partial<GemmConfig> = {}): GemmConfig => ({
  ...completeConfig1d1d({ blockM: 128, blockN: 128, numSms: 132 }),
  ...over,
});
const rules = (
  kind: 'wgrad' | 'kgrouped',
  c: GemmConfig,
  problem = { m: 4096, n: 7168, k: 4096, numGroups: 4 },
  groupK?: number[],
) => configViolations1d1d(kind, c, problem, { checkSharedBytesField: true, groupK }).map((v) => v.rule);

test('1D1D layout of 128x128, 4 stages matches the kernel byte for byte (fp32 D tile, SFA and SFB stages)', () => {
  const l = sharedMemoryLayout1d1d({ blockM: 128, blockN: 128, numStages: 4 });
  assert.equal(l.dBytes, 128 * 128 * 4);
  assert.equal(l.aOffset, 65536);
  assert.equal(l.bOffset, 65536 + 4 * 16384);
  assert.equal(l.sfaOffset, l.bOffset + 4 * 16384);
  assert.equal(l.sfbOffset, l.sfaOffset + 4 * 512);
  assert.equal(l.barrierOffset, l.sfbOffset + 4 * 512);
  assert.equal(l.totalBytes, l.barrierOffset + 3 * 4 * 8); // full, empty and scales-empty barriers per stage
  assert.equal(l.tmaBytesPerStage, 16384 + 16384 + 512 + 512);
  // No K-dependent part: SFB comes through the ring, not a per-tile buffer.
  assert.equal(sharedMemoryBytes1d1d({ blockM: 128, blockN: 128, numStages: 4 }), 200800);
});

test('stages: the most that fit next to the fp32 D tile; 256x128 leaves room for one only', () => {
  assert.equal(maxStagesThatFit1d1d({ blockM: 128, blockN: 128 }), 4);
  assert.equal(maxStagesThatFit1d1d({ blockM: 128, blockN: 192 }), 3);
  assert.equal(maxStagesThatFit1d1d({ blockM: 256, blockN: 128 }), 1);
  for (const [m, n] of [
    [64, 64],
    [128, 96],
    [64, 144],
  ]) {
    const s = maxStagesThatFit1d1d({ blockM: m, blockN: n });
    assert.ok(sharedMemoryBytes1d1d({ blockM: m, blockN: n, numStages: s }) <= H100_SHARED_MEMORY_BYTES);
    assert.ok(sharedMemoryBytes1d1d({ blockM: m, blockN: n, numStages: s + 1 }) > H100_SHARED_MEMORY_BYTES);
  }
  const big = cfg({ blockM: 256, blockN: 128, numMathWarpgroups: 2, numStages: 2 });
  const v = configViolations1d1d(
    'wgrad',
    { ...big, sharedBytes: sharedMemoryBytes1d1d(big) },
    { m: 4096, n: 4096, k: 4096 },
  );
  assert.deepEqual(
    v.map((x) => x.rule),
    ['smem'],
  );
  assert.match(v[0].reason, /at most 1 stages fit/);
});

test('fp32 D swizzle: 32 columns per 128-byte row; BLOCK_N 16/48/144 fall back to 64 bytes', () => {
  assert.equal(defaultSwizzleD1d1d(128), 128);
  assert.equal(defaultSwizzleD1d1d(160), 128);
  assert.equal(defaultSwizzleD1d1d(144), 64);
  assert.equal(defaultSwizzleD1d1d(16), 64);
  assert.equal(tmaStoreBlockN1d1d({ blockN: 128, swizzleD: 128 }), 32);
  assert.equal(tmaStoreBlockN1d1d({ blockN: 144, swizzleD: 64 }), 16);
  assert.equal(tmaStoreBlockN1d1d({ blockN: 96, swizzleD: 0 }), 96);
  const boxes = tensorMapBoxes1d1d(cfg());
  assert.deepEqual(boxes.sfb, { inner: 128, outer: 1, swizzle: 0 });
  assert.deepEqual(boxes.d, { inner: 32, outer: 128, groups: 1, swizzle: 128 });
  assert.deepEqual(
    rules('wgrad', cfg({ blockN: 16, swizzleD: 128 })).filter((r) => r === 'swizzle-d'),
    ['swizzle-d'],
  );
});

test('rules: clusters of 2 where the paired blocks are even, BLOCK_N 176 is fine (per-column SFB), kinds other than wgrad/kgrouped refused', () => {
  assert.deepEqual(rules('wgrad', cfg()), []);
  assert.deepEqual(rules('kgrouped', cfg()), []);
  // 4096 x 7168: 32 M-blocks and 56 N-blocks of 128, both even.
  assert.deepEqual(rules('wgrad', cfg({ clusterM: 2 })), []);
  assert.deepEqual(rules('kgrouped', cfg({ clusterN: 2 })), []);
  assert.deepEqual(rules('wgrad', cfg({ clusterM: 2, clusterN: 2 })), ['cluster']);
  assert.deepEqual(rules('wgrad', cfg({ clusterM: 2, numSms: 131 })), ['num-sms']);
  // 4000 rows: 32 blocks of 128 but 63 of 64; 7168 columns: 53 blocks of 136.
  assert.deepEqual(rules('wgrad', cfg({ clusterM: 2 }), { m: 4000, n: 7168, k: 4096, numGroups: 1 }), []);
  const m64 = completeConfig1d1d({ blockM: 64, blockN: 128, numSms: 132, clusterM: 2 });
  const odd = configViolations1d1d('wgrad', m64, { m: 4000, n: 7168, k: 4096 });
  assert.deepEqual(
    odd.map((v) => v.rule),
    ['cluster-pairs'],
  );
  assert.match(odd[0].reason, /M = 4000 makes 63 blocks of 64 \(odd\); use a 1 x 1 cluster or blockM 128, 256$/);
  const n136 = completeConfig1d1d({ blockM: 128, blockN: 136, numSms: 132, clusterN: 2 });
  assert.deepEqual(rules('kgrouped', n136), ['cluster-pairs']);
  assert.deepEqual(rules('kgrouped', { ...n136, clusterN: 1, clusterM: 2 }), []);
  const n176 = completeConfig1d1d({ blockM: 64, blockN: 176, numSms: 132 });
  assert.deepEqual(rules('wgrad', n176), []);
  assert.deepEqual(rules('masked' as 'wgrad', cfg()), ['gemm-type']);
  assert.ok(is1d1dKind('kgrouped') && is1d1dKind('wgrad') && !is1d1dKind('normal'));
});

test('BLOCK_N in steps of 8 (wgmma n): 152 and 136 are 1D1D tiles with 4 stages; 150 is not, and 200 would spill', () => {
  const n152 = completeConfig1d1d({ blockM: 128, blockN: 152, numSms: 132 });
  assert.equal(n152.numStages, 4);
  assert.equal(n152.swizzleD, 32);
  assert.deepEqual(rules('kgrouped', n152, { m: 4096, n: 7168, k: 6144, numGroups: 2 }, [2048, 4096]), []);
  assert.deepEqual(rules('wgrad', completeConfig1d1d({ blockM: 128, blockN: 136, numSms: 132 })), []);
  assert.deepEqual(rules('wgrad', cfg({ blockN: 150 })), ['block-n', 'swizzle-d']);
  const n200 = completeConfig1d1d({ blockM: 128, blockN: 200, numSms: 132, numStages: 2 });
  assert.deepEqual(rules('wgrad', n200), ['registers']);
  // The 1D2D kernel's stmatrix epilogue still takes steps of 16 only.
  assert.ok(configViolations('normal', n152, { m: 4096, n: 7168, k: 2048 }).some((v) => v.rule === 'block-n'));
});

test('tail split mirror: wgrad splits a partial last wave along K, at least 4 K-blocks a piece; kgrouped and clusters never', () => {
  assert.deepEqual(tailSplit1d1d('wgrad', 704, 132, 56), { rem: 44, parts: 3 });
  assert.deepEqual(tailSplit1d1d('wgrad', 1440, 132, 16), { rem: 120, parts: 1 });
  // 4 tiles in the last wave: 33 pieces by the grid, 3 by K (12 K-blocks, 4 a piece).
  assert.deepEqual(tailSplit1d1d('wgrad', 4096, 132, 12), { rem: 4, parts: 3 });
  assert.deepEqual(tailSplit1d1d('wgrad', 1320, 132, 56), { rem: 0, parts: 1 });
  // Fewer tiles than SMs: the one wave is split too, here into 7 (K allows 14).
  assert.deepEqual(tailSplit1d1d('wgrad', 18, 132, 56), { rem: 18, parts: 7 });
  assert.deepEqual(tailSplit1d1d('wgrad', 10, 132, 7), { rem: 10, parts: 1 });
  assert.deepEqual(tailSplit1d1d('kgrouped', 704, 132, 56), { rem: 44, parts: 1 });
  assert.deepEqual(tailSplit1d1d('wgrad', 704, 132, 56, 2), { rem: 44, parts: 1 });
});

test('problem rules: N % 4, K % 128, per-group K multiples of 128 (0 allowed) summing to K', () => {
  assert.equal(ruleProblem1d1d('wgrad', { m: 4096, n: 2112, k: 7168 }), null);
  assert.equal(ruleProblem1d1d('wgrad', { m: 4096, n: 2110, k: 7168 })?.rule, 'shape-n');
  assert.equal(ruleProblem1d1d('wgrad', { m: 4096, n: 2112, k: 7000 })?.rule, 'shape-k');
  assert.equal(ruleProblem1d1d('kgrouped', { m: 4096, n: 7168, k: 6144, numGroups: 3 }, [2048, 0, 4096]), null);
  const bad = ruleProblem1d1d('kgrouped', { m: 4096, n: 7168, k: 6144, numGroups: 3 }, [2048, 100, 4096]);
  assert.equal(bad?.rule, 'shape-k');
  assert.match(bad!.reason, /group 1 is 100.*nearest valid 128/);
  assert.equal(
    ruleProblem1d1d('kgrouped', { m: 4096, n: 7168, k: 6144, numGroups: 4 }, [2048, 0, 4096])?.rule,
    'shape-groups',
  );
  assert.match(
    ruleProblem1d1d('kgrouped', { m: 4096, n: 7168, k: 8192, numGroups: 3 }, [2048, 0, 4096])!.reason,
    /sum of the groups' K \(6144\)/,
  );
  // All groups empty is a legal problem (D = C); the host then launches nothing.
  assert.equal(ruleProblem1d1d('kgrouped', { m: 64, n: 64, k: 0, numGroups: 2 }, [0, 0]), null);
});

test('the generated 1D1D unit: entry name, GemmType per kind, compiler-checked mirror', () => {
  const c = cfg();
  const w = kernelSource1d1d('wgrad', c);
  assert.equal(
    w.kernelName,
    'fp8lab_sm90_fp8_gemm_1d1d_wgrad_bm128_bn128_bk128_st4_wg2_cm1_cn1_sa128_sb128_sd128_sms132',
  );
  assert.equal(kernelName1d1d('kgrouped', c), w.kernelName.replace('_wgrad_', '_kgrouped_'));
  assert.match(w.source, /#include "fp8lab\/impls\/sm90_fp8_gemm_1d1d.cuh"/);
  assert.ok(
    w.source.includes(
      'fp8lab::sm90_fp8_gemm_1d1d_impl<128, 128, 128, 4, 2, 1, 1, 128, 128, 128, 132, fp8lab::GemmType::Normal>(args);',
    ),
  );
  assert.ok(w.source.includes(`static_assert(Fp8labKernel::kSmemFixedBytes == ${sharedMemoryBytes1d1d(c)}`));
  assert.ok(w.source.includes('static_assert(Fp8labKernel::TMA_D_BLOCK_N == 32'));
  assert.ok(w.source.includes('static_assert(Fp8labKernel::kTmaBytesPerStage == 33792'));
  const k = kernelSource1d1d('kgrouped', c);
  assert.ok(k.source.includes('fp8lab::GemmType::KGrouped>(args);'));
  assert.notEqual(k.source, w.source);
  assert.equal(kernelSource1d1d('wgrad', { ...c }).source, w.source);
  assert.throws(
    () => kernelSource1d1d('wgrad', cfg({ clusterM: 2, clusterN: 2 })),
    (e: unknown) => e instanceof KernelConfigError && e.rule === 'cluster',
  );
  assert.throws(
    () => kernelSource1d1d('normal', c),
    (e: unknown) => e instanceof KernelConfigError && e.rule === 'gemm-type',
  );
});

test('kernelSourceForKind routes wgrad/kgrouped to the 1D1D generator and the rest to 1D2D', () => {
  const c = cfg();
  assert.equal(kernelSourceForKind('kgrouped', c).kernelName, kernelName1d1d('kgrouped', c));
  assert.equal(kernelSourceForKind('normal', c).source, gemmKernelSource('normal', c).source);
});

test('M-grouped launch rules: contiguous ΣM padded to 128, numGroups ≥ 1; BLOCK_M dividing 128 for contiguous', async () => {
  const { ruleGroupedProblem, ruleContiguousBlockM, completeConfig } =
    await import('../../../extension/src/core/kernelRules');
  assert.equal(ruleGroupedProblem({ kind: 'contiguous', m: 8192 * 4, numGroups: 4 }), null);
  const bad = ruleGroupedProblem({ kind: 'contiguous', m: 1000, numGroups: 4 });
  assert.equal(bad?.rule, 'shape-alignment');
  assert.match(bad!.reason, /use 1024 rows/);
  assert.equal(ruleGroupedProblem({ kind: 'masked', m: 4096, numGroups: 0 })?.rule, 'shape-groups');
  assert.equal(ruleGroupedProblem({ kind: 'normal', m: 1000, numGroups: undefined }), null);
  const c256 = completeConfig(
    { blockM: 256, blockN: 128, clusterM: 1, clusterN: 1, numSms: 132, numStages: 3 },
    { k: 7168 },
  );
  assert.equal(ruleContiguousBlockM('contiguous', c256)?.rule, 'contiguous-block-m');
  assert.equal(ruleContiguousBlockM('masked', c256), null);
  assert.equal(ruleContiguousBlockM('contiguous', { ...c256, blockM: 64 }), null);
});
