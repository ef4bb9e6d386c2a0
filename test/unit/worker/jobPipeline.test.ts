// The worker's job pipeline (worker/jobPipeline.ts) on its own: the order of progress reports, a
// cancel before an item or from inside a step, a lost CUDA context on item k (the job ends with
// the coded error and keeps items < k), a plain exception coded E_INTERNAL, the single-item form
// the studies use, the cancel watch, and the probe's refusals. No addon work runs: the steps are
// the tests' own, and the probe reads a fixed environment report.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodedErrorData, JobProgress } from '../../../extension/protocol/worker';
import { RuntimeError } from '../../../extension/src/core/runtimeError';
import type { AddonModule } from '../../../extension/src/worker/addon';
import {
  openJob,
  requireGpu,
  runItems,
  runSingle,
  startDevice,
  type ItemLoop,
  type JobHooks,
} from '../../../extension/src/worker/jobPipeline';
import { FakeAddon } from './fakeAddon';
import { environment, testSettings } from './fakeEnvironment';

const settings = testSettings('/nonexistent/fp8lab-cache');

interface Out {
  item: string;
  error?: CodedErrorData;
}

/** A job over fixed items; `fail` maps an item to what its step throws. */
async function jobWith(
  items: string[],
  opts: { fail?: Record<string, unknown>; cancelWhen?: (kept: Out[]) => boolean; summary?: boolean } = {},
) {
  const progress: JobProgress[] = [];
  const kept: Out[] = [];
  const stepped: string[] = [];
  const hooks: JobHooks = {
    progress: (p) => progress.push(p),
    cancelled: () => opts.cancelWhen?.(kept) === true,
    jobId: 'job-1',
  };
  const fake = new FakeAddon({});
  const job = await openJob(settings, hooks, {
    addon: () => fake as unknown as AddonModule,
    probe: async () => environment(false),
  });
  const loop: ItemLoop<string, Out> = {
    items,
    noun: 'shapes',
    label: (item) => `shape ${item}`,
    step: async (item, at) => {
      stepped.push(item);
      at.progress('compiling', `compiling ${item}`);
      at.checkpoint();
      if (opts.fail && item in opts.fail) throw opts.fail[item];
      at.progress('timing', `timing ${item}`);
      return { item };
    },
    failed: (item, _index, error) => ({ item, error }),
    kept: (r) => kept.push(r),
    ...(opts.summary === false ? {} : { summary: (r: Out) => `measured ${r.item}` }),
  };
  const outcome = await runItems(job, loop);
  return { outcome, progress, kept, stepped };
}

test('every item reports its phases in order, then done with its summary; results come in item order', async () => {
  const { outcome, progress, kept } = await jobWith(['a', 'b', 'c']);
  assert.deepEqual(
    outcome.results.map((r) => r.item),
    ['a', 'b', 'c'],
  );
  assert.equal(outcome.interrupted, undefined);
  assert.deepEqual(
    kept.map((r) => r.item),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    progress.map((p) => `${p.index}/${p.total} ${p.phase} ${p.message}`),
    [
      '0/3 compiling compiling a',
      '0/3 timing timing a',
      '0/3 done shape a: measured a',
      '1/3 compiling compiling b',
      '1/3 timing timing b',
      '1/3 done shape b: measured b',
      '2/3 compiling compiling c',
      '2/3 timing timing c',
      '2/3 done shape c: measured c',
    ],
  );
  assert.ok(progress.every((p) => p.jobId === 'job-1'));
});

test('without a summary no done line is reported per item (the tune candidates)', async () => {
  const { progress } = await jobWith(['a', 'b'], { summary: false });
  assert.deepEqual(
    progress.map((p) => p.phase),
    ['compiling', 'timing', 'compiling', 'timing'],
  );
});

test('a cancel between items ends the job with E_CANCELLED and keeps the items before it', async () => {
  const { outcome, stepped } = await jobWith(['a', 'b', 'c', 'd'], { cancelWhen: (kept) => kept.length >= 2 });
  assert.deepEqual(
    outcome.results.map((r) => r.item),
    ['a', 'b'],
  );
  assert.deepEqual(stepped, ['a', 'b'], 'no step starts after the cancel');
  assert.equal(outcome.interrupted?.code, 'E_CANCELLED');
  assert.match(outcome.interrupted!.message, /cancelled/);
});

test('a cancel noticed inside a step (its checkpoint) keeps no result for that item', async () => {
  let cancelNow = false;
  const progress: JobProgress[] = [];
  const job = await openJob(
    settings,
    { progress: (p) => progress.push(p), cancelled: () => cancelNow },
    { addon: () => new FakeAddon({}) as unknown as AddonModule, probe: async () => environment(false) },
  );
  const outcome = await runItems(job, {
    items: ['a', 'b', 'c'],
    noun: 'shapes',
    label: (x) => x,
    step: async (item, at) => {
      if (item === 'b') {
        cancelNow = true;
        at.checkpoint();
      }
      return item;
    },
    failed: (item) => `failed ${item}`,
    summary: (r) => r,
  });
  assert.deepEqual(outcome.results, ['a']);
  assert.equal(outcome.interrupted?.code, 'E_CANCELLED');
  assert.deepEqual(
    progress.map((p) => `${p.index} ${p.phase}`),
    ['0 done'],
    'the cancelled item reports no done line',
  );
});

for (const code of ['E_KERNEL_FAULT', 'E_TIMEOUT'] as const) {
  test(`${code} on item k ends the job with that coded error, keeps items < k and item k's error, runs nothing after`, async () => {
    const lost = new RuntimeError({
      code,
      message: 'an illegal memory access was encountered.',
      cudaError: 'CUDA_ERROR_ILLEGAL_ADDRESS',
    });
    const { outcome, stepped, kept, progress } = await jobWith(['a', 'b', 'c', 'd'], { fail: { c: lost } });
    assert.deepEqual(stepped, ['a', 'b', 'c']);
    assert.deepEqual(
      outcome.results.map((r) => r.item),
      ['a', 'b', 'c'],
    );
    assert.equal(outcome.results[0].error, undefined);
    assert.equal(outcome.results[1].error, undefined);
    assert.deepEqual(outcome.results[2].error, {
      code,
      message: 'an illegal memory access was encountered.',
      cudaError: 'CUDA_ERROR_ILLEGAL_ADDRESS',
    });
    assert.equal(kept.length, 3, 'the failed item is reported like a measured one');
    assert.equal(outcome.interrupted?.code, code);
    assert.equal(
      outcome.interrupted?.message,
      'shape c: an illegal memory access was encountered. The CUDA context is lost; the remaining shapes were not run.',
    );
    assert.equal(progress.at(-1)?.message, `shape c: [${code}] an illegal memory access was encountered.`);
  });
}

test('a verb may word the context-loss message itself (it gets the label and the index)', async () => {
  const job = await openJob(
    settings,
    {},
    { addon: () => new FakeAddon({}) as unknown as AddonModule, probe: async () => environment(false) },
  );
  const outcome = await runItems(job, {
    items: [1, 2, 3],
    noun: 'candidates',
    label: () => '4096x7168x2048',
    step: async (n) => {
      if (n === 2) throw Object.assign(new Error('fault'), { code: 'E_KERNEL_FAULT' });
      return n;
    },
    failed: () => -1,
    contextLost: (label, index, e) => `${label}: candidate ${index + 1} failed its check: ${e.message}`,
  });
  assert.deepEqual(outcome.results, [1, -1]);
  assert.equal(outcome.interrupted?.message, '4096x7168x2048: candidate 2 failed its check: fault');
});

test('a plain exception in a step is coded E_INTERNAL with its stack; a coded one keeps its code and log; the job goes on', async () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'blockN')");
  const compileError = Object.assign(new Error('nvcc failed'), { code: 'E_COMPILE', log: 'error: expected a ";"' });
  const { outcome } = await jobWith(['a', 'b', 'c'], { fail: { a: bug, b: compileError } });
  assert.equal(outcome.interrupted, undefined);
  assert.equal(outcome.results[0].error?.code, 'E_INTERNAL');
  assert.equal(
    outcome.results[0].error?.message,
    "Unexpected error in the runtime worker: Cannot read properties of undefined (reading 'blockN')",
  );
  assert.match(outcome.results[0].error!.log!, /TypeError/);
  assert.deepEqual(outcome.results[1].error, {
    code: 'E_COMPILE',
    message: 'nvcc failed',
    log: 'error: expected a ";"',
  });
  assert.equal(outcome.results[2].error, undefined);
});

test("a single-item job (a study) rejects with its step's own error, and with E_CANCELLED when cancelled first", async () => {
  const job = await openJob(
    settings,
    {},
    { addon: () => new FakeAddon({}) as unknown as AddonModule, probe: async () => environment(false) },
  );
  const wrong = new RuntimeError({ code: 'E_WRONG_RESULT', message: "the kernel's result is wrong" });
  await assert.rejects(
    runSingle(job, '512x1024x1024', async () => {
      throw wrong;
    }),
    (e) => e === wrong,
  );
  assert.equal(await runSingle(job, '512x1024x1024', async (at) => `${at.index}/${at.total}`), '0/1');
  const cancelled = await openJob(
    settings,
    { cancelled: () => true },
    { addon: () => new FakeAddon({}) as unknown as AddonModule, probe: async () => environment(false) },
  );
  let ran = false;
  await assert.rejects(
    runSingle(cancelled, 'x', async () => {
      ran = true;
    }),
    (e: { code?: string }) => e.code === 'E_CANCELLED',
  );
  assert.equal(ran, false);
});

test('a cancel during a long step calls onCancel within the watch period (a helper process is killed at once)', async () => {
  let cancelAt = Infinity;
  let killedAfter: number | undefined;
  const t0 = Date.now();
  const job = await openJob(
    settings,
    { cancelled: () => Date.now() >= cancelAt },
    { addon: () => new FakeAddon({}) as unknown as AddonModule, probe: async () => environment(false) },
  );
  const outcome = await runItems(job, {
    items: ['slow'],
    noun: 'shapes',
    label: (x) => x,
    step: async (_, at) => {
      cancelAt = Date.now() + 50;
      // Waits like a step blocked on a helper: only onCancel's kill ends it.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (killedAfter !== undefined) {
            clearInterval(poll);
            resolve();
          }
        }, 10);
      });
      at.checkpoint();
      return 'never';
    },
    failed: (x) => x,
    onCancel: () => {
      killedAfter ??= Date.now() - t0;
    },
  });
  assert.equal(outcome.interrupted?.code, 'E_CANCELLED');
  assert.deepEqual(outcome.results, []);
  assert.ok(killedAfter !== undefined && killedAfter < 1000, `onCancel called after ${killedAfter} ms`);
});

test('the probe refuses a machine without a compiler; a GPU-only job refuses one without a Hopper GPU, before any init', async () => {
  const fake = new FakeAddon({});
  const deps = (env: ReturnType<typeof environment>) => ({
    addon: () => fake as unknown as AddonModule,
    probe: async () => env,
  });
  const noToolkit = {
    ...environment(true),
    canCompileKernels: false,
    toolkit: { usable: false, problem: 'nvcc not found in /usr/local/cuda/bin' },
  } as ReturnType<typeof environment>;
  await assert.rejects(
    openJob(settings, {}, deps(noToolkit)),
    (e: { code?: string; message?: string }) =>
      e.code === 'E_NO_COMPILER' && e.message === 'nvcc not found in /usr/local/cuda/bin',
  );
  const study = await openJob(settings, {}, deps(environment(false)));
  assert.equal(study.gpu, false);
  assert.throws(
    () => requireGpu(study, 'Tuning needs a Hopper GPU; here: '),
    (e: { code?: string; message?: string }) =>
      e.code === 'E_NO_DEVICE' && e.message === 'Tuning needs a Hopper GPU; here: study mode',
  );
  await assert.rejects(startDevice(study, settings), (e: { code?: string }) => e.code === 'E_NO_DEVICE');
  assert.equal(fake.inits, 0);
  const gpu = await openJob(settings, {}, deps(environment(true)));
  assert.equal(gpu.gpu, true);
  assert.equal(requireGpu(gpu, '').name, 'NVIDIA H100 80GB HBM3');
});
