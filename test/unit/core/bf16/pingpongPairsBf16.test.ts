// Ping-pong tiles in 2x1 clusters across the M = 4096 list, beside cuBLASLt in every process (H100;
// test/fixtures/h100/bf16-pingpong-pairs.json, bf16-pingpong-pair-sweep.json and
// bf16-pingpong-pair-builds.json, each with its command). The statements of kernels/README.md
// ("The pairs across the M = 4096 list", "Not the multicast or the raster") rest on these runs, and
// bf16-direct-store.json the direct-store experiment under the pairs the planner picks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ShapeSweep, SweptConfig } from '../configSweepFixture';

// Bundled to test/dist/unit/core/bf16/: the fixtures are four levels up.
const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(join(__dirname, '../../../../fixtures/h100', name), 'utf8')) as T;
const pairs = fixture<ShapeSweep>('bf16-pingpong-pairs.json');
const sweep = fixture<ShapeSweep>('bf16-pingpong-pair-sweep.json');
const builds = fixture<{ builds: Record<'alternateIssuer' | 'rasterGroup16', ShapeSweep> }>(
  'bf16-pingpong-pair-builds.json',
);

/** The config's fastest round over cuBLASLt's fastest in the same process (the clock moves within a run). */
const vsCublas = (c: SweptConfig) => c.peersFastestRoundsUs!.cublaslt[0] / c.fastestRoundsUs![0];
const find = (s: ShapeSweep, k: number, pred: (c: SweptConfig['config']) => boolean) => {
  const sc = s.cases.find((x) => x.case.k === k);
  assert.ok(sc, `K = ${k} was timed`);
  const c = sc.configs.find((x) => pred(x.config));
  assert.ok(c, `K = ${k}: the config was timed`);
  return c;
};
const pair176 = (c: SweptConfig['config']) =>
  c.pingpong === 1 && c.blockN === 176 && c.clusterM === 2 && c.dSlabs === 2;
const pair160 = (c: SweptConfig['config']) => c.pingpong === 1 && c.blockN === 160 && c.clusterM === 2;
const sameTileAs = (a: SweptConfig, b: SweptConfig) =>
  a.config.blockN === b.config.blockN && a.config.blockM === b.config.blockM;

test('a ping-pong pair came within 5.5% of cuBLASLt on each short-K shape: 128x160 at K = 512, 128x176 at 1536 and 2048', () => {
  assert.ok(vsCublas(find(pairs, 512, pair160)) > 0.945, 'K = 512: 128x160 pair');
  assert.ok(vsCublas(find(pairs, 512, pair176)) < 0.81, 'K = 512: the 128x176 pair stayed far behind');
  for (const k of [1536, 2048]) {
    assert.ok(vsCublas(find(pairs, k, pair176)) > 0.945, `K = ${k}: 128x176 pair`);
    const behind = find(pairs, k, pair160).fastestRoundsUs![0] / find(pairs, k, pair176).fastestRoundsUs![0];
    assert.ok(behind > 1.01 && behind < 1.03, `K = ${k}: the 128x160 pair 1–2% behind (${behind})`);
  }
  // One unswizzled 176-column box per tile (3 stages) ran behind the ring everywhere.
  for (const k of [512, 1536, 2048]) {
    const whole = find(pairs, k, (c) => c.pingpong === 1 && c.blockN === 176 && c.swizzleD === 0);
    assert.ok(whole.fastestRoundsUs![0] > find(pairs, k, pair176).fastestRoundsUs![0], `K = ${k}`);
  }
});

test('at K ≥ 7168 the 128x176 pair ran behind the cooperative pick, and level at 4096x2112x7168', () => {
  for (const sc of sweep.cases) {
    const label = `${sc.case.m}x${sc.case.n}x${sc.case.k}`;
    const pp = sc.configs.find((c) => pair176(c.config))!;
    const pick = sc.configs.find((c) => !c.config.pingpong)!;
    const ratio = pp.fastestRoundsUs![0] / pick.fastestRoundsUs![0];
    if (sc.case.n === 2112) assert.ok(Math.abs(ratio - 1) < 0.01, `${label}: level (${ratio})`);
    else assert.ok(ratio > 1.02, `${label}: behind the pick (${ratio})`);
  }
});

test('alternating the multicast issuer and raster groups of 16 changed the pair by less than 1.5%', () => {
  for (const build of Object.values(builds.builds))
    for (const k of [512, 1536, 2048]) {
      const ratio = find(build, k, pair176).fastestRoundsUs![0] / find(pairs, k, pair176).fastestRoundsUs![0];
      assert.ok(Math.abs(ratio - 1) < 0.015, `K = ${k}: ${ratio}`);
    }
});

test('bf16 D written straight from the accumulators ran 10–60% slower than the staged slab ring under the pairs the planner picks', () => {
  const direct = fixture<{ builds: Record<'default' | 'directStore', ShapeSweep> }>('bf16-direct-store.json').builds;
  for (const k of [512, 1536]) {
    const pair = (c: SweptConfig['config']) => c.pingpong === 1 && c.clusterM === 2;
    const staged = find(direct.default, k, pair);
    const stored = find(direct.directStore, k, pair);
    assert.ok(sameTileAs(staged, stored), `K = ${k}: both builds ran the same pair`);
    const ratio = vsCublas(staged) / vsCublas(stored);
    assert.ok(ratio > 1.1 && ratio < 1.6, `K = ${k}: direct stores ran ${ratio.toFixed(2)}x the ring's time`);
  }
});
