// Command-line parsing for `fp8lab bench | configs | compile`. Pure: argv in, a typed request or a
// message that says what is wrong and what would work.
import { parsePeerList } from '../core/peers/helperProtocol';
import type { Bf16Output, BenchOptions, ErrorCode, GemmProblem } from '../../protocol/worker';
import { BF16_OUTPUTS } from '../core/bf16/kernelRulesBf16';
import { presetShapes, SHAPE_PRESETS } from '../core/deepseekShapes';
import { parseShape } from '../core/shapes';
import {
  GROUPED_CONFIG_KINDS,
  groupedShapeExample,
  isGroupedConfigKind,
  parseGroupedConfigShape,
  type GroupedConfigKind,
} from '../core/grouped/configProblem';
import type { ConfigOverrides } from '../worker/bench/policy';
import { CONFIG_KEYS } from '../core/configOverrides';

/** A usage error carries a code like every other error: E_INVALID_SHAPE for a shape, else E_BAD_ARGUMENT. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; code?: ErrorCode } | { ok: 'help' };

/** A word that is a value, not an option: anything not starting with '-', and negative numbers
 *  (`configs -5 2112 7168` is a bad shape, not an unknown option). */
export function isValueWord(a: string): boolean {
  return !a.startsWith('-') || /^-\d/.test(a);
}

/** One shape from the words left after the flags: three numbers (`M N K`) or one `M,N,K` word. */
export function shapeFromWords(
  verb: string,
  words: string[],
  as: Pick<GemmProblem, 'kind' | 'output'> = { kind: 'normal' },
): Parsed<GemmProblem> {
  if (words.length !== 1 && words.length !== 3) {
    return {
      ok: false,
      code: 'E_INVALID_SHAPE',
      message: `${verb} needs one shape: M N K or M,N,K (e.g. ${verb} 4096 7168 2048)${words.length ? `; got ${words.map((w) => JSON.stringify(w)).join(' ')}` : ''}`,
    };
  }
  const parsed = parseShape(words.join(' '), { kind: as.kind, ...(as.output ? { output: as.output } : {}) });
  return parsed.ok
    ? { ok: true, value: { ...parsed.problem, ...(as.output ? { output: as.output } : {}) } }
    : { ok: false, code: 'E_INVALID_SHAPE', message: `shape "${words.join(' ')}": ${parsed.message}` };
}

/** A grouped kind's one shape word (G,M,N,K, ...), drawn as the grouped bench's first case. */
function groupedShapeFromWords(verb: string, kind: GroupedConfigKind, words: string[]): Parsed<GemmProblem> {
  if (words.length !== 1)
    return {
      ok: false,
      code: 'E_INVALID_SHAPE',
      message: `${verb} --kernel ${kind} needs one shape, as the grouped bench takes it (e.g. ${groupedShapeExample(kind)})${words.length ? `; got ${words.map((w) => JSON.stringify(w)).join(' ')}` : ''}`,
    };
  const parsed = parseGroupedConfigShape(kind, words[0]);
  return parsed.ok
    ? { ok: true, value: parsed.problem }
    : { ok: false, code: 'E_INVALID_SHAPE', message: parsed.message };
}

export interface BenchArgs {
  problems: GemmProblem[];
  /** Where the shapes came from, for the header line ("deepseek", "2 shapes"). */
  shapesLabel: string;
  jsonFile?: string;
  options: BenchOptions;
  /** --config applied to every shape (partial: completed by the policy). */
  config?: ConfigOverrides;
}

export const DEFAULT_ROUNDS = 20;
export const DEFAULT_SEED = 0;

export { CONFIG_KEYS };
export type { ConfigOverrides };

/** No config field comes near this (the largest are swizzle bytes and SM counts); beyond it a number is a typo. */
const MAX_CONFIG_VALUE = 1 << 20;

/** "block_m=128,block_n=160,stages=5" -> { blockM: 128, blockN: 160, numStages: 5 }. */
export function parseConfigText(text: string): Parsed<ConfigOverrides> {
  const out: ConfigOverrides = {};
  const pairs = text.split(/[,\s]+/).filter(Boolean);
  if (pairs.length === 0)
    return {
      ok: false,
      message: `--config needs key=value pairs, e.g. block_m=128,block_n=128,stages=5; keys: ${Object.keys(CONFIG_KEYS).join(', ')}`,
    };
  for (const pair of pairs) {
    const m = /^([a-z_]+)=(\d+)$/.exec(pair);
    if (!m) return { ok: false, message: `--config: "${pair}" is not key=number (e.g. block_n=128)` };
    // Own keys only: "__proto__" or "constructor" must not reach Object.prototype.
    const key = Object.hasOwn(CONFIG_KEYS, m[1]) ? CONFIG_KEYS[m[1] as keyof typeof CONFIG_KEYS] : undefined;
    if (!key)
      return {
        ok: false,
        message: `--config: unknown key "${m[1]}"; use one of ${Object.keys(CONFIG_KEYS).join(', ')}`,
      };
    const value = Number(m[2]);
    if (!Number.isSafeInteger(value) || value > MAX_CONFIG_VALUE) {
      return {
        ok: false,
        message: `--config: ${m[1]}=${m[2].length > 20 ? `${m[2].slice(0, 20)}…` : m[2]} is far beyond any legal value (at most ${MAX_CONFIG_VALUE}); the policy names the legal ones`,
      };
    }
    out[key] = value;
  }
  return { ok: true, value: out };
}

function positiveInt(flag: string, raw: string | undefined, max: number): Parsed<number> {
  if (raw === undefined) return { ok: false, message: `${flag} needs a value` };
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    return { ok: false, message: `${flag} must be a whole number from 1 to ${max}; got "${raw}"` };
  return { ok: true, value: Number(raw) };
}

function shapeOrPreset(token: string): Parsed<{ problems: GemmProblem[]; preset?: string }> {
  const preset = presetShapes(token);
  if (preset) return { ok: true, value: { problems: preset, preset: token } };
  if (/^[a-z-]+$/i.test(token))
    return {
      ok: false,
      code: 'E_INVALID_SHAPE',
      message: `unknown shape preset "${token}"; use one of ${SHAPE_PRESETS.join(', ')}, M,N,K or M N K`,
    };
  const parsed = parseShape(token);
  if (!parsed.ok) return { ok: false, code: 'E_INVALID_SHAPE', message: `shape "${token}": ${parsed.message}` };
  return { ok: true, value: { problems: [parsed.problem] } };
}

export function parseBenchArgs(args: string[]): Parsed<BenchArgs> {
  const problems: GemmProblem[] = [];
  const presets: string[] = [];
  let jsonFile: string | undefined;
  let config: ConfigOverrides | undefined;
  const options: BenchOptions = { timing: true, peer: true, rounds: DEFAULT_ROUNDS, seed: DEFAULT_SEED };
  let explicit = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    switch (a) {
      case '--shapes':
        if (args[i + 1] === undefined || args[i + 1].startsWith('--'))
          return { ok: false, message: '--shapes needs deepseek (or another preset) or one or more M,N,K' };
        continue;
      case '--json':
        jsonFile = args[++i];
        if (!jsonFile || jsonFile.startsWith('--'))
          return { ok: false, message: '--json needs a file name, e.g. --json bench.json' };
        continue;
      case '--no-peer':
        options.peer = false;
        continue;
      case '--peers': {
        try {
          options.peers = parsePeerList(args[++i] ?? '');
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
        if (options.peers.length === 0) options.peer = false;
        continue;
      }
      case '--check-only':
        options.timing = false;
        continue;
      case '--no-pdl':
        options.pdl = false;
        continue;
      case '--rounds': {
        const r = positiveInt(a, args[++i], 10_000);
        if (r.ok !== true) return r;
        options.rounds = r.value;
        continue;
      }
      case '--calls-per-graph': {
        const r = positiveInt(a, args[++i], 4096);
        if (r.ok !== true) return r;
        options.callsPerGraph = r.value;
        continue;
      }
      case '--seed': {
        const raw = args[++i];
        if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) > 0xffffffff)
          return { ok: false, message: `--seed must be a whole number from 0 to 4294967295; got "${raw ?? ''}"` };
        options.seed = Number(raw);
        continue;
      }
      case '--distribution': {
        const d = args[++i];
        if (d !== 'normal' && d !== 'outliers' && d !== 'tiny')
          return { ok: false, message: `--distribution must be normal, outliers or tiny; got "${d ?? ''}"` };
        options.distribution = d;
        continue;
      }
      case '--config': {
        const c = parseConfigText(args[++i] ?? '');
        if (c.ok !== true) return c;
        config = c.value;
        continue;
      }
      default:
        if (!isValueWord(a)) return { ok: false, message: `unknown option ${a}` };
    }
    // A preset name, an M,N,K, or three numbers M N K: after --shapes, or bare.
    let token = a;
    if (/^-?\d+$/.test(a)) {
      const three = args.slice(i, i + 3);
      if (three.length < 3 || !three.every((w) => /^-?\d+$/.test(w))) {
        return {
          ok: false,
          code: 'E_INVALID_SHAPE',
          message: `shape "${three.filter((w) => /^-?\d+$/.test(w)).join(' ')}": give M N K (three numbers) or M,N,K`,
        };
      }
      token = three.join(',');
      i += 2;
    }
    const s = shapeOrPreset(token);
    if (s.ok !== true) return s;
    problems.push(...s.value.problems);
    if (s.value.preset) presets.push(s.value.preset);
    else explicit++;
  }
  if (problems.length === 0) {
    problems.push(...presetShapes('deepseek')!);
    presets.push('deepseek');
  }
  const shapesLabel = [...presets, ...(explicit ? [`${explicit} shape(s)`] : [])].join(' + ');
  return {
    ok: true,
    value: { problems, shapesLabel, ...(jsonFile ? { jsonFile } : {}), options, ...(config ? { config } : {}) },
  };
}

/** `configs M N K` / `compile M N K`: three numbers or one "M,N,K" (or "MxNxK") word, plus flags. */
export interface ShapeVerbArgs {
  problem: GemmProblem;
  json: boolean;
  config?: ConfigOverrides;
  /** configs only: --legal (legal candidates only), --top N (the N predicted fastest). */
  legalOnly?: boolean;
  top?: number;
}

/** The kernels `configs` and `compile` take a GEMM shape for (the MQA kinds are routed before). */
type ShapeVerbKind = 'normal' | 'bf16' | 'wgrad' | GroupedConfigKind;

/** The kinds `configs` lists candidates for and `compile` builds: every GEMM kind. */
const SHAPE_VERB_KINDS: readonly string[] = ['normal', 'bf16', 'wgrad', ...GROUPED_CONFIG_KINDS];

export function parseShapeVerbArgs(verb: 'configs' | 'compile', args: string[]): Parsed<ShapeVerbArgs> {
  const words: string[] = [];
  let json = false;
  let config: ConfigOverrides | undefined;
  let legalOnly = false;
  let top: number | undefined;
  let kind = 'normal' as ShapeVerbKind;
  let output: Bf16Output | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    if (a === '--json') {
      json = true;
      continue;
    }
    // The kernel: the FP8 GEMM (default) or the BF16 GEMM (with its output type).
    if (a === '--kernel') {
      const v = args[++i];
      if (!SHAPE_VERB_KINDS.includes(v ?? ''))
        return {
          ok: false,
          message: `--kernel for ${verb} is normal (the FP8 GEMM, default), wgrad or bf16 (M,N,K), a grouped kind (${GROUPED_CONFIG_KINDS.join(', ')}: a case as the grouped bench takes it)${verb === 'configs' ? ', or mqa-logits or paged-mqa-logits' : ''}; got ${v ?? 'nothing'}`,
        };
      kind = v as ShapeVerbKind;
      continue;
    }
    if (a === '--output') {
      const v = args[++i];
      if (!BF16_OUTPUTS.includes(v as Bf16Output))
        return { ok: false, message: `--output must be one of ${BF16_OUTPUTS.join(', ')}; got ${v ?? 'nothing'}` };
      output = v as Bf16Output;
      continue;
    }
    if (a === '--legal' && verb === 'configs') {
      legalOnly = true;
      continue;
    }
    if (a === '--top' && verb === 'configs') {
      const r = positiveInt(a, args[++i], 100_000);
      if (r.ok !== true) return r;
      top = r.value;
      continue;
    }
    if (a === '--config' && verb === 'compile') {
      const c = parseConfigText(args[++i] ?? '');
      if (c.ok !== true) return c;
      config = c.value;
      continue;
    }
    if (a.startsWith('--config=') && verb === 'compile') {
      const c = parseConfigText(a.slice('--config='.length));
      if (c.ok !== true) return c;
      config = c.value;
      continue;
    }
    if (!isValueWord(a)) return { ok: false, message: `unknown option ${a}` };
    words.push(a);
  }
  if (output !== undefined && kind !== 'bf16')
    return {
      ok: false,
      message: `--output applies to --kernel bf16 only (the ${kind === 'normal' ? 'FP8 GEMM writes bf16' : `${kind} GEMM's D type is fixed`})`,
    };
  const shape = isGroupedConfigKind(kind)
    ? groupedShapeFromWords(verb, kind, words)
    : shapeFromWords(verb, words, { kind, ...(output && output !== 'bf16' ? { output } : {}) });
  if (shape.ok !== true) return shape as Parsed<never>;
  return {
    ok: true,
    value: {
      problem: shape.value,
      json,
      ...(config ? { config } : {}),
      ...(legalOnly ? { legalOnly } : {}),
      ...(top !== undefined ? { top } : {}),
    },
  };
}
