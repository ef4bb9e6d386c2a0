// 2-CTA clusters in the FP8 model against the H100: the contiguous kind's pairs measured ahead of the
// same tile alone on every standard case (test/fixtures/h100/contiguous-cluster-standard.json), the
// masked kind's at m~1024 ahead where K ≥ 3072 (test/fixtures/h100/masked-m1024-clusters.json), the
// normal GEMM's pairs level or behind (test/fixtures/h100/normal-cluster.json, alternated twice).
// Each fixture timed DeepGEMM beside ours in every process, so each of our times is put on one clock
// first (ours over DeepGEMM's in the same process, times DeepGEMM's median). The planner must pick the
// pair where it ran ahead and the single CTA where it did not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import type { GroupedCase, GroupedDraw } from '../../../extension/protocol/grouped';
import { H100_SXM, chooseConfig } from '../../../extension/src/core/heuristics';
import { kernelProblem, standardCases } from '../../../extension/src/core/grouped/cases';
import { timesOnOneClock, type SweptConfig } from './configSweepFixture';

interface SweptCase<C> {
  case: C;
  draw?: GroupedDraw;
  configs: SweptConfig[];
}
// Bundled to test/dist/unit/core/: the fixtures are three levels up.
const read = <C>(name: string): { cases: Array<SweptCase<C>> } =>
  JSON.parse(readFileSync(join(__dirname, '../../../fixtures/h100', name), 'utf8'));
const contiguous = read<GroupedCase>('contiguous-cluster-standard.json');
const normal = read<GemmProblem>('normal-cluster.json');
const masked = read<GroupedCase>('masked-m1024-clusters.json');

const tile = (c: GemmConfig) => `${c.blockM}x${c.blockN} c${c.clusterM}x${c.clusterN}`;
const shape = (c: { numGroups?: number; m: number; n: number; k: number }) =>
  `${c.numGroups ?? 1}x${c.m}x${c.n}x${c.k}`;
const spread = (c: SweptConfig) => Math.max(...c.runsUs) / Math.min(...c.runsUs) - 1;
const fastest = (times: number[]) => times.indexOf(Math.min(...times));

test('the contiguous fixture is the standard list, each case timed alone and as a 2x1 pair', () => {
  const standard = standardCases('contiguous').map(shape).sort();
  assert.deepEqual(contiguous.cases.map((c) => shape(c.case)).sort(), standard);
  for (const sc of contiguous.cases) {
    const pairs = sc.configs.map((c) => c.config.clusterM * c.config.clusterN);
    assert.deepEqual(pairs.sort(), [1, 2], shape(sc.case));
  }
});

test('contiguous: the planner picks the measured faster of the tile alone and its 2x1 pair, on every standard case', () => {
  for (const sc of contiguous.cases) {
    const us = timesOnOneClock(sc.configs, 'deepgemm', shape(sc.case));
    const best = sc.configs[fastest(us)].config;
    const pick = chooseConfig(kernelProblem(sc.case, sc.draw!), H100_SXM).chosen;
    assert.equal(
      tile(pick),
      tile(best),
      `${shape(sc.case)}: measured ${sc.configs.map((c, i) => `${tile(c.config)} ${us[i].toFixed(1)} µs`).join(', ')}; picked ${tile(pick)}`,
    );
  }
});

test('normal GEMM: no pair ran ahead of the single CTA by more than its runs spread, and the planner keeps the single CTA', () => {
  assert.equal(normal.cases.length, 5);
  for (const sc of normal.cases) {
    const us = timesOnOneClock(sc.configs, 'deepgemm', shape(sc.case));
    const alone = sc.configs.findIndex((c) => c.config.clusterM * c.config.clusterN === 1);
    assert.ok(alone >= 0, `${shape(sc.case)}: the tile alone was timed`);
    for (const [i, c] of sc.configs.entries()) {
      const ahead = us[alone] / us[i] - 1;
      assert.ok(
        ahead <= Math.max(spread(c), spread(sc.configs[alone])),
        `${shape(sc.case)}: ${tile(c.config)} ran ${(ahead * 100).toFixed(1)}% ahead of the tile alone`,
      );
    }
    const pick = chooseConfig({ ...sc.case, kind: 'normal' }, H100_SXM).chosen;
    assert.equal(tile(pick), tile(sc.configs[alone].config), shape(sc.case));
  }
});

test('masked m~1024: the picks measured ahead of the tile alone (the picks before) in geomean, none more than 4% behind it', () => {
  assert.deepEqual(
    masked.cases.map((c) => shape(c.case)).sort(),
    standardCases('masked')
      .filter((c) => c.expectedM === 1024)
      .map(shape)
      .sort(),
  );
  let logGain = 0;
  for (const sc of masked.cases) {
    const us = timesOnOneClock(sc.configs, 'deepgemm', shape(sc.case));
    const alone = sc.configs.findIndex((c) => tile(c.config) === '128x192 c1x1');
    const pick = chooseConfig(kernelProblem(sc.case, sc.draw!), H100_SXM).chosen;
    const picked = sc.configs.findIndex((c) => tile(c.config) === tile(pick));
    assert.ok(alone >= 0 && picked >= 0, `${shape(sc.case)}: ${tile(pick)} and the tile alone were timed`);
    const gain = us[alone] / us[picked];
    assert.ok(
      gain >= 0.96,
      `${shape(sc.case)}: ${tile(pick)} ran ${((1 - gain) * 100).toFixed(1)}% behind the tile alone`,
    );
    // With N > 4096 the pair ran 5–7% ahead of both other configs, and it is the pick. (At N = K = 4096
    // it ran 7% ahead too, but the model puts 128x128 in a pair 0.4% ahead of it: a known miss.)
    if (sc.case.n > 4096) assert.equal(tile(pick), '128x192 c2x1', shape(sc.case));
    logGain += Math.log(gain);
  }
  const geomean = Math.exp(logGain / masked.cases.length);
  assert.ok(geomean > 1.01, `the picks ran ${geomean.toFixed(3)}x the tile alone's speed in geomean`);
});
