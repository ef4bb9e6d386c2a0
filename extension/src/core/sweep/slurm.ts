// Talking to Slurm through its own command-line tools, as data: the sbatch argv of a job array, and
// parsers for the machine-readable outputs of squeue (--format with a separator), sacct
// (--parsable2) and scontrol (--oneliner key=value records). Never the human-readable defaults.
// Pure: runtime/sweep/slurmBackend.ts runs the commands.

export interface SlurmOptions {
  partition?: string;
  account?: string;
  /** Slurm's time formats: "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS". */
  timeLimit?: string;
  /** GPUs per task (--gres=gpu:N); 0 for compile-only tasks on CPU nodes. */
  gpusPerTask: number;
  /** At most this many tasks at once (the array's %K); absent = as many as the cluster gives. */
  concurrency?: number;
}

/** Why the options cannot go to sbatch; undefined when they can. */
export function slurmOptionsProblem(o: SlurmOptions): string | undefined {
  const word = /^[A-Za-z0-9._-]{1,64}$/;
  if (o.partition !== undefined && !word.test(o.partition))
    return `partition "${o.partition}" is not a Slurm partition name (letters, digits, . _ -)`;
  if (o.account !== undefined && !word.test(o.account))
    return `account "${o.account}" is not a Slurm account name (letters, digits, . _ -)`;
  if (
    o.timeLimit !== undefined &&
    !/^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2})$/.test(o.timeLimit)
  ) {
    return `time limit "${o.timeLimit}" is not in a Slurm format (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)`;
  }
  if (!Number.isInteger(o.gpusPerTask) || o.gpusPerTask < 0 || o.gpusPerTask > 64)
    return `GPUs per task must be a whole number from 0 to 64; got ${o.gpusPerTask}`;
  if (o.concurrency !== undefined && (!Number.isInteger(o.concurrency) || o.concurrency < 1))
    return `concurrency must be a whole number ≥ 1; got ${o.concurrency}`;
  return undefined;
}

/** [0,1,2,3,7,9] + 4 -> "0-3,7,9%4": runs of consecutive indices as ranges. */
export function arraySpec(indices: readonly number[], concurrency?: number): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('a job array needs at least one task');
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',') + (concurrency ? `%${concurrency}` : '');
}

/** "0-3,7,9%4" or "2-3%2" -> [0,1,2,3,7,9] (the throttle dropped). */
export function expandArraySpec(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec
    .replace(/^\[|\]$/g, '')
    .split('%')[0]
    .split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    const step = m[3] !== undefined ? Math.max(1, Number(m[3])) : 1;
    for (let i = from; i <= to && out.length < 1_000_000; i += step) out.push(i);
  }
  return out;
}

export interface ArraySubmission {
  indices: readonly number[];
  jobName: string;
  /** The results folder: the job's working directory. */
  workDir: string;
  /** Output file pattern with Slurm's %A (array job id) and %a (task index). */
  outputPattern: string;
  script: string;
  scriptArgs: readonly string[];
}

/** The argv (after "sbatch") of a job array; every value is its own word, no shell involved. */
export function sbatchArgv(o: SlurmOptions, s: ArraySubmission): string[] {
  return [
    '--parsable',
    `--job-name=${s.jobName}`,
    `--array=${arraySpec(s.indices, o.concurrency)}`,
    `--chdir=${s.workDir}`,
    `--output=${s.outputPattern}`,
    '--ntasks=1',
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.account ? [`--account=${o.account}`] : []),
    ...(o.timeLimit ? [`--time=${o.timeLimit}`] : []),
    ...(o.gpusPerTask > 0 ? [`--gres=gpu:${o.gpusPerTask}`] : []),
    s.script,
    ...s.scriptArgs,
  ];
}

/** sbatch --parsable prints "<jobid>" or "<jobid>;<cluster>". */
export function parseSbatchJobId(stdout: string): string | undefined {
  const m = /^(\d+)(?:;\S+)?\s*$/m.exec(stdout.trim());
  return m?.[1];
}

/** What the scheduler says about one array element. */
export interface SchedulerTask {
  jobId: string;
  index: number;
  /** Slurm's state word: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ... */
  state: string;
  node?: string;
  reason?: string;
  /** "exit:signal" as Slurm writes it. */
  exitCode?: string;
}

/** The squeue format these parsers read: job id (12_3 or 12_[4-7%2]), state, node list, reason. */
export const SQUEUE_FORMAT = '%i|%T|%N|%r';

/** Lines of `squeue --noheader --array --format='%i|%T|%N|%r'`. */
export function parseSqueue(stdout: string): SchedulerTask[] {
  const out: SchedulerTask[] = [];
  for (const line of stdout.split('\n')) {
    const [id, state, node, reason] = line.trim().split('|');
    const m = /^(\d+)_(\[?[\d,%:-]+\]?)$/.exec(id ?? '');
    if (!m || !state) continue;
    for (const index of expandArraySpec(m[2])) {
      out.push({
        jobId: m[1],
        index,
        state: state.trim(),
        ...(node ? { node } : {}),
        ...(reason && reason !== 'None' ? { reason } : {}),
      });
    }
  }
  return out;
}

export const SACCT_FORMAT = 'JobID,State,NodeList,ExitCode';

/** Lines of `sacct --noheader --parsable2 --format=JobID,State,NodeList,ExitCode` (steps like 12_3.batch skipped). */
export function parseSacct(stdout: string): SchedulerTask[] {
  const out: SchedulerTask[] = [];
  for (const line of stdout.split('\n')) {
    const [id, state, node, exitCode] = line.trim().split('|');
    const m = /^(\d+)_(\[?[\d,%:-]+\]?)$/.exec(id ?? '');
    if (!m || !state) continue;
    // "CANCELLED by 0" -> CANCELLED
    const word = state.split(/\s+/)[0];
    for (const index of expandArraySpec(m[2])) {
      out.push({
        jobId: m[1],
        index,
        state: word,
        ...(node && node !== 'None assigned' ? { node } : {}),
        ...(exitCode ? { exitCode } : {}),
      });
    }
  }
  return out;
}

/** Records of `scontrol show job <id> --oneliner`: one line per array element (or pending range). */
export function parseScontrolJobs(stdout: string): SchedulerTask[] {
  const out: SchedulerTask[] = [];
  for (const line of stdout.split('\n')) {
    const field = (key: string) => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1];
    const jobId = field('ArrayJobId');
    const taskIds = field('ArrayTaskId');
    const state = field('JobState');
    if (!jobId || !taskIds || !state) continue;
    const node = field('BatchHost') ?? field('NodeList');
    const reason = field('Reason');
    const exitCode = field('ExitCode');
    for (const index of expandArraySpec(taskIds)) {
      out.push({
        jobId,
        index,
        state,
        ...(node && node !== '(null)' ? { node } : {}),
        ...(reason && reason !== 'None' ? { reason } : {}),
        ...(exitCode ? { exitCode } : {}),
      });
    }
  }
  return out;
}

export type SlurmPhase = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Slurm's job states in the sweep's words. */
export function slurmPhase(state: string): SlurmPhase {
  switch (state) {
    case 'PENDING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'RESV_DEL_HOLD':
    case 'SUSPENDED':
    case 'STOPPED':
      return 'pending';
    case 'RUNNING':
    case 'CONFIGURING':
    case 'COMPLETING':
    case 'RESIZING':
    case 'SIGNALING':
    case 'STAGE_OUT':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
    case 'REVOKED':
      return 'cancelled';
    default: // FAILED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, PREEMPTED, SPECIAL_EXIT
      return 'failed';
  }
}

/** The first line of an sbatch/squeue error, for a message ("sbatch: error: Invalid partition name specified"). */
export function slurmErrorText(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /Batch job submission failed/i.test(l)) ?? lines[lines.length - 1] ?? '';
}
