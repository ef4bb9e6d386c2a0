// What one sweep task leaves in the shared results folder: its shapes' outcomes, where and when it
// ran, and (for tune) the device identity and kernel hash its rankings were measured with. The file
// is one line `<crc32> <json>`: written to a temp name and renamed, so a reader sees all of it or
// nothing, and the checksum still catches a file a filesystem or a person cut short.
// Pure: storage/sweepFolder.ts reads and writes it.
import type { CodedErrorData, DeviceReport, GemmProblem, ShapeResult } from '../../../protocol/worker';
import { crc32Hex } from '../checksum';
import type { DeviceIdentity } from '../tuning/tuningRecord';
import type { ShapeTuning } from '../tuneRanking';
import type { SweepVerb } from './sweepPlan';
import { shapeLabel } from '../shapes';

export interface ShapeOutcome {
  problem: GemmProblem;
  /** Set when this shape failed (bad shape for this node, compile error, wrong result, no GPU). */
  error?: CodedErrorData;
  /** compile and bench: the shape's row as a run shows it. */
  result?: ShapeResult;
  /** tune: the measured ranking. */
  tuning?: ShapeTuning & { method: string };
}

export interface TaskResult {
  kind: 'fp8lab.sweep-result';
  version: 1;
  sweepId: string;
  task: number;
  /** The submission this came from (Slurm's array job id, or the local run's id). */
  attempt: string;
  verb: SweepVerb;
  node: string;
  startedAt: string;
  finishedAt: string;
  /** True when every shape succeeded. */
  ok: boolean;
  device?: DeviceReport;
  driverVersion?: number;
  toolkitVersion?: string;
  /** tune: what the rankings are keyed by in the tuning store. */
  identity?: DeviceIdentity;
  kernelHash: string;
  shapes: ShapeOutcome[];
}

export function encodeTaskResult(r: TaskResult): string {
  const json = JSON.stringify(r);
  return `${crc32Hex(json)} ${json}\n`;
}

export type DecodedResult = { ok: true; result: TaskResult } | { ok: false; reason: string };

export function decodeTaskResult(text: string, expect: { sweepId: string; task: number }): DecodedResult {
  const m = /^([0-9a-f]{8}) (.*)\n$/s.exec(text);
  if (!m)
    return { ok: false, reason: text.endsWith('\n') ? 'not a sweep result file' : 'cut short (no final newline)' };
  if (crc32Hex(m[2]) !== m[1]) return { ok: false, reason: 'checksum mismatch (a torn or edited result)' };
  let v: Partial<TaskResult>;
  try {
    v = JSON.parse(m[2]) as Partial<TaskResult>;
  } catch {
    return { ok: false, reason: 'checksum matches but the JSON does not parse' };
  }
  if (v.kind !== 'fp8lab.sweep-result' || v.version !== 1) return { ok: false, reason: 'not a version-1 sweep result' };
  if (v.sweepId !== expect.sweepId)
    return { ok: false, reason: `belongs to sweep ${JSON.stringify(v.sweepId)}, not ${expect.sweepId}` };
  if (v.task !== expect.task) return { ok: false, reason: `holds task ${v.task}, not ${expect.task}` };
  if (
    typeof v.attempt !== 'string' ||
    typeof v.node !== 'string' ||
    typeof v.ok !== 'boolean' ||
    !Array.isArray(v.shapes)
  ) {
    return { ok: false, reason: 'a sweep result without attempt, node, ok or shapes' };
  }
  return { ok: true, result: v as TaskResult };
}

/** One line on why a task failed: its failed shapes and their errors. */
export function failureText(r: TaskResult): string {
  const failed = r.shapes.filter((s) => s.error);
  return failed.map((s) => `${shapeLabel(s.problem)}: [${s.error!.code}] ${s.error!.message}`).join('; ') || 'failed';
}
