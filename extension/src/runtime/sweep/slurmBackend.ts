// Slurm through its own tools, each run by argv (never a shell) with a time limit, so a missing tool,
// a refused job or an unreachable controller becomes a coded message instead of a hang: sbatch
// submits the array, squeue says what is pending or running, sacct (where accounting runs) or else
// scontrol says how finished elements ended, scancel cancels. We schedule nothing ourselves.
import { execFile } from 'node:child_process';
import {
  parseSacct,
  parseSbatchJobId,
  parseScontrolJobs,
  parseSqueue,
  SACCT_FORMAT,
  sbatchArgv,
  slurmErrorText,
  slurmOptionsProblem,
  SQUEUE_FORMAT,
  type ArraySubmission,
  type SchedulerTask,
  type SlurmOptions,
} from '../../core/sweep/slurm';
import { coded } from '../../worker/bench/errors';

/** Seconds a Slurm command may take before it counts as hung (a controller that does not answer). */
export const SLURM_COMMAND_TIMEOUT_MS = 60_000;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one Slurm command; ENOENT becomes E_SLURM with what to do, a timeout becomes E_SLURM too. */
export function slurmCommand(
  tool: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      { timeout: SLURM_COMMAND_TIMEOUT_MS, encoding: 'utf8', env, maxBuffer: 64 * 2 ** 20 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
        if (e?.code === 'ENOENT') {
          reject(
            coded(
              'E_SLURM',
              `${tool} was not found on PATH: Slurm's commands are needed to run a sweep on the cluster. Run this on a login node where \`${tool}\` works, or sweep on this machine's GPUs instead (--on local).`,
            ),
          );
          return;
        }
        if (e?.killed) {
          reject(
            coded(
              'E_SLURM',
              `${tool} did not answer within ${SLURM_COMMAND_TIMEOUT_MS / 1000} s (is slurmctld reachable?)`,
            ),
          );
          return;
        }
        if (e && typeof e.code !== 'number') {
          reject(coded('E_SLURM', `${tool} could not run: ${e.message}`));
          return;
        }
        resolve({ code: typeof e?.code === 'number' ? e.code : 0, stdout: stdout ?? '', stderr: stderr ?? '' });
      },
    );
  });
}

/** Submits the array; resolves with the array job id. A refusal quotes Slurm's reason. */
export async function submitArray(
  options: SlurmOptions,
  submission: ArraySubmission,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const problem = slurmOptionsProblem(options);
  if (problem) throw coded('E_BAD_ARGUMENT', `Slurm options: ${problem}.`);
  const r = await slurmCommand('sbatch', sbatchArgv(options, submission), env);
  const jobId = r.code === 0 ? parseSbatchJobId(r.stdout) : undefined;
  if (!jobId) {
    const why = slurmErrorText(r.stderr) || r.stdout.trim() || `exit code ${r.code}`;
    throw coded('E_SLURM', `Slurm refused the sweep's job array: ${why}`, {
      log: `sbatch ${sbatchArgv(options, submission).join(' ')}\n${r.stderr}`,
    });
  }
  return jobId;
}

/**
 * What the scheduler knows of these array jobs' elements: squeue for the live ones, then sacct or
 * (without accounting storage) scontrol for the ones squeue no longer lists.
 */
export async function queryArrays(jobIds: readonly string[], env?: NodeJS.ProcessEnv): Promise<SchedulerTask[]> {
  if (jobIds.length === 0) return [];
  const tasks: SchedulerTask[] = [];
  const sq = await slurmCommand(
    'squeue',
    ['--noheader', '--array', `--jobs=${jobIds.join(',')}`, `--format=${SQUEUE_FORMAT}`],
    env,
  );
  // squeue exits 1 with "Invalid job id specified" once every listed job has left the queue.
  if (sq.code === 0) tasks.push(...parseSqueue(sq.stdout));
  const finishedKnown = await finishedStates(jobIds, env);
  const live = new Set(tasks.map((t) => `${t.jobId}_${t.index}`));
  for (const t of finishedKnown) if (!live.has(`${t.jobId}_${t.index}`)) tasks.push(t);
  return tasks;
}

async function finishedStates(jobIds: readonly string[], env?: NodeJS.ProcessEnv): Promise<SchedulerTask[]> {
  const acct = await slurmCommand(
    'sacct',
    ['--noheader', '--parsable2', `--jobs=${jobIds.join(',')}`, `--format=${SACCT_FORMAT}`],
    env,
  ).catch(() => undefined);
  if (acct && acct.code === 0) return parseSacct(acct.stdout);
  // "Slurm accounting storage is disabled": scontrol still knows jobs for MinJobAge after they end.
  const out: SchedulerTask[] = [];
  for (const id of jobIds) {
    const sc = await slurmCommand('scontrol', ['show', 'job', id, '--oneliner'], env);
    if (sc.code === 0) out.push(...parseScontrolJobs(sc.stdout));
  }
  return out;
}

/** scancel of whole array jobs (their pending and running elements). */
export async function cancelArrays(jobIds: readonly string[], env?: NodeJS.ProcessEnv): Promise<void> {
  if (jobIds.length === 0) return;
  const r = await slurmCommand('scancel', [...jobIds], env);
  if (r.code !== 0 && !/already completing|Invalid job id|Job\/step already/i.test(r.stderr)) {
    throw coded('E_SLURM', `scancel ${jobIds.join(' ')} failed: ${slurmErrorText(r.stderr) || `exit code ${r.code}`}`);
  }
}
