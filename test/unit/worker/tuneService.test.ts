// Interleaved autotune (worker/service.ts tune() -> bench/tuneShape.ts) with a fake addon: the
// inputs made once for all candidates, each candidate checked, every correct one timed in ONE
// timeGraphs call (so rounds interleave them), failed ones left out, everything freed, and the
// ranking built from the per-candidate medians.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BenchOptions, GemmConfig, GemmProblem, JobProgress } from '../../../extension/protocol/worker';
import { candidatesToTime, rankTuning } from '../../../extension/src/core/tuneRanking';
import { UtilKernel } from '../../../extension/src/core/utilsSource';
import type { AddonModule } from '../../../extension/src/worker/addon';
import { chooseFor, kernelSourceFor, policyDevice } from '../../../extension/src/worker/bench/policy';
import { tune } from '../../../extension/src/worker/service';
import type * as Native from '../../../native/index';
import { device, FakeAddon, type Scenario } from './fakeAddon';
import { environment, testSettings } from './fakeEnvironment';

const work = mkdtempSync(join(tmpdir(), 'fp8lab-tune-service-'));
after(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;

const problem: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 2048 };
const options: BenchOptions = { timing: true, peer: true, rounds: 10, seed: 7 };
const settings = () => testSettings(join(work, `cache-${runs++}`));
const report = chooseFor(problem, policyDevice(settings(), { ...device, isHopper: true }));
const candidates = candidatesToTime(report.candidates, report.chosen, 4);
const configs = candidates.map((c) => c.config);

const key = (
  c: Pick<
    GemmConfig,
    'blockM' | 'blockN' | 'numStages' | 'numMathWarpgroups' | 'clusterM' | 'clusterN' | 'swizzleD'
  > & { splitK?: number },
) =>
  [c.blockM, c.blockN, c.numStages, c.numMathWarpgroups, c.clusterM, c.clusterN, c.swizzleD, c.splitK ?? 1].join(',');
/** The fake's answer per candidate: the LAST candidate is the fastest, the reverse of the prediction. */
const fakeUs = new Map(configs.map((c, i) => [key(c), 100 - 10 * i]));

/** A FakeAddon whose timeGraphs answers each entry with its candidate's time, and whose chosen candidates write nothing. */
function fakeFor(scenario: Scenario, writesNothing: GemmConfig[] = []) {
  const fake = new FakeAddon(scenario);
  const time = fake.timeGraphs;
  fake.timeGraphs = async (entries, o) => {
    await time(entries, o); // records the call and applies the scenario's capture failures
    return {
      perCallUs: entries.map((e) => {
        const spec = (e[0] as unknown as { spec: Native.GemmLaunchSpec }).spec;
        return Array.from({ length: o.rounds }, (_, r) => fakeUs.get(key(spec))! + (r % 2) * 0.5);
      }),
    };
  };
  const create = fake.createGemmLaunch;
  fake.createGemmLaunch = (spec) => {
    const launch = create(spec);
    if (!writesNothing.some((c) => key(c) === key(spec))) return launch;
    const run = launch.run.bind(launch);
    // Runs, but leaves D as poisoned as it found it: the check sees every element unwritten.
    launch.run = () => {
      run();
      (fake as unknown as { lastWriter: string }).lastWriter = 'none';
    };
    return launch;
  };
  return fake;
}

async function tuneWith(
  fake: FakeAddon,
  opts: { gpu?: boolean; cancelAfterChecks?: number; configs?: GemmConfig[] } = {},
) {
  const progress: JobProgress[] = [];
  const run = await tune(
    settings(),
    problem,
    opts.configs ?? configs,
    options,
    {
      progress: (p) => progress.push(p),
      cancelled: () => opts.cancelAfterChecks !== undefined && fake.runs.ours >= opts.cancelAfterChecks,
    },
    { addon: () => fake as unknown as AddonModule, probe: async () => environment(opts.gpu ?? true) },
  );
  return { run, progress };
}

const launchesOf = (fake: FakeAddon, name: string) => fake.launches.filter((l) => l.name === name).length;

test('every correct candidate goes into ONE interleaved timeGraphs call on inputs made once', async () => {
  assert.equal(new Set(configs.map(key)).size, configs.length, 'the candidates are distinct');
  const fake = fakeFor({});
  const { run, progress } = await tuneWith(fake);
  assert.equal(fake.timeCalls.length, 1);
  const sets = fake.timeCalls[0].entries[0];
  assert.deepEqual(
    fake.timeCalls[0].entries,
    configs.map(() => sets),
    'one rotation of launches per candidate',
  );
  assert.equal(fake.timeCalls[0].options.rounds, 10);
  assert.ok(fake.timeCalls[0].pdl.every(Boolean));
  // Inputs: one random fill per operand per set and one reference, not one per candidate.
  assert.equal(launchesOf(fake, UtilKernel.fillRandom), 2 * sets);
  assert.equal(launchesOf(fake, UtilKernel.referenceGemm), 1);
  assert.equal(launchesOf(fake, UtilKernel.calcDiff), configs.length, 'each candidate checked once');
  assert.equal(fake.runs.ours, configs.length);
  assert.equal(fake.live.size, 0, 'every buffer and launch freed');

  assert.equal(run.results.length, configs.length);
  assert.equal(run.interrupted, undefined);
  run.results.forEach((r, i) => {
    assert.equal(key(r.config), key(configs[i]), 'results in the order given');
    assert.equal(r.accuracy?.passed, true);
    assert.equal(r.timing?.medianUs, 100 - 10 * i + 0.25);
    assert.equal(r.timing?.samples, 10);
  });
  assert.match(run.method, /^interleaved CUDA-graph rounds, median of 10: the 4 correct candidate\(s\)/);
  assert.match(
    run.method,
    new RegExp(`${fake.timeCalls[0].options.callsPerGraph} calls per candidate over ${sets} rotated input set`),
  );
  assert.equal(run.device?.name, device.name);
  assert.deepEqual(
    progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]),
    ['compiling', 'checking', 'timing', 'done'],
  );

  const ranking = rankTuning(problem, candidates, run.results, report.chosen);
  assert.equal(key(ranking.best!.config), key(configs.at(-1)!), 'fastest measured first, whatever the prediction said');
  assert.deepEqual(
    ranking.candidates.map((c) => c.measuredUs),
    [70.25, 80.25, 90.25, 100.25],
  );
});

test('a candidate that fails to compile or writes nothing is reported and left out of the timing', async () => {
  const broken = kernelSourceFor(problem, configs[1]).kernelName;
  const fake = fakeFor({ compileFails: new RegExp(`^${broken}$`) }, [configs[2]]);
  const { run } = await tuneWith(fake);
  assert.equal(fake.timeCalls.length, 1);
  assert.equal(fake.timeCalls[0].entries.length, 2, 'only the two correct candidates are timed');
  assert.equal(run.results[1].error?.code, 'E_COMPILE');
  assert.equal(run.results[2].error?.code, 'E_WRONG_RESULT');
  assert.match(run.results[2].error!.message, /never written/);
  assert.equal(run.results[1].timing, undefined);
  assert.equal(run.results[2].timing, undefined);
  assert.equal(run.results[0].timing?.medianUs, 100.25);
  assert.equal(run.results[3].timing?.medianUs, 70.25);
  assert.equal(fake.live.size, 0);
  const ranking = rankTuning(problem, candidates, run.results, report.chosen);
  assert.deepEqual(
    ranking.candidates.map((c) => c.measuredUs),
    [70.25, 100.25, undefined, undefined],
  );
  assert.ok(ranking.candidates.slice(2).every((c) => c.error));
});

test('a fault while checking stops the run: nothing is timed and the rest are not measured', async () => {
  const fake = fakeFor({ faultOnRun: 2 });
  const { run } = await tuneWith(fake);
  assert.equal(fake.timeCalls.length, 0);
  assert.equal(run.results.length, 2);
  assert.equal(run.results[0].accuracy?.passed, true);
  assert.equal(run.results[1].error?.code, 'E_KERNEL_FAULT');
  assert.equal(run.interrupted?.code, 'E_KERNEL_FAULT');
  assert.match(run.interrupted!.message, /context is lost; the candidates after it were not measured/);
  assert.equal(fake.runs.ours, 2, 'no candidate launched after the fault');
  assert.equal(fake.live.size, 0);
  const ranking = rankTuning(problem, candidates, run.results, report.chosen);
  assert.equal(ranking.best, undefined);
  assert.deepEqual(
    ranking.candidates.slice(2).map((c) => c.error),
    ['not measured', 'not measured'],
  );
});

test('a capture that refuses PDL retimes every candidate together without it, and says so', async () => {
  const fake = fakeFor({ pdlCaptureFails: true });
  const { run } = await tuneWith(fake);
  assert.equal(fake.timeCalls.length, 2);
  assert.deepEqual(
    fake.timeCalls.map((c) => c.entries.length),
    [4, 4],
  );
  assert.equal(fake.timeCalls[1].pdl.some(Boolean), false);
  assert.ok(run.results.every((r) => r.timing && /without programmatic dependent launch/.test(r.timingNote ?? '')));
  assert.equal(fake.live.size, 0);
});

test('cancelling during the checks keeps what was checked and times nothing', async () => {
  const fake = fakeFor({});
  const { run } = await tuneWith(fake, { cancelAfterChecks: 1 });
  assert.equal(run.interrupted?.code, 'E_CANCELLED');
  assert.equal(run.results.length, 1);
  assert.equal(fake.timeCalls.length, 0);
  assert.equal(fake.live.size, 0);
});

test('bad input is refused before anything is compiled or allocated', async () => {
  const fake = fakeFor({});
  await assert.rejects(tuneWith(fake, { configs: [] }), (e: { code?: string }) => e.code === 'E_BAD_ARGUMENT');
  await assert.rejects(
    tuneWith(fake, { gpu: false }),
    (e: { code?: string; message?: string }) => e.code === 'E_NO_DEVICE' && /Hopper GPU/.test(e.message!),
  );
  await assert.rejects(
    tune(
      settings(),
      { ...problem, k: 2000 },
      configs,
      options,
      {},
      { addon: () => fake as unknown as AddonModule, probe: async () => environment(true) },
    ),
    (e: { code?: string }) => e.code === 'E_INVALID_SHAPE',
  );
  assert.equal(fake.compiled.length, 0);
  assert.equal(fake.allocated, 0);
});

test('an illegal forced config fails only its own candidate', async () => {
  const fake = fakeFor({});
  const illegal = { ...configs[0], blockN: 1000 };
  const { run } = await tuneWith(fake, { configs: [illegal, ...configs.slice(1)] });
  assert.equal(run.results[0].error?.code, 'E_INVALID_CONFIG');
  assert.equal(fake.timeCalls[0].entries.length, 3);
  assert.equal(fake.live.size, 0);
});
