// Split-K in the BF16 planner: a split tile priced per work unit with the hand-over, split-K
// candidates for kind 'bf16' with their reasons, split 2 offered only where ahead by the margin,
// split 4 held back, and the DeepSeek shapes' picks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GemmConfig } from '../../../../extension/protocol/worker';
import {
  BF16_SPLIT_K_MIN_GAIN,
  chooseConfigBf16,
  enumerateCandidatesBf16,
  predictCostBf16,
} from '../../../../extension/src/core/bf16/heuristicsBf16';
import { completeConfigBf16 } from '../../../../extension/src/core/bf16/kernelRulesBf16';
import { DEEPSEEK_NK } from '../../../../extension/src/core/deepseekShapes';
import { MODEL, splitKExchangeCycles } from '../../../../extension/src/core/heuristics/costModel';
import { H100_SXM } from '../../../../extension/src/core/heuristics/device';
import { sameKernelConfig } from '../../../../extension/src/core/configIdentity';
import { timesOnOneClock, type ShapeSweep } from '../configSweepFixture';

const shape = { kind: 'bf16' as const, m: 64, n: 2112, k: 7168 };
const split = (blockM: number, blockN: number, splitK: number) =>
  completeConfigBf16({ blockM, blockN, numSms: 132, splitK });

test('cost: a split tile runs ceil(K-blocks / splitK) per work unit, waves over tiles x splitK, plus the hand-over', () => {
  // 64x2112x7232: 113 K-blocks; 64x64 tiles: 33 of them, one wave unsplit and split 2 (66 CTAs).
  const problem = { kind: 'bf16' as const, m: 64, n: 2112, k: 7232 };
  const one = predictCostBf16(split(64, 64, 1), problem, H100_SXM);
  const two = predictCostBf16(split(64, 64, 2), problem, H100_SXM);
  assert.deepEqual([one.tiles, one.waves, two.tiles, two.waves], [33, 1, 33, 1]);
  assert.notEqual(one.bound, 'hbm');
  assert.notEqual(two.bound, 'hbm');
  // The busy SM: 113 K-blocks, or 57 plus the hand-over; a 64x64 K-block costs the larger of its
  // TMA ingest and its operand reads (both 128 x 64 x 2 bytes at 80 B/cycle) plus the K-block sync.
  const perKBlock = (128 * 64 * 2) / 80 + MODEL.kBlockSyncCycles;
  const exchange = splitKExchangeCycles({ blockM: 64, blockN: 64, splitK: 2 });
  assert.equal(exchange, MODEL.splitKExchangeCycles + (64 * 64 * 4) / MODEL.dsmemBytesPerCycle);
  assert.ok(Math.abs(one.cycles - two.cycles - (56 * perKBlock - exchange)) <= 1, `${one.cycles} vs ${two.cycles}`);
  // 64x16 tiles: 132 of them, 264 work units on 132 SMs is 2 waves.
  assert.equal(predictCostBf16(split(64, 16, 2), problem, H100_SXM).waves, 2);
});

test('planner: split-K candidates for kind bf16 only, each predicted or rejected with its reason', () => {
  const decode = enumerateCandidatesBf16(shape, H100_SXM);
  const splits = decode.filter((c) => (c.config.splitK ?? 1) > 1);
  assert.equal(splits.length, 2 * 3 * 16);
  assert.ok(splits.every((c) => c.config.clusterM * c.config.clusterN === 1 && !c.config.pingpong));
  const reasons = splits.map((c) => c.rejected?.reason ?? '');
  assert.ok(reasons.some((r) => /would add a wave/.test(r)));
  assert.ok(reasons.some((r) => /split-K is offered only 5% or more ahead/.test(r)));
  assert.ok(reasons.some((r) => /exchange leaves no room for 2 stages/.test(r)));
  assert.ok(reasons.some((r) => /not offered: split-K 4 ran 1\.8-2\.2x slower than the picks/.test(r)));
  // Too few K-blocks for the hand-over to pay: K = 512 is 8 K-blocks, fewer than 4 x 4.
  const shortK = enumerateCandidatesBf16({ ...shape, k: 512 }, H100_SXM).filter((c) => c.config.splitK === 4);
  assert.ok(
    shortK
      // 64x240 and 64x256 are refused by the kernel's split-k accumulator rule instead.
      .filter((c) => !c.rejected || (c.rejected.rule === 'split-k' && !/accumulator registers/.test(c.rejected.reason)))
      .every((c) => /saves less/.test(c.rejected!.reason)),
  );
  // The grouped kinds are offered none.
  for (const kind of ['bf16-contiguous', 'bf16-masked'] as const)
    assert.ok(
      enumerateCandidatesBf16({ kind, m: 1024, n: 4096, k: 2048, numGroups: 4 }, H100_SXM).every(
        (c) => !c.config.splitK,
      ),
    );
});

test('planner: a split-K win (few tiles, long K) is offered by the margin; split 4 is held back', () => {
  const long = chooseConfigBf16({ kind: 'bf16', m: 64, n: 2112, k: 16384 }, H100_SXM);
  // 64x16 without split-K fills the 132 SMs with 132 tiles of 256 K-blocks; 64x32 split 2 gives each
  // SM half a tile's K-blocks at twice the width: fewer bytes per FLOP landed in each SM.
  assert.equal(`${long.chosen.blockM}x${long.chosen.blockN} split ${long.chosen.splitK}`, '64x32 split 2');
  assert.match(long.why, /^64x32 split-K 2 with 8 stages: 66 tiles .* each tile's K split across 2 CTAs/);
  const unsplit = long.candidates.filter((c) => c.predicted && (c.config.splitK ?? 1) === 1);
  const bestUnsplit = Math.min(...unsplit.map((c) => c.predicted!.cycles));
  // Every split 2 offered is ahead of every tile without split-K by the margin; the ones under it say so.
  for (const c of long.candidates.filter((c) => c.config.splitK === 2 && c.predicted))
    assert.ok(c.predicted!.cycles <= bestUnsplit * (1 - BF16_SPLIT_K_MIN_GAIN));
  const under = long.candidates.filter((c) => /offered only 5% or more ahead/.test(c.rejected?.reason ?? ''));
  assert.ok(under.length > 0);
  for (const c of under) {
    const gain = /^predicted [\d.]+ µs, ([\d.]+)% (faster|slower) than \d+x\d+ without split-K/.exec(
      c.rejected!.reason,
    );
    assert.ok(gain, c.rejected!.reason);
    assert.ok(gain[2] === 'slower' || Number(gain[1]) < BF16_SPLIT_K_MIN_GAIN * 100, c.rejected!.reason);
  }
  // Split 4 is priced, then held back with its prediction and the measurement in the reason.
  const four = long.candidates.filter((c) => c.config.splitK === 4 && /not offered/.test(c.rejected?.reason ?? ''));
  assert.ok(four.length > 0);
  assert.match(
    four[0].rejected!.reason,
    /^predicted [\d.]+ µs, .*split-K 4 ran 1\.8-2\.2x slower than the picks at the M = 128 decode shapes/,
  );
  // Split 4 is never offered.
  assert.ok(long.candidates.every((c) => (c.config.splitK ?? 1) < 4 || c.rejected));
});

test('planner: the 18 DeepSeek shapes and 8192³: split-K 2 at N = 2112 for M = 64 and 128, no split elsewhere, ping-pong pairs at M = 4096 up to K = 1536 and N = 2112', () => {
  // Elsewhere the model's split-K wins are under the margin or add waves (M = 4096: many tiles per SM).
  const label = (c: GemmConfig) =>
    `${c.blockM}x${c.blockN}${c.pingpong ? ' pp' : ''} c${c.clusterM}x${c.clusterN} st${c.numStages}${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''}`;
  const picks: Array<[number, number, number, string]> = [
    [64, 2112, 7168, '64x32 c1x1 st8 sk2'],
    [64, 24576, 1536, '64x192 c1x1 st6'],
    [64, 32768, 512, '64x64 c1x1 st8'],
    [64, 7168, 16384, '64x64 c1x1 st8'],
    [64, 4096, 7168, '64x32 c1x1 st8'],
    [64, 7168, 2048, '64x64 c1x1 st8'],
    [128, 2112, 7168, '64x64 c1x1 st8 sk2'],
    [128, 24576, 1536, '128x192 c1x1 st4'],
    [128, 32768, 512, '64x128 c1x1 st8'],
    [128, 7168, 16384, '64x112 c1x1 st8'],
    [128, 4096, 7168, '64x64 c1x1 st8'],
    [128, 7168, 2048, '64x112 c1x1 st8'],
    [4096, 2112, 7168, '128x176 pp c2x1 st5'],
    [4096, 24576, 1536, '128x176 pp c2x1 st5'],
    [4096, 32768, 512, '128x160 pp c2x1 st5'],
    [4096, 7168, 16384, '128x256 c1x1 st3'],
    [4096, 4096, 7168, '128x256 c1x1 st3'],
    [4096, 7168, 2048, '128x256 c1x1 st3'],
    [8192, 8192, 8192, '128x256 c1x1 st3'],
  ];
  assert.equal(picks.length, 3 * DEEPSEEK_NK.length + 1);
  for (const [m, n, k, want] of picks) {
    const report = chooseConfigBf16({ kind: 'bf16', m, n, k }, H100_SXM);
    assert.equal(label(report.chosen), want, `${m}x${n}x${k}`);
    if (m >= 4096)
      assert.ok(
        report.candidates.every((c) => (c.config.splitK ?? 1) === 1 || c.rejected),
        `${m}x${n}x${k}: every split-K candidate is rejected`,
      );
  }
});

// Split-K 4 and 128-row tiles at the M = 128 decode shapes, beside the planner's picks (H100,
// test/fixtures/h100/bf16-decode-128.json, cuBLASLt beside ours in every process).
test('measured: split-K 4 ran 1.8-2.2x slower than the picks at M = 128; 128x32 (B read once) level at N = 4096 and behind elsewhere', () => {
  const sweep: ShapeSweep = JSON.parse(
    readFileSync(join(__dirname, '../../../../fixtures/h100/bf16-decode-128.json'), 'utf8'),
  );
  assert.equal(sweep.cases.length, 3);
  for (const sc of sweep.cases) {
    const label = `${sc.case.m}x${sc.case.n}x${sc.case.k}`;
    const us = timesOnOneClock(sc.configs, 'cublaslt', label);
    const pick = chooseConfigBf16({ kind: 'bf16', ...sc.case }, H100_SXM).chosen;
    const p = sc.configs.findIndex((c) => sameKernelConfig(c.config, pick));
    assert.ok(p >= 0, `${label}: the pick was timed`);
    const fours = sc.configs.flatMap((c, i) => ((c.config.splitK ?? 1) === 4 ? [us[i] / us[p]] : []));
    assert.equal(fours.length, 2, label);
    for (const r of fours) assert.ok(r > 1.75 && r < 2.25, `${label}: split-K 4 ran ${r.toFixed(2)}x the pick's time`);
    const narrow = sc.configs.findIndex((c) => c.config.blockM === 128 && c.config.blockN === 32);
    const r = us[narrow] / us[p];
    if (sc.case.n === 4096) assert.ok(Math.abs(r - 1) < 0.03, `${label}: 128x32 level (${r.toFixed(3)})`);
    else assert.ok(r > 1.15, `${label}: 128x32 behind (${r.toFixed(3)})`);
  }
});
