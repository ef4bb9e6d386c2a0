// The worker's first check of every request: the top-level params have the types the protocol
// (extension/protocol/worker.ts) says, so a wrong-type request is a clear E_BAD_ARGUMENT naming
// the field, never a TypeError deep inside the runtime reported as a bug. What the fields hold
// (shapes, configs, options) is checked further in by policy, as for the CLI.
// Pure: no Node, no addon.
import type { WorkerRequests } from '../../protocol/worker';

type FieldKind = 'settings' | 'object' | 'object?' | 'array' | 'string' | 'number';

/** Each request's params fields and their kinds ('object?': may be absent). */
export const REQUEST_FIELDS: { readonly [M in keyof WorkerRequests]: Readonly<Record<string, FieldKind>> } = {
  'env/probe': { settings: 'settings' },
  'kernel/compile': { settings: 'settings', job: 'object' },
  'gemm/configs': { settings: 'settings', problem: 'object' },
  'gemm/bench': { settings: 'settings', jobId: 'string', problems: 'array', options: 'object' },
  'gemm/tune': { settings: 'settings', jobId: 'string', problem: 'object', configs: 'array', options: 'object' },
  'gemm/tuneShapes': { settings: 'settings', jobId: 'string', problems: 'array', options: 'object' },
  'gemm/timeline': { settings: 'settings', jobId: 'string', problem: 'object', options: 'object?' },
  'gemm/accuracy': { settings: 'settings', jobId: 'string', problem: 'object', options: 'object' },
  'gemm/groupedBench': { settings: 'settings', jobId: 'string', cases: 'array', options: 'object' },
  'mqa/bench': { settings: 'settings', jobId: 'string', kind: 'string', cases: 'array', options: 'object' },
  'utils/cast': { settings: 'settings', request: 'object' },
  'utils/transformScales': { settings: 'settings', request: 'object' },
  'utils/tmaAlignedSize': { size: 'number', elementBytes: 'number' },
  'utils/getGroupedSettings': { settings: 'settings' },
  'utils/setGroupedSettings': { settings: 'settings', change: 'object?' },
  'job/cancel': { jobId: 'string' },
  'worker/ping': {},
  'test/fault': { kind: 'string' },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const SETTINGS_STRINGS = ['cacheDir', 'cudaHome', 'nvccPath', 'libcudaPath', 'cublasLtPath', 'kernelsDir'] as const;
const SETTINGS_FLAGS = [
  'jitDebug',
  'printConfigs',
  'printCompilerCommand',
  'ptxasVerbose',
  'ptxasCheck',
  'dumpPtx',
  'dumpSass',
  'withLineinfo',
] as const;
/** The same rule as FP8LAB_JIT_DEFINES (core/settings.ts): the values reach the compiler's argv. */
const DEFINE = /^FP8LAB_[A-Z0-9_]+(=[A-Za-z0-9_.+-]*)?$/;

/** Why `s` is not a RuntimeSettings, or undefined when it is one. */
export function settingsProblem(s: unknown): string | undefined {
  if (!isObject(s)) return `settings must be an object (RuntimeSettings); got ${kindOf(s)}`;
  for (const k of SETTINGS_STRINGS)
    if (typeof s[k] !== 'string') return `settings.${k} must be a string; got ${kindOf(s[k])}`;
  if (s.compiler !== 'nvcc' && s.compiler !== 'nvrtc')
    return `settings.compiler must be 'nvcc' or 'nvrtc'; got ${JSON.stringify(s.compiler) ?? 'nothing'}`;
  for (const k of SETTINGS_FLAGS)
    if (typeof s[k] !== 'boolean') return `settings.${k} must be a boolean; got ${kindOf(s[k])}`;
  if (s.numSms !== undefined && !(Number.isInteger(s.numSms) && (s.numSms as number) >= 1))
    return `settings.numSms must be a whole number ≥ 1 when given; got ${String(s.numSms)}`;
  if (
    s.compileTimeoutSeconds !== undefined &&
    !(
      Number.isInteger(s.compileTimeoutSeconds) &&
      (s.compileTimeoutSeconds as number) >= 0 &&
      (s.compileTimeoutSeconds as number) <= 86_400
    )
  ) {
    return `settings.compileTimeoutSeconds must be a whole number of seconds from 0 to 86400; got ${String(s.compileTimeoutSeconds)}`;
  }
  if (
    s.jitDefines !== undefined &&
    !(Array.isArray(s.jitDefines) && s.jitDefines.every((d) => typeof d === 'string' && DEFINE.test(d)))
  ) {
    return 'settings.jitDefines must be a list of FP8LAB_NAME or FP8LAB_NAME=VALUE macros';
  }
  if (s.compiledDims !== undefined && s.compiledDims !== 'nk' && s.compiledDims !== 'none')
    return `settings.compiledDims must be 'nk' or 'none' when given; got ${JSON.stringify(s.compiledDims)}`;
  return undefined;
}

/** Why `params` do not fit `method`'s fields, or undefined when they do. Unknown methods pass (the connection answers them). */
export function paramsProblem(method: string, params: unknown): string | undefined {
  const fields = (REQUEST_FIELDS as Record<string, Record<string, FieldKind>>)[method];
  if (!Object.hasOwn(REQUEST_FIELDS, method) || !fields) return undefined;
  if (params === undefined) params = {};
  if (!isObject(params)) return `${method}: params must be an object; got ${kindOf(params)}`;
  for (const [field, kind] of Object.entries(fields)) {
    const v = params[field];
    const problem =
      kind === 'settings'
        ? settingsProblem(v)
        : kind === 'object'
          ? isObject(v)
            ? undefined
            : `${field} must be an object; got ${kindOf(v)}`
          : kind === 'object?'
            ? v === undefined || isObject(v)
              ? undefined
              : `${field} must be an object when given; got ${kindOf(v)}`
            : kind === 'array'
              ? Array.isArray(v)
                ? undefined
                : `${field} must be an array; got ${kindOf(v)}`
              : typeof v === kind
                ? undefined
                : `${field} must be a ${kind}; got ${kindOf(v)}`;
    if (problem) return `${method}: ${problem}`;
  }
  return undefined;
}
