// The RuntimeClient: forks the runtime worker (extension/dist/worker.js) with an IPC channel and
// speaks JSON-RPC to it. It restarts the worker after a crash, a non-zero exit or a request timeout,
// fails the requests that were in flight with a coded error instead of leaving them hanging, and
// tells the user (through an injected callback) once per crash.
//
// Imports nothing from 'vscode' at run time (types only): it runs in unit tests outside VS Code.
// vscode-jsonrpc's Emitter and CancellationToken are structurally vscode's.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  CancellationTokenSource,
  createMessageConnection,
  Emitter,
  IPCMessageReader,
  IPCMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type * as vscode from 'vscode';
import type { CodedErrorData, WorkerNotifications, WorkerRequests } from '../../protocol/worker';
import { RuntimeError, type RuntimeClient } from '../context';
import { DEFAULT_RESTART_POLICY, describeExit, RestartPolicy, type RestartPolicyOptions } from './restartPolicy';
import { killTree } from './processTree';
import { fromWireError } from '../worker/workerErrors';

/** Errors after which the worker's CUDA context cannot be used again (the addon says so). */
const LOSES_CONTEXT: ReadonlySet<string> = new Set(['E_KERNEL_FAULT', 'E_TIMEOUT']);

/**
 * Requests that compile or run kernels: refused while the workspace is untrusted. Each command
 * checks trust itself as well; this is the second wall, so a command that forgets cannot compile.
 */
export const TRUST_REQUIRED: ReadonlySet<keyof WorkerRequests> = new Set<keyof WorkerRequests>([
  'kernel/compile',
  'gemm/bench',
  'gemm/tune',
  'gemm/tuneShapes',
  'gemm/timeline',
  'gemm/accuracy',
  'gemm/groupedBench',
  'mqa/bench',
  'utils/cast',
  'utils/transformScales',
  'test/fault',
]);
/** Requests that neither compile nor run kernels (probes, policy, cancel). Every request is in exactly one of the two sets. */
export const TRUST_FREE: ReadonlySet<keyof WorkerRequests> = new Set<keyof WorkerRequests>([
  'env/probe',
  'gemm/configs',
  'utils/tmaAlignedSize',
  'utils/getGroupedSettings',
  'utils/setGroupedSettings',
  'job/cancel',
  'worker/ping',
]);

/** The failure message names at most this many of the requests in flight (a crash may interrupt hundreds). */
const MAX_NAMED_IN_FLIGHT = 3;

export interface RuntimeClientOptions {
  /** Absolute path of the worker bundle (extension/dist/worker.js). */
  workerPath: string;
  /** The node binary; default process.execPath (Electron in desktop VS Code: ELECTRON_RUN_AS_NODE makes it Node). */
  execPath?: string;
  /** The worker's environment; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Read per request (fp8lab.runtime.requestTimeoutSeconds * 1000). */
  requestTimeoutMs(): number;
  /** Workspace trust; default: trusted. */
  isTrusted?(): boolean;
  /** Tells the user the worker died and was (or will be) restarted. */
  onWorkerFailure?(message: string): void;
  /** Client and worker log lines (the worker's stderr, its log/didWrite notifications). */
  log?(level: 'info' | 'warn' | 'error', text: string): void;
  restartPolicy?: RestartPolicyOptions;
}

interface Pending {
  method: string;
  settle(error: RuntimeError): void;
}

interface Worker {
  child: ChildProcess;
  connection: MessageConnection;
  pid: number | undefined;
  pending: Set<Pending>;
  /** Why we are ending it (restart, timeout, dispose); unset for a death of its own. */
  endReason?: string;
  /** Ended on purpose (restart/dispose): no failure message, no eager restart by the exit handler. */
  intentional: boolean;
  gone: boolean;
  exited: Promise<void>;
}

export class WorkerClient implements RuntimeClient {
  private worker: Worker | undefined;
  private disposed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Set when a worker ended; reported by onDidRestart when the next one starts. */
  private lastEndReason: string | undefined;
  private readonly policy: RestartPolicy;
  private readonly handlers = new Map<string, Set<(params: unknown) => void>>();
  private readonly restartEmitter = new Emitter<{ reason: string }>();
  readonly onDidRestart: vscode.Event<{ reason: string }> = this.restartEmitter.event;

  constructor(private readonly options: RuntimeClientOptions) {
    this.policy = new RestartPolicy(options.restartPolicy ?? DEFAULT_RESTART_POLICY);
  }

  get pid(): number | undefined {
    return this.worker && !this.worker.gone ? this.worker.pid : undefined;
  }

  request<M extends keyof WorkerRequests>(
    method: M,
    params: WorkerRequests[M]['params'],
    token?: vscode.CancellationToken,
  ): Promise<WorkerRequests[M]['result']> {
    if (!TRUST_FREE.has(method) && this.options.isTrusted && !this.options.isTrusted()) {
      return reject({
        code: 'E_UNTRUSTED',
        message: `${method} compiles or runs kernels, which is off in an untrusted workspace. Trust the workspace to use it.`,
      });
    }
    if (this.disposed)
      return reject({
        code: 'E_WORKER_EXITED',
        message: 'The FP8 GEMM runtime has been shut down (the extension is deactivating).',
      });
    if (token?.isCancellationRequested)
      return reject({ code: 'E_CANCELLED', message: `${method} was cancelled before it started.` });

    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (err) {
      return Promise.reject(err);
    }

    return new Promise<WorkerRequests[M]['result']>((resolve, rejectPromise) => {
      const rpcCancel = new CancellationTokenSource();
      const timeoutMs = this.options.requestTimeoutMs();
      let done = false;
      const cleanups: Array<() => void> = [];
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        worker.pending.delete(pending);
        for (const c of cleanups) c();
        rpcCancel.dispose();
        return true;
      };
      const pending: Pending = {
        method,
        settle: (error) => {
          if (finish()) rejectPromise(error);
        },
      };
      worker.pending.add(pending);

      // A job (it has a jobId) reports progress per phase and shape: the timeout then measures
      // silence, not total length, so a long sweep is not mistaken for a hung worker.
      const jobId = (params as { jobId?: unknown } | undefined)?.jobId;
      const seconds = Math.round(timeoutMs / 1000);
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          pending.settle(
            new RuntimeError({
              code: 'E_WORKER_TIMEOUT',
              message:
                `${method} ${typeof jobId === 'string' ? `made no progress for ${seconds} s` : `did not finish within ${seconds} s`} ` +
                '(fp8lab.runtime.requestTimeoutSeconds); the runtime worker was restarted.',
            }),
          );
          void this.end(worker, `${method} timed out after ${seconds} s`, false);
        }, timeoutMs);
      };
      arm();
      cleanups.push(() => clearTimeout(timer));
      if (typeof jobId === 'string') {
        const alive = (p: { jobId: string }) => {
          if (p.jobId === jobId) arm();
        };
        const subs = [this.onNotification('job/didProgress', alive), this.onNotification('job/didMeasure', alive)];
        cleanups.push(() => subs.forEach((d) => d.dispose()));
      }

      if (token) {
        const sub = token.onCancellationRequested(() => {
          if (typeof jobId === 'string') {
            // A job keeps what it measured: ask it to stop, and wait for its (interrupted) answer.
            worker.connection.sendRequest('job/cancel', { jobId }).catch(() => undefined);
            rpcCancel.cancel();
          } else {
            rpcCancel.cancel();
            pending.settle(new RuntimeError({ code: 'E_CANCELLED', message: `${method} was cancelled.` }));
          }
        });
        cleanups.push(() => sub.dispose());
      }

      worker.connection.sendRequest(method, params, rpcCancel.token).then(
        (result) => {
          if (!finish()) return;
          this.policy.answered();
          resolve(result as WorkerRequests[M]['result']);
          // A bench that stopped on a fault still answers (with what it measured), but the worker's
          // CUDA context is gone: replace the worker.
          const interrupted = (result as { interrupted?: { code?: string } } | null)?.interrupted;
          if (interrupted?.code && LOSES_CONTEXT.has(interrupted.code))
            this.contextLost(worker, method, interrupted.code);
        },
        (err) => {
          const error = fromWireError(err);
          if (done) return;
          pending.settle(error);
          if (LOSES_CONTEXT.has(error.code)) this.contextLost(worker, method, error.data.cudaError ?? error.code);
        },
      );
    });
  }

  onNotification<N extends keyof WorkerNotifications>(
    method: N,
    handler: (params: WorkerNotifications[N]) => void,
  ): vscode.Disposable {
    let set = this.handlers.get(method);
    if (!set) this.handlers.set(method, (set = new Set()));
    const h = handler as (params: unknown) => void;
    set.add(h);
    return {
      dispose: () => {
        set.delete(h);
      },
    };
  }

  async restart(reason: string): Promise<void> {
    if (this.disposed) return;
    this.clearRestartTimer();
    const old = this.worker;
    this.lastEndReason = reason;
    if (old) await this.end(old, `restarted: ${reason}`, true);
    if (!this.disposed) this.ensureWorker();
  }

  /** Stops the worker for good (deactivate). In-flight requests reject with E_WORKER_EXITED. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearRestartTimer();
    if (this.worker) await this.end(this.worker, 'the extension is shutting down', true);
    this.restartEmitter.dispose();
  }

  // -------------------------------------------------------------------------------------------

  private ensureWorker(): Worker {
    this.clearRestartTimer();
    if (this.worker && !this.worker.gone) return this.worker;
    const worker = this.start();
    this.worker = worker;
    if (this.lastEndReason !== undefined) {
      const reason = this.lastEndReason;
      this.lastEndReason = undefined;
      this.restartEmitter.fire({ reason });
    }
    return worker;
  }

  private start(): Worker {
    const { workerPath } = this.options;
    if (!existsSync(workerPath)) {
      throw new RuntimeError({
        code: 'E_WORKER_EXITED',
        message: `The runtime worker ${workerPath} is missing. Run \`npm run build\` in the extension folder, or reinstall the .vsix.`,
      });
    }
    const child = fork(workerPath, [], {
      execPath: this.options.execPath ?? process.execPath,
      // In desktop VS Code process.execPath is Electron: this makes it behave as plain Node.
      execArgv: [],
      env: { ...(this.options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    let markExited!: () => void;
    const worker: Worker = {
      child,
      connection,
      pid: child.pid,
      pending: new Set(),
      intentional: false,
      gone: false,
      exited: new Promise<void>((r) => {
        markExited = r;
      }),
    };
    connection.onNotification((method: string, params: unknown) => {
      if (method === 'log/didWrite') {
        const p = params as WorkerNotifications['log/didWrite'];
        this.log(p.level, `[worker ${worker.pid}] ${p.text}`);
      }
      for (const h of this.handlers.get(method) ?? []) {
        try {
          h(params);
        } catch (err) {
          this.log('error', `notification handler for ${method} threw: ${String(err)}`);
        }
      }
    });
    connection.onError(([err]) => this.log('warn', `[worker ${worker.pid}] connection error: ${err.message}`));
    connection.listen();
    // stderr carries the worker's own log lines (already sent as notifications) and native output.
    child.stdout
      ?.setEncoding('utf8')
      .on('data', (s: string) => this.log('info', `[worker ${worker.pid} stdout] ${s.trimEnd()}`));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      if (!/^\[(info|warn|error)\] /.test(s)) this.log('warn', `[worker ${worker.pid} stderr] ${s.trimEnd()}`);
    });
    child.on('exit', (code, signal) => {
      this.onGone(worker, describeExit(code, signal), code === 0 && !signal);
      markExited();
    });
    child.on('error', (err) => {
      this.log('error', `runtime worker process error: ${err.message}`);
      // A failed spawn never emits 'exit'.
      if (child.pid === undefined) {
        this.onGone(worker, `could not start: ${err.message}`, false);
        markExited();
      }
    });
    this.policy.started(Date.now());
    this.log('info', `runtime worker started (pid ${child.pid ?? '?'}): ${workerPath}`);
    return worker;
  }

  /** A kernel faulted or hung in this worker: its CUDA context is unusable, so it is replaced. */
  private contextLost(worker: Worker, method: string, what: string): void {
    void this.end(worker, `${method} hit ${what}, which leaves the CUDA context unusable`, false);
  }

  /**
   * Ends a worker on purpose (restart, dispose) or because it hung (timeout); resolves when it has
   * exited. It is detached at once, so the next request starts a fresh worker instead of queueing
   * behind the dying one.
   */
  private end(worker: Worker, reason: string, intentional: boolean): Promise<void> {
    if (!worker.gone && worker.endReason === undefined) {
      worker.endReason = reason;
      worker.intentional = intentional;
      if (this.worker === worker) this.worker = undefined;
      // SIGKILL: a hung worker may be spinning in native code or a busy loop and ignore SIGTERM.
      // The compilers it started (in process groups of their own) go with it.
      if (worker.child.pid !== undefined && !worker.gone) killTree(worker.child.pid);
      else worker.child.kill('SIGKILL');
      if (!intentional && !this.disposed)
        this.failed(
          reason,
          [...worker.pending].map((p) => p.method),
        );
    }
    return worker.exited;
  }

  private onGone(worker: Worker, how: string, cleanExit: boolean): void {
    if (worker.gone) return;
    worker.gone = true;
    if (this.worker === worker) this.worker = undefined;
    const reason = worker.endReason ?? (cleanExit ? `it exited (${how})` : `it crashed (${how})`);
    const inFlight = [...worker.pending].map((p) => p.method);
    for (const p of [...worker.pending]) {
      p.settle(
        new RuntimeError({
          code: 'E_WORKER_EXITED',
          message:
            `The runtime worker (pid ${worker.pid}) stopped while handling ${p.method}: ${reason}.` +
            (worker.intentional
              ? ''
              : ' Nothing measured after that point was kept; try again (a new worker starts automatically).'),
        }),
      );
    }
    worker.connection.dispose();
    this.log(worker.intentional ? 'info' : 'warn', `runtime worker ${worker.pid} exited (${how}): ${reason}`);
    // Ended by end(): already handled there.
    if (worker.endReason !== undefined || this.disposed) return;
    if (cleanExit) {
      this.lastEndReason = reason;
      return;
    } // it left on its own terms: a new one starts on demand
    this.failed(reason, inFlight);
  }

  /** A worker died or hung: tell the user (once per series) and schedule a restart. */
  private failed(reason: string, inFlight: string[]): void {
    this.lastEndReason = reason;
    const decision = this.policy.died(Date.now());
    const during = inFlight.length > 0 ? ` while running ${describeInFlight(inFlight)}` : '';
    if (decision.notify) {
      this.options.onWorkerFailure?.(
        decision.delayMs === undefined
          ? `The FP8 GEMM runtime worker keeps failing (${decision.consecutive} times in a row, last: ${reason}). It will be started again on the next request; see the log.`
          : `The FP8 GEMM runtime worker failed${during}: ${reason}. It was restarted.`,
      );
    }
    if (decision.delayMs !== undefined) {
      this.clearRestartTimer();
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (!this.disposed && !this.worker) {
          try {
            this.ensureWorker();
          } catch (err) {
            this.log('error', (err as Error).message);
          }
        }
      }, decision.delayMs);
    }
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private log(level: 'info' | 'warn' | 'error', text: string): void {
    this.options.log?.(level, text);
  }
}

/** "gemm/bench ×966, kernel/compile ×2 and 3 more": short however many requests were in flight. */
export function describeInFlight(methods: string[]): string {
  const counts = new Map<string, number>();
  for (const m of methods) counts.set(m, (counts.get(m) ?? 0) + 1);
  const named = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_NAMED_IN_FLIGHT)
    .map(([m, n]) => `${m.length > 40 ? `${m.slice(0, 40)}…` : m}${n > 1 ? ` ×${n}` : ''}`);
  const rest = counts.size - named.length;
  return named.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
}

function reject(data: CodedErrorData): Promise<never> {
  return Promise.reject(new RuntimeError(data));
}

export function createRuntimeClient(options: RuntimeClientOptions): WorkerClient {
  return new WorkerClient(options);
}
