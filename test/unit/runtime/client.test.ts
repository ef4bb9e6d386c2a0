// The RuntimeClient against the REAL worker bundle (extension/dist/worker.js), outside VS Code.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { RuntimeError } from '../../../extension/src/core/runtimeError';
import { ADDON_RELATIVE_PATH, findExtensionRoot } from '../../../extension/src/worker/addon';
import {
  createRuntimeClient,
  type RuntimeClientOptions,
  type WorkerClient,
} from '../../../extension/src/runtime/client';
import { resolveSettings } from '../../../extension/src/core/settings';
import { hasCudaDriver } from '../cudaDriver';

const root = findExtensionRoot(__dirname, {});
const workerPath = join(root, 'extension', 'dist', 'worker.js');
const cacheDir = mkdtempSync(join(tmpdir(), 'fp8lab-client-cache-'));
const settings = resolveSettings(
  { 'jit.cacheDir': cacheDir },
  {},
  { kernelsDir: join(root, 'kernels'), homeDir: homedir(), cwd: root },
).settings;

const clients: WorkerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

function start(options: Partial<RuntimeClientOptions> & { env?: NodeJS.ProcessEnv } = {}) {
  assert.ok(existsSync(workerPath), `${workerPath} is missing: run \`node extension/build.mjs\` first`);
  const failures: string[] = [];
  const restarts: string[] = [];
  const logs: string[] = [];
  const client = createRuntimeClient({
    workerPath,
    execPath: process.execPath,
    env: { ...process.env, FP8LAB_TEST_HOOKS: '1' },
    requestTimeoutMs: () => 30_000,
    onWorkerFailure: (m) => failures.push(m),
    log: (_level, text) => logs.push(text),
    ...options,
  });
  client.onDidRestart((e) => restarts.push(e.reason));
  clients.push(client);
  return { client, failures, restarts, logs };
}

const isCode = (code: string, re?: RegExp) => (e: RuntimeError) => {
  assert.equal(e.name, 'RuntimeError');
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('ping is answered by a separate worker process whose pid the client reports', async () => {
  const { client } = start();
  assert.equal(client.pid, undefined, 'no worker before the first request');
  const pong = await client.request('worker/ping', {});
  assert.notEqual(pong.pid, process.pid);
  assert.equal(pong.pid, client.pid);
  assert.ok(pong.uptimeMs >= 0);
});

test('env/probe returns a real report: coded driver error here, no GPU, the real nvcc', async () => {
  assert.ok(existsSync(join(root, ADDON_RELATIVE_PATH)), 'the native addon is not built: run `npm run build:native`');
  const { client } = start();
  const report = await client.request('env/probe', { settings });
  assert.equal(report.cache.dir, cacheDir);
  assert.equal(report.addon.path, join(root, ADDON_RELATIVE_PATH));
  if (hasCudaDriver) {
    assert.equal(report.driver.ok, true);
  } else {
    assert.equal(report.driver.ok, false);
    assert.ok(!report.driver.ok && report.driver.code === 'E_NO_DRIVER', JSON.stringify(report.driver));
    assert.deepEqual(report.devices, []);
    assert.equal(report.canRunKernels, false);
    assert.match(report.summary, /^No CUDA driver/);
  }
  assert.equal(report.toolkit.usable, existsSync(settings.nvccPath));
});

test('without the addon the worker still starts, answers, and reports E_ADDON_LOAD naming the file', async () => {
  const bare = mkdtempSync(join(tmpdir(), 'fp8lab-noaddon-'));
  writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'fp8-gemm-lab' }));
  const { client, logs } = start({ env: { ...process.env, FP8LAB_ROOT: bare } });
  const { pid } = await client.request('worker/ping', {});
  await assert.rejects(
    client.request('env/probe', { settings }),
    isCode(
      'E_ADDON_LOAD',
      new RegExp(`${join(bare, ADDON_RELATIVE_PATH).replace(/[.]/g, '\\.')} does not exist.*npm run build:native`),
    ),
  );
  assert.equal((await client.request('worker/ping', {})).pid, pid, 'the worker survived the error');
  assert.ok(
    logs.some((l) => l.includes('[E_ADDON_LOAD]')),
    'the worker logged it through log/didWrite',
  );
});

test('SIGKILL with a request in flight: it rejects E_WORKER_EXITED, the user is told once, a new worker answers', async () => {
  const { client, failures, restarts } = start();
  const { pid } = await client.request('worker/ping', {});
  const inFlight = client.request('test/fault', { settings, kind: 'hang' });
  process.kill(pid, 'SIGKILL');
  await assert.rejects(inFlight, isCode('E_WORKER_EXITED', /signal SIGKILL/));
  const next = await client.request('worker/ping', {});
  assert.notEqual(next.pid, pid);
  assert.equal(failures.length, 1, failures.join('\n'));
  assert.match(failures[0], /failed while running test\/fault/);
  assert.equal(restarts.length, 1);
});

test('a request that outlives the timeout rejects E_WORKER_TIMEOUT and the hung worker is replaced', async () => {
  const { client, failures, restarts } = start({ requestTimeoutMs: () => 1500 });
  const { pid } = await client.request('worker/ping', {});
  const t0 = Date.now();
  await assert.rejects(
    client.request('test/fault', { settings, kind: 'hang' }),
    isCode('E_WORKER_TIMEOUT', /did not finish within 2 s/),
  );
  assert.ok(Date.now() - t0 >= 1400, 'not before the timeout');
  const next = await client.request('worker/ping', {});
  assert.notEqual(next.pid, pid);
  assert.equal(alive(pid), false, 'the hung worker was killed');
  assert.equal(failures.length, 1);
  assert.match(failures[0], /timed out/);
  assert.equal(restarts.length, 1);
});

test('a native-style crash (abort) rejects E_WORKER_EXITED and the next request gets a new worker', async () => {
  const { client } = start();
  const { pid } = await client.request('worker/ping', {});
  await assert.rejects(client.request('test/fault', { settings, kind: 'crash' }), isCode('E_WORKER_EXITED', /SIGABRT/));
  assert.notEqual((await client.request('worker/ping', {})).pid, pid);
});

test('cancelling a request rejects it E_CANCELLED at once', async () => {
  const { client } = start();
  const source = new CancellationTokenSource();
  const p = client.request('test/fault', { settings, kind: 'hang' }, source.token);
  source.cancel();
  await assert.rejects(p, isCode('E_CANCELLED'));
  const pre = new CancellationTokenSource();
  pre.cancel();
  await assert.rejects(client.request('worker/ping', {}, pre.token), isCode('E_CANCELLED', /before it started/));
});

test('untrusted workspace: compile and bench are refused with E_UNTRUSTED and no worker starts', async () => {
  const { client } = start({ isTrusted: () => false });
  await assert.rejects(
    client.request('kernel/compile', { settings, job: { problem: { kind: 'normal', m: 128, n: 128, k: 128 } } }),
    isCode('E_UNTRUSTED'),
  );
  await assert.rejects(
    client.request('gemm/bench', {
      settings,
      jobId: 'j',
      problems: [],
      options: { timing: false, peer: false, rounds: 1, seed: 1 },
    }),
    isCode('E_UNTRUSTED'),
  );
  assert.equal(client.pid, undefined);
});

test('test hooks are off unless FP8LAB_TEST_HOOKS=1', async () => {
  const env = { ...process.env };
  delete env.FP8LAB_TEST_HOOKS;
  const { client } = start({ env });
  await assert.rejects(
    client.request('test/fault', { settings, kind: 'crash' }),
    isCode('E_BAD_ARGUMENT', /FP8LAB_TEST_HOOKS=1/),
  );
});

test('restart() replaces the worker; in-flight requests reject E_WORKER_EXITED; onDidRestart says why', async () => {
  const { client, restarts, failures } = start();
  const { pid } = await client.request('worker/ping', {});
  const inFlight = client.request('test/fault', { settings, kind: 'hang' });
  await client.restart('settings changed');
  await assert.rejects(inFlight, isCode('E_WORKER_EXITED', /restarted: settings changed/));
  assert.deepEqual(restarts, ['settings changed']);
  assert.notEqual(client.pid, pid);
  assert.equal((await client.request('worker/ping', {})).pid, client.pid);
  assert.deepEqual(failures, [], 'an asked-for restart is not a failure');
});

test('dispose() stops the worker and rejects what is in flight', async () => {
  const { client } = start();
  const { pid } = await client.request('worker/ping', {});
  const inFlight = client.request('test/fault', { settings, kind: 'hang' });
  await client.dispose();
  await assert.rejects(inFlight, isCode('E_WORKER_EXITED'));
  assert.equal(alive(pid), false);
  await assert.rejects(client.request('worker/ping', {}), isCode('E_WORKER_EXITED', /shut down/));
});

test('a missing worker bundle is a coded error that says how to build it', async () => {
  const client = createRuntimeClient({ workerPath: '/nonexistent/worker.js', requestTimeoutMs: () => 1000 });
  await assert.rejects(client.request('worker/ping', {}), isCode('E_WORKER_EXITED', /npm run build/));
});

test('cancelling a job sends job/cancel and $/cancelRequest, and resolves with what the job kept', async () => {
  const { client } = start({
    workerPath: join(root, 'test', 'fixtures', 'runtime', 'jobWorker.cjs'),
    requestTimeoutMs: () => 10_000,
  });
  const source = new CancellationTokenSource();
  const progress: string[] = [];
  const sub = client.onNotification('job/didProgress', (p) => {
    progress.push(`${p.jobId}:${p.phase}`);
    source.cancel();
  });
  const run = await client.request(
    'gemm/bench',
    {
      settings,
      jobId: 'job-1',
      problems: [{ kind: 'normal', m: 64, n: 7168, k: 2048 }],
      options: { timing: false, peer: false, rounds: 1, seed: 0 },
    },
    source.token,
  );
  sub.dispose();
  assert.deepEqual(progress, ['job-1:compiling']);
  assert.equal(run.interrupted?.code, 'E_CANCELLED');
  assert.equal(run.interrupted?.message, 'job/cancel and $/cancelRequest both arrived');
});

test('a kernel fault is passed on with its CUresult, and the worker (its CUDA context lost) is replaced', async () => {
  const { client, failures, restarts } = start({
    workerPath: join(root, 'test', 'fixtures', 'runtime', 'jobWorker.cjs'),
  });
  const { pid } = await client.request('worker/ping', {});
  await assert.rejects(
    client.request('test/fault', { settings, kind: 'illegal-address' }),
    (e: RuntimeError) => e.code === 'E_KERNEL_FAULT' && e.data.cudaError === 'CUDA_ERROR_ILLEGAL_ADDRESS',
  );
  const next = await client.request('worker/ping', {});
  assert.notEqual(next.pid, pid);
  assert.equal(failures.length, 1);
  assert.match(failures[0], /CUDA_ERROR_ILLEGAL_ADDRESS, which leaves the CUDA context unusable/);
  assert.equal(restarts.length, 1);
});

test('for a job the timeout measures silence: a 3 s job reporting progress every 250 ms outlives a 1.5 s timeout', async () => {
  const { client, failures } = start({
    workerPath: join(root, 'test', 'fixtures', 'runtime', 'jobWorker.cjs'),
    requestTimeoutMs: () => 1500,
  });
  await client.request('worker/ping', {}); // the worker's start-up is not part of what is measured
  const t0 = Date.now();
  const run = await client.request('gemm/bench', {
    settings,
    jobId: 'steady-1',
    problems: [{ kind: 'normal', m: 64, n: 7168, k: 2048 }],
    options: { timing: false, peer: false, rounds: 1, seed: 0 },
  });
  assert.ok(Date.now() - t0 >= 2900, 'it really ran longer than the timeout');
  assert.equal(run.mode, 'study');
  assert.deepEqual(failures, []);
});
