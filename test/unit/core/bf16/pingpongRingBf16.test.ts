// Ping-pong tiles of 128 rows past 128 accumulators (128x176) and a D slab ring per math warpgroup,
// against the H100 (test/fixtures/h100/bf16-pingpong-ring.json, cuBLASLt timed beside ours in every
// process): at K ≤ 2048 they ran well behind the cooperative picks without a cluster, so the planner
// lists those with why they are not offered and the --config that builds each; in 2-CTA clusters it
// prices and offers them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseConfigBf16 } from '../../../../extension/src/core/bf16/heuristicsBf16';
import { completeConfigBf16 } from '../../../../extension/src/core/bf16/kernelRulesBf16';
import { parseConfigText } from '../../../../extension/src/cli/verbArgs';
import { sameKernelConfig } from '../../../../extension/src/core/configIdentity';
import { H100_SXM } from '../../../../extension/src/core/heuristics/device';
import { timesOnOneClock, type ShapeSweep } from '../configSweepFixture';

// Bundled to test/dist/unit/core/bf16/: the fixtures are four levels up.
const sweep: ShapeSweep = JSON.parse(
  readFileSync(join(__dirname, '../../../../fixtures/h100/bf16-pingpong-ring.json'), 'utf8'),
);

test('ping-pong with a ring per warpgroup, alone, ran at least 4% behind the cooperative pick at K ≤ 2048; the planner never picks it alone', () => {
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
    assert.ok(!pick.pingpong || pick.clusterM * pick.clusterN === 2, `${label}: the pick is no ping-pong tile alone`);
  }
  assert.equal(compared, 6);
});

test('the planner lists ping-pong tiles of 64 and 128 rows alone, each with why not and the --config that builds it, and prices them in 2x1 and 1x2 clusters', () => {
  const report = chooseConfigBf16({ kind: 'bf16', m: 4096, n: 32768, k: 512 }, H100_SXM);
  const pp = report.candidates.filter((c) => c.config.pingpong);
  assert.deepEqual(
    [...new Set(pp.map((c) => c.config.blockM))].sort((a, b) => a - b),
    [64, 128],
  );
  const listed = pp.filter((c) => c.rejected?.rule === 'pingpong');
  assert.ok(listed.length >= 25, `${listed.length} ping-pong tiles listed as not offered`);
  assert.ok(listed.every((c) => c.config.clusterM * c.config.clusterN === 1));
  for (const cluster of ['2x1', '1x2'])
    assert.ok(
      pp.some((c) => `${c.config.clusterM}x${c.config.clusterN}` === cluster && c.predicted),
      `ping-pong tiles in ${cluster} clusters are priced`,
    );
  for (const c of listed) {
    assert.match(
      c.rejected!.reason,
      /not offered: without a cluster, ping-pong ran 2–35% slower than the cooperative picks/,
    );
    const forced = /--config (\S+) builds it/.exec(c.rejected!.reason)![1];
    const parsed = parseConfigText(forced);
    if (parsed.ok !== true) throw new Error(`${forced} does not parse`);
    const { blockM, blockN, pingpong, dSlabs, clusterM, clusterN } = parsed.value;
    assert.ok(blockM && blockN, forced);
    const built = completeConfigBf16({ blockM, blockN, pingpong, dSlabs, clusterM, clusterN, numSms: 132 });
    assert.ok(sameKernelConfig(built, c.config), `${forced} builds ${JSON.stringify(built)}, not the listed config`);
  }
  // cuBLASLt's shape: 128x176 with a ring per warpgroup and 5 stages; 128x128 keeps its whole D tiles.
  const at = (n: number) =>
    pp.find((c) => c.config.blockM === 128 && c.config.blockN === n && c.config.clusterM * c.config.clusterN === 1)!
      .config;
  assert.deepEqual([at(176).dSlabs, at(176).numStages], [2, 5]);
  assert.deepEqual([at(128).dSlabs ?? 0, at(128).numStages], [0, 5]);
});

// Ping-pong in a 2x1 cluster (B multicast to two M-blocks): the 128x176 ring, which is bound by the
// L2 alone, against the cooperative pick (test/fixtures/h100/bf16-pingpong-clusters.json, one run
// per config, cuBLASLt beside ours in every process).
const clusters: ShapeSweep = JSON.parse(
  readFileSync(join(__dirname, '../../../../fixtures/h100/bf16-pingpong-clusters.json'), 'utf8'),
);

test('128x176 ping-pong in a 2x1 cluster ran ahead of the cooperative pick at K = 1536 and behind it at K = 512; the planner picks it at 1536', () => {
  const ratio = (k: number) => {
    const sc = clusters.cases.find((c) => c.case.k === k)!;
    const label = `${sc.case.m}x${sc.case.n}x${sc.case.k}`;
    const us = timesOnOneClock(sc.configs, 'cublaslt', label);
    const coop = sc.configs.findIndex((c) => !c.config.pingpong);
    const pair = sc.configs.findIndex((c) => c.config.pingpong && c.config.blockN === 176 && c.config.clusterM === 2);
    assert.ok(coop >= 0 && pair >= 0, `${label}: the pick and the 128x176 pair were timed`);
    return us[coop] / us[pair];
  };
  assert.ok(ratio(1536) > 1.05, `K = 1536: the pair ran ${ratio(1536).toFixed(3)}x the pick's speed`);
  assert.ok(ratio(512) < 0.95, `K = 512: the pair ran ${ratio(512).toFixed(3)}x the pick's speed`);
  const forced = parseConfigText('block_m=128,block_n=176,pingpong=1,d_slabs=2,cluster_m=2');
  if (forced.ok !== true) throw new Error('the pair config does not parse');
  const pair = completeConfigBf16({ ...forced.value, blockM: 128, blockN: 176, numSms: 132 });
  const at1536 = chooseConfigBf16({ kind: 'bf16', m: 4096, n: 24576, k: 1536 }, H100_SXM).chosen;
  assert.ok(sameKernelConfig(at1536, pair), `K = 1536: the planner picks ${JSON.stringify(at1536)}`);
  const at512 = chooseConfigBf16({ kind: 'bf16', m: 4096, n: 32768, k: 512 }, H100_SXM).chosen;
  assert.ok(!sameKernelConfig(at512, pair), 'K = 512: the planner does not pick it');
});

// The same process's runs with every M-block in one raster group (FP8LAB_RASTER_GROUP=32,
// test/fixtures/h100/bf16-pingpong-raster32.json), beside the default build's (bf16-pingpong-clusters.json).
const raster32: ShapeSweep = JSON.parse(
  readFileSync(join(__dirname, '../../../../fixtures/h100/bf16-pingpong-raster32.json'), 'utf8'),
);

test('grouping every M-block sped the 128x128 ping-pong up at K = 512 and 1536, not at 2048, and it stayed behind the pick', () => {
  // Fastest rounds over cuBLASLt's fastest in the same process: the clock moved within these runs.
  const relative = (fixture: ShapeSweep, k: number, pingpong: boolean) => {
    const sc = fixture.cases.find((c) => c.case.k === k)!;
    const c = sc.configs.find(
      (x) =>
        Boolean(x.config.pingpong) === pingpong && x.config.clusterM === 1 && (!pingpong || x.config.blockN === 128),
    )!;
    return c.fastestRoundsUs![0] / c.peersFastestRoundsUs!.cublaslt[0];
  };
  const gain = (k: number) => relative(clusters, k, true) / relative(raster32, k, true);
  assert.ok(gain(512) > 1.03 && gain(1536) > 1.1 && gain(2048) < 0.95, `${gain(512)} ${gain(1536)} ${gain(2048)}`);
  for (const k of [512, 1536, 2048])
    assert.ok(
      relative(raster32, k, true) > relative(clusters, k, false),
      `K = ${k}: ping-pong grouped stayed behind the pick`,
    );
});
