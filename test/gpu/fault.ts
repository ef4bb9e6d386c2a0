// A deliberate kernel fault must cost a worker restart, never the extension host or a hang:
// through the real RuntimeClient and worker (FP8LAB_TEST_HOOKS=1), an illegal-address kernel
// rejects with a coded error, a restarted worker answers and runs a GEMM correctly. Then a kernel
// that spins is caught by the synchronize timeout (E_TIMEOUT), in a process of its own.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createRuntimeClient } from '../../extension/src/runtime/client';
import { probeEnvironment } from '../../extension/src/worker/environment';
import { check, done, expectCode, fail, gpuSettings, root, skip } from './harness';

const settings = gpuSettings();

async function main(): Promise<void> {
  const env = await probeEnvironment(settings);
  if (!env.canRunKernels) {
    skip('kernel fault recovery', `no Hopper GPU here: ${env.summary}`);
    return done();
  }
  if (process.argv.includes('--hang-child')) {
    // Child mode: this process's context is sacrificed to the spinning kernel.
    const service = await import('../../extension/src/worker/service');
    await check('a spinning kernel -> E_TIMEOUT from synchronize', () =>
      expectCode(service.testFault(settings, 'hang'), 'E_TIMEOUT'),
    );
    return done();
  }

  const logs: string[] = [];
  const client = createRuntimeClient({
    workerPath: join(root, 'extension', 'dist', 'worker.js'),
    execPath: process.execPath,
    env: { ...process.env, FP8LAB_TEST_HOOKS: '1' },
    requestTimeoutMs: () => 120_000,
    log: (_l, text) => logs.push(text),
  });
  try {
    const first = await client.request('worker/ping', {});
    await check('illegal-address kernel -> E_KERNEL_FAULT (or the worker exits), not a hang', () =>
      expectCode(client.request('test/fault', { settings, kind: 'illegal-address' }), [
        'E_KERNEL_FAULT',
        'E_WORKER_EXITED',
      ]),
    );
    await check('this process (the "extension host") is still alive', () => `pid ${process.pid}`);
    await client.restart('after a deliberate kernel fault');
    const second = await client.request('worker/ping', {});
    await check('a restarted worker answers', () => {
      if (second.pid === first.pid) throw new Error(`still pid ${first.pid}`);
      return `pid ${first.pid} -> ${second.pid}`;
    });
    await check('the restarted worker runs a GEMM correctly', async () => {
      const run = await client.request('gemm/bench', {
        settings,
        jobId: 'after-fault',
        problems: [{ kind: 'normal', m: 128, n: 2112, k: 7168 }],
        options: { timing: false, peer: false, rounds: 1, seed: 3 },
      });
      const r = run.results[0];
      if (!r || r.error) throw new Error(r?.error ? `[${r.error.code}] ${r.error.message}` : 'no result');
      if (!r.accuracy?.passed) throw new Error(`calc_diff ${r.accuracy?.calcDiff}, unwritten ${r.accuracy?.unwritten}`);
      return `calc_diff ${r.accuracy.calcDiff.toExponential(2)}`;
    });
  } finally {
    await client.dispose();
  }

  const child = spawnSync(process.execPath, [__filename, '--hang-child'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: process.env,
  });
  const lines = `${child.stdout ?? ''}`.split('\n').filter((l) => l && !l.startsWith('GPU-RESULT'));
  for (const l of lines) console.log(l);
  const result = /GPU-RESULT (\{.*\})/.exec(child.stdout ?? '');
  if (!result)
    fail(
      'spinning kernel child',
      `no result (status ${child.status}, signal ${child.signal}): ${child.stderr?.slice(-400)}`,
    );
  else {
    const counts = JSON.parse(result[1]) as { passed: number; failed: number };
    if (counts.failed > 0 || counts.passed === 0) fail('spinning kernel child', 'see the line above');
  }
  done();
}

main().catch((err) => {
  fail('fault recovery', err?.stack ?? String(err));
  done();
});
