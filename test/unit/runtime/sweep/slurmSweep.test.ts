// `fp8lab sweep --on slurm` against a real Slurm (test/slurm/testCluster.ts: munged, slurmctld and
// slurmd on this machine): real job arrays of compile-only tasks through the real CLI bundle, the
// real nvcc, one shared JIT cache. The cluster has no GPUs, as a CPU partition would not.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BenchRun } from '../../../../extension/protocol/worker';
import { findExtensionRoot } from '../../../../extension/src/worker/addon';
import { startTestCluster, type TestCluster } from '../../../slurm/testCluster';

const root = findExtensionRoot(__dirname, {});
const cli = join(root, 'extension', 'dist', 'cli.js');
let cluster: TestCluster;
let work: string;
const sharedCache = mkdtempSync(join(tmpdir(), 'fp8lab-sweep-jit-'));

before(async () => {
  assert.ok(existsSync(cli), `${cli} is missing: run \`node extension/build.mjs\` first`);
  cluster = await startTestCluster();
  work = mkdtempSync(join(tmpdir(), 'fp8lab-sweep-'));
});
after(async () => {
  await cluster?.stop();
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The real CLI in a child process, as a user on the login node runs it; never more than `timeoutMs`. */
function fp8lab(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...cluster.env, FP8LAB_ROOT: '', FP8LAB_JIT_CACHE_DIR: sharedCache, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

interface StatusJson {
  sweep: string;
  tasks: Array<{ index: number; phase: string; node?: string; attempt?: string; detail?: string; log?: string }>;
}

async function status(dir: string): Promise<StatusJson> {
  const r = await fp8lab(['sweep', 'status', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusJson;
}

async function until(dir: string, done: (s: StatusJson) => boolean, timeoutMs = 90_000): Promise<StatusJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(dir);
    if (done(s)) return s;
    assert.ok(
      Date.now() < deadline,
      `sweep ${dir} did not get there in ${timeoutMs / 1000} s: ${JSON.stringify(s.tasks)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
  }
}

const ended = (s: StatusJson) => s.tasks.every((t) => t.phase !== 'pending' && t.phase !== 'running');
const savedRun = (dir: string): BenchRun => {
  const files = readdirSync(join(dir, 'runs'));
  assert.equal(files.length, 1, `one saved run per sweep, got ${files.join(', ')}`);
  return JSON.parse(readFileSync(join(dir, 'runs', files[0]), 'utf8')) as BenchRun;
};
const shapesOf = (run: BenchRun) => run.results.map((r) => `${r.problem.m}x${r.problem.n}x${r.problem.k}`);

test('a compile sweep as a Slurm job array: every task done on the node, every result merged once', async () => {
  const dir = join(work, 'all-done');
  const shapes = ['64,2112,7168', '128,2112,7168', '64,7168,2048', '128,7168,2048'];
  const r = await fp8lab(['sweep', 'compile', ...shapes, '--on', 'slurm', '--concurrency', '2', '--dir', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stderr, /submitted Slurm job array \d+ \(4 task\(s\)\)/);
  assert.match(r.stdout, /^4 task\(s\): 4 done$/m);
  const s = await status(dir);
  assert.deepEqual(
    s.tasks.map((t) => t.phase),
    ['done', 'done', 'done', 'done'],
  );
  assert.ok(
    s.tasks.every((t) => t.node === hostname()),
    JSON.stringify(s.tasks),
  );
  for (const t of s.tasks) assert.match(readFileSync(t.log!, 'utf8'), /registers, cache (hit|miss)/);
  assert.deepEqual(shapesOf(savedRun(dir)), ['64x2112x7168', '128x2112x7168', '64x7168x2048', '128x7168x2048']);
  assert.ok(savedRun(dir).results.every((x) => x.registers && x.registers.registers > 0));
  // Collecting again replaces the run: still one run, each shape once.
  const again = await fp8lab(['sweep', 'collect', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(shapesOf(savedRun(dir)), ['64x2112x7168', '128x2112x7168', '64x7168x2048', '128x7168x2048']);
  // The tasks filled the shared JIT cache: the same shapes swept again find every kernel there.
  const warm = join(work, 'all-done-again');
  const second = await fp8lab(['sweep', 'compile', ...shapes, '--on', 'slurm', '--dir', warm]);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    savedRun(warm).results.map((x) => x.compile?.cacheHit),
    [true, true, true, true],
  );
});

test('a task with a bad shape fails alone with its node and log; retry resubmits only that task', async () => {
  const dir = join(work, 'bad-shape');
  const sub = await fp8lab([
    'sweep',
    'compile',
    '64,2112,7168',
    '2000000000,7168,7168',
    '64,7168,2048',
    '--on',
    'slurm',
    '--detach',
    '--dir',
    dir,
  ]);
  assert.equal(sub.code, 0, sub.stderr);
  const wait = await fp8lab(['sweep', 'wait', dir]);
  assert.equal(wait.code, 6, wait.stderr + wait.stdout);
  const s = await status(dir);
  assert.deepEqual(
    s.tasks.map((t) => t.phase),
    ['done', 'failed', 'done'],
  );
  const bad = s.tasks[1];
  assert.equal(bad.node, hostname());
  assert.match(bad.detail!, /E_INVALID_SHAPE.*40471\.6 GiB/);
  assert.match(readFileSync(bad.log!, 'utf8'), /\[E_INVALID_SHAPE\] this shape needs/);
  assert.match(wait.stdout, /task 1 {2}failed on .*\n {4}log: .*task-1\.\d+\.log/);
  const goodFiles = [0, 2].map((i) => join(dir, 'results', `task-${i}.json`));
  const before = goodFiles.map((f) => [statSync(f).mtimeMs, readFileSync(f, 'utf8')]);

  const retry = await fp8lab(['sweep', 'retry', dir]);
  assert.equal(retry.code, 6, retry.stderr);
  assert.match(retry.stderr, /resubmitting 1 task\(s\): 1\n/);
  const subs = readFileSync(join(dir, 'submissions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { attempt: string; tasks: number[] });
  assert.equal(subs.length, 2);
  assert.deepEqual(subs[1].tasks, [1]);
  const after = await status(dir);
  assert.equal(after.tasks[1].phase, 'failed');
  assert.equal(after.tasks[1].attempt, subs[1].attempt);
  assert.notEqual(after.tasks[1].log, bad.log, 'the retry has its own log');
  assert.deepEqual(
    goodFiles.map((f) => [statSync(f).mtimeMs, readFileSync(f, 'utf8')]),
    before,
    'the finished tasks were not run again',
  );
  assert.deepEqual(shapesOf(savedRun(dir)), ['64x2112x7168', '64x7168x2048']);
});

test('scancel mid-way: the ended tasks are merged, the rest reported cancelled, no partial result; retry finishes them', async () => {
  const dir = join(work, 'cancel');
  // A cold cache of its own: every task compiles, so the array is still running when it is cancelled.
  const cold = { FP8LAB_JIT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'fp8lab-sweep-cold-')) };
  const shapes = ['256,2112,7168', '256,24576,1536', '256,32768,512', '256,7168,16384', '256,4096,7168'];
  const sub = await fp8lab(
    ['sweep', 'compile', ...shapes, '--on', 'slurm', '--concurrency', '1', '--detach', '--dir', dir],
    cold,
  );
  assert.equal(sub.code, 0, sub.stderr);
  await until(dir, (s) => s.tasks.some((t) => t.phase === 'done'));
  const cancel = await fp8lab(['sweep', 'cancel', dir]);
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.match(cancel.stderr, /^cancelled \d+\n$/);
  const s = await until(dir, ended, 60_000);
  const phases = s.tasks.map((t) => t.phase);
  assert.ok(
    phases.every((p) => p === 'done' || p === 'cancelled'),
    phases.join(' '),
  );
  const done = s.tasks.filter((t) => t.phase === 'done').map((t) => t.index);
  assert.ok(done.length >= 1 && done.length < shapes.length, phases.join(' '));
  // Only finished tasks left result files; a killed one left at most a temp file, never read.
  const files = readdirSync(join(dir, 'results')).filter((f) => !f.endsWith('.tmp'));
  assert.deepEqual(files.sort(), done.map((i) => `task-${i}.json`).sort());
  const collect = await fp8lab(['sweep', 'collect', dir]);
  assert.equal(collect.code, 6, 'cancelled tasks make the sweep incomplete');
  assert.equal(savedRun(dir).results.length, done.length);

  const retry = await fp8lab(['sweep', 'retry', dir], cold);
  assert.equal(retry.code, 0, retry.stderr + retry.stdout);
  assert.match(retry.stderr, new RegExp(`resubmitting ${shapes.length - done.length} task\\(s\\)`));
  assert.deepEqual(
    shapesOf(savedRun(dir)),
    shapes.map((x) => x.replace(/,/g, 'x')),
  );
});

test('bad input gets a clear message and no hang: no sbatch, unknown partition, a refused job, a bad time limit', async () => {
  const noSlurm = await fp8lab(
    ['sweep', 'compile', '64,2112,7168', '--on', 'slurm', '--dir', join(work, 'no-sbatch')],
    { PATH: '/nonexistent' },
  );
  assert.equal(noSlurm.code, 6, noSlurm.stderr);
  assert.match(noSlurm.stderr, /\[E_SLURM\] sbatch was not found on PATH.*--on local/);

  const partition = await fp8lab([
    'sweep',
    'compile',
    '64,2112,7168',
    '--on',
    'slurm',
    '--partition',
    'nosuchpart',
    '--dir',
    join(work, 'partition'),
  ]);
  assert.equal(partition.code, 6, partition.stderr);
  assert.match(partition.stderr, /\[E_SLURM\] Slurm refused the sweep's job array: .*Invalid partition name specified/);
  assert.equal(existsSync(join(work, 'partition', 'submissions.jsonl')), false, 'nothing recorded as submitted');

  // This cluster has no GPUs: a task asking for one is refused by the scheduler itself.
  const gres = await fp8lab([
    'sweep',
    'compile',
    '64,2112,7168',
    '--on',
    'slurm',
    '--gpus-per-task',
    '1',
    '--dir',
    join(work, 'gres'),
  ]);
  assert.equal(gres.code, 6, gres.stderr);
  assert.match(
    gres.stderr,
    /\[E_SLURM\] Slurm refused the sweep's job array: .*(gres|generic resource|node configuration)/i,
  );

  const time = await fp8lab([
    'sweep',
    'compile',
    '64,2112,7168',
    '--on',
    'slurm',
    '--time',
    'soon',
    '--dir',
    join(work, 'time'),
  ]);
  assert.equal(time.code, 1, time.stderr);
  assert.match(time.stderr, /time limit "soon" is not in a Slurm format/);
  for (const r of [noSlurm, partition, gres, time]) assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
});
