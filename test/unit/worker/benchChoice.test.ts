// The bench loop (worker/service.ts) consults the tuning store and the device profile: with the
// fake addon and environment of the bench tests, a real store and profile in temp folders. A shape
// with a tuned record of this device and kernel source runs the tuned winner and says so; the
// others run the calibrated model's pick; FP8LAB_MODEL narrows the choice; a forced config stays.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BenchOptions, GemmProblem, RuntimeSettings } from '../../../extension/protocol/worker';
import { chooseConfig, H100_DEFAULT_MODEL } from '../../../extension/src/core/heuristics';
import { modelFromProfile, type DeviceProfile } from '../../../extension/src/core/tuning/calibration';
import type { TuningRecord } from '../../../extension/src/core/tuning/tuningRecord';
import { findExtensionRoot, type AddonModule } from '../../../extension/src/worker/addon';
import { deviceIdentity } from '../../../extension/src/worker/deviceIdentity';
import { policyDevice } from '../../../extension/src/worker/bench/policy';
import { bench } from '../../../extension/src/worker/service';
import { writeProfile } from '../../../extension/src/storage/deviceProfiles';
import { kernelSourceHash } from '../../../extension/src/storage/kernelSourceHash';
import { TuningStore } from '../../../extension/src/storage/tuningStore';
import { FakeAddon } from './fakeAddon';
import { environment, testSettings } from './fakeEnvironment';

const root = findExtensionRoot(__dirname, {});
const options: BenchOptions = { timing: true, peer: false, rounds: 3, seed: 1 };
const TUNED: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 2048 };
const MODELLED: GemmProblem = { kind: 'normal', m: 64, n: 7168, k: 16384 };

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-bench-choice-'));
  const settings: RuntimeSettings = {
    ...testSettings(join(dir, 'cache')),
    kernelsDir: join(root, 'kernels'),
    tuningDbPath: join(dir, 'tuning'),
  };
  const env = environment(true);
  const identity = await deviceIdentity(env, env.devices[0], settings);
  const kernelHash = await kernelSourceHash(settings.kernelsDir, settings.jitDefines);
  const device = policyDevice(settings, env.devices[0]);
  const legal = chooseConfig(TUNED, device)
    .candidates.filter((c) => !c.rejected)
    .sort((a, b) => a.predicted!.us - b.predicted!.us);
  const winner = legal[2].config;
  const record: TuningRecord = {
    kind: 'fp8lab.tuning',
    version: 1,
    id: 'tuned-4096',
    device: identity,
    kernelHash,
    problem: { ...TUNED },
    ranking: [
      { config: winner, measuredUs: 150 },
      { config: legal[0].config, measuredUs: 160, chosen: true },
    ],
    winner: { config: winner, us: 150 },
    method: 'test',
    measuredAt: '2026-12-06T01:00:00.000Z',
    origin: { by: 'tune', host: 'test' },
  };
  await new TuningStore(settings.tuningDbPath!).append([record]);
  // A GPU whose FP8 rate is half the H100 fit's and whose memory is 1.5x faster (an H20's balance):
  // the model moves 64x7168x16384 from 64x64 tiles to split-K 2 of 64x128.
  const profile: DeviceProfile = {
    kind: 'fp8lab.deviceProfile',
    version: 1,
    device: identity,
    fp8Tflops: (0.5 * 8192 * device.numSms * H100_DEFAULT_MODEL.clockGHz * 1e9) / 1e12,
    bandwidthGBps: (1.5 * H100_DEFAULT_MODEL.dramBytesPerSecond) / 1e9,
    l2CacheBytes: 50 * 2 ** 20,
    method: 'test',
    measuredAt: '2026-12-05T00:00:00.000Z',
  };
  await writeProfile(settings.tuningDbPath!, profile);
  return { settings, env, winner, device, profile };
}

async function runBench(settings: RuntimeSettings, problems: GemmProblem[]) {
  const fake = new FakeAddon({});
  return bench(
    settings,
    problems,
    options,
    {},
    { addon: () => fake as unknown as AddonModule, probe: async () => environment(true) },
  );
}

test('bench: the tuned winner for its shape, the calibrated model elsewhere; each result says which', async () => {
  const { settings, winner, device, profile } = await setup();
  const run = await runBench(settings, [TUNED, MODELLED]);
  assert.deepEqual(
    run.results.map((r) => r.error),
    [undefined, undefined],
  );
  assert.deepEqual(run.results[0].config, winner);
  assert.deepEqual(run.results[0].configOrigin, {
    kind: 'tuned',
    text: 'tuned on this GPU on 2026-12-06',
    measuredAt: '2026-12-06T01:00:00.000Z',
    recordId: 'tuned-4096',
  });
  assert.equal(run.results[1].configOrigin?.kind, 'calibrated');
  assert.equal(run.results[1].configOrigin?.text, 'model calibrated on this GPU on 2026-12-05');
  assert.deepEqual(
    run.results[1].config,
    chooseConfig(MODELLED, { ...device, model: modelFromProfile(profile) }).chosen,
  );
  assert.notDeepEqual(run.results[1].config, chooseConfig(MODELLED, device).chosen, 'the calibration moved this pick');
  assert.equal(run.results[1].config.splitK, 2);
});

test('FP8LAB_MODEL=calibrated skips the tuned record; =defaults the profile too; a forced config stays forced', async () => {
  const { settings, device } = await setup();
  const saved = process.env.FP8LAB_MODEL;
  try {
    process.env.FP8LAB_MODEL = 'calibrated';
    const calibrated = await runBench(settings, [TUNED]);
    assert.equal(calibrated.results[0].configOrigin?.kind, 'calibrated');
    process.env.FP8LAB_MODEL = 'defaults';
    const defaults = await runBench(settings, [TUNED, MODELLED]);
    assert.deepEqual(
      defaults.results.map((r) => r.configOrigin?.text),
      ['model with H100 defaults (FP8LAB_MODEL=defaults)', 'model with H100 defaults (FP8LAB_MODEL=defaults)'],
    );
    assert.deepEqual(defaults.results[1].config, chooseConfig(MODELLED, device).chosen);
    delete process.env.FP8LAB_MODEL;
    const forcedConfig = chooseConfig(TUNED, device).chosen;
    const forced = await runBench(settings, [{ ...TUNED, config: forcedConfig }]);
    assert.equal(forced.results[0].configOrigin?.kind, 'forced');
    assert.deepEqual(forced.results[0].config, forcedConfig);
  } finally {
    if (saved === undefined) delete process.env.FP8LAB_MODEL;
    else process.env.FP8LAB_MODEL = saved;
  }
});
