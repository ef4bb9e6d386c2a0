// The Python peer helper as a child process of the worker (or the CLI): spawned with an argument
// vector in its own process group, one JSON line per request, answers matched by id, a time limit
// on every request. Any failure (no interpreter, a crash, a hang, a line that is not the protocol)
// stops the helper and every later request fails with the same one-line reason.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { PeerAvailability, PeerId } from '../../../protocol/worker';
import {
  availabilityFromHello,
  checkHello,
  helperArgv,
  helperEnv,
  helperFailure,
  parseHelperLine,
  resolvePython,
  unavailable,
  PYTHON_PEERS,
  type HelloResult,
  type HelperRequests,
} from '../../core/peers/helperProtocol';
import { findExtensionRoot } from '../addon';

/** Importing torch and deep_gemm takes seconds; a first DeepGEMM call JIT-compiles (seconds more). */
export const HELLO_TIMEOUT_MS = 120_000;
export const PREPARE_TIMEOUT_MS = 300_000;
export const REPLAY_TIMEOUT_MS = 30_000;
const STDERR_KEEP = 8_192;

export class HelperError extends Error {}

export function helperScriptPath(root = findExtensionRoot()): string {
  return path.join(root, 'extension', 'peers', 'peer_helper.py');
}

export class PythonPeerHelper {
  private child: ChildProcess | undefined;
  private buffer = '';
  private stderr = '';
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();
  /** Set once the helper is unusable; every later request rejects with it. */
  private broken: string | undefined;
  private markExited: () => void = () => {};
  /** Resolves when the process has exited and been reaped (at once when it never started). */
  readonly exited = new Promise<void>((resolve) => {
    this.markExited = resolve;
  });

  private constructor(readonly python: { command: string; source: string }) {}

  /** Starts the helper; never throws (a helper that cannot start is `broken` with the reason). */
  static start(
    pythonSetting: string | undefined,
    env: NodeJS.ProcessEnv = process.env,
    script = helperScriptPath(),
  ): PythonPeerHelper {
    const helper = new PythonPeerHelper(resolvePython(pythonSetting, env));
    const [command, args] = helperArgv(helper.python.command, script);
    try {
      helper.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: helperEnv(env), detached: true });
    } catch (err) {
      helper.fail(helperFailure(helper.python, `could not be started (${(err as Error).message})`, ''));
      helper.markExited();
      return helper;
    }
    const child = helper.child;
    child.on('error', (err: NodeJS.ErrnoException) => {
      const what =
        err.code === 'ENOENT' ? `was not found (${command}: no such file)` : `could not be started (${err.message})`;
      helper.fail(helperFailure(helper.python, what, helper.stderr));
      helper.child = undefined;
      helper.markExited();
    });
    // 'close' comes after the pipes are drained, so the failure carries the helper's last stderr lines.
    child.on('close', (code, signal) => {
      helper.child = undefined;
      if (!helper.broken)
        helper.fail(helperFailure(helper.python, `exited (${signal ?? `code ${code}`})`, helper.stderr));
      helper.markExited();
    });
    child.stdin?.on('error', () => {}); // a dead helper's closed pipe: 'exit' says why
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => helper.onData(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      helper.stderr = (helper.stderr + chunk).slice(-STDERR_KEEP);
    });
    return helper;
  }

  get failure(): string | undefined {
    return this.broken;
  }

  /** The helper's process id while it runs (its process group has the same id). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  request<M extends keyof HelperRequests>(
    method: M,
    params: HelperRequests[M]['params'],
    timeoutMs: number,
  ): Promise<unknown> {
    if (this.broken) return Promise.reject(new HelperError(this.broken));
    const child = this.child;
    if (!child?.stdin)
      return Promise.reject(new HelperError(helperFailure(this.python, 'is not running', this.stderr)));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          helperFailure(
            this.python,
            `did not answer '${method}' within ${Math.round(timeoutMs / 1000)} s and was stopped`,
            this.stderr,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.stdin!.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  /** Which Python peers can run, each with its reason when not (a failed hello makes every one unavailable). */
  async hello(
    wanted: readonly PeerId[],
    timeoutMs = HELLO_TIMEOUT_MS,
  ): Promise<{ hello?: HelloResult; peers: PeerAvailability[] }> {
    const ids = PYTHON_PEERS.filter((id) => wanted.includes(id));
    try {
      const hello = checkHello(await this.request('hello', {}, timeoutMs));
      return { hello, peers: availabilityFromHello(hello, wanted) };
    } catch (err) {
      const reason =
        err instanceof HelperError
          ? err.message
          : helperFailure(this.python, `answered hello wrongly (${(err as Error).message})`, this.stderr);
      if (!(err instanceof HelperError)) this.fail(reason);
      return { peers: ids.map((id) => unavailable(id, reason)) };
    }
  }

  /** Asks the helper to exit, makes sure it does, and waits until it has. */
  async close(): Promise<void> {
    if (this.child && !this.broken) await this.request('shutdown', {}, 5_000).catch(() => {});
    this.kill('closed');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5_000))]);
  }

  /** Stops the helper's whole process group at once (cancel, a time limit, the end of a run). */
  kill(reason = 'stopped'): void {
    const child = this.child;
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        try {
          child.kill('SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    if (!this.broken) this.fail(`the Python peer helper was ${reason}`);
  }

  private fail(reason: string): void {
    if (!this.broken) this.broken = reason;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new HelperError(this.broken));
      this.pending.delete(id);
    }
    const child = this.child;
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!line) continue;
      const parsed = parseHelperLine(line);
      if (!parsed.ok) {
        this.fail(
          helperFailure(this.python, `wrote something that is not the protocol (${parsed.problem})`, this.stderr),
        );
        return;
      }
      const answer = parsed.answer;
      const entry = answer.id === null ? undefined : this.pending.get(answer.id);
      if (!entry) {
        if ('error' in answer)
          this.fail(helperFailure(this.python, `failed: [${answer.error.code}] ${answer.error.message}`, this.stderr));
        continue;
      }
      this.pending.delete(answer.id as number);
      clearTimeout(entry.timer);
      if ('error' in answer) entry.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
      else entry.resolve(answer.result);
    }
    if (this.buffer.length > 1 << 20) this.fail(helperFailure(this.python, 'wrote a line over 1 MiB', this.stderr));
  }
}
