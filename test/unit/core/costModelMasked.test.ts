// The cost model against measured masked GEMMs: test/fixtures/h100/masked-tiles.json holds
// DeepGEMM's 16 masked test cases, each timed on an H100 under several configs (the heuristics'
// picks of two commits, 128x192 alone and in a 2x1 cluster), DeepGEMM timed beside ours in every
// process. The runs come from two device calls, so each of our times is first put on one clock:
// ours over DeepGEMM's in the same process, times DeepGEMM's median over the case's processes.
// Wherever two configs differ by more than 5% and by more than either one's own run-to-run spread
// (one config's runs at M ~ 192 spread 7%), the model must rank them as they measured, or the
// heuristics must refuse the slower one outright. And the groups' real row counts: the average
// M-blocks per group the model assumes must match the recorded draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { H100_SXM, enumerateCandidates, mBlocksPerGroup, workShape } from '../../../extension/src/core/heuristics';
import { timesOnOneClock, type SweptConfig } from './configSweepFixture';

interface MaskedCase {
  case: GemmProblem & { numGroups: number; expectedM: number };
  /** The bench's draw of the case: each group's row count. */
  draw: { maskedM: number[] };
  configs: SweptConfig[];
}
// Bundled to test/dist/unit/core/: the fixtures are three levels up.
const fixture: { cases: MaskedCase[] } = JSON.parse(
  readFileSync(join(__dirname, '../../../fixtures/h100/masked-tiles.json'), 'utf8'),
);
const label = (c: MaskedCase['case']) => `${c.numGroups}x~${c.expectedM} N=${c.n} K=${c.k}`;
const tile = (c: GemmConfig) => `${c.blockM}x${c.blockN} c${c.clusterM}x${c.clusterN}`;
const sameTile = (a: GemmConfig, b: GemmConfig) =>
  a.blockM === b.blockM &&
  a.blockN === b.blockN &&
  a.clusterM === b.clusterM &&
  a.clusterN === b.clusterN &&
  a.numMathWarpgroups === b.numMathWarpgroups;

/** How far apart a config's runs were: slowest over fastest, minus one. */
const runSpread = (c: SweptConfig) => Math.max(...c.runsUs) / Math.min(...c.runsUs) - 1;

const onOneClock = (mc: MaskedCase) => timesOnOneClock(mc.configs, 'deepgemm', label(mc.case));

test('the fixture covers the masked cases where the tile choice matters', () => {
  assert.equal(fixture.cases.length, 16);
  for (const mc of fixture.cases)
    assert.ok(mc.configs.length >= 2, `${label(mc.case)}: ${mc.configs.length} config(s) timed`);
});

test('where two configs measured more than 5% apart, the model ranks them so (or refuses the slower)', () => {
  let compared = 0;
  for (const mc of fixture.cases) {
    const us = onOneClock(mc);
    const candidates = enumerateCandidates(mc.case, H100_SXM);
    const find = (c: GemmConfig) => candidates.find((x) => sameTile(x.config, c));
    for (let i = 0; i < us.length; i++)
      for (let j = 0; j < us.length; j++) {
        const [a, b] = [mc.configs[i], mc.configs[j]];
        // i is the faster of the pair, by more than 5% and by more than the runs of either spread.
        const apart = us[j] / us[i] - 1;
        if (apart < 0.05 || apart <= runSpread(a) || apart <= runSpread(b)) continue;
        const faster = find(a.config),
          slower = find(b.config);
        assert.ok(faster && slower, `${label(mc.case)}: both configs are candidates`);
        assert.ok(
          !faster.rejected,
          `${label(mc.case)}: the faster ${tile(a.config)} is refused: ${faster.rejected?.reason}`,
        );
        if (slower.rejected) continue;
        compared++;
        assert.ok(
          faster.predicted!.cycles < slower.predicted!.cycles,
          `${label(mc.case)}: ${tile(a.config)} measured ${us[i].toFixed(1)} µs, ${tile(b.config)} ${us[j].toFixed(1)} µs; ` +
            `the model predicts ${faster.predicted!.us.toFixed(1)} and ${slower.predicted!.us.toFixed(1)} µs`,
        );
      }
  }
  assert.ok(compared >= 5, `only ${compared} measured pairs were compared`);
});

test("the M-blocks per group the model counts match the recorded groups' row counts", () => {
  // Against each case's own draw: the spread the model assumes, around the mean the draw happened to have.
  for (const mc of fixture.cases) {
    const mean = mc.draw.maskedM.reduce((s, m) => s + m, 0) / mc.draw.maskedM.length;
    const work = { ...workShape(mc.case), m: mean };
    for (const blockM of [64, 128, 256]) {
      const real = mc.draw.maskedM.reduce((s, m) => s + Math.max(1, Math.ceil(m / blockM)), 0) / mc.draw.maskedM.length;
      const modelled = mBlocksPerGroup(work, blockM);
      assert.ok(
        Math.abs(modelled - real) <= 0.1 * real,
        `${label(mc.case)} BLOCK_M ${blockM}: the groups need ${real.toFixed(2)} blocks on average, the model counts ${modelled.toFixed(2)}`,
      );
    }
  }
});
