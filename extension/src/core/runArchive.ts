// Saved benchmark runs: one JSON file per run in a folder, written atomically (a temp file in the
// same folder, flushed, then renamed over the old one), so a crash mid-write never leaves a torn
// file and a reader sees either the previous or the new version. A run is saved again after every
// measured shape, so a run interrupted by a worker crash keeps what it measured.
// Uses node:fs only (no vscode): the extension and the tests share it.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { BenchRun } from '../../protocol/worker';
import { groupedToBenchRun, isGroupedBenchRun } from './grouped/benchRun';
import { upgradeRun } from './peers/runPeers';

export interface RunSummary {
  id: string;
  file: string;
  startedAt: string;
  mode: BenchRun['mode'];
  shapes: number;
  device?: string;
  interrupted: boolean;
  recorded?: string;
  /** True for a grouped GEMM run (its rows are cases of the grouped kinds). */
  grouped?: boolean;
}

const PREFIX = 'run-';
const SUFFIX = '.json';

/** A file-name-safe form of a run id (ids come from the runtime; never trust them as paths). */
export function runFileName(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  if (!safe) throw new Error('run id is empty: a run needs an id to be saved');
  return `${PREFIX}${safe}${SUFFIX}`;
}

/** Checks the shape of a parsed file before it is shown (files can be edited or truncated). */
export function isBenchRun(v: unknown): v is BenchRun {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.startedAt === 'string'
    && (r.mode === 'gpu' || r.mode === 'study') && Array.isArray(r.results)
    && r.results.every((x) => typeof x === 'object' && x !== null && typeof (x as { problem?: unknown }).problem === 'object');
}

/** Our temp files: `run-<id>.json.<pid>.<n>.tmp` (nothing else in the folder is ever deleted). */
const TEMP_NAME = /^run-[A-Za-z0-9._-]+\.json\.(\d+)\.\d+\.tmp$/;
/** A temp file this old is garbage even if its writer's pid is in use again. */
const STALE_TEMP_MS = 3600_000;

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export class RunArchive {
  private counter = 0;
  private swept: Promise<void> | undefined;
  constructor(readonly dir: string) {}

  /**
   * Deletes temp files left by a writer that was killed mid-save (SIGKILL, a crash, a full disk):
   * once per archive, before its first save or listing. A temp file is ours by its name; it is
   * stale when its writer's process is gone, or when it is an hour old.
   */
  sweepStaleTemps(): Promise<void> {
    this.swept ??= (async () => {
      let names: string[];
      try { names = await fs.readdir(this.dir); } catch { return; }
      await Promise.all(names.map(async (name) => {
        const m = TEMP_NAME.exec(name);
        if (!m) return;
        const pid = Number(m[1]);
        const file = join(this.dir, name);
        try {
          const age = Date.now() - (await fs.lstat(file)).mtimeMs;
          if (pid === process.pid ? age < STALE_TEMP_MS : processAlive(pid) && age < STALE_TEMP_MS) return;
          await fs.rm(file, { force: true });
        } catch { /* gone already, or not ours to remove */ }
      }));
    })();
    return this.swept;
  }

  /** Writes the run atomically; returns the file path. */
  async save(run: BenchRun): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true });
    await this.sweepStaleTemps();
    const file = join(this.dir, runFileName(run.id));
    const temp = `${file}.${process.pid}.${++this.counter}.tmp`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(run, null, 1) + '\n', 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temp, file);
    } catch (e) {
      await fs.rm(temp, { force: true });
      throw e;
    }
    return file;
  }

  async load(id: string): Promise<BenchRun> {
    return this.loadFile(join(this.dir, runFileName(id)));
  }

  async loadFile(file: string): Promise<BenchRun> {
    const text = await fs.readFile(file, 'utf8');
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch (e) {
      throw new Error(`${file} is not valid JSON (${(e as Error).message}); it is not a saved run`);
    }
    // A grouped run as the runtime or `fp8lab bench --kernel <grouped> --json` writes it is read as
    // the BenchRun it converts to (core/grouped/benchRun.ts), so such a file can be dropped in and opened.
    if (isGroupedBenchRun(parsed)) return upgradeRun(groupedToBenchRun(parsed));
    if (!isBenchRun(parsed)) throw new Error(`${file} is not a saved FP8 GEMM Lab run (needs id, startedAt, mode and results)`);
    // Runs saved before per-peer results carry one cuBLASLt column: read as `peers` from here on.
    return upgradeRun(parsed);
  }

  /** Saved runs, newest first. Temp files and unreadable files are skipped. */
  async list(): Promise<RunSummary[]> {
    await this.sweepStaleTemps();
    let names: string[];
    try { names = await fs.readdir(this.dir); } catch { return []; }
    const out: RunSummary[] = [];
    for (const name of names) {
      if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) continue;
      const file = join(this.dir, name);
      try {
        const run = await this.loadFile(file);
        out.push({
          id: run.id, file, startedAt: run.startedAt, mode: run.mode, shapes: run.results.length,
          device: run.device?.name, interrupted: run.interrupted !== undefined, recorded: run.recorded,
          ...(run.source === 'grouped' ? { grouped: true } : {}),
        });
      } catch { /* a foreign or broken file: not listed */ }
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /**
   * The newest normal-GEMM run. Grouped runs are skipped: "the last run" feeds gemm/bench, the
   * explorer and the studies, which take normal GEMM shapes, not grouped cases.
   */
  async latest(): Promise<BenchRun | undefined> {
    const first = (await this.list()).find((r) => !r.grouped);
    return first ? this.loadFile(first.file) : undefined;
  }
}
