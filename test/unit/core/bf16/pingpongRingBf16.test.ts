// Ping-pong tiles of 128 rows past 128 accumulators (128x176) and a D slab ring per math warpgroup,
// against the H100 (test/fixtures/h100/bf16-pingpong-ring.json, cuBLASLt timed beside ours in every
// process): at K ≤ 2048 they ran well behind the cooperative picks, so the planner keeps offering
// cooperative tiles only; `--config pingpong=1,d_slabs=2` builds them for study.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseConfigBf16 } from '../../../../extension/src/core/bf16/heuristicsBf16';
import { H100_SXM } from '../../../../extension/src/core/heuristics/device';
import { timesOnOneClock, type SweptConfig } from '../configSweepFixture';

// Bundled to test/dist/unit/core/bf16/: the fixtures are four levels up.
const sweep: { cases: Array<{ case: { m: number; n: number; k: number }; configs: SweptConfig[] }> } = JSON.parse(
  readFileSync(join(__dirname, '../../../../fixtures/h100/bf16-pingpong-ring.json'), 'utf8'),
);

test('ping-pong with a ring per warpgroup ran at least 4% behind the cooperative pick at K ≤ 2048; the planner keeps the pick', () => {
  let compared = 0;
  for (const sc of sweep.cases.filter((c) => c.case.k <= 2048)) {
    const label = `${sc.case.m}x${sc.case.n}x${sc.case.k}`;
    const us = timesOnOneClock(sc.configs, 'cublaslt', label);
    const coop = sc.configs.findIndex((c) => !c.config.pingpong);
    assert.ok(coop >= 0, `${label}: the cooperative pick was timed`);
    for (const [i, c] of sc.configs.entries()) {
      if (!c.config.pingpong) continue;
      compared++;
      assert.ok(
        us[i] > 1.04 * us[coop],
        `${label}: ${c.config.blockM}x${c.config.blockN} ping-pong ran ${us[i].toFixed(1)} µs against ${us[coop].toFixed(1)}`,
      );
    }
    const pick = chooseConfigBf16({ kind: 'bf16', ...sc.case }, H100_SXM).chosen;
    const timed = sc.configs[coop].config;
    assert.deepEqual(
      [pick.blockM, pick.blockN, pick.pingpong ?? 0],
      [timed.blockM, timed.blockN, 0],
      `${label}: the planner's pick is the cooperative tile that was timed`,
    );
  }
  assert.equal(compared, 6);
});
