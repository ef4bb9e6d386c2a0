// Ping-pong tiles of 128 rows past 128 accumulators (128x176) and a D slab ring per math warpgroup,
// against the H100 (test/fixtures/h100/bf16-pingpong-ring.json, cuBLASLt timed beside ours in every
// process): at K ≤ 2048 they ran well behind the cooperative picks, so the planner lists ping-pong
// tiles with why they are not offered, and the --config that builds each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseConfigBf16 } from '../../../../extension/src/core/bf16/heuristicsBf16';
import { completeConfigBf16 } from '../../../../extension/src/core/bf16/kernelRulesBf16';
import { parseConfigText } from '../../../../extension/src/cli/verbArgs';
import { sameKernelConfig } from '../../../../extension/src/core/configIdentity';
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

test('the planner lists ping-pong tiles of 64 and 128 rows, none offered, each with the --config that builds it', () => {
  const report = chooseConfigBf16({ kind: 'bf16', m: 4096, n: 32768, k: 512 }, H100_SXM);
  const pp = report.candidates.filter((c) => c.config.pingpong);
  assert.deepEqual(
    [...new Set(pp.map((c) => c.config.blockM))].sort((a, b) => a - b),
    [64, 128],
  );
  assert.equal(report.chosen.pingpong ?? 0, 0);
  const listed = pp.filter((c) => c.rejected?.rule === 'pingpong');
  assert.ok(listed.length >= 20, `${listed.length} ping-pong tiles listed as not offered`);
  for (const c of listed) {
    assert.match(c.rejected!.reason, /not offered: .* ran 2–35% slower than the cooperative picks/);
    const forced = /--config (\S+) builds it/.exec(c.rejected!.reason)![1];
    const parsed = parseConfigText(forced);
    if (parsed.ok !== true) throw new Error(`${forced} does not parse`);
    const { blockM, blockN, pingpong, dSlabs } = parsed.value;
    assert.ok(blockM && blockN, forced);
    const built = completeConfigBf16({ blockM, blockN, pingpong, dSlabs, numSms: 132 });
    assert.ok(sameKernelConfig(built, c.config), `${forced} builds ${JSON.stringify(built)}, not the listed config`);
  }
  // cuBLASLt's shape: 128x176 with a ring per warpgroup and 5 stages; 128x128 keeps its whole D tiles.
  const at = (n: number) => pp.find((c) => c.config.blockM === 128 && c.config.blockN === n)!.config;
  assert.deepEqual([at(176).dSlabs, at(176).numStages], [2, 5]);
  assert.deepEqual([at(128).dSlabs ?? 0, at(128).numStages], [0, 5]);
});
