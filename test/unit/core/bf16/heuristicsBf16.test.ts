// The BF16 heuristics on real shapes (the DeepSeek list, 8192³, decode): a legal, compilable choice
// with its reason, every candidate either predicted or rejected with a rule, and the rules that
// must fire where they apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseConfigBf16,
  enumerateCandidatesBf16,
  predictCostBf16,
} from '../../../../extension/src/core/bf16/heuristicsBf16';
import { configViolationsBf16, completeConfigBf16 } from '../../../../extension/src/core/bf16/kernelRulesBf16';
import { H100_SXM } from '../../../../extension/src/core/heuristics/device';
import { DEEPSEEK_NK } from '../../../../extension/src/core/deepseekShapes';

test('every DeepSeek shape (M 64, 128, 4096) and 8192³ gets a legal config and a reason', () => {
  const shapes = [
    ...[64, 128, 4096].flatMap((m) => DEEPSEEK_NK.map(([n, k]) => ({ m, n, k }))),
    { m: 8192, n: 8192, k: 8192 },
  ];
  for (const s of shapes) {
    const report = chooseConfigBf16({ kind: 'bf16', ...s }, H100_SXM);
    assert.deepEqual(
      configViolationsBf16(report.chosen, { kind: 'bf16', ...s }, { checkSharedBytesField: true }),
      [],
      `${s.m}x${s.n}x${s.k}`,
    );
    assert.match(report.why, /tiles in \d+ waves? on 132 SMs.*predicted/);
    for (const c of report.candidates)
      assert.ok(c.rejected || c.predicted, 'a candidate is either rejected or predicted');
  }
});

test('large square GEMMs pick big tiles; the model is math-bound at 8192³ near the BF16 peak', () => {
  const report = chooseConfigBf16({ kind: 'bf16', m: 8192, n: 8192, k: 8192 }, H100_SXM);
  assert.ok(
    report.chosen.blockM * report.chosen.blockN >= 128 * 192,
    `chose ${report.chosen.blockM}x${report.chosen.blockN}`,
  );
  const cost = predictCostBf16(report.chosen, { m: 8192, n: 8192, k: 8192 }, H100_SXM);
  const tflops = (2 * 8192 ** 3) / (cost.us * 1e-6) / 1e12;
  assert.ok(tflops > 400 && tflops < 720, `model ${tflops.toFixed(0)} TFLOPS`);
});

test('rejections carry rules: registers (256x256), multicast in one wave, too few stages', () => {
  const decode = enumerateCandidatesBf16({ kind: 'bf16', m: 64, n: 2112, k: 7168 }, H100_SXM);
  const find = (bm: number, bn: number, cm: number, cn: number) =>
    decode.find(
      (c) => c.config.blockM === bm && c.config.blockN === bn && c.config.clusterM === cm && c.config.clusterN === cn,
    )!;
  assert.equal(find(256, 256, 1, 1).rejected?.rule, 'registers');
  assert.equal(find(64, 64, 2, 1).rejected?.rule, 'multicast'); // one M-block at M = 64
  assert.equal(find(64, 64, 1, 2).rejected?.rule, 'multicast'); // 33 tiles: one wave
  assert.equal(find(128, 256, 1, 1).rejected, undefined);
  // fp32 D doubles the staging tile: 128x256 leaves 2 stages, fewer than a big tile needs.
  const fp32 = enumerateCandidatesBf16({ kind: 'bf16', m: 4096, n: 4096, k: 4096, output: 'fp32' }, H100_SXM);
  assert.equal(
    fp32.find(
      (c) => c.config.blockM === 128 && c.config.blockN === 256 && c.config.clusterM === 1 && c.config.clusterN === 1,
    )!.rejected?.rule,
    'stages',
  );
});

test('a shape the kernel cannot take is refused before any candidate, with a coded error', () => {
  assert.throws(
    () => chooseConfigBf16({ kind: 'bf16', m: 128, n: 4096, k: 100 }, H100_SXM),
    (e: Error & { code?: string }) => e.code === 'E_SHAPE_ALIGNMENT' && /multiple of 8/.test(e.message),
  );
  assert.ok(completeConfigBf16({ blockM: 64, blockN: 128, numSms: 132 }).numStages <= 8);
});

test("narrow tiles pay for wgmma's operand reads: 256x64 is not the pick at 4096x2112x7168", () => {
  // Measured on an H100 (fp8lab bench --kernel bf16 --shapes standard): the earlier pick there, 256x64,
  // ran 267.8 µs (463 TFLOPS) against cuBLASLt's 161.3 µs. Each of its four 64-row waves reads all of
  // B's 64 columns and its own 64 rows of A from shared memory per K-block: 64 KB against 32 KB of
  // tensor-core work's worth at 90 B/cycle.
  const problem = { kind: 'bf16' as const, m: 4096, n: 2112, k: 7168 };
  const narrow = completeConfigBf16({ blockM: 256, blockN: 64, numSms: 132, clusterM: 1, clusterN: 1 }, 'bf16');
  assert.equal(predictCostBf16(narrow, problem, H100_SXM).bound, 'operand-reads');
  const chosen = chooseConfigBf16(problem, H100_SXM).chosen;
  assert.ok(chosen.blockN >= 128, `chose ${chosen.blockM}x${chosen.blockN}`);
});

test('ties at the HBM floor go to the grid whose SMs finish first, for long K-loops only, and the reason says which rule broke it', () => {
  const long = chooseConfigBf16({ kind: 'bf16', m: 64, n: 7168, k: 16384 }, H100_SXM);
  assert.equal(`${long.chosen.blockM}x${long.chosen.blockN}`, '64x64');
  assert.match(
    long.why,
    /bound by hbm; ties with 64x\d+ at the hbm floor, whose SMs would finish their tiles later\.$/,
  );
  // 64x32, enumerated first, ties too but runs two waves.
  const first = long.candidates.find((c) => c.config.blockM === 64 && c.config.blockN === 32 && !c.config.splitK);
  assert.equal(first?.predicted?.cycles, long.candidates.find((c) => c.config === long.chosen)?.predicted?.cycles);
  const short = chooseConfigBf16({ kind: 'bf16', m: 64, n: 32768, k: 512 }, H100_SXM);
  assert.equal(`${short.chosen.blockM}x${short.chosen.blockN}`, '64x64');
  assert.match(short.why, /kept the one enumerated first\)\.$/);
  // Measured on the normal GEMM only: a grouped kind's tie keeps the enumeration order.
  const masked = chooseConfigBf16(
    { kind: 'bf16-masked', m: 4096, n: 7168, k: 3072, numGroups: 32, expectedM: 20 },
    H100_SXM,
  );
  assert.equal(`${masked.chosen.blockM}x${masked.chosen.blockN}`, '64x32');
  assert.match(masked.why, /kept the one enumerated first\)\.$/);
});
