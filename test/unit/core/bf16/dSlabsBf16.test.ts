// The BF16 kernel's D slab ring in its TypeScript mirror: the shared memory it frees for stages (the
// generated unit static_asserts the same sizes against the kernel, bf16Compile.test.ts), the d-slabs
// rule with what would work instead, the FP8 kernels' refusal, the --config key, the generated
// unit (unchanged without the ring), and why the planner does not offer it (its H100 sweep).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bf16Output, GemmConfig, KernelKind } from '../../../../extension/protocol/worker';
import { parseConfigText } from '../../../../extension/src/cli/verbArgs';
import { completeConfig, configViolations } from '../../../../extension/src/core/kernelRules';
import {
  completeConfigBf16,
  configViolationsBf16,
  maxStagesThatFitBf16,
  sharedMemoryLayoutBf16,
} from '../../../../extension/src/core/bf16/kernelRulesBf16';
import { kernelNameBf16, kernelSourceBf16 } from '../../../../extension/src/core/bf16/kernelSourceBf16';
import { sameKernelConfig } from '../../../../extension/src/core/configIdentity';
import { chooseConfigBf16 } from '../../../../extension/src/core/bf16/heuristicsBf16';
import { H100_SXM } from '../../../../extension/src/core/heuristics/device';
import { timesOnOneClock, type ShapeSweep } from '../configSweepFixture';

const shape = { m: 4096, n: 32768, k: 512 };
const ring = (
  blockM: number,
  blockN: number,
  dSlabs: number,
  extra: Partial<GemmConfig> = {},
  output: Bf16Output = 'bf16',
) => completeConfigBf16({ blockM, blockN, numSms: 132, dSlabs, ...extra }, output);
const rulesOf = (c: GemmConfig, kind: KernelKind = 'bf16', output?: Bf16Output) =>
  configViolationsBf16(c, { kind, ...shape, ...(output ? { output } : {}) }, { checkSharedBytesField: true });

test('layout: the ring holds dSlabs store boxes (BLOCK_M x TMA_D_BLOCK_N) instead of the whole D tile', () => {
  // 128x256 bf16, swizzle 128: boxes of 64 columns (16 KB); ring 2 = 32 KB against the tile's 64 KB.
  const whole = sharedMemoryLayoutBf16({ blockM: 128, blockN: 256, numStages: 3 });
  const two = sharedMemoryLayoutBf16({ blockM: 128, blockN: 256, numStages: 4, swizzleD: 128, dSlabs: 2 });
  assert.deepEqual([whole.dBytes, two.dBytes, two.aOffset, two.totalBytes], [65536, 32768, 32768, 229440]);
  // fp32 D, swizzle 128: boxes of 32 columns (16 KB at 128 rows).
  const f = sharedMemoryLayoutBf16({ blockM: 128, blockN: 128, numStages: 6, swizzleD: 128, dSlabs: 2 }, 'fp32');
  assert.deepEqual([f.dBytes, f.totalBytes], [32768, 229472]);
  // Swizzle 64 halves the box: 256x128 ring 2 is two 16 KB boxes of 32 columns.
  assert.equal(
    sharedMemoryLayoutBf16({ blockM: 256, blockN: 128, numStages: 4, swizzleD: 64, dSlabs: 2 }).dBytes,
    32768,
  );
});

test('ping-pong: a ring per math warpgroup; 128x176 stages D in 2 x 2 x 4 KB and keeps 5 stages instead of 3', () => {
  const whole = completeConfigBf16({ blockM: 128, blockN: 176, numSms: 132, pingpong: 1 });
  const two = ring(128, 176, 2, { pingpong: 1 });
  assert.deepEqual([whole.numStages, whole.swizzleD, whole.sharedBytes], [3, 32, 206896]);
  assert.deepEqual([two.numStages, two.dSlabs, two.sharedBytes], [5, 2, 211024]);
  const layout = sharedMemoryLayoutBf16({
    blockM: 128,
    blockN: 176,
    numStages: 5,
    swizzleD: 32,
    pingpong: 1,
    dSlabs: 2,
  });
  assert.deepEqual([layout.dBytes, layout.aOffset], [2 * 2 * 128 * 16 * 2, 16384]);
  assert.deepEqual(rulesOf(two), []);
  const six = rulesOf({ ...two, numStages: 6, sharedBytes: 249936 }).find((v) => v.rule === 'smem');
  assert.match(six!.reason, /at 6 stages \(D slab rings 2 x 2 x 4096 B\).*at most 5 stages fit/);
});

test('stages that fit: 128x256 takes a 4th stage with a ring of 2 (3 with a ring of 3 or none); 64x256 takes 5', () => {
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 256 }), 3);
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 256, dSlabs: 2 }), 4);
  assert.equal(maxStagesThatFitBf16({ blockM: 128, blockN: 256, dSlabs: 3 }), 3);
  assert.equal(maxStagesThatFitBf16({ blockM: 64, blockN: 256 }), 4);
  assert.equal(maxStagesThatFitBf16({ blockM: 64, blockN: 256, dSlabs: 2 }), 5);
  const c = ring(128, 256, 2);
  assert.deepEqual([c.numStages, c.dSlabs, c.sharedBytes], [4, 2, 229440]);
  assert.equal('dSlabs' in completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132 }), false);
  assert.deepEqual(rulesOf(c), []);
});

test('rule d-slabs: 2 or 3 buffers, kind bf16, swizzled, fewer buffers than the tile has boxes', () => {
  const rule = (c: GemmConfig, kind: KernelKind = 'bf16', output?: Bf16Output) =>
    rulesOf(c, kind, output).find((v) => v.rule === 'd-slabs');
  assert.match(rule({ ...ring(128, 256, 2), dSlabs: 4 })!.reason, /must be 0 \(whole-tile D staging\), 2 or 3/);
  assert.match(rule({ ...ring(128, 256, 2), dSlabs: 1 })!.reason, /must be 0/);
  assert.match(rule(ring(128, 256, 2), 'bf16-masked')!.reason, /kind 'bf16'.*use d_slabs=0 for 'bf16-masked'/);
  assert.match(
    rule({ ...ring(128, 256, 2), swizzleD: 0 })!.reason,
    /swizzleD 0 gives boxes of 256 columns: use swizzle_d=128/,
  );
  // 128x128 bf16 is two boxes of 64 columns: a ring of 2 would hold the whole tile anyway.
  assert.match(
    rule(ring(128, 128, 2))!.reason,
    /2 store boxes of 64 columns, no more than the ring's 2.*use d_slabs=0/,
  );
  assert.equal(rule(ring(128, 128, 2, {}, 'fp32'), 'bf16', 'fp32'), undefined);
  // The legal ones pass every rule, the shared-bytes field included.
  for (const c of [
    ring(128, 256, 2),
    ring(128, 256, 3),
    ring(128, 192, 2),
    ring(64, 256, 2),
    ring(64, 192, 2, { splitK: 2 }),
    ring(128, 176, 2, { pingpong: 1 }),
    ring(128, 176, 3, { pingpong: 1 }),
    ring(128, 128, 2, { pingpong: 1, swizzleD: 64 }),
  ])
    assert.deepEqual(rulesOf(c), [], JSON.stringify(c));
});

test('the FP8 kernels refuse the ring with their own rule', () => {
  const fp8 = {
    ...completeConfig({ blockM: 128, blockN: 128, clusterM: 1, clusterN: 1, numSms: 132 }, shape),
    dSlabs: 2,
  };
  const v = configViolations('normal', fp8, shape).find((x) => x.rule === 'd-slabs');
  assert.match(v!.reason, /only the BF16 GEMM stages D through a slab ring.*use d_slabs=0/);
});

test('--config d_slabs=2 forces the field; the ring is part of a config identity', () => {
  const parsed = parseConfigText('block_m=128,block_n=256,d_slabs=2');
  assert.ok(parsed.ok === true);
  assert.deepEqual(parsed.ok === true && parsed.value, { blockM: 128, blockN: 256, dSlabs: 2 });
  const whole = completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132, numStages: 4 });
  assert.equal(sameKernelConfig(whole, { ...whole, dSlabs: 2 }), false);
  assert.equal(sameKernelConfig(whole, { ...whole }), true);
});

test('generated unit: kSplitK then kDSlabs end the template arguments, _dsN names the entry; none without the ring', () => {
  const c = ring(128, 256, 2);
  const { source, kernelName } = kernelSourceBf16('bf16', c);
  assert.equal(kernelName, 'fp8lab_sm90_bf16_gemm_obf16_bm128_bn256_bk64_st4_wg2_cm1_cn1_sa128_sb128_sd128_sms132_ds2');
  assert.match(source, /Bf16Output::Bf16, false, 1, 2>;/);
  assert.match(source, /kSmemFixedBytes == 229440/);
  const split = kernelSourceBf16('bf16', ring(64, 192, 2, { splitK: 2 }));
  assert.match(split.source, /Bf16Output::Bf16, false, 2, 2>;/);
  assert.match(split.kernelName, /_sk2_ds2$/);
  const plain = completeConfigBf16({ blockM: 128, blockN: 256, numSms: 132 });
  assert.doesNotMatch(kernelSourceBf16('bf16', plain).source, /dSlabs|Bf16Output::Bf16, false, 1/);
  assert.equal(kernelNameBf16(plain).endsWith('_sms132'), true);
});

test('the planner gives cooperative tiles no ring: on the H100 it ran no faster beside cuBLASLt at K ≤ 2048 (bf16-slab-ring.json)', () => {
  // Bundled to test/dist/unit/core/bf16/: the fixtures are four levels up.
  const sweep: ShapeSweep = JSON.parse(
    readFileSync(join(__dirname, '../../../../fixtures/h100/bf16-slab-ring.json'), 'utf8'),
  );
  let compared = 0;
  for (const sc of sweep.cases.filter((c) => c.case.k <= 2048)) {
    const label = `${sc.case.m}x${sc.case.n}x${sc.case.k}`;
    const us = timesOnOneClock(sc.configs, 'cublaslt', label);
    const whole = sc.configs.findIndex((c) => !c.config.dSlabs);
    for (const [i, c] of sc.configs.entries()) {
      if (!c.config.dSlabs) continue;
      compared++;
      assert.ok(
        us[i] >= 0.98 * us[whole],
        `${label}: the ring ran ${us[i].toFixed(1)} µs against ${us[whole].toFixed(1)}`,
      );
    }
    const report = chooseConfigBf16({ kind: 'bf16', ...sc.case }, H100_SXM);
    assert.ok(
      report.candidates.every((c) => !c.config.dSlabs || c.config.pingpong),
      `${label}: a cooperative candidate carries the ring (only ping-pong ones do)`,
    );
  }
  assert.ok(compared >= 3, `${compared} ring configs compared`);
});
