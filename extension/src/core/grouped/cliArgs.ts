// `fp8lab bench --kernel contiguous|masked|kgrouped|wgrad` argument parsing (pure: argv in, cases
// and options out, or a message saying what is wrong and what would work).
import type { GroupedBenchOptions, GroupedCase, GroupedKind } from '../../../protocol/grouped';
import type { Bf16Output } from '../../../protocol/worker';
import { BF16_OUTPUTS } from '../bf16/kernelRulesBf16';
import { edgeCases, GROUPED_KINDS, standardCases, MASKED_MAX_M } from './cases';
import { checkCase } from './validate';
import { benchOptions, defaultBenchFlags, readBenchFlag } from '../benchFlags';

export type GroupedParsed = { ok: true; value: GroupedArgs } | { ok: false; message: string } | { ok: 'help' };

export interface GroupedArgs {
  kind: GroupedKind;
  cases: GroupedCase[];
  shapesLabel: string;
  jsonFile?: string;
  options: GroupedBenchOptions;
}

export const GROUPED_DEFAULT_ROUNDS = 10;

/** Shape text per kind: contiguous G,M,N,K (M = expected rows per group); masked G,EXPECTED_M,N,K[,MMAX]; kgrouped G,M,N,K; wgrad M,N,K. */
export function parseGroupedShape(kind: GroupedKind, text: string): GroupedCase | string {
  const parts = text.split(/[,x]/).map((t) => t.trim());
  const nums = parts.map(Number);
  if (parts.some((p) => p === '' || !/^\d+$/.test(p))) return `"${text}" is not a list of whole numbers`;
  let c: GroupedCase;
  switch (kind) {
    case 'contiguous':
    case 'bf16-contiguous':
    case 'kgrouped':
    case 'bf16-kgrouped':
      if (nums.length !== 4)
        return `a ${kind} shape is G,M,N,K (${kind.endsWith('contiguous') ? 'M = expected rows per group' : 'K = expected K per group'}); got "${text}"`;
      c = { kind, numGroups: nums[0], m: nums[1], n: nums[2], k: nums[3] };
      break;
    case 'masked':
    case 'bf16-masked':
      if (nums.length !== 4 && nums.length !== 5)
        return `a masked shape is G,EXPECTED_M,N,K[,MMAX] (MMAX default ${MASKED_MAX_M}); got "${text}"`;
      c = { kind, numGroups: nums[0], m: nums[4] ?? MASKED_MAX_M, n: nums[2], k: nums[3], expectedM: nums[1] };
      break;
    case 'wgrad':
    case 'bf16':
      if (nums.length !== 3) return `a ${kind} shape is M,N,K; got "${text}"`;
      c = { kind, numGroups: 1, m: nums[0], n: nums[1], k: nums[2] };
      break;
  }
  const bad = checkCase(c);
  return bad ? `"${text}": ${bad.message}` : c;
}

export function parseGroupedArgs(args: string[]): GroupedParsed {
  let kind: GroupedKind | undefined;
  const shapes: string[] = [];
  const flags = defaultBenchFlags(GROUPED_DEFAULT_ROUNDS);
  let edges = false;
  let output: Bf16Output | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    const common = readBenchFlag(args, i, flags);
    if (typeof common === 'number') {
      i = common;
      continue;
    }
    if (common) return { ok: false, message: common.message };
    switch (a) {
      case '--kernel': {
        const v = args[++i];
        if (!GROUPED_KINDS.includes(v as GroupedKind))
          return { ok: false, message: `--kernel must be one of ${GROUPED_KINDS.join(', ')}; got ${v ?? 'nothing'}` };
        kind = v as GroupedKind;
        break;
      }
      case '--edge-cases':
        edges = true;
        break;
      case '--output': {
        const v = args[++i];
        if (!BF16_OUTPUTS.includes(v as Bf16Output))
          return { ok: false, message: `--output must be one of ${BF16_OUTPUTS.join(', ')}; got ${v ?? 'nothing'}` };
        output = v as Bf16Output;
        break;
      }
      default:
        if (a.startsWith('--')) return { ok: false, message: `unknown option ${a} for bench --kernel` };
        shapes.push(a);
    }
  }
  if (!kind) return { ok: false, message: `--kernel KIND is required here (${GROUPED_KINDS.join(', ')})` };
  if (output !== undefined && kind !== 'bf16')
    return { ok: false, message: `--output applies to --kernel bf16 only (the ${kind} GEMM's D type is fixed)` };
  let cases: GroupedCase[];
  let shapesLabel: string;
  if (shapes.length === 0 || (shapes.length === 1 && shapes[0] === 'standard')) {
    cases = standardCases(kind);
    shapesLabel = `the standard ${kind} list`;
  } else {
    cases = [];
    for (const s of shapes) {
      const c = parseGroupedShape(kind, s);
      if (typeof c === 'string') return { ok: false, message: c };
      cases.push(c);
    }
    shapesLabel = `${cases.length} shape(s)`;
  }
  if (edges) cases = [...cases, ...edgeCases().filter((c) => c.kind === kind)];
  if (output !== undefined && output !== 'bf16') cases = cases.map((c) => ({ ...c, output }));
  return {
    ok: true,
    value: {
      kind,
      cases,
      shapesLabel,
      ...(flags.jsonFile ? { jsonFile: flags.jsonFile } : {}),
      options: benchOptions(flags),
    },
  };
}
