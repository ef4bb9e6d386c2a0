// The bench loop (worker/service.ts bench()) with a fake addon and a fake environment report: the
// order of work across shapes, what stops a run and what does not, study mode, compile sharing,
// and the device ceilings measured once and then read from the cache folder.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BenchOptions, GemmProblem, JobProgress, RuntimeSettings } from '../../../extension/protocol/worker';
import type { AddonModule } from '../../../extension/src/worker/addon';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { bench } from '../../../extension/src/worker/service';
import { FakeAddon, type Scenario } from './fakeAddon';
import { environment, testSettings } from './fakeEnvironment';

const work = mkdtempSync(join(tmpdir(), 'fp8lab-bench-service-'));
after(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;
const settingsFor = (cacheDir = join(work, `cache-${runs++}`)): RuntimeSettings => testSettings(cacheDir);

const shape = (m: number, n: number, k: number): GemmProblem => ({ kind: 'normal', m, n, k });
const timed: BenchOptions = { timing: true, peer: true, rounds: 5, seed: 3 };
const checkOnly: BenchOptions = { timing: false, peer: false, rounds: 1, seed: 3 };

async function run(
  problems: GemmProblem[],
  options: BenchOptions,
  scenario: Scenario = {},
  opts: { gpu?: boolean; settings?: RuntimeSettings; cancelAfter?: number } = {},
) {
  const fake = new FakeAddon(scenario);
  const progress: JobProgress[] = [];
  let measured = 0;
  const result = await bench(
    opts.settings ?? settingsFor(),
    problems,
    options,
    {
      progress: (p) => progress.push(p),
      measured: () => {
        measured++;
      },
      cancelled: () => opts.cancelAfter !== undefined && measured >= opts.cancelAfter,
    },
    { addon: () => fake as unknown as AddonModule, probe: async () => environment(opts.gpu ?? true) },
  );
  return { fake, run: result, progress, measured };
}

test('a GPU run times every shape, measures host overhead once and the ceilings once, then caches them', async () => {
  const settings = settingsFor();
  const {
    fake,
    run: r,
    progress,
    measured,
  } = await run([shape(64, 2112, 7168), shape(128, 2112, 7168), shape(4096, 7168, 2048)], timed, {}, { settings });
  assert.equal(r.mode, 'gpu');
  assert.equal(r.results.length, 3);
  assert.equal(measured, 3);
  assert.ok(
    r.results.every(
      (x) => x.timing && x.accuracy?.passed && x.registers?.registers === 168 && x.registers.driver?.numRegs === 168,
    ),
  );
  assert.equal(r.interrupted, undefined);
  assert.equal(fake.inits, 1);
  assert.ok(r.hostOverhead && r.hostOverhead.launches === 200);
  assert.ok(r.ceilings && r.ceilings.fp8Tflops > 0 && r.ceilings.bandwidthGBps > 0);
  assert.match(r.ceilings.method, /8192x8192x8192/);
  assert.deepEqual(r.options, timed);
  assert.deepEqual(
    progress.filter((p) => p.index === 0).map((p) => p.phase),
    ['compiling', 'checking', 'peer', 'timing', 'done'],
  );
  assert.ok(progress.every((p) => p.total === 3 && p.jobId === 'local'));
  assert.ok(existsSync(join(settings.cacheDir, 'ceilings')));
  assert.equal(readdirSync(join(settings.cacheDir, 'ceilings')).length, 1);
  assert.equal(fake.live.size, 0, 'every buffer and handle freed');

  // Same device, same cache folder: the ceilings come from the file; nothing is measured again.
  const again = await run([shape(64, 2112, 7168)], timed, {}, { settings });
  assert.deepEqual(again.run.ceilings, r.ceilings);
  assert.ok(
    !again.fake.compiled.some((name) => !fake.compiled.includes(name)),
    'no new kernel compiled for the ceilings',
  );
});

test('shapes that share a kernel compile it once and report the reuse as a hit', async () => {
  const { fake, run: r } = await run([shape(1, 2112, 7168), shape(7, 2112, 7168)], checkOnly);
  assert.equal(r.results[0].config.blockN, r.results[1].config.blockN, 'the heuristic picks one config for both');
  const gemmCompiles = fake.compiled.filter((n) => n.startsWith('fp8lab_sm90'));
  assert.equal(gemmCompiles.length, 1);
  assert.deepEqual([r.results[0].compile?.cacheHit, r.results[1].compile?.cacheHit], [false, true]);
});

test('one config at two N: each shape gets the kernel compiled for its own N and K (no reuse across shapes)', async () => {
  const config = completeConfig({ blockM: 64, blockN: 32, clusterM: 1, clusterN: 1, numSms: 132 }, { k: 7168 });
  const forced = (n: number): GemmProblem => ({ ...shape(128, n, 7168), config });
  const { fake, run: r } = await run([forced(4096), forced(2112)], checkOnly, {}, { gpu: true });
  assert.deepEqual(r.results[0].config, r.results[1].config);
  const gemmCompiles = fake.compiled.filter((n) => n.startsWith('fp8lab_sm90'));
  assert.deepEqual(
    gemmCompiles.map((n) => n.replace(/.*(_n\d+_k\d+)$/, '$1')),
    ['_n4096_k7168', '_n2112_k7168'],
  );
  assert.ok(r.results.every((x) => !x.error && x.accuracy !== undefined));
  const none = await run(
    [shape(128, 4096, 7168), shape(128, 2112, 7168)],
    checkOnly,
    {},
    {
      settings: { ...settingsFor(), compiledDims: 'none' },
    },
  );
  const forcedCompiles = none.fake.compiled.filter((n) => n.includes('_bm64_bn32_'));
  assert.equal(forcedCompiles.length, 1, 'compiledDims none: one kernel for both shapes');
  assert.doesNotMatch(forcedCompiles[0], /_n\d+_k\d+$/);
});

test('a kernel fault stops the run: the shapes before it are kept, the rest are not run', async () => {
  const { run: r, fake } = await run(
    [shape(64, 2112, 7168), shape(128, 2112, 7168), shape(4096, 7168, 2048)],
    checkOnly,
    { faultOnRun: 2 },
  );
  assert.equal(r.results.length, 2);
  assert.equal(r.results[0].accuracy?.passed, true);
  assert.equal(r.results[1].error?.code, 'E_KERNEL_FAULT');
  assert.equal(r.interrupted?.code, 'E_KERNEL_FAULT');
  assert.match(r.interrupted!.message, /context is lost/);
  assert.equal(fake.runs.ours, 2);
  assert.equal(r.ceilings, undefined);
});

test('cancellation between shapes keeps what was measured', async () => {
  const { run: r } = await run(
    [shape(64, 2112, 7168), shape(128, 2112, 7168), shape(4096, 7168, 2048)],
    checkOnly,
    {},
    { cancelAfter: 1 },
  );
  assert.equal(r.results.length, 1);
  assert.equal(r.interrupted?.code, 'E_CANCELLED');
  assert.ok(r.finishedAt);
});

test('a failed compile costs only its shape', async () => {
  const { run: r } = await run([shape(64, 2112, 7168), shape(4096, 7168, 2048), shape(128, 2112, 7168)], checkOnly, {
    compileFails: /_n7168_k2048$/, // the kernel compiled for the second shape's N and K
  });
  assert.equal(r.results.length, 3);
  assert.equal(r.results[1].error?.code, 'E_COMPILE');
  assert.equal(r.results[1].error?.log, 'error: expected a ";"');
  assert.equal(r.results[1].registers, undefined);
  assert.equal(r.results[1].config.blockM, 128);
  assert.equal(r.results[0].accuracy?.passed, true);
  assert.equal(r.results[2].accuracy?.passed, true);
  assert.equal(r.interrupted, undefined);
});

test('without a Hopper GPU: study mode compiles every shape and touches no device', async () => {
  const { fake, run: r } = await run([shape(64, 2112, 7168), shape(4096, 7168, 2048)], timed, {}, { gpu: false });
  assert.equal(r.mode, 'study');
  assert.equal(fake.inits, 0);
  assert.equal(fake.allocated, 0);
  assert.ok(r.results.every((x) => x.registers && x.compile && !x.timing && !x.accuracy));
  assert.equal(r.ceilings, undefined);
  assert.equal(r.device, undefined);
});

test('bad input is refused before anything is compiled or run', async () => {
  const fake = new FakeAddon({});
  const deps = { addon: () => fake as unknown as AddonModule, probe: async () => environment(true) };
  await assert.rejects(
    bench(settingsFor(), [shape(64, 2112, 7168), shape(64, 2112, 7000)], timed, {}, deps),
    /shape 2 \(64x2112x7000\): K must be a multiple of 128/,
  );
  await assert.rejects(
    bench(settingsFor(), [{ ...shape(64, 2112, 7168), kind: 'masked', numGroups: 2, expectedM: 32 }], timed, {}, deps),
    (e: { code?: string }) => e.code === 'E_INVALID_SHAPE',
  );
  await assert.rejects(
    bench(settingsFor(), [], timed, {}, deps),
    (e: { code?: string }) => e.code === 'E_INVALID_SHAPE',
  );
  await assert.rejects(
    bench(settingsFor(), [shape(64, 2112, 7168)], { ...timed, seed: -1 }, {}, deps),
    (e: { code?: string }) => e.code === 'E_BAD_ARGUMENT',
  );
  assert.equal(fake.compiled.length, 0);
  assert.equal(fake.allocated, 0);
});
