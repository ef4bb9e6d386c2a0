// Moving tuning records between stores as one JSON file (`fp8lab tuning export|import`), so a team
// tunes its GPUs of one kind once. Each record keeps its device identity and kernel-source hash:
// after an import, records of another device or kernel source are listed as such and never used
// (viewFor). Pure: the CLI reads and writes the files.
import { profileProblem, type DeviceProfile } from './calibration';
import { deviceKey, recordProblem, uniqueById, type DeviceIdentity, type TuningRecord } from './tuningRecord';

export const EXPORT_KIND = 'fp8lab.tuningExport';
export const EXPORT_VERSION = 1;

export interface TuningExport {
  kind: typeof EXPORT_KIND;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  /** What was selected, in words ("NVIDIA H20|sms 78/78|...", "every device"). */
  selection: string;
  records: TuningRecord[];
  /** The device profiles of the exported devices (`fp8lab calibrate`), so the model comes along. */
  profiles: DeviceProfile[];
}

/** Records (and profiles) of the devices `keep` accepts, each record once. */
export function exportBundle(
  records: readonly TuningRecord[],
  profiles: readonly DeviceProfile[],
  keep: (d: DeviceIdentity) => boolean,
  selection: string,
  exportedAt: string,
): TuningExport {
  return {
    kind: EXPORT_KIND,
    version: EXPORT_VERSION,
    exportedAt,
    selection,
    records: uniqueById(records.filter((r) => keep(r.device))),
    profiles: profiles.filter((p) => keep(p.device)),
  };
}

/** A selector for `--device TEXT`: device identities whose key contains the text (case-insensitive). */
export function deviceMatcher(text: string): (d: DeviceIdentity) => boolean {
  const needle = text.toLowerCase();
  return (d) => deviceKey(d).toLowerCase().includes(needle);
}

export interface ParsedExport {
  records: TuningRecord[];
  profiles: DeviceProfile[];
  /** Entries that were left out, and why ("record 3: record without a ranking"). */
  rejected: string[];
}

export type ParseExportResult = { ok: true; value: ParsedExport } | { ok: false; message: string };

/** Checks an export file's text; bad entries are rejected one by one, a bad file as a whole. */
export function parseExport(text: string): ParseExportResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `not JSON: ${(err as Error).message}` };
  }
  const o = v as Partial<TuningExport> | null;
  if (!o || typeof o !== 'object' || o.kind !== EXPORT_KIND)
    return { ok: false, message: `not a tuning export (kind "${EXPORT_KIND}" expected)` };
  if (o.version !== EXPORT_VERSION)
    return {
      ok: false,
      message: `tuning export version ${JSON.stringify(o.version)}; this build reads version ${EXPORT_VERSION}`,
    };
  if (!Array.isArray(o.records)) return { ok: false, message: 'tuning export without a records list' };
  const rejected: string[] = [];
  const records: TuningRecord[] = [];
  o.records.forEach((r, i) => {
    const problem = recordProblem(r);
    if (problem) rejected.push(`record ${i + 1}: ${problem}`);
    else records.push(r);
  });
  const profiles: DeviceProfile[] = [];
  (Array.isArray(o.profiles) ? o.profiles : []).forEach((p, i) => {
    const problem = profileProblem(p);
    if (problem) rejected.push(`profile ${i + 1}: ${problem}`);
    else profiles.push(p);
  });
  return { ok: true, value: { records: uniqueById(records), profiles, rejected } };
}

/** The incoming records the store does not hold yet (by id), and how many it already had. */
export function newRecords(
  existing: readonly TuningRecord[],
  incoming: readonly TuningRecord[],
): { fresh: TuningRecord[]; duplicates: number } {
  const ids = new Set(existing.map((r) => r.id));
  const fresh = incoming.filter((r) => !ids.has(r.id));
  return { fresh, duplicates: incoming.length - fresh.length };
}
