// Sweeps on this machine (the "all local GPUs" path; without a GPU, compile sweeps on CPU workers)
// through the real CLI bundle, and the results folder against what a killed task leaves behind:
// a temp file never read, a torn result reported and not merged. Tune results merge into the
// tuning store once, however often the sweep is collected.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GemmConfig } from '../../../../extension/protocol/worker';
import { planSweep } from '../../../../extension/src/core/sweep/sweepPlan';
import { encodeTaskResult, type TaskResult } from '../../../../extension/src/core/sweep/taskResult';
import { findExtensionRoot } from '../../../../extension/src/worker/addon';
import { collectSweep } from '../../../../extension/src/runtime/sweep/sweepService';
import {
  appendSubmission,
  createSweepFolder,
  readTaskResults,
  writeTaskResult,
} from '../../../../extension/src/storage/sweepFolder';
import { TuningStore } from '../../../../extension/src/storage/tuningStore';
import { hasCudaDriver } from '../../cudaDriver';

const root = findExtensionRoot(__dirname, {});
const cli = join(root, 'extension', 'dist', 'cli.js');
const cache = mkdtempSync(join(tmpdir(), 'fp8lab-local-jit-'));

function fp8lab(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string; kill: () => void }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, FP8LAB_ROOT: '', FP8LAB_JIT_CACHE_DIR: cache, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, kill: () => child.kill('SIGKILL') });
    });
  });
}

test(
  'a local compile sweep without a GPU: CPU workers, each task once, a bad shape failing alone with its log',
  { skip: hasCudaDriver && 'this machine has a GPU: the GPU path is test/gpu/sweep-pass.sh' },
  async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fp8lab-local-')), 's');
    const r = await fp8lab([
      'sweep',
      'compile',
      '64,2112,7168',
      '2000000000,7168,7168',
      '128,2112,7168',
      '--workers',
      '2',
      '--dir',
      dir,
    ]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /running 3 task\(s\) on CPU worker 0, CPU worker 1/);
    assert.match(r.stdout, /^3 task\(s\): 2 done, 1 failed$/m);
    assert.match(r.stdout, /task 1 {2}failed on .*E_INVALID_SHAPE.*\n {4}log: (.*task-1\.local-.*\.log)/);
    const log = /log: (\S+)/.exec(r.stdout)![1];
    assert.match(readFileSync(log, 'utf8'), /\[E_INVALID_SHAPE\] this shape needs 40471\.6 GiB/);
    const runs = readdirSync(join(dir, 'runs'));
    assert.equal(runs.length, 1);
    const run = JSON.parse(readFileSync(join(dir, 'runs', runs[0]), 'utf8'));
    assert.deepEqual(
      run.results.map((x: { problem: { m: number } }) => x.problem.m),
      [64, 128],
    );
    assert.equal(run.mode, 'study');
  },
);

test(
  'a tune sweep on this machine without a GPU says so and runs nothing',
  { skip: hasCudaDriver && 'this machine has a GPU' },
  async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fp8lab-local-')), 's');
    const r = await fp8lab(['sweep', 'tune', '64,2112,7168', '--dir', dir]);
    assert.equal(r.code, 6);
    assert.match(
      r.stderr,
      /a tune sweep on this machine needs a Hopper GPU; here: .*Compile sweeps run without one; or use --on slurm/,
    );
    assert.equal(existsSync(dir), false, 'no sweep folder is made for work that cannot run here');
  },
);

const CONFIG: GemmConfig = {
  blockM: 128,
  blockN: 128,
  blockK: 128,
  numStages: 5,
  numMathWarpgroups: 2,
  clusterM: 1,
  clusterN: 1,
  swizzleA: 128,
  swizzleB: 128,
  swizzleD: 128,
  numSms: 132,
  sharedBytes: 200_000,
  numThreads: 384,
};

function tuneResult(task: number, m: number): TaskResult {
  const problem = { kind: 'normal' as const, m, n: 7168, k: 2048 };
  const best = { config: CONFIG, measuredUs: 50 + m / 100, chosen: true };
  return {
    kind: 'fp8lab.sweep-result',
    version: 1,
    sweepId: 'tune1',
    task,
    attempt: '42',
    verb: 'tune',
    node: `gpu${task}`,
    startedAt: '2026-12-06T00:00:00Z',
    finishedAt: '2026-12-06T00:02:00Z',
    ok: true,
    kernelHash: 'c'.repeat(64),
    identity: {
      name: 'NVIDIA H20',
      smsInUse: 78,
      smCount: 78,
      computeCapability: [9, 0],
      driverVersion: 12080,
      powerLimitW: 400,
    },
    shapes: [
      {
        problem,
        tuning: { problem, candidates: [best], best, regret: 1, method: 'interleaved' },
        result: { problem, config: CONFIG },
      },
    ],
  };
}

test('a killed task leaves a temp file that is never read; a torn result is reported, not merged; tune results merge once', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'fp8lab-folder-')), 's');
  const plan = planSweep({
    id: 'tune1',
    createdAt: '2026-12-06T00:00:00Z',
    verb: 'tune',
    cacheDir: cache,
    problems: [64, 128, 4096].map((m) => ({ kind: 'normal' as const, m, n: 7168, k: 2048 })),
  });
  await createSweepFolder(dir, plan);
  await appendSubmission(dir, { attempt: '42', backend: 'slurm', tasks: [0, 1, 2], submittedAt: '' });
  await writeTaskResult(dir, tuneResult(0, 64));
  // Task 1 was killed while writing: its temp file holds half a result.
  const whole = encodeTaskResult(tuneResult(1, 128));
  writeFileSync(join(dir, 'results', 'task-1.json.n1.999.ab12cd34.tmp'), whole.slice(0, whole.length / 2));
  // Task 2's file was cut short in place (a filesystem that lost the tail).
  const torn = encodeTaskResult(tuneResult(2, 4096));
  writeFileSync(join(dir, 'results', 'task-2.json'), torn.slice(0, torn.length - 30));

  const read = await readTaskResults(dir, plan);
  assert.deepEqual([...read.results.keys()], [0]);
  assert.deepEqual([...read.unreadable.entries()], [[2, 'cut short (no final newline)']]);

  const db = mkdtempSync(join(tmpdir(), 'fp8lab-db-'));
  const first = await collectSweep(dir, { tuningDir: db });
  assert.deepEqual([first.tasks, first.shapes, first.recordsAdded, first.recordsAlready], [1, 1, 1, 0]);
  await writeTaskResult(dir, tuneResult(1, 128)); // the retry of task 1 finished
  const second = await collectSweep(dir, { tuningDir: db });
  assert.deepEqual([second.tasks, second.recordsAdded, second.recordsAlready], [2, 1, 1]);
  const third = await collectSweep(dir, { tuningDir: db });
  assert.deepEqual([third.recordsAdded, third.recordsAlready], [0, 2]);
  const { records, warnings } = await new TuningStore(db).read();
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    records.map((r) => [r.problem.m, r.device.name, r.origin.by, r.origin.sweepId, r.winner?.us]).sort(),
    [
      [128, 'NVIDIA H20', 'sweep', 'tune1', 51.28],
      [64, 'NVIDIA H20', 'sweep', 'tune1', 50.64],
    ],
  );
});

test('a task process killed mid-compile writes no result file', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'fp8lab-folder-')), 's');
  const plan = planSweep({
    id: 'kill1',
    createdAt: '2026-12-06T00:00:00Z',
    verb: 'compile',
    cacheDir: mkdtempSync(join(tmpdir(), 'fp8lab-cold-')),
    problems: [{ kind: 'normal', m: 256, n: 1536, k: 7168 }],
  });
  await createSweepFolder(dir, plan);
  const child = spawn(process.execPath, [cli, 'sweep', 'task', dir, '--index', '0', '--attempt', 'k1'], {
    env: { ...process.env, FP8LAB_ROOT: '' },
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  // Killed as soon as it says it started (the compile takes about a second after that).
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (out.includes('task 0')) {
        clearInterval(t);
        resolve();
      }
    }, 10);
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  assert.deepEqual(
    readdirSync(join(dir, 'results')).filter((f) => !f.endsWith('.tmp')),
    [],
  );
  assert.equal((await readTaskResults(dir, plan)).results.size, 0);
});
