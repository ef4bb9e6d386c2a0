// The tuning store on disk: a folder of append-only JSONL files, one per writing process (host, pid
// and a random tag in its name), each line a checksummed record (core/tuning/tuningRecord.ts).
// Many processes on many nodes may write at once over a shared filesystem: no two ever append to
// the same file, so no lock is needed and no write can interleave with another (NFS gives no atomic
// O_APPEND across clients, which a shared file would need). Readers merge every file; a line that is
// cut short or fails its checksum is skipped with a warning, never fatal.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeRecordLine, encodeRecordLine, uniqueById, type TuningRecord } from '../core/tuning/tuningRecord';

/** Environment variable that overrides the store's folder (the setting fp8lab.tuning.dbPath wins over it). */
export const TUNING_DB_ENV = 'FP8LAB_TUNING_DB';

/** Beside the JIT cache: `<cacheDir>/../tuning` (~/.cache/fp8lab/tuning by default). */
export function defaultTuningDir(jitCacheDir: string): string {
  return join(dirname(jitCacheDir), 'tuning');
}

export interface StoreWarning {
  file: string;
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface StoreContents {
  /** Every well-formed record, each id once. */
  records: TuningRecord[];
  /** Lines that were skipped, and why. */
  warnings: StoreWarning[];
}

const SUFFIX = '.jsonl';

/** A file-name-safe writer tag: host, pid and 6 random bytes, so two writers never share a file. */
export function writerFileName(host = hostname(), pid = process.pid): string {
  const safeHost = host.replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 60) || 'host';
  return `${safeHost}-${pid}-${randomBytes(6).toString('hex')}${SUFFIX}`;
}

export class TuningStore {
  private writerFile: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  /** Appends the records (one write, then fsync) to this process's own file; returns its path. */
  append(records: readonly TuningRecord[]): Promise<string> {
    const next = this.queue.then(() => this.appendNow(records));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async appendNow(records: readonly TuningRecord[]): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true });
    this.writerFile ??= join(this.dir, writerFileName());
    const file = this.writerFile;
    if (records.length === 0) return file;
    const handle = await fs.open(file, 'a', 0o644);
    try {
      await handle.write(records.map(encodeRecordLine).join(''));
      await handle.sync();
    } catch (err) {
      // A failed write may have left part of a line: never append after it (the next line would
      // be glued to the torn one); the next append opens a fresh file.
      this.writerFile = undefined;
      throw err;
    } finally {
      await handle.close();
    }
    return file;
  }

  /** Every record of every writer's file; bad lines become warnings. A missing folder is an empty store. */
  async read(): Promise<StoreContents> {
    let names: string[];
    try {
      names = (await fs.readdir(this.dir)).filter((n) => n.endsWith(SUFFIX)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], warnings: [] };
      throw err;
    }
    const records: TuningRecord[] = [];
    const warnings: StoreWarning[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        warnings.push({ file, line: 0, reason: `cannot read: ${(err as Error).message}` });
        continue;
      }
      const lines = text.split('\n');
      const tail = lines.pop(); // '' when the file ends with a newline
      lines.forEach((line, i) => {
        if (line === '') return;
        const decoded = decodeRecordLine(line);
        if (decoded.ok) records.push(decoded.record);
        else warnings.push({ file, line: i + 1, reason: decoded.reason });
      });
      if (tail)
        warnings.push({
          file,
          line: lines.length + 1,
          reason: 'incomplete last line (its writer is still writing or died mid-write)',
        });
    }
    return { records: uniqueById(records), warnings };
  }
}

/** "tuning store: skipped line 3 of host-12-ab.jsonl: checksum mismatch (...)". */
export function warningText(w: StoreWarning): string {
  return `tuning store: skipped ${w.line ? `line ${w.line} of ` : ''}${w.file}: ${w.reason}`;
}
