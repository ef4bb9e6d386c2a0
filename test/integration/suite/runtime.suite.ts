// The runtime worker seen from the extension host: it starts and answers, and when it is killed
// the extension host carries on (same process) and a fresh worker answers the next request.
import * as assert from 'node:assert/strict';
import { testApiMember, within } from './testApi';

const DRIVER_CODES = ['E_NO_DRIVER', 'E_NO_DEVICE', 'E_DRIVER_TOO_OLD', 'E_ADDON_LOAD', 'E_CUDA'];

/** True while a process with this pid exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function defineRuntimeTests(): void {
  suite('Runtime worker', () => {
    test('starts and answers env/probe with an environment report', async () => {
      const runtime = await testApiMember('runtime');
      const settings = await testApiMember('settings');
      const report = await within(60_000, 'env/probe', runtime.request('env/probe', { settings: settings() }));
      assert.equal(typeof report.summary, 'string');
      assert.ok(report.summary.length > 0, 'the report has a one-line summary');
      assert.ok(Array.isArray(report.devices));
      if (report.driver.ok) {
        assert.ok(report.driver.version > 0, `driver version ${report.driver.version}`);
      } else {
        // No GPU / no driver (as on the CI machine): a coded status, not a failure.
        assert.ok(DRIVER_CODES.includes(report.driver.code), `driver status code ${report.driver.code}`);
        assert.match(report.driver.message, /\S/);
        assert.equal(report.devices.length, 0);
        assert.equal(report.canRunKernels, false, 'kernels cannot run without a driver');
      }
      const pid = runtime.pid;
      assert.ok(
        pid !== undefined && pid !== process.pid,
        `worker pid ${pid} is a separate process from the host ${process.pid}`,
      );
    });

    test('a request in flight when the worker is killed fails with E_WORKER_EXITED, not a hang', async () => {
      // test/fault 'hang' never answers (the runners start the host with FP8LAB_TEST_HOOKS=1).
      // Whether the worker got the request or not when it dies, the client must reject it.
      const runtime = await testApiMember('runtime');
      const settings = await testApiMember('settings');
      const { pid } = await within(30_000, 'worker/ping', runtime.request('worker/ping', {}));
      const restarted = new Promise<void>((resolve) => {
        const sub = runtime.onDidRestart(() => {
          sub.dispose();
          resolve();
        });
      });
      const inFlight = runtime.request('test/fault', { settings: settings(), kind: 'hang' });
      process.kill(pid, 'SIGKILL');
      const err = await within(
        30_000,
        'the in-flight request to settle',
        inFlight.then(
          () => assert.fail('test/fault hang answered'),
          (e: unknown) => e as { code?: string; message?: string },
        ),
      );
      assert.equal(err.code, 'E_WORKER_EXITED', `rejected with ${err.code}: ${err.message}`);
      await within(30_000, 'onDidRestart after the SIGKILL', restarted);
    });

    test('after the worker is killed (SIGKILL) the host is the same process and a new worker answers', async () => {
      const runtime = await testApiMember('runtime');
      const hostPid = process.pid;
      const before = await within(30_000, 'worker/ping', runtime.request('worker/ping', {}));
      assert.equal(before.pid, runtime.pid, 'worker/ping reports the pid the client spawned');
      assert.notEqual(before.pid, hostPid);

      const restarted = new Promise<{ reason: string }>((resolve) => {
        const sub = runtime.onDidRestart((e) => {
          sub.dispose();
          resolve(e);
        });
      });
      process.kill(before.pid, 'SIGKILL');
      // The client notices the exit and starts a new worker on its own; wait for that event (a
      // request sent before it noticed would go to the dead worker and fail E_WORKER_EXITED).
      const { reason } = await within(30_000, 'onDidRestart after the SIGKILL', restarted);
      assert.match(reason, /\S/, 'the restart carries a reason');
      const after = await within(30_000, 'worker/ping after the restart', runtime.request('worker/ping', {}));
      assert.notEqual(after.pid, before.pid, 'a new worker process answered');
      assert.equal(after.pid, runtime.pid);
      assert.equal(alive(before.pid), false, `the killed worker ${before.pid} is gone`);
      assert.equal(process.pid, hostPid, 'the extension host is the same process');
    });
  });
}
