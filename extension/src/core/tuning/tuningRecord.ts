// What the tuning store holds: one record per tuned shape, keyed by the device it was measured on
// and the hash of the kernel source it timed, with the measured ranking and the winner. Records
// travel as lines `<crc32> <json>`: the checksum covers the exact JSON text, so a line cut short by
// a crash, or edited by hand, is recognised and skipped instead of being read as a measurement.
// Pure: storage/tuningStore.ts does the files; the runtime and the CLI decide what to record.
import type { GemmConfig, GemmProblem } from '../../../protocol/worker';
import { crc32Hex } from '../checksum';
import type { ShapeTuning } from '../tuneRanking';
import { shapeLabel } from '../shapes';

/** What makes two GPUs interchangeable for a measured ranking. */
export interface DeviceIdentity {
  /** The device name as the driver reports it ("NVIDIA H100 80GB HBM3", "NVIDIA H20"). */
  name: string;
  /** SMs the kernels were allowed to use (FP8LAB_NUM_SMS, or all of them). */
  smsInUse: number;
  /** The device's own SM count. */
  smCount: number;
  computeCapability: [number, number];
  /** cuDriverGetVersion (13000 = CUDA 13.0). */
  driverVersion: number;
  /** Enforced board power limit in watts (nvidia-smi); absent where it could not be read. */
  powerLimitW?: number;
}

export interface RankedConfig {
  config: GemmConfig;
  /** Median µs; absent when the candidate failed (then `error` says why). */
  measuredUs?: number;
  predictedUs?: number;
  error?: string;
  /** The cost model's choice at the time of tuning. */
  chosen?: boolean;
}

export const RECORD_KIND = 'fp8lab.tuning';
export const RECORD_VERSION = 1;

export interface TuningRecord {
  kind: typeof RECORD_KIND;
  version: typeof RECORD_VERSION;
  /** Unique per measurement; a record read twice (a sweep collected twice) counts once. */
  id: string;
  device: DeviceIdentity;
  /** sha256 of the kernel sources the candidates were compiled from (storage/kernelSourceHash.ts). */
  kernelHash: string;
  problem: GemmProblem;
  /** Fastest first; candidates that failed come last with their error. */
  ranking: RankedConfig[];
  winner?: { config: GemmConfig; us: number };
  /** The cost model's choice over the winner (1 = the model was right). */
  regret?: number;
  /** How the candidates were timed, in words. */
  method: string;
  measuredAt: string;
  origin: { by: 'tune' | 'sweep'; host: string; sweepId?: string; task?: number };
}

/** One key per device identity: records of another key were measured on a different GPU or setup. */
export function deviceKey(d: DeviceIdentity): string {
  return `${d.name}|sms ${d.smsInUse}/${d.smCount}|sm_${d.computeCapability.join('')}|driver ${d.driverVersion}|power ${d.powerLimitW ?? '?'} W`;
}

/** The shape a record answers for ("normal 4096x7168x2048"; grouped kinds add their group count). */
export function shapeKey(p: GemmProblem): string {
  return `${p.kind} ${shapeLabel(p)}${p.numGroups ? ` g${p.numGroups}` : ''}${p.expectedM ? ` e${p.expectedM}` : ''}`;
}

/** A record from a `fp8lab tune` measurement of one shape. */
export function recordFromTuning(
  tuning: ShapeTuning & { method: string },
  meta: {
    id: string;
    device: DeviceIdentity;
    kernelHash: string;
    measuredAt: string;
    origin: TuningRecord['origin'];
  },
): TuningRecord {
  const { config: _forced, ...problem } = tuning.problem;
  return {
    kind: RECORD_KIND,
    version: RECORD_VERSION,
    id: meta.id,
    device: meta.device,
    kernelHash: meta.kernelHash,
    problem,
    ranking: tuning.candidates.map((c) => ({
      config: c.config,
      ...(c.measuredUs !== undefined ? { measuredUs: c.measuredUs } : {}),
      ...(c.predictedUs !== undefined ? { predictedUs: c.predictedUs } : {}),
      ...(c.error ? { error: c.error } : {}),
      ...(c.chosen ? { chosen: true } : {}),
    })),
    ...(tuning.best?.measuredUs !== undefined
      ? { winner: { config: tuning.best.config, us: tuning.best.measuredUs } }
      : {}),
    ...(tuning.regret !== undefined ? { regret: tuning.regret } : {}),
    method: tuning.method,
    measuredAt: meta.measuredAt,
    origin: meta.origin,
  };
}

/** The line a record is stored as (newline included). */
export function encodeRecordLine(record: TuningRecord): string {
  const json = JSON.stringify(record);
  return `${crc32Hex(json)} ${json}\n`;
}

export type DecodedLine = { ok: true; record: TuningRecord } | { ok: false; reason: string };

/** Parses one stored line (without its newline); never throws. */
export function decodeRecordLine(line: string): DecodedLine {
  const m = /^([0-9a-f]{8}) (.*)$/s.exec(line);
  if (!m) return { ok: false, reason: 'not a checksummed record line (cut short or written by something else)' };
  if (crc32Hex(m[2]) !== m[1]) return { ok: false, reason: 'checksum mismatch (a torn or edited record)' };
  let value: unknown;
  try {
    value = JSON.parse(m[2]);
  } catch {
    return { ok: false, reason: 'checksum matches but the JSON does not parse' };
  }
  const problem = recordProblem(value);
  return problem ? { ok: false, reason: problem } : { ok: true, record: value as TuningRecord };
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Why a parsed value is not a record this version can use; undefined when it is one. */
export function recordProblem(v: unknown): string | undefined {
  if (!isObj(v) || v.kind !== RECORD_KIND) return 'not a tuning record';
  if (v.version !== RECORD_VERSION)
    return `tuning record version ${JSON.stringify(v.version)}; this build reads version ${RECORD_VERSION}`;
  if (typeof v.id !== 'string' || v.id === '') return 'record without an id';
  const d = v.device;
  if (
    !isObj(d) ||
    typeof d.name !== 'string' ||
    !isNum(d.smsInUse) ||
    !isNum(d.smCount) ||
    !isNum(d.driverVersion) ||
    !Array.isArray(d.computeCapability) ||
    d.computeCapability.length !== 2 ||
    !d.computeCapability.every(isNum)
  )
    return 'record without a complete device identity';
  if (typeof v.kernelHash !== 'string' || !/^[0-9a-f]{16,64}$/.test(v.kernelHash))
    return 'record without a kernel-source hash';
  const p = v.problem;
  if (!isObj(p) || typeof p.kind !== 'string' || !isNum(p.m) || !isNum(p.n) || !isNum(p.k))
    return 'record without a shape';
  if (!Array.isArray(v.ranking) || !v.ranking.every((r) => isObj(r) && isObj(r.config)))
    return 'record without a ranking';
  if (v.winner !== undefined && (!isObj(v.winner) || !isObj(v.winner.config) || !isNum(v.winner.us)))
    return 'record with a malformed winner';
  if (typeof v.measuredAt !== 'string' || typeof v.method !== 'string') return 'record without its date or method';
  return undefined;
}

/** The store's records as one device and kernel source see them. */
export interface TuningView {
  /** Newest record per shape measured on this device with this kernel source: the ones to use. */
  usable: TuningRecord[];
  /** This device, another kernel source: shown as stale, never used. */
  otherKernel: TuningRecord[];
  /** Measured on another device identity: shown as such, never used. */
  otherDevice: TuningRecord[];
}

/** Sorts records for one device and kernel source (duplicates by id counted once). */
export function viewFor(records: readonly TuningRecord[], device: DeviceIdentity, kernelHash: string): TuningView {
  const key = deviceKey(device);
  const newest = new Map<string, TuningRecord>();
  const view: TuningView = { usable: [], otherKernel: [], otherDevice: [] };
  for (const r of uniqueById(records)) {
    if (deviceKey(r.device) !== key) view.otherDevice.push(r);
    else if (r.kernelHash !== kernelHash) view.otherKernel.push(r);
    else {
      const k = shapeKey(r.problem);
      const seen = newest.get(k);
      if (!seen || seen.measuredAt < r.measuredAt) newest.set(k, r);
    }
  }
  view.usable = [...newest.values()];
  return view;
}

/** Records with distinct ids, first occurrence kept (the same measurement merged twice counts once). */
export function uniqueById(records: readonly TuningRecord[]): TuningRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

/** The tuned winner for a shape in a view (what a config choice consults first), if one was measured. */
export function tunedFor(view: TuningView, problem: GemmProblem): TuningRecord | undefined {
  const key = shapeKey(problem);
  return view.usable.find((r) => shapeKey(r.problem) === key && r.winner !== undefined);
}
