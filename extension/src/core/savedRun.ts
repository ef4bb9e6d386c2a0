// What a saved run file is, without touching a disk: its file name from the run's id, the check
// that parsed JSON is a run, the reading of a file's text (grouped runs and runs saved before
// per-peer results are read in today's form), and the line a listing shows. The files themselves
// are read and written by storage/runArchive.ts.
import type { BenchRun } from '../../protocol/worker';
import { groupedToBenchRun, isGroupedBenchRun } from './grouped/benchRun';
import { upgradeRun } from './peers/runPeers';

export interface RunSummary {
  id: string;
  file: string;
  startedAt: string;
  mode: BenchRun['mode'];
  /** Distinct problems (a grouped run's cases). */
  shapes: number;
  /** Rows, when more than one per problem (a tune file: one per timed candidate). */
  rows?: number;
  device?: string;
  interrupted: boolean;
  recorded?: string;
  /** True for a grouped GEMM run (its rows are cases of the grouped kinds). */
  grouped?: boolean;
}

export const RUN_FILE_PREFIX = 'run-';
export const RUN_FILE_SUFFIX = '.json';

/** A file-name-safe form of a run id (ids come from the runtime; never trust them as paths). */
export function runFileName(id: string): string {
  const safe = id
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 120);
  if (!safe) throw new Error('run id is empty: a run needs an id to be saved');
  return `${RUN_FILE_PREFIX}${safe}${RUN_FILE_SUFFIX}`;
}

/** Checks the shape of a parsed file before it is shown (files can be edited or truncated). */
export function isBenchRun(v: unknown): v is BenchRun {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.startedAt === 'string' &&
    (r.mode === 'gpu' || r.mode === 'study') &&
    Array.isArray(r.results) &&
    r.results.every(
      (x) => typeof x === 'object' && x !== null && typeof (x as { problem?: unknown }).problem === 'object',
    )
  );
}

/** The run a file's text holds; throws (naming `file`) when it is not JSON or not a run. */
export function parseSavedRun(text: string, file: string): BenchRun {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); it is not a saved run`);
  }
  // A grouped run as the runtime or `fp8lab bench --kernel <grouped> --json` writes it is read as
  // the BenchRun it converts to (core/grouped/benchRun.ts), so such a file can be dropped in and opened.
  if (isGroupedBenchRun(parsed)) return upgradeRun(groupedToBenchRun(parsed));
  if (!isBenchRun(parsed))
    throw new Error(`${file} is not a saved FP8 GEMM Lab run (needs id, startedAt, mode and results)`);
  // Runs saved before per-peer results carry one cuBLASLt column: read as `peers` from here on.
  return upgradeRun(parsed);
}

/** A run's line in a listing. */
export function runSummary(run: BenchRun, file: string): RunSummary {
  // A grouped run's cases may share a problem and still be distinct draws: each counts.
  const shapes =
    run.source === 'grouped' ? run.results.length : new Set(run.results.map((r) => JSON.stringify(r.problem))).size;
  return {
    id: run.id,
    file,
    startedAt: run.startedAt,
    mode: run.mode,
    shapes,
    ...(run.results.length > shapes ? { rows: run.results.length } : {}),
    device: run.device?.name,
    interrupted: run.interrupted !== undefined,
    recorded: run.recorded,
    ...(run.source === 'grouped' ? { grouped: true } : {}),
  };
}
