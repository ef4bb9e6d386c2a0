// The BF16 cost model against measured BF16 GEMMs: test/fixtures/h100/bf16-tiles.json holds ten of
// the standard BF16 shapes, each timed on an H100 under the heuristics' pick of the time and under
// forced tiles, one `fp8lab bench --kernel bf16` process per config with cuBLASLt's best algorithm
// timed beside ours in every process. Processes ran minutes apart and the clock drifted between them
// (cuBLASLt's own time moved up to 10%), so each of our times is first put on one clock: ours
// over cuBLASLt's in the same process, times cuBLASLt's median over the processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { H100_SXM } from '../../../extension/src/core/heuristics';
import { chooseConfigBf16, predictCostBf16 } from '../../../extension/src/core/bf16/heuristicsBf16';
import { completeConfigBf16 } from '../../../extension/src/core/bf16/kernelRulesBf16';
import { timesOnOneClock, type SweptConfig } from './configSweepFixture';

interface SweptCase {
  case: GemmProblem;
  configs: SweptConfig[];
}
// Bundled to test/dist/unit/core/: the fixtures are three levels up.
const fixture: { cases: SweptCase[] } = JSON.parse(
  readFileSync(join(__dirname, '../../../fixtures/h100/bf16-tiles.json'), 'utf8'),
);
const label = (c: GemmProblem) => `${c.m}x${c.n}x${c.k}`;
const tile = (c: GemmConfig) => `${c.blockM}x${c.blockN} c${c.clusterM}x${c.clusterN}`;
const onOneClock = (sc: SweptCase) => timesOnOneClock(sc.configs, 'cublaslt', label(sc.case));

test('the sweep covers decode and M = 4096 shapes under at least three tiles each', () => {
  assert.equal(fixture.cases.length, 10);
  for (const sc of fixture.cases) assert.ok(sc.configs.length >= 3, `${label(sc.case)}: ${sc.configs.length} configs`);
  assert.ok(fixture.cases.some((sc) => sc.case.m <= 128));
  assert.ok(fixture.cases.some((sc) => sc.case.m === 4096));
});

test('the BF16 pick is within 3% of the fastest swept tile on every swept shape', () => {
  for (const sc of fixture.cases) {
    const us = onOneClock(sc);
    const fastest = Math.min(...us);
    const pick = chooseConfigBf16({ ...sc.case, kind: 'bf16' }, H100_SXM).chosen;
    const i = sc.configs.findIndex(
      (c) =>
        c.config.blockM === pick.blockM &&
        c.config.blockN === pick.blockN &&
        c.config.clusterM === pick.clusterM &&
        c.config.clusterN === pick.clusterN,
    );
    assert.ok(i >= 0, `${label(sc.case)}: the pick ${tile(pick)} was timed in the sweep`);
    assert.ok(
      us[i] <= fastest * 1.03,
      `${label(sc.case)}: pick ${tile(pick)} ${us[i].toFixed(1)} µs, fastest swept ${fastest.toFixed(1)} µs`,
    );
  }
});

test('tiles that measured more than 5% apart are mostly ranked as measured', () => {
  let pairs = 0;
  let right = 0;
  const wrong: string[] = [];
  for (const sc of fixture.cases) {
    const us = onOneClock(sc);
    const predicted = sc.configs.map((c) => predictCostBf16(c.config, { ...sc.case, kind: 'bf16' }, H100_SXM).cycles);
    for (let a = 0; a < us.length; a++)
      for (let b = a + 1; b < us.length; b++) {
        if (Math.max(us[a], us[b]) / Math.min(us[a], us[b]) < 1.05) continue;
        pairs++;
        if (us[a] < us[b] === predicted[a] < predicted[b]) right++;
        else wrong.push(`${label(sc.case)} ${tile(sc.configs[a].config)} vs ${tile(sc.configs[b].config)}`);
      }
  }
  assert.ok(pairs >= 30, `${pairs} pairs`);
  assert.ok(right / pairs >= 0.9, `${right} of ${pairs} ranked as measured; wrong: ${wrong.join('; ')}`);
});

test('ping-pong hides the epilogue under the other warpgroup: faster where the K-loop is short, level where it is long', () => {
  const config = (pingpong: number): GemmConfig =>
    completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, pingpong });
  const us = (pingpong: number, k: number) =>
    predictCostBf16(config(pingpong), { kind: 'bf16', m: 4096, n: 32768, k }, H100_SXM).us;
  // K = 512: 8 K-blocks a tile, and a 32 KB epilogue that is a large part of it.
  assert.ok(us(1, 512) < 0.9 * us(0, 512), `K 512: ping-pong ${us(1, 512).toFixed(1)} vs ${us(0, 512).toFixed(1)} µs`);
  // K = 16384: the epilogue is under 2% of a tile either way.
  assert.ok(us(1, 16384) < us(0, 16384) && us(1, 16384) > 0.97 * us(0, 16384));
  // One tile per SM: nothing to overlap, the same time.
  const one = (pingpong: number) =>
    predictCostBf16(config(pingpong), { kind: 'bf16', m: 128, n: 2048, k: 7168 }, H100_SXM).us;
  assert.equal(one(1), one(0));
});
