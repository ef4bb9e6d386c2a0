// Policy bounds a forced config by the device before nvcc runs: numSms at most the GPU's SM count
// (the addon refuses a larger grid at launch), or, with no GPU found, the largest Hopper part.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeviceReport, GemmProblem, RuntimeSettings } from '../../../extension/protocol/worker';
import { applyOverrides, policyDevice, resolveConfig } from '../../../extension/src/worker/bench/policy';

const settings = {} as RuntimeSettings;
const problem: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 2048 };
const h20: DeviceReport = {
  ordinal: 0,
  name: 'NVIDIA H20',
  computeCapability: [9, 0],
  smCount: 78,
  totalMemoryBytes: 96e9,
  l2CacheBytes: 60e6,
  maxSharedMemoryPerBlockOptin: 232448,
  clockRateKHz: 1_980_000,
  isHopper: true,
};

const invalid = (re: RegExp) => (e: { code?: string; message: string }) =>
  e.code === 'E_INVALID_CONFIG' && re.test(e.message);

test('on a 78-SM H20, numSms 79 is refused naming 78; 78 passes', () => {
  const device = policyDevice(settings, h20);
  const chosen = applyOverrides(problem, device, {});
  assert.throws(
    () => resolveConfig(problem, device, { ...chosen, numSms: 79 }),
    invalid(/\[num-sms-device\] numSms 79 exceeds the 78 SMs of NVIDIA H20; use at most 78/),
  );
  assert.throws(() => applyOverrides(problem, device, { numSms: 132 }), invalid(/use at most 78/));
  assert.equal(resolveConfig(problem, device, { ...chosen, numSms: 78 }).config.numSms, 78);
});

test('FP8LAB_NUM_SMS lowers the plan, not what the GPU can launch', () => {
  const device = policyDevice({ ...settings, numSms: 66 }, h20);
  assert.equal(applyOverrides(problem, device, {}).numSms <= 66, true);
  assert.equal(applyOverrides(problem, device, { numSms: 78 }).numSms, 78);
});

test('without a GPU: the largest Hopper part bounds it, and the message says so', () => {
  const device = policyDevice(settings, undefined);
  for (const n of [145, 4096, 4294967296, Number.MAX_SAFE_INTEGER]) {
    assert.throws(
      () => applyOverrides(problem, device, { numSms: n }),
      invalid(/144 SMs of the largest Hopper GPU .*use at most 144/),
      String(n),
    );
  }
  for (const n of [0, -1, 1.5, NaN]) {
    assert.throws(
      () => resolveConfig(problem, device, { ...applyOverrides(problem, device, {}), numSms: n }),
      invalid(/numSms must be a whole number ≥ 1/),
      String(n),
    );
  }
  assert.equal(applyOverrides(problem, device, { numSms: 144 }).numSms, 144);
});
