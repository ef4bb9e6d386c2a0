// `fp8lab sweep`: shapes x one verb (tune, bench, compile) split into tasks and run on every GPU of
// this machine or as a Slurm job array; then status, cancel, retry of the failed tasks, and collect
// (merge into the run store and the tuning store). `fp8lab sweep task DIR` is what each task runs.
import { join, resolve } from 'node:path';
import type { GemmProblem } from '../../protocol/worker';
import { presetShapes, SHAPE_PRESETS } from '../core/deepseekShapes';
import { SWEEP_VERBS, parseSweepShape, taskLabel, type SweepVerb } from '../core/sweep/sweepPlan';
import { slurmOptionsProblem, type SlurmOptions } from '../core/sweep/slurm';
import { countsText, finished, statusLine, type TaskStatus } from '../core/sweep/taskStatus';
import { findExtensionRoot } from '../worker/addon';
import { probeEnvironment } from '../worker/environment';
import { localSlots, type LocalCommand, type LocalSweepRun } from '../runtime/sweep/localBackend';
import { runSweepTask } from '../worker/sweepTask';
import {
  cancelSweep,
  collectSweep,
  createSweep,
  newId,
  retryTasks,
  startLocal,
  submitSlurm,
  sweepStatus,
  taskLogPath,
  type CollectReport,
} from '../runtime/sweep/sweepService';
import { loadPlan } from '../storage/sweepFolder';
import { warningText } from '../storage/tuningStore';
import type { CliIo } from './io';
import { cliSettings, reportError, VERB_EXIT } from './verbSupport';

export const SWEEP_HELP = `Usage: fp8lab sweep tune|bench|compile [--shapes deepseek | M,N,K ...] [placement] [options]
       fp8lab sweep status|wait|cancel|retry|collect DIR [options]

Splits shapes x one verb into tasks (--per-task shapes each, default 1) and runs them
  --on local     on every GPU of this machine at once, one worker per GPU (CUDA_VISIBLE_DEVICES);
                 one GPU is the same path; compile sweeps without a GPU use --workers CPU workers
  --on slurm     as one Slurm job array (sbatch --array); each task runs \`fp8lab sweep task\` on its
                 node and writes its result atomically into the sweep folder, which must be on a
                 filesystem every node sees
Each task's result goes to DIR/results, its log to DIR/logs. When all tasks have ended the results
are merged into a saved run (DIR/runs, or --runs-dir) and, for tune, the tuning store.

Options:
  --dir DIR            the sweep folder (default ./fp8lab-sweep-<id>)
  --per-task N         shapes per task (default 1; a shape's tune candidates always stay on one GPU)
  --top N              tune: candidates timed per shape (default 12); compile: build the N best
                       candidates per shape (default 1, the heuristic's choice), to fill the JIT
                       cache for a tune sweep of the same --top
  --rounds N           tune/bench: timed rounds (default 10 / 20)
  --no-peer            bench: without cuBLASLt
  --detach             submit and return; follow with status / wait / collect
  --gpus N             local: use only the first N GPUs
  --workers N          local compile sweeps without a GPU: CPU workers (default 1)
  --partition P        slurm: partition           --account A     slurm: account
  --time T             slurm: time limit per task (minutes, HH:MM:SS, D-HH:MM, ...)
  --gpus-per-task N    slurm: --gres=gpu:N (default 1 for tune/bench, 0 for compile)
  --concurrency K      slurm: at most K tasks at once (the array's %K)
  --runs-dir D         collect: save the merged run in D (default DIR/runs)
  --db D               collect: the tuning store (default fp8lab.tuning.dbPath / FP8LAB_TUNING_DB,
                       else beside the JIT cache)
  --json               status: the task states as JSON
Every task compiles into one JIT cache (FP8LAB_JIT_CACHE_DIR when the sweep is created; put it on
the shared filesystem for a cluster): a kernel is compiled once, then a cache hit everywhere.
Exit codes: 0 every task done, 1 bad command line, 6 a task failed or was cancelled, 130 Ctrl-C.
`;

const POLL_MS = 2_000;

interface Flags {
  dir?: string;
  perTask?: number;
  top?: number;
  rounds?: number;
  peer?: boolean;
  detach: boolean;
  on: 'local' | 'slurm';
  gpus?: number;
  workers?: number;
  json: boolean;
  runsDir?: string;
  db?: string;
  partition?: string;
  account?: string;
  time?: string;
  gpusPerTask?: number;
  concurrency?: number;
  index?: number;
  attempt?: string;
  words: string[];
  problems: GemmProblem[];
}

type Parsed = { ok: true; flags: Flags } | { ok: false; message: string };

function parseFlags(args: string[]): Parsed {
  const f: Flags = { detach: false, on: 'local', json: false, words: [], problems: [] };
  const value = (i: number, flag: string): string | { error: string } => {
    const v = args[i];
    return v === undefined || v.startsWith('--') ? { error: `${flag} needs a value` } : v;
  };
  const whole = (raw: string, flag: string, min: number): number | { error: string } =>
    /^\d+$/.test(raw) && Number(raw) >= min
      ? Number(raw)
      : { error: `${flag} must be a whole number ≥ ${min}; got "${raw}"` };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const takes = [
      '--dir',
      '--per-task',
      '--top',
      '--rounds',
      '--on',
      '--gpus',
      '--workers',
      '--runs-dir',
      '--db',
      '--partition',
      '--account',
      '--time',
      '--gpus-per-task',
      '--concurrency',
      '--index',
      '--attempt',
    ];
    if (takes.includes(a)) {
      const v = value(++i, a);
      if (typeof v !== 'string') return { ok: false, message: v.error };
      const num = (min: number) => whole(v, a, min);
      let n: number | { error: string } = 0;
      switch (a) {
        case '--dir':
          f.dir = v;
          break;
        case '--runs-dir':
          f.runsDir = v;
          break;
        case '--db':
          f.db = v;
          break;
        case '--partition':
          f.partition = v;
          break;
        case '--account':
          f.account = v;
          break;
        case '--time':
          f.time = v;
          break;
        case '--attempt':
          f.attempt = v;
          break;
        case '--on':
          if (v !== 'local' && v !== 'slurm') return { ok: false, message: `--on takes local or slurm; got "${v}"` };
          f.on = v;
          break;
        default:
          n = num(a === '--gpus-per-task' || a === '--index' ? 0 : 1);
          if (typeof n !== 'number') return { ok: false, message: n.error };
          if (a === '--per-task') f.perTask = n;
          else if (a === '--top') f.top = n;
          else if (a === '--rounds') f.rounds = n;
          else if (a === '--gpus') f.gpus = n;
          else if (a === '--workers') f.workers = n;
          else if (a === '--gpus-per-task') f.gpusPerTask = n;
          else if (a === '--concurrency') f.concurrency = n;
          else f.index = n;
      }
      continue;
    }
    if (a === '--shapes') continue;
    if (a === '--no-peer') {
      f.peer = false;
      continue;
    }
    if (a === '--detach') {
      f.detach = true;
      continue;
    }
    if (a === '--json') {
      f.json = true;
      continue;
    }
    if (a.startsWith('-')) return { ok: false, message: `unknown option ${a}` };
    f.words.push(a);
  }
  return { ok: true, flags: f };
}

function parseShapes(words: string[]): { ok: true; problems: GemmProblem[] } | { ok: false; message: string } {
  const problems: GemmProblem[] = [];
  for (const w of words) {
    const preset = presetShapes(w);
    if (preset) {
      problems.push(...preset);
      continue;
    }
    if (/^[a-z-]+$/i.test(w))
      return { ok: false, message: `unknown shape preset "${w}"; use one of ${SHAPE_PRESETS.join(', ')} or M,N,K` };
    const s = parseSweepShape(w);
    if (!s.ok) return { ok: false, message: `shape "${w}": ${s.message}` };
    problems.push(s.problem);
  }
  return { ok: true, problems: problems.length ? problems : presetShapes('deepseek')! };
}

/** node + the CLI bundle that the tasks run (the same files as this process, on a shared install). */
export function cliCommand(): LocalCommand {
  return { node: process.execPath, cli: join(findExtensionRoot(), 'extension', 'dist', 'cli.js') };
}

export async function run(args: string[], io: CliIo): Promise<number> {
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args.includes('--help')) {
    io.out(SWEEP_HELP);
    return args.length === 0 ? VERB_EXIT.usage : VERB_EXIT.ok;
  }
  const [sub, ...rest] = args;
  const parsed = parseFlags(rest);
  if (!parsed.ok) {
    io.err(`fp8lab sweep: ${parsed.message}\n\n${SWEEP_HELP}`);
    return VERB_EXIT.usage;
  }
  const f = parsed.flags;
  try {
    if ((SWEEP_VERBS as readonly string[]).includes(sub)) return await start(sub as SweepVerb, f, io);
    const dirWord = f.words[0];
    if (!['status', 'wait', 'cancel', 'retry', 'collect', 'task'].includes(sub)) {
      io.err(
        `fp8lab sweep: unknown sweep command "${sub}"; use ${SWEEP_VERBS.join(', ')}, status, wait, cancel, retry or collect\n\n${SWEEP_HELP}`,
      );
      return VERB_EXIT.usage;
    }
    if (!dirWord || f.words.length > 1) {
      io.err(`fp8lab sweep ${sub}: needs the sweep folder (one DIR)\n`);
      return VERB_EXIT.usage;
    }
    const dir = resolve(dirWord);
    switch (sub) {
      case 'task':
        return await task(dir, f, io);
      case 'status': {
        const state = await sweepStatus(dir);
        if (f.json)
          io.out(
            JSON.stringify(
              { sweep: state.plan.id, verb: state.plan.verb, tasks: withLogs(dir, state.statuses) },
              null,
              1,
            ) + '\n',
          );
        else
          io.out(
            statusTable(
              dir,
              state.plan.tasks.map((t) => taskLabel(t)),
              state.statuses,
            ),
          );
        return VERB_EXIT.ok;
      }
      case 'cancel': {
        const cancelled = await cancelSweep(dir);
        io.err(
          cancelled.length
            ? `cancelled ${cancelled.join(', ')}\n`
            : 'nothing to cancel: no task is pending or running\n',
        );
        return VERB_EXIT.ok;
      }
      case 'wait':
        return await follow(dir, [], f, io);
      case 'collect':
        return exitOf(await finish(dir, f, io));
      case 'retry': {
        const state = await sweepStatus(dir);
        const again = retryTasks(state.statuses);
        if (again.length === 0) {
          io.err('nothing to retry: every task is done, pending or running\n');
          return VERB_EXIT.ok;
        }
        const last = [...state.submissions].reverse().find((s) => s.tasks.some((t) => again.includes(t)));
        const on = rest.includes('--on') ? f.on : (last?.backend ?? f.on);
        io.err(`resubmitting ${again.length} task(s): ${again.join(', ')}\n`);
        return await place(dir, state.plan.verb, again, { ...f, on }, io, last?.slurm);
      }
    }
    return VERB_EXIT.usage;
  } catch (err) {
    return reportError('sweep', err, io);
  }
}

async function start(verb: SweepVerb, f: Flags, io: CliIo): Promise<number> {
  const shapes = parseShapes(f.words);
  if (!shapes.ok) {
    io.err(`fp8lab sweep: ${shapes.message}\n`);
    return VERB_EXIT.usage;
  }
  const settings = cliSettings(io);
  if (f.on === 'local' && verb !== 'compile') {
    // Said before any folder is made: nothing to clean up after a machine that cannot run it.
    const env = await probeEnvironment(settings);
    if (!env.devices.some((d) => d.isHopper) || !env.canRunKernels) {
      io.err(
        `fp8lab sweep: a ${verb} sweep on this machine needs a Hopper GPU; here: ${env.summary}. Compile sweeps run without one; or use --on slurm.\n`,
      );
      return VERB_EXIT.failed;
    }
  }
  const id = newId();
  const dir = resolve(f.dir ?? `fp8lab-sweep-${id}`);
  const plan = await createSweep(dir, {
    id,
    verb,
    problems: shapes.problems,
    cacheDir: settings.cacheDir,
    ...(f.perTask ? { perTask: f.perTask } : {}),
    ...(f.top ? { top: f.top } : {}),
    ...(f.rounds ? { rounds: f.rounds } : {}),
    ...(f.peer === false ? { peer: false } : {}),
  });
  io.err(
    `sweep ${plan.id}: ${verb} of ${shapes.problems.length} shape(s) in ${plan.tasks.length} task(s); folder ${dir}\n`,
  );
  return place(
    dir,
    verb,
    plan.tasks.map((t) => t.index),
    f,
    io,
  );
}

async function place(
  dir: string,
  verb: SweepVerb,
  tasks: number[],
  f: Flags,
  io: CliIo,
  previous?: SlurmOptions,
): Promise<number> {
  if (f.on === 'slurm') {
    const options: SlurmOptions = {
      gpusPerTask: f.gpusPerTask ?? previous?.gpusPerTask ?? (verb === 'compile' ? 0 : 1),
      ...((f.partition ?? previous?.partition) ? { partition: f.partition ?? previous?.partition } : {}),
      ...((f.account ?? previous?.account) ? { account: f.account ?? previous?.account } : {}),
      ...((f.time ?? previous?.timeLimit) ? { timeLimit: f.time ?? previous?.timeLimit } : {}),
      ...((f.concurrency ?? previous?.concurrency) ? { concurrency: f.concurrency ?? previous?.concurrency } : {}),
    };
    const problem = slurmOptionsProblem(options);
    if (problem) {
      io.err(`fp8lab sweep: ${problem}\n`);
      return VERB_EXIT.usage;
    }
    const plan = await loadPlan(dir);
    const sub = await submitSlurm(dir, plan, tasks, options, cliCommand());
    io.err(`submitted Slurm job array ${sub.attempt} (${tasks.length} task(s))\n`);
    if (f.detach) {
      io.out(`${dir}\n`);
      return VERB_EXIT.ok;
    }
    return follow(dir, [], f, io);
  }
  const settings = cliSettings(io);
  const env = await probeEnvironment(settings);
  let ordinals = env.devices.filter((d) => d.isHopper).map((d) => d.ordinal);
  if (f.gpus !== undefined) ordinals = ordinals.slice(0, f.gpus);
  if (ordinals.length === 0 && verb !== 'compile') {
    io.err(
      `fp8lab sweep: a ${verb} sweep on this machine needs a Hopper GPU; here: ${env.summary}. Compile sweeps run without one; or use --on slurm.\n`,
    );
    return VERB_EXIT.failed;
  }
  const slots = localSlots(ordinals, process.env.CUDA_VISIBLE_DEVICES, f.workers ?? 1);
  const runHandle = await startLocal(dir, tasks, slots, cliCommand());
  io.err(`running ${tasks.length} task(s) on ${slots.map((s) => s.label).join(', ')}\n`);
  return follow(dir, [runHandle], f, io);
}

/** Prints each task's changes until every task has ended (Ctrl-C or SIGTERM cancels), then collects. */
async function follow(dir: string, local: LocalSweepRun[], f: Flags, io: CliIo): Promise<number> {
  let stop = false;
  const onSignal = () => {
    if (stop) process.exit(VERB_EXIT.cancelled);
    stop = true;
    io.err('\ncancelling the sweep (again to quit now)...\n');
    void cancelSweep(dir, { local }).catch((err) => io.err(`fp8lab sweep: cancel failed: ${(err as Error).message}\n`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const seen = new Map<number, string>();
    for (;;) {
      const state = await sweepStatus(dir, { local });
      for (const s of state.statuses) {
        const line = statusLine(s);
        if (seen.get(s.index) !== line && s.phase !== 'unsubmitted') {
          io.err(`${line}\n`);
          seen.set(s.index, line);
        }
      }
      if (finished(state.statuses) && local.every((r) => r.live().size === 0)) break;
      await Promise.race([new Promise((r) => setTimeout(r, POLL_MS)), ...local.map((r) => r.done)]);
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(local.map((r) => r.done));
    return exitOf(await finish(dir, f, io), stop);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

interface Finished {
  statuses: TaskStatus[];
  collected: CollectReport;
}

async function finish(dir: string, f: Flags, io: CliIo): Promise<Finished> {
  const state = await sweepStatus(dir);
  const settings = cliSettings(io);
  const collected = await collectSweep(dir, {
    ...(f.runsDir ? { runsDir: resolve(f.runsDir) } : {}),
    ...(state.plan.verb === 'tune' ? { tuningDir: f.db ? resolve(f.db) : settings.tuningDbPath! } : {}),
  });
  io.out(
    statusTable(
      dir,
      state.plan.tasks.map((t) => taskLabel(t)),
      state.statuses,
    ),
  );
  for (const w of collected.warnings) io.err(`warning: ${warningText(w)}\n`);
  if (collected.runFile)
    io.out(`merged ${collected.shapes} shape(s) from ${collected.tasks} task(s) into ${collected.runFile}\n`);
  if (collected.tuningDir)
    io.out(
      `tuning store ${collected.tuningDir}: ${collected.recordsAdded} record(s) added, ${collected.recordsAlready} already there\n`,
    );
  return { statuses: state.statuses, collected };
}

function exitOf(done: Finished, interrupted = false): number {
  if (interrupted) return VERB_EXIT.cancelled;
  return done.statuses.every((s) => s.phase === 'done') ? VERB_EXIT.ok : VERB_EXIT.failed;
}

function withLogs(dir: string, statuses: readonly TaskStatus[]) {
  return statuses.map((s) => {
    const log = taskLogPath(dir, s);
    return { ...s, ...(log ? { log } : {}) };
  });
}

function statusTable(dir: string, labels: string[], statuses: readonly TaskStatus[]): string {
  const lines = statuses.map((s) => {
    const log = s.phase === 'failed' ? taskLogPath(dir, s) : undefined;
    return `${statusLine(s)}  [${labels[s.index]}]${log ? `\n    log: ${log}` : ''}`;
  });
  return `${countsText(statuses)}\n${lines.join('\n')}\n`;
}

async function task(dir: string, f: Flags, io: CliIo): Promise<number> {
  const index =
    f.index ?? (process.env.SLURM_ARRAY_TASK_ID !== undefined ? Number(process.env.SLURM_ARRAY_TASK_ID) : undefined);
  const attempt = f.attempt ?? process.env.SLURM_ARRAY_JOB_ID;
  if (
    index === undefined ||
    !Number.isInteger(index) ||
    attempt === undefined ||
    !/^[A-Za-z0-9._-]{1,80}$/.test(attempt)
  ) {
    io.err(
      'fp8lab sweep task: needs --index N and --attempt ID (Slurm sets SLURM_ARRAY_TASK_ID and SLURM_ARRAY_JOB_ID)\n',
    );
    return VERB_EXIT.usage;
  }
  const plan = await loadPlan(dir);
  const t = plan.tasks[index];
  if (!t) {
    io.err(`fp8lab sweep task: the sweep has tasks 0-${plan.tasks.length - 1}, not ${index}\n`);
    return VERB_EXIT.usage;
  }
  const result = await runSweepTask(dir, plan, t, attempt, cliSettings(io), { log: (text) => io.out(`${text}\n`) });
  return result.ok ? VERB_EXIT.ok : VERB_EXIT.failed;
}
