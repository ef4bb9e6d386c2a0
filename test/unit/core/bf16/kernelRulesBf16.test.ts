// The BF16 kernel's TypeScript mirror: layout arithmetic against hand-computed sizes, every rule's
// verdict and message on real configs and shapes, and the generated unit's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  completeConfigBf16,
  configViolationsBf16,
  defaultSwizzleDBf16,
  maxStagesThatFitBf16,
  ruleProblemBf16,
  sharedMemoryLayoutBf16,
  tmaStoreBlockNBf16,
} from '../../../../extension/src/core/bf16/kernelRulesBf16';
import { kernelSourceBf16, Bf16ConfigError } from '../../../../extension/src/core/bf16/kernelSourceBf16';
import { kernelSourceForKind, KernelConfigError } from '../../../../extension/src/core/kernelSource';
import { completeConfig } from '../../../../extension/src/core/kernelRules';

test('shared-memory layout: 128x256 bf16 D at 3 stages is 64 KB of D + 3 x 48 KB of stages + barriers', () => {
  const l = sharedMemoryLayoutBf16({ blockM: 128, blockN: 256, numStages: 3 }, 'bf16');
  assert.equal(l.dBytes, 65536);
  assert.equal(l.aStageBytes, 16384);
  assert.equal(l.bStageBytes, 32768);
  assert.equal(l.tmaBytesPerStage, 49152);
  assert.equal(l.totalBytes, 65536 + 3 * 49152 + 48);
  // fp32 D doubles the staging tile.
  assert.equal(sharedMemoryLayoutBf16({ blockM: 128, blockN: 256, numStages: 3 }, 'fp32').dBytes, 131072);
});

test('stages that fit in 227 KB: 128x256 bf16 -> 3, 256x128 -> 3, 64x64 -> 13 (the caller caps it)', () => {
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 256 }, 'bf16'), 3);
  assert.equal(maxStagesThatFitBf16({ blockM: 256, blockN: 128 }, 'bf16'), 3);
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 256 }, 'fp32'), 2);
  assert.equal(maxStagesThatFitBf16({ blockM: 64, blockN: 64 }, 'bf16'), 13);
});

test('D store box and swizzle follow the output element: bf16 rows of 64 columns, fp32 rows of 32', () => {
  assert.equal(defaultSwizzleDBf16(256, 'bf16'), 128);
  assert.equal(tmaStoreBlockNBf16({ blockN: 256, swizzleD: 128 }, 'bf16'), 64);
  assert.equal(tmaStoreBlockNBf16({ blockN: 256, swizzleD: 128 }, 'fp32'), 32);
  assert.equal(defaultSwizzleDBf16(16, 'bf16'), 32);
  assert.equal(defaultSwizzleDBf16(16, 'fp32'), 64);
});

test('problem rules: K % 8 and N % 8 (bf16) / N % 4 (fp32), with the nearest valid value', () => {
  assert.equal(ruleProblemBf16({ m: 7, n: 2112, k: 7168 }), null);
  assert.equal(ruleProblemBf16({ m: 4096, n: 7168, k: 4100 })?.rule, 'shape-k');
  assert.match(ruleProblemBf16({ m: 4096, n: 7168, k: 4100 })!.reason, /multiple of 8.*nearest valid 4104/);
  assert.equal(ruleProblemBf16({ m: 1, n: 100, k: 64 }, 'bf16')?.rule, 'shape-n');
  assert.equal(ruleProblemBf16({ m: 1, n: 100, k: 64 }, 'fp32'), null);
  assert.equal(ruleProblemBf16({ m: 0, n: 64, k: 64 })?.rule, 'shape-m');
  // K need not be a multiple of BLOCK_K (64): the TMA zero-fills the last K-block.
  assert.equal(ruleProblemBf16({ m: 128, n: 128, k: 72 }), null);
});

test("config rules: registers, smem, block-k, cluster and swizzle-d reject with the kernel's rule names", () => {
  const shape = { kind: 'bf16' as const, m: 4096, n: 4096, k: 4096 };
  const ok = completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132 });
  assert.deepEqual(configViolationsBf16(ok, shape, { checkSharedBytesField: true }), []);
  const tooWide = completeConfigBf16({ blockM: 256, blockN: 256, numSms: 132, numStages: 2 });
  assert.equal(configViolationsBf16(tooWide, shape)[0].rule, 'registers');
  assert.match(configViolationsBf16(tooWide, shape)[0].reason, /blockN ≤ 128/);
  const tooDeep = { ...ok, numStages: 4, sharedBytes: 0 };
  assert.ok(
    configViolationsBf16(tooDeep, shape).some((v) => v.rule === 'smem' && /at most 3 stages fit/.test(v.reason)),
  );
  assert.equal(configViolationsBf16({ ...ok, blockK: 128 }, shape)[0].rule, 'block-k');
  assert.equal(configViolationsBf16({ ...ok, clusterM: 2, clusterN: 2 }, shape)[0].rule, 'cluster');
  assert.equal(
    configViolationsBf16({ ...ok, swizzleD: 128, blockN: 16, sharedBytes: 0 }, { ...shape, output: 'fp32' }).find(
      (v) => v.rule === 'swizzle-d',
    )?.rule,
    'swizzle-d',
  );
  assert.equal(configViolationsBf16(ok, { ...shape, kind: 'normal' })[0].rule, 'gemm-type');
});

test('the generated unit names the output, static-asserts the mirror and refuses an illegal config', () => {
  const c = completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, clusterM: 2 }, 'fp32-accumulate');
  const { source, kernelName } = kernelSourceBf16('bf16', c, { output: 'fp32-accumulate' });
  assert.match(kernelName, /^fp8lab_sm90_bf16_gemm_oacc_bm128_bn128_bk64_st\d+_wg2_cm2_cn1_sa128_sb128_sd128_sms132$/);
  assert.match(source, /fp8lab::Bf16Output::Fp32Accumulate/);
  assert.match(source, /kSmemFixedBytes == \d+/);
  assert.equal(kernelSourceBf16('bf16', c).kernelName.includes('_obf16_'), true);
  assert.throws(
    () => kernelSourceBf16('bf16', { ...c, blockN: 24 }),
    (e: unknown) => e instanceof Bf16ConfigError && e.rule === 'block-n',
  );
  // The kind dispatcher sends 'bf16' here and reports violations as the FP8 generator does.
  assert.equal(kernelSourceForKind('bf16', c).kernelName, kernelSourceBf16('bf16', c).kernelName);
  assert.throws(
    () => kernelSourceForKind('bf16', { ...c, blockK: 128 }),
    (e: unknown) => e instanceof KernelConfigError && e.rule === 'block-k',
  );
});

test('ping-pong layout: one staging tile per math warpgroup, so 128x128 bf16 keeps 5 stages and fp32 D 3', () => {
  const l = sharedMemoryLayoutBf16({ blockM: 128, blockN: 128, numStages: 5, pingpong: 1 }, 'bf16');
  assert.equal(l.dBytes, 2 * 32768);
  assert.equal(l.aOffset, 65536);
  assert.equal(l.totalBytes, 65536 + 5 * 32768 + 80);
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 128, pingpong: 1 }, 'bf16'), 5);
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 128 }, 'bf16'), 6);
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 128, pingpong: 1 }, 'fp32'), 3);
  const c = completeConfigBf16({ blockM: 64, blockN: 256, numSms: 132, pingpong: 1 });
  assert.deepEqual([c.numMathWarpgroups, c.numThreads, c.numStages, c.pingpong], [2, 384, 4, 1]);
  // A cooperative config carries no pingpong field (its JSON is what it was before ping-pong).
  assert.equal('pingpong' in completeConfigBf16({ blockM: 64, blockN: 256, numSms: 132 }), false);
});

test('ping-pong rules: 2 warpgroups on whole 64- or 128-row tiles within 176 accumulators (cooperative: 128)', () => {
  const shape = { kind: 'bf16' as const, m: 4096, n: 4096, k: 4096 };
  for (const [blockM, blockN] of [
    [64, 256],
    [128, 128],
    [64, 16],
    [128, 64],
    [128, 176],
  ])
    assert.deepEqual(
      configViolationsBf16(completeConfigBf16({ blockM, blockN, numSms: 132, pingpong: 1 }), shape, {
        checkSharedBytesField: true,
      }),
      [],
    );
  const tall = completeConfigBf16({ blockM: 256, blockN: 64, numSms: 132, pingpong: 1 });
  assert.equal(configViolationsBf16(tall, shape)[0].rule, 'pingpong');
  assert.match(configViolationsBf16(tall, shape)[0].reason, /blockM must be 64 or 128; got 256/);
  const wide = completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132, pingpong: 1, numStages: 2 });
  assert.equal(configViolationsBf16(wide, shape)[0].rule, 'registers');
  assert.match(
    configViolationsBf16(wide, shape)[0].reason,
    /256 accumulator registers.*limit 176.*blockN ≤ 176 at blockM 128/,
  );
  // The same 176 accumulators in a cooperative 256x176 tile (two waves per warpgroup) stay refused.
  const coop = completeConfigBf16({ blockM: 256, blockN: 176, numSms: 132, numStages: 2 });
  assert.equal(configViolationsBf16(coop, shape)[0].rule, 'registers');
  assert.match(
    configViolationsBf16(coop, shape)[0].reason,
    /176 accumulator registers.*limit 128.*blockN ≤ 128 at blockM 256/,
  );
  const oneWg = {
    ...completeConfigBf16({ blockM: 64, blockN: 128, numSms: 132, pingpong: 1 }),
    numMathWarpgroups: 1,
    numThreads: 256,
  };
  assert.equal(configViolationsBf16(oneWg, shape)[0].rule, 'pingpong');
  const two = { ...completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132 }), pingpong: 2 };
  assert.match(configViolationsBf16(two, shape)[0].reason, /pingpong must be 0 \(cooperative\) or 1/);
});

test('ping-pong source: the kernel name says wg2pp and the template takes kPingpong = true; cooperative false', () => {
  const pp = kernelSourceBf16('bf16', completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, pingpong: 1 }));
  assert.match(pp.kernelName, /^fp8lab_sm90_bf16_gemm_obf16_bm128_bn128_bk64_st5_wg2pp_cm1_cn1_/);
  assert.match(pp.source, /fp8lab::Bf16Output::Bf16, true>/);
  assert.match(pp.source, /2 math warpgroup\(s\) \(ping-pong\)/);
  assert.match(pp.source, /kSmemFixedBytes == 229456/);
  const coop = kernelSourceBf16('bf16', completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132 }));
  assert.match(coop.kernelName, /_wg2_cm1_/);
  assert.match(coop.source, /fp8lab::Bf16Output::Bf16, false>/);
});

test('the FP8 kernels refuse ping-pong with its rule (they split every tile between their warpgroups)', () => {
  const fp8 = {
    ...completeConfig({ blockM: 128, blockN: 128, clusterM: 1, clusterN: 1, numSms: 132 }, { k: 4096 }),
    pingpong: 1,
  };
  for (const kind of ['normal', 'wgrad'] as const)
    assert.throws(
      () => kernelSourceForKind(kind, fp8),
      (e: unknown) => /\[pingpong\] only the BF16 GEMMs/.test((e as Error).message),
      kind,
    );
});
