// A sweep's life, shared by the CLI (`fp8lab sweep`) and the VS Code commands: create the folder
// and plan, submit tasks (Slurm array or this machine's GPUs), read where each task stands, cancel,
// resubmit only the failed ones, and merge the finished results into the run store and the tuning
// store. State lives in the sweep folder and the scheduler, never in this process, so any process
// on any node of the cluster can ask for status, cancel or collect.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunArchive } from '../../storage/runArchive';
import { sweepRunId, mergedRun, sweepTuningRecords } from '../../core/sweep/sweepMerge';
import { newSweepId, planSweep, type PlanInput, type SweepPlan } from '../../core/sweep/sweepPlan';
import type { SlurmOptions } from '../../core/sweep/slurm';
import type { TaskResult } from '../../core/sweep/taskResult';
import { taskStatuses, type Submission, type TaskStatus } from '../../core/sweep/taskStatus';
import {
  appendCancellation,
  appendSubmission,
  createSweepFolder,
  loadPlan,
  logFile,
  readCancellations,
  readSubmissions,
  readTaskResults,
  slurmOutputPattern,
  writeJobScript,
} from '../../storage/sweepFolder';
import { TuningStore, type StoreWarning } from '../../storage/tuningStore';
import { coded } from '../../worker/bench/errors';
import { LocalSweepRun, type LocalCommand, type WorkerSlot } from './localBackend';
import { cancelArrays, queryArrays, submitArray } from './slurmBackend';

export function newId(): string {
  return newSweepId(new Date(), randomBytes(3).toString('hex'));
}

export async function createSweep(
  dir: string,
  input: Omit<PlanInput, 'id' | 'createdAt'> & { id?: string },
): Promise<SweepPlan> {
  let plan: SweepPlan;
  try {
    plan = planSweep({ ...input, id: input.id ?? newId(), createdAt: new Date().toISOString() });
  } catch (err) {
    throw coded('E_BAD_ARGUMENT', (err as Error).message);
  }
  await createSweepFolder(dir, plan);
  return plan;
}

/** Submits the tasks as one Slurm job array; the submission is recorded in the folder. */
export async function submitSlurm(
  dir: string,
  plan: SweepPlan,
  tasks: readonly number[],
  options: SlurmOptions,
  command: LocalCommand,
  env?: NodeJS.ProcessEnv,
): Promise<Submission> {
  const script = await writeJobScript(dir);
  const attempt = await submitArray(
    options,
    {
      indices: tasks,
      jobName: `fp8lab-${plan.verb}`,
      workDir: dir,
      outputPattern: slurmOutputPattern(dir),
      script,
      scriptArgs: [command.node, command.cli, dir],
    },
    env,
  );
  const submission: Submission = {
    attempt,
    backend: 'slurm',
    tasks: [...tasks],
    submittedAt: new Date().toISOString(),
    slurm: options,
  };
  await appendSubmission(dir, submission);
  return submission;
}

/** Starts the tasks on this machine's slots; the submission is recorded before the first task starts. */
export async function startLocal(
  dir: string,
  tasks: readonly number[],
  slots: readonly WorkerSlot[],
  command: LocalCommand,
): Promise<LocalSweepRun> {
  if (slots.length === 0) throw coded('E_NO_DEVICE', 'no local GPU to run the sweep on');
  const run = new LocalSweepRun(dir, tasks, slots, command, `local-${newId()}`);
  await appendSubmission(dir, run.submission);
  return run;
}

export interface SweepState {
  plan: SweepPlan;
  submissions: Submission[];
  statuses: TaskStatus[];
  results: Map<number, TaskResult>;
}

/** Where every task stands. `local` passes the runs this process drives (their live phases). */
export async function sweepStatus(
  dir: string,
  opts: { local?: readonly LocalSweepRun[]; env?: NodeJS.ProcessEnv } = {},
): Promise<SweepState> {
  const plan = await loadPlan(dir);
  const submissions = await readSubmissions(dir);
  const cancellations = await readCancellations(dir);
  const slurmJobs = [...new Set(submissions.filter((s) => s.backend === 'slurm').map((s) => s.attempt))];
  // The scheduler first, then the results: a task that ends in between is then seen done, not lost.
  const scheduler = await queryArrays(slurmJobs, opts.env);
  const { results, unreadable } = await readTaskResults(dir, plan);
  const live = new Map<string, Map<number, { phase: 'pending' | 'running'; node?: string }>>();
  for (const run of opts.local ?? []) live.set(run.submission.attempt, run.live());
  for (const s of submissions) {
    if (s.backend !== 'local' || live.has(s.attempt) || !s.local || !driverAlive(s.local)) continue;
    // Another process on this machine drives it: a task with a log has started, one without waits.
    live.set(
      s.attempt,
      new Map(
        s.tasks
          .filter((t) => results.get(t)?.attempt !== s.attempt)
          .map((t) => [
            t,
            existsSync(logFile(dir, t, s.attempt))
              ? { phase: 'running' as const, node: s.local!.host }
              : { phase: 'pending' as const },
          ]),
      ),
    );
  }
  return {
    plan,
    submissions,
    results,
    statuses: taskStatuses({ plan, submissions, cancellations, results, unreadable, scheduler, live }),
  };
}

function driverAlive(local: NonNullable<Submission['local']>): boolean {
  if (local.host !== hostname()) return false;
  try {
    process.kill(local.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Cancels every submission that may still run: scancel for Slurm arrays, SIGTERM for local runs
 * (this process's, or another process's driver on this machine). Each is recorded as cancelled.
 */
export async function cancelSweep(
  dir: string,
  opts: { local?: readonly LocalSweepRun[]; env?: NodeJS.ProcessEnv } = {},
): Promise<string[]> {
  const { submissions, statuses } = await sweepStatus(dir, opts);
  const active = new Set(statuses.filter((s) => s.phase === 'pending' || s.phase === 'running').map((s) => s.attempt));
  const targets = submissions.filter((s) => active.has(s.attempt));
  const slurm = targets.filter((s) => s.backend === 'slurm').map((s) => s.attempt);
  // Recorded first: a task the scheduler forgets after scancel is then reported cancelled, not lost.
  for (const attempt of new Set(targets.map((s) => s.attempt)))
    await appendCancellation(dir, { attempt, at: new Date().toISOString() });
  await cancelArrays(slurm, opts.env);
  for (const s of targets.filter((t) => t.backend === 'local')) {
    const mine = opts.local?.find((r) => r.submission.attempt === s.attempt);
    if (mine) mine.cancel();
    else if (s.local && driverAlive(s.local)) process.kill(s.local.pid, 'SIGTERM');
  }
  return targets.map((s) => s.attempt);
}

/** The tasks a retry resubmits: the failed and cancelled ones (and any never submitted). */
export function retryTasks(statuses: readonly TaskStatus[]): number[] {
  return statuses
    .filter((s) => s.phase === 'failed' || s.phase === 'cancelled' || s.phase === 'unsubmitted')
    .map((s) => s.index);
}

/** The log of a task's latest attempt, when it exists. */
export function taskLogPath(dir: string, status: TaskStatus): string | undefined {
  if (!status.attempt) return undefined;
  const file = logFile(dir, status.index, status.attempt);
  return existsSync(file) ? file : undefined;
}

export interface CollectReport {
  /** Tasks whose results were merged (done, or failed with some shapes done). */
  tasks: number;
  /** Rows in the saved run. */
  shapes: number;
  runFile?: string;
  /** Tuning records added now, and the ones an earlier collect had already added. */
  recordsAdded: number;
  recordsAlready: number;
  tuningDir?: string;
  warnings: StoreWarning[];
}

/**
 * Merges the results into one saved run (replaced, never duplicated, on a second collect) and, for
 * tune sweeps, the tuning store (records whose id is already there are not appended again).
 */
export async function collectSweep(
  dir: string,
  opts: { runsDir?: string; tuningDir?: string },
): Promise<CollectReport> {
  const plan = await loadPlan(dir);
  const { results } = await readTaskResults(dir, plan);
  // Only the results of each task's latest submission count (an older attempt's file was replaced anyway).
  const merged = [...results.values()];
  const run = mergedRun(plan, merged);
  const report: CollectReport = {
    tasks: merged.length,
    shapes: run.results.length,
    recordsAdded: 0,
    recordsAlready: 0,
    warnings: [],
  };
  if (merged.length === 0) return report;
  report.runFile = await new RunArchive(opts.runsDir ?? join(dir, 'runs')).save(run);
  const records = sweepTuningRecords(plan, merged);
  if (records.length && opts.tuningDir) {
    const store = new TuningStore(opts.tuningDir);
    const { records: existing, warnings } = await store.read();
    report.warnings = warnings;
    const have = new Set(existing.map((r) => r.id));
    const fresh = records.filter((r) => !have.has(r.id));
    if (fresh.length) await store.append(fresh);
    report.recordsAdded = fresh.length;
    report.recordsAlready = records.length - fresh.length;
    report.tuningDir = opts.tuningDir;
  }
  return report;
}

export { sweepRunId };
