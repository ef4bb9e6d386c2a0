// The REAL worker process (extension/dist/worker.js) fed malformed and wrong-type messages over its
// IPC channel, and the client around it under faults: trust, a crash with many requests in flight,
// a hung compiler when the request times out.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CodedErrorData, RuntimeSettings, WorkerRequests } from '../../../extension/protocol/worker';
import type { RuntimeError } from '../../../extension/src/core/runtimeError';
import { findExtensionRoot } from '../../../extension/src/worker/addon';
import {
  createRuntimeClient,
  describeInFlight,
  TRUST_FREE,
  TRUST_REQUIRED,
  type WorkerClient,
} from '../../../extension/src/runtime/client';
import { resolveSettings } from '../../../extension/src/core/settings';
import { REQUEST_FIELDS } from '../../../extension/src/worker/workerParams';
import { RawWorker } from '../rawWorker';
import { running, standInPids, writeStandInCompiler } from '../standInCompiler';

const root = findExtensionRoot(__dirname, {});
const workerPath = join(root, 'extension', 'dist', 'worker.js');
const work = mkdtempSync(join(tmpdir(), 'fp8lab-worker-faults-'));
const failing = writeStandInCompiler(join(work, 'failing'), 'fail');
const settings: RuntimeSettings = {
  ...resolveSettings(
    { 'jit.cacheDir': join(work, 'cache') },
    {},
    { kernelsDir: join(root, 'kernels'), homeDir: homedir(), cwd: root },
  ).settings,
  nvccPath: failing,
};

const workers: RawWorker[] = [];
const clients: WorkerClient[] = [];
after(async () => {
  for (const w of workers) w.stop();
  await Promise.all(clients.map((c) => c.dispose()));
  // A failed assertion may leave a stand-in compiler behind: end it by its recorded pids.
  for (const dir of ['hanging', 'hanging-limited']) {
    const pids = standInPids(join(work, dir));
    for (const pid of pids ? [pids.child, pids.grandchild] : []) if (running(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
});

function rawWorker(env?: NodeJS.ProcessEnv): RawWorker {
  assert.ok(existsSync(workerPath), `${workerPath} is missing: run \`node extension/build.mjs\` first`);
  const w = new RawWorker(workerPath, env);
  workers.push(w);
  return w;
}

const codedOf = (r: Record<string, unknown>) => (r.error as { data?: CodedErrorData } | undefined)?.data;

test('one malformed message after another: the worker answers what it can and keeps serving', async () => {
  const w = rawWorker();
  const pid = await w.pid();
  const notifications: unknown[] = [
    { jsonrpc: '2.0', method: '$/cancelRequest', params: null },
    { jsonrpc: '2.0', method: '$/cancelRequest' },
    { jsonrpc: '2.0', method: '$/cancelRequest', params: {} },
    { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: {} } },
    { jsonrpc: '2.0', method: '$/cancelRequest', params: [1] },
    { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 999 } },
    null,
    42,
    'hello',
    [],
    {},
    [{ jsonrpc: '2.0', id: 1, method: 'worker/ping' }],
    { jsonrpc: '2.0', id: {}, method: 'worker/ping' },
    { jsonrpc: '2.0', id: null, method: 'worker/ping' },
    { jsonrpc: '2.0', id: 5, method: 7 },
    { jsonrpc: '2.0', id: 12345, result: 1 },
    { jsonrpc: '2.0', id: 12346, error: 'boom' },
    { jsonrpc: '2.0', id: 12347, result: 1, error: { code: 1, message: 'both' } },
    { jsonrpc: '2.0', result: 1 },
    { jsonrpc: '2.0', method: '$/setTrace', params: null },
    { jsonrpc: '2.0', method: '$/progress', params: { token: null } },
    { jsonrpc: '2.0', method: 'job/cancel', params: { jobId: {} } },
    { jsonrpc: '2.0', method: 'x'.repeat(100_000) },
    { jsonrpc: '2.0', method: '' },
  ];
  for (const m of notifications) {
    w.send(m);
    assert.equal(await w.pid(), pid, `still serving after ${JSON.stringify(m)?.slice(0, 80)}`);
  }
  // Malformed requests are answered E_BAD_ARGUMENT, so their sender is not left waiting.
  const requests: Array<[Record<string, unknown>, RegExp]> = [
    [{ jsonrpc: '1.0', method: 'worker/ping' }, /jsonrpc must be "2\.0"/],
    [{ jsonrpc: '2.0', method: 'worker/ping', params: [1, 2] }, /params must be an object; got an array/],
    [{ jsonrpc: '2.0', method: 'env/probe', params: null }, /params must be an object; got null/],
    [{ jsonrpc: '2.0', method: 'kernel/compile', params: 'x' }, /params must be an object; got a string/],
    [{ jsonrpc: '2.0', method: '$/cancelRequest', params: null }, /params must be an object; got null/],
  ];
  let id = 100;
  for (const [m, why] of requests) {
    const r = await w.answer(++id, () => w.send({ ...m, id }));
    assert.equal(codedOf(r)?.code, 'E_BAD_ARGUMENT', JSON.stringify(r));
    assert.match(codedOf(r)!.message, why);
  }
  const unknown = await w.request('no/such', {});
  assert.equal((unknown.error as { code: number }).code, -32601, "an unknown method is the library's MethodNotFound");
  assert.equal(await w.pid(), pid);
  assert.equal(w.exited, undefined, 'the worker never exited');
  assert.doesNotMatch(w.stderr, /uncaught|TypeError|\n\s+at /, 'no exception, no stack trace');
  assert.match(w.stderr, /ignored a malformed message: \$\/cancelRequest needs params \{ id \}/);
});

test('wrong-type params of every request are E_BAD_ARGUMENT naming the field, never E_INTERNAL', async () => {
  const w = rawWorker();
  const good: Record<string, unknown> = {
    settings,
    job: { problem: { kind: 'normal', m: 128, n: 128, k: 128 } },
    problem: { kind: 'normal', m: 128, n: 128, k: 128 },
    jobId: 'j',
    problems: [],
    options: {},
    configs: [],
    cases: [],
    request: {},
    change: {},
    size: 1,
    elementBytes: 4,
    kind: 'crash',
  };
  const wrong = [null, 5, 'text', [], {}, true];
  let checked = 0;
  for (const [method, fields] of Object.entries(REQUEST_FIELDS)) {
    for (const [field, kind] of Object.entries(fields)) {
      for (const value of wrong) {
        const fits =
          kind === 'settings'
            ? false
            : kind === 'object'
              ? typeof value === 'object' && value !== null && !Array.isArray(value)
              : kind === 'object?'
                ? typeof value === 'object' && value !== null && !Array.isArray(value)
                : kind === 'array'
                  ? Array.isArray(value)
                  : typeof value === kind;
        if (fits) continue;
        const params = Object.fromEntries(Object.keys(fields).map((f) => [f, f === field ? value : good[f]]));
        const r = await w.request(method, params);
        const data = codedOf(r);
        assert.equal(
          data?.code,
          'E_BAD_ARGUMENT',
          `${method} with ${field} = ${JSON.stringify(value)}: ${JSON.stringify(r)}`,
        );
        assert.ok(data!.message.includes(field), `${method}: the message names ${field}: ${data!.message}`);
        checked++;
      }
    }
  }
  // Settings whose fields have the wrong types (the old check looked at two of them).
  for (const [field, value] of [
    ['kernelsDir', 5],
    ['compiler', 'clang'],
    ['ptxasCheck', 'yes'],
    ['jitDefines', ['-o/etc/passwd']],
    ['numSms', -1],
  ] as const) {
    const r = await w.request('gemm/configs', { settings: { ...settings, [field]: value }, problem: good.problem });
    assert.equal(codedOf(r)?.code, 'E_BAD_ARGUMENT', `${field}: ${JSON.stringify(r)}`);
    assert.match(codedOf(r)!.message, new RegExp(`settings\\.${field}`));
  }
  assert.ok(checked > 100, `${checked} wrong-type requests`);
  assert.equal(w.exited, undefined);
});

test('every request is classified for trust; untrusted, each compiling or running one is refused E_UNTRUSTED and no worker starts', async () => {
  const protocol = readFileSync(join(root, 'extension', 'protocol', 'worker.ts'), 'utf8');
  const block = protocol.slice(
    protocol.indexOf('export interface WorkerRequests'),
    protocol.indexOf('export interface WorkerNotifications'),
  );
  const methods = [...block.matchAll(/^\s+'([a-zA-Z]+\/[a-zA-Z]+)': \{/gm)].map((m) => m[1]);
  assert.ok(methods.length >= 16, methods.join(', '));
  for (const m of methods) {
    assert.notEqual(
      TRUST_REQUIRED.has(m as keyof WorkerRequests),
      TRUST_FREE.has(m as keyof WorkerRequests),
      `${m} is in exactly one trust set`,
    );
  }
  for (const m of [
    'gemm/groupedBench',
    'gemm/timeline',
    'gemm/accuracy',
    'gemm/tune',
    'gemm/tuneShapes',
    'gemm/bench',
    'kernel/compile',
    'test/fault',
    'utils/cast',
  ]) {
    assert.ok(TRUST_REQUIRED.has(m as keyof WorkerRequests), m);
  }
  const client = createRuntimeClient({ workerPath, requestTimeoutMs: () => 30_000, isTrusted: () => false });
  clients.push(client);
  for (const m of [...TRUST_REQUIRED, 'no/such' as keyof WorkerRequests]) {
    await assert.rejects(
      client.request(m, { settings } as never),
      (e: RuntimeError) => e.code === 'E_UNTRUSTED' && e.message.includes(m),
    );
  }
  assert.equal(client.pid, undefined, 'nothing reached a worker');
  assert.equal(
    (await client.request('gemm/configs', { settings, problem: { kind: 'normal', m: 4096, n: 7168, k: 2048 } })).chosen
      .blockK,
    128,
    'policy still answers in an untrusted workspace',
  );
});

test('a crash with many requests in flight tells the user once, in one short line', async () => {
  const failures: string[] = [];
  const client = createRuntimeClient({
    workerPath,
    env: { ...process.env, FP8LAB_TEST_HOOKS: '1' },
    requestTimeoutMs: () => 60_000,
    onWorkerFailure: (m) => failures.push(m),
  });
  clients.push(client);
  await client.request('worker/ping', {});
  const probes = Array.from({ length: 120 }, () =>
    client.request('env/probe', { settings }).catch((e: RuntimeError) => e.code),
  );
  const crash = client.request('test/fault', { settings, kind: 'crash' }).catch((e: RuntimeError) => e.code);
  const codes = await Promise.all([...probes, crash]);
  assert.ok(codes.filter((c) => c === 'E_WORKER_EXITED').length >= 2, 'requests were in flight when it crashed');
  assert.equal(failures.length, 1, failures.join('\n'));
  assert.ok(failures[0].length <= 300, `${failures[0].length} characters: ${failures[0]}`);
  assert.match(failures[0], /while running (env\/probe ×\d+, test\/fault|test\/fault, env\/probe ×\d+|test\/fault)/);
  assert.equal(
    describeInFlight([...Array(966).fill('gemm/bench'), 'kernel/compile', 'a', 'b', 'c']),
    'gemm/bench ×966, kernel/compile, a and 2 more',
  );
});

test("a request timeout kills the worker and the compiler it was waiting on, with the compiler's own children", async () => {
  const dir = join(work, 'hanging');
  const hanging = writeStandInCompiler(dir, 'hang');
  const client = createRuntimeClient({ workerPath, requestTimeoutMs: () => 4000 });
  clients.push(client);
  const job = { problem: { kind: 'normal' as const, m: 4096, n: 7168, k: 2048 } };
  // No time limit of its own: only the client's request timeout ends this compile.
  await assert.rejects(
    client.request('kernel/compile', { settings: { ...settings, nvccPath: hanging, compileTimeoutSeconds: 0 }, job }),
    (e: RuntimeError) => e.code === 'E_WORKER_TIMEOUT',
  );
  const pids = standInPids(dir);
  assert.ok(pids, 'the stand-in compiler was running');
  for (let i = 0; i < 50 && (running(pids.child) || running(pids.grandchild)); i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(running(pids.child), false, 'the compiler is gone');
  assert.equal(running(pids.grandchild), false, 'its grandchild is gone');

  // With a limit of its own, the addon ends the compile and the worker answers E_COMPILE_TIMEOUT.
  const limited = writeStandInCompiler(join(work, 'hanging-limited'), 'hang');
  const patient = createRuntimeClient({ workerPath, requestTimeoutMs: () => 30_000 });
  clients.push(patient);
  await assert.rejects(
    patient.request('kernel/compile', { settings: { ...settings, nvccPath: limited, compileTimeoutSeconds: 1 }, job }),
    (e: RuntimeError) => e.code === 'E_COMPILE_TIMEOUT' && /within 1 s/.test(e.message),
  );
  const limitedPids = standInPids(join(work, 'hanging-limited'))!;
  assert.equal(running(limitedPids.child) || running(limitedPids.grandchild), false);
  assert.ok((await patient.request('worker/ping', {})).pid > 0, 'the worker lives on');
});
