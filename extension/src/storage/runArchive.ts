// Saved benchmark runs: one JSON file per run in a folder, written atomically (a temp file in the
// same folder, flushed, then renamed over the old one), so a crash mid-write never leaves a torn
// file and a reader sees either the previous or the new version. A run is saved again after every
// measured shape, so a run interrupted by a worker crash keeps what it measured.
// What a run file is (its name, its check, its reading) is core/savedRun.ts; this file does the I/O.
// Uses node:fs only (no vscode): the extension, the CLI and the tests share it.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { BenchRun } from '../../protocol/worker';
import {
  parseSavedRun,
  RUN_FILE_PREFIX,
  RUN_FILE_SUFFIX,
  runFileName,
  runSummary,
  type RunSummary,
} from '../core/savedRun';

/** Our temp files: `run-<id>.json.<pid>.<n>.tmp` (nothing else in the folder is ever deleted). */
const TEMP_NAME = /^run-[A-Za-z0-9._-]+\.json\.(\d+)\.\d+\.tmp$/;
/** A temp file this old is garbage even if its writer's pid is in use again. */
const STALE_TEMP_MS = 3600_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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
      try {
        names = await fs.readdir(this.dir);
      } catch {
        return;
      }
      await Promise.all(
        names.map(async (name) => {
          const m = TEMP_NAME.exec(name);
          if (!m) return;
          const pid = Number(m[1]);
          const file = join(this.dir, name);
          try {
            const age = Date.now() - (await fs.lstat(file)).mtimeMs;
            if (pid === process.pid ? age < STALE_TEMP_MS : processAlive(pid) && age < STALE_TEMP_MS) return;
            await fs.rm(file, { force: true });
          } catch {
            /* gone already, or not ours to remove */
          }
        }),
      );
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
    return parseSavedRun(await fs.readFile(file, 'utf8'), file);
  }

  /** Saved runs, newest first. Temp files and unreadable files are skipped. */
  async list(): Promise<RunSummary[]> {
    await this.sweepStaleTemps();
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const out: RunSummary[] = [];
    for (const name of names) {
      if (!name.startsWith(RUN_FILE_PREFIX) || !name.endsWith(RUN_FILE_SUFFIX)) continue;
      const file = join(this.dir, name);
      try {
        out.push(runSummary(await this.loadFile(file), file));
      } catch {
        /* a foreign or broken file: not listed */
      }
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
