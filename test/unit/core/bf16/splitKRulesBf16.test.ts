// Split-K in the BF16 kernel's TypeScript mirror: the shared-memory layout with the exchange buffer
// against the kernel's own constants (the sizes kernels/tools/check_invariants_bf16.cu prints), the
// rules that accept 1, 2 and 4 for kind 'bf16' and say what would work otherwise, and the generated
// unit (unchanged without split-K).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { GemmConfig, KernelKind } from '../../../../extension/protocol/worker';
import {
  completeConfigBf16,
  configViolationsBf16,
  maxStagesThatFitBf16,
  sharedMemoryLayoutBf16,
} from '../../../../extension/src/core/bf16/kernelRulesBf16';
import { kernelSourceBf16 } from '../../../../extension/src/core/bf16/kernelSourceBf16';

const shape = { kind: 'bf16' as const, m: 64, n: 2112, k: 7168 };
const split = (blockM: number, blockN: number, splitK: number, extra: Partial<GemmConfig> = {}) =>
  completeConfigBf16({ blockM, blockN, numSms: 132, splitK, ...extra });
const rulesOf = (c: GemmConfig, kind: KernelKind = 'bf16') =>
  configViolationsBf16(c, { ...shape, kind }, { checkSharedBytesField: true });

test('layout: split-K adds 2 barriers and (splitK - 1) fp32 BLOCK_M x BLOCK_N slots after them, as the kernel has it', () => {
  // 64x64, 8 stages, split 2: D 8 KB + 8 x 16 KB of stages, 18 barriers, one 16 KB slot.
  const a = sharedMemoryLayoutBf16({ blockM: 64, blockN: 64, numStages: 8, splitK: 2 }, 'bf16');
  assert.deepEqual(
    [a.barrierOffset, a.barrierBytes, a.exchangeOffset, a.exchangeBytes, a.totalBytes],
    [139264, 144, 139408, 16384, 155792],
  );
  // fp32 D doubles the staging tile; split 4 has three slots.
  const b = sharedMemoryLayoutBf16({ blockM: 64, blockN: 64, numStages: 8, splitK: 4 }, 'fp32');
  assert.deepEqual([b.exchangeOffset, b.exchangeBytes, b.totalBytes], [147600, 49152, 196752]);
  const c = sharedMemoryLayoutBf16({ blockM: 128, blockN: 128, numStages: 4, splitK: 2 }, 'bf16');
  assert.deepEqual([c.exchangeOffset, c.exchangeBytes, c.totalBytes], [163920, 65536, 229456]);
  assert.equal(c.exchangeOffset % 16, 0);
  // Without split-K the layout is what it was: no exchange, the barriers end the buffer.
  const none = sharedMemoryLayoutBf16({ blockM: 128, blockN: 256, numStages: 3 }, 'bf16');
  assert.deepEqual([none.exchangeBytes, none.barrierBytes, none.totalBytes], [0, 48, 65536 + 3 * 49152 + 48]);
  assert.equal(
    none.totalBytes,
    sharedMemoryLayoutBf16({ blockM: 128, blockN: 256, numStages: 3, splitK: 1 }).totalBytes,
  );
});

test('stages that fit beside the exchange: 128x128 split 2 -> 4, split 4 -> none; 64x128 split 4 -> 4; 64x64 split 4 -> 10', () => {
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 128, splitK: 2 }), 4);
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 128, splitK: 4 }), 0);
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 128, splitK: 2 }, 'fp32'), 3);
  assert.equal(maxStagesThatFitBf16({ blockM: 64, blockN: 128, splitK: 4 }), 4);
  assert.equal(maxStagesThatFitBf16({ blockM: 64, blockN: 64, splitK: 4 }), 10);
  // completeConfigBf16 takes the exchange into account and records splitK only above 1.
  assert.deepEqual(
    [split(128, 128, 2).numStages, split(128, 128, 2).splitK, split(128, 128, 2).sharedBytes],
    [4, 2, 229456],
  );
  assert.equal('splitK' in split(128, 128, 1), false);
});

test('rules: split-K 1, 2 and 4 run kind bf16 on cooperative tiles without a cluster', () => {
  for (const [blockM, blockN, splitK] of [
    [64, 64, 2],
    [64, 64, 4],
    [64, 128, 4],
    [128, 128, 2],
    [256, 64, 2],
    [128, 256, 1],
  ])
    assert.deepEqual(rulesOf(split(blockM, blockN, splitK)), [], `${blockM}x${blockN} split ${splitK}`);
});

test('rules: split-K rejections name the rule and what would work (3 or 8, a cluster, ping-pong, other kinds, accumulators, the grid)', () => {
  const three = rulesOf({ ...split(64, 64, 2), splitK: 3 });
  assert.equal(three[0].rule, 'split-k');
  assert.match(three[0].reason, /1, 2 or 4.*got 3, use 2 or 4/);
  assert.match(rulesOf({ ...split(64, 64, 4), splitK: 8 })[0].reason, /got 8, use 4/);
  const clustered = rulesOf(split(64, 64, 2, { clusterN: 2 })).find((v) => v.rule === 'split-k');
  assert.match(clustered!.reason, /clusterM = clusterN = 1 with split_k=2, or cluster 1x2 with split_k=1/);
  const pingpong = rulesOf(split(128, 64, 2, { pingpong: 1 })).find((v) => v.rule === 'split-k');
  assert.match(pingpong!.reason, /use pingpong=0 with split_k=2, or ping-pong with split_k=1/);
  for (const kind of ['bf16-contiguous', 'bf16-masked'] as const) {
    const v = configViolationsBf16(split(64, 64, 2), { kind, m: 256, n: 2112, k: 7168 });
    assert.equal(v[0].rule, 'split-k', kind);
    assert.match(v[0].reason, new RegExp(`not for '${kind}': use split_k=1`));
  }
  const kgrouped = completeConfigBf16({ blockM: 64, blockN: 64, numSms: 132, splitK: 2 }, 'fp32-accumulate');
  assert.equal(configViolationsBf16(kgrouped, { kind: 'bf16-kgrouped', m: 256, n: 256, k: 1024 })[0].rule, 'split-k');
  // Beside the exchange a split tile keeps at most 112 accumulators per thread (64x240, 64x256 spill).
  const wide = rulesOf(split(64, 256, 2)).find((v) => v.rule === 'split-k');
  assert.match(
    wide!.reason,
    /at most 112 accumulator registers.*needs 128.*use blockN ≤ 224 with split_k=2, or split_k=1/,
  );
  assert.ok(rulesOf(split(64, 240, 2)).some((v) => v.rule === 'split-k'));
  assert.deepEqual(rulesOf(split(64, 224, 2)), []);
  // The grid must be whole clusters of splitK CTAs.
  const grid = rulesOf({ ...split(64, 64, 4), numSms: 130 });
  assert.equal(grid[0].rule, 'num-sms');
  assert.match(grid[0].reason, /cluster size 4.*use 128/);
});

test('rules: a tile whose exchange leaves no room for 2 stages is an smem rejection naming a smaller split or tile', () => {
  const big = { ...split(128, 128, 4), numStages: 2, sharedBytes: 0 };
  const v = rulesOf(big).find((x) => x.rule === 'smem')!;
  assert.match(v.reason, /split-K exchange 3 x 65536 B/);
  assert.match(v.reason, /use split_k=2 \(4 stages fit\) or blockN ≤ 96 at split_k=4/);
  const wide = rulesOf({ ...split(128, 256, 2), numStages: 2, sharedBytes: 0 }).find((x) => x.rule === 'smem')!;
  assert.match(wide.reason, /use split_k=1 \(3 stages fit\) or blockN ≤ 192 at split_k=2/);
  // Enough room for 2 stages but not for as many as asked: the stage count is the advice.
  const deep = rulesOf({ ...split(128, 128, 2), numStages: 5, sharedBytes: 0 }).find((x) => x.rule === 'smem')!;
  assert.match(deep.reason, /at most 4 stages fit/);
});

test('source: kSplitK is the last template argument, the name ends _skN, the launch cluster is splitK CTAs', () => {
  const { source, kernelName } = kernelSourceBf16('bf16', split(64, 64, 4), { output: 'fp32-accumulate' });
  assert.match(
    kernelName,
    /^fp8lab_sm90_bf16_gemm_oacc_bm64_bn64_bk64_st\d+_wg1_cm1_cn1_sa128_sb128_sd128_sms132_sk4$/,
  );
  assert.match(source, /fp8lab::Bf16Output::Fp32Accumulate, false, 4>/);
  assert.match(source, /\/\/ Launch: grid 132 CTAs, cluster \(4,1,1\)/);
  assert.match(source, /K split across the 4 CTAs of a cluster \(splitK 4\)/);
  assert.match(source, /SMEM_EXCHANGE_OFFSET == \d+ &&\s+Fp8labKernel::SMEM_EXCHANGE_BYTES == 49152/);
  assert.match(source, /kCtasPerCluster == 4/);
});

test('source without split-K is the text it was (the JIT cache key hashes it): no _sk, no exchange assert', () => {
  // md5 of the generated units at the commit before split-K, as the JIT cache kept them.
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const cases: Array<[GemmConfig, Parameters<typeof kernelSourceBf16>[2], string]> = [
    [completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132 }), {}, 'd0a68aa91337d7484ada27cc14b05900'],
    [
      completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, clusterM: 2 }, 'fp32-accumulate'),
      { output: 'fp32-accumulate' },
      '18e9a46e5c5647cb82401f22a3208128',
    ],
    [completeConfigBf16({ blockM: 64, blockN: 256, numSms: 132, pingpong: 1 }), {}, '3eee757fc74e2432af172cee7ec22542'],
  ];
  for (const [config, options, want] of cases) {
    const { source, kernelName } = kernelSourceBf16('bf16', config, options);
    assert.equal(md5(source), want, kernelName);
    assert.doesNotMatch(source, /SMEM_EXCHANGE|_sk\d/);
    assert.equal(kernelSourceBf16('bf16', { ...config, splitK: 1 }, options).source, source);
  }
});
