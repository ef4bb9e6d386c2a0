// Calibration arithmetic on recorded numbers: nvidia-smi samples as the H100 printed them during an
// FP8 GEMM (GPU.md: the 700 W cap pulls the clock from 1980 to about 1.4 GHz), the clock under load,
// and the model terms derived from a profile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODEL, H100_DEFAULT_MODEL } from '../../../../extension/src/core/heuristics';
import {
  clockUnderLoad,
  modelFromProfile,
  parseClockSamples,
  powerCapBinds,
  profileFor,
  profileProblem,
  type DeviceProfile,
} from '../../../../extension/src/core/tuning/calibration';
import type { DeviceIdentity } from '../../../../extension/src/core/tuning/tuningRecord';

// clocks.sm, clocks.max.sm, power.draw, enforced.power.limit: idle before the GEMM, loaded, a
// sample nvidia-smi could not read, and a line cut short when the sampler was stopped.
const SMI_FULL = `1980, 1980, 118.42, 700.00
1980, 1980, 121.07, 700.00
1755, 1980, 690.13, 700.00
1410, 1980, 699.50, 700.00
1395, 1980, 701.22, 700.00
1425, 1980, 698.04, 700.00
[N/A], 1980, 699.90, 700.00
1980, 1980, 240.3`;
const SMI_78 = `1980, 1980, 120.00, 700.00
1980, 1980, 489.50, 700.00
1965, 1980, 502.11, 700.00
1980, 1980, 497.36, 700.00
1980, 1980, 130.00, 700.00`;

const H100_78: DeviceIdentity = {
  name: 'NVIDIA H100 80GB HBM3',
  smsInUse: 78,
  smCount: 132,
  computeCapability: [9, 0],
  driverVersion: 13000,
  powerLimitW: 700,
};

function profile(over: Partial<DeviceProfile> = {}): DeviceProfile {
  return {
    kind: 'fp8lab.deviceProfile',
    version: 1,
    device: H100_78,
    fp8Tflops: 936,
    bandwidthGBps: 3350,
    l2CacheBytes: 52428800,
    clock: clockUnderLoad(parseClockSamples(SMI_78)),
    method: 'test',
    measuredAt: '2026-12-06T03:00:00.000Z',
    ...over,
  };
}

test('nvidia-smi samples: unreadable and cut-short lines are skipped', () => {
  const samples = parseClockSamples(SMI_FULL);
  assert.equal(samples.length, 6);
  assert.deepEqual(samples[3], { smMHz: 1410, maxSmMHz: 1980, powerW: 699.5, powerLimitW: 700 });
  assert.deepEqual(parseClockSamples('clocks.current.sm [MHz], clocks.max.sm [MHz]\n\n'), []);
});

test('clock under load: the median of the samples drawing at least half the peak power', () => {
  const full = clockUnderLoad(parseClockSamples(SMI_FULL))!;
  // Loaded: 1755, 1410, 1395, 1425 (the idle 118 W and 121 W samples are below 701/2).
  assert.equal(full.samples, 4);
  assert.equal(full.underLoadMHz, (1410 + 1425) / 2);
  assert.equal(full.maxMHz, 1980);
  assert.equal(full.powerLimitW, 700);
  assert.equal(powerCapBinds(full), true, '1417 MHz is under 95% of 1980');
  const few = clockUnderLoad(parseClockSamples(SMI_78))!;
  assert.equal(few.samples, 3);
  assert.equal(few.underLoadMHz, 1980);
  assert.equal(powerCapBinds(few), false, 'on 78 SMs the clock stays at its maximum');
  assert.equal(clockUnderLoad([]), undefined);
  assert.equal(powerCapBinds(undefined), true, 'without samples assume the cap binds, as on the H100');
});

test('model terms from a profile: the FP8 rate sets the clock, the memory roof the HBM term', () => {
  const m = modelFromProfile(profile());
  // 936 TFLOPS over 78 SMs x 8192 FLOP/cycle = 1.465 GHz.
  assert.ok(Math.abs(m.clockGHz - 936e12 / (8192 * 78) / 1e9) < 1e-12);
  assert.ok(Math.abs(m.clockGHz - 1.4648) < 1e-3);
  assert.equal(m.dramBytesPerSecond, 3350e9);
  assert.ok(Math.abs(m.l2BytesPerSecond - MODEL.l2BytesPerCycle * m.clockGHz * 1e9) < 1);
  assert.equal(m.powerCapBinds, false);
  // A full H100 measured at the defaults' rate (1.40 PFLOP/s) gives back the default clock.
  const full = modelFromProfile(
    profile({
      device: { ...H100_78, smsInUse: 132 },
      fp8Tflops: (8192 * 132 * 1.3e9) / 1e12,
      clock: clockUnderLoad(parseClockSamples(SMI_FULL)),
    }),
  );
  assert.ok(Math.abs(full.clockGHz - H100_DEFAULT_MODEL.clockGHz) < 1e-12);
  assert.equal(full.powerCapBinds, true);
});

test('profiles are checked and matched by device identity', () => {
  assert.equal(profileProblem(profile()), undefined);
  assert.match(profileProblem({ ...profile(), fp8Tflops: 0 })!, /FP8 rate/);
  assert.match(profileProblem({ ...profile(), version: 2 })!, /version 2/);
  assert.match(profileProblem({ kind: 'other' })!, /not a device profile/);
  const old = profile({ measuredAt: '2026-12-01T00:00:00.000Z', fp8Tflops: 900 });
  const other = profile({ device: { ...H100_78, smsInUse: 132 } });
  assert.equal(profileFor([old, profile(), other], H100_78)?.fp8Tflops, 936, 'the newest of this identity');
  assert.equal(profileFor([other], H100_78), undefined, 'another SM budget is another identity');
});
