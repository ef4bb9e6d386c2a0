// Validation of a GEMM problem before anything compiles or runs, and the parser for shapes the user
// types ("4096,7168,2048", "4096 7168 2048", "4096x7168x2048"). The quick pick, the CLI and the
// worker all call these, so a shape is accepted or refused with the same words everywhere.
//
// The rules come from the kernels' data layout:
//  - K is cut into 128-wide scaling blocks (A per 1x128, B per 128x128), and the kernels require
//    whole blocks: K % 128 == 0.
//  - D is stored by TMA, whose global row stride must be a multiple of 16 bytes: N % 8 == 0 for BF16
//    output (we keep N % 8 for the FP32-output kinds too, so one rule covers every kind).
//  - M is free (M = 1, 7, 1000 work): the kernels handle partial tiles themselves.
//  - GemmArgs carries m, n, k as uint32 and every size must fit in device memory.

import type { GemmProblem, KernelKind } from '../../protocol/worker';
import { defaultOutputBf16, isBf16Kind, layoutKindOf, outputBytes, ruleProblemBf16 } from './bf16/kernelRulesBf16';

export const SCALE_BLOCK_K = 128;
export const N_ALIGNMENT = 8;
/** Largest dimension we accept: GemmArgs holds uint32, TMA dims < 2^32, and we index rows in int32. */
export const MAX_DIM = 2 ** 31 - 1;
/** Default memory budget when the device's is unknown: an H100 80GB (bytes). */
export const DEFAULT_MEMORY_BYTES = 80 * 2 ** 30;
export const MAX_GROUPS = 1024;

export const KERNEL_KINDS: readonly KernelKind[] = [
  'normal',
  'contiguous',
  'masked',
  'kgrouped',
  'wgrad',
  'bf16',
  'bf16-contiguous',
  'bf16-masked',
  'bf16-kgrouped',
];
/** The kinds whose problem is a set of groups (numGroups ≥ 1, B per group). */
export const GROUPED_KINDS = [
  'contiguous',
  'masked',
  'kgrouped',
  'bf16-contiguous',
  'bf16-masked',
  'bf16-kgrouped',
] as const satisfies readonly KernelKind[];
const GROUPED: ReadonlySet<KernelKind> = new Set(GROUPED_KINDS);

export type ShapeCheck = { ok: true } | { ok: false; code: 'E_INVALID_SHAPE'; message: string };

export interface ValidateOptions {
  /** Device memory in bytes (DeviceReport.totalMemoryBytes); the inputs, output and scales must fit. */
  memoryBytes?: number;
}

const fail = (message: string): ShapeCheck => ({ ok: false, code: 'E_INVALID_SHAPE', message });

/** The multiples of `step` nearest to `x` (one or two of them), never below `step`. */
export function nearestMultiples(x: number, step: number): number[] {
  const below = Math.floor(x / step) * step;
  const above = below + step;
  if (below < step) return [step];
  if (below === x) return [x];
  return [below, above];
}

const nearestText = (x: number, step: number) => nearestMultiples(x, step).join(' or ');

function checkDimension(name: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return `${name} must be a number; got ${describe(value)}`;
  if (!Number.isFinite(value)) return `${name} must be finite; got ${value}`;
  if (!Number.isInteger(value)) return `${name} must be a whole number; got ${value} (try ${Math.round(value) || 1})`;
  if (value < 1) return `${name} must be at least 1; got ${value}`;
  if (value > MAX_DIM) return `${name} = ${value} is larger than the kernels index (at most ${MAX_DIM})`;
  return undefined;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the text "${v}"`;
  if (v === undefined) return 'nothing';
  return JSON.stringify(v) ?? String(v);
}

/** Rows of A the problem really holds (what the runtime allocates), for the memory check. */
function rowsOfA(p: GemmProblem): number {
  const g = p.numGroups ?? 1;
  switch (layoutKindOf(p.kind)) {
    case 'masked':
      return g * p.m; // [G, Mmax, K]
    case 'contiguous':
      return p.expectedM !== undefined
        ? g * Math.ceil((p.expectedM * 1.3) / 128) * 128 // generators draw up to 1.3x expected
        : p.m;
    default:
      return p.m;
  }
}

/** Bytes the runtime will allocate for the problem (inputs, output, C for FP32-output kinds, scales). */
export function problemBytes(p: GemmProblem): number {
  const g = p.numGroups ?? 1;
  const rows = rowsOfA(p);
  const kTotal = p.kind === 'kgrouped' ? g * Math.ceil((p.k * 1.3) / 128) * 128 : p.k;
  const kBlocks = Math.ceil(kTotal / SCALE_BLOCK_K);
  const bGroups = p.kind === 'masked' || p.kind === 'contiguous' ? g : 1;
  if (isBf16Kind(p.kind)) {
    // bf16 A and B (one B per group for the M-grouped kinds), no scales; D bf16 or fp32 (and C when
    // accumulating: one plane per group for the K-grouped kind, whose k is ΣK).
    const output = p.output ?? defaultOutputBf16(p.kind);
    const out = outputBytes(output) * (output === 'fp32-accumulate' ? 2 : 1);
    const layout = layoutKindOf(p.kind);
    const bGroups = layout === 'contiguous' || layout === 'masked' ? g : 1;
    const outGroups = layout === 'kgrouped' ? g : 1;
    return rows * p.k * 2 + bGroups * p.n * p.k * 2 + outGroups * rows * p.n * out;
  }
  const fp32Out = p.kind === 'wgrad' || p.kind === 'kgrouped';
  const outGroups = p.kind === 'kgrouped' ? g : 1;
  const a = rows * kTotal;
  const b = bGroups * p.n * kTotal;
  const d = outGroups * rows * p.n * (fp32Out ? 4 : 2) * (fp32Out ? 2 : 1); // FP32 kinds also hold C
  const scales = rows * kBlocks * 4 + bGroups * (fp32Out ? p.n : Math.ceil(p.n / 128)) * kBlocks * 4;
  return a + b + d + scales;
}

const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);

/** Checks a problem (any kernel kind). Messages say what is wrong and what would work. */
export function validateProblem(p: GemmProblem, opts: ValidateOptions = {}): ShapeCheck {
  if (p === null || typeof p !== 'object')
    return fail(`a problem must be an object with kind, m, n, k; got ${describe(p)}`);
  if (!KERNEL_KINDS.includes(p.kind)) {
    return fail(`kind must be one of ${KERNEL_KINDS.join(', ')}; got ${describe(p.kind)}`);
  }
  for (const [name, value] of [
    ['M', p.m],
    ['N', p.n],
    ['K', p.k],
  ] as const) {
    const problem = checkDimension(name, value);
    if (problem) return fail(problem);
  }
  if (isBf16Kind(p.kind)) {
    // The BF16 kernel has no scaling blocks: K % 8 and N % 8 (bf16 D) or 4 (fp32 D), 16-byte TMA rows.
    const v = ruleProblemBf16(p, p.output ?? defaultOutputBf16(p.kind));
    if (v) return fail(v.reason);
  } else if (p.k % SCALE_BLOCK_K !== 0) {
    const what = p.kind === 'kgrouped' ? 'K (the expected K per group)' : 'K';
    return fail(
      `${what} must be a multiple of 128 (the scaling block); got ${p.k}, nearest valid: ${nearestText(p.k, SCALE_BLOCK_K)}`,
    );
  }
  if (!isBf16Kind(p.kind) && p.n % N_ALIGNMENT !== 0) {
    return fail(
      `N must be a multiple of 8 (16-byte output rows for the TMA store); got ${p.n}, nearest valid: ${nearestText(p.n, N_ALIGNMENT)}`,
    );
  }
  const groupProblem = checkGroups(p);
  if (groupProblem) return fail(groupProblem);

  const budget = opts.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  const need = problemBytes(p);
  if (need > budget) {
    return fail(
      `this shape needs ${gib(need)} GiB for A, B, D and the scales; the device has ${gib(budget)} GiB — use smaller M, N or K`,
    );
  }
  return { ok: true };
}

function checkGroups(p: GemmProblem): string | undefined {
  const grouped = GROUPED.has(p.kind);
  if (!grouped) {
    if (p.numGroups !== undefined && p.numGroups !== 1) {
      return `numGroups applies to the grouped kinds (contiguous, masked, kgrouped and their bf16- forms); a ${p.kind} GEMM has one group, got ${p.numGroups}`;
    }
    return undefined;
  }
  if (p.numGroups === undefined) return `a ${p.kind} GEMM needs numGroups (1 to ${MAX_GROUPS}), e.g. 8`;
  const gProblem = checkDimension('numGroups', p.numGroups);
  if (gProblem) return gProblem;
  if (p.numGroups > MAX_GROUPS) return `numGroups must be at most ${MAX_GROUPS}; got ${p.numGroups}`;
  if (p.expectedM !== undefined) {
    const eProblem = checkDimension('expectedM', p.expectedM);
    if (eProblem) return eProblem;
    if (layoutKindOf(p.kind) === 'masked' && p.expectedM > p.m) {
      return `expectedM (${p.expectedM}) cannot exceed M, the rows per group of the masked layout (${p.m}); use expectedM ≤ ${p.m} or a larger M`;
    }
  } else if (layoutKindOf(p.kind) === 'masked') {
    return `a masked GEMM needs expectedM (the heuristics' hint of rows per group), at most M = ${p.m}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Text input

export type ParsedShape = { ok: true; problem: GemmProblem } | { ok: false; code: 'E_INVALID_SHAPE'; message: string };

const EXAMPLE = 'e.g. 4096,7168,2048 or 4096x7168x2048';

/**
 * Parses "M,N,K", "M N K" or "MxNxK" (any mix of commas, spaces, x, X, ×) into a normal-kind
 * problem and validates it. Suitable for a quick pick's validateInput (call on every keystroke) and
 * for CLI arguments.
 */
export function parseShape(
  text: string,
  opts: ValidateOptions & { kind?: KernelKind; output?: GemmProblem['output'] } = {},
): ParsedShape {
  const trimmed = (text ?? '').trim();
  if (!trimmed) return { ok: false, code: 'E_INVALID_SHAPE', message: `type three sizes M, N, K (${EXAMPLE})` };
  const parts = trimmed.split(/\s*[,x×X]\s*|\s+/).filter((s) => s.length > 0);
  const names = ['M', 'N', 'K'];
  if (parts.length !== 3) {
    return {
      ok: false,
      code: 'E_INVALID_SHAPE',
      message:
        parts.length < 3
          ? `expected three sizes M, N, K; got ${parts.length} (${EXAMPLE})`
          : `expected three sizes M, N, K; got ${parts.length}: "${trimmed}" (${EXAMPLE})`,
    };
  }
  const values: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (!/^\d+$/.test(parts[i])) {
      const asNumber = Number(parts[i]);
      const hint = Number.isFinite(asNumber) && asNumber >= 1 ? ` (try ${Math.round(asNumber)})` : '';
      return {
        ok: false,
        code: 'E_INVALID_SHAPE',
        message: `${names[i]} must be a positive whole number; got "${parts[i]}"${hint}`,
      };
    }
    values.push(Number(parts[i]));
  }
  const problem: GemmProblem = {
    kind: opts.kind ?? 'normal',
    m: values[0],
    n: values[1],
    k: values[2],
    ...(opts.output ? { output: opts.output } : {}),
  };
  const check = validateProblem(problem, opts);
  return check.ok ? { ok: true, problem } : check;
}

/** For VS Code's InputBox.validateInput: undefined when the text is a valid shape, else the message. */
export function shapeInputMessage(text: string, opts: ValidateOptions = {}): string | undefined {
  const parsed = parseShape(text, opts);
  return parsed.ok ? undefined : parsed.message;
}

/** "4096x7168x2048" — the label shapes are shown with. */
export function shapeLabel(p: Pick<GemmProblem, 'm' | 'n' | 'k'>): string {
  return `${p.m}x${p.n}x${p.k}`;
}
