// The runtime worker forked as the client forks it (IPC, JSON serialization), but spoken to with
// raw messages: for tests that send what a well-behaved client never would.
import { fork, type ChildProcess } from 'node:child_process';

/** A worker forked as the client forks it, spoken to with raw messages. */
export class RawWorker {
  readonly child: ChildProcess;
  private readonly waiting = new Map<number | string, (m: Record<string, unknown>) => void>();
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stderr = '';
  private nextId = 1;

  constructor(workerPath: string, env: NodeJS.ProcessEnv = process.env) {
    this.child = fork(workerPath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      execArgv: [],
      env,
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s;
    });
    this.child.on('message', (m: Record<string, unknown>) => {
      if (m && 'id' in m && !('method' in m)) this.waiting.get(m.id as number)?.(m);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
    });
  }

  send(message: unknown): void {
    this.child.send(message as never);
  }

  /** Sends a request and resolves with its response (rejects after `ms`). */
  request(method: string, params: unknown, ms = 20_000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return this.answer(
      id,
      () => this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }),
      ms,
    );
  }

  answer(id: number | string, send: () => void, ms = 20_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${id} in ${ms} ms; stderr:\n${this.stderr}`)), ms);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(m);
      });
      send();
    });
  }

  async pid(): Promise<number> {
    const r = await this.request('worker/ping', {});
    return (r.result as { pid: number }).pid;
  }

  stop(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
