// The config choice with the tuning store in front: a forced config, then a tuned record of this
// device and kernel source, then the calibrated model, then the H100 defaults; each report says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GemmProblem } from '../../../../extension/protocol/worker';
import {
  chooseConfig,
  H100_SXM,
  predictCost,
  workShape,
  H100_DEFAULT_MODEL,
  type PolicyDevice,
} from '../../../../extension/src/core/heuristics';
import { chooseWithContext } from '../../../../extension/src/core/tuning/choice';
import { viewFor, type DeviceIdentity, type TuningRecord } from '../../../../extension/src/core/tuning/tuningRecord';

const DEVICE: PolicyDevice = { name: 'NVIDIA H100 80GB HBM3', numSms: 78, sharedMemoryBytes: 232448 };
const HERE: DeviceIdentity = {
  name: 'NVIDIA H100 80GB HBM3',
  smsInUse: 78,
  smCount: 132,
  computeCapability: [9, 0],
  driverVersion: 13000,
  powerLimitW: 700,
};
const ELSEWHERE: DeviceIdentity = { ...HERE, name: 'NVIDIA H20', smCount: 78, powerLimitW: 400 };
const HASH = 'c'.repeat(64);
const OLD_HASH = 'd'.repeat(64);
const SHAPE: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 2048 };

/** A record whose winner is the model's second-best legal candidate (so a tuned pick differs from the model's). */
function tunedRecord(
  opts: { device?: DeviceIdentity; hash?: string; at?: string; numSms?: number } = {},
): TuningRecord {
  const report = chooseConfig(SHAPE, DEVICE);
  const legal = report.candidates.filter((c) => !c.rejected).sort((a, b) => a.predicted!.us - b.predicted!.us);
  const winner = { ...legal[1].config, ...(opts.numSms ? { numSms: opts.numSms } : {}) };
  return {
    kind: 'fp8lab.tuning',
    version: 1,
    id: `r-${opts.hash ?? HASH}-${opts.device?.name ?? 'here'}-${opts.at ?? ''}`,
    device: opts.device ?? HERE,
    kernelHash: opts.hash ?? HASH,
    problem: { kind: 'normal', m: SHAPE.m, n: SHAPE.n, k: SHAPE.k },
    ranking: [
      { config: winner, measuredUs: 120.5 },
      { config: legal[0].config, measuredUs: 125, chosen: true },
    ],
    winner: { config: winner, us: 120.5 },
    method: 'interleaved CUDA-graph rounds, median of 10',
    measuredAt: opts.at ?? '2026-12-05T10:00:00.000Z',
    origin: { by: 'tune', host: 'test' },
  };
}

const calibrated = { ...H100_DEFAULT_MODEL, clockGHz: 1.6, powerCapBinds: false };

test('a tuned record of this device and kernel source wins, and says when it was measured', () => {
  const record = tunedRecord();
  const report = chooseWithContext(SHAPE, DEVICE, {
    tuned: viewFor([record], HERE, HASH),
    model: calibrated,
    calibratedAt: '2026-12-04T09:00:00Z',
  });
  assert.deepEqual(report.chosen, record.winner!.config);
  assert.equal(report.configOrigin?.kind, 'tuned');
  assert.equal(report.configOrigin?.text, 'tuned on this GPU on 2026-12-05');
  assert.equal(report.configOrigin?.recordId, record.id);
  assert.match(
    report.why,
    /^Tuned on this GPU on 2026-12-05: .* measured 120\.5 µs, the fastest of 2 timed candidates\. The model calibrated on this GPU on 2026-12-04 would pick: /,
  );
});

test('records of another device or an older kernel source are not used: the model decides', () => {
  const view = viewFor([tunedRecord({ device: ELSEWHERE }), tunedRecord({ hash: OLD_HASH })], HERE, HASH);
  assert.equal(view.usable.length, 0);
  const report = chooseWithContext(SHAPE, DEVICE, {
    tuned: view,
    model: calibrated,
    calibratedAt: '2026-12-04T09:00:00Z',
  });
  assert.equal(report.configOrigin?.kind, 'calibrated');
  assert.equal(report.configOrigin?.text, 'model calibrated on this GPU on 2026-12-04');
  assert.deepEqual(report.chosen, chooseConfig(SHAPE, { ...DEVICE, model: calibrated }).chosen);
});

test('without a profile the H100 defaults decide, and the reason is given', () => {
  const report = chooseWithContext(SHAPE, DEVICE, {
    defaultsReason: 'this GPU is not calibrated: run fp8lab calibrate',
  });
  assert.equal(report.configOrigin?.kind, 'defaults');
  assert.equal(
    report.configOrigin?.text,
    'model with H100 defaults (this GPU is not calibrated: run fp8lab calibrate)',
  );
  assert.deepEqual(report.chosen, chooseConfig(SHAPE, DEVICE).chosen);
  assert.match(report.why, /^Model with H100 defaults \(this GPU is not calibrated: run fp8lab calibrate\): /);
});

test('a forced config stays forced, even with a tuned record', () => {
  const forced = chooseConfig(SHAPE, DEVICE).chosen;
  const report = chooseWithContext({ ...SHAPE, config: forced }, DEVICE, {
    tuned: viewFor([tunedRecord()], HERE, HASH),
  });
  assert.equal(report.configOrigin?.kind, 'forced');
  assert.deepEqual(report.chosen, forced);
});

test('a tuned winner the device cannot run (more SMs than it has) falls back to the model, saying why', () => {
  const report = chooseWithContext(SHAPE, DEVICE, { tuned: viewFor([tunedRecord({ numSms: 132 })], HERE, HASH) });
  assert.equal(report.configOrigin?.kind, 'defaults');
  assert.match(report.why, /the tuned winner .* breaks rule num-sms here: it uses 132 SMs; 78 are available/);
});

test('the newest tuned record of a shape is the one used', () => {
  const older = tunedRecord({ at: '2026-12-01T00:00:00.000Z' });
  const newer = {
    ...tunedRecord({ at: '2026-12-06T00:00:00.000Z' }),
    winner: { config: chooseConfig(SHAPE, DEVICE).chosen, us: 119 },
  };
  const report = chooseWithContext(SHAPE, DEVICE, { tuned: viewFor([older, newer], HERE, HASH) });
  assert.equal(report.configOrigin?.text, 'tuned on this GPU on 2026-12-06');
  assert.deepEqual(report.chosen, newer.winner.config);
});

test('the H100 default terms reproduce the fitted model exactly; calibrated terms move the prediction', () => {
  const config = chooseConfig(SHAPE, H100_SXM).chosen;
  const plain = predictCost(config, workShape(SHAPE), H100_SXM);
  const withDefaults = predictCost(config, workShape(SHAPE), { ...H100_SXM, model: H100_DEFAULT_MODEL });
  assert.ok(Math.abs(plain.us - withDefaults.us) < 1e-9 * plain.us);
  // Twice the clock halves the SM-side time of a compute-bound shape (L2 and HBM keep their bytes
  // per second, so the 6-norm with them keeps it a little above half).
  const big: GemmProblem = { kind: 'normal', m: 8192, n: 8192, k: 8192 };
  const base = predictCost(chooseConfig(big, H100_SXM).chosen, workShape(big), H100_SXM);
  const fast = predictCost(chooseConfig(big, H100_SXM).chosen, workShape(big), {
    ...H100_SXM,
    model: { ...H100_DEFAULT_MODEL, clockGHz: 2.6 },
  });
  assert.ok(fast.us < 0.62 * base.us && fast.us > 0.48 * base.us, `${fast.us} vs ${base.us}`);
  const decode: GemmProblem = { kind: 'normal', m: 64, n: 7168, k: 16384 };
  const cfg = chooseConfig(decode, H100_SXM).chosen;
  const slowMem = predictCost(cfg, workShape(decode), {
    ...H100_SXM,
    model: { ...H100_DEFAULT_MODEL, dramBytesPerSecond: H100_DEFAULT_MODEL.dramBytesPerSecond / 2 },
  });
  assert.equal(slowMem.bound, 'HBM bandwidth');
  assert.ok(slowMem.us > 1.6 * predictCost(cfg, workShape(decode), H100_SXM).us);
});

test('the power-cap term is off where the calibration saw the clock stay up', () => {
  const big: GemmProblem = { kind: 'normal', m: 8192, n: 8192, k: 8192 };
  const cfg = chooseConfig(big, H100_SXM).chosen;
  const capped = predictCost(cfg, workShape(big), { ...H100_SXM, model: H100_DEFAULT_MODEL });
  const free = predictCost(cfg, workShape(big), {
    ...H100_SXM,
    model: { ...H100_DEFAULT_MODEL, powerCapBinds: false },
  });
  assert.ok(free.cycles <= capped.cycles);
  assert.notEqual(free.bound, 'the power cap');
});

test('a tuned winner on fewer SMs (a num_sms variant) gets its own candidate row, so the views can mark it', () => {
  const record = tunedRecord({ numSms: 66 });
  const report = chooseWithContext(SHAPE, DEVICE, { tuned: viewFor([record], HERE, HASH) });
  assert.equal(report.configOrigin?.kind, 'tuned');
  const rows = report.candidates.filter((c) => c.config.numSms === 66);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].config, record.winner!.config);
  assert.ok(rows[0].predicted!.us > 0);
  assert.equal(report.candidates.length, chooseConfig(SHAPE, DEVICE).candidates.length + 1);
  // A winner the enumeration lists is not repeated.
  const listed = chooseWithContext(SHAPE, DEVICE, { tuned: viewFor([tunedRecord()], HERE, HASH) });
  assert.equal(listed.candidates.length, chooseConfig(SHAPE, DEVICE).candidates.length);
});
