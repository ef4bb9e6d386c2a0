// The refit rule: two factors (SM-side time, memory time) fitted by least squares of the log error
// over this device's timed candidates; only with enough records, and kept only when it helps.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  chooseConfig,
  H100_DEFAULT_MODEL,
  H100_SXM,
  scaledModel,
  type PolicyDevice,
} from '../../../../extension/src/core/heuristics';
import {
  fitPoints,
  refitModel,
  rmsLogError,
  scaledPrediction,
  REFIT_MIN_POINTS,
  REFIT_MIN_SHAPES,
} from '../../../../extension/src/core/tuning/refit';
import {
  recordFromTuning,
  type DeviceIdentity,
  type TuningRecord,
} from '../../../../extension/src/core/tuning/tuningRecord';
import type { ShapeTuning } from '../../../../extension/src/core/tuneRanking';
import { deepseekShapes } from '../../../../extension/src/core/deepseekShapes';
import { findExtensionRoot } from '../../../../extension/src/worker/addon';

const root = findExtensionRoot(__dirname, {});
const H100: DeviceIdentity = {
  name: 'NVIDIA H100 80GB HBM3',
  smsInUse: 132,
  smCount: 132,
  computeCapability: [9, 0],
  driverVersion: 13000,
  powerLimitW: 700,
};
const meta = (i: number) => ({
  id: `fixture-${i}`,
  device: H100,
  kernelHash: 'e'.repeat(64),
  measuredAt: '2026-11-21T00:00:00.000Z',
  origin: { by: 'tune' as const, host: 'h100' },
});

/** The recorded H100 sweep (test/fixtures/h100/tune-deepseek.json) as tuning records. */
function fixtureRecords(): TuningRecord[] {
  const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/h100/tune-deepseek.json'), 'utf8')) as {
    method: string;
    tunings: ShapeTuning[];
  };
  return fixture.tunings.map((t, i) => recordFromTuning({ ...t, method: fixture.method }, meta(i)));
}

/** Records whose "measurements" are the model's own predictions with the SM side x`compute` and memory x`memory`. */
function syntheticRecords(device: PolicyDevice, compute: number, memory: number, top: number): TuningRecord[] {
  return deepseekShapes().map((problem, i) => {
    const legal = chooseConfig(problem, device)
      .candidates.filter((c) => !c.rejected)
      .sort((a, b) => a.predicted!.us - b.predicted!.us)
      .slice(0, top);
    const base: TuningRecord = recordFromTuning(
      {
        problem,
        candidates: legal.map((c) => ({ config: c.config, measuredUs: 1, chosen: false })),
        method: 'synthetic',
      },
      meta(i),
    );
    const points = fitPoints([base], device, device.model ?? H100_DEFAULT_MODEL);
    return {
      ...base,
      ranking: base.ranking.map((r, j) => ({ ...r, measuredUs: scaledPrediction(points[j], compute, memory) })),
    };
  });
}

test("with the model's own predictions scaled, the refit finds the scales again", () => {
  const device: PolicyDevice = { ...H100_SXM, numSms: 78 };
  const outcome = refitModel(syntheticRecords(device, 1.2, 0.8, 4), device, H100_DEFAULT_MODEL);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  if (!outcome.ok) return;
  assert.ok(Math.abs(outcome.refit.compute - 1.2) < 0.03, `compute ${outcome.refit.compute}`);
  assert.ok(Math.abs(outcome.refit.memory - 0.8) < 0.03, `memory ${outcome.refit.memory}`);
  assert.ok(outcome.refit.errorAfter < 0.02);
  const expected = scaledModel(H100_DEFAULT_MODEL, outcome.refit.compute, outcome.refit.memory);
  assert.deepEqual(outcome.model, expected);
});

test('measurements the model already explains are not refitted', () => {
  const outcome = refitModel(syntheticRecords(H100_SXM, 1, 1, 4), H100_SXM, H100_DEFAULT_MODEL);
  assert.equal(outcome.ok, false);
  if (!outcome.ok) assert.match(outcome.reason, /kept the terms as they are/);
});

test(`fewer than ${REFIT_MIN_SHAPES} shapes or ${REFIT_MIN_POINTS} timed candidates: no refit, and why`, () => {
  const few = refitModel(
    syntheticRecords(H100_SXM, 1.3, 1, 4).slice(0, REFIT_MIN_SHAPES - 1),
    H100_SXM,
    H100_DEFAULT_MODEL,
  );
  assert.equal(few.ok, false);
  if (!few.ok)
    assert.match(
      few.reason,
      /^3 tuned shape\(s\) with 12 timed candidate\(s\); a refit needs 4 shapes and 20 candidates$/,
    );
  const thin = refitModel(syntheticRecords(H100_SXM, 1.3, 1, 1).slice(0, 10), H100_SXM, H100_DEFAULT_MODEL);
  assert.equal(thin.ok, false);
});

test('on the recorded H100 sweep the defaults need little correction, and a refit never raises the error', () => {
  const records = fixtureRecords();
  const points = fitPoints(records, H100_SXM, H100_DEFAULT_MODEL);
  assert.ok(points.length > 100, `${points.length} timed candidates`);
  const before = rmsLogError(points, 1, 1);
  const outcome = refitModel(records, H100_SXM, H100_DEFAULT_MODEL);
  if (outcome.ok) {
    assert.ok(outcome.refit.errorAfter < before);
    assert.ok(outcome.refit.compute > 0.75 && outcome.refit.compute < 1.33, `compute x${outcome.refit.compute}`);
    assert.ok(outcome.refit.memory > 0.75 && outcome.refit.memory < 1.33, `memory x${outcome.refit.memory}`);
  } else {
    assert.match(outcome.reason, /kept the terms as they are/);
  }
});
