// The cost model against measured masked GEMMs: test/fixtures/h100/masked-tiles.json holds
// DeepGEMM's 16 masked test cases, each timed on an H100 under two configs (the heuristics' earlier
// picks and 128x192 in a 2x1 cluster, alternated twice in one device call). Wherever the two differ
// by more than 5%, the model must rank them as they measured, or the heuristics must refuse the
// slower one outright. And the groups' real row counts: the average M-blocks per group the model
// assumes must match the recorded draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { H100_SXM, enumerateCandidates, mBlocksPerGroup, workShape } from '../../../extension/src/core/heuristics';

interface MeasuredConfig {
  config: GemmConfig;
  medianUs: number;
}
interface MaskedCase {
  case: GemmProblem & { numGroups: number; expectedM: number };
  /** The bench's draw of the case: each group's row count. */
  draw: { maskedM: number[] };
  configs: MeasuredConfig[];
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

test('the fixture covers the masked cases where the tile choice matters', () => {
  assert.equal(fixture.cases.length, 16);
  const pairs = fixture.cases.filter((c) => c.configs.length === 2);
  assert.equal(pairs.length, 16, 'every case was timed under both configs');
});

test('where two configs measured more than 5% apart, the model ranks them so (or refuses the slower)', () => {
  let compared = 0;
  for (const mc of fixture.cases) {
    const [a, b] = [...mc.configs].sort((x, y) => x.medianUs - y.medianUs);
    if (b.medianUs / a.medianUs < 1.05) continue;
    const candidates = enumerateCandidates(mc.case, H100_SXM);
    const find = (c: GemmConfig) => candidates.find((x) => sameTile(x.config, c));
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
      `${label(mc.case)}: ${tile(a.config)} measured ${a.medianUs} µs, ${tile(b.config)} ${b.medianUs} µs; ` +
        `the model predicts ${faster.predicted!.us.toFixed(1)} and ${slower.predicted!.us.toFixed(1)} µs`,
    );
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
