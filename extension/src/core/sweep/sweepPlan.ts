// A sweep: one description of the work (shapes x one verb: tune, bench or compile) cut into tasks
// that run anywhere the headless CLI runs: one per local GPU at a time, or as the elements of a
// Slurm job array. A task is a few whole shapes: a shape's tune candidates must stay together on
// one GPU, timed interleaved under one clock, or their ranking would measure the GPUs, not them.
// Pure: the plan is data; storage/sweepFolder.ts writes it, runtime/sweep/ places the tasks.
import type { GemmProblem } from '../../../protocol/worker';
import { parseShape, shapeLabel } from '../shapes';

export const SWEEP_VERBS = ['tune', 'bench', 'compile'] as const;
export type SweepVerb = (typeof SWEEP_VERBS)[number];

export interface SweepTask {
  /** Position in the plan; the Slurm array index. */
  index: number;
  problems: GemmProblem[];
}

export interface SweepPlan {
  kind: 'fp8lab.sweep';
  version: 1;
  id: string;
  createdAt: string;
  verb: SweepVerb;
  /**
   * top: tune times, and compile builds, each shape's `top` best candidates by the cost model (a
   * compile sweep with tune's `top` fills the shared JIT cache for it); rounds: tune/bench timing
   * rounds; peer: whether bench runs cuBLASLt too.
   */
  options: { top: number; rounds: number; peer: boolean };
  /** The JIT cache every task compiles into (a shared folder on a cluster: one compile per kernel). */
  cacheDir: string;
  tasks: SweepTask[];
}

export const DEFAULT_TOP = 12;
export const DEFAULT_TUNE_ROUNDS = 10;
export const DEFAULT_BENCH_ROUNDS = 20;

export interface PlanInput {
  id: string;
  createdAt: string;
  verb: SweepVerb;
  problems: GemmProblem[];
  /** Shapes per task (default 1). */
  perTask?: number;
  top?: number;
  rounds?: number;
  peer?: boolean;
  cacheDir: string;
}

export function planSweep(input: PlanInput): SweepPlan {
  const perTask = input.perTask ?? 1;
  if (!Number.isInteger(perTask) || perTask < 1)
    throw new RangeError(`shapes per task must be a whole number ≥ 1; got ${perTask}`);
  if (input.problems.length === 0) throw new RangeError('a sweep needs at least one shape');
  const tasks: SweepTask[] = [];
  for (let i = 0; i < input.problems.length; i += perTask) {
    tasks.push({
      index: tasks.length,
      problems: input.problems.slice(i, i + perTask).map(({ config: _c, ...p }) => p),
    });
  }
  return {
    kind: 'fp8lab.sweep',
    version: 1,
    id: input.id,
    createdAt: input.createdAt,
    verb: input.verb,
    options: {
      top: input.top ?? (input.verb === 'compile' ? 1 : DEFAULT_TOP),
      rounds: input.rounds ?? (input.verb === 'bench' ? DEFAULT_BENCH_ROUNDS : DEFAULT_TUNE_ROUNDS),
      peer: input.peer ?? input.verb === 'bench',
    },
    cacheDir: input.cacheDir,
    tasks,
  };
}

/** A sweep id: sortable by time, unique across submitters ("20261206-021500-3f9a1c"). */
export function newSweepId(now: Date, random: string): string {
  return `${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${random}`;
}

/** Why a parsed plan.json is not a plan this build can run; undefined when it is one. */
export function planProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return 'not a JSON object';
  const p = v as Partial<SweepPlan>;
  if (p.kind !== 'fp8lab.sweep') return 'not a sweep plan (kind is not fp8lab.sweep)';
  if (p.version !== 1) return `sweep plan version ${JSON.stringify(p.version)}; this build reads version 1`;
  if (typeof p.id !== 'string' || !/^[A-Za-z0-9._-]{1,80}$/.test(p.id)) return 'sweep plan without a valid id';
  if (!SWEEP_VERBS.includes(p.verb as SweepVerb)) return `unknown sweep verb ${JSON.stringify(p.verb)}`;
  if (typeof p.cacheDir !== 'string' || !p.cacheDir.startsWith('/'))
    return 'sweep plan without an absolute JIT cache folder';
  if (!p.options || typeof p.options.top !== 'number' || typeof p.options.rounds !== 'number')
    return 'sweep plan without its options';
  if (!Array.isArray(p.tasks) || p.tasks.length === 0) return 'sweep plan without tasks';
  for (const [i, t] of p.tasks.entries()) {
    if (t?.index !== i || !Array.isArray(t.problems) || t.problems.length === 0)
      return `task ${i} of the sweep plan is malformed`;
  }
  return undefined;
}

/**
 * Shapes for a sweep, from the same words bench takes ("4096,7168,2048", "64x2112x7168"). Only the
 * rules that hold on every GPU are checked here (K in whole scaling blocks, N aligned): whether a
 * shape fits in memory is the task's node's question, answered with its own GPU.
 */
export function parseSweepShape(text: string): { ok: true; problem: GemmProblem } | { ok: false; message: string } {
  const parsed = parseShape(text, { memoryBytes: Number.MAX_SAFE_INTEGER });
  return parsed.ok ? { ok: true, problem: parsed.problem } : { ok: false, message: parsed.message };
}

/** "3 shapes: 64x2112x7168, 64x24576x1536, …" for a task's line in a view. */
export function taskLabel(task: SweepTask): string {
  const shown = task.problems.slice(0, 3).map(shapeLabel).join(', ');
  return task.problems.length > 3 ? `${shown}, … (${task.problems.length} shapes)` : shown;
}

/** "64,2112,7168; 128x7168x2048" -> shapes (separated by ; as the benchmark's input box takes them). */
export function parseSweepShapes(text: string): { ok: true; problems: GemmProblem[] } | { ok: false; message: string } {
  const parts = text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) return { ok: false, message: 'give at least one shape: M,N,K (several: separate with ;)' };
  const problems: GemmProblem[] = [];
  for (const part of parts) {
    const r = parseSweepShape(part);
    if (!r.ok) return { ok: false, message: parts.length > 1 ? `"${part}": ${r.message}` : r.message };
    problems.push(r.problem);
  }
  return { ok: true, problems };
}
