// The runtime worker: a plain Node process forked by the extension (runtime/client.ts). It is the
// only process that loads the native addon, so a native crash or a poisoned CUDA context costs a
// restart of this process, never the extension host. It answers WorkerRequests over JSON-RPC on
// the IPC channel and sends progress/log notifications.
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  type CancellationToken,
} from 'vscode-jsonrpc/node';
import type {
  JobProgress,
  RuntimeSettings,
  ShapeResult,
  WorkerNotifications,
  WorkerRequests,
} from '../../protocol/worker';
import { RuntimeError } from '../core/runtimeError';
import { probeEnvironment } from './environment';
import * as service from './service';
import { accuracyStudy } from './studies/accuracyStudy';
import type { JobHooks } from './jobPipeline';
import { timeline } from './studies/timeline';
import * as grouped from './grouped/groupedService';
import { benchMqa } from './mqa/mqaService';
import { getGroupedSettings, setGroupedSettings, withGroupedSettings } from './grouped/groupedSettings';
import { tmaAlignedSize } from '../core/grouped/layout';
import { codedData, toResponseError } from './workerErrors';
import { GuardedMessageReader } from './messageGuard';
import { paramsProblem, settingsProblem } from './workerParams';
import { tuneShapes } from './bench/tuneShapes';

if (typeof process.send !== 'function') {
  process.stderr.write(
    'fp8lab worker: start me with child_process.fork (I need an IPC channel); for a terminal use `fp8lab`.\n',
  );
  process.exit(2);
}
process.title = 'fp8lab-worker';

// The connection is created and listening before the first turn of the event loop, so requests
// the client wrote right after fork() are not lost. Malformed messages never reach it: a request
// is answered E_BAD_ARGUMENT, anything else dropped (one bad message must not end the worker).
const reader = new GuardedMessageReader(
  new IPCMessageReader(process),
  (response) => {
    process.send?.(response);
  },
  (text) => log('warn', text),
);
const connection = createMessageConnection(reader, new IPCMessageWriter(process));
const startedAt = Date.now();
const testHooks = process.env.FP8LAB_TEST_HOOKS === '1';

/** Jobs that can be cancelled with job/cancel, by jobId. */
const jobs = new Map<string, { cancelled: boolean }>();

function notify<N extends keyof WorkerNotifications>(method: N, params: WorkerNotifications[N]): void {
  void connection.sendNotification(method, params);
}

function log(level: 'info' | 'warn' | 'error', text: string): void {
  process.stderr.write(`[${level}] ${text}\n`);
  notify('log/didWrite', { level, text });
}

type Handler<M extends keyof WorkerRequests> = (
  params: WorkerRequests[M]['params'],
  token: CancellationToken,
) => Promise<WorkerRequests[M]['result']> | WorkerRequests[M]['result'];

function handle<M extends keyof WorkerRequests>(method: M, handler: Handler<M>): void {
  // The library calls (token) when a request has no params, else (params, token).
  connection.onRequest(method, async (...args: unknown[]) => {
    const token = args[args.length - 1] as CancellationToken;
    const params = (args.length >= 2 ? args[0] : undefined) as WorkerRequests[M]['params'];
    try {
      const problem = paramsProblem(method, params);
      if (problem) throw new RuntimeError({ code: 'E_BAD_ARGUMENT', message: `${problem}.` });
      return await handler(params, token);
    } catch (err) {
      const data = codedData(err);
      log(data.code === 'E_INTERNAL' ? 'error' : 'warn', `${method}: [${data.code}] ${data.message}`);
      return toResponseError(err);
    }
  });
}

function settingsOf(params: { settings?: RuntimeSettings } | undefined): RuntimeSettings {
  const s = params?.settings;
  const problem = settingsProblem(s);
  if (problem || !s) {
    throw new RuntimeError({
      code: 'E_BAD_ARGUMENT',
      message: `The request has no valid \`settings\` (RuntimeSettings): ${problem}; the caller must pass resolved settings.`,
    });
  }
  // utils/setGroupedSettings' numSms (when set) applies to every request of this worker.
  return withGroupedSettings(s);
}

handle('worker/ping', () => ({ pid: process.pid, uptimeMs: Date.now() - startedAt }));

handle('env/probe', (params) => probeEnvironment(settingsOf(params)));

handle('kernel/compile', (params) => service.compileKernel(settingsOf(params), params.job));

handle('gemm/configs', (params) => service.configs(settingsOf(params), params.problem));

/**
 * Every long request (bench, tune, grouped bench, timeline, accuracy) runs as one job: registered
 * under its jobId (what job/cancel and $/cancelRequest cancel), progress notified with that id,
 * unregistered when it ends however it ends. The verbs supply only their work.
 */
async function job<T>(
  method: string,
  jobId: unknown,
  token: CancellationToken,
  run: (hooks: JobHooks) => Promise<T>,
): Promise<T> {
  if (typeof jobId !== 'string' || jobId === '') {
    throw new RuntimeError({
      code: 'E_BAD_ARGUMENT',
      message: `${method} needs a non-empty jobId (it is what job/cancel names).`,
    });
  }
  if (jobs.has(jobId))
    throw new RuntimeError({
      code: 'E_BAD_ARGUMENT',
      message: `A job with id ${jobId} is already running; use a fresh id.`,
    });
  const job = { cancelled: false };
  jobs.set(jobId, job);
  const sub = token.onCancellationRequested(() => {
    job.cancelled = true;
  });
  try {
    return await run({
      progress: (p: JobProgress) => notify('job/didProgress', { ...p, jobId }),
      cancelled: () => job.cancelled,
      log,
      jobId,
    });
  } finally {
    sub.dispose();
    jobs.delete(jobId);
  }
}

handle('gemm/bench', (params, token) => {
  const settings = settingsOf(params);
  return job('gemm/bench', params?.jobId, token, (hooks) =>
    service.bench(settings, params.problems, params.options, {
      ...hooks,
      measured: (result: ShapeResult) => notify('job/didMeasure', { jobId: params.jobId, result }),
    }),
  );
});

handle('gemm/timeline', (params, token) => {
  const settings = settingsOf(params);
  return job('gemm/timeline', params?.jobId, token, (hooks) =>
    timeline(settings, params.problem, params.options ?? {}, hooks),
  );
});

handle('gemm/accuracy', (params, token) => {
  const settings = settingsOf(params);
  return job('gemm/accuracy', params?.jobId, token, (hooks) =>
    accuracyStudy(settings, params.problem, params.options, hooks),
  );
});

handle('gemm/tune', (params, token) => {
  const settings = settingsOf(params);
  return job('gemm/tune', params?.jobId, token, (hooks) =>
    service.tune(settings, params.problem, params.configs, params.options, {
      ...hooks,
      measured: (result: ShapeResult) => notify('job/didMeasure', { jobId: params.jobId, result }),
    }),
  );
});

handle('gemm/tuneShapes', (params, token) => {
  const settings = settingsOf(params);
  return job('gemm/tuneShapes', params?.jobId, token, (hooks) =>
    tuneShapes(settings, params.problems, params.options, hooks),
  );
});

handle('gemm/groupedBench', (params, token) => {
  const settings = settingsOf(params);
  return job('gemm/groupedBench', params?.jobId, token, (hooks) =>
    grouped.benchGrouped(settings, params.cases, params.options, {
      ...hooks,
      measured: (result) =>
        log(
          'info',
          `${result.case.kind}: ${result.error ? `[${result.error.code}] ${result.error.message}` : 'measured'}`,
        ),
    }),
  );
});

handle('mqa/bench', (params, token) => {
  const settings = settingsOf(params);
  return job('mqa/bench', params?.jobId, token, (hooks) =>
    benchMqa(settings, params.kind, params.cases, params.options, {
      ...hooks,
      measured: (result) =>
        log(
          'info',
          `${result.case.kind}: ${result.error ? `[${result.error.code}] ${result.error.message}` : 'measured'}`,
        ),
    }),
  );
});

handle('utils/cast', (params) => grouped.castToFp8(settingsOf(params), params?.request));

handle('utils/transformScales', (params) => grouped.transformScales(settingsOf(params), params?.request));

handle('utils/tmaAlignedSize', (params) => {
  try {
    return { alignedSize: tmaAlignedSize(params?.size, params?.elementBytes) };
  } catch (err) {
    throw new RuntimeError({ code: 'E_BAD_ARGUMENT', message: (err as Error).message });
  }
});

handle('utils/getGroupedSettings', (params) => getGroupedSettings(settingsOf(params)));

handle('utils/setGroupedSettings', async (params) => {
  const settings = settingsOf(params);
  const env = await probeEnvironment(settings);
  setGroupedSettings(params?.change ?? {}, env.devices.find((d) => d.isHopper)?.smCount);
  return getGroupedSettings(settings);
});

handle('job/cancel', (params) => {
  const job = jobs.get(params?.jobId);
  if (!job) return { cancelled: false };
  job.cancelled = true;
  return { cancelled: true };
});

handle('test/fault', async (params) => {
  if (!testHooks) {
    throw new RuntimeError({
      code: 'E_BAD_ARGUMENT',
      message: 'test/fault is a test hook: start the worker with FP8LAB_TEST_HOOKS=1 to use it.',
    });
  }
  switch (params?.kind) {
    case 'crash':
      log('warn', 'test/fault crash: aborting the worker process');
      process.abort(); // SIGABRT, like a native crash in the addon
      break;
    case 'hang':
      log('warn', 'test/fault hang: blocking the event loop forever');
      for (;;) {
        /* a hung worker: only the client's request timeout gets out of this */
      }
    case 'illegal-address':
      return await service.testFault(settingsOf(params), 'illegal-address');
    default:
      break;
  }
  throw new RuntimeError({
    code: 'E_BAD_ARGUMENT',
    message: `test/fault kind ${JSON.stringify(params?.kind)} is unknown; use 'crash', 'hang' or 'illegal-address'.`,
  });
});

// The extension went away (or closed the channel): nothing more to do here.
connection.onClose(() => process.exit(0));
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (err) => {
  log('error', `uncaught exception: ${err.stack ?? err.message}`);
  process.exit(70);
});
process.on('unhandledRejection', (reason) => {
  log('error', `unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
});

connection.listen();
