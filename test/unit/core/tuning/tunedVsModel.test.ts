// Tuned picks against the model's on a full H100, measured: test/fixtures/h100/tuned-vs-model.json
// holds two alternations of `bench` reading a tuning store (the tuned picks) and `bench` with the
// model (no device profile: the H100 defaults every user gets before tuning), DeepGEMM timed in each
// bench. The comparison is DeepGEMM's time over ours in the same process, so clock drift between
// processes cancels; where both runs used the same kernel, the difference between them is the noise.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConfigOrigin, GemmConfig, GemmProblem } from '../../../../extension/protocol/worker';
import { sameKernelConfig } from '../../../../extension/src/core/configIdentity';

interface Row {
  problem: GemmProblem;
  config: GemmConfig;
  configOrigin: ConfigOrigin;
  medianUs: number;
  deepgemmMedianUs: number;
  calcDiff: number;
}
interface Run {
  label: 'tuned' | 'model';
  round: number;
  results: Row[];
}
// Bundled to test/dist/unit/core/tuning/: the fixtures are four levels up.
const fixture: { runs: Run[] } = JSON.parse(
  readFileSync(join(__dirname, '../../../../fixtures/h100/tuned-vs-model.json'), 'utf8'),
);
const shape = (p: GemmProblem) => `${p.m}x${p.n}x${p.k}`;
const ratio = (r: Row) => r.deepgemmMedianUs / r.medianUs;

/** Per round: each shape's tuned and model rows. */
function pairs(): Array<{ round: number; tuned: Row; model: Row }> {
  const out: Array<{ round: number; tuned: Row; model: Row }> = [];
  for (const round of [1, 2]) {
    const tuned = fixture.runs.find((r) => r.label === 'tuned' && r.round === round)!;
    const model = fixture.runs.find((r) => r.label === 'model' && r.round === round)!;
    for (const t of tuned.results) {
      const m = model.results.find((x) => shape(x.problem) === shape(t.problem));
      assert.ok(m, `round ${round}: ${shape(t.problem)} has no model row`);
      out.push({ round, tuned: t, model: m });
    }
  }
  return out;
}

test('the runs are what they say: 19 shapes each, every output checked, origins tuned and H100 defaults', () => {
  assert.equal(fixture.runs.length, 4);
  for (const run of fixture.runs) {
    assert.equal(run.results.length, 19);
    for (const r of run.results) {
      assert.ok(r.calcDiff < 1e-3, `${run.label} ${shape(r.problem)} calc_diff ${r.calcDiff}`);
      assert.equal(r.configOrigin.kind, run.label === 'tuned' ? 'tuned' : 'defaults');
    }
  }
});

test('on the full H100 the tuned picks are never slower than the model picks, within the noise of identical kernels', () => {
  const all = pairs();
  const same = all.filter((p) => sameKernelConfig(p.tuned.config, p.model.config));
  const differ = all.filter((p) => !sameKernelConfig(p.tuned.config, p.model.config));
  assert.ok(same.length >= 20 && differ.length >= 8, `${same.length} same, ${differ.length} different`);
  // The noise: how far two benches of one kernel land apart, relative to each other.
  const noise = Math.max(...same.map((p) => Math.abs(ratio(p.tuned) / ratio(p.model) - 1)));
  assert.ok(noise < 0.03, `identical kernels differ by up to ${(noise * 100).toFixed(1)}%`);
  for (const p of differ) {
    assert.ok(
      ratio(p.tuned) >= ratio(p.model) * (1 - noise),
      `round ${p.round} ${shape(p.tuned.problem)}: tuned x${ratio(p.tuned).toFixed(3)} vs model x${ratio(p.model).toFixed(3)} (noise ${(noise * 100).toFixed(1)}%)`,
    );
  }
  // And the tune is worth having: some of its picks beat the model's by more than the noise.
  const gains = differ.filter((p) => ratio(p.tuned) > ratio(p.model) * (1 + noise));
  assert.ok(gains.length >= 2, `${gains.length} tuned picks beat the model's beyond noise`);
});
