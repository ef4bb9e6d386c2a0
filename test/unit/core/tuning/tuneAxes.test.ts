// What `fp8lab tune` times beyond the model's top N on a compute-poor GPU (78 SMs): split-K, each
// tile height, each wider tile width, the least padded tile, and the fewest SMs that keep the wave count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GemmProblem } from '../../../../extension/protocol/worker';
import { chooseConfig, type PolicyDevice } from '../../../../extension/src/core/heuristics';
import { fewestSmsSameWaves, paddingWaste, tuneCandidates } from '../../../../extension/src/core/tuning/tuneAxes';
import { sameKernelConfig } from '../../../../extension/src/core/configIdentity';

const H20_LIKE: PolicyDevice = { name: 'NVIDIA H100 80GB HBM3', numSms: 78, sharedMemoryBytes: 232448 };

test('padding waste: a 64-row tile at M = 64 wastes nothing, a 128-row one half', () => {
  const p: GemmProblem = { kind: 'normal', m: 64, n: 2112, k: 7168 };
  assert.equal(paddingWaste(p, { blockM: 64, blockN: 64 }), 1 - 2112 / 2112);
  assert.equal(paddingWaste(p, { blockM: 128, blockN: 64 }), 0.5);
  // 2112 = 16.5 x 128: the last 128-column tile is half empty.
  assert.ok(Math.abs(paddingWaste(p, { blockM: 64, blockN: 128 }) - (1 - 2112 / (17 * 128))) < 1e-12);
});

test('the fewest SMs that keep the waves: 66 tiles in one wave need 66 SMs, not 78', () => {
  const p: GemmProblem = { kind: 'normal', m: 64, n: 2112, k: 7168 };
  const report = chooseConfig(p, H20_LIKE);
  const c = report.candidates.find(
    (x) =>
      !x.rejected &&
      x.config.blockM === 64 &&
      x.config.blockN === 32 &&
      x.config.clusterM * x.config.clusterN === 1 &&
      (x.config.splitK ?? 1) === 1,
  )!;
  assert.equal(c.tiles, 66);
  assert.equal(fewestSmsSameWaves(c), 66);
  const full = report.candidates.find((x) => !x.rejected && x.tiles % 78 === 0 && x.waves >= 1);
  if (full) assert.equal(fewestSmsSameWaves(full), undefined, 'full waves leave no SM to spare');
});

test('a decode shape on 78 SMs: the top N plus split-K, each BLOCK_M, least padding and a num_sms variant, each once', () => {
  const p: GemmProblem = { kind: 'normal', m: 64, n: 7168, k: 16384 };
  const report = chooseConfig(p, H20_LIKE);
  const picked = tuneCandidates(p, report.candidates, report.chosen, 4);
  const axes = picked.map((x) => x.axis);
  assert.equal(axes.filter((a) => a === 'model top').length, 4);
  assert.ok(
    picked.some((x) => sameKernelConfig(x.candidate.config, report.chosen)),
    'the chosen config is timed',
  );
  assert.ok(
    picked.some((x) => (x.candidate.config.splitK ?? 1) > 1),
    `split-K is timed: ${axes.join(', ')}`,
  );
  for (const bm of new Set(report.candidates.filter((c) => !c.rejected).map((c) => c.config.blockM))) {
    assert.ok(
      picked.some((x) => x.candidate.config.blockM === bm),
      `BLOCK_M ${bm} is timed`,
    );
  }
  const leastWaste = Math.min(...report.candidates.filter((c) => !c.rejected).map((c) => paddingWaste(p, c.config)));
  assert.ok(picked.some((x) => paddingWaste(p, x.candidate.config) === leastWaste));
  for (let i = 0; i < picked.length; i++) {
    for (let j = i + 1; j < picked.length; j++)
      assert.ok(
        !sameKernelConfig(picked[i].candidate.config, picked[j].candidate.config),
        `${axes[i]} and ${axes[j]} repeat a config`,
      );
  }
  const widths = picked.filter((x) => x.axis.startsWith('best BLOCK_N')).length;
  assert.ok(picked.length <= 4 + 6 + widths, `${picked.length} candidates`);
  for (const x of picked.filter((y) => y.axis.startsWith('num_sms'))) {
    assert.ok(x.candidate.config.numSms < 78 && x.candidate.predicted === undefined);
  }
});

test('the chosen config is timed even when it is not among the top N', () => {
  const p: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 2048 };
  const report = chooseConfig(p, H20_LIKE);
  const legal = report.candidates.filter((c) => !c.rejected).sort((a, b) => a.predicted!.us - b.predicted!.us);
  const last = legal[legal.length - 1].config;
  const picked = tuneCandidates(p, report.candidates, last, 3);
  assert.equal(picked.filter((x) => x.axis === 'model top').length, 3);
  assert.ok(picked.some((x) => sameKernelConfig(x.candidate.config, last)));
});

test("a memory-bound decode shape on 78 SMs: every BLOCK_N wider than the model's best is timed at its BLOCK_M", () => {
  // On an H100 limited to 78 SMs, 128x7168x16384 ran fastest with 160-wide tiles (45 tiles) although
  // the model's best, 96-wide, fills 75 SMs in one wave.
  const p: GemmProblem = { kind: 'normal', m: 128, n: 7168, k: 16384 };
  const report = chooseConfig(p, H20_LIKE);
  const picked = tuneCandidates(p, report.candidates, report.chosen, 12);
  const legal = report.candidates
    .filter((c) => !c.rejected && c.predicted)
    .sort((a, b) => a.predicted!.us - b.predicted!.us);
  const best = legal[0].config;
  const wider = [
    ...new Set(
      legal.filter((c) => c.config.blockM === best.blockM && c.config.blockN > best.blockN).map((c) => c.config.blockN),
    ),
  ];
  assert.ok(wider.includes(160), `160 is a legal wider width at BLOCK_M ${best.blockM}: ${wider.join(', ')}`);
  for (const bn of wider)
    assert.ok(
      picked.some((x) => x.candidate.config.blockM === best.blockM && x.candidate.config.blockN === bn),
      `BLOCK_N ${bn} is timed: ${picked.map((x) => x.axis).join(', ')}`,
    );
  assert.ok(!picked.some((x) => x.axis.startsWith('best BLOCK_N') && x.candidate.config.blockN <= best.blockN));
});
