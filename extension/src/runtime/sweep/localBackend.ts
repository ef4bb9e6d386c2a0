// A sweep on this machine's GPUs: one worker per GPU, each a child process of the headless CLI
// (`fp8lab sweep task DIR --index N --attempt ID`) with CUDA_VISIBLE_DEVICES naming its GPU, taking
// the next task when its last one exits. One GPU is the same path with one worker. Tasks write their
// results into the sweep folder exactly as Slurm's would; the children's output goes to the logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import type { Submission } from '../../core/sweep/taskStatus';
import { logFile } from '../../storage/sweepFolder';

export interface WorkerSlot {
  /** "GPU 0" or "CPU worker 1", for the view. */
  label: string;
  /** What goes into CUDA_VISIBLE_DEVICES ('' hides every GPU: compile-only workers). */
  visibleDevices: string;
}

export interface LocalCommand {
  /** The node binary (process.execPath; in VS Code's host run with ELECTRON_RUN_AS_NODE). */
  node: string;
  /** The CLI bundle (extension/dist/cli.js). */
  cli: string;
  env?: NodeJS.ProcessEnv;
}

export type LocalTaskState =
  { phase: 'pending' | 'running'; node?: string } | { phase: 'exited'; code: number | null; signal: string | null };

/**
 * The slots of this machine: one per GPU given by CUDA ordinal (under CUDA_VISIBLE_DEVICES ordinal i
 * is the list's i-th entry, which the child then gets alone); `cpuWorkers` compile-only slots when
 * there is no GPU.
 */
export function localSlots(ordinals: readonly number[], visible: string | undefined, cpuWorkers: number): WorkerSlot[] {
  const listed = visible
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ordinals.length > 0) {
    return ordinals.map((ordinal) => {
      const id = listed?.[ordinal] ?? String(ordinal);
      return { label: `GPU ${id}`, visibleDevices: id };
    });
  }
  return Array.from({ length: Math.max(1, cpuWorkers) }, (_, i) => ({ label: `CPU worker ${i}`, visibleDevices: '' }));
}

export class LocalSweepRun {
  readonly submission: Submission;
  private readonly states = new Map<number, LocalTaskState>();
  private readonly children = new Set<ChildProcess>();
  private cancelled = false;
  private listeners: Array<(index: number, state: LocalTaskState) => void> = [];
  readonly done: Promise<void>;

  constructor(
    readonly dir: string,
    tasks: readonly number[],
    readonly slots: readonly WorkerSlot[],
    private readonly command: LocalCommand,
    attempt: string,
  ) {
    this.submission = {
      attempt,
      backend: 'local',
      tasks: [...tasks],
      submittedAt: new Date().toISOString(),
      local: { host: hostname(), pid: process.pid, workers: slots.length },
    };
    for (const t of tasks) this.states.set(t, { phase: 'pending' });
    const queue = [...tasks];
    this.done = Promise.all(slots.map((slot) => this.work(slot, queue))).then(() => undefined);
  }

  onChange(listener: (index: number, state: LocalTaskState) => void): void {
    this.listeners.push(listener);
  }

  /** Live phases of the tasks still pending or running (what core/sweep/taskStatus.ts takes as `live`). */
  live(): Map<number, { phase: 'pending' | 'running'; node?: string }> {
    const out = new Map<number, { phase: 'pending' | 'running'; node?: string }>();
    for (const [i, s] of this.states) if (s.phase !== 'exited') out.set(i, s);
    return out;
  }

  /** Stops handing out tasks and ends the running ones (SIGTERM: a task killed mid-way writes no result). */
  cancel(): void {
    this.cancelled = true;
    for (const child of this.children) child.kill('SIGTERM');
  }

  private set(index: number, state: LocalTaskState): void {
    this.states.set(index, state);
    for (const l of this.listeners) l(index, state);
  }

  private async work(slot: WorkerSlot, queue: number[]): Promise<void> {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      if (this.cancelled) {
        this.set(index, { phase: 'exited', code: null, signal: 'SIGTERM' });
        continue;
      }
      this.set(index, { phase: 'running', node: `${hostname()} ${slot.label}` });
      this.set(index, await this.runOne(slot, index));
    }
  }

  private runOne(slot: WorkerSlot, index: number): Promise<LocalTaskState> {
    return new Promise((resolve) => {
      const log = createWriteStream(logFile(this.dir, index, this.submission.attempt), { flags: 'w' });
      const child = spawn(
        this.command.node,
        [this.command.cli, 'sweep', 'task', this.dir, '--index', String(index), '--attempt', this.submission.attempt],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            ...this.command.env,
            ELECTRON_RUN_AS_NODE: '1',
            CUDA_VISIBLE_DEVICES: slot.visibleDevices,
          },
        },
      );
      this.children.add(child);
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
      const finish = (state: LocalTaskState) => {
        this.children.delete(child);
        log.end(() => resolve(state));
      };
      child.on('error', (err) => {
        log.write(`cannot start ${this.command.node}: ${err.message}\n`);
        finish({ phase: 'exited', code: 127, signal: null });
      });
      child.on('close', (code, signal) => finish({ phase: 'exited', code, signal }));
    });
  }
}
