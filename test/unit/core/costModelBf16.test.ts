// The BF16 cost model against measured BF16 GEMMs: test/fixtures/h100/bf16-tiles.json holds ten of
// the standard BF16 shapes, each timed on an H100 under the heuristics' pick of the time and under
// forced tiles; bf16-pingpong.json the short-K M = 4096 shapes again, under the cooperative picks and
// the ping-pong tiles; bf16-pingpong-clusters.json, bf16-pingpong-pairs.json and
// bf16-pingpong-pair-sweep.json the ping-pong pairs (2x1 clusters) beside the picks, and
// bf16-pair-picks.json the pairs the planner picks beside the cooperative picks they replaced. One
// `fp8lab bench --kernel bf16` process per config, cuBLASLt's best algorithm timed beside ours in
// every process. Processes ran minutes apart and the clock drifted between them (cuBLASLt's own time
// moved up to 10%), so each of our times is first put on one clock (timesOnOneClock): ours over
// cuBLASLt's in the same process, round by round where the run kept its rounds, times cuBLASLt's
// median over the sweep's processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { H100_SXM } from '../../../extension/src/core/heuristics';
import { chooseConfigBf16, predictCostBf16 } from '../../../extension/src/core/bf16/heuristicsBf16';
import { completeConfigBf16 } from '../../../extension/src/core/bf16/kernelRulesBf16';
import type { GroupedCase, GroupedDraw } from '../../../extension/protocol/grouped';
import { kernelProblem } from '../../../extension/src/core/grouped/cases';
import { timesOnOneClock, type SweptConfig } from './configSweepFixture';

interface SweptCase {
  case: GemmProblem;
  draw?: GroupedDraw;
  configs: SweptConfig[];
}
// Bundled to test/dist/unit/core/: the fixtures are three levels up.
const sweep = (name: string): { cases: SweptCase[] } =>
  JSON.parse(readFileSync(join(__dirname, '../../../fixtures/h100', name), 'utf8'));
const fixture = sweep('bf16-tiles.json');
const pingpongSweep = sweep('bf16-pingpong.json');
const splitKSweep = sweep('bf16-split-k.json');
const hbmTiesSweep = sweep('bf16-hbm-ties.json');
const clusterSweep = sweep('bf16-clusters.json');
/** The ping-pong pairs beside the cooperative tiles: each shape's configs from every run that timed it. */
const pairCases = (): SweptCase[] => {
  const byShape = new Map<string, SweptCase>();
  for (const name of [
    'bf16-pingpong-clusters.json',
    'bf16-pingpong-pairs.json',
    'bf16-pingpong-pair-sweep.json',
    'bf16-pair-picks.json',
  ])
    for (const sc of sweep(name).cases) {
      const seen = byShape.get(label(sc.case));
      if (seen) seen.configs.push(...sc.configs);
      else byShape.set(label(sc.case), { ...sc, configs: [...sc.configs] });
    }
  return [...byShape.values()];
};
const label = (c: GemmProblem) => `${c.m}x${c.n}x${c.k}`;
const tile = (c: GemmConfig) =>
  `${c.blockM}x${c.blockN}${c.pingpong ? ' pp' : ''} c${c.clusterM}x${c.clusterN}${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''}`;
const onOneClock = (sc: SweptCase) => timesOnOneClock(sc.configs, 'cublaslt', label(sc.case));
/** Every recorded run of the normal GEMM's tiles, oldest sweep first. */
const normalGemmRuns = (): SweptCase[] => [
  ...fixture.cases,
  ...pingpongSweep.cases,
  ...splitKSweep.cases,
  ...hbmTiesSweep.cases,
  ...pairCases(),
];
/**
 * Each shape from the newest sweep that timed it (the ping-pong sweep re-timed the short-K picks, the
 * split-K sweep the N = 2112 decode shapes beside their split-K candidates, the HBM-ties sweep the
 * decode shapes whose candidates tie at the HBM floor, the pair runs the M = 4096 shapes and 8192³
 * beside their pairs).
 */
const newestCases = (): SweptCase[] => {
  const byShape = new Map<string, SweptCase>();
  for (const sc of normalGemmRuns()) byShape.set(label(sc.case), sc);
  return [...byShape.values()];
};
const sameTile = (a: GemmConfig, b: GemmConfig) =>
  a.blockM === b.blockM &&
  a.blockN === b.blockN &&
  a.clusterM === b.clusterM &&
  a.clusterN === b.clusterN &&
  (a.pingpong ?? 0) === (b.pingpong ?? 0) &&
  (a.splitK ?? 1) === (b.splitK ?? 1);

test('the sweep covers decode and M = 4096 shapes under at least three tiles each', () => {
  assert.equal(fixture.cases.length, 10);
  for (const sc of fixture.cases) assert.ok(sc.configs.length >= 3, `${label(sc.case)}: ${sc.configs.length} configs`);
  assert.ok(fixture.cases.some((sc) => sc.case.m <= 128));
  assert.ok(fixture.cases.some((sc) => sc.case.m === 4096));
});

test('the BF16 pick, split-K included, is within 3% of the fastest swept config on every swept shape', () => {
  for (const sc of newestCases()) {
    const us = onOneClock(sc);
    const fastest = Math.min(...us);
    const pick = chooseConfigBf16({ ...sc.case, kind: 'bf16' }, H100_SXM).chosen;
    const i = sc.configs.findIndex((c) => sameTile(c.config, pick));
    assert.ok(i >= 0, `${label(sc.case)}: the pick ${tile(pick)} was timed in the sweep`);
    assert.ok(
      us[i] <= fastest * 1.03,
      `${label(sc.case)}: pick ${tile(pick)} ${us[i].toFixed(1)} µs, fastest swept ${fastest.toFixed(1)} µs`,
    );
  }
});

test('tiles that measured more than 5% apart are mostly ranked as measured', () => {
  let pairs = 0;
  let pingpongPairs = 0;
  let right = 0;
  const wrong: string[] = [];
  for (const sc of normalGemmRuns()) {
    const us = onOneClock(sc);
    const predicted = sc.configs.map((c) => predictCostBf16(c.config, { ...sc.case, kind: 'bf16' }, H100_SXM).cycles);
    const listed = chooseConfigBf16({ ...sc.case, kind: 'bf16' }, H100_SXM).candidates;
    // The model prices a tile, its cluster, schedule and split, not its stage count or D staging: it
    // does not rank two runs of one tile, nor a ping-pong tile forced without the ring the planner
    // gives it (one 176-column D box left it 3 stages; bf16-pingpong-pairs.json).
    const ranked = sc.configs.map(({ config: c }) => {
      const own = listed.find((l) => l.config.pingpong && sameTile(l.config, c));
      return !c.pingpong || Boolean(c.dSlabs) || !own?.config.dSlabs;
    });
    for (let a = 0; a < us.length; a++)
      for (let b = a + 1; b < us.length; b++) {
        if (Math.max(us[a], us[b]) / Math.min(us[a], us[b]) < 1.05) continue;
        if (!ranked[a] || !ranked[b] || sameTile(sc.configs[a].config, sc.configs[b].config)) continue;
        pairs++;
        if (sc.configs[a].config.pingpong || sc.configs[b].config.pingpong) pingpongPairs++;
        if (us[a] < us[b] === predicted[a] < predicted[b]) right++;
        else wrong.push(`${label(sc.case)} ${tile(sc.configs[a].config)} vs ${tile(sc.configs[b].config)}`);
      }
  }
  assert.ok(pairs >= 30 && pingpongPairs >= 30, `${pairs} pairs, ${pingpongPairs} with a ping-pong run`);
  assert.ok(right / pairs >= 0.9, `${right} of ${pairs} ranked as measured; wrong: ${wrong.join('; ')}`);
});

test('multicast pairs ran level with or behind the tile alone at M = 4096 and 8192³, and the model never ranks a pair ahead', () => {
  assert.equal(clusterSweep.cases.length, 5);
  let pairs = 0;
  for (const sc of clusterSweep.cases) {
    const us = onOneClock(sc);
    const predicted = sc.configs.map((c) => predictCostBf16(c.config, { ...sc.case, kind: 'bf16' }, H100_SXM).cycles);
    const alone = sc.configs.findIndex((c) => c.config.clusterM * c.config.clusterN === 1);
    assert.ok(alone >= 0, `${label(sc.case)}: the pick without a cluster was timed`);
    for (const [i, c] of sc.configs.entries()) {
      if (i === alone) continue;
      pairs++;
      // Level: within 2% (one process each, cuBLASLt's algorithm raced anew in each).
      assert.ok(
        us[i] >= 0.98 * us[alone],
        `${label(sc.case)}: ${tile(c.config)} ${us[i].toFixed(1)} µs, alone ${us[alone].toFixed(1)}`,
      );
      assert.ok(predicted[i] > predicted[alone], `${label(sc.case)}: the model ranks ${tile(c.config)} ahead`);
    }
  }
  assert.ok(pairs >= 10, `${pairs} pairs`);
});

test('ping-pong ran behind the cooperative pick on every swept short-K shape, and the model ranks it so', () => {
  assert.equal(pingpongSweep.cases.length, 3);
  for (const sc of pingpongSweep.cases) {
    const us = onOneClock(sc);
    const pick = sc.configs.findIndex((c) => !c.config.pingpong);
    const pingpong = sc.configs.findIndex((c) => c.config.pingpong === 1);
    assert.ok(pick >= 0 && pingpong >= 0, `${label(sc.case)}: both schedules timed`);
    assert.ok(
      us[pingpong] > us[pick],
      `${label(sc.case)}: ping-pong ${us[pingpong].toFixed(1)} µs, pick ${us[pick].toFixed(1)} µs`,
    );
    const predicted = (c: GemmConfig) => predictCostBf16(c, { ...sc.case, kind: 'bf16' }, H100_SXM).cycles;
    assert.ok(predicted(sc.configs[pingpong].config) > predicted(sc.configs[pick].config), label(sc.case));
  }
});

test('the planner offers ping-pong only in pairs of the normal GEMM; alone, a forced one is priced with its one-warpgroup K-loop', () => {
  let offered = 0;
  for (const sc of newestCases()) {
    const report = chooseConfigBf16({ ...sc.case, kind: 'bf16' }, H100_SXM);
    for (const c of report.candidates.filter((x) => x.config.pingpong)) {
      const alone = c.config.clusterM * c.config.clusterN === 1;
      if (alone) assert.ok(c.rejected && !c.predicted, `${label(sc.case)}: ${tile(c.config)} is not offered`);
      else if (c.predicted) offered++;
    }
    assert.ok(!report.chosen.pingpong || report.chosen.clusterM * report.chosen.clusterN === 2, label(sc.case));
  }
  assert.ok(offered > 100, `${offered} pairs priced`);
  // A grouped kind lists its pairs with why not: they were timed on the normal GEMM only.
  const masked = chooseConfigBf16(
    { kind: 'bf16-masked', m: 1024, n: 4096, k: 7168, numGroups: 6, expectedM: 1024 },
    H100_SXM,
  );
  const pairs = masked.candidates.filter((c) => c.config.pingpong && c.config.clusterM * c.config.clusterN === 2);
  assert.ok(
    pairs.some(
      (c) =>
        c.rejected?.rule === 'pingpong' && /normal GEMM with bf16 D only, not on bf16-masked/.test(c.rejected.reason),
    ),
  );
  assert.ok(pairs.every((c) => c.rejected && !c.predicted));
  // FP32 D: the pairs are listed with why not (timed with bf16 D only), and none is picked.
  const fp32 = chooseConfigBf16({ kind: 'bf16', m: 4096, n: 24576, k: 1536, output: 'fp32' }, H100_SXM);
  assert.equal(fp32.chosen.pingpong ?? 0, 0);
  const fp32Pairs = fp32.candidates.filter((c) => c.config.pingpong && c.config.clusterM * c.config.clusterN === 2);
  assert.ok(fp32Pairs.every((c) => c.rejected && !c.predicted));
  assert.ok(fp32Pairs.filter((c) => /not on fp32 D/.test(c.rejected!.reason)).length >= 10);
  // One tile per SM: nothing to hide, so only the slower K-loop shows.
  const one = (pingpong: number) =>
    predictCostBf16(
      completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, pingpong }),
      { kind: 'bf16', m: 128, n: 2048, k: 7168 },
      H100_SXM,
    ).us;
  assert.ok(one(1) > one(0));
});

// bf16-masked at m~192 (two sweeps of the same cases) and m~1024, and bf16-kgrouped on DeepGEMM's
// shapes: DeepGEMM's BF16 GEMM of the kind timed beside ours in every process (its time is the clock
// a sweep's processes share).
const groupedSweeps = [
  sweep('bf16-masked-tiles.json'),
  sweep('bf16-masked-widths.json'),
  sweep('bf16-masked-m1024.json'),
  sweep('bf16-kgrouped-tiles.json'),
];
/** The problem the planner saw: the case with its drawn groups (K-grouped: k is ΣK_g). */
const plannedProblem = (sc: SweptCase): GemmProblem => kernelProblem(sc.case as unknown as GroupedCase, sc.draw!);
const groupedLabel = (c: GemmProblem) =>
  `${c.kind} ${c.numGroups}x${c.expectedM !== undefined ? `~${c.expectedM}` : c.m}x${c.n}x${c.k}`;

test('the bf16-masked and bf16-kgrouped picks are within 3% of the fastest tile a sweep timed', () => {
  const timed = new Map<string, { problem: GemmProblem; runs: Array<{ config: GemmConfig; us: number }> }>();
  for (const s of groupedSweeps)
    for (const sc of s.cases) {
      const key = groupedLabel(sc.case);
      const us = timesOnOneClock(sc.configs, 'deepgemm', key);
      const entry = timed.get(key) ?? { problem: plannedProblem(sc), runs: [] };
      entry.runs.push(...sc.configs.map((c, i) => ({ config: c.config, us: us[i] })));
      timed.set(key, entry);
    }
  assert.ok(timed.size >= 12, `${timed.size} cases`);
  for (const [key, { problem, runs }] of timed) {
    const pick = chooseConfigBf16(problem, H100_SXM).chosen;
    const fastest = Math.min(...runs.map((t) => t.us));
    const mine = runs.filter((t) => sameTile(t.config, pick));
    assert.ok(mine.length > 0, `${key}: the pick ${tile(pick)} was timed`);
    for (const t of mine)
      assert.ok(
        t.us <= fastest * 1.03,
        `${key}: pick ${tile(pick)} ${t.us.toFixed(1)} µs, fastest ${fastest.toFixed(1)} µs`,
      );
  }
});

test('bf16-masked and bf16-kgrouped tiles that measured more than 5% apart are ranked as measured', () => {
  let pairs = 0;
  for (const s of groupedSweeps)
    for (const sc of s.cases) {
      const us = timesOnOneClock(sc.configs, 'deepgemm', groupedLabel(sc.case));
      const predicted = sc.configs.map((c) => predictCostBf16(c.config, plannedProblem(sc), H100_SXM).cycles);
      for (let a = 0; a < us.length; a++)
        for (let b = a + 1; b < us.length; b++) {
          if (Math.max(us[a], us[b]) / Math.min(us[a], us[b]) < 1.05) continue;
          pairs++;
          assert.equal(
            predicted[a] < predicted[b],
            us[a] < us[b],
            `${groupedLabel(sc.case)}: ${tile(sc.configs[a].config)} ${us[a].toFixed(0)} µs vs ${tile(sc.configs[b].config)} ${us[b].toFixed(0)} µs`,
          );
        }
    }
  assert.ok(pairs >= 12, `${pairs} pairs`);
});
