// A sweep's folder, shared by the submitting machine and every node that runs a task:
//   plan.json             the work (written once, atomically)
//   submissions.jsonl     one line per submission (Slurm array job or local run), appended by the submitter
//   cancellations.jsonl   one line per cancelled submission
//   results/task-N.json   one per task, written atomically by the task (storage/atomicWrite.ts)
//   logs/task-N.<attempt>.log   each attempt's stdout and stderr (Slurm's --output, or the local runner's)
//   job.sh                the array job's script (fixed text; paths arrive as its arguments)
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { planProblem, type SweepPlan } from '../core/sweep/sweepPlan';
import { decodeTaskResult, encodeTaskResult, type TaskResult } from '../core/sweep/taskResult';
import type { Cancellation, Submission } from '../core/sweep/taskStatus';
import { coded } from '../worker/bench/errors';
import { TEMP_SUFFIX, writeFileAtomic } from './atomicWrite';

export const PLAN_FILE = 'plan.json';
const SUBMISSIONS = 'submissions.jsonl';
const CANCELLATIONS = 'cancellations.jsonl';

export const resultsDir = (dir: string) => join(dir, 'results');
export const logsDir = (dir: string) => join(dir, 'logs');
export const resultFile = (dir: string, index: number) => join(resultsDir(dir), `task-${index}.json`);
/** The log of one attempt of one task; Slurm writes it through slurmOutputPattern's %a and %A. */
export const logFile = (dir: string, index: number, attempt: string) =>
  join(logsDir(dir), `task-${index}.${attempt}.log`);
export const slurmOutputPattern = (dir: string) => join(logsDir(dir), 'task-%a.%A.log');

export async function createSweepFolder(dir: string, plan: SweepPlan): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  try {
    await fs.access(join(dir, PLAN_FILE));
    throw coded(
      'E_BAD_ARGUMENT',
      `${dir} already holds a sweep; give a new folder (or use status, retry, cancel or collect on this one).`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(resultsDir(dir), { recursive: true });
  await fs.mkdir(logsDir(dir), { recursive: true });
  await writeFileAtomic(join(dir, PLAN_FILE), JSON.stringify(plan, null, 1) + '\n');
}

export async function loadPlan(dir: string): Promise<SweepPlan> {
  let text: string;
  try {
    text = await fs.readFile(join(dir, PLAN_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw coded('E_BAD_ARGUMENT', `${dir} is not a sweep folder (no ${PLAN_FILE}).`);
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw coded('E_BAD_ARGUMENT', `${join(dir, PLAN_FILE)} is not valid JSON (${(e as Error).message}).`);
  }
  const problem = planProblem(value);
  if (problem) throw coded('E_BAD_ARGUMENT', `${join(dir, PLAN_FILE)}: ${problem}.`);
  return value as SweepPlan;
}

async function appendLine(file: string, value: unknown): Promise<void> {
  const handle = await fs.open(file, 'a', 0o644);
  try {
    await handle.write(JSON.stringify(value) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readLines<T>(file: string, ok: (v: unknown) => v is T): Promise<T[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (ok(v)) out.push(v);
    } catch {
      /* a torn last line: the next append starts a new one */
    }
  }
  return out;
}

const isSubmission = (v: unknown): v is Submission =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Submission).attempt === 'string' &&
  ((v as Submission).backend === 'slurm' || (v as Submission).backend === 'local') &&
  Array.isArray((v as Submission).tasks);
const isCancellation = (v: unknown): v is Cancellation =>
  typeof v === 'object' && v !== null && typeof (v as Cancellation).attempt === 'string';

export const appendSubmission = (dir: string, s: Submission) => appendLine(join(dir, SUBMISSIONS), s);
export const readSubmissions = (dir: string) => readLines(join(dir, SUBMISSIONS), isSubmission);
export const appendCancellation = (dir: string, c: Cancellation) => appendLine(join(dir, CANCELLATIONS), c);
export const readCancellations = (dir: string) => readLines(join(dir, CANCELLATIONS), isCancellation);

export async function writeTaskResult(dir: string, result: TaskResult): Promise<string> {
  const file = resultFile(dir, result.task);
  await fs.mkdir(resultsDir(dir), { recursive: true });
  await writeFileAtomic(file, encodeTaskResult(result));
  return file;
}

export interface ResultsRead {
  results: Map<number, TaskResult>;
  /** Files named like a result that cannot be used (cut short, checksum, another sweep's). */
  unreadable: Map<number, string>;
}

/** The tasks' result files; temp files of writers still at work (or killed) are never opened. */
export async function readTaskResults(dir: string, plan: SweepPlan): Promise<ResultsRead> {
  const out: ResultsRead = { results: new Map(), unreadable: new Map() };
  let names: string[];
  try {
    names = await fs.readdir(resultsDir(dir));
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.endsWith(TEMP_SUFFIX)) continue;
    const m = /^task-(\d+)\.json$/.exec(name);
    if (!m) continue;
    const task = Number(m[1]);
    if (task >= plan.tasks.length) continue;
    const text = await fs.readFile(join(resultsDir(dir), name), 'utf8').catch(() => '');
    const decoded = decodeTaskResult(text, { sweepId: plan.id, task });
    if (decoded.ok) out.results.set(task, decoded.result);
    else out.unreadable.set(task, decoded.reason);
  }
  return out;
}

/** The fixed job script: node, the CLI bundle and the sweep folder come in as $1 $2 $3. */
export const JOB_SCRIPT = `#!/bin/sh
# One task of an FP8 GEMM Lab sweep: Slurm sets SLURM_ARRAY_TASK_ID and SLURM_ARRAY_JOB_ID.
# $1 = node binary, $2 = the fp8lab CLI bundle, $3 = the sweep folder.
export ELECTRON_RUN_AS_NODE=1
exec "$1" "$2" sweep task "$3"
`;

export async function writeJobScript(dir: string): Promise<string> {
  const file = join(dir, 'job.sh');
  await writeFileAtomic(file, JOB_SCRIPT);
  await fs.chmod(file, 0o755);
  return file;
}
