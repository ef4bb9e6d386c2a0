// The JSON-lines protocol between the runtime worker and the Python peer helper
// (extension/peers/peer_helper.py), and the words the product uses for each peer. Pure.
import type { Accuracy, KernelKind, PeerAvailability, PeerId } from '../../../protocol/worker';

export const HELPER_PROTOCOL = 1;

/** The peers the helper runs (cuBLASLt runs inside the addon). */
export type PythonPeerId = Extract<PeerId, 'deepgemm' | 'torch'>;
export const PYTHON_PEERS: readonly PythonPeerId[] = ['deepgemm', 'torch'];
export const ALL_PEERS: readonly PeerId[] = ['cublaslt', 'deepgemm', 'torch'];

export const PEER_NAMES: Record<PeerId, string> = {
  cublaslt: 'cuBLASLt',
  deepgemm: 'DeepGEMM',
  torch: 'torch._scaled_mm',
};

/** What `prepare` describes: the kernel kind and its sizes (grouped kinds carry the drawn group sizes). */
export interface HelperProblem {
  kind: KernelKind;
  m: number;
  n: number;
  k: number;
  /** bf16: D's type ('fp32-accumulate': D = C + A·Bᵀ); absent = bf16. */
  output?: 'fp32' | 'fp32-accumulate';
  groupRows?: number[];
  maskedM?: number[];
  expectedM?: number;
  groupK?: number[];
}

/** The MQA-logits problems (DeepGEMM's fp8_mqa_logits / fp8_paged_mqa_logits) with the worker's draws. */
export type MqaHelperProblem =
  | { kind: 'mqa-logits'; seqQ: number; seqKv: number; heads: number; dim: number; ks: number[]; ke: number[] }
  | { kind: 'paged-mqa-logits'; batch: number; nextN: number; heads: number; dim: number; contextLens: number[] };

export interface HelperRequests {
  hello: { params: Record<string, never>; result: HelloResult };
  prepare: {
    params: {
      peer: PythonPeerId;
      problem: HelperProblem | MqaHelperProblem;
      seed: number;
      numSms?: number;
      targetReplayUs?: number;
      warmupReplays?: number;
    };
    result: PrepareResult;
  };
  replay: { params: { handle: number; warmup?: number }; result: { perCallUs: number } };
  release: { params: { handle: number }; result: Record<string, never> };
  shutdown: { params: Record<string, never>; result: Record<string, never> };
}

export interface HelloPeer {
  available: boolean;
  version?: string;
  reason?: string;
  functions?: Record<string, boolean>;
}
export interface HelloResult {
  protocol: number;
  python: string;
  torch?: string;
  cuda?: string;
  device?: { name: string; smCount: number; l2Bytes: number };
  peers: Record<PythonPeerId, HelloPeer>;
}

export interface PrepareResult {
  handle: number;
  name: string;
  accuracy: Accuracy;
  sets: number;
  callsPerGraph: number;
  config?: string;
  numSms?: number;
}

export type HelperAnswer =
  { id: number; result: unknown } | { id: number | null; error: { code: string; message: string } };

/** One line from the helper, checked: an answer to a request, or why the line is not one. */
export function parseHelperLine(line: string): { ok: true; answer: HelperAnswer } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, problem: `not JSON: ${clip(line, 120)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problem: `not an object: ${clip(line, 120)}` };
  const o = value as Record<string, unknown>;
  if (!(typeof o.id === 'number' || o.id === null)) return { ok: false, problem: `no numeric id: ${clip(line, 120)}` };
  if ('error' in o) {
    const e = o.error as Record<string, unknown> | null;
    if (!e || typeof e.code !== 'string' || typeof e.message !== 'string')
      return { ok: false, problem: `malformed error: ${clip(line, 120)}` };
    return { ok: true, answer: { id: o.id as number | null, error: { code: e.code, message: e.message } } };
  }
  if (!('result' in o) || o.id === null) return { ok: false, problem: `neither result nor error: ${clip(line, 120)}` };
  return { ok: true, answer: { id: o.id as number, result: o.result } };
}

/** The hello answer, checked field by field (the helper is another program: trust nothing). */
export function checkHello(value: unknown): HelloResult {
  const o = value as HelloResult;
  if (
    !o ||
    typeof o !== 'object' ||
    typeof o.protocol !== 'number' ||
    typeof o.python !== 'string' ||
    !o.peers ||
    typeof o.peers !== 'object'
  ) {
    throw new Error('the helper answered hello without protocol, python and peers');
  }
  if (o.protocol !== HELPER_PROTOCOL)
    throw new Error(`the helper speaks protocol ${o.protocol}; this runtime speaks ${HELPER_PROTOCOL}`);
  for (const id of PYTHON_PEERS) {
    const p = o.peers[id];
    if (!p || typeof p.available !== 'boolean') throw new Error(`the helper's hello says nothing about ${id}`);
  }
  return o;
}

export function checkPrepare(value: unknown): PrepareResult {
  const o = value as PrepareResult;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (
    !o ||
    typeof o !== 'object' ||
    !Number.isInteger(o.handle) ||
    typeof o.name !== 'string' ||
    !o.accuracy ||
    !finite(o.accuracy.calcDiff) ||
    typeof o.accuracy.passed !== 'boolean' ||
    !Number.isInteger(o.callsPerGraph)
  ) {
    throw new Error('the helper answered prepare without handle, name, accuracy and callsPerGraph');
  }
  return o;
}

export function checkReplay(value: unknown): number {
  const us = (value as { perCallUs?: unknown })?.perCallUs;
  if (typeof us !== 'number' || !Number.isFinite(us) || us <= 0)
    throw new Error(`the helper answered replay with ${JSON.stringify(value)}`);
  return us;
}

/** Where the Python comes from: the setting, then FP8LAB_PYTHON, then python3 on PATH. */
export function resolvePython(
  setting: string | undefined,
  env: Record<string, string | undefined>,
): { command: string; source: string } {
  if (setting && setting.trim()) return { command: setting.trim(), source: 'fp8lab.pythonPath' };
  const fromEnv = env.FP8LAB_PYTHON?.trim();
  if (fromEnv) return { command: fromEnv, source: 'FP8LAB_PYTHON' };
  return { command: 'python3', source: 'python3 on PATH' };
}

/** The helper's argument vector: the interpreter, unbuffered, our script. Never a shell string. */
export function helperArgv(python: string, helperScript: string): [string, string[]] {
  return [python, ['-u', helperScript]];
}

/** The helper's environment: the caller's, DeepGEMM told to print its choices (to stderr, see the helper). */
export function helperEnv(base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env.DG_PRINT_CONFIGS = '1';
  env.PYTHONUNBUFFERED = '1';
  return env;
}

/** Which peers a run wants: none with --no-peer, else the list given (default every one). */
export function wantedPeers(options: { peer: boolean; peers?: readonly PeerId[] }): PeerId[] {
  if (!options.peer) return [];
  const list = options.peers && options.peers.length ? options.peers : ALL_PEERS;
  return ALL_PEERS.filter((id) => list.includes(id));
}

/** Parses `--peers cublaslt,deepgemm` (names or 'all'/'none'); throws with what would work. */
export function parsePeerList(text: string): PeerId[] {
  const t = text.trim().toLowerCase();
  if (t === 'all') return [...ALL_PEERS];
  if (t === 'none') return [];
  const ids = t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = ids.filter((id) => !(ALL_PEERS as readonly string[]).includes(id));
  if (bad.length || ids.length === 0) {
    throw new Error(`--peers takes a comma-separated list of ${ALL_PEERS.join(', ')} (or all, none); got '${text}'`);
  }
  return ALL_PEERS.filter((id) => ids.includes(id));
}

/** A Python peer that cannot run, with the one line that says why (and what would fix it). */
export function unavailable(id: PythonPeerId, reason: string): PeerAvailability {
  return { id, name: PEER_NAMES[id], available: false, reason };
}

/** Availability of the Python peers from a hello answer. */
export function availabilityFromHello(hello: HelloResult, wanted: readonly PeerId[]): PeerAvailability[] {
  return PYTHON_PEERS.filter((id) => wanted.includes(id)).map((id) => {
    const p = hello.peers[id];
    const name =
      id === 'deepgemm'
        ? `DeepGEMM${p.version ? ` ${p.version}` : ''}`
        : `torch._scaled_mm${p.version ? ` (PyTorch ${p.version})` : ''}`;
    return p.available
      ? { id, name, available: true, ...(p.version ? { version: p.version } : {}) }
      : {
          id,
          name,
          available: false,
          reason: p.reason ?? `${PEER_NAMES[id]} is not available in ${hello.python}`,
          ...(p.version ? { version: p.version } : {}),
        };
  });
}

/** "DeepGEMM: <reason>" lines for the peers that will not run, for the terminal and the log. */
export function missingPeerLines(peers: readonly PeerAvailability[]): string[] {
  return peers
    .filter((p) => !p.available)
    .map((p) => `${PEER_NAMES[p.id]} column skipped: ${p.reason ?? 'not available'}`);
}

/** The helper failed to start or to answer: why, in one line, with what would fix it. */
export function helperFailure(python: { command: string; source: string }, what: string, stderrTail: string): string {
  const tail = stderrTail.trim().split('\n').filter(Boolean).slice(-2).join(' | ');
  return (
    `the Python peer helper (${python.command}, from ${python.source}) ${what}${tail ? `: ${clip(tail, 300)}` : ''}; ` +
    'set fp8lab.pythonPath or FP8LAB_PYTHON to a Python 3 with torch (and deep_gemm for the DeepGEMM column)'
  );
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
