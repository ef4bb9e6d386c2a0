// Where each task of a sweep stands, from three sources read in this order: the scheduler (what it
// says about each array element), then the results folder (a task is done when its result file is
// there — read after the scheduler, so a task that finished in between is never taken for lost),
// and the sweep's own submissions and cancellations. Pure.
import { slurmPhase, type SchedulerTask, type SlurmOptions } from './slurm';
import { failureText, type TaskResult } from './taskResult';
import type { SweepPlan } from './sweepPlan';

export interface Submission {
  /** Slurm's array job id, or "local-…" for a run on this machine's GPUs. */
  attempt: string;
  backend: 'slurm' | 'local';
  tasks: number[];
  submittedAt: string;
  /** Slurm: the options, so a retry asks for the same partition, time and GPUs. */
  slurm?: SlurmOptions;
  /** Local: who ran it. */
  local?: { host: string; pid: number; workers: number };
}

export interface Cancellation {
  attempt: string;
  at: string;
}

export type TaskPhase = 'unsubmitted' | 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TaskStatus {
  index: number;
  phase: TaskPhase;
  attempt?: string;
  node?: string;
  /** Why it waits, how it failed. */
  detail?: string;
}

export interface StatusInputs {
  plan: SweepPlan;
  submissions: readonly Submission[];
  cancellations: readonly Cancellation[];
  /** Valid result files by task. */
  results: ReadonlyMap<number, TaskResult>;
  /** Result files that exist but cannot be used, by task, with the reason. */
  unreadable: ReadonlyMap<number, string>;
  /** What the scheduler reported for the submissions' array elements. */
  scheduler: readonly SchedulerTask[];
  /** Local runs still going: each of their tasks' live phase (absent when the run is over). */
  live?: ReadonlyMap<string, ReadonlyMap<number, { phase: 'pending' | 'running'; node?: string }>>;
}

export function latestSubmission(submissions: readonly Submission[], index: number): Submission | undefined {
  for (let i = submissions.length - 1; i >= 0; i--) if (submissions[i].tasks.includes(index)) return submissions[i];
  return undefined;
}

export function taskStatuses(inputs: StatusInputs): TaskStatus[] {
  const sched = new Map(inputs.scheduler.map((s) => [`${s.jobId}_${s.index}`, s]));
  const cancelled = new Set(inputs.cancellations.map((c) => c.attempt));
  return inputs.plan.tasks.map(({ index }): TaskStatus => {
    const sub = latestSubmission(inputs.submissions, index);
    if (!sub) return { index, phase: 'unsubmitted' };
    const base = { index, attempt: sub.attempt };
    const result = inputs.results.get(index);
    if (result && result.attempt === sub.attempt) {
      return result.ok
        ? { ...base, phase: 'done', node: result.node }
        : { ...base, phase: 'failed', node: result.node, detail: failureText(result) };
    }
    const unreadable = inputs.unreadable.get(index);
    if (sub.backend === 'local') {
      const live = inputs.live?.get(sub.attempt)?.get(index);
      if (live) return { ...base, ...live };
      if (cancelled.has(sub.attempt)) return { ...base, phase: 'cancelled' };
      return {
        ...base,
        phase: 'failed',
        detail: unreadable ? `its result file is unusable: ${unreadable}` : 'stopped without writing a result',
      };
    }
    const s = sched.get(`${sub.attempt}_${index}`);
    if (!s) {
      if (cancelled.has(sub.attempt)) return { ...base, phase: 'cancelled' };
      return { ...base, phase: 'failed', detail: 'the scheduler no longer knows this task and it left no result' };
    }
    const node = s.node ? { node: s.node } : {};
    switch (slurmPhase(s.state)) {
      case 'pending':
        return { ...base, phase: 'pending', ...(s.reason ? { detail: s.reason } : {}) };
      case 'running':
        return { ...base, phase: 'running', ...node };
      case 'cancelled':
        return { ...base, phase: 'cancelled', ...node };
      case 'completed':
        return {
          ...base,
          phase: 'failed',
          ...node,
          detail: unreadable ? `its result file is unusable: ${unreadable}` : 'the job ended without writing a result',
        };
      default:
        return {
          ...base,
          phase: 'failed',
          ...node,
          detail: `Slurm state ${s.state}${s.exitCode ? `, exit ${s.exitCode}` : ''}`,
        };
    }
  });
}

export type PhaseCounts = Record<TaskPhase, number>;

export function countPhases(statuses: readonly TaskStatus[]): PhaseCounts {
  const counts: PhaseCounts = { unsubmitted: 0, pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  for (const s of statuses) counts[s.phase]++;
  return counts;
}

/** True when no task is waiting or running. */
export function finished(statuses: readonly TaskStatus[]): boolean {
  return statuses.every((s) => s.phase !== 'pending' && s.phase !== 'running');
}

/** "12 tasks: 7 done, 2 running, 2 pending, 1 failed". */
export function countsText(statuses: readonly TaskStatus[]): string {
  const c = countPhases(statuses);
  const parts = (['done', 'running', 'pending', 'failed', 'cancelled', 'unsubmitted'] as const)
    .filter((p) => c[p])
    .map((p) => `${c[p]} ${p}`);
  return `${statuses.length} task(s): ${parts.join(', ')}`;
}

/** A task's state in a line: "task 3  running on node12", "task 5  failed on vm: ...". */
export function statusLine(s: TaskStatus): string {
  const where = s.node ? ` on ${s.node}` : '';
  const what = s.phase === 'running' ? `running${where}` : s.phase === 'failed' ? `failed${where}` : s.phase;
  return `task ${s.index}  ${what}${s.detail ? `: ${s.detail}` : ''}`;
}
