// Candidate enumeration, rejection reasons, the cost model's choice and its text form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceReport, GemmProblem } from '../../../extension/protocol/worker';
import { deepseekShapes, gpuTestShapes } from '../../../extension/src/core/deepseekShapes';
import {
  chooseConfig,
  enumerateCandidates,
  formatConfigReport,
  H100_SXM,
  MODEL,
  PolicyError,
  policyDevice,
  predictCost,
  rawCandidates,
  waveInfo,
  workShape,
  type PolicyDevice,
} from '../../../extension/src/core/heuristics';
import { firstViolation } from '../../../extension/src/core/kernelRules';

const normal = (m: number, n: number, k: number): GemmProblem => ({ kind: 'normal', m, n, k });
const label = (p: GemmProblem) => `${p.m}x${p.n}x${p.k}`;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The first rejection with this rule (and reason pattern) among a problem's candidates. */
function findRejection(p: GemmProblem, rule: string, reason?: RegExp, device: PolicyDevice = H100_SXM) {
  return enumerateCandidates(p, device).find(
    (c) => c.rejected?.rule === rule && (!reason || reason.test(c.rejected.reason)),
  );
}

test('every combination is enumerated once, each either rejected with a reason or predicted', () => {
  const all = enumerateCandidates(normal(4096, 7168, 2048), H100_SXM);
  assert.equal(all.length, rawCandidates().length);
  // cluster modes (none, two multicast pairs, the split-K pair) x block_m x block_n x math WGs
  assert.equal(all.length, 4 * 3 * 16 * 2);
  const keys = new Set(
    all.map(
      (c) =>
        `${c.config.blockM}/${c.config.blockN}/${c.config.numMathWarpgroups}/${c.config.clusterM}/${c.config.clusterN}/${c.config.splitK ?? 1}`,
    ),
  );
  assert.equal(keys.size, all.length);
  for (const c of all) {
    if (c.rejected) {
      assert.ok(c.rejected.rule.length > 0 && c.rejected.reason.length > 20, JSON.stringify(c.rejected));
      assert.equal(c.predicted, undefined);
    } else {
      assert.ok(c.predicted!.cycles > 0 && c.predicted!.us > 0);
    }
    assert.ok(c.tiles > 0 && c.waves >= 1 && c.lastWaveUtilisation > 0 && c.lastWaveUtilisation <= 1);
  }
});

test('rejection: kernel rules (math warpgroups, scale-b blocks, registers) with their sentences', () => {
  const p = normal(64, 2112, 7168);
  assert.match(findRejection(p, 'math-warpgroups')!.rejected!.reason, /blockM 64 needs 1 math warpgroup/);
  assert.match(findRejection(p, 'scale-b-blocks')!.rejected!.reason, /blockN 176 lets a tile straddle three/);
  const reg = findRejection(p, 'registers')!;
  assert.match(reg.rejected!.reason, /would spill/);
  assert.ok(reg.config.blockN > 192 || (reg.config.blockM === 256 && reg.config.blockN > 128));
});

test('rejection: multicast needs two waves, and a partner block', () => {
  const oneWave = findRejection(normal(64, 2112, 7168), 'cluster')!;
  assert.equal(oneWave.rejected!.reason, 'multicast needs ≥ 2 waves; this shape has 1');
  assert.equal(oneWave.waves, 1);
  // M = 64 is one M-block: sharing B between two M-blocks has no partner, even over many waves
  const noPartner = findRejection(normal(64, 24576, 1536), 'cluster', /B multicast pairs two M-blocks/)!;
  assert.ok(noPartner.waves >= 2 && noPartner.config.clusterM === 2);
});

test('rejection: shared memory and too few stages, on a shape with a huge K (its B scales fill shared memory)', () => {
  const p = normal(4096, 7168, 2 ** 21);
  const smem = findRejection(p, 'smem')!;
  assert.match(smem.rejected!.reason, /of shared memory at 2 stages; the device has 232448/);
  assert.ok(smem.config.sharedBytes > H100_SXM.sharedMemoryBytes);
  const stages = findRejection(p, 'stages')!;
  assert.match(stages.rejected!.reason, /^only \d stages? fit; at least [34] are needed to overlap loads/);
  assert.ok(stages.config.sharedBytes <= H100_SXM.sharedMemoryBytes);
  // the same tiles are fine at an ordinary K
  const ok = enumerateCandidates(normal(4096, 7168, 7168), H100_SXM).find(
    (c) =>
      c.config.blockM === stages.config.blockM &&
      c.config.blockN === stages.config.blockN &&
      c.config.clusterM === stages.config.clusterM &&
      c.config.clusterN === stages.config.clusterN &&
      c.config.numMathWarpgroups === stages.config.numMathWarpgroups,
  )!;
  assert.notEqual(ok.rejected?.rule, 'stages');
});

test('rejection: the contiguous layout fixes block_m (alignment); the 1D2D kernel now serves it', () => {
  const p: GemmProblem = { kind: 'contiguous', m: 8192, n: 6144, k: 7168, numGroups: 4, expectedM: 8192 };
  assert.match(findRejection(p, 'alignment')!.rejected!.reason, /block_m must be 128; got (64|256)/);
  assert.equal(chooseConfig(p, H100_SXM).chosen.blockM, 128);
  // wgrad / k-grouped run on the 1D1D kernel, whose rules are kernelRules' wgrad* exports.
  const kg: GemmProblem = { kind: 'kgrouped', m: 4096, n: 7168, k: 8192, numGroups: 4 };
  assert.throws(
    () => chooseConfig(kg, H100_SXM),
    (e: unknown) =>
      e instanceof PolicyError &&
      e.code === 'E_INVALID_CONFIG' &&
      /no candidate config is legal .*gemm-type/.test(e.message),
  );
});

test('rejection: grouped kinds turn multicast off where DeepGEMM does (masked small m, many K groups)', () => {
  const masked: GemmProblem = { kind: 'masked', m: 4096, n: 4096, k: 2048, numGroups: 32, expectedM: 20 };
  assert.match(findRejection(masked, 'cluster', /expected m 20/)!.rejected!.reason, /one M-block of (64|128|256) rows/);
  assert.ok(findRejection(masked, 'cluster', /do not pair up/));
  const kgrouped: GemmProblem = { kind: 'kgrouped', m: 4096, n: 7168, k: 4096, numGroups: 8 };
  assert.match(findRejection(kgrouped, 'cluster')!.rejected!.reason, /more than 4 groups \(8\)/);
  const few: GemmProblem = { kind: 'kgrouped', m: 4096, n: 7168, k: 8192, numGroups: 4 };
  assert.equal(findRejection(few, 'cluster', /more than 4 groups/), undefined);
});

test('rejection: an odd SM count cannot hold whole clusters (num-sms)', () => {
  const dev = policyDevice(undefined, 131);
  const r = findRejection(normal(4096, 7168, 2048), 'num-sms', undefined, dev)!;
  assert.match(r.rejected!.reason, /multiple of the cluster size 2/);
  assert.equal(
    chooseConfig(normal(4096, 7168, 2048), dev).chosen.clusterM *
      chooseConfig(normal(4096, 7168, 2048), dev).chosen.clusterN,
    1,
  );
});

test('the chosen config is legal for the kernel, fits the device and is a listed legal candidate (42 GPU-test shapes)', () => {
  for (const p of gpuTestShapes()) {
    const r = chooseConfig(p, H100_SXM);
    assert.equal(
      firstViolation(p.kind, r.chosen, p, { capacity: H100_SXM.sharedMemoryBytes, checkSharedBytesField: true }),
      null,
      label(p),
    );
    assert.ok(r.chosen.sharedBytes <= H100_SXM.sharedMemoryBytes);
    assert.ok(r.chosen.numStages >= 3 && r.chosen.numStages <= 16);
    assert.equal(r.chosen.numSms, 132);
    const listed = r.candidates.filter((c) => !c.rejected && JSON.stringify(c.config) === JSON.stringify(r.chosen));
    assert.equal(listed.length, 1, label(p));
    // nothing legal is predicted faster than the choice
    const best = Math.min(...r.candidates.filter((c) => !c.rejected).map((c) => c.predicted!.cycles));
    assert.equal(listed[0].predicted!.cycles, best);
  }
});

// Updated to the H100 measurements (test/fixtures/h100/tune-deepseek.json): at M = 128 a 128-row
// tile with two math warpgroups was fastest for wide N (128x128 at 128x32768x512, 128x96 at
// 128x24576x1536), and at M = 4096 a cluster was never clearly ahead (256x128 alone 189.9 µs vs
// 211.0 µs with a cluster at 4096x4096x7168), so neither "block_m 64" nor "cluster 2" is required.
test('deepseek shapes: block_m 64 at M = 64; 2-warpgroup tiles of ≥ 128x96 without a runtime straddle at M = 4096', () => {
  for (const p of deepseekShapes()) {
    const c = chooseConfig(p, H100_SXM).chosen;
    if (p.m === 64) {
      assert.equal(c.blockM, 64, label(p));
      assert.equal(c.numMathWarpgroups, 1);
    } else if (p.m <= 128) {
      assert.ok(c.blockM <= 128, `${label(p)}: ${c.blockM}x${c.blockN}`);
    } else {
      assert.ok(c.blockM >= 128, label(p));
      // (≥ 128x192 before the overlapped K-loop; since, 128x128 with multicast measures fastest at M = 4096)
      assert.ok(c.blockM * c.blockN >= 128 * 96, `${label(p)}: ${c.blockM}x${c.blockN}`);
      assert.equal(c.numMathWarpgroups, 2);
      assert.ok(
        gcd(c.blockN, 128) >= 32,
        `${label(p)}: block_n ${c.blockN} straddles scale blocks without the kernel's specialisation`,
      );
    }
  }
});

test('at M ≤ 128 the chosen block_n fills the SMs better than the largest legal block_n', () => {
  const r = chooseConfig(normal(64, 2112, 7168), H100_SXM);
  const chosen = r.candidates.find(
    (c) =>
      !c.rejected &&
      c.config.blockN === r.chosen.blockN &&
      c.config.clusterM === r.chosen.clusterM &&
      c.config.clusterN === r.chosen.clusterN &&
      c.config.blockM === r.chosen.blockM,
  )!;
  const wide = r.candidates.find(
    (c) =>
      !c.rejected && c.config.blockM === 64 && c.config.blockN === 128 && c.config.clusterM * c.config.clusterN === 1,
  )!;
  assert.ok(chosen.lastWaveUtilisation > wide.lastWaveUtilisation);
  assert.ok(chosen.predicted!.us < wide.predicted!.us);
});

test('changing numSms changes the waves (and what is predicted)', () => {
  const p = normal(4096, 7168, 2048);
  const full = enumerateCandidates(p, H100_SXM);
  const half = enumerateCandidates(p, policyDevice(undefined, 66));
  for (let i = 0; i < full.length; i++) {
    assert.equal(full[i].tiles, half[i].tiles);
    assert.ok(half[i].waves >= full[i].waves);
  }
  const i = full.findIndex(
    (c) => !c.rejected && c.config.blockM === 128 && c.config.blockN === 128 && c.config.clusterM === 2,
  );
  assert.equal(full[i].waves, Math.ceil(1792 / 132));
  assert.equal(half[i].waves, Math.ceil(1792 / 66));
  assert.ok(half[i].predicted!.us > full[i].predicted!.us * 1.5);
  assert.deepEqual(waveInfo(workShape(p), 128, 128, 132, 2), {
    tiles: 1792,
    ctas: 132,
    waves: 14,
    lastWaveUtilisation: 76 / 132,
    efficiency: 1792 / (14 * 132),
  });
  assert.equal(waveInfo(workShape(p), 128, 128, 131, 2).ctas, 130);
});

test('ties break deterministically: the first candidate in enumeration order wins', () => {
  for (const p of [normal(4096, 4096, 7168), normal(4096, 7168, 16384), normal(64, 32768, 512)]) {
    const a = chooseConfig(p, H100_SXM);
    assert.deepEqual(chooseConfig(p, H100_SXM), a);
    const all = enumerateCandidates(p, H100_SXM);
    const best = Math.min(...all.filter((c) => !c.rejected).map((c) => c.predicted!.cycles));
    const first = all.find((c) => !c.rejected && c.predicted!.cycles === best)!;
    assert.deepEqual(a.chosen, first.config);
  }
});

test('the why sentence names the tiles, waves, prediction and the runner-up', () => {
  const r = chooseConfig(normal(4096, 7168, 16384), H100_SXM);
  assert.match(
    r.why,
    /^\d+x\d+( cluster 2 \([AB] multicast\))? with \d+ stages: \d+ tiles in \d+ waves on 132 SMs \(last wave \d+% full\); predicted \d+ µs, bound by [a-zA-Z +-]+; (the next best, |ties with )/,
  );
});

test('a forced config is checked and kept; an illegal one is refused with its rule; bad shapes are refused', () => {
  const p = normal(4096, 7168, 7168);
  const chosen = chooseConfig(p, H100_SXM).chosen;
  const forced = enumerateCandidates(p, H100_SXM).find(
    (c) =>
      !c.rejected &&
      c.config.blockM === 128 &&
      c.config.blockN === 96 &&
      c.config.clusterM === 1 &&
      c.config.clusterN === 1,
  )!.config;
  const r = chooseConfig({ ...p, config: forced }, H100_SXM);
  assert.deepEqual(r.chosen, forced);
  assert.match(r.why, /was forced/);
  assert.notDeepEqual(forced, chosen);
  assert.throws(
    () => chooseConfig({ ...p, config: { ...forced, blockN: 256 } }, H100_SXM),
    (e: unknown) => e instanceof PolicyError && e.code === 'E_INVALID_CONFIG' && /rule registers/.test(e.message),
  );
  assert.throws(() => chooseConfig({ ...p, config: { ...forced, numStages: 9 } }, H100_SXM), /rule smem/);
  assert.throws(
    () => chooseConfig(normal(4096, 7168, 7000), H100_SXM),
    (e: unknown) => e instanceof PolicyError && e.code === 'E_INVALID_SHAPE' && /multiple of 128/.test(e.message),
  );
});

test('cost model: under the power cap a tile takes at least its energy; fewer ingest bytes per FLOP run faster at long K', () => {
  const tile128 = {
    blockM: 128,
    blockN: 128,
    blockK: 128,
    numStages: 5,
    numMathWarpgroups: 2,
    clusterM: 1,
    clusterN: 1,
  };
  const tile256 = { ...tile128, blockM: 256, numStages: 3 };
  // The K-block energy: tensor-core cycles plus the stage's ingest bytes (A, B, SFA) at the fitted rate.
  const long = workShape(normal(4096, 7168, 16384));
  const a = predictCost(tile128, long, H100_SXM);
  const b = predictCost(tile256, long, H100_SXM);
  assert.equal(
    a.perKBlock.energy,
    (2 * 128 * 128 * 128) / MODEL.tensorFlopPerCyclePerSm +
      (128 * 128 + 128 * 128 + 128 * 4) * MODEL.ingestEnergyCyclesPerByte,
  );
  // 256x128 lands 384 bytes per 128 of K for 256x128 MACs, 128x128 lands 256 for 128x128: per FLOP, 3/4.
  assert.ok(b.perKBlock.energy / 2 < a.perKBlock.energy);
  // At K = 16384 (128 K-blocks a tile) the energy sets 128x128's pace, and 256x128 wins per FLOP;
  // its two serial waves (the unrolled loop) cost no more math cycles per FLOP than the overlapped loop.
  assert.equal(a.bound, 'the power cap');
  assert.ok(b.perKBlock.math / 2 <= a.perKBlock.math);
  assert.ok(b.us < a.us);
  // At K = 512 (4 K-blocks a tile) the epilogue's quieter cycles let the clock recover: the energy
  // does not bind, and 256x128 still wins (its epilogue per FLOP is half as frequent), as the
  // interleaved sweep measured (159.3 against 165.2 µs for the overlapped 128x128).
  const short = workShape(normal(4096, 32768, 512));
  assert.notEqual(predictCost(tile128, short, H100_SXM).bound, 'the power cap');
  assert.ok(predictCost(tile256, short, H100_SXM).us < predictCost(tile128, short, H100_SXM).us);
  // A memory-bound decode shape is not power-bound.
  assert.notEqual(
    predictCost(
      { ...tile128, blockM: 64, numMathWarpgroups: 1, blockN: 16, numStages: 16 },
      workShape(normal(64, 2112, 7168)),
      H100_SXM,
    ).bound,
    'the power cap',
  );
});

test('cost model: multicast halves the shared operand in L2 and couples the CTAs, one-warpgroup tiles most; longer K costs more', () => {
  const work = workShape(normal(4096, 7168, 7168));
  const base = { blockM: 128, blockN: 128, blockK: 128, numStages: 6, numMathWarpgroups: 2, clusterM: 1, clusterN: 1 };
  const solo = predictCost(base, work, H100_SXM);
  const mcB = predictCost({ ...base, clusterM: 2 }, work, H100_SXM);
  // 32 M-blocks pair up fully: B's L2 bytes halve, A's stay
  const kBlocks = 7168 / 128;
  assert.equal(solo.l2Bytes - mcB.l2Bytes, (solo.waves.tiles * kBlocks * (128 * 128)) / 2);
  // The lock-step cost per K-block: a small one for two-warpgroup tiles (their K-blocks are long),
  // the larger one for one-warpgroup tiles (measured: 64x16 with a cluster ran behind none).
  // Part of it runs in the K-loop (where the power-cap floor may hide it), the rest is always paid.
  const share = MODEL.clusterCouplingExposedShare;
  assert.ok(mcB.l2Cycles < solo.l2Cycles);
  assert.equal(mcB.perKBlock.math, solo.perKBlock.math + MODEL.clusterCouplingTwoWgCycles * (1 - share));
  assert.ok(
    mcB.computeCycles - solo.computeCycles >= solo.waves.waves * kBlocks * MODEL.clusterCouplingTwoWgCycles * share,
  );
  assert.ok(MODEL.clusterCouplingTwoWgCycles < MODEL.clusterCouplingCycles);
  const narrow = { ...base, blockM: 64, numMathWarpgroups: 1 };
  assert.equal(
    predictCost({ ...narrow, clusterN: 2 }, work, H100_SXM).perKBlock.math,
    predictCost(narrow, work, H100_SXM).perKBlock.math + MODEL.clusterCouplingCycles * (1 - share),
  );
  const longer = predictCost(base, workShape(normal(4096, 7168, 14336)), H100_SXM);
  assert.ok(longer.cycles > 1.8 * (solo.cycles - solo.fixedCycles));
  // fewer stages never predict faster
  assert.ok(predictCost({ ...base, numStages: 2 }, work, H100_SXM).cycles >= solo.cycles);
  // the HBM term: bytes that must move once (A + B + D + scales)
  assert.equal(solo.dramBytes, 4096 * 7168 + 7168 * 7168 + 4096 * 7168 * 2 + 4096 * 56 * 4 + 56 * 56 * 4);
});

test('FP8LAB_PRINT_CONFIGS text: header, one line per candidate, the chosen one marked', () => {
  const r = chooseConfig(normal(128, 7168, 2048), H100_SXM);
  const lines = formatConfigReport(r).trimEnd().split('\n');
  assert.match(lines[0], /^FP8LAB configs: normal 128x7168x2048 on 132 SMs — 384 candidates, \d+ legal$/);
  assert.match(lines[1], /^chosen: \d+x\d+ c\dx\d wg\d st\d+ — /);
  assert.equal(lines.length, 2 + 384);
  const marked = lines.filter((l) => l.startsWith('*'));
  assert.equal(marked.length, 1);
  assert.ok(marked[0].includes(`${r.chosen.blockM}x${r.chosen.blockN} c${r.chosen.clusterM}x${r.chosen.clusterN}`));
  assert.match(marked[0], /pred +[\d.]+ us/);
  assert.ok(lines.some((l) => / rejected registers: /.test(l)));
  const legal = formatConfigReport(r, { legalOnly: true }).trimEnd().split('\n');
  assert.equal(legal.length, 2 + r.candidates.filter((c) => !c.rejected).length);
});

test('configs --top N: the N legal candidates predicted fastest, fastest first, the chosen one marked', () => {
  const r = chooseConfig(normal(4096, 7168, 2048), H100_SXM);
  const lines = formatConfigReport(r, { top: 5 }).trimEnd().split('\n');
  assert.equal(lines.length, 3 + 5);
  assert.match(lines[2], /^the 5 fastest legal by the cost model, fastest first:$/);
  const us = lines.slice(3).map((l) => Number(/pred +([\d.]+) us/.exec(l)?.[1]));
  assert.ok(us.every(Number.isFinite), lines.join('\n'));
  assert.deepEqual(
    [...us].sort((a, b) => a - b),
    us,
  );
  const fastest = Math.min(...r.candidates.filter((c) => !c.rejected).map((c) => c.predicted!.us));
  assert.equal(us[0], Number(fastest.toFixed(2)));
  assert.ok(lines.slice(3).every((l) => !/ rejected /.test(l)));
  assert.equal(
    formatConfigReport(r, { top: 100_000 }).trimEnd().split('\n').length,
    3 + r.candidates.filter((c) => !c.rejected).length,
  );
});

test('policyDevice: from a probed device, FP8LAB_NUM_SMS may only lower the SM count', () => {
  const report: DeviceReport = {
    ordinal: 0,
    name: 'NVIDIA H100 80GB HBM3',
    computeCapability: [9, 0],
    smCount: 132,
    totalMemoryBytes: 85e9,
    l2CacheBytes: 52428800,
    maxSharedMemoryPerBlockOptin: 232448,
    clockRateKHz: 1980000,
    isHopper: true,
  };
  assert.deepEqual(policyDevice(report), {
    name: 'NVIDIA H100 80GB HBM3',
    numSms: 132,
    sharedMemoryBytes: 232448,
    deviceSms: 132,
  });
  assert.equal(policyDevice(report, 120).numSms, 120);
  assert.equal(policyDevice(report, 120).deviceSms, 132, 'what the GPU can launch stays known');
  assert.equal(policyDevice(undefined).deviceSms, undefined, 'no GPU: no device bound');
  assert.throws(() => policyDevice(report, 200), /exceeds the 132 SMs/);
  assert.throws(() => policyDevice(report, 0), /≥ 1/);
});

test('predictions stay within 0.7x–1.5x of DeepGEMM on the H100 (shared/PERF.md, measured 2026-11-21)', () => {
  // Time per call (µs) of DeepGEMM 2.6.1 on the test H100: a sanity bound on the model, not a target.
  const measured: Array<[number, number, number, number]> = [
    [64, 2112, 7168, 9.5],
    [64, 24576, 1536, 17.4],
    [64, 32768, 512, 9.4],
    [64, 7168, 16384, 45.0],
    [64, 4096, 7168, 13.6],
    [64, 7168, 2048, 8.1],
    [128, 2112, 7168, 10.5],
    [128, 24576, 1536, 19.1],
    [128, 32768, 512, 10.8],
    [128, 7168, 16384, 47.8],
    [128, 4096, 7168, 13.9],
    [128, 7168, 2048, 9.2],
    [4096, 2112, 7168, 109.3],
    [4096, 24576, 1536, 268.2],
    [4096, 32768, 512, 147.9],
    [4096, 7168, 16384, 749.6],
    [4096, 4096, 7168, 188.4],
    [4096, 7168, 2048, 103.0],
    [8192, 8192, 8192, 877.4],
  ];
  for (const [m, n, k, us] of measured) {
    const r = chooseConfig(normal(m, n, k), H100_SXM);
    const predicted = r.candidates.find((c) => !c.rejected && JSON.stringify(c.config) === JSON.stringify(r.chosen))!
      .predicted!.us;
    const ratio = predicted / us;
    assert.ok(ratio > 0.7 && ratio < 1.5, `${m}x${n}x${k}: predicted ${predicted.toFixed(1)} µs vs DeepGEMM ${us} µs`);
  }
});
